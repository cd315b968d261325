"""newsmon: poll news feeds, match topics, drop what is already known, email what is new.

Data flows fetch -> parse -> match -> dedup -> store -> digest -> deliver, and
imports only go down these layers:

* foundations, used by all: ``errors``, ``config``, ``defaults``, ``text``,
  ``logs``, ``cron``, ``seeds``;
* the stages: ``fetch`` (HTTP), ``parse`` (bytes to entries), ``match``
  (topics), ``dedup`` (the dedup engine, which knows no database), ``storage``
  (schema and queries; it knows the parsed and matched entries it stores);
* orchestration: ``cycle`` (one poll: fetch, parse, match, store),
  ``classify`` (dedup over stored articles), ``runner`` (cycles, one at a time,
  recorded), ``app`` (opening the database);
* at the top, ``daemon`` and ``cli``: the only parts that import ``alerts``
  (digests: compose, render, deliver), which itself uses only ``config``,
  ``errors``, ``storage`` and ``text``.
"""

__version__ = "0.1.0"

"""newsmon: poll news feeds, match topics, drop what is already known, email what is new.

The package reads in pipeline order: ``fetch`` -> ``parse`` -> ``match`` ->
``dedup`` -> ``storage`` -> (``alerts``: digest -> deliver).  ``config``,
``errors`` and ``seeds`` are shared foundations; ``cli`` sits on top of all.
"""

__version__ = "0.1.0"

"""Query words that the text also uses as an ordinary word in another language.

The case rules (:class:`~monitor.match.normalize.CaseRule`) keep the Italian
"nato" (born) away from NATO everywhere but at the start of a sentence,
where the participle is capitalised like the alliance: "Nato a Palermo il
4 maggio 1950, …".  What tells them apart there is the construction around
the word, which is the same for any place and any date:

* the participle starts its sentence and is followed by where and when:
  "Nato a <Place> … il/nel <number>", "Nato ad <Place> … nel <year>",
  or directly by the date, "Nato il 4 novembre", "Nato nel 1926";
* the alliance is written with an article or a preposition ("la Nato",
  "della Nato", "alla Nato") or after a noun ("vertice Nato a Bruxelles"),
  so it does not start the sentence, and a headline that starts with it
  names no birth date ("Nato a Bruxelles, vertice dei ministri").

Only words written in capitals in the query (acronyms and names) are
checked; a query that writes ``nato`` in lower case asks for every sense.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from monitor.match.document import Document
from monitor.match.normalize import TITLE

# What may stand between a sentence's end (or the start of the title or of
# a paragraph) and its first word: spaces, opening quotes and brackets, a
# dash or a bullet.
_OPENERS = " \t\u00a0\"'“”„«»‘’‚(–—-•*"
_SENTENCE_ENDS = ".!?:;…\n"
# A date after the participle: "il 4 novembre", "nel 1926", "l'8 marzo",
# "nell'anno 1926" is rare enough to leave out.
_DATE = r"(?:il|nel|l['’]|nell['’]|dal)[ \u00a0]*\d"
_BORN = re.compile(
    rf"""[ \u00a0]+(?:
        {_DATE}                                         # Nato il 4 novembre 1926
      | (?:a|ad)[ \u00a0]+(?P<place>[^\W\d_])           # Nato a Gioiosa Marea
        [^.;!?\n]{{0,80}}?(?<![^\W_]){_DATE}           #   … il 4 novembre 1926
    )""",
    re.VERBOSE,
)


def _starts_sentence(doc: Document, hit: int) -> bool:
    before = doc.folded.text[max(0, doc.starts[hit] - 40) : doc.starts[hit]]
    stripped = before.rstrip(_OPENERS)
    if not stripped:
        return doc.starts[hit] <= len(before)  # the start of the title or of the text
    return stripped[-1] in _SENTENCE_ENDS or stripped.endswith("\n|")


def italian_born(doc: Document, hit: int) -> bool:
    """Whether a capitalised "Nato" is the Italian participle (born), not the alliance."""
    if doc.shape(hit) != TITLE or not _starts_sentence(doc, hit):
        return False
    folded = doc.folded
    found = _BORN.match(folded.original, folded.origin(doc.ends[hit]))
    if found is None:
        return False
    place = found.group("place")
    return place is None or place.isupper()


_RULES: dict[str, Callable[[Document, int], bool]] = {"nato": italian_born}
"""Checks by folded query word: True means the hit is the other sense."""


def has_other_senses(key: str) -> bool:
    return key in _RULES


def other_sense(doc: Document, hit: int) -> bool:
    """Whether the hit, a word the query writes as a name or an acronym, is another word."""
    rule = _RULES.get(doc.keys[hit])
    return rule is not None and rule(doc, hit)

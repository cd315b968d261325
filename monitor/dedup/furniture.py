"""Page furniture: the lines of a feed item that belong to the page, not to the news.

Extracted article text carries bylines, share counters, "Read more" links, photo credits,
newsletter prompts and copyright notices.  Left in, they look like novel sentences and turn a
reprint into a false "update", so they are removed before analysis and reported (with a reason)
so that ``explain`` can show them.

Decisions are made per line (articles arrive one paragraph per line), and a short line is
furniture only when it matches a pattern: a short real headline or subhead must stay.  The one
edit inside a line is a leading dateline or agency tag ("BRUSSELS (Reuters) — "), trimmed off the
first kept line and reported as furniture too.  A feed's own boilerplate that no pattern knows is
found by :func:`recurring_lines` over the feed's items and passed in as ``recurring``.

Patterns cover en, de, es, it, fr, nl and pt.  Everything is compiled at import, and long lines
(real paragraphs) only meet patterns anchored at their start or end, which keeps a 2,000-character
text well under 0.2 ms.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from monitor.dedup import furniture_patterns as pat


@dataclass(frozen=True)
class FurnitureLine:
    """A stripped line (or stripped dateline) and why it is not news."""

    text: str
    reason: str


@dataclass(frozen=True)
class Cleaned:
    """The kept lines joined with newlines, and what was stripped, in order."""

    text: str
    furniture: tuple[FurnitureLine, ...]


def line_key(line: str) -> str:
    """The form in which lines are compared across items: casefolded, every run of digits
    replaced by "0" (a footer's year or a counter changes from item to item), spaces collapsed."""
    return " ".join(pat.DIGITS.sub("0", line.casefold()).split())


def _tokens(line: str) -> list[str]:
    """Words and digit runs; glued words ("KizilovFriday", "2025Clash") are split apart."""
    tokens = pat.TOKEN.findall(line)
    if any(not (t.islower() or t.isupper() or t.istitle() or t.isdigit()) for t in tokens):
        tokens = pat.TOKEN.findall(pat.CAMEL.sub(" ", line))
    return tokens


def _is_name_list(tokens: list[str]) -> bool:
    """Only capitalised words and name particles (dates, times and desk words aside): what a
    byline is made of."""
    names = [t for t in tokens if (f := t.casefold()) not in pat.NOT_NAMES and not f.isdigit()]
    return 0 < len(names) <= 8 and all(t[0].isupper() or "." in t for t in names)


def _stamp_reason(line: str, tokens: list[str], folded: set[str]) -> str | None:
    """ "date" for a lone timestamp, "byline" for names followed by one ("Jane Doe, 3 May 2025,
    17:46"); None when any other word is left, as in a headline that mentions a date."""
    calendar = not pat.CALENDAR.isdisjoint(folded) or bool(pat.NUM_DATE.search(line))
    meta = not pat.META_STAMP.isdisjoint(folded)
    if not calendar and not meta:
        return None
    rest = [t for t in tokens if not t.isdigit() and t.casefold() not in pat.NOT_WORDS]
    if not rest:
        return "date"
    stamped = meta or bool(pat.TIME.search(line))
    return "byline" if calendar and stamped and _is_name_list(rest) else None


def _short_reason(line: str) -> str | None:
    """Patterns that only a short line can match as a whole."""
    bare = line.strip(pat.BULLETS)
    if not bare or pat.NO_WORDS.fullmatch(bare):
        return "navigation"
    if pat.COUNTER.fullmatch(bare):
        return "counter"
    if pat.AGENCY_LINE.fullmatch(bare):
        return "agency tag"
    if pat.NAVIGATION.fullmatch(bare):
        return "navigation"
    tokens = _tokens(bare)
    folded = {t.casefold() for t in tokens}
    if pat.SECTIONS.issuperset(folded):
        return "category label"
    if pat.SHARE.issuperset(folded):
        return "share prompt"
    if len(tokens) <= 3 and pat.LANG_CODES.issuperset(folded):
        return "navigation"
    if byline := pat.BYLINE.fullmatch(bare):
        rest = byline.group("rest") or byline.group("it")
        if rest is None:
            return "byline"
        if pat.AGENCY_LINE.fullmatch(rest.strip(" ,.")):
            return "agency tag"
        if _is_name_list(pat.NAME_WORDS.findall(rest)):
            return "byline"
    if (stamp := _stamp_reason(bare, tokens, folded)) is not None:
        return stamp
    if len(bare) <= 80 and ("|" in bare or "/" in bare or " via " in bare.casefold()):
        parts = [p for p in pat.CREDIT_SPLIT.split(bare) if p]
        if len(parts) >= 2 and pat.PHOTO_SOURCE_LINE.fullmatch(parts[-1]):
            return "photo credit"
    items = bare.split(", ")
    if len(items) >= 4 and all(pat.TAG_ITEM.fullmatch(item) for item in items):
        return "category label"  # a tag list: "Ukraine, Russia, Ceasefire, Jane Doe"
    if len(tokens) == 1 and bare[-1:] not in ".!?" and not tokens[0].isdigit():
        return "category label"  # a lone word ("Overview", "Biografia") reports nothing
    return None


@dataclass(frozen=True)
class _Cues:
    """Whether copyright or newsletter wording occurs anywhere in a text: one look at the whole
    text spares every line searches that cannot succeed (most texts have neither)."""

    copyright: bool
    newsletter: bool

    @classmethod
    def of(cls, text: str) -> _Cues:
        return cls(
            any(c in text for c in pat.COPYRIGHT_CUES), any(c in text for c in pat.NEWSLETTER_CUES)
        )


def _photo_tail(line: str) -> bool:
    """Whether the line ends with a photo credit, so that it is a caption or a credit line.
    Each credit form is matched only at the place its cue (")", ":", "©", "photo by", a slash)
    is found, not searched for along the line."""
    tail = line[-140:]
    if tail.rstrip(" .")[-1:] == ")" and pat.TAIL_PAREN.search(tail):
        return True
    colon = tail.rfind(":")
    if colon >= 0 and len(tail) - colon <= 64 and pat.TAIL_LABEL.search(tail, max(0, colon - 25)):
        return True
    if (at := tail.rfind("©")) >= 0 and pat.TAIL_COPY.match(tail, at):
        return True
    if "hoto by" in tail and pat.TAIL_BY.search(tail):
        return True
    end = tail[-60:]
    return ("/" in end or "|" in end or " via " in end) and bool(pat.TAIL_SLASHED.search(end))


def _reason(line: str, cues: _Cues) -> str | None:
    """Why ``line`` is furniture, or None when it is kept."""
    if len(line) <= pat.SHORT and (reason := _short_reason(line)) is not None:
        return reason
    if cues.copyright and len(line) <= 400 and pat.COPYRIGHT.search(line):
        return "copyright"
    head = pat.HEAD.match(line)
    if (head and head.lastgroup == "photo_credit") or _photo_tail(line):
        return "photo credit"
    if len(line) > 300:
        return None
    if head and head.lastgroup:
        return head.lastgroup.replace("__", "-").replace("_", " ")
    if cues.newsletter and pat.NEWSLETTER.search(line):
        return "newsletter prompt"
    return None


def _dateline(line: str) -> int:
    """Length of a leading dateline/agency tag on ``line`` worth trimming (0 for none): only
    when a real sentence of some length follows it."""
    for pattern in pat.DATELINES:
        found = pattern.match(line)
        if found and len(line) - found.end() >= 60:
            return found.end()
    return 0


def strip_furniture(text: str, recurring: frozenset[str] = frozenset()) -> Cleaned:
    """Split ``text`` into the lines that carry news and the furniture around them.

    Blank lines are kept as they are (they separate paragraphs, they are not furniture).
    ``recurring`` holds :func:`line_key` forms of the feed's own boilerplate.
    """
    kept: list[str] = []
    furniture: list[FurnitureLine] = []
    first = True
    cues = _Cues.of(text)
    for line in text.split("\n"):
        if not line.strip():
            kept.append(line)
            continue
        reason = _reason(line.strip(), cues)
        if reason is None and recurring and line_key(line) in recurring:
            reason = "recurring in feed"
        if reason is not None:
            furniture.append(FurnitureLine(line, reason))
            continue
        if first:
            first = False
            stripped = line.lstrip()
            if cut := _dateline(stripped):
                furniture.append(FurnitureLine(stripped[:cut].strip(), "dateline"))
                line = stripped[cut:]
        kept.append(line)
    return Cleaned("\n".join(kept), tuple(furniture))


def recurring_lines(
    texts: Iterable[str], min_items: int = 3, min_share: float = 0.5
) -> frozenset[str]:
    """line_keys of lines found in at least ``min_items`` texts and at least ``min_share`` of them.

    Two items of a feed often share a real sentence (a wire copy and its update), so two is
    never enough; a third item sharing the line points to a template.  Requiring half the items
    as well keeps a story the feed ran a few times within a long history from being taken for
    boilerplate, while a footer or prompt on every page passes easily (digits are normalised, so
    "Copyright 2024"/"Copyright 2025" and changing counters count as one line).
    """
    counts: Counter[str] = Counter()
    total = 0
    for text in texts:
        total += 1
        counts.update({key for line in text.split("\n") if (key := line_key(line))})
    needed = max(min_items, min_share * total)
    return frozenset(key for key, n in counts.items() if n >= needed)

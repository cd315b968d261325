"""Named entities normalised across languages: NATO, OTAN, НАТО and ΝΑΤΟ are one key.

Story linking counts shared names as evidence that two articles report the
same event, but a German report says ``Brüssel`` where the English one says
``Brussels``: without one key per entity, every language would look like
another story.  Keys are stable ASCII strings (``nato``, ``united_states``,
``brussels``, ``rubio``) because callers hash them into stored signatures.

Country names in sixteen languages come from CLDR through babel, not typed:
it is kept up to date by others and knows every territory.  Organisations,
cities, demonyms and a few people are typed in :mod:`monitor.dedup.aliases_data`.
Every spelling is folded exactly as article words are (:func:`fold`), so
the tables and the text meet in the same form; Cyrillic and Greek are
transliterated by anyascii, so ``Рубио`` is ``rubio`` with no table at all.

Tables are built once, on first use (under a second, mostly babel loading
CLDR), and matching is then a dict lookup per word keyed by a phrase's first word.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import cache, lru_cache
from typing import NamedTuple

from anyascii import anyascii
from babel import Locale

from monitor.dedup import aliases_data as data
from monitor.dedup.tokens import WORDS_CACHED
from monitor.dedup.tokens import fold as fold_latin

# Longest alias in words; longer CLDR names (a few remote islands) are left out.
MAX_ALIAS_WORDS = 5

Span = tuple[int, int, str]
# First word -> (remaining words, key), longest first.
Candidates = tuple[tuple[tuple[str, ...], str], ...]

_CONSONANT_CYR = "бвгджзклмнпрстфхцчшщ"
_YU_AFTER_CONSONANT = re.compile(f"(?<=[{_CONSONANT_CYR}])ю")
_GREEK_VOWEL = "αεηιουωu"
# Transcriptions of foreign names in Greek: ου is u, initial μπ/ντ are b/d.
_GREEK_B = re.compile(f"^μπ|(?<=[{_GREEK_VOWEL}])μπ(?=[{_GREEK_VOWEL}])")
_GREEK_D = re.compile(f"^ντ|(?<![{_GREEK_VOWEL}])ντ")
_NOT_WORD = re.compile(r"[^a-z0-9'.\- ]")
_POSSESSIVE = re.compile(r"'s$", re.IGNORECASE)
_BRACES = re.compile(r"\{([^{}]*)\}")
_PARENTHESIS = re.compile(r"\s*\(([^)]*)\)")
_EDGE_PUNCTUATION = re.compile(r"^\W+|\W+$")


@lru_cache(maxsize=WORDS_CACHED)
def fold(word: str) -> str:
    """``word`` as aliases are compared: casefolded, no diacritics, in ASCII.

    Latin text goes through the dedup tokens' fold unchanged, so alias keys and
    ordinary terms agree.  Other scripts are transliterated with two tweaks
    that make transcriptions of foreign names meet their Latin spelling:
    Cyrillic ``ю`` after a consonant is ``u`` (``Рютте`` is ``rutte``) and
    the soft sign is dropped; Greek ``ου`` is ``u`` and ``μπ``/``ντ`` are
    ``b``/``d`` where they transcribe them (``Ρούμπιο`` is ``rubio``).
    """
    text = fold_latin(word)
    if text.isascii():
        return text
    text = _YU_AFTER_CONSONANT.sub("u", text.replace("ь", "").replace("ъ", ""))
    text = _GREEK_D.sub("d", _GREEK_B.sub("b", text.replace("ου", "u")))
    return _NOT_WORD.sub("", anyascii(text).lower())


class Tables(NamedTuple):
    """The alias tables: phrases by first word, and words that need capitals."""

    first: dict[str, Candidates]
    single: dict[str, str]  # one-word aliases, for canonical()
    upper: dict[str, str]  # only when written in capitals: US, EU, UN, ЕС, ΗΠΑ
    capitalised: dict[str, str]  # only when capitalised: Usa, Mali, Aia


def resolve(words: Sequence[str]) -> list[Span]:
    """Known entities in ``words`` (already folded, apostrophes split) as spans.

    Greedy longest match from left to right: ``estados unidos`` is one span,
    not two words.  Returns ``(start, end, key)`` with ``end`` exclusive.
    Words that need their original capitals to be names (``us``, ``eu``,
    ``un``) are never matched here: use :func:`resolve_tokens` for those.
    """
    return _scan(tuple(words), None, tables().first)


def resolve_tokens(raw_words: Sequence[str]) -> list[Span]:
    """Known entities in words as written, with the case rules folded text loses.

    ``US``, ``EU``, ``UN``, ``VS`` count only in capitals and ``Usa`` only
    capitalised, so the English pronoun, Portuguese ``eu`` and French ``un``
    are not countries.  Each raw word is split at apostrophes and hyphens
    (``l'OTAN``, ``EU-Kommission``), loses a possessive and its dots
    (``U.S.``).  Spans index ``raw_words``; a hyphenated word naming two
    entities (``Russia-Ukraine``) gives two spans over the same word.
    """
    folded: list[str] = []
    cased: dict[int, str] = {}  # rare: only words whose capitals made them names
    origin: list[int] | None = None  # raw index of each piece, once a word was split
    for index, (words, keys) in enumerate(map(_pieces, raw_words)):
        if keys is not None:
            cased.update((len(folded) + j, k) for j, k in enumerate(keys) if k is not None)
        if origin is None and len(words) != 1:
            origin = list(range(len(folded)))
        if origin is not None:
            origin += [index] * len(words)
        folded += words
    spans = _scan(tuple(folded), cased, tables().first, origin)
    if origin is None:  # no word was split: spans are already raw indices
        return spans
    return [(origin[start], origin[end - 1] + 1, key) for start, end, key in spans]


def canonical(word: str) -> str | None:
    """The key of one folded word (``otan`` -> ``nato``), or None if it names nothing known."""
    return tables().single.get(word)


def _scan(
    words: tuple[str, ...],
    cased: dict[int, str] | None,
    first: dict[str, Candidates],
    origin: list[int] | None = None,
) -> list[Span]:
    """Greedy longest match; where no phrase starts, a word whose casing made it a name.

    With ``origin`` (the raw word of each word), a phrase of several words must
    not stop inside a hyphenated word: "zone euro-atlantique" is no euro zone.
    """
    spans: list[Span] = []
    index, count = 0, len(words)
    while index < count:
        candidates = first.get(words[index])
        if candidates is not None:
            for rest, key in candidates:
                end = index + 1 + len(rest)
                if not rest or (
                    words[index + 1 : end] == rest
                    and (origin is None or end == count or origin[end] != origin[end - 1])
                ):
                    spans.append((index, end, key))
                    index = end
                    break
            else:
                candidates = None
        if candidates is None:
            if cased and (named := cased.get(index)) is not None:
                spans.append((index, index + 1, named))
            index += 1
    return spans


@lru_cache(maxsize=WORDS_CACHED)
def _pieces(raw: str) -> tuple[tuple[str, ...], tuple[str | None, ...] | None]:
    """One raw word as folded pieces, and each piece's key if its casing makes it a name."""
    text = _POSSESSIVE.sub("", raw.replace("’", "'").replace("‘", "'"))
    words: list[str] = []
    keys: list[str | None] = []
    for part in re.split(r"['\-]", text.replace(".", "")):
        part = _EDGE_PUNCTUATION.sub("", part)
        if not part:
            continue
        key = None
        if part[:1].isupper():
            base = fold_latin(part)
            key = tables().capitalised.get(base)
            if key is None and part.isupper():
                key = tables().upper.get(base)
        word = fold(part)
        if word in data.NEEDS_CAPITAL and not part[:1].isupper():
            word = ""  # "nato" (born), "rubio" (blond): matches no alias
        words.append(word)
        keys.append(key)
    return tuple(words), (tuple(keys) if any(keys) else None)


@cache
def tables() -> Tables:
    """Build every table once: typed aliases first, then CLDR names, then inflected forms."""
    builder = _Builder()
    for group in (data.ORGANISATIONS, data.PEOPLE, data.CITIES, data.DEMONYMS):
        for key, spellings in group.items():
            for spelling in spellings:
                for alias in _expand(spelling):
                    builder.add(alias, key, priority=0)
                    if group is data.CITIES or group is data.ORGANISATIONS:
                        builder.add_forms(alias, key, genitive_s=True)
    english = Locale.parse("en").territories
    for locale in data.LOCALES:
        for code, name in Locale.parse(locale).territories.items():
            if len(code) != 2 or not code.isalpha() or code in data.EXCLUDED_TERRITORIES:
                continue
            key = data.KEY_OVERRIDES.get(code) or _key_of(english[code])
            for alias in _names(name, qualifiers=locale == "en"):
                builder.add(alias, key, priority=1)
                builder.add_forms(alias, key, genitive_s=locale in ("de", "nl", "da", "sv"))
    return builder.build()


class _Builder:
    """Collects phrases; on a clash the lower priority (typed) wins, and equals drop out."""

    def __init__(self) -> None:
        self.phrases: dict[tuple[str, ...], tuple[int, str]] = {}
        self.clashes: set[tuple[str, ...]] = set()
        self.upper: dict[str, str] = {}
        self.capitalised: dict[str, str] = {}

    def add(self, alias: str, key: str, priority: int) -> None:
        base = fold_latin(alias).replace(".", "")
        if base in data.UPPER_ONLY:
            self.upper.setdefault(base, key)
            return
        if base in data.CAPITALISED_ONLY:
            self.capitalised.setdefault(base, key)
            return
        for phrase in _phrases(alias):
            known = self.phrases.get(phrase)
            if known is None or priority < known[0]:
                self.phrases[phrase] = (priority, key)
            elif known[1] != key and priority == known[0]:
                self.clashes.add(phrase)

    def add_forms(self, alias: str, key: str, genitive_s: bool) -> None:
        """Case forms that news writes and CLDR does not: ``Москвы``, ``Ρωσίας``, ``Russlands``."""
        if " " in alias or "-" in alias or alias.isupper():
            return
        for form in _inflections(alias, genitive_s):
            self.add(form, key, priority=2)

    def build(self) -> Tables:
        by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        single: dict[str, str] = {}
        for phrase, (_, key) in self.phrases.items():
            if phrase in self.clashes or (len(phrase) == 1 and phrase[0] in data.AMBIGUOUS):
                continue
            by_first.setdefault(phrase[0], []).append((phrase[1:], key))
            if len(phrase) == 1:
                single[phrase[0]] = key
        first = {
            word: tuple(sorted(options, key=lambda option: -len(option[0])))
            for word, options in by_first.items()
        }
        return Tables(first, single, self.upper, self.capitalised)


def _expand(spelling: str) -> Iterator[str]:
    """``russ{o,a}`` -> ``russo``, ``russa``; ``L'Aia`` also as ``all'Aia``, ``dell'Aia``..."""
    match = _BRACES.search(spelling)
    if match is not None:
        for choice in match.group(1).split(","):
            yield from _expand(spelling[: match.start()] + choice + spelling[match.end() :])
    elif spelling.startswith("L'"):
        yield from (elision + spelling[2:] for elision in data.ITALIAN_ELISIONS)
    else:
        yield spelling


def _names(cldr: str, qualifiers: bool) -> Iterator[str]:
    """A CLDR name as aliases: ``&`` is dropped or ``and``; ``Myanmar (Burma)`` is two.

    Only English parentheses hold another name; elsewhere they hold the
    sovereign (``Saint-Martin (France)``), which is not the territory.
    """
    inner = _PARENTHESIS.findall(cldr) if qualifiers else []
    for name in (_PARENTHESIS.sub("", cldr), *inner):
        yield name.replace("&", " ")
        if "&" in name:
            yield name.replace("&", " and ")


def _key_of(english: str) -> str:
    """A key from CLDR's English name: ``Bosnia & Herzegovina``, ``bosnia_and_herzegovina``."""
    name = fold(_PARENTHESIS.sub("", english).replace("&", " and "))
    return re.sub(r"[^a-z0-9]+", "_", name).strip("_")


def _phrases(alias: str) -> set[tuple[str, ...]]:
    """The word sequences an alias can take once folded and split as article text is."""
    text = fold(alias).replace("'", " ").replace(",", " ")
    variants = {text.replace("-", " "), text.replace("-", ""), text}
    variants = {v.replace(".", " ") for v in variants} | {v.replace(".", "") for v in variants}
    phrases = {tuple(w for w in v.split() if w.strip("-")) for v in variants}
    return {p for p in phrases if 0 < len(p) <= MAX_ALIAS_WORDS}


def _inflections(word: str, genitive_s: bool) -> list[str]:
    """Common case forms of a one-word name in Russian, Greek or German-like genitive."""
    low = fold_latin(word)
    if "а" <= low[-1:] <= "я":
        stem, last = low[:-1], low[-1]
        if low.endswith("ия"):
            return [stem + "и", stem + "ю", stem + "ей"]
        if last == "а":
            y = "и" if stem[-1:] in "гкхжшчщ" else "ы"
            return [stem + y, stem + "е", stem + "у", stem + "ой"]
        if last == "я":
            return [stem + "и", stem + "е", stem + "ю", stem + "ей"]
        if last in "ьй":
            return [stem + "я", stem + "е", stem + "ю", stem + "ем"]
        if last in _CONSONANT_CYR:
            return [low + "а", low + "е", low + "у", low + "ом"]
        return []
    if "α" <= low[-1:] <= "ω":
        if low[-1] in "αη":
            return [low + "σ"]
        if low.endswith("οσ"):
            return [low[:-2] + "ου"]
        if low.endswith("ασ"):
            return [low[:-1]]
        if low.endswith("εσ"):
            return [low[:-2] + "ων"]
        if low[-1] in "οι":
            return [low + "ου" if low[-1] == "ι" else low + "υ"]
        return []
    if genitive_s and low[-1:].isalpha() and low[-1:] not in "sxz":
        return [word + "s"]
    return []

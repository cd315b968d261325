"""Words as dedup sees them: normalised tokens, stopwords, content terms, names.

Every layer compares articles through these tokens, so they are built to
survive what outlets do to a text: typographic quotes and dashes,
diacritics (``Løkke``/``Lokke``), possessives (``Rutte’s``), thousands
separators (``3,000``/``3000``) and simple plurals (``allies``/``ally``).
Terms are hashed to stable 32-bit integers (CRC-32, not Python's
per-process ``hash``) so that signatures stored in a database stay
comparable across restarts and machines.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from functools import lru_cache
from typing import NamedTuple

from monitor.dedup import furniture_patterns

# Distinct words whose analysis each word cache keeps (here and in aliases), the latest used.
# Sized by memory: a word costs about 1.3 KB over all of them, so some 40 MB at most; a news
# vocabulary fills any size, and caches of 2**16-2**18 entries grew to some 140 MB in a
# long-running process, for hit rates only a few points higher.
WORDS_CACHED = 1 << 15

# A number (3,000 / 5% / 2.5) or a word (with inner apostrophes, dots or hyphens: U.S., al-Assad).
_TOKEN = re.compile(r"\d[\d,.]*\d%?|\d%?(?![^\W_])|[^\W_]+(?:['’.\-][^\W_]+)*\.?")
_POSSESSIVE = re.compile(r"['’]s$")
# A wire dateline before the first sentence: "BRUSSELS, Dec 2 (Reuters) — ".
_DATELINE = re.compile(
    r"^[A-Z][A-Z .'-]{2,40}(?:,[^—–(\n]{1,20})?\s*(?:\([^)\n]{1,30}\))?\s*[—–-]+\s+"
)
# Letters NFKD does not split into a base letter and a mark (Løkke, Łódź, Straße).
_UNDECOMPOSED = str.maketrans(
    {"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ß": "ss", "æ": "ae", "œ": "oe"}
)
_MONTHS = {
    "jan": "january",
    "feb": "february",
    "mar": "march",
    "apr": "april",
    "jun": "june",
    "jul": "july",
    "aug": "august",
    "sep": "september",
    "sept": "september",
    "oct": "october",
    "nov": "november",
    "dec": "december",
}

_STOPWORD_LIST = """
    a about above across after afterwards again against all almost alone along already also
    although always am among amongst an and another any anyhow anyone anything anyway anywhere
    are around as at back be became because become becomes been before beforehand behind being
    below beside besides between beyond both but by can cannot could did do does doing done down
    during each either else elsewhere enough etc even ever every everyone everything everywhere
    except few for former formerly from further had has have having he hence her here hereafter
    hereby herein her hers herself him himself his how however i if in indeed into is it its
    itself just last latter latterly least less made make many may me meanwhile might mine more
    moreover most mostly much must my myself namely neither never nevertheless next no nobody
    none noone nor not nothing now nowhere of off often on once one only onto or other others
    otherwise our ours ourselves out over own per perhaps please quite rather re really same
    see seem seemed seeming seems several she should since so some somehow someone something
    sometime sometimes somewhere still such than that the their theirs them themselves then
    thence there thereafter thereby therefore therein thereupon these they this those though
    through throughout thru thus to together too toward towards under until up upon us very via
    was we well were what whatever when whence whenever where whereafter whereas whereby wherein
    whereupon wherever whether which while whither who whoever whole whom whose why will with
    within without would yet you your yours yourself yourselves
    said says say saying told tells according added adding asked noted including
    mr mrs ms dr st
"""
STOPWORDS = frozenset(_STOPWORD_LIST.split())

# Capitalised words that start many sentences or titles but name nobody.
_TITLE_LIST = """
    secretary general president minister prime foreign defence defense deputy vice chief
    state states ambassador spokesman spokeswoman official officials leader leaders envoy
    monday tuesday wednesday thursday friday saturday sunday
"""
# Capitalised at a sentence's start in the other languages of the news: function words name
# no one in a story.
_FOREIGN_LIST = """
    der die das den dem des ein eine einen einem einer und oder aber auch nicht mit von vom zu
    zum zur bei nach vor aus wie wenn als dass sich sie er es wir ihr
    el la los las lo un una unos unas y o pero que en del al con por para su sus se le les
    il gli uno e ed ma che nel nella della delle dei degli alla ai per con si
    le une et ou mais du au aux pour sur dans ce cette ces qui son sa ses
    het een en maar op voor met naar uit bij dit deze die
    o os um uma mas em no na nos nas do da dos das ao pelo pela
"""
_ENGLISH_SHARE = 0.2  # English prose is ~40% stopwords (of its list); other languages < 10%


def is_english(tokens: list[Token]) -> bool:
    """Whether a text reads as English (its share of English function words).

    English capitalises names only; German capitalises every noun, and other
    languages capitalise institutions ("Asuntos Exteriores"), so a single
    capitalised word is taken for a name in English text only.
    """
    words = [t for t in tokens if not t.is_number]
    if not words:
        return True
    return sum(t.norm in STOPWORDS for t in words) >= _ENGLISH_SHARE * len(words)


def fold(text: str) -> str:
    """Case-fold, strip diacritics and unify apostrophes: the form tokens are compared in."""
    if text.isascii():
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.translate(_UNDECOMPOSED).replace("’", "'").replace("‘", "'").casefold()


# Months, weekdays and wire agencies name no one either, as page furniture knows them.
_NOT_NAMES = (
    STOPWORDS
    | frozenset(_TITLE_LIST.split())
    | frozenset(_FOREIGN_LIST.split())
    | frozenset(fold(word) for word in furniture_patterns.CALENDAR)
    | frozenset(fold(word) for word in furniture_patterns.AGENCY_WORDS.replace("_", " ").split())
)


@lru_cache(maxsize=WORDS_CACHED // 2)  # only asked on _token's misses
def normalise_token(raw: str) -> str:
    """One token's comparable form: folded, no possessive, no dots, no thousands commas."""
    token = fold(raw).rstrip(".")
    if token[:1].isdigit():
        return token.replace(",", "").rstrip("%")  # "5%" and "5 percent" both say 5
    token = _POSSESSIVE.sub("", token).replace(".", "")
    token = _MONTHS.get(token, token)
    # Names are not stemmed: "Kallas" is not the plural of "Kalla".
    return token if raw[:1].isupper() else stem(token)


def stem(word: str) -> str:
    """A deliberately light plural stemmer: ``allies``→``ally``, ``talks``→``talk``.

    Heavier stemmers merge words a reader would keep apart; plurals are the
    variation that matters between two outlets' wording of one event.
    """
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


class Token(NamedTuple):
    """A token: its original spelling (for names), its comparable form and what it is."""

    raw: str
    norm: str
    is_number: bool
    is_content: bool  # carries meaning on its own: not a stopword, not a lone letter
    is_capitalised: bool
    key: int  # term_hash(norm)


@lru_cache(maxsize=WORDS_CACHED)
def _token(raw: str) -> Token | None:
    raw = raw.rstrip(".")
    norm = normalise_token(raw)
    if not norm:
        return None
    number = norm[:1].isdigit()
    content = number or (len(norm) > 1 and norm not in STOPWORDS)
    return Token(raw, norm, number, content, raw[:1].isupper(), term_hash(norm))


def tokenize(text: str) -> list[Token]:
    """All tokens of ``text`` in order."""
    tokens = [_token(raw) for raw in _TOKEN.findall(text)]
    return [t for t in tokens if t is not None]


def words(text: str) -> list[str]:
    """Comparable forms of every token (stopwords included): the stuff shingles are made of."""
    return [t.norm for t in tokenize(text)]


def strip_dateline(text: str) -> str:
    """``text`` without a leading wire dateline (place, date, agency): it reports nothing."""
    return _DATELINE.sub("", text, count=1)


def name_groups(tokens: list[Token]) -> list[tuple[str, ...]]:
    """The names of one sentence, as runs of consecutive name parts ("Bart De Wever")."""
    parts = name_tokens(tokens)
    groups: list[tuple[str, ...]] = []
    run: list[str] = []
    for token in tokens:
        if token.norm in parts and token.is_capitalised:
            run.append(token.norm)
        elif token.norm in ("de", "van", "von", "der", "al", "bin", "la", "le") and run:
            continue
        else:
            if run:
                groups.append(tuple(run))
            run = []
    if run:
        groups.append(tuple(run))
    return groups


def name_tokens(tokens: list[Token]) -> set[str]:
    """Comparable forms of the tokens of one sentence that look like parts of names.

    A capitalised word is a name part unless it is a common function word
    or title.  At a sentence start capitalisation proves nothing, so there
    a word counts only when the next word is capitalised too ("Viktor
    Orbán said").  No downloadable NLP model is needed, and multi-word
    names match their short forms ("Mark Rutte" / "Rutte") because each
    part is kept.
    """
    names: set[str] = set()
    for index, token in enumerate(tokens):
        if not token.is_capitalised or token.is_number or token.norm in _NOT_NAMES:
            continue
        if len(token.norm) < 2:
            continue
        if index == 0:
            following = tokens[index + 1] if index + 1 < len(tokens) else None
            if following is None or not following.is_capitalised:
                continue
        names.add(token.norm)
    return names


@lru_cache(maxsize=WORDS_CACHED)
def term_hash(term: str) -> int:
    """Stable 32-bit id of a term (the same in every process and on every machine)."""
    return zlib.crc32(term.encode("utf-8"))

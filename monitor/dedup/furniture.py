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

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass


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


def _set(spec: str) -> frozenset[str]:
    """The space-separated words of ``spec``."""
    return frozenset(spec.split())


def _words(spec: str) -> str:
    """A regex alternation of space-separated words ("_" stands for a space), longest first."""
    return "|".join(sorted((w.replace("_", r"\s+") for w in spec.split()), key=len, reverse=True))


_I = re.IGNORECASE
_AGENCY = _words(
    "reuters ap afp dpa apa efe ansa adnkronos agi xinhua tass ria_novosti anp belga kyodo yonhap "
    "upi associated_press agence_france-presse europa_press lusa ats sda kna epd cnn bloomberg "
    "ritzau ntb pap ukrinform interfax agencies agenzie agencias agences agenturen agências "
    "agentschappen wsvn"
)
_PHOTO_SOURCE = _words(
    f"{_AGENCY} epa getty_images getty_photos getty pool file_photo handout imago alamy "
    "shutterstock unsplash istock pexels keystone picture_alliance photo foto"
)
_MONTHS = (
    "january february march april may june july august september october november december jan "
    "feb mar apr jun jul aug sep sept oct nov dec januar jänner februar märz mai juni juli "
    "oktober dezember mär okt dez enero febrero marzo abril mayo junio julio agosto septiembre "
    "setiembre octubre noviembre diciembre ene abr ago dic gennaio febbraio aprile maggio giugno "
    "luglio settembre ottobre dicembre gen mag giu lug set ott janvier février mars avril juin "
    "juillet août septembre octobre novembre décembre janv févr avr juil déc januari februari "
    "maart mei augustus mrt janeiro fevereiro março maio junho julho setembro outubro novembro "
    "dezembro fev"
)
_WEEKDAYS = (
    "monday tuesday wednesday thursday friday saturday sunday mon tue wed thu fri sat sun montag "
    "dienstag mittwoch donnerstag freitag samstag sonntag lunes martes miércoles jueves viernes "
    "sábado domingo lunedì martedì mercoledì giovedì venerdì sabato domenica lundi mardi mercredi "
    "jeudi vendredi samedi dimanche maandag dinsdag woensdag donderdag vrijdag zaterdag zondag "
    "segunda terça quarta quinta sexta feira"
)
_CALENDAR = _set(f"{_MONTHS} {_WEEKDAYS}")
# Words that go with a timestamp: "Updated", "Last updated: ... EDT", "hace 3 horas", "vor 2 Std."
_STAMP_WORDS = _set(
    "updated update published posted last modified on at and am pm edt est gmt utc cet cest bst "
    "pst pdt cst hours hour minutes minute mins min ago days day yesterday today aktualisiert "
    "veröffentlicht stand vor stunden std minuten um uhr actualizado publicado hace horas h de "
    "del a las aggiornato pubblicato ore fa il alle mis à jour publié le y heures bijgewerkt "
    "gepubliceerd geleden uur om atualizado às em há by st nd rd th read"
)
_META_STAMP = _set(
    "updated published posted ago aktualisiert veröffentlicht actualizado publicado hace "
    "aggiornato pubblicato fa publié bijgewerkt gepubliceerd geleden atualizado há by"
)
_SECTIONS = _set(
    "home news world politics opinion business economy crime education environment science "
    "entertainment culture music movie movies television tv theater gaming sports sport tech "
    "technology apps autos gear mobile startup lifestyle arts fashion food health travel europe "
    "america asia africa national international local us u.s uk latest breaking top stories video "
    "videos live podcast podcasts all sections feed current in analysis features weather markets "
    "nachrichten politik wirtschaft welt ausland inland meinung kultur noticias política "
    "internacional economía opinión mundo deportes cultura notizie politica esteri economia "
    "cronaca actualités politique monde économie société nieuws binnenland buitenland politiek "
    "economie notícias press release"
)
_SHARE = _set(
    "share shares tweet email e mail print facebook twitter x whatsapp linkedin telegram reddit "
    "pinterest copy link comment comments comenta compartir condividi commenta partager "
    "commenter teilen kommentieren delen reageer partilhar compartilhar comentar save gift "
    "this article on sur auf en su op em follow"
)
_LANG_CODES = _set("en de es it fr nl pt ru ua uk pl ro el tr ar zh ja")
_NAME_PARTICLES = _set(
    "and und y e et en with via for in van de der den von da di del della dos das du la le al "
    "bin ten ter"
)

_NOT_NAMES = (
    _NAME_PARTICLES | _CALENDAR | _STAMP_WORDS | {"news", "desk", "staff", "editor", "team"}
)
_NOT_WORDS = _CALENDAR | _STAMP_WORDS | _SHARE | _SECTIONS
_NAME_WORDS = re.compile(r"[\w.@'’-]+")
_TAG_ITEM = re.compile(r"(?:[A-ZÀ-Þ][\w'’.-]*\s?){1,3}")
_CAMEL = re.compile(r"(?<=[a-zà-ÿ0-9])(?=[A-ZÀ-Þ])")
_TOKEN = re.compile(r"[^\W\d_]+|\d+")
_NO_WORDS = re.compile(r"[\W_]*")
_BULLETS = " \t•·*>|-–—"
_TIME = re.compile(r"\b\d{1,2}[:.h]\d{2}\b|\b\d{1,2}(?:am|pm)\b|\bago\b|\bgeleden\b|\bhace\b", _I)
_NUM_DATE = re.compile(r"\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}-\d{2}-\d{2}|\d{1,2}:\d{2}")
_COUNTER = re.compile(
    r"[\d.,]*\d\s*[km]?\+?(?:\s*(?:shares?|views?|comments?|likes?|reads?|(?-i:[A-Z]{3})|"
    r"min(?:ute)?s?(?:\s+read)?|kommentare|commenti|comentarios|commentaires|reacties))?"
    r"|shares|views|" + r"(?:\d{1,2}\s+)?min(?:ute)?s?\s+read|\d+\s+of\s+\d+",
    _I,
)
_AGENCY_LINE = re.compile(
    r"[(\[]*(?:(?:with\s+inputs\s+from|mit\s+material\s+von|con\s+información\s+de|"
    r"con\s+informazioni\s+(?:di|da)|avec|com|met|source|fuente|quelle|fonte)\s*:?\s*)?"
    rf"(?:{_AGENCY})(?:\s*[/,&+]\s*(?:{_AGENCY}))*[.)\]]*",
    _I,
)
_NAVIGATION = re.compile(
    r"no\s+results?|view\s+all\s+results?|back\s+to\s+top(?:\s+button)?|(?:next|previous)\s+page|"
    r"(?:load|show)\s+more|skip\s+to(?:\s+main)?\s+content|menu|search|advertisement|anzeige|"
    r"werbung|publicidad|pubblicità|publicité|advertentie|publicidade|article\s+ad\s+box|"
    r"\[ad_\d+\]|sorry!*|error!.{0,80}|this\s+audio\s+is\s+created\s+with\s+ai\s+assistance|"
    r"listen\s+to\s+this\s+article|short\s+url|\(as\s+delivered\)|overview\s+logo|article\s+main\s+image|"
    r"stay\s+informed|!\[[^\]]*\]\([^)]*\)\s*\|?|(?:https?://|www\.)\S+|"
    r"[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|news|info|tv|de|it|es|fr|nl|pt|eu)/?",
    _I,
)
_READ_MORE_STRONG = (
    r"read\s+more|read\s+also|also\s+read|see\s+also|further\s+reading|articles\s+on\s+this\s+"
    r"story|lesen\s+sie\s+(?:auch|mehr)|mehr\s+zum\s+thema|weiterlesen|leggi\s+anche|lee\s+"
    r"también|lea\s+también|lire\s+aussi|à\s+lire\s+aussi|lire\s+également|lees\s+ook|lees\s+meer|"
    r"meer\s+uit|leia\s+também|leia\s+mais|veja\s+também"
)
_READ_MORE = (
    rf"[\s•*>-]*(?:(?:{_READ_MORE_STRONG})\b|(?:related(?:\s+(?:stories|story|articles|content|"
    r"coverage))?|recommended(?:\s+for\s+you)?|more\s+on\s+this\s+story|mehr\s+dazu|auch\s+"
    r"interessant|das\s+könnte\s+sie\s+auch\s+interessieren|más\s+información|te\s+puede\s+"
    r"interesar|noticias\s+relacionadas|articoli\s+correlati|correlati|potrebbe\s+interessarti|"
    r"voir\s+aussi|sur\s+le\s+même\s+sujet|gerelateerd|saiba\s+mais|relacionadas)\s*(?:[:|»>–—-]|$))"
)
_SIGNUP = (
    r"sign\s*up|subscribe|abonnez-vous|inscrivez-vous|abonnieren|melden\s+sie\s+sich|"
    r"suscríbete|suscribete|regístrate|iscriviti|abbonati|meld\s+je\s+(?:nu\s+)?aan|abonneer|"
    r"schrijf\s+je\s+in|inscreva-se|assine|cadastre-se"
)
_NEWSLETTER = re.compile(
    rf"(?:^|[.!?]\s+)[\s•*-]*(?:{_SIGNUP})\b|^welcome\s+to\b.{{0,80}}newsletter|"
    rf"\b(?:{_SIGNUP})\b.*\bnewsletter|\bnewsletter\b.*\b(?:{_SIGNUP})\b|réservée?\s+aux\s+"
    r"abonnés|il\s+vous\s+reste\s+\d|subscribe\s+to\s+(?:continue|read)|nur\s+für\s+abonnenten|"
    r"exclusivo\s+para\s+(?:suscriptores|assinantes)|riservato\s+agli\s+abbonati|alleen\s+voor\s+"
    r"abonnees",
    _I,
)
_SHARE_PROMPT = (
    r"[\s•*-]*(?:follow\s+(?:us|our)|join\s+us|folgen\s+sie\s+uns|folge\s+uns|síguenos|seguici|"
    r"suivez-nous|volg\s+ons|siga-nos)\b"
)
_COPYRIGHT = re.compile(
    r"^\s*(?:©|copyright\s+(?:©|\d{4}))|©\s*\d{4}|all\s+rights\s+reserved|alle\s+"
    r"rechte\s+vorbehalten|todos\s+los\s+derechos\s+reservados|tutti\s+i\s+diritti\s+riservati|"
    r"tous\s+droits\s+réservés|alle\s+rechten\s+voorbehouden|todos\s+os\s+direitos\s+reservados|"
    r"riproduzione\s+riservata|this\s+material\s+may\s+not\s+be\s+published",
    _I,
)
_PUBLICATION_NOTE = (
    r"(?:this|the\s+following)\s+(?:article|story|report|piece)\s+(?:was|has\s+been)\s+"
    r"(?:first\s+|originally\s+|also\s+)?(?:published|posted|broadcast)|originally\s+published|"
    r"(?:diese[rs]?|der)\s+(?:nachricht|meldung|artikel|beitrag)\s+wurde|este\s+(?:artículo|"
    r"artigo)\s+(?:fue|foi)\s+publicado|questo\s+articolo\s+è\s+stato\s+pubblicato|cet\s+article\s+"
    r"a\s+été\s+publié|dit\s+artikel\s+(?:is|werd)\s+"
)
_PHOTO_HEAD = (
    r"[\s(|]*(?:(?:photos?|fotos?|bild|image|imagen|immagine|illustration|credits?|crédit|"
    r"photo\s+credit|bildquelle|above|pictured)\s*:|(?:foto|imagen)\s+de\s+archivo|file\s+photo|"
    r"archiv(?:bild|foto)|(?:this\s+)?handout\s+(?:photo|picture|image)|foto\s+d'archivio|"
    r"photo\s+d'archives|foto\s+de\s+arquivo|"
    r"\d+\s+of\s+\d+\s*\||!\[)"
)
# Everything recognised by how a line starts, in one pass.
_HEAD = re.compile(  # group names are the reasons: "__" stands for "-", "_" for a space
    rf"(?P<photo_credit>{_PHOTO_HEAD})|(?P<read__more_link>{_READ_MORE})|"
    rf"(?P<share_prompt>{_SHARE_PROMPT})|(?P<publication_note>{_PUBLICATION_NOTE})",
    _I,
)
# Credits that close a caption: "(Photo: X)", "| Photo Credit: X", "Source: X", "© X".
_TAIL_LABEL = re.compile(
    r"(?:(?:[(|/]\s*|\s|^)(?:photos?|fotos?|bild|credits?|crédit)(?:\s+credit)?|(?:^|[.!?]\s)\s*"
    r"(?:source|quelle|fuente|fonte|bron))\s*:\s*[^.:;]{1,60}[)|\s]*$",
    _I,
)
_TAIL_BY = re.compile(r"photo\s+by\s+[^.]{1,80}$", _I)
_TAIL_PAREN = re.compile(
    rf"\((?=[^()]*(?:/|\svia\s|photo|foto))(?=[^()]*\b(?:{_PHOTO_SOURCE})\b)[^()]{{2,100}}\)\s*\.?$",
    _I,
)
_TAIL_SLASHED = re.compile(rf"[.!?]\s+[^.!?]{{0,50}}(?:/|\||\svia\s)\s*(?:{_PHOTO_SOURCE})\s*$", _I)
_TAIL_COPY = re.compile(r"©\s*[^©.]{1,60}$")
# Case-sensitive stems ("_" is a space): casefolding the whole text costs more than the search.
_COPYRIGHT_CUES = tuple(_set("© opyright OPYRIGHT eserv ESERV éserv iservat orbehalt oorbehoud"))
_NEWSLETTER_CUES = tuple(
    w.replace("_", " ")
    for w in _set(
        "ign_up ign_Up IGN_UP ignup ubscri UBSCRI bonn scri scrí egístr bbona elden_Sie eld_je "
        "chrijf_je ssin adastr nscreva ewsletter EWSLETTER ous_reste"
    )
)
_CREDIT_SPLIT = re.compile(r"\s*[|/]\s*|\s+via\s+", _I)
_PHOTO_SOURCE_LINE = re.compile(rf"(?:{_PHOTO_SOURCE})\W*", _I)
_BYLINE = re.compile(
    r"(?:by|von|por|par|door|text|texto|testo|texte|author|autor|auteur|autore|(?:written|"
    r"authored|reporting|reported|editing)\s+by)\b\s*:?\s+(?P<rest>.+)|(?-i:di)\s+(?P<it>.+)|"
    r"h/t\s+@\w+.*|[—–-]?\s*[^()]{1,60}\(@\w+\)\s.*\d{4}\s*",
    _I,
)
_DATELINES = tuple(
    re.compile(p)
    for p in (
        rf"(?:[A-ZÀ-Þ][\w'’.-]*[ /,]*){{1,4}}(?:,\s*[^()\n]{{1,25}}?)?\s*\((?i:{_AGENCY})"
        rf"(?:[/,]\s*(?i:{_AGENCY}))*\)\s*\.?\s*[-–—:]+\s*",
        r"\((?:[A-Z]{2,6}|[a-z]{3})\)\s*[-–—:]+\s*",
        r"[A-ZÀ-Þ][A-ZÀ-Þ .'/]{2,30}(?:,\s*[^-–—:()\n]{1,25}?)?(?:\s+[-–—]|:)\s+(?=\S)",
        r"[A-ZÀ-Þ][\w'’.]+(?:[ /][A-ZÀ-Þ][\w'’.]*){0,2}(?:,\s*[A-ZÀ-Þ][\w'’.]+)?\.?\s+[-–—]\s+"
        r"(?=[A-ZÀ-Þ\"“„«‘'])",
    )
)
_SHORT = 120  # longer lines are paragraphs: only start- and end-anchored patterns apply
_DIGITS = re.compile(r"\d+")


def line_key(line: str) -> str:
    """The form in which lines are compared across items: casefolded, every run of digits
    replaced by "0" (a footer's year or a counter changes from item to item), spaces collapsed."""
    return " ".join(_DIGITS.sub("0", line.casefold()).split())


def _tokens(line: str) -> list[str]:
    """Words and digit runs; glued words ("KizilovFriday", "2025Clash") are split apart."""
    tokens = _TOKEN.findall(line)
    if any(not (t.islower() or t.isupper() or t.istitle() or t.isdigit()) for t in tokens):
        tokens = _TOKEN.findall(_CAMEL.sub(" ", line))
    return tokens


def _is_name_list(tokens: list[str]) -> bool:
    """Only capitalised words and name particles (dates, times and desk words aside): what a
    byline is made of."""
    names = [t for t in tokens if (f := t.casefold()) not in _NOT_NAMES and not f.isdigit()]
    return 0 < len(names) <= 8 and all(t[0].isupper() or "." in t for t in names)


def _stamp_reason(line: str, tokens: list[str], folded: set[str]) -> str | None:
    """ "date" for a lone timestamp, "byline" for names followed by one ("Jane Doe, 3 May 2025,
    17:46"); None when any other word is left, as in a headline that mentions a date."""
    calendar = not _CALENDAR.isdisjoint(folded) or bool(_NUM_DATE.search(line))
    meta = not _META_STAMP.isdisjoint(folded)
    if not calendar and not meta:
        return None
    rest = [t for t in tokens if not t.isdigit() and t.casefold() not in _NOT_WORDS]
    if not rest:
        return "date"
    stamped = meta or bool(_TIME.search(line))
    return "byline" if calendar and stamped and _is_name_list(rest) else None


def _short_reason(line: str) -> str | None:
    """Patterns that only a short line can match as a whole."""
    bare = line.strip(_BULLETS)
    if not bare or _NO_WORDS.fullmatch(bare):
        return "navigation"
    if _COUNTER.fullmatch(bare):
        return "counter"
    if _AGENCY_LINE.fullmatch(bare):
        return "agency tag"
    if _NAVIGATION.fullmatch(bare):
        return "navigation"
    tokens = _tokens(bare)
    folded = {t.casefold() for t in tokens}
    if _SECTIONS.issuperset(folded):
        return "category label"
    if _SHARE.issuperset(folded):
        return "share prompt"
    if len(tokens) <= 3 and _LANG_CODES.issuperset(folded):
        return "navigation"
    if byline := _BYLINE.fullmatch(bare):
        rest = byline.group("rest") or byline.group("it")
        if rest is None:
            return "byline"
        if _AGENCY_LINE.fullmatch(rest.strip(" ,.")):
            return "agency tag"
        if _is_name_list(_NAME_WORDS.findall(rest)):
            return "byline"
    if (stamp := _stamp_reason(bare, tokens, folded)) is not None:
        return stamp
    if len(bare) <= 80 and ("|" in bare or "/" in bare or " via " in bare.casefold()):
        parts = [p for p in _CREDIT_SPLIT.split(bare) if p]
        if len(parts) >= 2 and _PHOTO_SOURCE_LINE.fullmatch(parts[-1]):
            return "photo credit"
    items = bare.split(", ")
    if len(items) >= 4 and all(_TAG_ITEM.fullmatch(item) for item in items):
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
            any(c in text for c in _COPYRIGHT_CUES), any(c in text for c in _NEWSLETTER_CUES)
        )


def _photo_tail(line: str) -> bool:
    """Whether the line ends with a photo credit, so that it is a caption or a credit line.
    Each credit form is matched only at the place its cue (")", ":", "©", "photo by", a slash)
    is found, not searched for along the line."""
    tail = line[-140:]
    if tail.rstrip(" .")[-1:] == ")" and _TAIL_PAREN.search(tail):
        return True
    colon = tail.rfind(":")
    if colon >= 0 and len(tail) - colon <= 64 and _TAIL_LABEL.search(tail, max(0, colon - 25)):
        return True
    if (at := tail.rfind("©")) >= 0 and _TAIL_COPY.match(tail, at):
        return True
    if "hoto by" in tail and _TAIL_BY.search(tail):
        return True
    end = tail[-60:]
    return ("/" in end or "|" in end or " via " in end) and bool(_TAIL_SLASHED.search(end))


def _reason(line: str, cues: _Cues) -> str | None:
    """Why ``line`` is furniture, or None when it is kept."""
    if len(line) <= _SHORT and (reason := _short_reason(line)) is not None:
        return reason
    if cues.copyright and len(line) <= 400 and _COPYRIGHT.search(line):
        return "copyright"
    head = _HEAD.match(line)
    if (head and head.lastgroup == "photo_credit") or _photo_tail(line):
        return "photo credit"
    if len(line) > 300:
        return None
    if head and head.lastgroup:
        return head.lastgroup.replace("__", "-").replace("_", " ")
    if cues.newsletter and _NEWSLETTER.search(line):
        return "newsletter prompt"
    return None


def _dateline(line: str) -> int:
    """Length of a leading dateline/agency tag on ``line`` worth trimming (0 for none): only
    when a real sentence of some length follows it."""
    for pattern in _DATELINES:
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

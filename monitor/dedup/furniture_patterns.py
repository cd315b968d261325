"""The patterns of page furniture, per language (en, de, es, it, fr, nl, pt).

Word lists and regular expressions only, compiled at import; the decisions that use them are
in :mod:`monitor.dedup.furniture`.  General knowledge of how news pages are laid out (agencies,
section names, share and newsletter prompts, credits, datelines), never the lines of one outlet.
"""

from __future__ import annotations

import re


def _set(spec: str) -> frozenset[str]:
    """The space-separated words of ``spec``."""
    return frozenset(spec.split())


def _words(spec: str) -> str:
    """A regex alternation of space-separated words ("_" stands for a space), longest first."""
    return "|".join(sorted((w.replace("_", r"\s+") for w in spec.split()), key=len, reverse=True))


_I = re.IGNORECASE
AGENCY_WORDS = (  # "_" stands for a space
    "reuters ap afp dpa apa efe ansa adnkronos agi xinhua tass ria_novosti anp belga kyodo yonhap "
    "upi associated_press agence_france-presse europa_press lusa ats sda kna epd cnn bloomberg "
    "ritzau ntb pap ukrinform interfax agencies agenzie agencias agences agenturen agências "
    "agentschappen"
)
AGENCY = _words(AGENCY_WORDS)
PHOTO_SOURCE = _words(
    f"{AGENCY} epa getty_images getty_photos getty pool file_photo handout imago alamy "
    "shutterstock unsplash istock pexels keystone picture_alliance photo foto"
)
MONTHS = (
    "january february march april may june july august september october november december jan "
    "feb mar apr jun jul aug sep sept oct nov dec januar jänner februar märz mai juni juli "
    "oktober dezember mär okt dez enero febrero marzo abril mayo junio julio agosto septiembre "
    "setiembre octubre noviembre diciembre ene abr ago dic gennaio febbraio aprile maggio giugno "
    "luglio settembre ottobre dicembre gen mag giu lug set ott janvier février mars avril juin "
    "juillet août septembre octobre novembre décembre janv févr avr juil déc januari februari "
    "maart mei augustus mrt janeiro fevereiro março maio junho julho setembro outubro novembro "
    "dezembro fev"
)
WEEKDAYS = (
    "monday tuesday wednesday thursday friday saturday sunday mon tue wed thu fri sat sun montag "
    "dienstag mittwoch donnerstag freitag samstag sonntag lunes martes miércoles jueves viernes "
    "sábado domingo lunedì martedì mercoledì giovedì venerdì sabato domenica lundi mardi mercredi "
    "jeudi vendredi samedi dimanche maandag dinsdag woensdag donderdag vrijdag zaterdag zondag "
    "segunda terça quarta quinta sexta feira"
)
CALENDAR = _set(f"{MONTHS} {WEEKDAYS}")
# Words that go with a timestamp: "Updated", "Last updated: ... EDT", "hace 3 horas", "vor 2 Std."
STAMP_WORDS = _set(
    "updated update published posted last modified on at and am pm edt est gmt utc cet cest bst "
    "pst pdt cst hours hour minutes minute mins min ago days day yesterday today aktualisiert "
    "veröffentlicht stand vor stunden std minuten um uhr actualizado publicado hace horas h de "
    "del a las aggiornato pubblicato ore fa il alle mis à jour publié le y heures bijgewerkt "
    "gepubliceerd geleden uur om atualizado às em há by st nd rd th read"
)
META_STAMP = _set(
    "updated published posted ago aktualisiert veröffentlicht actualizado publicado hace "
    "aggiornato pubblicato fa publié bijgewerkt gepubliceerd geleden atualizado há by"
)
SECTIONS = _set(
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
SHARE = _set(
    "share shares tweet email e mail print facebook twitter x whatsapp linkedin telegram reddit "
    "pinterest copy link comment comments comenta compartir condividi commenta partager "
    "commenter teilen kommentieren delen reageer partilhar compartilhar comentar save gift "
    "this article on sur auf en su op em follow"
)
LANG_CODES = _set("en de es it fr nl pt ru ua uk pl ro el tr ar zh ja")
NAME_PARTICLES = _set(
    "and und y e et en with via for in van de der den von da di del della dos das du la le al "
    "bin ten ter"
)

NOT_NAMES = NAME_PARTICLES | CALENDAR | STAMP_WORDS | {"news", "desk", "staff", "editor", "team"}
NOT_WORDS = CALENDAR | STAMP_WORDS | SHARE | SECTIONS
NAME_WORDS = re.compile(r"[\w.@'’-]+")
TAG_ITEM = re.compile(r"(?:[A-ZÀ-Þ][\w'’.-]*\s?){1,3}")
CAMEL = re.compile(r"(?<=[a-zà-ÿ0-9])(?=[A-ZÀ-Þ])")
TOKEN = re.compile(r"[^\W\d_]+|\d+")
NO_WORDS = re.compile(r"[\W_]*")
BULLETS = " \t•·*>|-–—"
TIME = re.compile(r"\b\d{1,2}[:.h]\d{2}\b|\b\d{1,2}(?:am|pm)\b|\bago\b|\bgeleden\b|\bhace\b", _I)
NUM_DATE = re.compile(r"\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}-\d{2}-\d{2}|\d{1,2}:\d{2}")
COUNTER = re.compile(
    r"[\d.,]*\d\s*[km]?\+?(?:\s*(?:shares?|views?|comments?|likes?|reads?|(?-i:[A-Z]{3})|"
    r"min(?:ute)?s?(?:\s+read)?|kommentare|commenti|comentarios|commentaires|reacties))?"
    r"|shares|views|" + r"(?:\d{1,2}\s+)?min(?:ute)?s?\s+read|\d+\s+of\s+\d+",
    _I,
)
AGENCY_LINE = re.compile(
    r"[(\[]*(?:(?:with\s+inputs\s+from|mit\s+material\s+von|con\s+información\s+de|"
    r"con\s+informazioni\s+(?:di|da)|avec|com|met|source|fuente|quelle|fonte)\s*:?\s*)?"
    rf"(?:{AGENCY})(?:\s*[/,&+]\s*(?:{AGENCY}))*[.)\]]*",
    _I,
)
NAVIGATION = re.compile(
    r"no\s+results?|view\s+all\s+results?|back\s+to\s+top(?:\s+button)?|(?:next|previous)\s+page|"
    r"(?:load|show)\s+more|skip\s+to(?:\s+main)?\s+content|menu|search|advertisement|anzeige|"
    r"werbung|publicidad|pubblicità|publicité|advertentie|publicidade|article\s+ad\s+box|"
    r"\[ad_\d+\]|sorry!*|error!.{0,80}|this\s+audio\s+is\s+created\s+with\s+ai\s+assistance|"
    r"listen\s+to\s+this\s+article|short\s+url|\(as\s+delivered\)|overview\s+logo|article\s+main\s+image|"
    r"stay\s+informed|!\[[^\]]*\]\([^)]*\)\s*\|?|(?:https?://|www\.)\S+|"
    r"[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|news|info|tv|de|it|es|fr|nl|pt|eu)/?",
    _I,
)
READ_MORE_STRONG = (
    r"read\s+more|read\s+also|also\s+read|see\s+also|further\s+reading|articles\s+on\s+this\s+"
    r"story|lesen\s+sie\s+(?:auch|mehr)|mehr\s+zum\s+thema|weiterlesen|leggi\s+anche|lee\s+"
    r"también|lea\s+también|lire\s+aussi|à\s+lire\s+aussi|lire\s+également|lees\s+ook|lees\s+meer|"
    r"meer\s+uit|leia\s+também|leia\s+mais|veja\s+também"
)
READ_MORE = (
    rf"[\s•*>-]*(?:(?:{READ_MORE_STRONG})\b|(?:related(?:\s+(?:stories|story|articles|content|"
    r"coverage))?|recommended(?:\s+for\s+you)?|more\s+on\s+this\s+story|mehr\s+dazu|auch\s+"
    r"interessant|das\s+könnte\s+sie\s+auch\s+interessieren|más\s+información|te\s+puede\s+"
    r"interesar|noticias\s+relacionadas|articoli\s+correlati|correlati|potrebbe\s+interessarti|"
    r"voir\s+aussi|sur\s+le\s+même\s+sujet|gerelateerd|saiba\s+mais|relacionadas)\s*(?:[:|»>–—-]|$))"
)
SIGNUP = (
    r"sign\s*up|subscribe|abonnez-vous|inscrivez-vous|abonnieren|melden\s+sie\s+sich|"
    r"suscríbete|suscribete|regístrate|iscriviti|abbonati|meld\s+je\s+(?:nu\s+)?aan|abonneer|"
    r"schrijf\s+je\s+in|inscreva-se|assine|cadastre-se"
)
NEWSLETTER = re.compile(
    rf"(?:^|[.!?]\s+)[\s•*-]*(?:{SIGNUP})\b|^welcome\s+to\b.{{0,80}}newsletter|"
    rf"\b(?:{SIGNUP})\b.*\bnewsletter|\bnewsletter\b.*\b(?:{SIGNUP})\b|réservée?\s+aux\s+"
    r"abonnés|il\s+vous\s+reste\s+\d|subscribe\s+to\s+(?:continue|read)|nur\s+für\s+abonnenten|"
    r"exclusivo\s+para\s+(?:suscriptores|assinantes)|riservato\s+agli\s+abbonati|alleen\s+voor\s+"
    r"abonnees",
    _I,
)
SHARE_PROMPT = (
    r"[\s•*-]*(?:follow\s+(?:us|our)|join\s+us|folgen\s+sie\s+uns|folge\s+uns|síguenos|seguici|"
    r"suivez-nous|volg\s+ons|siga-nos)\b"
)
COPYRIGHT = re.compile(
    r"^\s*(?:©|copyright\s+(?:©|\d{4}))|©\s*\d{4}|all\s+rights\s+reserved|alle\s+"
    r"rechte\s+vorbehalten|todos\s+los\s+derechos\s+reservados|tutti\s+i\s+diritti\s+riservati|"
    r"tous\s+droits\s+réservés|alle\s+rechten\s+voorbehouden|todos\s+os\s+direitos\s+reservados|"
    r"riproduzione\s+riservata|this\s+material\s+may\s+not\s+be\s+published",
    _I,
)
PUBLICATION_NOTE = (
    r"(?:this|the\s+following)\s+(?:article|story|report|piece)\s+(?:was|has\s+been)\s+"
    r"(?:first\s+|originally\s+|also\s+)?(?:published|posted|broadcast)|originally\s+published|"
    r"(?:diese[rs]?|der)\s+(?:nachricht|meldung|artikel|beitrag)\s+wurde|este\s+(?:artículo|"
    r"artigo)\s+(?:fue|foi)\s+publicado|questo\s+articolo\s+è\s+stato\s+pubblicato|cet\s+article\s+"
    r"a\s+été\s+publié|dit\s+artikel\s+(?:is|werd)\s+"
)
PHOTO_HEAD = (
    r"[\s(|]*(?:(?:photos?|fotos?|bild|image|imagen|immagine|illustration|credits?|crédit|"
    r"photo\s+credit|bildquelle|above|pictured)\s*:|(?:foto|imagen)\s+de\s+archivo|file\s+photo|"
    r"archiv(?:bild|foto)|(?:this\s+)?handout\s+(?:photo|picture|image)|foto\s+d'archivio|"
    r"photo\s+d'archives|foto\s+de\s+arquivo|"
    r"\d+\s+of\s+\d+\s*\||!\[)"
)
# Everything recognised by how a line starts, in one pass.
HEAD = re.compile(  # group names are the reasons: "__" stands for "-", "_" for a space
    rf"(?P<photo_credit>{PHOTO_HEAD})|(?P<read__more_link>{READ_MORE})|"
    rf"(?P<share_prompt>{SHARE_PROMPT})|(?P<publication_note>{PUBLICATION_NOTE})",
    _I,
)
# Credits that close a caption: "(Photo: X)", "| Photo Credit: X", "Source: X", "© X".
TAIL_LABEL = re.compile(
    r"(?:(?:[(|/]\s*|\s|^)(?:photos?|fotos?|bild|credits?|crédit)(?:\s+credit)?|(?:^|[.!?]\s)\s*"
    r"(?:source|quelle|fuente|fonte|bron))\s*:\s*[^.:;]{1,60}[)|\s]*$",
    _I,
)
TAIL_BY = re.compile(r"photo\s+by\s+[^.]{1,80}$", _I)
TAIL_PAREN = re.compile(
    rf"\((?=[^()]*(?:/|\svia\s|photo|foto))(?=[^()]*\b(?:{PHOTO_SOURCE})\b)[^()]{{2,100}}\)\s*\.?$",
    _I,
)
TAIL_SLASHED = re.compile(rf"[.!?]\s+[^.!?]{{0,50}}(?:/|\||\svia\s)\s*(?:{PHOTO_SOURCE})\s*$", _I)
TAIL_COPY = re.compile(r"©\s*[^©.]{1,60}$")
# Case-sensitive stems ("_" is a space): casefolding the whole text costs more than the search.
COPYRIGHT_CUES = tuple(_set("© opyright OPYRIGHT eserv ESERV éserv iservat orbehalt oorbehoud"))
NEWSLETTER_CUES = tuple(
    w.replace("_", " ")
    for w in _set(
        "ign_up ign_Up IGN_UP ignup ubscri UBSCRI bonn scri scrí egístr bbona elden_Sie eld_je "
        "chrijf_je ssin adastr nscreva ewsletter EWSLETTER ous_reste"
    )
)
CREDIT_SPLIT = re.compile(r"\s*[|/]\s*|\s+via\s+", _I)
PHOTO_SOURCE_LINE = re.compile(rf"(?:{PHOTO_SOURCE})\W*", _I)
BYLINE = re.compile(
    r"(?:by|von|por|par|door|text|texto|testo|texte|author|autor|auteur|autore|(?:written|"
    r"authored|reporting|reported|editing)\s+by)\b\s*:?\s+(?P<rest>.+)|(?-i:di)\s+(?P<it>.+)|"
    r"h/t\s+@\w+.*|[—–-]?\s*[^()]{1,60}\(@\w+\)\s.*\d{4}\s*",
    _I,
)
DATELINES = tuple(
    re.compile(p)
    for p in (
        rf"(?:[A-ZÀ-Þ][\w'’.-]*[ /,]*){{1,4}}(?:,\s*[^()\n]{{1,25}}?)?\s*\((?i:{AGENCY})"
        rf"(?:[/,]\s*(?i:{AGENCY}))*\)\s*\.?\s*[-–—:]+\s*",
        r"\((?:[A-Z]{2,6}|[a-z]{3})\)\s*[-–—:]+\s*",
        r"[A-ZÀ-Þ][A-ZÀ-Þ .'/]{2,30}(?:,\s*[^-–—:()\n]{1,25}?)?(?:\s+[-–—]|:)\s+(?=\S)",
        r"[A-ZÀ-Þ][\w'’.]+(?:[ /][A-ZÀ-Þ][\w'’.]*){0,2}(?:,\s*[A-ZÀ-Þ][\w'’.]+)?\.?\s+[-–—]\s+"
        r"(?=[A-ZÀ-Þ\"“„«‘'])",
    )
)
SHORT = 120  # longer lines are paragraphs: only start- and end-anchored patterns apply
DIGITS = re.compile(r"\d+")

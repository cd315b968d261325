"""Reading the seed corpus: articles the user already knows about.

Seeds are plain files a user can drop into a folder, so the readers here
are forgiving about layout but strict about encoding: a file that is not
UTF-8 or is empty is reported (one :class:`~monitor.errors.SeedError` line
naming the file) and skipped, and the other files still load.

Formats:

* ``.txt`` / ``.md``: the title is the headline where the text has one
  (a leading ``# Heading``, or the first substantial line after date and
  section labels), otherwise the first non-empty line; a date is taken
  from the header lines (``date 2025-04-03``, ``Dec. 2, 2025, 11:21 p.m.``,
  ``3 April 2025``);
* ``.html``: title, date and main text extracted with trafilatura;
* ``.jsonl``: one object per line with ``text`` and optional ``id``,
  ``url``, ``title``, ``date``; ids default to ``<stem>-<line number>``.

Each seed's id is its file's stem.  Nothing here touches the database.

Size: a file over ``[seeds] max_bytes`` is skipped, not cut short.  A seed
is read on every start, and everything after it (the dedup index, ``status``)
pays for its size, so one 50 MB file made every command take tens of seconds
and gigabytes.  Loading only its first bytes instead would quietly make an
arbitrary slice "known" (a file that big is a dump or a mistake, not an
article, and a cut ``.html`` or ``.jsonl`` is broken besides), and what a seed
makes known never reaches a digest; skipping it with one warning line loses
nothing, since the file stays where it is and raising the limit loads it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from monitor.errors import SeedError
from monitor.text import first_sentence, shorten, squash_whitespace

SEED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".jsonl")
TITLE_LIMIT = 200
DEFAULT_MAX_BYTES = 5_000_000  # [seeds] max_bytes: a saved page is < 5 MB, an article ~ 20 KB
HEADER_LINES = 6  # how far into a file date lines and section labels are looked for

_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for m in names
}
_MONTH = r"(?P<month>[A-Za-z]{3,9})\.?"
_TIME = r"(?:,?\s*(?P<hour>\d{1,2}):(?P<minute>\d{2})\s*(?P<ampm>[ap]\.?m\.?)?)?"
_DATE_PATTERNS = [
    re.compile(
        r"(?P<year>\d{4})-(?P<mnum>\d{2})-(?P<day>\d{2})(?:[T ](?P<hour>\d{2}):(?P<minute>\d{2}))?"
    ),
    re.compile(_MONTH + r"\s+(?P<day>\d{1,2}),?\s+(?P<year>\d{4})" + _TIME, re.IGNORECASE),
    re.compile(r"(?P<day>\d{1,2})\s+" + _MONTH + r",?\s+(?P<year>\d{4})" + _TIME, re.IGNORECASE),
]
# A header line that is only a date, or a "date:"/"published" label followed by one.
_DATE_LABEL = re.compile(r"^\s*(?:date|published|updated)\s*:?\s*", re.IGNORECASE)
_BOILERPLATE = re.compile(
    r"^(?:image|photo|video|advertisement|share|read more:.*|related:.*|"
    r"[•·▪\-–]?\s*views?\s*:\s*\d+)$",
    re.IGNORECASE,
)
# A page's trailer ("Recommend", "Latest", "Related stories"): in the last
# part of the text, everything from such a line on is navigation, not article.
_TRAILER = re.compile(
    r"^(?:recommend(?:ed)?|latest(?: news)?|related(?: articles| stories)?|more from .*|"
    r"most read|read more)$",
    re.IGNORECASE,
)
TRAILER_FROM = 0.6  # fraction of the body after which a trailer marker cuts the rest


@dataclass(frozen=True)
class SeedDoc:
    """One seed article as read from disk."""

    id: str
    title: str
    text: str
    path: Path
    published: datetime | None = None
    url: str | None = None


@dataclass
class SeedReadResult:
    docs: list[SeedDoc] = field(default_factory=list)
    errors: list[SeedError] = field(default_factory=list)


def parse_date(text: str) -> tuple[datetime | None, int]:
    """Find a date at the start of ``text``; return it (UTC) and where it ends, or ``(None, 0)``."""
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match is None:
            continue
        parts = match.groupdict()
        if parts.get("mnum"):
            month = int(parts["mnum"])
        else:
            month = _MONTHS.get(parts["month"].lower().rstrip("."), 0)
        try:
            hour = int(parts.get("hour") or 0)
            ampm = (parts.get("ampm") or "").replace(".", "").lower()
            if ampm == "pm" and hour < 12:
                hour += 12
            elif ampm == "am" and hour == 12:
                hour = 0
            value = datetime(
                int(parts["year"]),
                month,
                int(parts["day"]),
                hour,
                int(parts.get("minute") or 0),
                tzinfo=UTC,
            )
        except ValueError:
            continue
        return value, match.end()
    return None, 0


def read_text(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Decode a seed file as UTF-8, or raise :class:`SeedError` saying where it is broken.

    A file over ``max_bytes`` is refused by its size before it is read, and the
    read itself stops one byte past the limit (a file that grew since is caught too).
    """
    try:
        size = path.stat().st_size
        if size <= max_bytes:
            with path.open("rb") as fh:
                raw = fh.read(max_bytes + 1)
            size = max(size, len(raw))
    except OSError as exc:
        raise SeedError(path, f"cannot read: {exc.strerror or exc}") from exc
    if size > max_bytes:
        raise SeedError(
            path,
            f"{size:,} bytes, over [seeds] max_bytes ({max_bytes:,}); raise the limit to load it",
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SeedError(
            path,
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
            "save it as UTF-8",
        ) from exc
    if not text.strip():
        raise SeedError(path, "empty file")
    return text


def parse_plain(seed_id: str, text: str, path: Path) -> SeedDoc:
    """Title, date and body of a ``.txt`` or ``.md`` seed."""
    lines = [line.strip() for line in text.splitlines()]
    published: datetime | None = None
    body: list[str] = []
    headline: str | None = None
    in_header = True
    for index, line in enumerate(lines):
        if not line:
            continue
        if in_header and index < HEADER_LINES * 3:
            if line.startswith("#"):
                headline = headline or line.lstrip("#").strip()
                continue
            candidate = _DATE_LABEL.sub("", line, count=1)
            date, end = parse_date(candidate)
            if date is not None and published is None:
                published = date
                rest = candidate[end:].strip(" ,|–—-")
                if not rest:
                    continue
                line = rest
            elif _is_label(line):
                continue
        in_header = False
        if _BOILERPLATE.match(line):
            continue
        body.append(line.lstrip("#").strip() if line.startswith("#") else line)
    if headline is None and body:
        headline = body[0]
        # A lead paragraph, not a headline: keep it in the body, title it by its first sentence.
        if len(headline) > TITLE_LIMIT or headline.endswith((".", "”", '"')):
            headline = first_sentence(headline)
        else:
            body = body[1:]
    title = shorten(headline or seed_id, TITLE_LIMIT)
    body = _cut_trailer(body)
    # Some pages repeat their headline at the end: drop that copy.
    while body and squash_whitespace(body[-1]) == title:
        body.pop()
    return SeedDoc(id=seed_id, title=title, text="\n".join(body), path=path, published=published)


def _cut_trailer(body: list[str]) -> list[str]:
    start = int(len(body) * TRAILER_FROM)
    for index in range(start, len(body)):
        if _TRAILER.match(body[index]):
            return body[:index]
    return body


def _is_label(line: str) -> bool:
    """A section label or counter above a headline ("Columns and Opinions", "• views:208")."""
    if _BOILERPLATE.match(line):
        return True
    words = line.split()
    return len(words) <= 3 and not line.endswith((".", "?", "!"))


def parse_html(seed_id: str, text: str, path: Path) -> SeedDoc:
    """Main text, title and date of an HTML page, extracted by trafilatura."""
    import trafilatura  # imported here: only HTML seeds need it

    extracted = trafilatura.bare_extraction(text, with_metadata=True, include_comments=False)
    if extracted is None:
        raise SeedError(path, "no article text found in this HTML page")
    data = extracted if isinstance(extracted, dict) else extracted.as_dict()
    body = (data.get("text") or "").strip()
    if not body:
        raise SeedError(path, "no article text found in this HTML page")
    published, _ = parse_date(str(data.get("date") or ""))
    title = shorten(str(data.get("title") or first_sentence(body)), TITLE_LIMIT)
    url = data.get("url") or None
    return SeedDoc(id=seed_id, title=title, text=body, path=path, published=published, url=url)


def parse_jsonl(stem: str, text: str, path: Path) -> Iterator[SeedDoc]:
    """One seed per JSON line; raise :class:`SeedError` naming the line on a bad one."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SeedError(path, f"line {number}: not JSON ({exc.msg})") from exc
        if not isinstance(record, dict) or not str(record.get("text") or "").strip():
            raise SeedError(path, f"line {number}: needs an object with a non-empty 'text'")
        body = str(record["text"]).strip()
        published, _ = parse_date(str(record.get("date") or ""))
        yield SeedDoc(
            id=str(record.get("id") or f"{stem}-{number}"),
            title=shorten(str(record.get("title") or first_sentence(body)), TITLE_LIMIT),
            text=body,
            path=path,
            published=published,
            url=record.get("url") or None,
        )


def read_seed_file(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> list[SeedDoc]:
    """All seeds in one file; raises :class:`SeedError` if the file cannot be used."""
    suffix = path.suffix.lower()
    if suffix not in SEED_SUFFIXES:
        raise SeedError(
            path, f"unsupported seed file type {suffix!r} (use {', '.join(SEED_SUFFIXES)})"
        )
    text = read_text(path, max_bytes)
    if suffix == ".jsonl":
        return list(parse_jsonl(path.stem, text, path))
    if suffix in (".html", ".htm"):
        return [parse_html(path.stem, text, path)]
    return [parse_plain(path.stem, text, path)]


def seed_files(folder: Path) -> list[Path]:
    """Seed files in ``folder`` (not recursive), in name order; hidden files skipped."""
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in SEED_SUFFIXES and not p.name.startswith(".")
    )


def read_seeds(paths: Iterable[Path], max_bytes: int = DEFAULT_MAX_BYTES) -> SeedReadResult:
    """Read every file; collect the broken (and the oversized) ones as errors instead of
    stopping."""
    result = SeedReadResult()
    seen: dict[str, SeedDoc] = {}
    for path in paths:
        try:
            docs = read_seed_file(path, max_bytes)
        except SeedError as exc:
            result.errors.append(exc)
            continue
        for doc in docs:
            seen[doc.id] = doc  # a later folder overrides a seed of the same id
    result.docs = list(seen.values())
    return result


def bundled_seed_dir() -> Path | None:
    """The corpus shipped with newsmon: inside the wheel, or the checkout's ``seeds/``."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_bundled_seeds", here.parent / "seeds"):
        if candidate.is_dir():
            return candidate
    return None

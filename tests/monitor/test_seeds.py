"""Reading seed files: titles, dates, bodies, and broken files reported but skipped."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.errors import SeedError
from monitor.seeds import parse_date, read_seed_file, read_seeds, seed_files
from tests.conftest import SEEDS

# What each shipped seed must read as (title start, date).
EXPECTED = {
    "000_14f31ae37a60d0e6": (
        "NATO Secretary-General Mark Rutte on Tuesday dismissed concerns",
        None,
    ),
    "001_dce1bc862176b9c6": (
        "NATO Allies Seek Reassurance from U.S. Secretary of State Marco Rubio Amidst Global "
        "Uncertainties",
        None,
    ),
    "002_76d5a2639c59ecbe": (
        "Amidst the backdrop of defense spending and the situation in Ukraine, U.S. Secretary",
        None,
    ),
    "003_d883f1d9eef1d452": (
        "NATO Secretary-General dismisses US concerns over NATO commitments ahead of Ukraine",
        datetime(2025, 12, 2, 23, 21, tzinfo=UTC),
    ),
    "004_98dfb2a54679fe9f": (
        "US secretary of state Marco Rubio and the Trump administration",
        datetime(2025, 4, 3, tzinfo=UTC),
    ),
}


def test_shipped_seeds_read_as_expected() -> None:
    result = read_seeds(seed_files(SEEDS))
    assert not result.errors
    by_id = {d.id: d for d in result.docs}
    assert set(by_id) == set(EXPECTED)
    for seed_id, (title, date) in EXPECTED.items():
        doc = by_id[seed_id]
        assert doc.title.startswith(title), (seed_id, doc.title)
        assert len(doc.title) <= 200
        assert doc.published == date, seed_id
        assert len(doc.text) > 3000, seed_id


def test_page_furniture_is_not_article_text() -> None:
    doc = read_seed_file(SEEDS / "003_d883f1d9eef1d452.txt")[0]
    assert "views:208" not in doc.text
    assert "Columns and Opinions" not in doc.text
    assert not doc.text.rstrip().endswith("Latest")
    assert "Recommend" not in doc.text.splitlines()
    assert doc.text.startswith("NATO Secretary General Mark Rutte ignored new concerns")
    body_004 = read_seed_file(SEEDS / "004_98dfb2a54679fe9f.txt")[0].text
    assert body_004.startswith("US secretary of state Marco Rubio")  # "date ..." prefix removed


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dec. 2, 2025, 11:21 p.m.", datetime(2025, 12, 2, 23, 21, tzinfo=UTC)),
        ("2025-04-03 rest", datetime(2025, 4, 3, tzinfo=UTC)),
        ("3 April 2025", datetime(2025, 4, 3, tzinfo=UTC)),
        ("April 3, 2025 9:05 am", datetime(2025, 4, 3, 9, 5, tzinfo=UTC)),
        ("Sept. 30, 2024", datetime(2024, 9, 30, tzinfo=UTC)),
        ("Columns and Opinions", None),
        ("Feb 30, 2025", None),
    ],
)
def test_parse_date(text: str, expected: datetime | None) -> None:
    assert parse_date(text)[0] == expected


def test_broken_and_empty_files_are_reported_and_the_rest_load(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("A headline\n\nSome body text here.\n", encoding="utf-8")
    (tmp_path / "latin.txt").write_bytes("Caf\xe9 au lait\nbody\n".encode("latin-1"))
    (tmp_path / "empty.md").write_text("  \n\n", encoding="utf-8")
    result = read_seeds(seed_files(tmp_path))
    assert [d.id for d in result.docs] == ["good"]
    messages = sorted(str(e) for e in result.errors)
    assert len(messages) == 2
    assert all("\n" not in m for m in messages)
    assert messages[0].endswith("empty.md: empty file")
    assert "latin.txt: not valid UTF-8 (byte 0xe9 at offset 3)" in messages[1]


def test_markdown_heading_is_the_title(tmp_path: Path) -> None:
    path = tmp_path / "mine.md"
    path.write_text(
        "# Rutte meets Zelensky\n\nPublished: 2025-06-01\n\nBody line one.\n", encoding="utf-8"
    )
    doc = read_seed_file(path)[0]
    assert (doc.id, doc.title) == ("mine", "Rutte meets Zelensky")
    assert doc.published == datetime(2025, 6, 1, tzinfo=UTC)
    assert doc.text == "Body line one."


def test_jsonl_seeds(tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    rows = [
        {"url": "https://example.org/a", "title": "A", "date": "2025-01-02", "text": "Alpha text."},
        {"id": "custom", "text": "Beta text. More."},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    docs = read_seed_file(path)
    assert [(d.id, d.title, d.url) for d in docs] == [
        ("batch-1", "A", "https://example.org/a"),
        ("custom", "Beta text.", None),
    ]
    assert docs[0].published == datetime(2025, 1, 2, tzinfo=UTC)
    path.write_text('{"text": "ok"}\nnot json\n', encoding="utf-8")
    with pytest.raises(SeedError, match=r"batch\.jsonl: line 2: not JSON"):
        read_seed_file(path)


def test_html_seed(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    paragraph = "Mark Rutte told reporters in Brussels that the alliance stands united. " * 6
    path.write_text(
        "<html><head><title>Rutte speaks | Example News</title>"
        '<meta property="article:published_time" content="2025-05-05T10:00:00Z"></head>'
        f"<body><nav>Home | World</nav><article><h1>Rutte speaks</h1><p>{paragraph}</p>"
        f"<p>{paragraph}</p></article><footer>Copyright</footer></body></html>",
        encoding="utf-8",
    )
    doc = read_seed_file(path)[0]
    assert doc.id == "page"
    assert doc.title.startswith("Rutte speaks")
    assert "alliance stands united" in doc.text
    assert "Copyright" not in doc.text
    assert doc.published == datetime(2025, 5, 5, tzinfo=UTC)


def test_unsupported_suffix(tmp_path: Path) -> None:
    path = tmp_path / "x.pdf"
    path.write_bytes(b"%PDF")
    with pytest.raises(SeedError, match=r"unsupported seed file type '\.pdf'"):
        read_seed_file(path)


def test_oversized_seed_file_is_skipped_with_one_line_and_the_rest_load(tmp_path: Path) -> None:
    """A seed file over ``[seeds] max_bytes`` is not read at all (it would make every later
    command slow and big), and says so in one line naming the file, its size and the setting."""
    (tmp_path / "good.txt").write_text("A headline\n\nSome body text here.\n", encoding="utf-8")
    (tmp_path / "huge.txt").write_text("Headline\n\n" + "word " * 1000, encoding="utf-8")
    result = read_seeds(seed_files(tmp_path), max_bytes=2048)
    assert [d.id for d in result.docs] == ["good"]
    assert len(result.errors) == 1
    message = str(result.errors[0])
    assert "\n" not in message
    assert re.search(r"huge\.txt: 5,010 bytes, over \[seeds\] max_bytes \(2,048\)", message)


def test_a_file_at_the_limit_loads_and_the_limit_is_read_not_stat_only(tmp_path: Path) -> None:
    path = tmp_path / "exact.txt"
    path.write_bytes(b"Headline\n\n" + b"x" * (2048 - 10))
    assert [d.id for d in read_seeds([path], max_bytes=2048).docs] == ["exact"]
    with pytest.raises(SeedError, match="over"):
        read_seed_file(path, max_bytes=2047)

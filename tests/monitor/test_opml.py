"""OPML import and export round-trip."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.opml import OPMLError, Subscription, read_opml, write_opml


def test_round_trip_and_nested_folders(tmp_path: Path) -> None:
    path = tmp_path / "subs.opml"
    path.write_text(
        '<?xml version="1.0"?><opml version="1.0"><head/><body>'
        '<outline text="News"><outline text="NATO" xmlUrl="https://nato.example/rss"/>'
        '<outline text="dup" xmlUrl="https://nato.example/rss"/></outline>'
        '<outline title="BBC" text="bbc" xmlUrl="https://bbc.example/rss"/></body></opml>',
        encoding="utf-8",
    )
    subs = read_opml(path)
    assert subs == [
        Subscription("https://nato.example/rss", "NATO"),
        Subscription("https://bbc.example/rss", "BBC"),
    ]
    again = tmp_path / "again.opml"
    again.write_text(write_opml(subs), encoding="utf-8")
    assert read_opml(again) == subs


def test_not_opml(tmp_path: Path) -> None:
    path = tmp_path / "x.opml"
    path.write_text("<rss/>", encoding="utf-8")
    with pytest.raises(OPMLError, match="not OPML"):
        read_opml(path)

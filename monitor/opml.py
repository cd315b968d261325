"""OPML, the format feed readers use to exchange subscription lists.

Import reads every ``<outline>`` with an ``xmlUrl`` at any depth (folders
are flattened); export writes one flat list.  Parsing uses the standard
library's expat, which refuses entity-expansion bombs.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from monitor.errors import OPMLError as OPMLError  # defined with the error tree


@dataclass(frozen=True)
class Subscription:
    url: str
    title: str | None = None


def read_opml(path: Path) -> list[Subscription]:
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as exc:
        raise OPMLError(f"{path}: not a readable OPML file: {exc}") from exc
    if root.tag.lower() != "opml":
        raise OPMLError(f"{path}: not OPML (root element is <{root.tag}>)")
    subscriptions: list[Subscription] = []
    seen: set[str] = set()
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if url and url not in seen:
            seen.add(url)
            title = outline.get("title") or outline.get("text")
            subscriptions.append(Subscription(url=url, title=title or None))
    return subscriptions


def write_opml(subscriptions: list[Subscription], title: str = "newsmon feeds") -> str:
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    body = ET.SubElement(root, "body")
    for sub in subscriptions:
        attrs = {"type": "rss", "xmlUrl": sub.url, "text": sub.title or sub.url}
        if sub.title:
            attrs["title"] = sub.title
        ET.SubElement(body, "outline", attrs)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"

"""Full text for feeds that carry only a headline and a line (``full_text = true``).

The article page is fetched under the same limits as feeds and its main
text extracted with trafilatura, in a worker thread (extraction is
CPU-bound).  On any failure the entry keeps its summary and the reason is
stored with it, so ``newsmon explain`` can say why the text is short.
"""

from __future__ import annotations

import asyncio

from monitor.errors import FeedError
from monitor.fetch.client import PAGE_ACCEPT, Fetcher


def extract_main_text(page: bytes, url: str) -> str | None:
    import trafilatura  # heavy import, only for feeds that want full text

    text = trafilatura.extract(
        page, url=url, include_comments=False, include_tables=False, favor_precision=True
    )
    return text.strip() if text and text.strip() else None


async def fetch_full_text(fetcher: Fetcher, url: str) -> tuple[str | None, str | None]:
    """``(text, None)`` on success, ``(None, reason)`` on failure."""
    try:
        response = await fetcher.get(url, accept=PAGE_ACCEPT)
    except FeedError as exc:
        return None, f"article page: {exc}"
    if response.status >= 400:
        return None, f"article page: HTTP {response.status}"
    try:
        text = await asyncio.to_thread(extract_main_text, response.body, response.url)
    except Exception as exc:  # trafilatura on hostile HTML: never fail the feed for it
        return None, f"extraction failed: {type(exc).__name__}: {exc}"
    if text is None:
        return None, "no main text found on the article page"
    return text, None

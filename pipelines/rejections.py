"""Named rejections: why a fetched page is not stored as an article (a pure stage's verdict;
`crawler.drops` turns it into the DropItem a crawl counts and records)."""

from __future__ import annotations


class Rejected(Exception):
    """A pure stage's verdict that a page is not a usable article (`reason` is a short code)."""

    def __init__(self, reason: str, detail: str = ""):
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}" if detail else reason)

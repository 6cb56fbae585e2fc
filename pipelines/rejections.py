"""Named rejections: why a fetched page is not stored as an article, counted and recorded."""

from __future__ import annotations

from scrapy.exceptions import DropItem


class Rejected(Exception):
    """A pure stage's verdict that a page is not a usable article (`reason` is a short code)."""

    def __init__(self, reason: str, detail: str = ""):
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}" if detail else reason)


class PageDropped(DropItem):
    """DropItem carrying the rejection reason, so the store can record it."""

    def __init__(self, reason: str, detail: str = ""):
        self.reason = reason
        super().__init__(f"{reason}: {detail}" if detail else reason)


def drop(stats, source_id: str, rejection: Rejected) -> PageDropped:
    """Count the rejection under its reason and return the DropItem to raise."""
    stats.inc_value(f"marsad/{source_id}/dropped/{rejection.reason}")
    return PageDropped(rejection.reason, rejection.detail)

"""The Scrapy side of a rejection: a `pipelines.rejections.Rejected` verdict as the DropItem a
pipeline raises, counted per source and reason. Kept out of `pipelines/`, so the stage workers,
which only reach verdicts, never import Scrapy."""

from __future__ import annotations

from scrapy.exceptions import DropItem

from pipelines.rejections import Rejected


class PageDropped(DropItem):
    """DropItem carrying the rejection reason, so the store can record it."""

    def __init__(self, reason: str, detail: str = ""):
        self.reason = reason
        super().__init__(f"{reason}: {detail}" if detail else reason)


def drop(stats, source_id: str, rejection: Rejected) -> PageDropped:
    """Count the rejection under its reason and return the DropItem to raise."""
    stats.inc_value(f"marsad/{source_id}/dropped/{rejection.reason}")
    return PageDropped(rejection.reason, rejection.detail)

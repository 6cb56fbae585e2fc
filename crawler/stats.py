"""The crawl's stats collector: Scrapy's in-memory one, without its per-call deprecation shim."""

from __future__ import annotations

from scrapy.statscollectors import MemoryStatsCollector


class PlainStatsCollector(MemoryStatsCollector):
    """`MemoryStatsCollector` with plain attribute access.

    Scrapy 2.19 routes every attribute access of a stats collector through a `__getattribute__`
    that wraps its methods to warn about a `spider` argument (deprecated; Marsad never passes
    it), and its own `self._stats` through a failed lookup first: a crawl makes about 15 stats
    calls a page, and the shim took ~3% of the crawl process's CPU. Same methods, same values.
    """

    __getattribute__ = object.__getattribute__

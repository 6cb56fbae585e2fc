"""Progress lines while a crawl runs: one line on stderr every MARSAD_PROGRESS_INTERVAL seconds."""

from __future__ import annotations

import sys
import time

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from pipelines.store import counts_from_stats


# Which progress column each per-source counter (its first path part) adds to.
_COLUMNS = {"pages_fetched": "pages", "articles_fetched": "articles", "stored": "new", "dropped": "dropped",
            "rejected": "dropped", "failed": "failed", "discovery_failed": "failed"}


def progress_line(stats: dict, elapsed: float) -> str:
    """'[marsad 0:12] pages 34 · articles 20 · new 18 · dropped 2 · failed 1' from crawl stats."""
    totals = dict.fromkeys(("pages", "articles", "new", "dropped", "failed"), 0)
    for counts in counts_from_stats(stats).values():
        for counter, value in counts.items():
            column = _COLUMNS.get(counter.split("/", 1)[0])
            if column:
                totals[column] += value
    minutes, seconds = divmod(int(elapsed), 60)
    return f"[marsad {minutes}:{seconds:02d}] " + " · ".join(f"{k} {v}" for k, v in totals.items())


class Progress:
    def __init__(self, crawler, interval: float):
        self.crawler = crawler
        self.interval = interval
        self.started = time.monotonic()
        self.loop = task.LoopingCall(self.report)

    @classmethod
    def from_crawler(cls, crawler):
        interval = crawler.settings.getfloat("MARSAD_PROGRESS_INTERVAL", 0)
        if interval <= 0:
            raise NotConfigured
        ext = cls(crawler, interval)
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    def opened(self, spider):
        self.loop.start(self.interval, now=False)

    def report(self):
        print(progress_line(self.crawler.stats.get_stats(), time.monotonic() - self.started),
              file=sys.stderr, flush=True)

    def closed(self, spider, reason):
        if self.loop.running:
            self.loop.stop()
        self.report()

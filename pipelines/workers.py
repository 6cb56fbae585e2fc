"""The CPU stages of a fetched page, run in worker processes so the crawl's reactor only fetches
and writes.

`prepare` is pure: one page in, everything the store needs out — the article columns
(extract → classify → dedupe keys, `pipelines.archive.process_page`) and what the store would
otherwise compute on the reactor thread (near-duplicate fingerprint, search-index document,
compressed raw page) — or the page's rejection. `StagesPipeline` is its Scrapy adapter: it hands
each page to a pool of `MARSAD_WORKERS` processes (pebble: a page whose stages outlive
`MARSAD_STAGE_TIMEOUT` or crash their process is dropped alone, counted as `stage_timeout` /
`stage_crash`, and the process is replaced), or with 0 workers calls `prepare` inline, under a
SIGALRM deadline of the same timeout (which stops Python code, not a loop inside C code).
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from pipelines.archive import ArchivedPage, ReextractOptions, archivable, compress, page_of_item, process_page
from pipelines.config import RELEVANCE_THRESHOLD, ExtractSettings, worker_count
from pipelines.fts import index_document
from pipelines.neardup import Fingerprint, fingerprint
from pipelines.rejections import Rejected
from pipelines.stage_server import stage_pool

log = logging.getLogger(__name__)

DEFAULT_STAGE_TIMEOUT = 120.0  # seconds of CPU stages for one page before it is given up
# A worker is replaced after this many pages: a bound on what a leak in a parser could hold.
# A worker's memory is flat without it (5,000 benchmark pages: +3 MB in one process; the crawl's
# process tree +19 MB), and each replacement costs a fresh fork's warm-up and ~0.1 s with one
# worker fewer (2,000: about 3% of a 5,000-page crawl's throughput, 10 alternated pairs).
TASKS_PER_WORKER = 10_000


@dataclass
class Derived:
    """What the store writes besides the article columns, computed off the reactor thread."""

    fingerprint: Fingerprint | None = None  # `pipelines.neardup.fingerprint(text)`
    fts_document: tuple[str, ...] | None = None  # `pipelines.fts.index_document(title, text)`
    archived_body: bytes | None = None  # `pipelines.archive.compress(body)`


@dataclass
class Prepared:
    """A page after the CPU stages: its article columns, or why it is not an article."""

    record: dict[str, Any] | None
    rejection: tuple[str, str] | None = None  # (reason, detail)
    derived: Derived = field(default_factory=Derived)


def prepare(page: ArchivedPage, options: ReextractOptions) -> Prepared:
    """Run every CPU stage of one fetched page (pure; safe in a worker process)."""
    archived = compress(page.body) if archivable(page) else None
    try:
        record = process_page(page, options)
    except Rejected as exc:
        return Prepared(None, (exc.reason, exc.detail), Derived(archived_body=archived))
    derived = Derived(fingerprint(record["text"] or ""),
                      tuple(index_document(record["title"], record["text"])), archived)
    return Prepared(record, None, derived)


class _StageTimeout(BaseException):
    """Not an Exception: a stage's own `except Exception` must not swallow it."""


@contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Raise _StageTimeout in this block after `seconds` (the main thread only; elsewhere no
    deadline: signals are delivered to the main thread)."""
    if threading.current_thread() is not threading.main_thread() or seconds <= 0:
        yield
        return

    def expire(signum, frame):
        raise _StageTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class StagesPipeline:
    """Scrapy adapter: fills an article item from its fetched body (extraction, classification,
    dedupe keys, and the store's derived data), or drops it with the reason."""

    def __init__(self, options: ReextractOptions, workers: int, timeout: float, stats,
                 stage: Callable[[ArchivedPage, ReextractOptions], Prepared] = prepare):
        self.options = options
        self.workers = workers
        self.timeout = timeout
        self.stats = stats
        self.stage = stage  # a module-level function: workers import it by name
        self.pool = None

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        options = ReextractOptions(
            settings=ExtractSettings(
                max_bytes=s.getint("DOWNLOAD_MAXSIZE") or ExtractSettings.max_bytes,
                min_words=s.getint("MARSAD_MIN_WORDS", ExtractSettings.min_words),
            ),
            overrides=s.getdict("MARSAD_OVERRIDES"),
            aliases=s.getdict("MARSAD_OUTLET_ALIASES"),
            threshold=s.getfloat("MARSAD_RELEVANCE_THRESHOLD", RELEVANCE_THRESHOLD),
        )
        return cls(options, worker_count(s.get("MARSAD_WORKERS")),
                   s.getfloat("MARSAD_STAGE_TIMEOUT", DEFAULT_STAGE_TIMEOUT), crawler.stats)

    def open_spider(self):
        if self.workers:
            self.pool = stage_pool(self.workers, TASKS_PER_WORKER)

    def close_spider(self):
        if self.pool is not None:
            self.pool.close()
            self.pool.join()
            self.pool = None

    async def process_item(self, item):
        from itemadapter import ItemAdapter

        adapter = ItemAdapter(item)
        if adapter.get("kind") != "page":
            return item
        page = page_of_item(adapter)
        prepared = self._inline(page) if self.pool is None else await self._in_pool(page)
        adapter["derived"] = prepared.derived
        if prepared.rejection:
            from crawler.drops import drop

            raise drop(self.stats, adapter["source_id"], Rejected(*prepared.rejection))
        for key, value in prepared.record.items():
            adapter[key] = value
        return item

    def _timed_out(self) -> Prepared:
        return Prepared(None, ("stage_timeout", f"stages ran over {self.timeout:g} s"))

    def _inline(self, page: ArchivedPage) -> Prepared:
        """The stages in this process, stopped by SIGALRM past the timeout. Weaker than a worker's
        timeout: a loop inside C code (a regex, the HTML parser) is not interrupted."""
        try:
            with _deadline(self.timeout):
                return self.stage(page, self.options)
        except _StageTimeout:
            return self._timed_out()

    async def _in_pool(self, page: ArchivedPage) -> Prepared:
        from pebble import ProcessExpired

        future = self.pool.schedule(self.stage, (page, self.options), timeout=self.timeout)
        try:
            return await asyncio.wrap_future(future)
        except FutureTimeout:
            return self._timed_out()
        except ProcessExpired as exc:
            log.error("a worker died on %s (exit code %s)", page.url, exc.exitcode)
            return Prepared(None, ("stage_crash", f"worker exit code {exc.exitcode}"))

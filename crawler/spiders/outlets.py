"""The one generic spider: discovers article URLs of registry sources and fetches them.

Discovery: RSS/Atom feeds (feedparser), sitemap indexes and news sitemaps (entries newer than a
window), and opinion/tag listing pages followed through pagination to `listing_depth`.
Every article URL is canonicalised; URLs already stored (or recorded as non-articles) and URLs
already requested in this crawl are skipped. Failures are yielded as `kind="failure"` items so
that the store records them with their reason.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.linkextractors import LinkExtractor
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.gz import gunzip

from crawler.discovery import feed_candidates, sitemap_entries
from crawler.items import ArticleItem
from crawler.sources import Source, load_sources, select
from pipelines.dates import parse_date
from pipelines.store import known_urls, load_validators, open_db, save_validators
from pipelines.urls import canonical_url

_PAGINATION = re.compile(r"(/page/\d+/?$|[?&](page|paged|pg)=\d+$)", re.I)
_CHARSET = re.compile(r"charset=([\w.:-]+)", re.I)


def window_start(days, window: int) -> str:
    """First day inside a sitemap's window: `window` days before its newest entry (never after
    today), so a live news sitemap keeps its last days and a static archive is not emptied."""
    today = datetime.now(timezone.utc).date().isoformat()
    newest = min(max(days, default=today), today)
    return (datetime.fromisoformat(newest) - timedelta(days=window)).date().isoformat()


def _same_site(url: str, host: str) -> bool:
    """Is `url` on the source's host or one of its subdomains (www. ignored)?"""
    site = host.removeprefix("www.")
    other = (urlsplit(url).hostname or "").removeprefix("www.")
    return other == site or other.endswith("." + site)


def failure_reason(failure) -> tuple[str, int | None]:
    """A short reason code (and HTTP status) for a failed request."""
    if failure.check(HttpError):
        status = failure.value.response.status
        codes = {404: "not_found", 410: "gone", 429: "http_429"}
        return codes.get(status, f"http_{status // 100}xx"), status
    if failure.check(IgnoreRequest):
        reason = getattr(failure.value, "reason", None)
        if reason:
            return reason, None
        message = str(failure.value)
        if "robots.txt" in message:
            return "robots_disallowed", None
        if "max redirections" in message:
            return "too_many_redirects", None
        if "DOWNLOAD_MAXSIZE" in message:  # a compressed body too large once decompressed
            return "too_large", None
        return "ignored", None
    for exc, reason in (
        (DownloadTimeoutError, "timeout"),
        (DownloadCancelledError, "too_large"),
        (CannotResolveHostError, "dns"),
        (DownloadConnectionRefusedError, "connection"),
        (ResponseDataLossError, "truncated"),
        (DownloadFailedError, "connection"),
    ):
        if failure.check(exc):
            return reason, None
    return type(failure.value).__name__.lower(), None


class OutletSpider(scrapy.Spider):
    name = "outlets"

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        s = crawler.settings
        spider.sources = select(load_sources(s["MARSAD_SOURCES"]), s.getlist("MARSAD_SOURCE_IDS"))
        spider.db_path = s["MARSAD_DB"]
        spider.refetch = s.getbool("MARSAD_REFETCH")
        spider.window_days = s.getint("MARSAD_SITEMAP_WINDOW_DAYS")
        spider.maxsize = s.getint("DOWNLOAD_MAXSIZE")
        spider.requested: set[str] = set()
        spider.known: set[str] = set()
        spider.validators: dict[str, tuple[str | None, str | None]] = {}
        spider.new_validators: dict[str, tuple[str | None, str | None]] = {}
        return spider

    def _count(self, source: Source, key: str, n: int = 1) -> None:
        self.crawler.stats.inc_value(f"marsad/{source.id}/{key}", n)

    async def start(self):
        db = open_db(self.db_path)
        try:
            self.known = set() if self.refetch else known_urls(db)
            self.validators = load_validators(db)
        finally:
            db.close()
        for source in self.sources:
            for url in source.feeds:
                yield self._discovery(url, source, self.parse_feed, "feed")
            for url in source.sitemaps:
                yield self._discovery(url, source, self.parse_sitemap, "sitemap")
            for url in source.listings:
                yield self._discovery(url, source, self.parse_listing, "listing", depth=1)

    def _discovery(self, url: str, source: Source, callback, kind: str, **kwargs) -> scrapy.Request:
        """A feed, sitemap or listing request, conditional when validators are known."""
        headers = {}
        etag, modified = self.validators.get(url, (None, None))
        if etag:
            headers["If-None-Match"] = etag
        if modified:
            headers["If-Modified-Since"] = modified
        return scrapy.Request(
            url, callback=callback, errback=self.discovery_failed, headers=headers,
            cb_kwargs={"source": source, **kwargs},
            meta={"marsad_kind": kind, "source": source, "handle_httpstatus_list": [304]},
        )

    def _fresh(self, response, source: Source) -> bool:
        """Count the discovery page; False when it answered 304 Not Modified."""
        if response.status == 304:
            self._count(source, "not_modified")
            return False
        self._count(source, "pages_fetched")
        etag = response.headers.get(b"ETag")
        modified = response.headers.get(b"Last-Modified")
        if etag or modified:
            self.new_validators[response.request.url] = (
                etag.decode("latin-1") if etag else None, modified.decode("latin-1") if modified else None)
        return True

    def closed(self, reason: str) -> None:
        """Keep validators only after a finished crawl: an interrupted one must look again."""
        if reason == "finished" and self.new_validators:
            db = open_db(self.db_path)
            try:
                save_validators(db, self.new_validators)
            finally:
                db.close()

    def discovery_failed(self, failure):
        source = failure.request.meta["source"]
        reason, _ = failure_reason(failure)
        self._count(source, f"discovery_failed/{reason}")
        self.logger.warning("discovery page failed (%s): %s", reason, failure.request.url)

    def _article(self, url: str, source: Source, via: str):
        """A request for an article candidate, unless known or already requested. Every entry
        of a source's feeds and sitemaps is a candidate, wherever it points (DESIGN.md; listing
        links are kept to the source's site by `parse_listing`); the SSRF guard still applies."""
        key = canonical_url(url)
        if key in self.requested:
            return None
        self.requested.add(key)
        if key in self.known:
            self._count(source, "skipped/known")
            return None
        self._count(source, "candidates")
        # dont_filter: the crawl deduplicates candidates itself (`requested`); a redirect back to
        # a URL already requested must reach REDIRECT_MAX_TIMES and the errback, not vanish in
        # the scheduler's duplicate filter unrecorded (a redirect loop).
        return scrapy.Request(
            url, callback=self.parse_article, errback=self.article_failed, dont_filter=True,
            cb_kwargs={"source": source, "via": via}, meta={"marsad_kind": "article", "source": source},
        )

    def parse_feed(self, response, source: Source):
        if not self._fresh(response, source):
            return
        candidates = feed_candidates(response.body, response.url)
        self._count(source, "feed_entries", len(candidates))
        for candidate in candidates:
            request = self._article(candidate.url, source, "feed")
            if request is not None:
                yield request

    def parse_sitemap(self, response, source: Source):
        if not self._fresh(response, source):
            return
        body = response.body
        if body[:2] == b"\x1f\x8b":
            body = gunzip(body, max_size=self.maxsize)
        children, candidates = sitemap_entries(body, response.url)
        for url in children:
            yield self._discovery(url, source, self.parse_sitemap, "sitemap")
        window = source.sitemap_window_days if source.sitemap_window_days is not None else self.window_days
        days = {c.url: found.value[:10] for c in candidates if c.date and (found := parse_date(c.date))}
        oldest = window_start(days.values(), window) if window else ""
        for candidate in candidates:
            if oldest and candidate.url in days and days[candidate.url] < oldest:
                self._count(source, "skipped/sitemap_old")
                continue
            request = self._article(candidate.url, source, "sitemap")
            if request is not None:
                yield request

    def parse_listing(self, response, source: Source, depth: int):
        if not self._fresh(response, source):
            return
        next_pages = set(response.xpath('//a[@rel="next"]/@href | //link[@rel="next"]/@href').getall())
        for link in LinkExtractor().extract_links(response):
            if not _same_site(link.url, source.host):
                continue
            parts = urlsplit(link.url)
            if _PAGINATION.search(parts.path + (f"?{parts.query}" if parts.query else "")):
                next_pages.add(link.url)
            elif source.is_article_path(link.url) if source.article_patterns else True:
                request = self._article(link.url, source, "listing")
                if request is not None:
                    yield request
        if depth >= source.listing_depth and next_pages:
            self._count(source, "skipped/listing_depth")  # an endless listing or calendar stops here
        if depth < source.listing_depth:
            for url in sorted(next_pages):
                yield self._discovery(response.urljoin(url), source, self.parse_listing, "listing", depth=depth + 1)

    def parse_article(self, response, source: Source, via: str):
        self._count(source, "pages_fetched")
        self._count(source, "articles_fetched")
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
        charset = _CHARSET.search(content_type)
        yield ArticleItem(
            kind="page", url=response.url, source_id=source.id, status=response.status,
            requested_url=response.meta.get("redirect_urls", [response.url])[0],
            fetched_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            body=response.body, content_type=content_type or None,
            header_charset=charset.group(1) if charset else None, found_via=via,
        )

    def article_failed(self, failure):
        request = failure.request
        source = request.meta["source"]
        reason, status = failure_reason(failure)
        requested = request.meta.get("redirect_urls", [request.url])[0]
        yield ArticleItem(
            kind="failure", url=canonical_url(requested), source_id=source.id, status=status,
            reason=reason, fetched_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        )

"""Politeness that Scrapy lacks: robots.txt per RFC 9309, Crawl-delay and Retry-After.

- robots.txt answering 4xx: everything allowed; 5xx or unreachable: everything disallowed for
  that host in this crawl (its pages are recorded as transient failures, retried next crawl).
- `Crawl-delay` (and a registry `crawl_delay`) become the host's minimum download delay, capped
  at MARSAD_MAX_CRAWL_DELAY; AutoThrottle is told not to lower it.
- `Retry-After` on 429/503 (seconds or HTTP date) raises the host's delay before Scrapy's
  RetryMiddleware retries; a wait above the cap is not awaited in this crawl.
"""

from __future__ import annotations

from email.utils import parsedate_to_datetime
from datetime import datetime, timezone
from urllib.parse import urlsplit

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest


class RobotsRefused(IgnoreRequest):
    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


_UNAVAILABLE = object()  # robots.txt answered 5xx or could not be fetched


def set_min_delay(crawler, host: str, delay: float) -> None:
    """Make `delay` the host's minimum download delay, for its current and future slots."""
    downloader = crawler.engine.downloader
    settings = downloader.per_slot_settings.setdefault(host, {})
    settings["delay"] = max(settings.get("delay", 0.0), delay)
    settings["jitter"] = 0.0  # a minimum: Scrapy's ±50% random variation would go below it
    slot = downloader.slots.get(host)
    if slot is not None:
        slot.delay = max(slot.delay, delay)
        slot.jitter = 0.0


class RobotsPolicy(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware with RFC 9309 error handling and Crawl-delay."""

    def __init__(self, crawler):
        super().__init__(crawler)
        self.max_delay = crawler.settings.getfloat("MARSAD_MAX_CRAWL_DELAY", 60.0)
        self.delays: dict[str, float] = dict(crawler.settings.getdict("MARSAD_CRAWL_DELAYS"))

    async def _parse_robots(self, response, netloc, request):
        if response.status >= 500:
            self._stats.inc_value("robotstxt/unavailable")
            self._resolve(netloc, _UNAVAILABLE)
            return
        if response.status >= 400:
            self._resolve(netloc, None)  # no robots.txt: everything allowed
            return
        await super()._parse_robots(response, netloc, request)
        parser = self._parsers[netloc]
        delay = getattr(parser, "crawl_delay", lambda ua: None)(self._default_useragent)
        host = urlsplit(request.url).hostname or ""
        if delay:
            self.delays[host] = max(self.delays.get(host, 0.0), delay)

    def _resolve(self, netloc, value) -> None:
        waiting = self._parsers[netloc]
        self._parsers[netloc] = value
        waiting.callback(value)

    def _robots_error(self, exc, netloc):
        self._stats.inc_value("robotstxt/unavailable")
        self._resolve(netloc, _UNAVAILABLE)

    def process_request_2(self, rp, request):
        if rp is _UNAVAILABLE:
            raise RobotsRefused("robots_unavailable")
        host = urlsplit(request.url).hostname or ""
        if host in self.delays:
            set_min_delay(self.crawler, host, min(self.delays[host], self.max_delay))
            request.meta["autothrottle_dont_adjust_delay"] = True
        try:
            super().process_request_2(rp, request)
        except IgnoreRequest as exc:
            raise RobotsRefused("robots_disallowed") from exc


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date); None if absent/bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


class RetryAfterMiddleware:
    """On 429/503 with Retry-After, slow the host down before the retry (up to the cap)."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.max_wait = crawler.settings.getfloat("MARSAD_MAX_RETRY_AFTER", 60.0)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response):
        if response.status not in (429, 503):
            return response
        wait = retry_after_seconds(response.headers.get(b"Retry-After", b"").decode("latin-1"))
        if wait is None:
            return response
        self.crawler.stats.inc_value("retry_after/seen")
        if wait > self.max_wait:
            request.meta["dont_retry"] = True  # not within this crawl: recorded, retried later
            return response
        host = urlsplit(request.url).hostname or ""
        set_min_delay(self.crawler, host, wait)
        request.meta["autothrottle_dont_adjust_delay"] = True
        return response

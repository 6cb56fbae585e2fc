"""The SSRF guard (a downloader middleware and the resolver), the meta-refresh check, and the
crawl's log formatter."""

from __future__ import annotations

import ipaddress
import logging
import socket
from functools import lru_cache
from urllib.parse import urlsplit

from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.logformatter import LogFormatter
from scrapy.resolver import CachingThreadedResolver
from twisted.internet.error import DNSLookupError

SAFE_SCHEMES = ("http", "https")


class UnsafeTarget(IgnoreRequest):
    """A request to a scheme or address Marsad never fetches."""

    def __init__(self, reason: str, detail: str):
        self.reason = reason
        super().__init__(f"{reason}: {detail}")


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved)


@lru_cache(maxsize=4096)
def resolve(host: str) -> tuple[str, ...]:
    """Every address the host resolves to (IP literals, decimal and hex forms included)."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        return ()
    return tuple(sorted({info[4][0] for info in infos}))


def check_url(url: str, allowed: frozenset[str] | set[str]) -> None:
    """Raise UnsafeTarget unless `url` is http(s) to a public address or an allowed host[:port]."""
    parts = urlsplit(url)
    if parts.scheme not in SAFE_SCHEMES:
        raise UnsafeTarget("unsafe_scheme", parts.scheme or "(none)")
    host = (parts.hostname or "").lower()
    if not host:
        raise UnsafeTarget("unsafe_host", "no host")
    if "*" in allowed or host in allowed or (parts.port and f"{host}:{parts.port}" in allowed):
        return
    addresses = resolve(host)
    if not addresses:
        return  # unresolvable: the download fails with a DNS error, counted as such
    private = [a for a in addresses if not _is_public(a)]
    if private:
        raise UnsafeTarget("private_address", f"{host} resolves to {private[0]}")


class PrivateHostGuard:
    """Checks every request, redirects included, before it is sent."""

    def __init__(self, allowed: frozenset[str]):
        self.allowed = allowed

    @classmethod
    def from_crawler(cls, crawler):
        return cls(frozenset(h.lower() for h in crawler.settings.getlist("MARSAD_ALLOW_PRIVATE_HOSTS")))

    def process_request(self, request):
        check_url(request.url, self.allowed)
        return None


# Scrapy reads a meta refresh from the first 4,096 characters: at most 4 bytes each in UTF-8.
_REFRESH_WINDOW = 4 * 4096


class MetaRefreshPrefilter(MetaRefreshMiddleware):
    """Scrapy's meta-refresh redirects, checked only on pages that can hold one: Scrapy decodes
    every whole body to look, ~4% of the crawl process on 60 KB articles. A page without the
    bytes "refresh" near its start (an ASCII-compatible encoding: no NUL byte there) has none."""

    def process_response(self, request, response):
        window = response.body[:_REFRESH_WINDOW]
        if b"\0" not in window and b"refresh" not in window.lower():
            return response
        return super().process_response(request, response)


class QuietLogFormatter(LogFormatter):
    """Log a dropped page as its URL and reason, never the item (it carries the raw body)."""

    def dropped(self, item, exception, response, spider=None):
        url = item.get("url") if hasattr(item, "get") else None
        return {"level": logging.INFO, "msg": "Dropped %(url)s: %(reason)s",
                "args": {"url": url, "reason": exception}}

    def scraped(self, item, response, spider=None):
        url = item.get("url") if hasattr(item, "get") else None
        return {"level": logging.DEBUG, "msg": "Stored %(url)s", "args": {"url": url}}


class GuardedResolver(CachingThreadedResolver):
    """The resolver Scrapy connects with, refusing private answers too: the check in
    PrivateHostGuard resolves before the request, this one at connection time, so a host that
    changes its answer in between (DNS rebinding) is still refused."""

    allowed: frozenset[str] = frozenset()

    @classmethod
    def from_crawler(cls, crawler, reactor):
        resolver = super().from_crawler(crawler, reactor)
        resolver.allowed = frozenset(
            h.lower().rsplit(":", 1)[0] if h.count(":") == 1 else h.lower()
            for h in crawler.settings.getlist("MARSAD_ALLOW_PRIVATE_HOSTS"))
        return resolver

    def getHostByName(self, name, timeout=()):  # noqa: N802 (Twisted API)
        return super().getHostByName(name, timeout).addCallback(self._refuse_private, name)

    def _refuse_private(self, address: str, name: str) -> str:
        if "*" in self.allowed or name.lower() in self.allowed or _is_public(address):
            return address
        raise DNSLookupError(f"{name} resolves to private address {address}")

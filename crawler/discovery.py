"""Pure discovery functions: article candidates out of feeds and sitemaps (no Scrapy)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import feedparser
from lxml import etree

_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)
_SUBSET_END = re.compile(rb"\]\s*>")


def without_internal_subset(body: bytes) -> bytes:
    """The document without its DOCTYPE's internal subset (entity declarations: billion laughs,
    external entities). Feeds never need one, and expat inside feedparser would expand them up
    to its amplification limit (seconds of CPU and ~100 MB per feed)."""
    start = body[:2048].upper().find(b"<!DOCTYPE")
    if start < 0:
        return body
    bracket, end = body.find(b"[", start, start + 2048), body.find(b">", start)
    if bracket < 0 or (0 <= end < bracket):
        return body
    close = _SUBSET_END.search(body, bracket)
    return body[:start] + body[close.end():] if close else body[:start]


def absolute_url(base_url: str, link: str) -> str | None:
    """`link` made absolute against `base_url`; None when it is not a parseable URL (a hostile
    feed or sitemap entry such as "http://[::1/x" or a port out of range must not end discovery)."""
    try:
        url = urljoin(base_url, link.strip())
        urlsplit(url).port  # raises ValueError on a malformed host or port
    except ValueError:
        return None
    return url


@dataclass(frozen=True)
class Candidate:
    url: str
    date: str | None = None  # as written in the feed or sitemap
    title: str | None = None


def feed_candidates(body: bytes, base_url: str) -> list[Candidate]:
    """Entries of an RSS 0.9x/1.0/2.0 or Atom feed (feedparser), links made absolute."""
    feed = feedparser.parse(without_internal_subset(body))
    found = []
    for entry in feed.entries:
        link = entry.get("link") or next((l.get("href") for l in entry.get("links", []) if l.get("href")), None)
        url = absolute_url(base_url, link) if isinstance(link, str) else None
        if url:
            date = entry.get("published") or entry.get("updated")
            found.append(Candidate(url, date, entry.get("title")))
    return found


def sitemap_entries(body: bytes, base_url: str) -> tuple[list[str], list[Candidate]]:
    """(child sitemaps of an index, article URLs with their news publication date or lastmod)."""
    try:
        root = etree.fromstring(body, parser=_XML_PARSER)
    except etree.XMLSyntaxError:
        root = None
    if root is None:
        return [], []
    children = [url for loc in root.xpath("//*[local-name()='sitemap']/*[local-name()='loc']/text()")
                if (url := absolute_url(base_url, loc))]
    urls = []
    for node in root.xpath("//*[local-name()='url']"):
        loc = "".join(node.xpath("./*[local-name()='loc']/text()")).strip()
        if not loc:
            continue
        date = "".join(node.xpath(".//*[local-name()='publication_date']/text()")
                       or node.xpath("./*[local-name()='lastmod']/text()")).strip() or None
        title = "".join(node.xpath(".//*[local-name()='title']/text()")).strip() or None
        url = absolute_url(base_url, loc)
        if url:
            urls.append(Candidate(url, date, title))
    return children, urls

"""Pure discovery functions: article candidates out of feeds and sitemaps (no Scrapy)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin

import feedparser
from lxml import etree

_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)


@dataclass(frozen=True)
class Candidate:
    url: str
    date: str | None = None  # as written in the feed or sitemap
    title: str | None = None


def feed_candidates(body: bytes, base_url: str) -> list[Candidate]:
    """Entries of an RSS 0.9x/1.0/2.0 or Atom feed (feedparser), links made absolute."""
    feed = feedparser.parse(body)
    found = []
    for entry in feed.entries:
        link = entry.get("link") or next((l.get("href") for l in entry.get("links", []) if l.get("href")), None)
        if link:
            date = entry.get("published") or entry.get("updated")
            found.append(Candidate(urljoin(base_url, link.strip()), date, entry.get("title")))
    return found


def sitemap_entries(body: bytes, base_url: str) -> tuple[list[str], list[Candidate]]:
    """(child sitemaps of an index, article URLs with their news publication date or lastmod)."""
    try:
        root = etree.fromstring(body, parser=_XML_PARSER)
    except etree.XMLSyntaxError:
        root = None
    if root is None:
        return [], []
    children = [urljoin(base_url, loc.strip())
                for loc in root.xpath("//*[local-name()='sitemap']/*[local-name()='loc']/text()")]
    urls = []
    for node in root.xpath("//*[local-name()='url']"):
        loc = "".join(node.xpath("./*[local-name()='loc']/text()")).strip()
        if not loc:
            continue
        date = "".join(node.xpath(".//*[local-name()='publication_date']/text()")
                       or node.xpath("./*[local-name()='lastmod']/text()")).strip() or None
        title = "".join(node.xpath(".//*[local-name()='title']/text()")).strip() or None
        urls.append(Candidate(urljoin(base_url, loc), date, title))
    return children, urls

"""Discovery on real feeds and sitemaps (../shared/realdata), checked against independent truth."""

import json

from urllib.parse import urlsplit

import pytest
from lxml import etree

from crawler.discovery import feed_candidates, sitemap_entries


def _same(url: str) -> str:
    """URLs compare with the host case-folded (hosts are case-insensitive)."""
    parts = urlsplit(url)
    return parts._replace(netloc=parts.netloc.lower()).geturl()


def _feeds(realdata):
    return sorted((realdata / "feeds").glob("*.xml"))


def test_every_reference_parsed_feed_link_is_discovered(realdata):
    checked = 0
    for feed in _feeds(realdata):
        reference = feed.with_suffix(".serde.json")
        if not reference.exists():
            continue
        expected = [_same(e["links"][0]["href"].strip()) for e in json.loads(reference.read_text("utf-8"))["entries"] if e["links"]]
        found = [_same(c.url) for c in feed_candidates(feed.read_bytes(), "http://feeds.test/")]
        assert found == expected, feed.name
        checked += 1
    assert checked >= 7


def test_feeds_without_reference_yield_one_candidate_per_item(realdata):
    for feed in _feeds(realdata):
        if feed.with_suffix(".serde.json").exists():
            continue
        root = etree.fromstring(feed.read_bytes().strip(), etree.XMLParser(recover=True, resolve_entities=False))
        items = root.xpath("//*[local-name()='item' or local-name()='entry']")
        assert len(feed_candidates(feed.read_bytes(), "http://feeds.test/")) == len(items), feed.name


def test_news_sitemap_entries_carry_publication_dates(realdata):
    children, urls = sitemap_entries((realdata / "sitemaps" / "advertools__news_sitemap.xml").read_bytes(), "http://x.test/")
    assert children == [] and urls
    assert all(u.url.startswith("http") and u.date for u in urls)


@pytest.mark.parametrize("name", ["crawler-commons__hebdenbridgetimes-articles-sitemap.xml", "trafilatura__sitemap.xml"])
def test_plain_sitemaps(realdata, name):
    body = (realdata / "sitemaps" / name).read_bytes()
    root = etree.fromstring(body)
    _, urls = sitemap_entries(body, "http://x.test/")
    locs = root.xpath("//*[local-name()='url']/*[local-name()='loc']")
    assert len(urls) == len(locs) > 0


def test_sitemap_index_lists_children():
    index = b"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <sitemap><loc>http://x.test/news.xml</loc></sitemap><sitemap><loc>/more.xml</loc></sitemap></sitemapindex>"""
    children, urls = sitemap_entries(index, "http://x.test/sitemap.xml")
    assert children == ["http://x.test/news.xml", "http://x.test/more.xml"] and urls == []


def test_hostile_xml_is_not_expanded():
    bomb = b"""<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">
      <!ENTITY e SYSTEM "file:///etc/passwd">]><urlset><url><loc>http://x.test/&b;&e;</loc></url></urlset>"""
    _, urls = sitemap_entries(bomb, "http://x.test/")
    assert all("root:" not in u.url for u in urls)


def test_garbage_gives_nothing():
    assert sitemap_entries(b"\x00\xff garbage", "http://x.test/") == ([], [])
    assert feed_candidates(b"\x00\xff garbage", "http://x.test/") == []


def test_progress_line_sums_sources():
    from crawler.progress import progress_line

    stats = {"marsad/a/pages_fetched": 3, "marsad/b/pages_fetched": 2, "marsad/a/stored": 1,
             "marsad/a/dropped/boilerplate": 1, "marsad/b/failed/timeout": 2, "downloader/x": 9}
    assert progress_line(stats, 75) == "[marsad 1:15] pages 5 · articles 0 · new 1 · dropped 1 · failed 2"


def test_sitemap_window_follows_the_newest_entry():
    from crawler.spiders.outlets import window_start

    assert window_start(["2020-01-10", "2019-12-01"], 3) == "2020-01-07"
    assert window_start(["2100-01-01"], 3) < "2100-01-01"  # future dates do not move the window
    assert window_start([], 0) <= "2100-01-01"

"""The benchmark corpus generator (bench/corpus.py) writes a consistent corpus: the planned
pages exist, every page is reachable from its outlet's sitemap and paginated listing, the feed
carries the newest pages, copies carry their original's text and a reprint credit."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

from crawler.discovery import feed_candidates, sitemap_entries
from crawler.sources import load_sources
from pipelines.extract import extract_article

ROOT = Path(__file__).resolve().parents[1]


def _load_corpus_module():
    spec = importlib.util.spec_from_file_location("bench_corpus", ROOT / "bench" / "corpus.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


corpus_module = _load_corpus_module()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return corpus_module.generate(tmp_path_factory.mktemp("corpus"), pages=120, outlets=4, port=8555,
                                  copy_share=0.1, feed_size=10, per_listing=7, per_sitemap=12)


def _local(corpus, url: str) -> Path:
    outlet = next(o for o in corpus.outlets if url.startswith(o.base + "/"))
    path = url[len(outlet.base):]
    target = corpus.root / outlet.id / path.lstrip("/")
    return target / "index.html" if path.endswith("/") else target


def test_counts_and_files(corpus):
    assert len(corpus.pages) == 120
    assert len({p.url for p in corpus.pages}) == 120
    assert [o.host for o in corpus.outlets] == [f"127.0.0.{k}:8555" for k in range(2, 6)]
    copies = [p for p in corpus.pages if p.copy_of]
    assert len(copies) == 12
    for page in corpus.pages:
        assert (corpus.root / page.file).is_file()
    assert corpus.urls_file.read_text(encoding="utf-8").split() == [p.url for p in corpus.pages]
    reloaded = corpus_module.load(corpus.root)
    assert reloaded.pages == corpus.pages and reloaded.outlets == corpus.outlets


def test_sitemaps_link_every_page(corpus):
    for outlet in corpus.outlets:
        children, entries = sitemap_entries((corpus.root / outlet.id / "sitemap.xml").read_bytes(),
                                            outlet.base + "/sitemap.xml")
        assert entries == [] and len(children) >= 2
        found = set()
        for child in children:
            _, entries = sitemap_entries(_local(corpus, child).read_bytes(), child)
            found |= {e.url for e in entries}
        assert found == set(corpus.urls({outlet.id}))


def test_listings_link_every_page_through_pagination(corpus):
    sources = {s.id: s for s in load_sources(corpus.sources_file)}
    for outlet in corpus.outlets:
        source = sources[outlet.id]
        url, seen, depth = outlet.base + "/opinion/", set(), 0
        while url:
            depth += 1
            html = _local(corpus, url).read_text(encoding="utf-8")
            for href in re.findall(r'href="(/[^"]+\.html)"', html):
                assert source.is_article_path(outlet.base + href)
                seen.add(outlet.base + href)
            following = re.findall(r'<a rel="next" href="([^"]+)"', html)
            url = outlet.base + following[0] if following else None
        assert seen == set(corpus.urls({outlet.id}))
        assert depth <= source.listing_depth


def test_feed_carries_the_newest_pages(corpus):
    for outlet in corpus.outlets:
        entries = feed_candidates((corpus.root / outlet.id / "feed.xml").read_bytes(), outlet.base + "/")
        own = sorted((p for p in corpus.pages if p.outlet == outlet.id), key=lambda p: p.published, reverse=True)
        assert [e.url for e in entries] == [p.url for p in own[:10]]


def test_copies_republish_another_outlets_text_with_a_credit(corpus):
    from datetime import datetime, timezone

    by_url = {p.url: p for p in corpus.pages}
    when = datetime(2026, 11, 29, tzinfo=timezone.utc)
    for copy in [p for p in corpus.pages if p.copy_of][:3]:
        original = by_url[copy.copy_of]
        assert original.outlet != copy.outlet and original.copy_of is None
        assert _paragraphs(corpus, copy) == [*_paragraphs(corpus, original), f"نقلا عن {copy.credit}"]
        a = extract_article((corpus.root / original.file).read_bytes(), url=original.url, fetched_at=when)
        b = extract_article((corpus.root / copy.file).read_bytes(), url=copy.url, fetched_at=when)
        assert b.reprint_credit and b.reprint_credit in copy.credit
        assert a.reprint_credit is None and a.word_count >= 150


def _paragraphs(corpus, page) -> list[str]:
    from lxml import html

    body = corpus_module._body_node(html.fromstring((corpus.root / page.file).read_bytes()))
    return [p.text_content() for p in body.findall("p")]


def test_originals_differ(corpus):
    originals = [p for p in corpus.pages if not p.copy_of]
    bodies = {"\n".join(_paragraphs(corpus, page)) for page in originals}
    assert len(bodies) == len(originals)


def test_pages_weigh_what_real_pages_do_and_the_furniture_is_not_article_text(corpus, tmp_path):
    """Pages carry real sites' furniture (menus, scripts, link lists): 35-110 KB like the Arabic
    pages of ../shared/realdata (median 70 KB); extraction ignores it: the same article as on
    the light page (the templates alone)."""
    from datetime import datetime, timezone

    sizes = sorted((corpus.root / p.file).stat().st_size for p in corpus.pages)
    assert 35_000 <= sizes[len(sizes) // 2] <= 110_000
    light = corpus_module.generate(tmp_path / "light", pages=120, outlets=4, port=8555, copy_share=0.1,
                                   feed_size=10, per_listing=7, per_sitemap=12, light=True)
    assert max((light.root / p.file).stat().st_size for p in light.pages) < 20_000
    when = datetime(2026, 11, 29, tzinfo=timezone.utc)
    for page in corpus.pages[::12]:
        heavy = extract_article((corpus.root / page.file).read_bytes(), url=page.url, fetched_at=when)
        plain = extract_article((light.root / page.file).read_bytes(), url=page.url, fetched_at=when)
        assert heavy == plain


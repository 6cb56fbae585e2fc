"""Real crawls (subprocesses) against scripted local sites: politeness, safety, incremental."""

from __future__ import annotations

import json

import pytest

from pipelines.store import open_db
from tests.support.site import ROBOTS_OK, Route, Site, article_html, crawl, feed_xml, sources_toml, xml_route

pytestmark = pytest.mark.slow

PATTERN = [r"^/(\d{4}|private)/"]


def run(tmp_path, site, *settings, **fields):
    result = crawl(tmp_path, sources_toml(site, article_patterns=PATTERN, **fields), site.host, *settings)
    assert result.returncode == 0, result.stderr[-3000:]
    db = open_db(tmp_path / "crawl.db", readonly=True)
    run_counts = json.loads(db.execute("select counts from crawl_runs order by id desc limit 1").fetchone()[0])
    return db, run_counts.get("fixture", {})


def stored_paths(db) -> set[str]:
    return {r["url"].split("/", 3)[3] for r in db.query("select url from articles")}


def page_reasons(db) -> dict[str, str]:
    return {r["url"].split("/", 3)[3]: r["reason"] for r in db.query("select url, reason from fetched_pages")}


def test_conditional_get_second_run_downloads_only_the_feed(tmp_path, site):
    site.routes.update({"/robots.txt": ROBOTS_OK, "/feed.xml": xml_route(feed_xml("/2026/10/a.html"), etag='"v1"'),
                        "/2026/10/a.html": Route(body=article_html("مقال عن كازاخستان"))})
    db, counts = run(tmp_path, site, feeds=["/feed.xml"])
    assert stored_paths(db) == {"2026/10/a.html"} and counts["stored"] == 1
    db, counts = run(tmp_path, site, feeds=["/feed.xml"])
    assert counts.get("not_modified") == 1 and "stored" not in counts and "articles_fetched" not in counts
    assert site.requested("/2026/10/a.html") == 1 and site.requested("/feed.xml") == 2
    assert site.log[-1][2].get("If-None-Match") == '"v1"'


def test_known_articles_are_not_fetched_again_without_validators(tmp_path, site):
    site.routes.update({"/robots.txt": ROBOTS_OK, "/feed.xml": xml_route(feed_xml("/2026/10/a.html")),
                        "/2026/10/a.html": Route(body=article_html("مقال عن كازاخستان"))})
    run(tmp_path, site, feeds=["/feed.xml"])
    _, counts = run(tmp_path, site, feeds=["/feed.xml"])
    assert counts.get("skipped/known") == 1 and site.requested("/2026/10/a.html") == 1


def test_sitemap_index_to_news_sitemap(tmp_path, site):
    index = b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>http://{host}/news.xml</loc></sitemap></sitemapindex>'
    news = (b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
            b'<url><loc>http://{host}/2026/11/new.html</loc><news:news><news:publication_date>2100-01-01</news:publication_date></news:news></url>'
            b'<url><loc>http://{host}/2026/01/old.html</loc><news:news><news:publication_date>2020-01-01</news:publication_date></news:news></url>'
            b'</urlset>')
    site.routes.update({"/robots.txt": ROBOTS_OK, "/sitemap.xml": xml_route(index), "/news.xml": xml_route(news),
                        "/2026/11/new.html": Route(body=article_html("مقال جديد عن طاجيكستان")),
                        "/2026/01/old.html": Route(body=article_html("مقال قديم"))})
    db, counts = run(tmp_path, site, sitemaps=["/sitemap.xml"])
    assert stored_paths(db) == {"2026/11/new.html"}
    assert counts["skipped/sitemap_old"] == 1 and site.requested("/2026/01/old.html") == 0


def test_pagination_depth(tmp_path, site):
    site.routes["/robots.txt"] = ROBOTS_OK
    for n in range(1, 6):
        nxt = f'<a rel="next" href="/opinion/page/{n + 1}">التالي</a>'
        site.routes[f"/opinion/page/{n}" if n > 1 else "/opinion/"] = Route(
            body=f'<html><body><a href="/2026/10/p{n}.html">مقال</a>{nxt}</body></html>'.encode())
        site.routes[f"/2026/10/p{n}.html"] = Route(body=article_html(f"مقال رقم {n} عن قرغيزستان"))
    db, _ = run(tmp_path, site, listings=["/opinion/"], listing_depth=3)
    assert stored_paths(db) == {"2026/10/p1.html", "2026/10/p2.html", "2026/10/p3.html"}
    assert site.requested("/opinion/page/4") == 0


def test_robots_503_means_nothing_is_fetched(tmp_path, site):
    site.routes.update({"/robots.txt": Route(status=503, body=b"busy"), "/feed.xml": xml_route(feed_xml("/2026/10/a.html")),
                        "/2026/10/a.html": Route(body=article_html("مقال"))})
    db, _ = run(tmp_path, site, feeds=["/feed.xml"])
    assert {p for p, _, _ in site.log} == {"/robots.txt"}
    assert stored_paths(db) == set()


def test_robots_404_allows_everything(tmp_path, site):
    site.routes.update({"/feed.xml": xml_route(feed_xml("/private/a.html")),
                        "/private/a.html": Route(body=article_html("مقال عن تركمانستان"))})
    db, _ = run(tmp_path, site, feeds=["/feed.xml"])
    assert stored_paths(db) == {"private/a.html"}


def test_robots_disallow_is_recorded(tmp_path, site):
    site.routes.update({"/robots.txt": ROBOTS_OK, "/feed.xml": xml_route(feed_xml("/private/a.html")),
                        "/private/a.html": Route(body=article_html("مقال"))})
    db, counts = run(tmp_path, site, feeds=["/feed.xml"])
    assert page_reasons(db) == {"private/a.html": "robots_disallowed"}
    assert site.requested("/private/a.html") == 0 and counts["rejected/robots_disallowed"] == 1


def test_crawl_delay_spaces_requests(tmp_path, site):
    paths = [f"/2026/10/d{n}.html" for n in range(3)]
    site.routes.update({"/robots.txt": Route(body=b"User-agent: *\nCrawl-delay: 1\n", headers={"Content-Type": "text/plain"}),
                        "/feed.xml": xml_route(feed_xml(*paths)), **{p: Route(body=article_html("مقال")) for p in paths}})
    run(tmp_path, site, feeds=["/feed.xml"])
    times = sorted(t for p, t, _ in site.log if p in paths)
    assert len(times) == 3 and min(b - a for a, b in zip(times, times[1:])) >= 0.9


def test_429_retry_after_is_honoured(tmp_path, site):
    site.routes.update({"/robots.txt": ROBOTS_OK, "/feed.xml": xml_route(feed_xml("/2026/10/a.html")),
                        "/2026/10/a.html": [Route(status=429, headers={"Retry-After": "2"}),
                                            Route(body=article_html("مقال عن أوزبكستان"))]})
    db, _ = run(tmp_path, site, feeds=["/feed.xml"])
    times = [t for p, t, _ in site.log if p == "/2026/10/a.html"]
    assert len(times) == 2 and times[1] - times[0] >= 1.9
    assert stored_paths(db) == {"2026/10/a.html"}


@pytest.mark.parametrize("target", ["127.0.0.2:{port}", "10.0.0.1", "169.254.169.254", "[::ffff:127.0.0.1]:{port}"])
def test_redirect_to_a_private_address_is_refused(tmp_path, site, target):
    other = Site(address="127.0.0.2")
    try:
        location = "http://" + target.format(port=other.host.split(":")[1]) + "/2026/10/x.html"
        other.routes["/2026/10/x.html"] = Route(body=article_html("لا ينبغي جلبه"))
        site.routes.update({"/robots.txt": ROBOTS_OK, "/feed.xml": xml_route(feed_xml("/2026/10/a.html")),
                            "/2026/10/a.html": Route(status=302, headers={"Location": location})})
        db, _ = run(tmp_path, site, feeds=["/feed.xml"])
        assert other.log == [] and stored_paths(db) == set()
        assert page_reasons(db) == {"2026/10/a.html": "private_address"}
    finally:
        other.close()


def test_oversized_page_is_dropped_and_counted(tmp_path, site):
    site.routes.update({"/robots.txt": ROBOTS_OK, "/feed.xml": xml_route(feed_xml("/2026/10/big.html", "/2026/10/ok.html")),
                        "/2026/10/big.html": Route(body=article_html("كبير", body_paragraphs=400)),
                        "/2026/10/ok.html": Route(body=article_html("مقال عادي عن كازاخستان"))})
    db, counts = run(tmp_path, site, "DOWNLOAD_MAXSIZE=200000", "DOWNLOAD_WARNSIZE=0", feeds=["/feed.xml"])
    assert stored_paths(db) == {"2026/10/ok.html"}
    assert page_reasons(db)["2026/10/big.html"] == "too_large" and counts["rejected/too_large"] == 1


@pytest.mark.parametrize("name, codec", [
    ("windows-1256-arabic___chromium_windows-1256_with_no_encoding_specified.html", "cp1256"),
    ("iso-8859-6-arabic___chromium_ISO-8859-6_with_no_encoding_specified.html", "iso8859_6")])
def test_legacy_encodings_decode_to_arabic(tmp_path, site, realdata, name, codec):
    body = (realdata / "encoding" / name).read_bytes()
    reference = body.decode(codec)  # the page's true encoding, known from its name
    site.routes.update({"/robots.txt": ROBOTS_OK, "/feed.xml": xml_route(feed_xml("/2026/10/legacy.html")),
                        "/2026/10/legacy.html": Route(body=body, headers={"Content-Type": "text/html"})})
    db, _ = run(tmp_path, site, "MARSAD_MIN_WORDS=5", feeds=["/feed.xml"])
    rows = list(db.query("select text, language from articles"))
    assert len(rows) == 1 and rows[0]["language"] == "ar"
    words = rows[0]["text"].split()
    assert all(w in reference for w in words)


def test_feed_entries_on_another_host_name_are_candidates(tmp_path, site):
    """The feed names the same server as `localhost`, the registry as 127.0.0.1: still fetched."""
    port = site.host.split(":")[1]
    site.routes.update({"/robots.txt": ROBOTS_OK,
                        "/feed.xml": xml_route(feed_xml().replace(b"</channel>", f"<item><title>x</title><link>http://localhost:{port}/2026/10/a.html</link></item></channel>".encode())),
                        "/2026/10/a.html": Route(body=article_html("مقال عن أوزبكستان"))})
    result = crawl(tmp_path, sources_toml(site, article_patterns=PATTERN, feeds=["/feed.xml"]),
                   f"{site.host},localhost:{port}")
    assert result.returncode == 0, result.stderr[-2000:]
    db = open_db(tmp_path / "crawl.db", readonly=True)
    assert [r["url"] for r in db.query("select url from articles")] == [f"http://localhost:{port}/2026/10/a.html"]

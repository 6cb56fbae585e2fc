"""The fault matrix: every fault served by a misbehaving local site, in one real crawl.

Each fault is its own source (`f-<fault>`, so the run record counts it apart) with a feed (or
listing) that offers one good article beside the faulty page(s); three more outlets on their
own loopback addresses have a robots.txt that errors. The crawl runs twice (the second time
with --refetch, as a later crawl retrying everything). One test per fault asserts: the crawl
finished, the fault is counted under its reason in the run record (`crawl_runs.counts`, per
source) and recorded for the faulty URL in `fetched_pages` (transient faults `failed`, to be
retried; permanent ones `rejected`), no partial or faulty page is stored, the good pages are
stored once and whole (their stored text is what extraction makes of the page), and the
crawl's peak RSS stays under 400 MB. The module ends with the matrix's summary line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

import pytest

from pipelines.extract import extract_article
from pipelines.store import last_run, open_db
from tests.support.faults import (
    GzipBomb, Hang, Ledger, Reset, SlowBody, SlowHeaders, Truncated, article_page, deep_dom, measured_crawl,
)
from tests.support.site import ROBOTS_OK, Route, Site, feed_xml, sources_toml, xml_route

pytestmark = pytest.mark.slow

MAX_RSS_MB = 400
SETTINGS = ("DOWNLOAD_TIMEOUT=3", "CONCURRENT_REQUESTS=48", "CONCURRENT_REQUESTS_PER_DOMAIN=24",
            "MARSAD_PROGRESS_INTERVAL=0", "MARSAD_MAX_RETRY_AFTER=2", "DOWNLOAD_MAXSIZE=2000000",
            "DOWNLOAD_WARNSIZE=0")
GARBAGE = {"undecodable", "mojibake", "not_html", "empty", "boilerplate", "too_short", "tree_too_large"}
RECOVERED = "مقال يصل رغم العطل في تجربة"


@dataclass
class Case:
    """A fault at /<name>/fault.html (paths are relative to /<name>/), found through the feed."""

    routes: dict[str, Route | list[Route]]
    counters: dict[str, int]  # run-record counters of this source that the fault must produce
    page: tuple[str, str | set[str]] | None = None  # (status, reason(s)) recorded for fault.html
    recovered: tuple[str, int] | None = None  # (path, seed) of a page that must end up stored after all
    feed: tuple[str, ...] = ("fault.html",)  # the fault's entries in the feed
    discovery: dict[str, list[str]] = field(default_factory=dict)  # extra discovery pages


def redirects(hops: int, final: str) -> dict[str, Route]:
    """fault.html -> fault.html.hop1 -> ... -> `final`, `hops` redirects (relative Locations)."""
    chain = ["fault.html"] + [f"fault.html.hop{n}" for n in range(1, hops)]
    return {p: Route(status=302, headers={"Location": nxt}) for p, nxt in zip(chain, chain[1:] + [final])}


def recovered(seed: int, **headers) -> Route:
    page = article_page(f"{RECOVERED} {seed}", seed)
    return Route(body=page, headers={"Content-Type": "text/html; charset=utf-8", **headers})


def cp1256_lying() -> Route:
    page = article_page(f"{RECOVERED} 14", 14, charset="cp1256").replace(b'charset="cp1256"', b'charset="utf-8"')
    return Route(body=page, headers={"Content-Type": "text/html; charset=utf-8"})


CASES: dict[str, Case] = {
    "http_500": Case({"fault.html": Route(status=500, body=b"oops")}, {"failed/http_5xx": 1}, ("failed", "http_5xx")),
    "http_503": Case({"fault.html": Route(status=503, body=b"busy")}, {"failed/http_5xx": 1}, ("failed", "http_5xx")),
    "http_503_retry_after_then_ok": Case(
        {"fault.html": [Route(status=503, headers={"Retry-After": "1"}), recovered(7)]},
        {"stored": 2}, ("article", None), recovered=("fault.html", 7)),
    "http_429_retry_after_beyond_cap": Case(
        {"fault.html": Route(status=429, headers={"Retry-After": "3600"})}, {"failed/http_429": 1},
        ("failed", "http_429")),
    "slow_headers": Case({"fault.html": SlowHeaders(interval=0.5, lines=14)}, {"failed/timeout": 1},
                         ("failed", "timeout")),
    "slow_body": Case({"fault.html": SlowBody(article_page("بطيء", 3), interval=0.5, chunk=250)},
                      {"failed/timeout": 1}, ("failed", "timeout")),
    "no_answer": Case({"fault.html": Hang(seconds=5)}, {"failed/timeout": 1}, ("failed", "timeout")),
    "truncated_lying_content_length": Case({"fault.html": Truncated(article_page("مبتور", 4), keep=0.6)},
                                           {"failed/truncated": 1}, ("failed", "truncated")),
    "connection_reset": Case({"fault.html": Reset()}, {"failed/connection": 1}, ("failed", "connection")),
    "connection_reset_mid_headers": Case({"fault.html": Reset(partial=b"HTTP/1.1 200 OK\r\nContent-Ty")},
                                         {"failed/connection": 1}, ("failed", "connection")),
    "redirect_loop": Case({"fault.html": Route(status=302, headers={"Location": "fault-b.html"}),
                           "fault-b.html": Route(status=302, headers={"Location": "fault.html"})},
                          {"failed/too_many_redirects": 2}, ("failed", "too_many_redirects"),
                          feed=("fault.html", "fault-b.html")),
    "redirect_chain_too_long": Case({**redirects(8, "end.html"), "end.html": Route(body=article_page("نهاية", 9))},
                                    {"failed/too_many_redirects": 1}, ("failed", "too_many_redirects")),
    "redirect_chain_within_limit": Case({**redirects(3, "end.html"), "end.html": recovered(11)},
                                        {"stored": 2}, ("article", None), recovered=("end.html", 11)),
    "gzip_bomb": Case({"fault.html": GzipBomb(256)}, {"rejected/too_large": 1}, ("rejected", "too_large")),
    "oversized_page": Case({"fault.html": Route(body=article_page("ضخم", 5, paragraphs=6000))},
                           {"rejected/too_large": 1}, ("rejected", "too_large")),
    "wrong_content_type": Case(
        {"fault.html": Route(body=article_page("ملف", 6), headers={"Content-Type": "application/pdf"})},
        {"dropped/not_html": 1}, ("rejected", "not_html")),
    "binary_garbage": Case({"fault.html": Route(body=bytes(range(256)) * 300)}, {}, ("rejected", GARBAGE)),
    "zero_length_200": Case({"fault.html": Route(body=b"")}, {"dropped/empty": 1}, ("rejected", "empty")),
    "invalid_charset_declared": Case({"fault.html": recovered(12, **{"Content-Type": "text/html; charset=x-no-such"})},
                                     {"stored": 2}, ("article", None), recovered=("fault.html", 12)),
    "lying_charset_latin1_for_utf8": Case(
        {"fault.html": recovered(13, **{"Content-Type": "text/html; charset=iso-8859-1"})},
        {"stored": 2}, ("article", None), recovered=("fault.html", 13)),
    "lying_charset_utf8_for_cp1256": Case({"fault.html": cp1256_lying()}, {"stored": 2}, ("article", None),
                                          recovered=("fault.html", 14)),
    "pathologically_deep_dom": Case({"fault.html": Route(body=deep_dom(100_000))}, {},
                                    ("rejected", {"tree_too_large", "boilerplate", "too_short", "not_html"})),
    "feed_500": Case({"broken.xml": Route(status=500)}, {"discovery_failed/http_5xx": 1}, feed=(),
                     discovery={"feeds": ["broken.xml"]}),
    "feed_no_answer": Case({"broken.xml": Hang(seconds=5)}, {"discovery_failed/timeout": 1}, feed=(),
                           discovery={"feeds": ["broken.xml"]}),
    "feed_binary_garbage": Case({"broken.xml": Route(body=bytes(range(256)) * 40)}, {"pages_fetched": 3},
                                feed=(), discovery={"feeds": ["broken.xml"]}),
    "sitemap_garbage": Case(
        {"broken.xml": xml_route(b"<?xml version='1.0'?><urlset><url><loc>" + bytes(range(1, 256)) * 20)},
        {"pages_fetched": 3}, feed=(), discovery={"sitemaps": ["broken.xml"]}),
}
LISTINGS = {"infinite_pagination": ("page/{n}", 400, 3), "calendar_trap": ("archive/day-{n}", 300, 2)}
ROBOTS = {"robots_http_500": Route(status=500), "robots_reset": Reset(), "robots_no_answer": Hang(seconds=5)}


def good_title(name: str) -> str:
    return f"مقال سليم في تجربة {name}"


def extracted_text(page: bytes, url: str) -> str:
    """What extraction makes of the page as served (with the charset its server declares)."""
    declared = "x-no-such" if "/invalid_charset" in url else "iso-8859-1" if "/lying_charset_latin1" in url else "utf-8"
    return extract_article(page, url=url, fetched_at=datetime.now(timezone.utc), header_charset=declared).text


@dataclass
class Matrix:
    host: str
    expected: dict[str, tuple[str, bytes]]  # url -> (title, page) of every article to be stored
    runs: list[dict]  # the two crawls' run records
    peak_rss_mb: list[float]
    pages: dict[str, tuple[str, str]]  # path -> (status, reason) after the first crawl
    rows: list[tuple[str, str, str]]  # (url, title, text) after both crawls
    integrity: str
    site_logs: dict[str, list[str]]  # outlet -> paths requested
    robots_hosts: dict[str, str]

    def counts(self, source: str, run: int = 0) -> dict[str, int]:
        return self.runs[run]["counts"].get(source, {})


def build_site(site: Site) -> tuple[str, dict[str, tuple[str, bytes]]]:
    """Routes and sources of every feed- and listing-discovered fault on one site."""
    sources, expected = [], {}
    for n, (name, case) in enumerate(CASES.items()):
        base = f"/{name}/"
        title = good_title(name)
        good = article_page(title, seed=100 + n)
        site.routes[base + "good.html"] = Route(body=good)
        expected[f"http://{site.host}{base}good.html"] = (title, good)
        for path, route in case.routes.items():
            site.routes[base + path] = list(route) if isinstance(route, list) else route
        site.routes[base + "feed.xml"] = xml_route(feed_xml(base + "good.html", *(base + p for p in case.feed)))
        if case.recovered:
            path, seed = case.recovered
            final = case.routes[path]
            final = final[-1] if isinstance(final, list) else final
            expected[f"http://{site.host}{base}{path}"] = (f"{RECOVERED} {seed}", final.body)
        discovery = {key: [base + p for p in paths] for key, paths in case.discovery.items()}
        discovery.setdefault("feeds", []).append(base + "feed.xml")
        sources.append(sources_toml(site, f"f-{name}", **discovery))
    for n, (name, (pattern, made, depth)) in enumerate(LISTINGS.items()):
        base = f"/{name}/"
        for k in range(1, made + 1):
            article = f"{base}2026/a{k}.html"
            title = f"{good_title(name)} رقم {k}"
            site.routes[article] = Route(body=article_page(title, seed=500 + 50 * n + k))
            nxt = base + pattern.format(n=k + 1)
            site.routes[base + pattern.format(n=k)] = Route(
                body=f'<html><body><a href="{article}">مقال</a> <a rel="next" href="{nxt}">التالي</a></body></html>'.encode())
            if k <= depth:
                expected[f"http://{site.host}{article}"] = (title, site.routes[article].body)
        sources.append(sources_toml(site, f"f-{name}", listings=[base + pattern.format(n=1)], listing_depth=depth,
                                    article_patterns=[f"^{base}2026/"]))
    return "".join(sources), expected


@pytest.fixture(scope="module")
def matrix(tmp_path_factory, request) -> Matrix:
    """Serve the matrix, crawl it twice, and collect what the tests look at."""
    tmp = tmp_path_factory.mktemp("faults")
    site = Site()
    closed = Site()
    refused_port = closed.host.split(":")[1]
    closed.close()  # nothing listens there any more: connection refused
    robots_sites = {name: Site(address=f"127.0.0.{n + 2}") for n, name in enumerate(ROBOTS)}
    try:
        sources, expected = build_site(site)
        # connection refused: an entry on the same host name, on a port where nothing listens
        site.routes["/connection_refused/feed.xml"] = xml_route(feed_xml(
            "/connection_refused/good.html", f"http://127.0.0.1:{refused_port}/connection_refused/fault.html"))
        title = good_title("connection_refused")
        site.routes["/connection_refused/good.html"] = Route(body=article_page(title, seed=900))
        expected[f"http://{site.host}/connection_refused/good.html"] = (title, site.routes["/connection_refused/good.html"].body)
        sources += sources_toml(site, "f-connection_refused", feeds=["/connection_refused/feed.xml"])
        for name, other in robots_sites.items():
            other.routes.update({"/robots.txt": ROBOTS[name], "/feed.xml": xml_route(feed_xml("/x.html")),
                                 "/x.html": Route(body=article_page("لا يجلب", 31))})
            sources += sources_toml(other, f"f-{name}", feeds=["/feed.xml"])
        site.routes["/robots.txt"] = ROBOTS_OK
        allowed = ",".join([site.host, f"127.0.0.1:{refused_port}", *(s.host for s in robots_sites.values())])
        runs, rss = [], []
        for extra in ((), ("MARSAD_REFETCH=True",)):
            result = measured_crawl(tmp, sources, allowed, *SETTINGS, *extra, timeout=180)
            assert result.returncode == 0, result.stderr[-3000:]
            rss.append(result.peak_rss_mb)
            db = open_db(tmp / "crawl.db", readonly=True)
            runs.append(last_run(db))
            assert runs[-1] is not None, "the crawl left no run record"
            if not extra:
                pages = {url.split("/", 3)[3]: (status, reason) for url, status, reason in
                         db.execute("select url, status, reason from fetched_pages")}
            db.close()
        db = open_db(tmp / "crawl.db", readonly=True)
        rows = list(db.execute("select url, title, text from articles"))
        integrity = db.execute("pragma integrity_check").fetchone()[0]
        db.close()
        logs = {name: [p for p, _, _ in s.log] for name, s in robots_sites.items()}
        logs["site"] = [p for p, _, _ in site.log]
        return Matrix(site.host, expected, runs, rss, pages, rows, integrity, logs,
                      {name: s.host for name, s in robots_sites.items()})
    finally:
        site.close()
        for other in robots_sites.values():
            other.close()


@pytest.fixture(scope="module", autouse=True)
def matrix_summary(request):
    """After the module: the summary line (through the terminal reporter, shown with or without
    -s) and the promise over the whole matrix: nothing lost, nothing duplicated."""
    ledger = Ledger()
    request.module.LEDGER = ledger
    yield ledger
    line = "fault matrix: " + ledger.summary()
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write("\n")
            reporter.write_line(line, bold=True)
    else:  # pragma: no cover - terminal or capture plugin disabled
        print(line)
    if ledger.crawls:
        assert ledger.lost == 0 and ledger.duplicated == 0, f"{line}; lost: {ledger.lost_titles}"


@pytest.fixture(scope="module")
def tallied(matrix, matrix_summary) -> Matrix:
    """The matrix, counted once in the ledger."""
    faults = len(CASES) + len(LISTINGS) + len(ROBOTS) + 1  # + connection refused
    matrix_summary.add(faults, {t for t, _ in matrix.expected.values()}, [r[1] for r in matrix.rows],
                       max(matrix.peak_rss_mb))
    matrix_summary.crawls += len(matrix.runs) - 1
    return matrix


def assert_crawl_sound(matrix: Matrix, name: str) -> None:
    """Shared by every fault: the crawls finished within memory, and this fault's good pages
    (and nothing else from its folder) are stored once and whole."""
    for run in matrix.runs:
        assert run["status"] == "finished" and run["finish_reason"] == "finished", run
    assert matrix.integrity == "ok"
    assert max(matrix.peak_rss_mb) < MAX_RSS_MB, f"crawl peak RSS {matrix.peak_rss_mb} MB"
    mine = {url: v for url, v in matrix.expected.items() if f"/{name}/" in url}
    stored = [(url, title, text) for url, title, text in matrix.rows if f"/{name}/" in url]
    assert sorted(t for _, t, _ in stored) == sorted(t for t, _ in mine.values()), "stored pages differ from good ones"
    for url, (title, page) in mine.items():
        texts = [text for _, t, text in stored if t == title]
        assert texts == [extracted_text(page, url)], f"{url} stored partially or more than once"


@pytest.mark.parametrize("name", list(CASES))
def test_fault(tallied, name):
    case = CASES[name]
    counts = tallied.counts(f"f-{name}")
    assert_crawl_sound(tallied, name)
    for counter, value in case.counters.items():
        assert counts.get(counter) == value, (counter, counts)
    if case.page is not None:
        status, reason = tallied.pages[f"{name}/fault.html"]
        want_status, want = case.page
        assert status == want_status, (status, reason)
        assert (reason in want) if isinstance(want, set) else reason == want, (reason, want)
        if status == "rejected" and isinstance(want, set):  # counted under the reason recorded
            assert counts.get(f"dropped/{reason}") == 1, counts
        if status == "failed":  # transient: retried by the next crawl (--refetch), failing alike
            assert tallied.counts(f"f-{name}", run=1).get(f"failed/{reason}") == case.counters.get(f"failed/{reason}")


@pytest.mark.parametrize("name", list(LISTINGS))
def test_endless_listing_stops_at_depth(tallied, name):
    pattern, made, depth = LISTINGS[name]
    assert_crawl_sound(tallied, name)
    assert tallied.counts(f"f-{name}").get("skipped/listing_depth") == 1
    listing_pages = [f"/{name}/" + pattern.format(n=k) for k in range(1, made + 1)]
    requested = [p for p in listing_pages if p in tallied.site_logs["site"]]
    assert requested == listing_pages[:depth]


def test_connection_refused(tallied):
    """Nothing listens on the port: its robots.txt cannot be fetched, so (RFC 9309) the page is
    not fetched; recorded as a transient failure under that reason."""
    assert_crawl_sound(tallied, "connection_refused")
    counts = tallied.counts("f-connection_refused")
    assert counts.get("failed/robots_unavailable") == 1, counts
    assert tallied.pages["connection_refused/fault.html"] == ("failed", "robots_unavailable")


@pytest.mark.parametrize("name", list(ROBOTS))
def test_robots_txt_that_errors(tallied, name):
    """Nothing but robots.txt is fetched from the outlet; its discovery is counted as refused."""
    assert tallied.site_logs[name] and set(tallied.site_logs[name]) == {"/robots.txt"}
    assert tallied.counts(f"f-{name}").get("discovery_failed/robots_unavailable") == 1
    assert not [row for row in tallied.rows if tallied.robots_hosts[name] in row[0]]


def test_second_crawl_duplicates_nothing_and_recovers(tallied):
    """The --refetch crawl fetches every good page again: each is `already_stored`, none new."""
    second = tallied.runs[1]["counts"]
    assert sum(c.get("stored", 0) for c in second.values()) == 0, second
    assert sum(c.get("already_stored", 0) for c in second.values()) == len(tallied.expected)
    assert len(tallied.rows) == len({url for url, _, _ in tallied.rows}) == len(tallied.expected)

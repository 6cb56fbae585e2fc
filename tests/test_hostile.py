"""Hostile input: property tests (hypothesis) over every stage that reads what a site sends or
an analyst types, and SSRF attempts through every way a URL reaches the crawler.

Promise: never a crash, always a result or a counted `Rejected`; nothing fetched from a private,
loopback, link-local or otherwise internal address, however it is written.
"""

from __future__ import annotations

import csv
import io
import ipaddress
import json
import logging
from datetime import datetime, timezone

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from crawler.discovery import Candidate, feed_candidates, sitemap_entries
from crawler.middlewares import UnsafeTarget, check_url
from pipelines.classify import classify
from pipelines.export import BOM, COLUMN_NAMES, EXCEL_CELL_LIMIT, csv_cells, export_record, write_csv
from pipelines.extract import Extraction, ExtractSettings, extract_article
from pipelines.rejections import Rejected
from pipelines.urls import canonical_url

FETCHED = datetime(2026, 10, 20, tzinfo=timezone.utc)
BIDI = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
MIXED = ("كازاخستان أوزبكستان قرغيزستان طاجيكستان تركمانستان آسيا الوسطى مقال رأي ـ ً ٌ ٍ َ ُ ِ ّ ْ ١٢٣ "
         "پچژگ Казахстан Ўзбекистон Kazakhstan 漢字 🙂 ﷺ ﻻ =+-@\t\r\n<>&\"'")
FORMULA = "=+-@\t\r\n\uff1d\uff0b\uff0d\uff20"

# Text with bidi controls, zero-width characters and mixed scripts, plus anything else.
hostile_text = st.text(
    alphabet=st.one_of(st.sampled_from(BIDI + ZERO_WIDTH + MIXED), st.characters(codec="utf-8")), max_size=400)
arabic_words = st.lists(st.sampled_from(MIXED.split() + list(BIDI + ZERO_WIDTH)), min_size=0, max_size=120).map(" ".join)

PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FAST_PROPERTY = settings(max_examples=150, deadline=None)

TAGS = ["div", "p", "article", "main", "section", "span", "h1", "h2", "a", "table", "tr", "td", "ul", "li",
        "script", "style", "noscript", "template", "iframe", "svg", "math", "title", "meta", "br", "img", "form"]


def _element(children):
    attrs = st.lists(st.tuples(st.sampled_from(["class", "id", "lang", "dir", "charset", "content", "name",
                                                "property", "href", "itemprop", "style", "onload"]),
                               hostile_text), max_size=3)
    return st.builds(
        lambda tag, attrs, kids, close: (
            f"<{tag}" + "".join(f' {k}="{v.replace(chr(34), "&quot;")}"' for k, v in attrs) + ">"
            + "".join(kids) + (f"</{tag}>" if close else "")),
        st.sampled_from(TAGS), attrs, st.lists(children, max_size=5), st.booleans())


html_fragment = st.recursive(st.one_of(hostile_text, arabic_words), _element, max_leaves=40)


@st.composite
def html_documents(draw) -> bytes:
    """A random page: maybe a doctype and head, random markup, a random encoding, maybe mangled."""
    head = draw(st.sampled_from(["", "<!doctype html>", "<?xml version='1.0' encoding='utf-16'?>"]))
    charset = draw(st.sampled_from(["", "utf-8", "windows-1256", "iso-8859-6", "utf-16", "x-nonsense", "utf-7"]))
    meta = f'<meta charset="{charset}">' if charset and draw(st.booleans()) else ""
    text = f"{head}<html lang='{draw(st.sampled_from(['ar', 'en', '', 'ar-SA']))}'><head>{meta}<title>" \
           f"{draw(hostile_text)}</title></head><body>{draw(html_fragment)}</body></html>"
    encoding = draw(st.sampled_from(["utf-8", "cp1256", "utf-16", "latin-1", "utf-8-sig"]))
    body = text.encode(encoding, errors="replace")
    cut = draw(st.one_of(st.none(), st.integers(0, len(body))))
    return body[:cut] if cut is not None else body


def _extract_or_reject(body: bytes, **kwargs) -> Extraction | Rejected:
    try:
        result = extract_article(body, url="http://example.org/2026/10/x.html", fetched_at=FETCHED, **kwargs)
    except Rejected as exc:
        assert exc.reason in {"too_large", "not_html", "empty", "undecodable", "mojibake", "tree_too_large",
                              "boilerplate", "too_short"}, exc.reason
        return exc
    assert isinstance(result.text, str) and result.word_count == len(result.text.split())
    assert result.published_at is None or result.published_at[:10] <= FETCHED.date().isoformat()
    return result


@PROPERTY
@given(html_documents(), st.sampled_from([None, "utf-8", "windows-1256", "x-bogus", "iso-8859-1", ""]),
       st.sampled_from([None, "text/html", "application/xhtml+xml", "text/html; charset=utf-16", "image/png"]))
def test_extract_random_html(body, header_charset, content_type):
    _extract_or_reject(body, header_charset=header_charset, content_type=content_type)


@PROPERTY
@given(st.binary(max_size=20_000))
def test_extract_random_bytes(body):
    _extract_or_reject(body)


@PROPERTY
@given(st.lists(arabic_words, min_size=3, max_size=8))
def test_extract_and_classify_hostile_articles(paragraphs):
    """Pages long enough to pass the gates, their text full of bidi and zero-width characters:
    extraction gives an article or a rejection, classification a well-formed verdict."""
    body = ("<html lang='ar'><head><meta charset='utf-8'><title>عنوان</title></head><body><article>"
            + "".join(f"<p>{p}</p>" for p in paragraphs) + "</article></body></html>").encode()
    result = _extract_or_reject(body, settings=ExtractSettings(min_words=5))
    if isinstance(result, Extraction):
        _check_classification(result.text, result.title or "")


def _check_classification(text: str, title: str) -> None:
    verdict = classify(text, title=title, url="http://example.org/opinion/x")
    assert verdict.genre in {"opinion", "news", "other"}
    assert set(verdict.countries) <= {"KZ", "UZ", "KG", "TJ", "TM"}
    assert 0.0 <= verdict.relevance <= 1.0 and 0.0 <= verdict.language_confidence <= 1.0
    assert isinstance(verdict.language, str) and verdict.language
    json.dumps(verdict.evidence, ensure_ascii=False)  # evidence is stored as JSON
    assert classify(text, title=title, url="http://example.org/opinion/x") == verdict  # deterministic


@PROPERTY
@given(hostile_text, hostile_text)
def test_classify_random_unicode(text, title):
    _check_classification(text, title)


# --- canonicalisation ----------------------------------------------------------------------

hosts = st.one_of(
    st.sampled_from(["example.org", "WWW.Example.ORG", "m.example.org", "amp.example.org", "xn--mgbh0fb.xn--kgbechtv",
                     "مثال.إختبار", "127.0.0.1", "[::1]", "[::ffff:10.0.0.1]", "2130706433", "0x7f.1", "a\u202eb.com",
                     "example.org:8080", "example.org:0"]),
    st.from_regex(r"[a-z0-9][a-z0-9-]{0,20}(\.[a-z]{2,6}){1,2}", fullmatch=True))
segments = st.lists(st.one_of(hostile_text.map(lambda t: t.replace("/", "").replace("?", "").replace("#", "")),
                              st.sampled_from(["amp", "%D9%85%D9%82%D8%A7%D9%84", "..", ".", "%zz", "a%2Fb"])), max_size=5)
queries = st.lists(st.tuples(st.sampled_from(["utm_source", "id", "page", "fbclid", "q", "ref", "x", "s"]),
                             hostile_text.map(lambda t: t.replace("&", "").replace("#", ""))), max_size=4)


@st.composite
def urls(draw) -> str:
    query = "&".join(f"{k}={v}" for k, v in draw(queries))
    return (f"{draw(st.sampled_from(['http', 'https', 'HTTP']))}://{draw(hosts)}/" + "/".join(draw(segments))
            + (f"?{query}" if query else "") + draw(st.sampled_from(["", "#frag", "#", "/"])))


@FAST_PROPERTY
@given(urls())
def test_canonical_url_of_hostile_urls(url):
    """A result for every well-formed URL, never with a fragment or a tracking parameter, the
    same for the URL's fragment-less and tracking-tagged variants. (Stability under a second
    application is tested below.)"""
    key = canonical_url(url)
    assert isinstance(key, str) and "#" not in key
    base = url.split("#", 1)[0]
    tagged = base + ("&" if "?" in base else "?") + "utm_source=x&fbclid=y"
    assert canonical_url(tagged) == key
    assert "utm_source=" not in key and "fbclid=" not in key


@pytest.mark.parametrize("url", ["http://example.org//", "http://example.org///amp", "http://example.org/;/"])
def test_canonical_url_is_stable(url):
    key = canonical_url(url)
    assert canonical_url(key) == key


@FAST_PROPERTY
@given(urls())
def test_canonical_url_is_a_fixed_point(url):
    key = canonical_url(url)
    assert canonical_url(key) == key


@FAST_PROPERTY
@given(st.one_of(hostile_text, urls().map(lambda u: u.replace("://", "://[", 1))))
def test_canonical_url_of_any_string_is_a_result_or_a_value_error(text):
    """Arbitrary strings (malformed hosts and ports included) give a string or ValueError (which
    the spider counts as skipped/bad_url); never another exception."""
    try:
        assert isinstance(canonical_url(text), str)
    except ValueError:
        pass


# --- discovery -----------------------------------------------------------------------------

links = st.one_of(urls(), hostile_text, st.sampled_from(["http://[::1/x", "http://a:99999/x", "http://a:-1/",
                                                         "javascript:alert(1)", "file:///etc/passwd", "//evil.org/x"]))


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;")


@PROPERTY
@given(st.lists(links, max_size=6), st.sampled_from(["rss", "atom"]))
def test_feed_with_hostile_links(entries, kind):
    if kind == "rss":
        items = "".join(f"<item><title>{_escape(e)}</title><link>{_escape(e)}</link></item>" for e in entries)
        body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'
    else:
        items = "".join(f'<entry><title>t</title><link href="{_escape(e).replace(chr(34), "&quot;")}"/></entry>'
                        for e in entries)
        body = f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">{items}</feed>'
    found = feed_candidates(body.encode("utf-8", errors="replace"), "http://example.org/feed")
    assert len(found) <= len(entries)
    for candidate in found:
        canonical_url(candidate.url)  # every candidate can be keyed (the spider relies on it)


@PROPERTY
@given(st.lists(links, max_size=6), st.lists(links, max_size=3))
def test_sitemap_with_hostile_links(entries, children):
    body = ('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            + "".join(f"<url><loc>{_escape(e)}</loc><lastmod>{_escape(e)}</lastmod></url>" for e in entries)
            + "".join(f"<sitemap><loc>{_escape(c)}</loc></sitemap>" for c in children) + "</urlset>")
    kids, found = sitemap_entries(body.encode("utf-8", errors="replace"), "http://example.org/sitemap.xml")
    assert len(kids) <= len(children) and len(found) <= len(entries)
    for url in [*kids, *(c.url for c in found)]:
        canonical_url(url)


@PROPERTY
@given(st.binary(max_size=5000))
def test_discovery_random_bytes(body):
    assert isinstance(feed_candidates(body, "http://example.org/feed"), list)
    kids, found = sitemap_entries(body, "http://example.org/sitemap.xml")
    assert isinstance(kids, list) and isinstance(found, list)


def test_sitemap_entity_expansion_and_external_entities_are_not_followed(tmp_path):
    """Billion laughs and XXE in a sitemap: nothing expanded, no local file read (libxml2 stops
    a document that tries to amplify; an external entity is left unresolved, the rest is read)."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    laughs = "".join(f'<!ENTITY l{n} "{"&l%d;" % (n - 1) * 10}">' for n in range(1, 10))
    for dtd, ref, rest_kept in [(f'<!ENTITY l0 "ha">{laughs}', "&l9;", False),
                                (f'<!ENTITY xxe SYSTEM "file://{secret}">', "&xxe;", True)]:
        body = (f'<?xml version="1.0"?><!DOCTYPE u [{dtd}]>'
                '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<url><loc>http://example.org/a{ref}</loc></url>"
                "<url><loc>http://example.org/ok</loc></url></urlset>").encode()
        _, found = sitemap_entries(body, "http://example.org/sitemap.xml")
        assert [c.url for c in found][:1] == ["http://example.org/a"]  # the reference is not expanded
        assert all(len(c.url) < 100 and "TOP-SECRET" not in c.url for c in found)
        assert ("http://example.org/ok" in [c.url for c in found]) == rest_kept
        feed = feed_candidates(body.replace(b"urlset", b"rss"), "http://example.org/feed")
        assert all(len(c.url) < 100 and "TOP-SECRET" not in c.url for c in feed)


def test_feed_internal_subset_is_removed_before_parsing():
    """feedparser's expat would expand a feed's entity declarations up to its amplification
    limit (seconds and ~100 MB per feed): the internal subset goes, a plain DOCTYPE stays."""
    from crawler.discovery import without_internal_subset

    laughs = "".join(f'<!ENTITY l{n} "{"&l%d;" % (n - 1) * 10}">' for n in range(1, 10))
    body = (f'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY l0 "ha">{laughs}]  >'
            '<rss version="2.0"><channel><item><link>http://example.org/a&l9;</link></item>'
            "<item><link>http://example.org/b</link></item></channel></rss>").encode()
    cleaned = without_internal_subset(body)
    assert b"<!ENTITY" not in cleaned and cleaned.startswith(b'<?xml version="1.0"?>\n<rss version="2.0">')
    assert [c.url for c in feed_candidates(body, "http://example.org/")][-1] == "http://example.org/b"
    plain = b'<?xml version="1.0"?><!DOCTYPE rss PUBLIC "-//Netscape//DTD RSS 0.91//EN" "x.dtd"><rss/>'
    assert without_internal_subset(plain) == plain
    assert without_internal_subset(b"<rss>[not a doctype]></rss>") == b"<rss>[not a doctype]></rss>"


# --- CSV export ----------------------------------------------------------------------------

def _first_visible(cell: str) -> str:
    stripped = cell.lstrip(" \t\r\n\u00a0" + BIDI + ZERO_WIDTH)
    return stripped[:1]


@PROPERTY
@given(st.fixed_dictionaries({
    "id": st.integers(1, 10**9), "url": hostile_text, "title": hostile_text, "source_id": hostile_text,
    "author": st.one_of(st.none(), hostile_text), "published_at": st.one_of(st.none(), hostile_text),
    "countries": st.lists(st.sampled_from(["KZ", "UZ", "KG", "TJ", "TM"]), max_size=3),
    "outlets": st.lists(st.from_regex(r"[a-z0-9][a-z0-9_-]{0,11}", fullmatch=True), max_size=3), "genre": hostile_text, "relevance": st.floats(0, 1),
    "relevant": st.booleans(), "syndicated_from": st.one_of(st.none(), hostile_text),
    "text": st.one_of(hostile_text, st.text(min_size=0, max_size=40).map(lambda t: t * 1000)),
}))
def test_csv_export_neutralises_formulas_and_round_trips(row):
    out = io.StringIO(newline="")
    assert write_csv([row], out) == 1
    written = out.getvalue()
    assert written.startswith(BOM)
    parsed = list(csv.reader(io.StringIO(written[len(BOM):], newline="")))
    assert parsed[0] == list(COLUMN_NAMES) and len(parsed) == 2
    assert parsed[1] == csv_cells(export_record(row))
    for name, cell in zip(COLUMN_NAMES, parsed[1]):
        assert len(cell) <= EXCEL_CELL_LIMIT
        if cell and not cell.startswith("'"):
            assert _first_visible(cell) not in FORMULA or _first_visible(cell) == "", (name, cell[:40])


def test_csv_list_cells_are_neutralised_too():
    cells = csv_cells(export_record({"countries": ["=1+1"], "outlets": ["-x"], "text": "x"}))  # "-x": a valid registry id
    for name in ("countries", "outlets"):
        assert cells[COLUMN_NAMES.index(name)].startswith("'")


# --- full-text search queries ----------------------------------------------------------------

@pytest.fixture(scope="module")
def fts_db(tmp_path_factory):
    from pipelines.store import open_db, upsert_article

    db = open_db(tmp_path_factory.mktemp("hostile") / "search.db")
    upsert_article(db, {"url": "http://example.org/a", "canonical_url": "http://example.org/a", "source_id": "s",
                        "title": "مقال عن كازاخستان", "text": "نص عن آسيا الوسطى وكازاخستان " * 20,
                        "content_hash": "h1", "relevant": True, "countries": ["KZ"], "genre": "opinion",
                        "language": "ar", "fetched_at": "2026-10-10T00:00:00+00:00"})
    yield db
    db.close()


@FAST_PROPERTY
@given(st.one_of(hostile_text, st.lists(st.sampled_from(['"', "(", ")", "OR", "AND", "NOT", "-", "*", "^", ":",
                                                         "NEAR", "title:", "{", "}", "كازاخستان", "'", ";", "--",
                                                         "drop", "table", "\x00"]), max_size=8).map(" ".join)))
def test_search_query_injection(fts_db, query):
    """Whatever an analyst types: a parsed query that SQLite accepts and that finds only
    articles, or a QuerySyntaxError; never an SQL error and never a change to the database."""
    from pipelines.fts import QuerySyntaxError, parse_query
    from pipelines.read import search

    try:
        parsed = parse_query(query)
    except QuerySyntaxError:
        return
    results = search(fts_db, parsed)
    assert all(isinstance(r["id"], int) for r in results)
    assert fts_db.execute("select count(*) from articles").fetchone()[0] == 1


# --- secrets -------------------------------------------------------------------------------

def test_webhook_token_never_logged_or_stored(tmp_path, caplog):
    """A watch whose webhook fails: the log and the stored error name the host, not the token."""
    from pipelines.store import add_watch, open_db, upsert_article
    from pipelines.watch import dispatch

    token = "s3cr3t-TOKEN-0123456789"
    webhook = f"http://127.0.0.1:9/hooks/{token}?key={token}"
    db = open_db(tmp_path / "w.db")
    upsert_article(db, {"url": "http://example.org/a", "canonical_url": "http://example.org/a", "source_id": "s",
                        "title": "كازاخستان اليوم", "text": "مقال عن كازاخستان " * 40, "content_hash": "h",
                        "relevant": True, "countries": ["KZ"], "genre": "opinion", "language": "ar",
                        "fetched_at": "2026-10-10T00:00:00+00:00"})
    add_watch(db, "kz", "كازاخستان", webhook=webhook, out_dir=str(tmp_path / "out"), backfill=True)
    db.close()
    with caplog.at_level(logging.DEBUG):
        dispatch(tmp_path / "w.db", check=lambda url: None, attempts=2, backoff=0.0, timeout=1.0)
    db = open_db(tmp_path / "w.db", readonly=True)
    errors = [row[0] for row in db.execute("select webhook_error from watch_hits")]
    db.close()
    assert errors and all(e for e in errors)  # the failure is recorded ...
    assert token not in caplog.text and all(token not in e for e in errors)  # ... without the token
    assert "127.0.0.1" in caplog.text


# --- SSRF ------------------------------------------------------------------------------------

INTERNAL = [
    "http://127.0.0.1/", "http://127.1/", "http://0x7f000001/", "http://2130706433/", "http://017700000001/",
    "http://0177.0.0.1/", "http://0/", "http://0.0.0.0/", "http://localhost/", "http://[::1]/", "http://[::]/",
    "http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]/", "http://[0:0:0:0:0:ffff:a00:1]/",
    "http://10.0.0.1/", "http://172.16.5.4/", "http://192.168.1.1/", "http://169.254.169.254/latest/meta-data/",
    "http://[fe80::1]/", "http://[fc00::1]/", "http://[fd12:3456::1]/", "http://100.64.0.1/",
    "http://224.0.0.1/", "http://255.255.255.255/", "http://[64:ff9b::7f00:1]/", "http://3232235777/",
    "http://0xa9fea9fe/", "http://LOCALHOST/", "http://0x7f.0x0.0x0.0x1/",
]
UNSAFE_SCHEMES = ["file:///etc/passwd", "gopher://127.0.0.1:70/", "ftp://example.org/", "data:text/html,x",
                  "javascript:alert(1)", "dict://127.0.0.1:11211/"]


@pytest.mark.parametrize("url", INTERNAL)
def test_internal_addresses_refused(url):
    with pytest.raises(UnsafeTarget) as refused:
        check_url(url, frozenset())
    assert refused.value.reason == "private_address"


@pytest.mark.parametrize("url", UNSAFE_SCHEMES)
def test_unsafe_schemes_refused(url):
    with pytest.raises(UnsafeTarget) as refused:
        check_url(url, frozenset())
    assert refused.value.reason == "unsafe_scheme"


@st.composite
def internal_ipv4(draw) -> ipaddress.IPv4Address:
    network = draw(st.sampled_from(["127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
                                    "169.254.0.0/16", "100.64.0.0/10", "0.0.0.0/8"]))
    net = ipaddress.ip_network(network)
    return net[draw(st.integers(0, net.num_addresses - 1))]


@FAST_PROPERTY
@given(internal_ipv4(), st.sampled_from(["dotted", "decimal", "hex", "mapped", "mapped_hex", "octal"]),
       st.sampled_from(["", ":80", ":8080"]))
def test_internal_ipv4_refused_in_every_spelling(ip, spelling, port):
    value = int(ip)
    host = {
        "dotted": str(ip), "decimal": str(value), "hex": hex(value), "mapped": f"[::ffff:{ip}]",
        "mapped_hex": f"[::ffff:{value >> 16:x}:{value & 0xFFFF:x}]",
        "octal": ".".join(f"0{int(part):o}" for part in str(ip).split(".")),
    }[spelling]
    assume(not (spelling == "octal" and str(ip).startswith("0.")))
    with pytest.raises(UnsafeTarget):
        check_url(f"http://{host}{port}/x", frozenset({"example.org"}))


def test_allow_list_is_exact_host_and_port():
    allowed = frozenset({"127.0.0.1:8001"})
    check_url("http://127.0.0.1:8001/x", allowed)  # the test outlet itself
    for url in ["http://127.0.0.1:8002/x", "http://127.0.0.1/x", "http://2130706433:8001/x",
                "http://[::ffff:127.0.0.1]:8001/x", "http://localhost:8001/x"]:
        with pytest.raises(UnsafeTarget):
            check_url(url, allowed)


def test_feed_with_one_malformed_link_keeps_the_others():
    """A hostile entry (bad IPv6 host, port out of range) is skipped, not the end of the feed."""
    body = feed_body(["http://[::1/x", "http://example.org:99999/y", "/2026/10/ok.html"])
    assert [c.url for c in feed_candidates(body, "http://example.org/feed")] == ["http://example.org/2026/10/ok.html"]
    sitemap = ('<urlset><url><loc>http://[zz]/a</loc></url><url><loc>/2026/10/ok.html</loc></url>'
               '<sitemap><loc>http://a:-1/s.xml</loc></sitemap></urlset>').encode()
    assert sitemap_entries(sitemap, "http://example.org/s.xml") == ([], [Candidate("http://example.org/2026/10/ok.html")])


def feed_body(links: list[str]) -> bytes:
    items = "".join(f"<item><title>t</title><link>{_escape(link)}</link></item>" for link in links)
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()


@pytest.mark.slow
def test_crawl_refuses_internal_targets_however_they_arrive(tmp_path):
    """A real crawl: configured feed URLs in decimal, IPv4-mapped IPv6 and plain loopback form,
    feed and sitemap links and a sitemap-index child to another port of the outlet's own
    address, and a redirect there: the internal server sees no request, every refusal is
    counted and recorded, and the outlet's own good article is stored."""
    from pipelines.store import open_db
    from tests.support.faults import article_page, measured_crawl
    from tests.support.site import ROBOTS_OK, Route, Site, sources_toml, xml_route

    site, victim, other = Site(), Site(), Site(address="127.0.0.2")
    try:
        port = victim.host.split(":")[1]
        for s in (victim, other):
            s.routes.update({"/robots.txt": ROBOTS_OK, "/feed.xml": xml_route(feed_body(["/2026/10/secret.html"])),
                             "/2026/10/secret.html": Route(body=article_page("سر داخلي", 1))})
        inside = f"http://127.0.0.1:{port}"
        sitemap = (f"<urlset><url><loc>{inside}/2026/10/via-sitemap.html</loc></url>"
                   f"<sitemap><loc>{inside}/child.xml</loc></sitemap></urlset>").encode()
        site.routes.update({
            "/robots.txt": ROBOTS_OK, "/2026/10/ok.html": Route(body=article_page("مقال سليم عن أوزبكستان", 2)),
            "/feed.xml": xml_route(feed_body([f"{inside}/2026/10/via-feed.html", "/2026/10/ok.html",
                                              "/2026/10/redirect.html"])),
            "/sitemap.xml": xml_route(sitemap),
            "/2026/10/redirect.html": Route(status=302, headers={"Location": f"{inside}/2026/10/secret.html"}),
        })
        configured = "".join(
            f'[[source]]\nid = "{sid}"\nname = "x"\nbase_url = "{base}/"\nfeeds = ["{base}/feed.xml"]\n'
            for sid, base in [("decimal", f"http://2130706433:{port}"), ("mapped", f"http://[::ffff:127.0.0.1]:{port}"),
                              ("hexa", f"http://0x7f000001:{port}"), ("loopback2", f"http://{other.host}")])
        sources = sources_toml(site, "outlet", feeds=["/feed.xml"], sitemaps=["/sitemap.xml"]) + configured
        result = measured_crawl(tmp_path, sources, site.host, "MARSAD_PROGRESS_INTERVAL=0")
        assert result.returncode == 0, result.stderr[-2000:]
        assert victim.log == [] and other.log == []
        db = open_db(tmp_path / "crawl.db", readonly=True)
        counts = json.loads(db.execute("select counts from crawl_runs").fetchone()[0])
        reasons = {url: reason for url, reason in db.execute("select url, reason from fetched_pages")}
        titles = [row[0] for row in db.execute("select title from articles")]
        db.close()
        assert titles == ["مقال سليم عن أوزبكستان"]
        for sid in ("decimal", "mapped", "hexa", "loopback2"):
            assert counts[sid] == {"discovery_failed/private_address": 1}, (sid, counts)
        assert counts["outlet"]["discovery_failed/private_address"] == 1  # the sitemap index child
        assert counts["outlet"]["rejected/private_address"] == 3, counts["outlet"]
        assert {reasons[f"{inside}/2026/10/via-feed.html"], reasons[f"{inside}/2026/10/via-sitemap.html"],
                reasons[f"http://{site.host}/2026/10/redirect.html"]} == {"private_address"}
    finally:
        for s in (site, victim, other):
            s.close()


@PROPERTY
@given(st.lists(html_fragment, max_size=4), st.sampled_from(["", "<html>", "<!DOCTYPE html><html><head>"]),
       st.sampled_from(["", "</body>", "</html>x", "<table>x<td>y", "</p></br>z"]))
def test_element_count_is_bounded_by_the_tags(fragments, opening, closing):
    """extract_article counts a page's elements only when 2 x its "<" + 4 could exceed the cap:
    that must bound what either parser it counts builds (trafilatura's for a document, lxml's
    otherwise), implied elements included, for any markup."""
    import trafilatura
    from lxml import etree
    from lxml import html as lxml_html

    html = opening + "".join(fragments) + closing
    assume(html.strip())
    trees = [trafilatura.load_html(html)]
    try:
        trees.append(lxml_html.document_fromstring(html))
    except (etree.ParserError, ValueError):
        pass
    for tree in trees:
        if tree is not None and tree.tag == "html":
            assert sum(1 for _ in tree.iter()) <= 2 * html.count("<") + 4

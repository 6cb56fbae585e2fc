import pytest

from crawler.middlewares import UnsafeTarget, check_url


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/", "http://127.0.0.2:8080/x", "http://10.0.0.1/", "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/", "http://[::1]/", "http://[::ffff:127.0.0.1]/",
        "http://2130706433/", "http://0x7f000001/", "http://0.0.0.0/", "http://localhost/",
    ],
)
def test_private_targets_refused(url):
    with pytest.raises(UnsafeTarget):
        check_url(url, frozenset())


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/", "gopher://x/"])
def test_unsafe_schemes_refused(url):
    with pytest.raises(UnsafeTarget, match="unsafe_scheme"):
        check_url(url, frozenset({"*"}))


def test_allow_list_is_exact():
    check_url("http://127.0.0.1:8080/", frozenset({"127.0.0.1:8080"}))
    check_url("http://127.0.0.1:9/", frozenset({"127.0.0.1"}))
    with pytest.raises(UnsafeTarget):
        check_url("http://127.0.0.1:8081/", frozenset({"127.0.0.1:8080"}))
    with pytest.raises(UnsafeTarget):
        check_url("http://127.0.0.2:8080/", frozenset({"127.0.0.1:8080"}))
    check_url("http://10.1.2.3/", frozenset({"*"}))


def test_resolver_refuses_private_answers_at_connection_time():
    from twisted.internet.error import DNSLookupError

    from crawler.middlewares import GuardedResolver

    resolver = GuardedResolver.__new__(GuardedResolver)
    resolver.allowed = frozenset()
    assert resolver._refuse_private("93.184.216.34", "example.com") == "93.184.216.34"
    with pytest.raises(DNSLookupError):
        resolver._refuse_private("127.0.0.1", "rebinding.example")
    resolver.allowed = frozenset({"localhost"})
    assert resolver._refuse_private("127.0.0.1", "localhost") == "127.0.0.1"


def _refresh_page(body: bytes, headers: dict | None = None):
    from scrapy import Request
    from scrapy.http import HtmlResponse

    request = Request("https://example.com/a")
    return request, HtmlResponse(request.url, body=body, request=request, headers=headers or {})


def _prefilter():
    from scrapy.utils.test import get_crawler

    from crawler.middlewares import MetaRefreshPrefilter

    return MetaRefreshPrefilter.from_crawler(get_crawler())


@pytest.mark.parametrize(("body", "headers"), [
    (b'<html><head><meta http-equiv="Refresh" content="0; url=/b"></head><body>x</body></html>', None),
    ('<html><head><meta http-equiv="refresh" content="0;url=/b"></head></html>'.encode("utf-16"),
     {"Content-Type": "text/html; charset=utf-16"}),  # NUL bytes: the prefilter does not judge
    (("<html><head><title>" + "ع" * 3000 + '</title><meta http-equiv="refresh" content="0;url=/b">'
      "</head></html>").encode("utf-8"), None),  # within Scrapy's 4,096 characters, past 4,096 bytes
])
def test_a_meta_refresh_still_redirects(body, headers):
    request, response = _refresh_page(body, headers)
    redirected = _prefilter().process_response(request, response)
    assert redirected is not response and redirected.url == "https://example.com/b"


def test_a_page_without_a_meta_refresh_is_passed_through_undecoded():
    request, response = _refresh_page(b"<html><head><title>t</title></head><body>" + b"<p>x</p>" * 9000 + b"</body></html>")
    assert _prefilter().process_response(request, response) is response
    assert getattr(response, "_cached_ubody", None) is None  # Scrapy's decoded body was never made


def _crawl_settings(tmp_path):
    """The settings a crawl of the sample sources runs with."""
    from crawler.crawl import build_settings
    from pipelines.config import SAMPLE_SOURCES

    return build_settings(str(SAMPLE_SOURCES), str(tmp_path / "x.db"), [], False, {})


def test_crawl_settings_open_no_control_port(tmp_path):
    """Neither Scrapy's telnet console nor its remote control (an HTTP server that executes
    Python code sent to it, on by default since Scrapy 2.19) runs in a Marsad crawl."""
    from scrapy.utils.conf import build_component_list

    settings = _crawl_settings(tmp_path)
    extensions = build_component_list(settings.getwithbase("EXTENSIONS"))
    assert "scrapy.extensions.corestats.CoreStats" in extensions  # the list is Scrapy's, merged
    assert not any("telnet" in e.lower() or "remote_control" in e for e in extensions)
    assert not settings.getbool("TELNETCONSOLE_ENABLED") and not settings.getbool("REMOTE_CONTROL_ENABLED")


def test_the_crawls_stats_collector_is_scrapys_without_the_deprecation_shim(tmp_path):
    """Scrapy 2.19 wraps each stats method on every access (a warning about a `spider` argument);
    Marsad's collector keeps Scrapy's methods and values, called directly."""
    from scrapy.statscollectors import MemoryStatsCollector
    from scrapy.utils.misc import load_object
    from scrapy.utils.test import get_crawler

    from crawler.stats import PlainStatsCollector

    assert load_object(_crawl_settings(tmp_path)["STATS_CLASS"]) is PlainStatsCollector
    stats = PlainStatsCollector(get_crawler())
    stats.inc_value("pages")
    stats.inc_value("pages", 2)
    stats.max_value("depth", 3)
    stats.max_value("depth", 1)
    stats.set_value("reason", "finished")
    assert stats.get_stats() == {"pages": 3, "depth": 3, "reason": "finished"}
    assert stats.inc_value.__func__ is MemoryStatsCollector.inc_value  # the method itself, unwrapped


def test_no_spider_callback_is_a_generator_returning_a_value():
    """The check Scrapy would run on every response (WARN_ON_GENERATOR_RETURN_VALUE, off in
    crawls): a `return value` in a generator callback or errback would silently drop that value."""
    import inspect

    from scrapy.utils.misc import is_generator_with_return_value

    from crawler.spiders.outlets import OutletSpider

    generators = [f for f in vars(OutletSpider).values() if inspect.isgeneratorfunction(f)]
    assert {"parse_feed", "parse_sitemap", "parse_listing", "parse_article", "article_failed"} <= {
        f.__name__ for f in generators}
    assert not [f.__name__ for f in generators if is_generator_with_return_value(f)]

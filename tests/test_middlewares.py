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

import pytest

from pipelines.urls import canonical_url


@pytest.mark.parametrize(
    "a, b",
    [
        ("http://x.test/2026/10/a.html?utm_source=rss&utm_medium=feed", "http://x.test/2026/10/a.html"),
        ("https://www.x.test/a/?fbclid=1#comments", "https://x.test/a"),
        ("https://m.x.test/opinion/%d9%83", "https://www.x.test/opinion/ك"),
        ("https://x.test/opinion/a/amp", "https://x.test/opinion/a?amp"),
        ("https://x.test/a?b=2&a=1", "https://x.test/a?a=1&b=2"),
    ],
)
def test_variants_share_one_key(a, b):
    assert canonical_url(a) == canonical_url(b)


def test_distinct_articles_stay_distinct():
    assert canonical_url("https://x.test/?p=1") != canonical_url("https://x.test/?p=2")


def test_canonical_hint_only_on_same_site():
    assert canonical_url("https://x.test/a?id=1", "https://www.x.test/b") == "https://x.test/b"
    assert canonical_url("https://x.test/a", "https://evil.test/b") == "https://x.test/a"

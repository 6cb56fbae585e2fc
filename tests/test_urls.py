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
        ("https://x.test/مقال/1", "https://x.test/%D9%85%D9%82%D8%A7%D9%84/1/"),
        ("https://x.test/%d9%85%d9%82%d8%a7%d9%84/1", "https://x.test/%D9%85%D9%82%D8%A7%D9%84/1"),
        ("https://amp.x.test/a.amp.html", "https://x.test/a.html"),
        ("https://mobile.x.test/a?gclid=1&utm_campaign=z&id=3", "https://x.test/a?id=3"),
    ],
)
def test_variants_share_one_key(a, b):
    assert canonical_url(a) == canonical_url(b)


def test_distinct_articles_stay_distinct():
    assert canonical_url("https://x.test/?p=1") != canonical_url("https://x.test/?p=2")


def test_canonical_hint_only_on_same_site():
    assert canonical_url("https://x.test/a?id=1", "https://www.x.test/b") == "https://x.test/b"
    assert canonical_url("https://x.test/a", "https://evil.test/b") == "https://x.test/a"


def test_canonical_hint_from_another_site_is_ignored():
    assert canonical_url("https://copy.example/a", "https://www.alquds.co.uk/a") == "https://copy.example/a"
    assert canonical_url("https://alquds.co.uk/?p=1", "https://www.alquds.co.uk/kz/") == "https://alquds.co.uk/kz"

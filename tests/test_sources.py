import re

import pytest

from crawler.sources import RegistryError, load_sources, outlet_aliases, parse_sources, select
from pipelines.config import DEFAULT_SOURCES, PROJECT_ROOT, SAMPLE_SOURCES

GOOD = {"id": "x", "name": "اكس", "base_url": "https://x.test/", "feeds": ["https://x.test/feed"]}


def test_real_registry_is_valid_and_large_enough():
    sources = load_sources(DEFAULT_SOURCES)
    assert len(sources) >= 15
    assert all(s.language == "ar" for s in sources)
    assert not any(s.verified for s in sources)  # nothing here was checked live


def test_sample_registry_is_valid():
    sources = load_sources(SAMPLE_SOURCES)
    assert {s.id for s in sources} >= {"alwaha", "alsuhub", "hareer"}


def test_docs_list_every_source_and_nothing_else():
    ids = [s.id for s in load_sources(DEFAULT_SOURCES)]
    table = (PROJECT_ROOT / "docs" / "SOURCES.md").read_text(encoding="utf-8")
    documented = re.findall(r"^\|\s*`([a-z0-9_-]+)`\s*\|", table, re.M)
    assert [d for d in documented if d != "id"] == ids


@pytest.mark.parametrize(
    "change, message",
    [
        ({"id": "Bad Id"}, "id must match"),
        ({"name": ""}, "name is required"),
        ({"base_url": "ftp://x.test/"}, "not an http"),
        ({"feeds": ["javascript:alert(1)"]}, "not an http"),
        ({"feeds": [], "sitemaps": [], "listings": []}, "needs at least one"),
        ({"article_patterns": ["(unclosed"]}, "does not compile"),
        ({"schedule": "every now and then"}, "schedule"),
        ({"listing_depth": 0}, "listing_depth"),
        ({"colour": "red"}, "unknown keys"),
    ],
)
def test_each_problem_is_reported(change, message):
    with pytest.raises(RegistryError, match=message):
        parse_sources({"source": [{**GOOD, **change}]})


def test_duplicate_ids_and_all_problems_listed():
    with pytest.raises(RegistryError) as caught:
        parse_sources({"source": [GOOD, GOOD, {**GOOD, "id": "y", "name": ""}]})
    assert len(caught.value.problems) == 2


def test_missing_and_malformed_files(tmp_path):
    with pytest.raises(RegistryError, match="cannot read"):
        load_sources(tmp_path / "none.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[[source]\nid = ", encoding="utf-8")
    with pytest.raises(RegistryError, match="not valid TOML"):
        load_sources(bad)


def test_relative_urls_resolve_against_base_url():
    source = parse_sources({"source": [{**GOOD, "feeds": ["/feed.xml"]}]})[0]
    assert source.feeds == ("https://x.test/feed.xml",)


def test_select_and_aliases():
    sources = parse_sources({"source": [GOOD, {**GOOD, "id": "y", "aliases": ["واي"]}]})
    assert [s.id for s in select(sources, ["y"])] == ["y"]
    with pytest.raises(RegistryError, match="unknown source id"):
        select(sources, ["z"])
    assert outlet_aliases(sources)["واي"] == "y"


def test_article_patterns_apply_to_path():
    source = parse_sources({"source": [{**GOOD, "article_patterns": [r"^/\d{4}/"]}]})[0]
    assert source.is_article_path("https://x.test/2026/10/a.html")
    assert not source.is_article_path("https://x.test/opinion/2026")

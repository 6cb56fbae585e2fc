"""The CLI's error contract: one-line message, non-zero exit, never a traceback."""

import json

import pytest
from click.testing import CliRunner

from marsad import cli


@pytest.fixture
def runner():
    return CliRunner()


def _one_line_error(result):
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = [l for l in result.output.splitlines() if l.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error:"), result.output


def test_missing_sources_file(runner, tmp_path):
    result = runner.invoke(cli, ["sources", "check", "--sources", str(tmp_path / "nope.toml")])
    _one_line_error(result)
    assert "cannot read" in result.output


def test_malformed_sources_file(runner, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[source]]\nid = "x"\n', encoding="utf-8")
    result = runner.invoke(cli, ["sources", "check", "--sources", str(bad)])
    _one_line_error(result)
    assert "name is required" in result.output


def test_valid_registry_checks(runner):
    result = runner.invoke(cli, ["sources", "check"])
    assert result.exit_code == 0 and result.output.startswith("ok:")


def test_unreadable_database_path(runner, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = runner.invoke(cli, ["stats", "--db", str(blocker / "x.db")])
    _one_line_error(result)


def test_crawl_with_unusable_database(runner, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = runner.invoke(cli, ["crawl", "--db", str(blocker / "x.db")])
    _one_line_error(result)


def test_extract_a_non_article(runner, tmp_path):
    page = tmp_path / "menu.html"
    page.write_text("<html><body><nav><a href='/'>الرئيسية</a></nav><footer>حقوق</footer></body></html>", encoding="utf-8")
    result = runner.invoke(cli, ["extract", str(page)])
    _one_line_error(result)
    assert "boilerplate" in result.output or "too_short" in result.output


def test_extract_binary_garbage(runner, tmp_path):
    page = tmp_path / "x.html"
    page.write_bytes(bytes(range(256)) * 40)
    _one_line_error(runner.invoke(cli, ["extract", str(page)]))


def test_classify_empty_input(runner):
    _one_line_error(runner.invoke(cli, ["classify", "-"], input="   "))


def test_extract_real_page_matches_its_metadata(runner, realdata):
    page = realdata / "articles_ar" / "ar_albayan.ae_2020-06-03.html"
    meta = json.loads(page.with_name("ar_albayan.ae_2020-06-03.meta.json").read_text("utf-8"))
    result = runner.invoke(cli, ["extract", str(page), "--fetched-at", "2026-11-29T12:00:00+03:00"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert record["title"] == meta["title"]["value"]
    assert record["published_at"][:10] == meta["date"]["value"]
    assert record["author"] is None  # a desk credit is not an author
    assert record["language"] == "ar"
    for key in ("url", "text", "language_confidence", "relevance", "relevant", "countries", "genre",
                "syndicated_from", "evidence", "canonical_url", "content_hash"):
        assert key in record


def test_classify_seed(runner, seed_text):
    result = runner.invoke(cli, ["classify", "-"], input=seed_text)
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert record["language"] == "ar" and record["relevant"] is True
    assert "KZ" in record["countries"] and record["genre"] == "opinion"

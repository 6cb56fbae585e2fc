"""Raw-page archive and offline re-extraction over a database made by `marsad demo`."""

from __future__ import annotations

import shutil
import zlib

import pytest
from click.testing import CliRunner

from marsad import cli
from pipelines.archive import ArchivedPage, ReextractOptions, compress, decompress, from_row, reextract_db, to_row
from pipelines.config import SAMPLE_SOURCES, ExtractSettings
from pipelines.store import archived_article, iter_archive, open_db
from tests.support.fresh import fresh_python

ALL_COLUMNS = "id, canonical_url, source_id, title, author, published_at, text, word_count, language, genre, countries"


def test_compress_roundtrip_and_row_roundtrip():
    body = "<html><body><p>نص عربي للأرشيف</p></body></html>".encode("utf-8") * 50
    assert decompress(compress(body)) == body and len(compress(body)) < len(body) / 5
    page = ArchivedPage(url="https://e.com/a?x=1", source_id="s", body=body, fetched_at="2024-01-01T00:00:00+00:00",
                        status=200, content_type="text/html; charset=utf-8", header_charset="utf-8",
                        encoding="utf-8", requested_url="https://e.com/a")
    row = to_row(page, "https://e.com/a")
    assert row["url"] == "https://e.com/a" and row["raw_size"] == len(body) and row["codec"] == "zstd"
    assert from_row({**row, "article_id": None}) == page
    with pytest.raises(ValueError):
        decompress(row["body"], "lz4")


def test_rows_archived_with_zlib_still_read():
    body = "<html><body><p>صفحة أرشفت قبل Zstandard</p></body></html>".encode("utf-8")
    old_row = {"url": "https://e.com/a", "fetched_url": None, "source_id": "s", "codec": "zlib",
               "body": zlib.compress(body, 6), "fetched_at": "2026-01-01T00:00:00+00:00", "http_status": 200,
               "content_type": "text/html", "header_charset": None, "encoding": None, "requested_url": None}
    assert from_row(old_row).body == body


def test_a_python_without_zstandard_archives_with_zlib():
    """A Python 3.14 built without libzstd has neither compression.zstd nor backports.zstd (only
    declared for < 3.14): the archive falls back to zlib, and a Zstandard row fails clearly."""
    code = ("import sys; sys.modules['compression.zstd'] = sys.modules['backports.zstd'] = None\n"
            "from pipelines import archive as a\n"
            "body = 'صفحة'.encode() * 500\n"
            "print(a.CODEC, a.decompress(a.compress(body), a.CODEC) == body)\n"
            "try:\n    a.decompress(b'', 'zstd')\nexcept ValueError as exc:\n    print(exc)")
    assert fresh_python(code).splitlines() == ["zlib True", "archive codec 'zstd' is not available in this Python"]


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    result = CliRunner().invoke(cli, ["demo", "--db", str(path)])
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture
def db_copy(demo_db, tmp_path):
    path = tmp_path / "copy.db"
    source = open_db(demo_db)
    source.conn.execute(f"vacuum into '{path}'")  # a consistent copy of a WAL database
    source.close()
    return path


def rows(path):
    db = open_db(path)
    out = {r[0]: r for r in db.execute(f"select {ALL_COLUMNS} from articles order by id")}
    db.close()
    return out


def test_demo_crawl_archives_every_article_page(demo_db):
    db = open_db(demo_db)
    articles = db.execute("select count(*) from articles").fetchone()[0]
    archived = list(iter_archive(db))
    linked = [key for key, row in archived if row["article_id"] is not None]
    assert articles and len(linked) == articles
    assert all(row["http_status"] == 200 and row["fetched_at"] and row["raw_size"] for _, row in archived)
    assert all(row["encoding"] for _, row in archived if row["article_id"])
    assert all(archived_article(db, key)["id"] == row["article_id"] for key, row in archived if row["article_id"])
    db.close()


def test_reextract_unchanged_changes_nothing(db_copy, monkeypatch):
    import socket

    def no_network(*args, **kwargs):
        raise AssertionError("re-extraction must not use the network")

    before = rows(db_copy)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    result = CliRunner().invoke(cli, ["reextract", "--db", str(db_copy), "--sources", str(SAMPLE_SOURCES)])
    assert result.exit_code == 0, result.output
    assert "changed rows: 0" in result.output and f"unchanged: {len(before)}" in result.output
    assert rows(db_copy) == before


def test_setting_change_touches_exactly_the_affected_rows(db_copy):
    before = rows(db_copy)
    counts = sorted(r[7] for r in before.values())
    threshold = counts[len(counts) // 3]  # a third of the articles fall under it
    affected = {i for i, r in before.items() if r[7] < threshold}
    assert affected and len(affected) < len(before)
    db = open_db(db_copy)
    from crawler.sources import load_sources, outlet_aliases

    aliases = outlet_aliases(load_sources(SAMPLE_SOURCES))  # as the crawl had them
    report = reextract_db(db, ReextractOptions(settings=ExtractSettings(min_words=threshold), aliases=aliases))
    db.close()
    after = rows(db_copy)
    assert set(report.changed_ids) == affected and report.removed == len(affected)
    assert set(after) == set(before) - affected
    assert all(after[i] == before[i] for i in after)  # untouched rows are byte-identical


def test_override_change_touches_only_that_source(db_copy, tmp_path):
    text = SAMPLE_SOURCES.read_text(encoding="utf-8")
    marker = 'id = "alwaha"'
    head, tail = text.split(marker, 1)
    block_end = tail.index("verified = true") + len("verified = true")
    sources = tmp_path / "sources.toml"
    sources.write_text(head + marker + tail[:block_end] + '\n\n[source.overrides]\nbody = "//p[position() < last()]"\n'
                       + tail[block_end:], encoding="utf-8")
    before = rows(db_copy)
    result = CliRunner().invoke(cli, ["reextract", "--db", str(db_copy), "--sources", str(sources)])
    assert result.exit_code == 0, result.output
    after = rows(db_copy)
    changed = {i for i in before if i not in after or after[i] != before[i]}
    assert changed, result.output
    assert all(before[i][2] == "alwaha" for i in changed)
    assert all(after[i] == before[i] for i in after if before[i][2] != "alwaha")
    assert f"changed rows: {len(changed)}" in result.output


def test_reextract_without_archive_is_a_one_line_error(tmp_path):
    result = CliRunner().invoke(cli, ["reextract", "--db", str(tmp_path / "empty.db"), "--sources", str(SAMPLE_SOURCES)])
    assert result.exit_code == 1 and "no archived pages" in result.output


def test_dry_run_writes_nothing(db_copy):
    before = rows(db_copy)
    result = CliRunner().invoke(cli, ["reextract", "--db", str(db_copy), "--sources", str(SAMPLE_SOURCES),
                                      "--set", "min_words=100000", "--dry-run"])
    assert result.exit_code == 0 and f"now rejected (were articles): {len(before)}" in result.output
    assert rows(db_copy) == before


def test_copy_helper_is_independent(demo_db, db_copy):
    assert db_copy != demo_db and shutil.disk_usage(db_copy.parent).free > 0

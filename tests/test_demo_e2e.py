"""End to end: `marsad demo` crawls the bundled sample outlets (served on loopback) into a
temporary database; the stored rows and the recorded drops are compared with the manifest."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from urllib.parse import urlsplit

import pytest

from crawler.demo_server import outlet_ids
from pipelines.config import PROJECT_ROOT, SAMPLE_OUTLETS
from pipelines.store import open_db

pytestmark = pytest.mark.slow


def _free_port() -> int:
    """A port free on every sample-outlet address, so both demo runs serve the same URLs."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        try:
            for i in range(len(outlet_ids(SAMPLE_OUTLETS))):
                with socket.socket() as s:
                    s.bind((f"127.0.0.{2 + i}", port))
            return port
        except OSError:
            continue
    raise RuntimeError("no free port")


PORT = _free_port()


def _demo(db_path, env: dict[str, str] | None = None):
    result = subprocess.run([sys.executable, "marsad.py", "demo", "--db", str(db_path), "--port", str(PORT)],
                            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600,
                            env={**os.environ, **(env or {})})
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    db_path = tmp_path_factory.mktemp("demo") / "demo.db"
    first = _demo(db_path)
    db = open_db(db_path, readonly=True)
    # demo servers take 127.0.0.2, .3, ... in sorted outlet order
    outlets = {f"127.0.0.{2 + i}": outlet for i, outlet in enumerate(outlet_ids(SAMPLE_OUTLETS))}

    def key(url: str) -> tuple[str, str]:
        parts = urlsplit(url)
        return outlets[parts.hostname], parts.path

    rows = {key(r["url"]): r for r in db.query("select * from articles")}
    pages = {key(r["url"]): r for r in db.query("select * from fetched_pages")}
    yield {"db_path": db_path, "db": db, "rows": rows, "pages": pages, "output": first}
    db.close()


def test_summary_count_equals_rows(crawled):
    total = int(re.search(r"articles in database: (\d+)", crawled["output"]).group(1))
    assert total == crawled["db"].execute("select count(*) from articles").fetchone()[0] > 0


def test_exactly_the_articles_are_stored(crawled, manifest):
    expected = {(p["outlet"], p["path"]) for p in manifest if p["kind"] == "article"}
    assert set(crawled["rows"]) == expected


def test_non_articles_are_recorded_with_their_reason(crawled, manifest):
    reasons = {"boilerplate": {"boilerplate", "too_short"}, "robots_disallowed": {"robots_disallowed"}}
    for page in manifest:
        if page["kind"] in reasons:
            record = crawled["pages"][(page["outlet"], page["path"])]
            assert record["status"] == "rejected" and record["reason"] in reasons[page["kind"]], page["path"]


@pytest.mark.parametrize("field", ["title", "author", "published", "language", "genre"])
def test_fields_match_the_manifest(crawled, manifest, field):
    column = {"published": "published_at"}.get(field, field)
    wrong = []
    for page in manifest:
        if page["kind"] != "article":
            continue
        got = crawled["rows"][(page["outlet"], page["path"])][column]
        got = got[:10] if field == "published" and got else got
        if got != page[field]:
            wrong.append((page["path"], got, page[field]))
    assert not wrong


@pytest.mark.parametrize("arabic", [True, False])
def test_central_asia_opeds_are_relevant(crawled, manifest, arabic):
    pages = [p for p in manifest if p["kind"] == "article" and p["relevant"] and (p["language"] == "ar") == arabic]
    assert pages
    for page in pages:
        assert crawled["rows"][(page["outlet"], page["path"])]["relevant"] == 1, page["path"]


def test_central_asia_opeds_are_tagged(crawled, manifest):
    for page in manifest:
        if page["kind"] == "article" and page["relevant"]:
            row = crawled["rows"][(page["outlet"], page["path"])]
            assert row["relevant"] == 1, page["path"]
            assert set(json.loads(row["countries"])) == set(page["countries"]), page["path"]


def test_irrelevant_pieces_are_not_relevant(crawled, manifest):
    for page in manifest:
        if page["kind"] == "article" and not page["relevant"]:
            assert crawled["rows"][(page["outlet"], page["path"])]["relevant"] == 0, page["path"]


def test_republished_oped_is_clustered_with_its_credit(crawled, manifest):
    copies = [p for p in manifest if p["kind"] == "article" and p.get("copy_of")]
    assert copies
    for page in copies:
        outlet, path = page["copy_of"].split(":", 1)
        copy = crawled["rows"][(page["outlet"], page["path"])]
        original = crawled["rows"][(outlet, path)]
        assert copy["cluster_id"] == original["cluster_id"] == original["id"]
        assert copy["syndicated_from"] == page["syndicated_from"] == outlet


def test_second_run_fetches_no_article_again(crawled):
    before = crawled["db"].execute("select count(*) from articles").fetchone()[0]
    output = _demo(crawled["db_path"])
    assert "nothing new found" in output
    db = open_db(crawled["db_path"], readonly=True)
    counts = json.loads(db.execute("select counts from crawl_runs order by id desc limit 1").fetchone()[0])
    assert db.execute("select count(*) from articles").fetchone()[0] == before
    assert sum(c.get("articles_fetched", 0) for c in counts.values()) == 0
    db.close()


def test_bodies_run_from_first_to_last_sentence(crawled, manifest):
    """No byline, signature, credit, comment or related-story text around the body."""
    wrong = []
    for page in manifest:
        if page["kind"] != "article":
            continue
        text = crawled["rows"][(page["outlet"], page["path"])]["text"].replace("\u200c", "")
        first, last = (page[k].replace("\u200c", "").strip() for k in ("first_sentence", "last_sentence"))
        if not (text.startswith(first) and text.rstrip().endswith(last)):
            wrong.append(page["path"])
    assert not wrong


def test_worker_processes_store_what_the_crawl_process_stores(crawled, tmp_path):
    """The stages give the same rows whether they run in worker processes (the default here,
    MARSAD_WORKERS=auto on a machine with several CPUs) or inline (MARSAD_WORKERS=0)."""
    inline_db = tmp_path / "inline.db"
    _demo(inline_db, {"MARSAD_WORKERS": "0"})
    # canonical URLs: which of two URLs of one article (a tracking-parameter twin) is fetched first,
    # and so kept as `url`, depends on timing, not on where the stages ran
    compared = ("canonical_url", "title", "author", "published_at", "text", "language", "relevant",
                "countries", "genre", "syndicated_from", "content_hash", "is_original")

    def snapshot(db):
        rows = {r["id"]: r for r in db.query("select * from articles")}
        articles = sorted(tuple(r[c] for c in compared) for r in rows.values())
        clusters = sorted(sorted(rows[i]["canonical_url"] for i in rows if rows[i]["cluster_id"] == c)
                          for c in {r["cluster_id"] for r in rows.values()})
        pages = sorted(db.execute("select url, status, reason from fetched_pages").fetchall())
        fts = db.execute("select count(*) from articles_fts").fetchone()[0]
        archived = db.execute("select count(*) from archive").fetchone()[0]
        return articles, clusters, pages, fts, archived

    inline = open_db(inline_db, readonly=True)
    try:
        assert snapshot(inline) == snapshot(crawled["db"])
    finally:
        inline.close()

"""Process and storage faults: each ends in a clear message and a consistent database.

- the database locked by another writer for longer than the busy timeout (a real crawl);
- disk full (SQLite `max_page_count`) while an article is stored (the store pipeline);
- a read-only database (a real crawl run by an unprivileged user, or chmod when not root);
- an analyst reading during a crawl, one of them holding a read transaction throughout;
- SIGKILL of a crawl mid-write, then a resumed crawl: the same rows as an uninterrupted one.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import psutil
import pytest

from pipelines.config import PROJECT_ROOT
from pipelines.store import BUSY_TIMEOUT_MS, StorePipeline, open_db, upsert_article
from tests.support.faults import article_page, measured_crawl
from tests.support.site import ROBOTS_OK, Route, Site, crawl_command, db_count, feed_xml, sources_toml, xml_route

pytestmark = pytest.mark.slow
SETTINGS = ("MARSAD_PROGRESS_INTERVAL=0",)


def outlet(site: Site, count: int, delay: float = 0.0, name: str = "مقال") -> str:
    """`count` distinct articles behind one feed on `site`; the registry text."""
    paths = [f"/2026/10/a{n}.html" for n in range(count)]
    site.routes.update({"/robots.txt": ROBOTS_OK, "/feed.xml": xml_route(feed_xml(*paths)),
                        **{p: Route(body=article_page(f"{name} رقم {n} عن قرغيزستان", 40 + n), delay=delay)
                           for n, p in enumerate(paths)}})
    return sources_toml(site, feeds=["/feed.xml"])


def consistent(db_path: Path) -> dict:
    """Integrity and cross-table invariants of a database; returns a few counts."""
    db = open_db(db_path, readonly=True)
    try:
        assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
        articles = db.execute("select count(*) from articles").fetchone()[0]
        assert db.execute("select count(*) from articles_fts").fetchone()[0] == articles  # indexed, all of them
        assert db.execute("select count(*) from fetched_pages where status = 'article' and article_id not in"
                          " (select id from articles)").fetchone()[0] == 0  # no dangling page record
        assert db.execute("select count(*) from articles a where not exists (select 1 from fetched_pages p"
                          " where p.article_id = a.id)").fetchone()[0] == 0  # every article recorded as fetched
        return {"articles": articles, "runs": [tuple(r) for r in db.execute(
            "select status, finish_reason from crawl_runs order by id")]}
    finally:
        db.close()


def test_database_locked_longer_than_busy_timeout(tmp_path, site):
    """Another writer holds the database past the busy timeout: the crawl exits 1 with a
    one-line 'database is locked' message before fetching anything, the database is sound, and
    a later crawl (lock released) stores every article."""
    sources = outlet(site, 3)
    open_db(tmp_path / "crawl.db").close()  # migrated before the other writer takes it
    blocker = sqlite3.connect(tmp_path / "crawl.db")
    blocker.execute("begin immediate")
    try:
        result = measured_crawl(tmp_path, sources, site.host, *SETTINGS, timeout=BUSY_TIMEOUT_MS / 1000 + 60)
    finally:
        blocker.rollback()
        blocker.close()
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr[-2000:]
    assert result.stderr.strip().splitlines()[-1].startswith("error: cannot write database")
    assert "database is locked" in result.stderr
    assert not [p for p, _, _ in site.log if p.startswith("/2026/")]  # stopped before fetching
    assert consistent(tmp_path / "crawl.db")["articles"] == 0
    again = measured_crawl(tmp_path, sources, site.host, *SETTINGS)
    assert again.returncode == 0, again.stderr[-2000:]
    assert consistent(tmp_path / "crawl.db")["articles"] == 3


class _Stats:
    def __init__(self):
        self.values: dict[str, int] = {}

    def inc_value(self, key, n=1):
        self.values[key] = self.values.get(key, 0) + n

    def get_stats(self):
        return dict(self.values)


def _record(n: int, words: int = 400) -> dict:
    text = "\n".join(f"فقرة {n} {k} " + "كلمة " * words for k in range(5))
    return {"kind": "page", "url": f"http://example.org/2026/10/{n}.html", "source_id": "s",
            "canonical_url": f"http://example.org/2026/10/{n}.html", "title": f"مقال {n}", "text": text,
            "content_hash": f"hash-{n}", "relevant": True, "countries": ["KZ"], "genre": "opinion",
            "language": "ar", "fetched_at": "2026-10-10T00:00:00+00:00", "word_count": len(text.split())}


def test_disk_full_while_storing(tmp_path, caplog):
    """SQLite runs out of pages mid-batch: the error says the disk is full, the batch's article
    is not half-stored (no row, no index entry, no page record) but counted as a store error, and
    the database stays sound; with room again the same item stores."""
    pipe = StorePipeline(str(tmp_path / "full.db"), _Stats(), ["s"])
    pipe.open_spider()
    for n in range(3):
        pipe.process_item(_record(n))
    pipe.flush()
    pages = pipe.db.execute("pragma page_count").fetchone()[0]
    pipe.db.execute(f"pragma max_page_count = {pages + 1}")
    pipe.process_item(_record(99, words=20_000))
    with caplog.at_level("ERROR", logger="pipelines.store"):
        pipe.flush()
    assert "could not store 1 pages" in caplog.text and "full" in caplog.text.lower(), caplog.text
    assert (pipe.stats.values["marsad/s/stored"], pipe.stats.values["marsad/s/store_error"]) == (3, 1)
    assert consistent(tmp_path / "full.db")["articles"] == 3
    pipe.db.execute("pragma max_page_count = 1073741823")
    pipe.process_item(_record(99, words=20_000))
    pipe.spider_closed(None, "finished")
    state = consistent(tmp_path / "full.db")
    assert state["articles"] == 4 and state["runs"] == [("finished", "finished")]
    assert pipe.stats.values["marsad/s/stored"] == 4


def test_a_broken_item_is_undone_alone_in_its_batch(tmp_path, caplog, monkeypatch):
    """An item whose store step fails halfway (not a database error: a bug or bad data) is
    left out of its batch (rolled back, logged, counted); the rest of the batch is stored."""
    import pipelines.store as store

    pipe = StorePipeline(str(tmp_path / "batch.db"), _Stats(), ["s"])
    pipe.open_spider()
    real_archive = store.StorePipeline._archive

    def archive_or_fail(self, adapter, article_id):  # fails after the article row is written
        if adapter["url"].endswith("/1.html"):
            raise ValueError("broken page record")
        real_archive(self, adapter, article_id)

    monkeypatch.setattr(store.StorePipeline, "_archive", archive_or_fail)
    for n in range(3):
        pipe.process_item(_record(n))
    with caplog.at_level("ERROR", logger="pipelines.store"):
        pipe.flush()
    assert "could not store http://example.org/2026/10/1.html" in caplog.text
    assert (pipe.stats.values["marsad/s/stored"], pipe.stats.values["marsad/s/store_failed"]) == (2, 1)
    pipe.spider_closed(None, "finished")
    db = open_db(tmp_path / "batch.db", readonly=True)
    urls = [r[0] for r in db.execute("select url from articles order by url")]
    pages = [r[0] for r in db.execute("select url from fetched_pages order by url")]
    db.close()
    assert urls == pages == ["http://example.org/2026/10/0.html", "http://example.org/2026/10/2.html"]
    assert consistent(tmp_path / "batch.db")["articles"] == 2


def _make_read_only(db_path: Path) -> list[str]:
    """Make the file unwritable even for root (the immutable attribute); the command that undoes it."""
    if os.geteuid() != 0:
        os.chmod(db_path, 0o444)
        return []
    done = subprocess.run(["chattr", "+i", str(db_path)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"running as root and cannot make {db_path} immutable: {done.stderr.strip()}")
    return ["chattr", "-i", str(db_path)]


def test_read_only_database(tmp_path, site):
    """A database the crawl may read but not write: a non-zero exit with a one-line message
    naming the problem, nothing fetched, and the database as it was."""
    sources = outlet(site, 2)
    db_path = tmp_path / "crawl.db"
    db = open_db(db_path)
    upsert_article(db, _record(1))
    db.close()
    before = db_path.read_bytes()
    undo = _make_read_only(db_path)
    try:
        result = subprocess.run(crawl_command(tmp_path, sources, site.host, *SETTINGS), cwd=PROJECT_ROOT,
                                capture_output=True, text=True, timeout=90)
    finally:
        if undo:
            subprocess.run(undo, check=True)
        os.chmod(db_path, 0o644)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr[-2000:]
    assert result.stderr.strip().splitlines() == [
        f"error: cannot write database {db_path}: attempt to write a readonly database"]
    assert db_path.read_bytes() == before
    assert consistent(db_path)["articles"] == 1
    assert not [p for p, _, _ in site.log if p.startswith("/2026/")]  # nothing fetched for nothing


def test_analyst_reads_during_a_crawl(tmp_path, site):
    """WAL: readers never fail or block the crawl; a reader's open transaction keeps its
    snapshot; counts seen by readers only grow; the crawl stores everything."""
    from pipelines.read import iter_rows, make_filters, stats

    sources = outlet(site, 8, delay=0.3)
    open_db(tmp_path / "crawl.db").close()
    snapshot = sqlite3.connect(tmp_path / "crawl.db")
    snapshot.execute("begin")
    held = snapshot.execute("select count(*) from articles").fetchone()[0]
    seen, errors, done = [], [], threading.Event()

    def analyst():
        while not done.is_set():
            try:
                db = open_db(tmp_path / "crawl.db", readonly=True)
                try:
                    seen.append(db.execute("select count(*) from articles").fetchone()[0])
                    stats(db, make_filters(include_all=True))
                    list(iter_rows(db, make_filters(include_all=True)))
                finally:
                    db.close()
            except Exception as exc:  # noqa: BLE001 - any failure of a reader is the finding
                errors.append(repr(exc))
            time.sleep(0.05)

    reader = threading.Thread(target=analyst)
    reader.start()
    try:
        result = measured_crawl(tmp_path, sources, site.host, *SETTINGS, "CONCURRENT_REQUESTS_PER_DOMAIN=2")
    finally:
        done.set()
        reader.join()
    assert result.returncode == 0, result.stderr[-2000:]
    assert snapshot.execute("select count(*) from articles").fetchone()[0] == held == 0  # its snapshot
    snapshot.rollback()
    assert snapshot.execute("select count(*) from articles").fetchone()[0] == 8
    snapshot.close()
    assert errors == []
    assert len(seen) >= 3 and seen == sorted(seen)
    assert consistent(tmp_path / "crawl.db")["articles"] == 8


def _rows(db_path: Path) -> set[tuple]:
    db = open_db(db_path, readonly=True)
    try:
        return {tuple(r) for r in db.execute("select canonical_url, title, text, content_hash from articles")}
    finally:
        db.close()


def test_sigkill_mid_crawl_then_resume(tmp_path, site):
    """A crawl killed with SIGKILL while storing leaves a sound database (its run `running`,
    never `finished`); the next crawl resumes and ends with exactly the rows of a crawl that
    was never interrupted, none twice."""
    sources = outlet(site, 20, delay=0.4)  # 8 s of fetching: many store batches after the workers start
    killed_dir, clean_dir = tmp_path / "killed", tmp_path / "clean"
    killed_dir.mkdir()
    clean_dir.mkdir()
    command = crawl_command(killed_dir, sources, site.host, *SETTINGS, "CONCURRENT_REQUESTS_PER_DOMAIN=1",
                            "MARSAD_WORKERS=2")
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    stored = 0
    try:
        while stored < 3 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.1)
            stored = db_count(killed_dir / "crawl.db", "select count(*) from articles")
        workers = psutil.Process(process.pid).children(recursive=True)  # the stage workers
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    _, alive = psutil.wait_procs(workers, timeout=10)
    assert workers and not alive, f"worker processes outlived the killed crawl: {alive}"
    assert 3 <= stored < 20, f"the crawl was not caught mid-way ({stored} stored)"
    state = consistent(killed_dir / "crawl.db")
    assert 3 <= state["articles"] < 20 and state["runs"] == [("running", None)]
    resumed = measured_crawl(killed_dir, sources, site.host, *SETTINGS)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    clean = measured_crawl(clean_dir, sources, site.host, *SETTINGS)
    assert clean.returncode == 0, clean.stderr[-2000:]
    assert _rows(killed_dir / "crawl.db") == _rows(clean_dir / "crawl.db")
    assert consistent(killed_dir / "crawl.db")["articles"] == 20
    db = open_db(killed_dir / "crawl.db", readonly=True)
    run = json.loads(db.execute("select counts from crawl_runs order by id desc limit 1").fetchone()[0])
    db.close()
    assert run["fixture"]["stored"] == 20 - state["articles"]  # only what was missing

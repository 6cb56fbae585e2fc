import sqlite3
import time
from datetime import timedelta

import pytest

from pipelines.store import (MAX_ATTEMPTS, StoreError, counts_from_stats, finish_run, known_urls,
                             last_run, load_validators, open_db, record_page, retry_delay,
                             save_validators, start_run, upsert_article, writing)


def article(url, **extra):
    return {"url": url, "canonical_url": url, "source_id": "s", "text": "نص", "content_hash": url,
            "countries": ["KZ"], "relevant": True, "fetched_at": "2026-11-29T10:00:00+00:00", **extra}


@pytest.fixture
def db(tmp_path):
    database = open_db(tmp_path / "m.db")
    yield database
    database.close()


def test_wal_and_schema(db):
    assert db.journal_mode == "wal"
    assert {"articles", "fetched_pages", "crawl_runs"} <= set(db.table_names())


def test_upsert_is_idempotent(db):
    first = upsert_article(db, article("http://a.test/1"))
    again = upsert_article(db, article("http://a.test/1", fetched_at="2026-11-30T10:00:00+00:00"))
    assert first[2] is True and again[2] is False and first[0] == again[0]
    assert db["articles"].count == 1
    row = db["articles"].get(first[0])
    assert row["countries"] == '["KZ"]' and row["relevant"] == 1
    assert row["first_seen_at"] < row["last_seen_at"]


def test_same_text_joins_the_cluster_of_the_first(db):
    a, cluster_a, _ = upsert_article(db, article("http://a.test/1", content_hash="h"))
    b, cluster_b, _ = upsert_article(db, article("http://b.test/9", content_hash="h"))
    c, cluster_c, _ = upsert_article(db, article("http://c.test/2", content_hash="other"))
    assert cluster_a == cluster_b == a and b != a
    assert cluster_c == c


def test_known_urls_and_transient_backoff(db):
    upsert_article(db, article("http://a.test/1"))
    record_page(db, "http://a.test/empty", "s", "rejected", "boilerplate")
    record_page(db, "http://a.test/down", "s", "failed", "http_5xx", 503)
    # the transient failure waits for its retry time, then is fetched again
    assert known_urls(db) == {"http://a.test/1", "http://a.test/empty", "http://a.test/down"}
    assert known_urls(db, now="2100-01-01") == {"http://a.test/1", "http://a.test/empty"}


def test_backoff_doubles_then_gives_up(db):
    assert retry_delay(1) == timedelta(hours=1) and retry_delay(3) == timedelta(hours=4)
    assert retry_delay(30) == timedelta(days=7)
    for _ in range(MAX_ATTEMPTS):
        record_page(db, "http://a.test/down", "s", "failed", "timeout")
    row = db["fetched_pages"].get("http://a.test/down")
    assert row["status"] == "rejected" and row["reason"] == "gave_up:timeout"


def test_validators_round_trip(db):
    save_validators(db, {"http://a.test/feed": ('"abc"', "Sat, 28 Nov 2026 10:00:00 GMT")})
    save_validators(db, {"http://a.test/feed": ('"def"', None)})
    assert load_validators(db) == {"http://a.test/feed": ('"def"', None)}


def test_run_record(db):
    run = start_run(db, ["b", "a"])
    assert last_run(db)["status"] == "running"
    finish_run(db, run, {"a": {"stored": 2}}, "finished", "finished")
    record = last_run(db)
    assert record["sources"] == ["a", "b"] and record["counts"] == {"a": {"stored": 2}}


def test_counts_from_stats():
    stats = {"marsad/a/stored": 2, "marsad/a/dropped/boilerplate": 1, "item_scraped_count": 3}
    assert counts_from_stats(stats) == {"a": {"stored": 2, "dropped/boilerplate": 1}}


def test_unusable_path_is_a_store_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="cannot open database"):
        open_db(blocker / "sub" / "m.db")


def test_readonly_open_refuses_writes(tmp_path):
    open_db(tmp_path / "m.db").close()
    ro = open_db(tmp_path / "m.db", readonly=True)
    with pytest.raises(sqlite3.OperationalError):
        ro.execute("insert into crawl_runs (status) values ('x')")


def test_checkpointer_copies_the_wal_into_the_database_file(tmp_path):
    """With automatic checkpoints off in the writer, the WAL keeps growing until the background
    Checkpointer copies it into the database file."""
    from pipelines.store import Checkpointer

    path = tmp_path / "wal.db"
    db = open_db(path)
    db.execute("PRAGMA wal_autocheckpoint = 0")
    with writing(db):
        db.execute("create table filler (x blob)")
        db.conn.executemany("insert into filler values (?)", [(b"x" * 4000,) for _ in range(500)])
    before = path.stat().st_size
    assert (tmp_path / "wal.db-wal").stat().st_size > 1_000_000  # the rows are in the WAL only
    checkpointer = Checkpointer(path, interval=0.05)
    checkpointer.start()
    time.sleep(0.5)
    checkpointer.stop()
    assert path.stat().st_size > before + 1_000_000
    db.close()

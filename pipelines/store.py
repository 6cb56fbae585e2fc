"""SQLite storage through sqlite-utils: schema migrations, WAL, idempotent upserts, run records.

Only this module and the read side know SQL. Every statement takes user values as parameters.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from pipelines.urls import canonical_url as canonical_key

BUSY_TIMEOUT_MS = 10_000
RETRY_BASE = timedelta(hours=1)
RETRY_CAP = timedelta(days=7)
MAX_ATTEMPTS = 6  # a transient failure seen this often becomes permanent

ARTICLE_COLUMNS: dict[str, type] = {
    "id": int,
    "url": str,
    "canonical_url": str,
    "source_id": str,
    "title": str,
    "author": str,
    "author_bio": str,
    "published_at": str,
    "date_source": str,
    "language": str,
    "language_confidence": float,
    "relevance": float,
    "relevant": int,
    "countries": str,
    "genre": str,
    "syndicated_from": str,
    "cluster_id": int,
    "text": str,
    "word_count": int,
    "content_hash": str,
    "evidence": str,
    "fetched_at": str,
    "first_seen_at": str,
    "last_seen_at": str,
}
# Columns that change when the same article is fetched again; the rest keep their first value.
_REFRESHED = ("last_seen_at",)

PERMANENT_STATUSES = ("article", "rejected")
# Failure reasons that are not worth retrying without --refetch (the rest are transient).
PERMANENT_REASONS = frozenset({"robots_disallowed", "not_found", "gone", "not_html", "too_large",
                               "private_address", "unsafe_scheme", "unsafe_host"})

migrations = Migrations("marsad")


class StoreError(Exception):
    """The database cannot be opened or written; the message says why, in one line."""


@migrations()
def m001_initial(db: Database) -> None:
    db["articles"].create(ARTICLE_COLUMNS, pk="id", not_null={"url", "canonical_url", "source_id"})
    db["articles"].create_index(["canonical_url"], unique=True)
    db["articles"].create_index(["source_id"])
    db["articles"].create_index(["content_hash"])
    db["articles"].create_index(["cluster_id"])
    db["fetched_pages"].create(
        {
            "url": str,
            "source_id": str,
            "status": str,  # article | rejected (permanent) | failed (transient, retried)
            "reason": str,
            "http_status": int,
            "attempts": int,
            "article_id": int,
            "first_fetched_at": str,
            "last_fetched_at": str,
        },
        pk="url",
    )
    db["crawl_runs"].create(
        {
            "id": int,
            "started_at": str,
            "finished_at": str,
            "status": str,  # running | finished | incomplete
            "finish_reason": str,
            "sources": str,
            "counts": str,
        },
        pk="id",
    )


@migrations()
def m002_retries_and_validators(db: Database) -> None:
    db["fetched_pages"].add_column("next_retry_at", str)
    db["http_validators"].create(
        {"url": str, "etag": str, "last_modified": str, "checked_at": str}, pk="url"
    )


def utcnow() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def open_db(path: str | Path, *, readonly: bool = False) -> Database:
    """Open (and migrate, unless read-only) the database at `path`; WAL mode, busy timeout set."""
    path = Path(path)
    try:
        if readonly:
            if not path.exists():
                raise StoreError(f"database {path} does not exist")
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(path))
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db = Database(conn)
        if not readonly:
            if db.journal_mode != "wal":
                db.enable_wal()
            migrations.apply(db)
        return db
    except (sqlite3.Error, OSError) as exc:
        raise StoreError(f"cannot open database {path}: {exc}") from exc


def known_urls(db: Database, now: str | None = None) -> set[str]:
    """Canonical URLs not to fetch now: stored articles, permanent non-articles, and transient
    failures whose retry time has not come yet."""
    placeholders = ", ".join("?" for _ in PERMANENT_STATUSES)
    rows = db.execute(
        f"select url from fetched_pages where status in ({placeholders})"
        " or (status = 'failed' and next_retry_at > ?)"
        " union select canonical_url from articles",
        [*PERMANENT_STATUSES, now or utcnow()],
    )
    return {row[0] for row in rows}


def retry_delay(attempts: int) -> timedelta:
    """Backoff before retrying a transient failure: 1 h, 2 h, 4 h ... capped at a week."""
    return min(RETRY_BASE * 2 ** max(0, attempts - 1), RETRY_CAP)


def load_validators(db: Database) -> dict[str, tuple[str | None, str | None]]:
    """ETag and Last-Modified of every discovery URL fetched before (conditional GET)."""
    return {url: (etag, modified) for url, etag, modified in
            db.execute("select url, etag, last_modified from http_validators")}


def save_validators(db: Database, validators: Mapping[str, tuple[str | None, str | None]]) -> None:
    now = utcnow()
    with db.atomic():
        for url, (etag, modified) in validators.items():
            db.execute(
                "insert into http_validators (url, etag, last_modified, checked_at) values (?, ?, ?, ?)"
                " on conflict(url) do update set etag = excluded.etag,"
                " last_modified = excluded.last_modified, checked_at = excluded.checked_at",
                [url, etag, modified, now],
            )


def upsert_article(db: Database, record: Mapping[str, Any]) -> tuple[int, int, bool]:
    """Insert the article, or refresh `last_seen_at` of the row with its canonical URL.

    A new article joins the cluster of an earlier article with the same content hash, else
    starts its own. Returns (article id, cluster id, created), in one transaction with the
    fetched-page record.
    """
    row = {key: _to_sql(record.get(key)) for key in ARTICLE_COLUMNS if key != "id"}
    row["first_seen_at"] = row["last_seen_at"] = row["fetched_at"] or utcnow()
    columns = ", ".join(row)
    updates = ", ".join(f"{col} = excluded.{col}" for col in _REFRESHED)
    with db.atomic():
        existing = db.execute(
            "select id from articles where canonical_url = ?", [row["canonical_url"]]
        ).fetchone()
        db.execute(
            f"insert into articles ({columns}) values ({', '.join('?' for _ in row)})"
            f" on conflict(canonical_url) do update set {updates}",
            list(row.values()),
        )
        article_id = db.execute(
            "select id from articles where canonical_url = ?", [row["canonical_url"]]
        ).fetchone()[0]
        if existing is None and row["cluster_id"] is None:
            db.execute(
                "update articles set cluster_id = coalesce((select cluster_id from articles"
                " where content_hash = ? and id != ? order by id limit 1), id) where id = ?",
                [row["content_hash"], article_id, article_id],
            )
        _record_page(db, row["canonical_url"], row["source_id"], "article", None, 200, article_id)
        requested = canonical_key(record["requested_url"]) if record.get("requested_url") else None
        if requested and requested != row["canonical_url"]:  # reached through a redirect
            _record_page(db, requested, row["source_id"], "article", None, 200, article_id)
        cluster_id = db.execute("select cluster_id from articles where id = ?", [article_id]).fetchone()[0]
    return article_id, cluster_id, existing is None


def record_page(
    db: Database,
    url: str,
    source_id: str,
    status: str,
    reason: str | None,
    http_status: int | None = None,
) -> None:
    """Record a fetched URL that is not an article (rejected or failed), with its reason."""
    with db.atomic():
        _record_page(db, url, source_id, status, reason, http_status, None)


def _record_page(db, url, source_id, status, reason, http_status, article_id) -> None:
    now = utcnow()
    db.execute(
        "insert into fetched_pages (url, source_id, status, reason, http_status, attempts,"
        " article_id, first_fetched_at, last_fetched_at) values (?, ?, ?, ?, ?, 1, ?, ?, ?)"
        " on conflict(url) do update set status = excluded.status, reason = excluded.reason,"
        " http_status = excluded.http_status, attempts = attempts + 1,"
        " article_id = coalesce(excluded.article_id, article_id),"
        " last_fetched_at = excluded.last_fetched_at",
        [url, source_id, status, reason, http_status, article_id, now, now],
    )
    if status == "failed":
        attempts = db.execute("select attempts from fetched_pages where url = ?", [url]).fetchone()[0]
        if attempts >= MAX_ATTEMPTS:
            db.execute("update fetched_pages set status = 'rejected', reason = 'gave_up:' || reason"
                       " where url = ?", [url])
        else:
            retry_at = (datetime.now(timezone.utc) + retry_delay(attempts)).isoformat(timespec="seconds")
            db.execute("update fetched_pages set next_retry_at = ? where url = ?", [retry_at, url])


def start_run(db: Database, sources: Iterable[str]) -> int:
    """Open a crawl-run record; it stays `running` (then reads as incomplete) until finished."""
    with db.atomic():
        cursor = db.execute(
            "insert into crawl_runs (started_at, status, sources) values (?, 'running', ?)",
            [utcnow(), json.dumps(sorted(sources))],
        )
    return int(cursor.lastrowid)


def finish_run(db: Database, run_id: int, counts: Mapping[str, Any], status: str, reason: str) -> None:
    with db.atomic():
        db.execute(
            "update crawl_runs set finished_at = ?, status = ?, finish_reason = ?, counts = ?"
            " where id = ?",
            [utcnow(), status, reason, json.dumps(counts, ensure_ascii=False, sort_keys=True), run_id],
        )


def last_run(db: Database) -> dict[str, Any] | None:
    row = db.execute(
        "select id, started_at, finished_at, status, finish_reason, sources, counts"
        " from crawl_runs order by id desc limit 1"
    ).fetchone()
    if row is None:
        return None
    keys = ("id", "started_at", "finished_at", "status", "finish_reason", "sources", "counts")
    run = dict(zip(keys, row))
    run["sources"] = json.loads(run["sources"] or "[]")
    run["counts"] = json.loads(run["counts"] or "{}")
    return run


def _to_sql(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return int(value)
    return value


def counts_from_stats(stats: Mapping[str, Any]) -> dict[str, dict[str, int]]:
    """Per-source counters out of Scrapy stats keys `marsad/<source>/<counter...>`."""
    counts: dict[str, dict[str, int]] = {}
    for key, value in stats.items():
        parts = key.split("/", 2)
        if len(parts) == 3 and parts[0] == "marsad" and isinstance(value, int):
            counts.setdefault(parts[1], {})[parts[2]] = value
    return counts


class StorePipeline:
    """Scrapy adapter: stores articles, records rejected and failed pages, records the run."""

    def __init__(self, db_path: str, stats, sources: list[str]):
        self.db_path = db_path
        self.stats = stats
        self.sources = sources
        self.db: Database | None = None
        self.run_id: int | None = None

    @classmethod
    def from_crawler(cls, crawler):
        from scrapy import signals

        pipe = cls(crawler.settings["MARSAD_DB"], crawler.stats, crawler.settings.getlist("MARSAD_SOURCE_IDS"))
        crawler.signals.connect(pipe.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(pipe.spider_closed, signal=signals.spider_closed)
        return pipe

    def open_spider(self):
        self.db = open_db(self.db_path)
        self.run_id = start_run(self.db, self.sources)

    def process_item(self, item):
        from itemadapter import ItemAdapter

        adapter = ItemAdapter(item)
        source = adapter["source_id"]
        if adapter.get("kind") == "failure":
            status = "rejected" if adapter.get("reason") in PERMANENT_REASONS else "failed"
            record_page(self.db, adapter["url"], source, status, adapter["reason"], adapter.get("status"))
            self.stats.inc_value(f"marsad/{source}/{status}/{adapter['reason']}")
            return item
        article_id, cluster_id, created = upsert_article(self.db, adapter.asdict())
        adapter["cluster_id"] = cluster_id
        if not created:
            self.stats.inc_value(f"marsad/{source}/already_stored")
            return item
        self.stats.inc_value(f"marsad/{source}/stored")
        if cluster_id != article_id:
            self.stats.inc_value(f"marsad/{source}/duplicates")
        if adapter.get("relevant") and adapter.get("genre") == "opinion":
            self.stats.inc_value(f"marsad/{source}/relevant_opinion")
        return item

    def item_dropped(self, item, response, exception, spider=None):
        from itemadapter import ItemAdapter

        adapter = ItemAdapter(item)
        reason = getattr(exception, "reason", type(exception).__name__)
        url = canonical_key(adapter["url"])
        record_page(self.db, url, adapter["source_id"], "rejected", reason, adapter.get("status"))

    def spider_closed(self, spider, reason):
        if self.db is None or self.run_id is None:
            return
        status = "finished" if reason == "finished" else "incomplete"
        finish_run(self.db, self.run_id, counts_from_stats(self.stats.get_stats()), status, reason)
        self.db.close()

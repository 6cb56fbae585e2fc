"""SQLite storage through sqlite-utils: schema migrations, WAL, idempotent upserts, run records.

Only this module and the read side know SQL. Every statement takes user values as parameters.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from pipelines.fts import FTS_COLUMNS, index_document
from pipelines.urls import canonical_url as canonical_key
from pipelines.urls import same_site

if TYPE_CHECKING:
    from pipelines.neardup import Fingerprint

log = logging.getLogger(__name__)

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


@migrations()
def m040_sched_events_and_watches(db: Database) -> None:
    """Scheduler events (missed, failed, locked, timeout, done) and watchlists with their hits."""
    db["schedule_events"].create(
        {"id": int, "at": str, "job_id": str, "event": str, "detail": str}, pk="id"
    )
    db["schedule_events"].create_index(["job_id", "at"])
    db["watches"].create(
        {"id": int, "name": str, "query": str, "countries": str, "sources": str, "webhook": str,
         "out_dir": str, "after_article_id": int, "created_at": str},
        pk="id", not_null={"name", "query"},
    )
    db["watches"].create_index(["name"], unique=True)
    db["watch_hits"].create(
        {"watch_id": int, "article_id": int, "announced_at": str,
         "webhook_status": str, "webhook_attempts": int, "webhook_error": str},
        pk=("watch_id", "article_id"),
    )


@migrations()
def m020_search_index_and_labels(db: Database) -> None:
    """FTS5 index over Arabic-normalised title and text (columns of `pipelines.fts`), filled for
    existing rows and kept in step by `upsert_article`/`index_article` (a trigger removes deleted
    rows); and `labels`, analysts' corrections applied over the classifier's output on reading."""
    columns = ", ".join(FTS_COLUMNS)
    db.execute(f"create virtual table if not exists articles_fts using fts5({columns},"
               " tokenize = 'unicode61 remove_diacritics 0')")
    db.execute("create trigger if not exists articles_fts_delete after delete on articles"
               " begin delete from articles_fts where rowid = old.id; end")
    ids = [row[0] for row in db.execute("select id from articles")]
    for start in range(0, len(ids), 500):
        for article_id, title, text in db.execute(
            f"select id, title, text from articles where id in ({', '.join('?' for _ in ids[start:start + 500])})",
            ids[start:start + 500],
        ).fetchall():
            index_article(db, article_id, title, text)
    db["labels"].create(
        {"article_id": int, "relevant": int, "countries": str, "genre": str, "note": str,
         "labelled_at": str},
        pk="article_id",
    )


@migrations()
def m010_dedupe_clusters(db: Database) -> None:
    """Near-duplicate keys (LSH bands and passage hashes of `pipelines.neardup`) → article, and
    one `clusters` row per cluster: its original (`original_id`, null when the credited outlet's
    copy is not stored; `original_source`), the row shown for it (`representative_id`), the
    number of copies and the outlets that carried it (JSON, the representative's first).
    `articles.is_original` is 1 on the original's row; a cluster's id is its representative's.
    Existing rows: clusters by their first row, near-duplicate keys computed."""
    db.execute("create table if not exists near_keys (key integer not null,"
               " article_id integer not null, primary key (key, article_id)) without rowid")
    db["clusters"].create(
        {"id": int, "original_id": int, "original_source": str, "representative_id": int,
         "copies": int, "outlets": str, "updated_at": str},
        pk="id",
    )
    db["clusters"].create_index(["representative_id"])
    db["articles"].add_column("is_original", int)
    db.execute("update articles set is_original = (id = cluster_id)")
    db.execute(
        "insert into clusters (id, original_id, original_source, representative_id, copies, outlets)"
        " select a.cluster_id, a.cluster_id, s.source_id, a.cluster_id, count(*),"
        " json_group_array(distinct a.source_id) from articles a"
        " join articles s on s.id = a.cluster_id group by a.cluster_id"
    )
    from pipelines.neardup import fingerprint

    for article_id, text in db.execute("select id, text from articles").fetchall():
        print_ = fingerprint(text or "")
        index_near_keys(db, article_id, print_.bands + print_.passages)


@migrations()
def m030_archive_pages(db: Database) -> None:
    """Raw fetched article pages, compressed (`pipelines.archive`), one row per canonical URL
    (the latest fetch), with their fetch metadata and the article they produced, if any."""
    db["archive"].create(
        {"url": str, "fetched_url": str, "requested_url": str, "source_id": str, "article_id": int,
         "fetched_at": str, "http_status": int, "content_type": str, "header_charset": str,
         "encoding": str, "codec": str, "raw_size": int, "body": bytes},
        pk="url",
    )
    db["archive"].create_index(["source_id"])


@migrations()
def m010_dedupe_shingles(db: Database) -> None:
    """Each article's packed shingles (`pipelines.neardup.pack`), read to confirm a candidate
    copy without re-reading and re-tokenising its text; filled for existing rows."""
    db.execute("create table if not exists near_shingles (article_id integer primary key,"
               " shingles blob not null)")
    from pipelines.neardup import fingerprint, pack

    for article_id, text in db.execute("select id, text from articles").fetchall():
        print_ = fingerprint(text or "")
        db.execute("insert or replace into near_shingles (article_id, shingles) values (?, ?)",
                   [article_id, pack(print_.shingles)])


def archive_page(db: Database, row: Mapping[str, Any], article_id: int | None = None) -> None:
    """Insert or replace one archived page (a row of `pipelines.archive.to_row`)."""
    row = {**row, "article_id": article_id}
    with writing(db):
        db.execute(f"insert or replace into archive ({', '.join(row)}) values ({', '.join('?' for _ in row)})",
                   list(row.values()))


def iter_archive(db: Database, source_ids: Iterable[str] = ()) -> Iterable[tuple[str, dict[str, Any]]]:
    """(canonical URL, row) of every archived page, of the given sources or all, by URL."""
    sql, params = "select * from archive", list(source_ids)
    if params:
        sql += f" where source_id in ({', '.join('?' for _ in params)})"
    cursor = db.execute(sql + " order by url", params)
    names = [d[0] for d in cursor.description]
    for values in cursor.fetchall():
        row = dict(zip(names, values))
        yield row["url"], row


def archived_article(db: Database, key: str) -> dict[str, Any] | None:
    """The stored article an archived page produced (by its recorded id, else by URL)."""
    cursor = db.execute(
        "select a.* from articles a where a.id = (select article_id from archive where url = ?)"
        " union all select a.* from articles a where a.canonical_url = ? limit 1", [key, key])
    values = cursor.fetchone()
    return dict(zip([d[0] for d in cursor.description], values)) if values else None


def iter_articles(db: Database, source_ids: Iterable[str] = (),
                  columns: Iterable[str] = ("*",)) -> Iterable[dict[str, Any]]:
    """Stored article rows (the given columns), of the given sources or all, by id."""
    sql, params = f"select {', '.join(columns)} from articles", list(source_ids)
    if params:
        sql += f" where source_id in ({', '.join('?' for _ in params)})"
    cursor = db.execute(sql + " order by id", params)
    names = [d[0] for d in cursor.description]
    for values in cursor.fetchall():
        yield dict(zip(names, values))


def update_article(db: Database, article_id: int, values: Mapping[str, Any]) -> None:
    """Overwrite re-extracted columns of one article and re-index it for search."""
    row = {key: _to_sql(value) for key, value in values.items() if key in ARTICLE_COLUMNS and key != "id"}
    with writing(db):
        if "text" in row:
            unindex_near_keys(db, article_id)
        db.execute(f"update articles set {', '.join(f'{k} = ?' for k in row)} where id = ?",
                   [*row.values(), article_id])
        if "text" in row:
            reindex_near_keys(db, article_id)
        title, text = db.execute("select title, text from articles where id = ?", [article_id]).fetchone()
        index_article(db, article_id, title, text)


def remove_article(db: Database, article_id: int, key: str, source_id: str, reason: str) -> None:
    """An article that re-extraction now rejects: delete its row (its archived page stays, so a
    later re-extraction can bring it back), record the page as rejected, refresh its cluster."""
    with writing(db):
        cluster = db.execute("select cluster_id from articles where id = ?", [article_id]).fetchone()
        unindex_near_keys(db, article_id)
        db.execute("delete from articles where id = ?", [article_id])
        db.execute("update archive set article_id = null where article_id = ?", [article_id])
        db.execute("update fetched_pages set status = 'rejected', reason = ?, article_id = null"
                   " where article_id = ?", [reason, article_id])
        _record_page(db, key, source_id, "rejected", reason, None, None)
        if cluster and cluster[0] is not None:
            refresh_cluster(db, cluster[0])


def index_article(db: Database, article_id: int, title: str | None, text: str | None,
                  document: Sequence[str] | None = None) -> None:
    """(Re)index one article for full-text search; call it whenever its title or text changes
    (`document`: `index_document(title, text)` when it was computed already)."""
    db.execute("delete from articles_fts where rowid = ?", [article_id])
    db.execute(f"insert into articles_fts (rowid, {', '.join(FTS_COLUMNS)}) values (?, ?, ?, ?, ?)",
               [article_id, *(document or index_document(title, text))])


@contextmanager
def writing(db: Database) -> Iterator[Database]:
    """A write transaction that takes the write lock when it begins (BEGIN IMMEDIATE), so a
    second process waits for the busy timeout instead of failing at once: under WAL a deferred
    transaction that reads, then writes after another process's commit, gets "database is
    locked" immediately. Nested use joins the open transaction (an error rolls it back)."""
    if db.conn.in_transaction:
        yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.conn.rollback()
        raise
    db.conn.commit()


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
            # WAL with NORMAL sync: a crash or kill never corrupts nor half-writes a transaction;
            # only a power cut may lose the last commits, which the next crawl fetches again.
            conn.execute("PRAGMA synchronous = NORMAL")
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
    with writing(db):
        for url, (etag, modified) in validators.items():
            db.execute(
                "insert into http_validators (url, etag, last_modified, checked_at) values (?, ?, ?, ?)"
                " on conflict(url) do update set etag = excluded.etag,"
                " last_modified = excluded.last_modified, checked_at = excluded.checked_at",
                [url, etag, modified, now],
            )


def upsert_article(db: Database, record: Mapping[str, Any], *, fingerprint: Fingerprint | None = None,
                   fts_document: Sequence[str] | None = None) -> tuple[int, int, bool]:
    """Insert the article, or refresh `last_seen_at` of the row with its canonical URL.

    The same text on the same site under another URL is the stored row (its URL is recorded).
    A new article joins the cluster of an earlier article with the same content hash, else of a
    confirmed near-duplicate (`_cluster_new_article`), else starts its own. Returns (article id,
    cluster id, created), in one transaction with the fetched-page record. `fingerprint` and
    `fts_document` are the text's near-duplicate fingerprint and search-index document when a
    worker process computed them already.
    """
    row = {key: _to_sql(record.get(key)) for key in ARTICLE_COLUMNS if key != "id"}
    row["first_seen_at"] = row["last_seen_at"] = row["fetched_at"] or utcnow()
    columns = ", ".join(row)
    updates = ", ".join(f"{col} = excluded.{col}" for col in _REFRESHED)
    with writing(db):
        url_here = row["canonical_url"]
        row["canonical_url"] = _stored_url_of_same_article(db, row) or url_here
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
        if existing is None:
            _cluster_new_article(db, article_id, row, fingerprint)
            index_article(db, article_id, row["title"], row["text"], fts_document)
        _record_page(db, row["canonical_url"], row["source_id"], "article", None, 200, article_id)
        if url_here != row["canonical_url"]:  # the same article under another URL of its site
            _record_page(db, url_here, row["source_id"], "article", None, 200, article_id)
        requested = canonical_key(record["requested_url"]) if record.get("requested_url") else None
        if requested and requested != row["canonical_url"]:  # reached through a redirect
            _record_page(db, requested, row["source_id"], "article", None, 200, article_id)
        cluster_id = db.execute("select cluster_id from articles where id = ?", [article_id]).fetchone()[0]
    return article_id, cluster_id, existing is None


NEAR_CANDIDATES = 10  # stored articles confirmed per new article, at most
NEAR_KEY_CAP = 20  # articles kept per near-duplicate key: bounds every lookup, whatever is stored


def _stored_url_of_same_article(db: Database, row: Mapping[str, Any]) -> str | None:
    """Canonical URL of a stored article of the same source and site with the same text."""
    if not row.get("content_hash"):
        return None
    for (url,) in db.execute(
        "select canonical_url from articles where content_hash = ? and source_id = ?"
        " and canonical_url != ? order by id limit 5",
        [row["content_hash"], row["source_id"], row["canonical_url"]],
    ):
        if same_site(url, row["canonical_url"]):
            return url
    return None


def near_duplicate_candidates(db: Database, keys: Iterable[int],
                              limit: int = NEAR_CANDIDATES) -> list[tuple[int, int, bytes]]:
    """(id, cluster id, packed shingles) of the stored articles sharing the most of `keys`."""
    keys = list(dict.fromkeys(keys))
    if not keys:
        return []
    rows = db.execute(
        "select a.id, a.cluster_id, s.shingles from (select article_id, count(*) as hits"
        f" from near_keys where key in ({', '.join('?' for _ in keys)})"
        " group by article_id order by hits desc, article_id limit ?) c"
        " join articles a on a.id = c.article_id join near_shingles s on s.article_id = c.article_id"
        " order by c.hits desc, a.id",
        [*keys, limit],
    )
    return [tuple(row) for row in rows]


def index_near_keys(db: Database, article_id: int, keys: Iterable[int], shingles: bytes | None = None) -> None:
    """Remember an article's near-duplicate keys (a key already held by NEAR_KEY_CAP articles
    is not extended: its articles are found through it already) and its packed shingles."""
    db.execute(  # one statement for all keys (a JSON array): half the time of one per key
        "insert or ignore into near_keys (key, article_id) select value, ? from json_each(?)"
        " where (select count(*) from (select 1 from near_keys where key = value limit ?)) < ?",
        [article_id, json.dumps(list(dict.fromkeys(keys))), NEAR_KEY_CAP, NEAR_KEY_CAP],
    )
    if shingles is not None:
        db.execute("insert or replace into near_shingles (article_id, shingles) values (?, ?)",
                   [article_id, shingles])


def unindex_near_keys(db: Database, article_id: int) -> None:
    """Forget an article's near-duplicate keys and shingles (before deleting or re-extracting
    it): its keys are recomputed from its stored text, so the deletes use the primary keys."""
    from pipelines.neardup import fingerprint

    row = db.execute("select text from articles where id = ?", [article_id]).fetchone()
    print_ = fingerprint(row[0] or "") if row else None
    keys = dict.fromkeys(print_.bands + print_.passages) if print_ else {}
    db.conn.executemany("delete from near_keys where key = ? and article_id = ?",
                        [(key, article_id) for key in keys])
    db.execute("delete from near_shingles where article_id = ?", [article_id])


def reindex_near_keys(db: Database, article_id: int) -> None:
    """Recompute an article's near-duplicate keys and shingles from its stored text (after
    its text changed; call `unindex_near_keys` before the change)."""
    from pipelines.neardup import fingerprint, pack

    row = db.execute("select text from articles where id = ?", [article_id]).fetchone()
    if row:
        print_ = fingerprint(row[0] or "")
        index_near_keys(db, article_id, print_.bands + print_.passages, pack(print_.shingles))


def _cluster_new_article(db: Database, article_id: int, row: Mapping[str, Any],
                         print_: Fingerprint | None = None) -> None:
    """Put a just-inserted article in a cluster: the one its record names, else the cluster of
    the first article with the same content hash, else of a confirmed near-duplicate (LSH band
    or shared-passage candidates, `pipelines.neardup.match_copy`), else its own. Indexes its
    near-duplicate keys, notes the match in `evidence.dedupe` and refreshes the cluster."""
    from pipelines.neardup import fingerprint, match_copy, pack

    print_ = print_ or fingerprint(row.get("text") or "")
    cluster_id, evidence = row.get("cluster_id"), None
    if cluster_id is None and row.get("content_hash"):
        same = db.execute("select id, cluster_id from articles where content_hash = ? and id != ?"
                          " order by id limit 1", [row["content_hash"], article_id]).fetchone()
        if same:
            cluster_id, evidence = same[1], {"method": "exact", "copy_of": same[0]}
    if cluster_id is None:
        match = match_copy(print_, near_duplicate_candidates(db, print_.bands + print_.passages))
        if match:
            cluster_id = match.cluster_id
            evidence = {"method": "near", "copy_of": match.article_id, "jaccard": match.jaccard,
                        "containment": match.containment}
    db.execute("update articles set cluster_id = ? where id = ?", [cluster_id or article_id, article_id])
    if evidence:
        db.execute("update articles set evidence = json_set(coalesce(evidence, '{}'), '$.dedupe',"
                   " json(?)) where id = ?", [json.dumps(evidence), article_id])
    index_near_keys(db, article_id, print_.bands + print_.passages, pack(print_.shingles))
    refresh_cluster(db, cluster_id or article_id)


def refresh_cluster(db: Database, cluster_id: int) -> int:
    """Recompute a cluster's row (original, representative, copies, outlets) and `is_original`.

    A cluster's id is always its representative's article id (so `articles.id = cluster_id`
    picks one row per cluster): when an earlier or credited copy arrives later, the cluster is
    renumbered. Returns the cluster's id."""
    from pipelines.dedupe import Copy, cluster_original

    copies = [Copy(*row) for row in db.execute(
        "select id, source_id, syndicated_from, published_at, first_seen_at from articles"
        " where cluster_id = ?", [cluster_id])]
    if not copies:
        db.execute("delete from clusters where id = ?", [cluster_id])
        return cluster_id
    chosen = cluster_original(copies)
    if chosen.representative_id != cluster_id:
        db.execute("update articles set cluster_id = ? where cluster_id = ?",
                   [chosen.representative_id, cluster_id])
        db.execute("delete from clusters where id = ?", [cluster_id])
        cluster_id = chosen.representative_id
    first = next(c for c in copies if c.id == chosen.representative_id)
    outlets = list(dict.fromkeys([first.source_id, *(c.source_id for c in sorted(copies, key=lambda c: c.id))]))
    db.execute(
        "insert into clusters (id, original_id, original_source, representative_id, copies,"
        " outlets, updated_at) values (?, ?, ?, ?, ?, ?, ?) on conflict(id) do update set"
        " original_id = excluded.original_id, original_source = excluded.original_source,"
        " representative_id = excluded.representative_id, copies = excluded.copies,"
        " outlets = excluded.outlets, updated_at = excluded.updated_at",
        [cluster_id, chosen.original_id, chosen.original_source, chosen.representative_id,
         len(copies), json.dumps(outlets, ensure_ascii=False), utcnow()],
    )
    db.execute("update articles set is_original = (id is ?) where cluster_id = ?",
               [chosen.original_id, cluster_id])
    return cluster_id


def cluster_copies(db: Database, cluster_id: int) -> list[dict[str, Any]]:
    """Every copy in a cluster, the original first then by id: id, url, source_id, title,
    published_at, syndicated_from, is_original (for `marsad show` and `--all-copies`)."""
    keys = ("id", "url", "source_id", "title", "published_at", "syndicated_from", "is_original")
    rows = db.execute(
        f"select {', '.join(keys)} from articles where cluster_id = ?"
        " order by is_original desc, id", [cluster_id])
    return [dict(zip(keys, row)) for row in rows]


def cluster_summary(db: Database, cluster_id: int) -> dict[str, Any] | None:
    """A cluster's row: id, original_id, original_source, representative_id, copies and
    outlets (the source ids whose copies are stored, the representative's first)."""
    keys = ("id", "original_id", "original_source", "representative_id", "copies", "outlets")
    row = db.execute(f"select {', '.join(keys)} from clusters where id = ?", [cluster_id]).fetchone()
    if row is None:
        return None
    summary = dict(zip(keys, row))
    summary["outlets"] = json.loads(summary["outlets"] or "[]")
    return summary


def record_page(
    db: Database,
    url: str,
    source_id: str,
    status: str,
    reason: str | None,
    http_status: int | None = None,
) -> None:
    """Record a fetched URL that is not an article (rejected or failed), with its reason."""
    with writing(db):
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
    with writing(db):
        cursor = db.execute(
            "insert into crawl_runs (started_at, status, sources) values (?, 'running', ?)",
            [utcnow(), json.dumps(sorted(sources))],
        )
    return int(cursor.lastrowid)


def finish_run(db: Database, run_id: int, counts: Mapping[str, Any], status: str, reason: str) -> None:
    with writing(db):
        db.execute(
            "update crawl_runs set finished_at = ?, status = ?, finish_reason = ?, counts = ?"
            " where id = ?",
            [utcnow(), status, reason, json.dumps(counts, ensure_ascii=False, sort_keys=True), run_id],
        )


def recorded_runs(db: Database, after_id: int = 0) -> list[dict[str, Any]]:
    """Crawl runs with an id above `after_id`, oldest first, JSON fields decoded."""
    keys = ("id", "started_at", "finished_at", "status", "finish_reason", "sources", "counts")
    runs = []
    for row in db.execute(f"select {', '.join(keys)} from crawl_runs where id > ? order by id", [after_id]):
        run = dict(zip(keys, row))
        run["sources"] = json.loads(run["sources"] or "[]")
        run["counts"] = json.loads(run["counts"] or "{}")
        runs.append(run)
    return runs


def last_run(db: Database) -> dict[str, Any] | None:
    """The newest crawl run, or None."""
    newest = db.execute("select max(id) from crawl_runs").fetchone()[0]
    return recorded_runs(db, newest - 1)[0] if newest else None


# --- scheduler and watchlists (issue 8) -----------------------------------------------------

def close_stale_runs(db: Database, reason: str = "killed") -> int:
    """Mark `running` runs incomplete; call it holding the crawl lock, when none can be live."""
    with writing(db):
        cursor = db.execute(
            "update crawl_runs set status = 'incomplete', finish_reason = ?,"
            " finished_at = coalesce(finished_at, ?) where status = 'running'",
            [reason, utcnow()],
        )
    return cursor.rowcount


def record_schedule_event(db: Database, job_id: str, event: str, detail: str | None = None) -> None:
    """One scheduler event: started, done, failed, timeout, locked, missed."""
    with writing(db):
        db.execute(
            "insert into schedule_events (at, job_id, event, detail) values (?, ?, ?, ?)",
            [datetime.now(timezone.utc).isoformat(timespec="microseconds"), job_id, event, detail],
        )


def schedule_events(db: Database, limit: int = 1000) -> list[dict[str, Any]]:
    """The latest scheduler events, oldest first."""
    rows = db.execute("select id, at, job_id, event, detail from schedule_events"
                      " order by id desc limit ?", [limit]).fetchall()
    return [dict(zip(("id", "at", "job_id", "event", "detail"), row)) for row in reversed(rows)]


_WATCH_KEYS = ("id", "name", "query", "countries", "sources", "webhook", "out_dir",
               "after_article_id", "created_at")


def add_watch(db: Database, name: str, query: str, countries: Iterable[str] = (),
              sources: Iterable[str] = (), webhook: str | None = None, out_dir: str | None = None,
              backfill: bool = False) -> int:
    """Create a watch; it announces articles stored after now (all stored ones with `backfill`)."""
    after = 0 if backfill else db.execute("select coalesce(max(id), 0) from articles").fetchone()[0]
    try:
        with writing(db):
            cursor = db.execute(
                "insert into watches (name, query, countries, sources, webhook, out_dir,"
                " after_article_id, created_at) values (?, ?, ?, ?, ?, ?, ?, ?)",
                [name, query, json.dumps(sorted(countries)), json.dumps(sorted(sources)), webhook,
                 out_dir, after, utcnow()],
            )
    except sqlite3.IntegrityError as exc:
        raise StoreError(f"a watch named {name!r} exists already") from exc
    return int(cursor.lastrowid)


def list_watches(db: Database) -> list[dict[str, Any]]:
    rows = db.execute(f"select {', '.join(_WATCH_KEYS)} from watches order by name").fetchall()
    watches = [dict(zip(_WATCH_KEYS, row)) for row in rows]
    for watch in watches:
        watch["countries"] = json.loads(watch["countries"] or "[]")
        watch["sources"] = json.loads(watch["sources"] or "[]")
    return watches


def remove_watch(db: Database, name: str) -> bool:
    """Delete the watch and its hit records; False when there is no such watch."""
    with writing(db):
        row = db.execute("select id from watches where name = ?", [name]).fetchone()
        if row is None:
            return False
        db.execute("delete from watch_hits where watch_id = ?", [row[0]])
        db.execute("delete from watches where id = ?", [row[0]])
    return True


def watch_candidates(db: Database, watch: Mapping[str, Any], match: str | None = None) -> list[dict[str, Any]]:
    """Relevant articles (analysts' labels applied) stored after the watch's mark, in its
    countries/sources, matching the FTS5 expression `match` (from `pipelines.fts.parse_query`)
    when given, whose cluster (the article or a copy of it) was not announced by the watch yet."""
    sql = ("select id, url, title, text, source_id, author, published_at, first_seen_at, countries, cluster_id"
           " from (select a.id, a.url, a.title, a.text, a.source_id, a.author, a.published_at,"
           " a.first_seen_at, coalesce(l.countries, a.countries) as countries, a.cluster_id,"
           " coalesce(l.relevant, a.relevant) as relevant from articles a"
           " left join labels l on l.article_id = a.id where a.id > ?) a"
           " where relevant = 1 and not exists (select 1 from watch_hits h join articles c"
           " on c.id = h.article_id where h.watch_id = ? and (h.article_id = a.id or c.cluster_id = a.cluster_id))")
    params: list[Any] = [watch["after_article_id"] or 0, watch["id"]]
    if match is not None:
        sql += " and id in (select rowid from articles_fts where articles_fts match ?)"
        params.append(match)
    if watch["sources"]:
        sql += f" and source_id in ({', '.join('?' for _ in watch['sources'])})"
        params += list(watch["sources"])
    if watch["countries"]:
        sql += (" and exists (select 1 from json_each(a.countries) j where j.value in"
                f" ({', '.join('?' for _ in watch['countries'])}))")
        params += list(watch["countries"])
    keys = ("id", "url", "title", "text", "source_id", "author", "published_at", "first_seen_at", "countries",
            "cluster_id")
    return [dict(zip(keys, row)) for row in db.execute(sql + " order by id", params)]


def last_article_id(db: Database) -> int:
    return db.execute("select coalesce(max(id), 0) from articles").fetchone()[0]


def advance_watch(db: Database, watch_id: int, article_id: int) -> None:
    """Move the watch's mark: articles up to `article_id` have been looked at."""
    with writing(db):
        db.execute("update watches set after_article_id = max(coalesce(after_article_id, 0), ?)"
                   " where id = ?", [article_id, watch_id])


def claim_watch_hits(db: Database, watch_id: int, article_ids: Iterable[int], webhook: bool) -> list[int]:
    """Record hits; return only the article ids not announced before (each goes out once)."""
    claimed = []
    now = utcnow()
    with writing(db):
        for article_id in article_ids:
            cursor = db.execute(
                "insert or ignore into watch_hits (watch_id, article_id, announced_at, webhook_status,"
                " webhook_attempts) values (?, ?, ?, ?, 0)",
                [watch_id, article_id, now, "pending" if webhook else None],
            )
            if cursor.rowcount:
                claimed.append(article_id)
    return claimed


def watch_hits(db: Database, watch_id: int, *, limit: int = 100, article_ids: Iterable[int] | None = None,
               webhook_status: str | None = None) -> list[dict[str, Any]]:
    """Announced articles of a watch, newest announcement first, with their article fields."""
    sql = ("select a.id, a.url, a.title, a.source_id, a.author, a.published_at, a.first_seen_at,"
           " a.countries, substr(a.text, 1, 400), h.announced_at, h.webhook_status, h.webhook_attempts"
           " from watch_hits h join articles a on a.id = h.article_id where h.watch_id = ?")
    params: list[Any] = [watch_id]
    if article_ids is not None:
        ids = list(article_ids)
        sql += f" and a.id in ({', '.join('?' for _ in ids) or 'null'})"
        params += ids
    if webhook_status is not None:
        sql += " and h.webhook_status = ?"
        params.append(webhook_status)
    keys = ("id", "url", "title", "source_id", "author", "published_at", "first_seen_at", "countries",
            "excerpt", "announced_at", "webhook_status", "webhook_attempts")
    rows = db.execute(sql + " order by h.announced_at desc, a.id desc limit ?", [*params, limit])
    hits = [dict(zip(keys, row)) for row in rows]
    for hit in hits:
        hit["countries"] = json.loads(hit["countries"] or "[]")
    return hits


def set_webhook_result(db: Database, watch_id: int, article_ids: Iterable[int], status: str,
                       error: str | None = None) -> None:
    """After a webhook attempt: `sent`, `pending` (retry next time) or `failed` (gave up)."""
    with writing(db):
        for article_id in article_ids:
            db.execute(
                "update watch_hits set webhook_status = ?, webhook_error = ?,"
                " webhook_attempts = webhook_attempts + 1 where watch_id = ? and article_id = ?",
                [status, error, watch_id, article_id],
            )


def _to_sql(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return int(value)
    return value


to_sql_value = _to_sql  # public: the SQL form of a value (re-extraction compares in it)


def counts_from_stats(stats: Mapping[str, Any]) -> dict[str, dict[str, int]]:
    """Per-source counters out of Scrapy stats keys `marsad/<source>/<counter...>`."""
    counts: dict[str, dict[str, int]] = {}
    for key, value in stats.items():
        parts = key.split("/", 2)
        if len(parts) == 3 and parts[0] == "marsad" and isinstance(value, int):
            counts.setdefault(parts[1], {})[parts[2]] = value
    return counts


class _ItemFailed(Exception):
    """A batch item failed (not in the database): its index; the cause is chained."""

    def __init__(self, index: int):
        super().__init__(index)
        self.index = index


class Checkpointer(threading.Thread):
    """Copies the WAL back into the database file every `interval` seconds from its own
    connection, in a background thread (SQLite releases the GIL): the writer's connection has
    automatic checkpoints off, so its commits never wait for a checkpoint's writes and fsync,
    which grow with the database (4 ms per stored article at 100k articles, 0.2 at 1k)."""

    def __init__(self, path: str | Path, interval: float = 2.0):
        super().__init__(name="marsad-checkpoint", daemon=True)
        self.path, self.interval = str(path), interval
        self.stopping = threading.Event()

    def run(self) -> None:
        conn = sqlite3.connect(self.path, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        try:
            while not self.stopping.wait(self.interval):
                self.checkpoint(conn)
            self.checkpoint(conn)
        finally:
            conn.close()

    @staticmethod
    def checkpoint(conn: sqlite3.Connection) -> None:
        try:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error as exc:  # the next one, or the last connection's close, catches up
            log.warning("WAL checkpoint failed: %s", exc)

    def stop(self) -> None:
        self.stopping.set()
        self.join()


class StorePipeline:
    """Scrapy adapter: stores articles, records rejected and failed pages, records the run.

    Items are written in batches (`FLUSH_ITEMS` items or `FLUSH_SECONDS`, whichever comes first;
    one transaction each), which costs a fraction of a commit per item
    and holds the write lock only while writing. A killed crawl loses at most the last batch:
    neither those articles nor their page records exist, so the next crawl fetches them again.
    When the database stops taking writes (disk full, locked past the busy timeout) the batch is
    counted as `store_error` and the crawl is closed with that reason (the run ends incomplete).
    """

    FLUSH_ITEMS = 50
    FLUSH_SECONDS = 1.0

    def __init__(self, db_path: str, stats, sources: list[str], crawler=None):
        self.db_path = db_path
        self.stats = stats
        self.sources = sources
        self.crawler = crawler
        self.db: Database | None = None
        self.run_id: int | None = None
        self.closing = False
        self.pending: list[tuple[Any, str | None]] = []  # (item adapter, rejection reason or None)
        self.flusher = None
        self.checkpointer: Checkpointer | None = None

    @classmethod
    def from_crawler(cls, crawler):
        from scrapy import signals

        pipe = cls(crawler.settings["MARSAD_DB"], crawler.stats, crawler.settings.getlist("MARSAD_SOURCE_IDS"),
                   crawler)
        crawler.signals.connect(pipe.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(pipe.spider_closed, signal=signals.spider_closed)
        return pipe

    def open_spider(self):
        self.db = open_db(self.db_path)
        self.run_id = start_run(self.db, self.sources)
        self.db.execute("PRAGMA wal_autocheckpoint = 0")  # the Checkpointer's job
        self.checkpointer = Checkpointer(self.db_path)
        self.checkpointer.start()
        if self.crawler is not None:  # in a crawl: flush on a timer too, so a slow crawl's pages land
            from twisted.internet.task import LoopingCall

            self.flusher = LoopingCall(self.flush)
            self.flusher.start(self.FLUSH_SECONDS, now=False)

    def close_spider(self):
        if self.flusher is not None and self.flusher.running:
            self.flusher.stop()
        self.flush()
        if self.checkpointer is not None:
            self.checkpointer.stop()
            self.checkpointer = None

    def process_item(self, item):
        from itemadapter import ItemAdapter

        self._queue(ItemAdapter(item), None)
        return item

    def item_dropped(self, item, response, exception, spider=None):
        from itemadapter import ItemAdapter

        self._queue(ItemAdapter(item), getattr(exception, "reason", type(exception).__name__))

    def _queue(self, adapter, rejection: str | None) -> None:
        self.pending.append((adapter, rejection))
        if len(self.pending) >= self.FLUSH_ITEMS:
            self.flush()

    def flush(self) -> None:
        """Write the pending items in one transaction; count them once it is committed. An item
        that fails with anything but a database error rolls the transaction back: it is logged,
        counted as `store_failed` and left out, and the rest of the batch is written again (no
        per-item savepoints: they cost a third of the store's time, failures are rare)."""
        if not self.pending or self.db is None:
            return
        batch, self.pending = self.pending, []
        while batch:
            try:
                with writing(self.db):
                    counted = [key for n, (adapter, rejection) in enumerate(batch)
                               for key in self._write_or_blame(n, adapter, rejection)]
            except _ItemFailed as failed:
                adapter = batch.pop(failed.index)[0]
                log.error("could not store %s", adapter.get("url"), exc_info=failed.__cause__)
                self.stats.inc_value(f"marsad/{adapter.get('source_id')}/store_failed")
                continue
            except sqlite3.Error as exc:
                self._store_failed(batch, exc)
                return
            for key in counted:
                self.stats.inc_value(key)
            return

    def _write_or_blame(self, index: int, adapter, rejection: str | None) -> list[str]:
        try:
            return self._write(adapter, rejection)
        except sqlite3.Error:
            raise
        except Exception as exc:
            raise _ItemFailed(index) from exc

    def _write(self, adapter, rejection: str | None) -> list[str]:
        source = adapter["source_id"]
        if rejection is not None:
            record_page(self.db, canonical_key(adapter["url"]), source, "rejected", rejection, adapter.get("status"))
            self._archive(adapter, None)
            return []
        if adapter.get("kind") == "failure":
            status = "rejected" if adapter.get("reason") in PERMANENT_REASONS else "failed"
            record_page(self.db, adapter["url"], source, status, adapter["reason"], adapter.get("status"))
            return [f"marsad/{source}/{status}/{adapter['reason']}"]
        derived = adapter.get("derived")
        article_id, cluster_id, created = upsert_article(
            self.db, dict(adapter), fingerprint=derived.fingerprint if derived else None,
            fts_document=derived.fts_document if derived else None)
        self._archive(adapter, article_id)
        adapter["cluster_id"] = cluster_id
        if not created:
            return [f"marsad/{source}/already_stored"]
        keys = [f"marsad/{source}/stored"]
        if cluster_id != article_id:
            keys.append(f"marsad/{source}/duplicates")
        if adapter.get("relevant") and adapter.get("genre") == "opinion":
            keys.append(f"marsad/{source}/relevant_opinion")
        return keys

    def _store_failed(self, batch, exc: sqlite3.Error) -> None:
        """The database refused the batch: count it, say why once, close the crawl."""
        from scrapy.utils.defer import deferred_from_coro

        for adapter, _ in batch:
            self.stats.inc_value(f"marsad/{adapter.get('source_id')}/store_error")
        log.error("could not store %d pages: %s", len(batch), exc)
        if self.crawler is not None and not self.closing:
            self.closing = True
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="store_error"))

    def _archive(self, adapter, article_id: int | None) -> None:
        """Keep the raw page (stored or rejected) for offline re-extraction (`marsad reextract`)."""
        from pipelines.archive import page_from_item, to_row

        page = page_from_item(adapter)
        if page is not None:
            derived = adapter.get("derived")
            row = to_row(page, canonical_key(page.url), derived.archived_body if derived else None)
            archive_page(self.db, row, article_id)

    def spider_closed(self, spider, reason):
        if self.db is None or self.run_id is None:
            return
        self.close_spider()  # normally done already: pipelines close before this signal
        status = "finished" if reason == "finished" else "incomplete"
        try:
            finish_run(self.db, self.run_id, counts_from_stats(self.stats.get_stats()), status, reason)
        except sqlite3.Error as exc:  # the run stays `running`; the next crawl marks it incomplete
            log.error("could not record the end of crawl run %s: %s", self.run_id, exc)
        self.db.close()

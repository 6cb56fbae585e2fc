"""The analysts' side of the database: filters, search, export rows, stats, one article, labels.

Readers open the database read-only (`open_db(path, readonly=True)`); in WAL mode a long read
never blocks the crawl's writes. Analysts' labels (table `labels`) are applied over the
classifier's output in every read here (`EFFECTIVE_ARTICLES`), so they survive `reclassify`.
Every user value reaches SQL as a parameter; only fixed fragments of this module are formatted.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlite_utils import Database

from pipelines.fts import ParsedQuery, snippet
from pipelines.gazetteer import COUNTRIES
from pipelines.store import cluster_copies, utcnow, writing

GENRES = ("opinion", "news", "other")
BM25_WEIGHTS = "4.0, 1.0, 4.0, 1.0"  # title, body, title_stems, body_stems

# Articles with analysts' labels applied over the classifier's output.
EFFECTIVE_ARTICLES = """
select a.id, a.url, a.source_id, a.title, a.author, a.published_at, a.first_seen_at, a.language,
       a.relevance, coalesce(l.relevant, a.relevant) as relevant,
       coalesce(l.countries, a.countries) as countries, coalesce(l.genre, a.genre) as genre,
       a.cluster_id, a.syndicated_from, a.word_count,
       (l.article_id is not null) as labelled,
       coalesce(a.published_at, a.first_seen_at) as date_key
from articles a left join labels l on l.article_id = a.id
"""
# Which copy stands for its cluster: the original (id = cluster_id), else the earliest.
REPRESENTATIVE_ORDER = "(id = cluster_id) desc, date_key, id"
CLUSTER_COLUMNS = (
    "(select count(*) from articles c where c.cluster_id = r.cluster_id) as cluster_size,"
    " (select group_concat(distinct c.source_id) from articles c where c.cluster_id = r.cluster_id) as outlets"
)


class ReadError(ValueError):
    """Bad input to a read (an unknown country, a malformed date, a missing article)."""


@dataclass(frozen=True)
class Filters:
    """The filters of DESIGN.md. Default: relevant Arabic articles, one row per cluster."""

    countries: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    genre: str | None = None
    lang: str | None = None
    include_all: bool = False
    all_copies: bool = False


def make_filters(countries=(), sources=(), since=None, until=None, genre=None, lang=None,
                 include_all=False, all_copies=False) -> Filters:
    """Validated `Filters` (country codes upper-cased; dates YYYY-MM-DD); `ReadError` otherwise."""
    codes = tuple(dict.fromkeys(c.strip().upper() for c in countries if c.strip()))
    bad = [c for c in codes if c not in COUNTRIES]
    if bad:
        raise ReadError(f"unknown country {bad[0]!r}: use one of {', '.join(COUNTRIES)}")
    for label, value in (("--since", since), ("--until", until)):
        if value is not None:
            try:
                date.fromisoformat(value)
            except ValueError:
                raise ReadError(f"{label} {value!r} is not a date: use YYYY-MM-DD") from None
    if genre is not None and genre not in GENRES:
        raise ReadError(f"unknown genre {genre!r}: use one of {', '.join(GENRES)}")
    return Filters(codes, tuple(sources), since, until, genre, lang, include_all, all_copies)


def _where(filters: Filters) -> tuple[str, list[Any]]:
    clauses, params = ["1"], []
    if not filters.include_all:
        clauses.append("relevant = 1")
    if filters.lang or not filters.include_all:
        clauses.append("language = ?")
        params.append(filters.lang or "ar")
    if filters.countries:
        clauses.append("exists (select 1 from json_each(countries) j where j.value in"
                       f" ({', '.join('?' for _ in filters.countries)}))")
        params += filters.countries
    if filters.sources:
        clauses.append(f"source_id in ({', '.join('?' for _ in filters.sources)})")
        params += filters.sources
    if filters.since:
        clauses.append("substr(date_key, 1, 10) >= ?")
        params.append(filters.since)
    if filters.until:
        clauses.append("substr(date_key, 1, 10) <= ?")
        params.append(filters.until)
    if filters.genre:
        clauses.append("genre = ?")
        params.append(filters.genre)
    return " and ".join(clauses), params


def _selection(filters: Filters) -> tuple[str, list[Any]]:
    """SQL (CTEs) naming `r`: the filtered rows, one per cluster unless `all_copies`."""
    where, params = _where(filters)
    if filters.all_copies:
        ranked = "select f.*, 1 as rn from f"
    else:
        ranked = f"select f.*, row_number() over (partition by cluster_id order by {REPRESENTATIVE_ORDER}) as rn from f"
    sql = (f"with f as (select * from ({EFFECTIVE_ARTICLES}) e where {where}), r0 as ({ranked}),"
           " r as (select * from r0 where rn = 1)")
    return sql, params


def _row(cursor: sqlite3.Cursor, values: tuple) -> dict[str, Any]:
    record = dict(zip((d[0] for d in cursor.description), values))
    if "countries" in record:
        record["countries"] = json.loads(record["countries"] or "[]")
    if "outlets" in record:
        record["outlets"] = sorted((record["outlets"] or "").split(",")) if record["outlets"] else []
    for key in ("relevant", "labelled"):
        if key in record and record[key] is not None:
            record[key] = bool(record[key])
    return record


def search(db: Database, query: ParsedQuery, filters: Filters = Filters(), limit: int = 20) -> list[dict[str, Any]]:
    """Articles matching `query` (from `pipelines.fts.parse_query`), best bm25 first, with snippets;
    one row per cluster (the first of `REPRESENTATIVE_ORDER` among its matching rows) unless
    `filters.all_copies`. Raises `ReadError` when SQLite rejects the MATCH expression.

    Only the best `k` hits are filtered and grouped, `k` growing until `limit` clusters are found
    or the hits run out: a cluster's best hit ranks above every hit of the clusters after it, so
    the first `limit` clusters are exactly those of a full evaluation."""
    where, params = _where(filters)
    try:
        k = max(500, 25 * limit)
        while True:
            hits = db.execute(f"select rowid, bm25(articles_fts, {BM25_WEIGHTS}) as score from articles_fts"
                              " where articles_fts match ? order by score limit ?", [query.match, k]).fetchall()
            score = dict(hits)
            kept = db.execute(f"select id, cluster_id from ({EFFECTIVE_ARTICLES}) e where"
                              f" id in (select value from json_each(?)) and {where}",
                              [json.dumps(list(score)), *params]).fetchall()
            best: dict[int, float] = {}
            for article_id, cluster_id in kept:
                key = article_id if filters.all_copies else cluster_id
                best[key] = min(best.get(key, score[article_id]), score[article_id])
            if len(best) >= limit or len(hits) < k:
                break
            k *= 4
        chosen = sorted(best, key=lambda key: (best[key], key))[:limit]
        if filters.all_copies:
            ids, score_of = chosen, {a: best[a] for a in chosen}
        else:
            members = db.execute(
                f"select id, cluster_id from (select e.* from ({EFFECTIVE_ARTICLES}) e"
                f" where cluster_id in (select value from json_each(?)) and {where})"
                f" order by {REPRESENTATIVE_ORDER}", [json.dumps(chosen), *params]).fetchall()
            representative: dict[int, int] = {}
            for article_id, cluster_id in members:  # the first matching member of each cluster
                if cluster_id not in representative and (article_id in score or db.execute(
                        "select 1 from articles_fts where articles_fts match ? and rowid = ?",
                        [query.match, article_id]).fetchone()):
                    representative[cluster_id] = article_id
            ids = [representative[c] for c in chosen if c in representative]
            score_of = {representative[c]: best[c] for c in chosen if c in representative}
    except sqlite3.OperationalError as exc:
        if "fts5" in str(exc) or "syntax" in str(exc):
            raise ReadError(f"search query rejected: {exc}") from exc
        raise
    order = {article_id: i for i, article_id in enumerate(ids)}
    cursor = db.execute(
        f"select r.id, r.url, r.title, r.source_id, r.author, r.published_at, r.countries, r.genre,"
        f" t.text, r.cluster_id, r.relevant, r.labelled, {CLUSTER_COLUMNS}"
        f" from ({EFFECTIVE_ARTICLES}) r join articles t on t.id = r.id"
        " where r.id in (select value from json_each(?))", [json.dumps(ids)])
    rows = sorted((_row(cursor, values) for values in cursor.fetchall()), key=lambda row: order[row["id"]])
    for row in rows:
        row["snippet"] = snippet(row.pop("text"), query.terms)
        row["score"] = -score_of[row["id"]]  # bm25 is lower-is-better; report higher-is-better
    return rows


EXPORT_SELECT = (
    "r.id, r.url, r.title, r.source_id, r.author, r.published_at, r.first_seen_at, r.language,"
    " r.countries, r.genre, r.relevance, r.relevant, r.labelled, r.cluster_id, r.syndicated_from,"
    " r.word_count, (select t.text from articles t where t.id = r.id) as text, " + CLUSTER_COLUMNS
)


def count_rows(db: Database, filters: Filters = Filters()) -> int:
    """How many rows `iter_rows` yields for `filters`."""
    sql, params = _selection(filters)
    return db.execute(sql + " select count(*) from r", params).fetchone()[0]


def iter_rows(db: Database, filters: Filters = Filters()) -> Iterator[dict[str, Any]]:
    """Export rows, newest first, streamed from the cursor (memory stays flat)."""
    sql, params = _selection(filters)
    cursor = db.execute(sql + f" select {EXPORT_SELECT} from r order by r.date_key desc, r.id desc", params)
    while batch := cursor.fetchmany(500):
        for values in batch:
            yield _row(cursor, values)


WEEK = "date(substr(date_key, 1, 10), 'weekday 0', '-6 days')"  # Monday of the week


def stats(db: Database, filters: Filters = Filters()) -> dict[str, Any]:
    """Counts over the filtered rows: per outlet, country, genre, language and week (Monday)."""
    sql, params = _selection(filters)
    groups = {
        "outlet": "select source_id, count(*) from r group by 1 order by 2 desc, 1",
        "country": "select j.value, count(*) from r, json_each(r.countries) j group by 1 order by 2 desc, 1",
        "genre": "select genre, count(*) from r group by 1 order by 2 desc, 1",
        "language": "select language, count(*) from r group by 1 order by 2 desc, 1",
        "week": f"select {WEEK}, count(*) from r where date_key is not null group by 1 order by 1",
    }
    result: dict[str, Any] = {
        "articles": db.execute("select count(*) from articles").fetchone()[0],
        "clusters": db.execute("select count(distinct cluster_id) from articles").fetchone()[0],
        "labelled": db.execute("select count(*) from labels").fetchone()[0],
        "selected": db.execute(sql + " select count(*) from r", params).fetchone()[0],
    }
    for name, query in groups.items():
        result[f"per_{name}"] = {str(k): n for k, n in db.execute(sql + " " + query, params)}
    result["non_articles"] = {f"{s}:{r}": n for s, r, n in db.execute(
        "select status, reason, count(*) from fetched_pages where status != 'article'"
        " group by 1, 2 order by 3 desc")}
    return result


def weekly_country_counts(db: Database, filters: Filters) -> list[tuple[str, str, int]]:
    """(week Monday, country, rows) for the filtered rows, in week order."""
    sql, params = _selection(filters)
    return [tuple(row) for row in db.execute(
        sql + f" select {WEEK} as week, j.value, count(*) from r, json_each(r.countries) j"
        " where date_key is not null group by 1, 2 order by 1, 2", params)]


def show_article(db: Database, article_id: int) -> dict[str, Any]:
    """One article in full: stored columns, the label over them, evidence, its cluster's copies."""
    cursor = db.execute("select * from articles where id = ?", [article_id])
    values = cursor.fetchone()
    if values is None:
        raise ReadError(f"no article with id {article_id}")
    article = dict(zip((d[0] for d in cursor.description), values))
    for key in ("countries", "evidence"):
        article[key] = json.loads(article[key]) if article.get(key) else ([] if key == "countries" else {})
    label = get_label(db, article_id)
    article["label"] = label
    article["effective"] = {
        "relevant": bool(label["relevant"] if label and label["relevant"] is not None else article["relevant"]),
        "countries": label["countries"] if label and label["countries"] is not None else article["countries"],
        "genre": label["genre"] if label and label["genre"] is not None else article["genre"],
    }
    article["copies"] = [c for c in cluster_copies(db, article["cluster_id"]) if c["id"] != article_id]
    return article


def get_label(db: Database, article_id: int) -> dict[str, Any] | None:
    row = db.execute("select relevant, countries, genre, note, labelled_at from labels where article_id = ?",
                     [article_id]).fetchone()
    if row is None:
        return None
    relevant, countries, genre, note, at = row
    return {"relevant": None if relevant is None else bool(relevant),
            "countries": None if countries is None else json.loads(countries),
            "genre": genre, "note": note, "labelled_at": at}


def save_label(db: Database, article_id: int, *, relevant: bool | None = None,
               countries: list[str] | None = None, genre: str | None = None,
               note: str | None = None) -> dict[str, Any]:
    """Record an analyst's correction (merged with an earlier label); the one write of this module."""
    if db.execute("select 1 from articles where id = ?", [article_id]).fetchone() is None:
        raise ReadError(f"no article with id {article_id}")
    if relevant is None and countries is None and genre is None and note is None:
        raise ReadError("nothing to label: give --relevant, --countries, --genre or --note")
    if countries is not None:
        countries = list(make_filters(countries=countries).countries)
    if genre is not None:
        make_filters(genre=genre)
    with writing(db):
        db.execute(
            "insert into labels (article_id, relevant, countries, genre, note, labelled_at)"
            " values (?, ?, ?, ?, ?, ?) on conflict(article_id) do update set"
            " relevant = coalesce(excluded.relevant, relevant),"
            " countries = coalesce(excluded.countries, countries),"
            " genre = coalesce(excluded.genre, genre), note = coalesce(excluded.note, note),"
            " labelled_at = excluded.labelled_at",
            [article_id, None if relevant is None else int(relevant),
             None if countries is None else json.dumps(countries), genre, note, utcnow()],
        )
    return get_label(db, article_id)


def clear_label(db: Database, article_id: int) -> bool:
    """Remove an analyst's label; True when there was one."""
    with writing(db):
        return db.execute("delete from labels where article_id = ?", [article_id]).rowcount > 0

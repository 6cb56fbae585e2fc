"""Datasette browsing: metadata (table and column descriptions, units), canned queries, RTL CSS.

Datasette opens a mutable database file with `?mode=ro` connections, so browsing never writes
and, in WAL mode, never blocks a crawl. Canned queries read articles with analysts' labels
applied (`pipelines.read.EFFECTIVE_ARTICLES`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pipelines.read import EFFECTIVE_ARTICLES

# Right-to-left where the text is Arabic, left-to-right where it is not, cell by cell.
RTL_CSS = """
td, th, .rows-and-columns td, .rows-and-columns th, dd, pre, textarea {
  unicode-bidi: plaintext; text-align: start;
}
"""
STATIC_MOUNT = "marsad"

_ONE_PER_CLUSTER = ("(e.id = e.cluster_id or not exists (select 1 from articles o"
                    " where o.id = e.cluster_id))")

CANNED_QUERIES: dict[str, dict[str, str]] = {
    "latest_opeds": {
        "title": "Latest op-eds per country",
        "description": "Relevant Arabic op-eds, newest first, one per syndication cluster. "
                       "Leave country empty for all, or give KZ, UZ, KG, TJ or TM.",
        "sql": f"""select e.id, e.date_key as date, e.source_id as outlet, e.title, e.author,
  e.countries, e.labelled, e.url
from ({EFFECTIVE_ARTICLES}) e
where e.relevant = 1 and e.genre = 'opinion' and e.language = 'ar' and {_ONE_PER_CLUSTER}
  and (coalesce(:country, '') = '' or exists (select 1 from json_each(e.countries) j
       where j.value = upper(:country)))
order by e.date_key desc, e.id desc limit 200""",
    },
    "syndication_clusters": {
        "title": "Syndication clusters with their outlets",
        "description": "Pieces stored more than once (republished or copied), with every outlet "
                       "that carried them; the original is the row whose id is the cluster id.",
        "sql": """select a.cluster_id, o.title as original_title, o.source_id as original_outlet,
  count(*) as copies, group_concat(a.source_id, ', ') as outlets,
  min(coalesce(a.published_at, a.first_seen_at)) as first_date,
  max(coalesce(a.published_at, a.first_seen_at)) as last_date
from articles a join articles o on o.id = a.cluster_id
group by a.cluster_id having count(*) > 1
order by copies desc, first_date desc""",
    },
    "authors_by_pieces": {
        "title": "Authors by number of pieces",
        "description": "Authors of relevant Arabic pieces (copies of one piece count once), "
                       "with their outlets and first and last dates.",
        "sql": f"""select e.author, count(distinct e.cluster_id) as pieces,
  group_concat(distinct e.source_id) as outlets,
  min(e.date_key) as first_date, max(e.date_key) as last_date
from ({EFFECTIVE_ARTICLES}) e
where e.author is not null and e.author != '' and e.relevant = 1 and e.language = 'ar'
group by e.author order by pieces desc, e.author""",
    },
    "source_health": {
        "title": "Source health",
        "description": "Per outlet: pages fetched, articles, permanent rejections, failures "
                       "waiting for a retry, the last fetch and the last new article.",
        "sql": """select p.source_id as outlet, count(*) as pages,
  sum(p.status = 'article') as article_pages, sum(p.status = 'rejected') as rejected,
  sum(p.status = 'failed') as failing, max(p.last_fetched_at) as last_fetch,
  (select max(a.first_seen_at) from articles a where a.source_id = p.source_id) as last_new_article,
  (select count(*) from articles a where a.source_id = p.source_id and a.relevant = 1) as relevant_articles
from fetched_pages p group by p.source_id order by p.source_id""",
    },
}

ARTICLE_COLUMN_DOCS: dict[str, str] = {
    "id": "article id", "url": "the URL as fetched", "canonical_url": "normalised URL (the unique key)",
    "source_id": "registry id of the outlet", "title": "headline", "author": "author(s), joined with '، '",
    "author_bio": "the author's signature line", "published_at": "ISO 8601 with offset, or YYYY-MM-DD",
    "date_source": "where the date came from", "language": "ISO 639-1 code",
    "language_confidence": "0..1 (unitless)", "relevance": "Central Asia relevance score, 0..1 (unitless)",
    "relevant": "1 = relevant (classifier; see labels for analysts' corrections)",
    "countries": "JSON array of ISO 3166 alpha-2 codes among KZ UZ KG TJ TM",
    "genre": "opinion, news or other", "syndicated_from": "outlet named in a reprint credit",
    "cluster_id": "syndication cluster: the id of its original", "text": "full extracted text",
    "word_count": "number of words", "content_hash": "hash of the normalised text",
    "evidence": "JSON: why it was classified so", "fetched_at": "UTC time of the fetch",
    "first_seen_at": "UTC time first stored", "last_seen_at": "UTC time last seen in a crawl",
}


def metadata(db_name: str) -> dict[str, Any]:
    """Datasette metadata for the database called `db_name` (its file stem)."""
    return {
        "title": "Marsad — Arabic opinion writing about Central Asia",
        "description": "Read-only view. Full-text search that understands Arabic spelling: "
                       "`marsad search`. Analysts' corrections: `marsad label`.",
        "extra_css_urls": [f"/{STATIC_MOUNT}/marsad.css"],
        "databases": {
            db_name: {
                "description": "Articles collected by the Marsad crawler, with fetch records.",
                "tables": {
                    "articles": {"description": "One row per stored copy of an article.",
                                 "columns": ARTICLE_COLUMN_DOCS, "sort_desc": "id"},
                    "labels": {"description": "Analysts' corrections, applied over the classifier's "
                                              "output in search, export, stats and these queries.",
                               "columns": {"article_id": "the article", "relevant": "1/0, empty = unchanged",
                                           "countries": "JSON array, empty = unchanged",
                                           "genre": "empty = unchanged", "note": "the analyst's note",
                                           "labelled_at": "UTC time"}},
                    "fetched_pages": {"description": "Every fetched URL with its outcome "
                                                     "(article, rejected: permanent, failed: retried).",
                                      "columns": {"attempts": "fetches so far (count)",
                                                  "next_retry_at": "UTC time of the next retry"}},
                    "crawl_runs": {"description": "One row per crawl, with per-source counters (JSON)."},
                    "articles_fts": {"description": "Full-text index over normalised text; "
                                                    "use `marsad search`.", "hidden": True},
                },
                "queries": CANNED_QUERIES,
            }
        },
    }


def write_support_files(db_path: Path, folder: Path) -> tuple[Path, Path]:
    """Write metadata.json and the static folder (RTL CSS) into `folder`; return both paths."""
    static = folder / "static"
    static.mkdir(parents=True, exist_ok=True)
    (static / "marsad.css").write_text(RTL_CSS, encoding="utf-8")
    meta = folder / "metadata.json"
    meta.write_text(json.dumps(metadata(db_path.stem), ensure_ascii=False, indent=2), encoding="utf-8")
    return meta, static


def datasette_command(db_path: Path, meta: Path, static: Path, host: str, port: int,
                      open_browser: bool = False) -> list[str]:
    """The Datasette command line serving `db_path` (mutable, read-only connections)."""
    command = [sys.executable, "-m", "datasette", "serve", str(db_path), "--metadata", str(meta),
               "--static", f"{STATIC_MOUNT}:{static}", "--host", host, "--port", str(port),
               "--setting", "sql_time_limit_ms", "5000"]
    return command + (["--open"] if open_browser else [])

"""Raw-page archive and offline re-extraction (pure functions; SQL lives in `store.py`).

Every fetched article page (stored or rejected by extraction) is kept compressed with its
fetch metadata, so that a better extractor, a new setting or a changed source override can be
re-run later without the network: `marsad reextract`.

Where: in the database (table `archive`, one row per canonical URL, the latest fetch), not in
files under data/archive/. One file to back up and move with the articles it explains; the
page and its article row are written in the same transaction; re-extraction is one query per
source; no file names derived from Arabic URLs; a compressed news page (10-40 KB) is the size
SQLite stores faster than the file system does. Codec: Zstandard level 3 (6x faster than zlib
level 6 on real Arabic pages for a 6% larger archive; zlib on a Python without Zstandard),
recorded per row: rows archived with zlib before it still read.
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from pipelines.config import RELEVANCE_THRESHOLD, ExtractSettings
from pipelines.rejections import Rejected

try:
    from compression import zstd  # Python 3.14+, when built with libzstd
except ImportError:
    try:
        from backports import zstd  # the same module before 3.14 (Scrapy depends on it too)
    except ImportError:  # a Python 3.14 built without libzstd: archive with zlib
        zstd = None

CODEC = "zstd" if zstd else "zlib"
LEVEL = 3 if zstd else 6  # Zstandard level 3; zlib level 6, the old codec
_DECOMPRESSORS = {"zlib": zlib.decompress, **({"zstd": zstd.decompress} if zstd else {})}
MAX_ARCHIVED_BYTES = 8_000_000  # a page larger than this is a counted failure, not kept
# Article columns that re-extraction may change (the key columns and timestamps never change).
COMPARED = ("title", "author", "author_bio", "published_at", "date_source", "text", "word_count",
            "language", "language_confidence", "relevance", "relevant", "countries", "genre",
            "syndicated_from", "content_hash")


@dataclass(frozen=True)
class ArchivedPage:
    """One fetched page as it came off the wire."""

    url: str
    source_id: str
    body: bytes
    fetched_at: str
    status: int | None = None
    content_type: str | None = None
    header_charset: str | None = None
    encoding: str | None = None
    requested_url: str | None = None


def compress(body: bytes) -> bytes:
    """`body` compressed with CODEC."""
    return zstd.compress(body, LEVEL) if zstd else zlib.compress(body, LEVEL)


def decompress(blob: bytes, codec: str = CODEC) -> bytes:
    decompressor = _DECOMPRESSORS.get(codec)
    if decompressor is None:
        raise ValueError(f"archive codec {codec!r} is not available in this Python")
    return decompressor(blob)


def archivable(page: ArchivedPage) -> bool:
    return 0 < len(page.body) <= MAX_ARCHIVED_BYTES


def page_from_item(item: Mapping[str, Any]) -> ArchivedPage | None:
    """The archivable page of a pipeline item (a dict view); None when it carries no body."""
    if item.get("kind") != "page":
        return None
    page = page_of_item(item)
    return page if archivable(page) else None


def page_of_item(item: Mapping[str, Any]) -> ArchivedPage:
    """The fetched page of a pipeline item of kind "page" (a dict view)."""
    return ArchivedPage(
        url=item["url"], source_id=item["source_id"], body=bytes(item.get("body") or b""),
        fetched_at=item.get("fetched_at") or datetime.now(timezone.utc).isoformat(timespec="seconds"),
        status=item.get("status"), content_type=item.get("content_type"),
        header_charset=item.get("header_charset"), encoding=item.get("encoding"),
        requested_url=item.get("requested_url"),
    )


def to_row(page: ArchivedPage, key: str, compressed: bytes | None = None) -> dict[str, Any]:
    """The `archive` table row of a page stored under canonical URL `key` (`compressed`: its
    body already compressed, when a worker process did it)."""
    row = dict(vars(page))
    body = row.pop("body")
    row.update(url=key, fetched_url=page.url, http_status=row.pop("status"), codec=CODEC,
               raw_size=len(body), body=compressed if compressed is not None else compress(body))
    return row


def from_row(row: Mapping[str, Any]) -> ArchivedPage:
    return ArchivedPage(
        url=row["fetched_url"] or row["url"], source_id=row["source_id"],
        body=decompress(row["body"], row["codec"]), fetched_at=row["fetched_at"],
        status=row["http_status"], content_type=row["content_type"],
        header_charset=row["header_charset"], encoding=row["encoding"],
        requested_url=row["requested_url"],
    )


@dataclass
class ReextractOptions:
    """What re-extraction runs with: extraction settings, per-source overrides, outlet aliases."""

    settings: ExtractSettings = ExtractSettings()
    overrides: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    aliases: Mapping[str, str] = field(default_factory=dict)
    threshold: float = RELEVANCE_THRESHOLD


def process_page(page: ArchivedPage, options: ReextractOptions) -> dict[str, Any]:
    """Extraction + classification + dedupe keys of an archived page, as article columns.

    Raises `Rejected` when the page is (now) not an article.
    """
    # The stages are imported here: the crawl process uses this module's page and option types
    # and never runs them (its stage workers do, and their forkserver imports them once).
    from pipelines.classify import classify
    from pipelines.dedupe import dedupe_keys
    from pipelines.extract import extract_article

    when = datetime.fromisoformat(page.fetched_at)
    result = extract_article(
        page.body, url=page.url, fetched_at=when, header_charset=page.header_charset,
        content_type=page.content_type, overrides=options.overrides.get(page.source_id, {}),
        settings=options.settings,
    )
    classification = classify(
        result.text, title=result.title or "", url=page.url,
        declared_language=result.declared_language, section=result.section,
        article_type=result.article_type, author_bio=result.author_bio, threshold=options.threshold,
    )
    record = {"url": page.url, "source_id": page.source_id, "fetched_at": page.fetched_at,
              "requested_url": page.requested_url, **vars(result), **vars(classification)}
    record.update(dedupe_keys(page.url, result.text, result.canonical_hint, result.reprint_credit,
                              dict(options.aliases)))
    record["evidence"] = {**result.evidence, **classification.evidence}
    return record


def changed_fields(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """Compared columns whose stored value differs from the re-extracted one (SQL forms)."""
    from pipelines.store import to_sql_value

    return [key for key in COMPARED if to_sql_value(new.get(key)) != old.get(key)]


@dataclass
class ReextractReport:
    """What a re-extraction did: counts, and which fields changed how often."""

    pages: int = 0
    unchanged: int = 0
    updated: int = 0
    added: int = 0  # pages rejected before, articles now
    removed: int = 0  # articles before, rejected now
    still_rejected: int = 0
    fields: Counter = field(default_factory=Counter)
    reasons: Counter = field(default_factory=Counter)
    changed_ids: list[int] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"archived pages: {self.pages}", f"unchanged: {self.unchanged}",
               f"updated: {self.updated}", f"now articles (were rejected): {self.added}",
               f"now rejected (were articles): {self.removed}", f"still rejected: {self.still_rejected}"]
        out += [f"  field {name}: {count} rows" for name, count in sorted(self.fields.items())]
        out += [f"  rejected {reason}: {count}" for reason, count in sorted(self.reasons.items())]
        return out


def reextract_db(db, options: ReextractOptions, source_ids: tuple[str, ...] = (),
                 dry_run: bool = False) -> ReextractReport:
    """Re-run extraction and classification over every archived page (of `source_ids`, or all)
    and write back exactly the rows whose values changed. No network."""
    from pipelines import store

    report = ReextractReport()
    for key, row in store.iter_archive(db, source_ids):
        report.pages += 1
        page = from_row(row)
        old = store.archived_article(db, key)
        try:
            new = process_page(page, options)
        except Rejected as exc:
            report.reasons[exc.reason] += 1
            if old is None:
                report.still_rejected += 1
            else:
                report.removed += 1
                report.changed_ids.append(old["id"])
                if not dry_run:
                    store.remove_article(db, old["id"], key, page.source_id, exc.reason)
            continue
        if old is None:
            report.added += 1
            if not dry_run:
                article_id, _, _ = store.upsert_article(db, {**new, "canonical_url": key})
                store.archive_page(db, row, article_id)
                report.changed_ids.append(article_id)
            continue
        diff = changed_fields(old, new)
        if not diff:
            report.unchanged += 1
            continue
        report.updated += 1
        report.fields.update(diff)
        report.changed_ids.append(old["id"])
        if not dry_run:
            store.update_article(db, old["id"], {k: new.get(k) for k in (*COMPARED, "evidence")})
    return report

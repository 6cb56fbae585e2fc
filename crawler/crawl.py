"""One crawl in this process: `python -m crawler.crawl --sources FILE --db FILE [...]`.

Scrapy's reactor cannot restart within a process, so the CLI and the scheduler run each crawl
through this module as a subprocess.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sqlite3
import sys

from pipelines import stage_server
from pipelines.config import load_config, worker_count

# The crawl process allocates fast (requests, responses, items, Deferreds): Python's default
# collection every 700 new container objects took ~1.1 s of a 2,000-page crawl's 8.6 s of CPU,
# most of it re-scanning the same long-lived objects. Every 10,000, with what exists at the start
# (modules, settings, the registry) frozen out of later collections: 0.15 s.
GC_GEN0_THRESHOLD = 10_000


def build_settings(sources_path: str, db_path: str, source_ids: list[str], refetch: bool,
                   overrides: dict[str, str]):
    """Project settings plus this crawl's registry-derived values."""
    from scrapy.utils.project import get_project_settings

    from crawler.sources import load_sources, outlet_aliases, select

    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    settings = get_project_settings()
    registry = load_sources(sources_path)
    sources = select(registry, source_ids)
    settings.set("MARSAD_SOURCES", sources_path)
    settings.set("MARSAD_DB", db_path)
    settings.set("MARSAD_SOURCE_IDS", [s.id for s in sources])
    settings.set("MARSAD_REFETCH", refetch)
    settings.set("MARSAD_OVERRIDES", {s.id: dict(s.overrides) for s in sources if s.overrides})
    settings.set("MARSAD_OUTLET_ALIASES", outlet_aliases(registry))  # credits may name any outlet
    settings.set("MARSAD_CRAWL_DELAYS", {s.host: s.crawl_delay for s in sources if s.crawl_delay})
    for key, value in overrides.items():
        settings.set(key, value, priority="cmdline")
    return settings


def check_writable(db_path: str) -> None:
    """Raise StoreError (one line) unless the database opens and takes a write lock now: a
    read-only file or another writer holding it past the busy timeout stops the crawl before
    anything is fetched, instead of failing in the store pipeline with a traceback."""
    from pipelines.store import StoreError, open_db

    db = open_db(db_path)
    try:
        db.execute("begin immediate")
        db.execute("create table marsad_write_check (x)")  # a real write, never committed
        db.execute("rollback")
    except sqlite3.Error as exc:
        raise StoreError(f"cannot write database {db_path}: {exc}") from exc
    finally:
        db.close()


def run(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.crawl")
    parser.add_argument("--sources", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--source", action="append", default=[])
    parser.add_argument("--refetch", action="store_true")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args(argv)
    overrides = dict(item.split("=", 1) for item in args.set)
    try:
        if worker_count(overrides.get("MARSAD_WORKERS") or load_config().workers):
            stage_server.start()  # imports the stages while this process imports Scrapy (below)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    from scrapy.crawler import CrawlerProcess

    from crawler.sources import RegistryError
    from pipelines.store import StoreError

    try:
        settings = build_settings(args.sources, args.db, args.source, args.refetch, overrides)
        check_writable(args.db)
    except (RegistryError, StoreError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    process = CrawlerProcess(settings)
    # Scrapy filters at its handler, so each page's DEBUG lines ("Crawled", "Stored") are built
    # and thrown away: below LOG_LEVEL they are now not built at all.
    logging.getLogger("scrapy").setLevel(settings.get("LOG_LEVEL"))
    crawler = process.create_crawler("outlets")
    process.crawl(crawler)
    gc.freeze()
    gc.set_threshold(GC_GEN0_THRESHOLD, *gc.get_threshold()[1:])
    process.start()
    reason = (crawler.stats.get_value("finish_reason") if crawler.stats else None) or "unknown"
    return 0 if reason == "finished" else 3


if __name__ == "__main__":
    sys.exit(run())

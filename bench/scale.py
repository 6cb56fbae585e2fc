"""Scale: does the cost of ingesting an article grow with what is already stored?

Usage (from the repository root): python -m bench.scale [--small 1000] [--large 100000] [--new 500]

1. Two databases are pre-filled with synthetic articles through `pipelines.store.upsert_article`
   (texts generated like the corpus's, so near-duplicate keys and the FTS index fill as in real
   use; prefill runs with `synchronous = OFF` and batched transactions, for speed only). They are
   kept in a cache folder (default: the system temp dir) and reused by later runs.
2. The same `--new` article pages (a generated corpus, with republished copies) go through the
   crawl's own Scrapy pipeline adapters in this process — StagesPipeline (inline: extract,
   classify, dedupe keys, fingerprint, search document) → StorePipeline (batched writes, as in a
   crawl) — into a fresh copy of each database, twice, alternating.
3. Printed: per-article milliseconds per stage and in total with --small and --large articles
   stored (the best of the repeats), the ratio large/small, and the cost of the crawl's start-up
   query `known_urls` (run once per crawl: every stored URL loaded into a set).
"""

from __future__ import annotations

import argparse
import hashlib
import random
import shutil
import sqlite3
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bench.corpus import generate, make_text, sentence_pool
from bench.throughput import machine

STAGES = ("stages", "store")


def synthetic_record(k: int, rng: random.Random, pool: list[str]) -> dict:
    """An article row as the pipeline would hand it to the store."""
    text = "\n".join(make_text(rng, pool))
    published = datetime(2020, 1, 1, tzinfo=timezone.utc) + timedelta(minutes=37 * k)
    url = f"https://synthetic-{k % 50}.example/{published:%Y/%m}/article-{k}.html"
    return {
        "url": url, "canonical_url": url, "source_id": f"synthetic{k % 50}", "title": f"مقال تجريبي رقم {k}",
        "author": "كاتب تجريبي", "published_at": published.isoformat(timespec="seconds"), "language": "ar",
        "language_confidence": 1.0, "relevance": 0.9, "relevant": True, "countries": ["KZ"],
        "genre": "opinion", "text": text, "word_count": len(text.split()),
        "content_hash": hashlib.sha1(text.encode("utf-8")).hexdigest(), "evidence": {},
        "fetched_at": published.isoformat(timespec="seconds"),
    }


def prefill(path: Path, count: int, seed: int = 7) -> Path:
    """A database holding `count` synthetic articles (built once, then reused)."""
    from pipelines.store import open_db, upsert_article

    if path.exists():
        return path
    partial = path.with_suffix(".partial")
    for leftover in partial.parent.glob(partial.name + "*"):
        leftover.unlink()
    db = open_db(partial)
    db.execute("PRAGMA synchronous = OFF")
    rng, pool = random.Random(seed), sentence_pool()
    started = time.perf_counter()
    for start in range(0, count, 1000):
        with db.atomic():
            for k in range(start, min(count, start + 1000)):
                upsert_article(db, synthetic_record(k, rng, pool))
        if start and start % 10_000 == 0:
            rate = start / (time.perf_counter() - started)
            print(f"  prefill {path.name}: {start}/{count} ({rate:.0f} rows/s)", flush=True)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    partial.rename(path)
    return path


def fresh_copy(source: Path, target: Path) -> Path:
    for leftover in target.parent.glob(target.name + "*"):
        leftover.unlink()
    shutil.copyfile(source, target)
    return target


def pipelines_for(db_path: Path, corpus_sources: Path):
    """The crawl's pipeline adapters, built by their own from_crawler on a test crawler (the
    stages inline: this measures cost per article, not parallelism)."""
    from scrapy.utils.test import get_crawler

    from crawler.sources import load_sources, outlet_aliases
    from pipelines.store import StorePipeline
    from pipelines.workers import StagesPipeline

    sources = load_sources(corpus_sources)
    crawler = get_crawler(settings_dict={
        "MARSAD_DB": str(db_path), "MARSAD_SOURCE_IDS": [s.id for s in sources],
        "MARSAD_OUTLET_ALIASES": outlet_aliases(sources), "MARSAD_OVERRIDES": {},
        "MARSAD_MIN_WORDS": 50, "MARSAD_RELEVANCE_THRESHOLD": 0.5, "MARSAD_WORKERS": 0,
    })
    store = StorePipeline(str(db_path), crawler.stats, crawler.settings.getlist("MARSAD_SOURCE_IDS"))
    return crawler, [StagesPipeline.from_crawler(crawler), store]


def _run(step):
    """The result of a pipeline step; an inline `async def` step never suspends."""
    if not hasattr(step, "send"):
        return step
    try:
        step.send(None)
    except StopIteration as done:
        return done.value
    raise RuntimeError("an inline stage suspended")


def ingest(db_path: Path, corpus) -> dict[str, float]:
    """Seconds per stage for every page of `corpus`, stored into `db_path`."""
    from scrapy.exceptions import DropItem

    from crawler.items import ArticleItem

    crawler, pipes = pipelines_for(db_path, corpus.sources_file)
    store = pipes[-1]
    store.open_spider()
    bodies = [(p, (corpus.root / p.file).read_bytes()) for p in corpus.pages]
    spent = dict.fromkeys(STAGES, 0.0)
    fetched = datetime.now(timezone.utc).isoformat(timespec="seconds")
    for page, body in bodies:
        item = ArticleItem(kind="page", url=page.url, requested_url=page.url, source_id=page.outlet,
                           fetched_at=fetched, status=200, body=body, content_type="text/html",
                           header_charset=None, found_via="sitemap")
        for stage, pipe in zip(STAGES, pipes):
            started = time.perf_counter()
            try:
                item = _run(pipe.process_item(item))
            except DropItem:
                spent[stage] += time.perf_counter() - started
                break
            spent[stage] += time.perf_counter() - started
    started = time.perf_counter()
    store.spider_closed(None, "finished")  # writes the last batch
    spent["store"] += time.perf_counter() - started
    return spent


def known_urls_cost(db_path: Path) -> tuple[float, int]:
    from pipelines.store import known_urls, open_db

    db = open_db(db_path)
    started = time.perf_counter()
    found = known_urls(db)
    elapsed = time.perf_counter() - started
    db.close()
    return elapsed, len(found)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.scale")
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--new", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "marsad-bench-scale")
    args = parser.parse_args(argv)
    args.cache.mkdir(parents=True, exist_ok=True)
    sizes = (args.small, args.large)
    bases = {n: prefill(args.cache / f"prefill-{n}.db", n) for n in sizes}
    with tempfile.TemporaryDirectory(prefix="marsad-scale-") as tmp:
        work = Path(tmp)
        corpus = generate(work / "corpus", pages=args.new, outlets=10, port=8480, seed=11)
        best: dict[int, dict[str, float]] = {}
        for repeat in range(args.repeats):
            for n in (sizes if repeat % 2 == 0 else reversed(sizes)):
                db = fresh_copy(bases[n], work / f"run-{n}.db")
                spent = ingest(db, corpus)
                spent["total"] = sum(spent.values())
                if n not in best or spent["total"] < best[n]["total"]:
                    best[n] = spent
                with sqlite3.connect(db) as conn:
                    stored = conn.execute("select count(*) from articles").fetchone()[0]
                print(f"  repeat {repeat + 1}, {n} stored: {1000 * spent['total'] / args.new:.1f} ms/article,"
                      f" {stored - n} new rows", flush=True)
        startup = {n: known_urls_cost(bases[n]) for n in sizes}
    copies = sum(1 for p in corpus.pages if p.copy_of)
    print(f"# bench/scale.py, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {machine()}")
    print(f"# ingest of the same {args.new} new article pages ({copies} republished copies), in-process,"
          f" best of {args.repeats}")
    print(f"{'stored':>8} " + " ".join(f"{s:>9}" for s in (*STAGES, "total")) + "   (ms per article)")
    for n in sizes:
        print(f"{n:>8} " + " ".join(f"{1000 * best[n][s] / args.new:9.2f}" for s in (*STAGES, "total")))
    small, large = best[args.small], best[args.large]
    print(f"ratio {args.large}/{args.small} total {large['total'] / small['total']:.2f}   target <= 1.3")
    print(f"ratio {args.large}/{args.small} store  {large['store'] / small['store']:.2f}")
    for n in sizes:
        print(f"known_urls at crawl start with {n} stored: {1000 * startup[n][0]:.0f} ms ({startup[n][1]} URLs)")


if __name__ == "__main__":
    main()

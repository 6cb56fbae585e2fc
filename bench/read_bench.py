"""Read-side benchmark: search latency and export memory at 10k and 100k articles, side by side.

Builds synthetic Arabic articles (bulk-inserted with the store's schema and the same FTS
documents `upsert_article` writes), then measures
  - search: p50/p95 over a fixed query mix (plain words, clitic and nisba forms, gazetteer
    spellings, OR, phrases, with and without filters), through `pipelines.read.search`;
  - export: `marsad export` CSV and JSONL of every row (`--all --all-copies`) in a subprocess,
    its wall time and peak RSS.
and prints the 100k/10k ratios. Usage: python bench/read_bench.py [--sizes 10000,100000] [--dir DIR [--reuse]]
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipelines.config import GAZETTEER  # noqa: E402
from pipelines.fts import FTS_COLUMNS, index_document, parse_query  # noqa: E402
from pipelines.gazetteer import load_gazetteer  # noqa: E402
from pipelines.read import make_filters, search  # noqa: E402
from pipelines.store import open_db  # noqa: E402

WORDS = ("الحكومة السياسة الاقتصاد الطاقة الغاز النفط المياه الحدود الاستثمار التجارة الطرق السكك "
         "الموانئ الشباب الانتخابات البرلمان الرئيس الوزير الصين روسيا تركيا الخليج أوروبا المنطقة "
         "الإقليم التعاون الأمن الاستقرار الإصلاح الزراعة القطن الذهب اليورانيوم الرياح الشمس الجفاف "
         "النهر السد الحياد العاصمة المدينة القرية التعليم اللغة الهوية التاريخ الثقافة الإعلام الصحافة "
         "المهاجرين التحويلات العمل الأسعار التضخم العملة المصارف القروض الديون المشاريع البنية "
         "كتب قال يرى أعتقد لكن غير أن هذا ذلك التي الذي في من إلى على عن مع بين حتى بعد قبل").split()
PLACES = ("كازاخستان وكازاخستان الكازاخستانية قازاقستان أوزبكستان وأوزبكستان الأوزبكية قيرغيزستان "
          "قرغيزستان القرغيزية طاجيكستان طاجكستان الطاجيكية تركمانستان وتركمانستان أستانا طشقند بيشكيك "
          "دوشنبه عشق آباد سمرقند ألماتي").split()
COUNTRIES = ("KZ", "UZ", "KG", "TJ", "TM")
SOURCES = tuple(f"outlet{i:02d}" for i in range(25))
QUERIES = ["كازاخستان", "قرغيزستان", "الطاقة", "الغاز الأسعار", "طشقند OR سمرقند", '"آسيا الوسطى"',
           "السكك الموانئ", "المهاجرين -روسيا", "(الذهب OR اليورانيوم) كازاخستان", "الانتخابات",
           "الإصلاح الاقتصاد", "الجفاف", "الصين", "الحياد تركمانستان", "الطاجيكية"]


LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"


def vocabulary(rng: random.Random, size: int = 20_000) -> list[str]:
    """Pseudo-words standing for the long tail of a real vocabulary (drawn with Zipf weights)."""
    return ["".join(rng.choice(LETTERS) for _ in range(rng.randint(3, 8))) for _ in range(size)]


def article(i: int, rng: random.Random, tail: list[str], weights: list[float]) -> tuple[dict, tuple[str, str, str, str]]:
    words = rng.choices(tail, cum_weights=weights, k=300)
    for _ in range(rng.randint(0, 8)):  # topical words: each in a few percent of the articles
        words[rng.randrange(300)] = rng.choice(WORDS)
    for _ in range(rng.randint(0, 4)):
        words[rng.randrange(300)] = rng.choice(PLACES)
    if rng.random() < 0.1:
        words[10:12] = ["آسيا", "الوسطى"]
    text = " ".join(words)
    title = " ".join(rng.choice(WORDS + PLACES) for _ in range(7))
    day = 1 + i % 700
    date = f"2025-{1 + (day // 28) % 12:02d}-{1 + day % 28:02d}"
    row = {
        "id": i, "url": f"https://example.org/{i}", "canonical_url": f"https://example.org/{i}",
        "source_id": SOURCES[i % len(SOURCES)], "title": title, "author": f"كاتب {i % 3000}",
        "published_at": date, "language": "ar" if rng.random() < 0.92 else "fa",
        "language_confidence": 0.99, "relevance": round(rng.random(), 3),
        "relevant": int(rng.random() < 0.6), "countries": json.dumps(rng.sample(COUNTRIES, rng.randint(0, 2))),
        "genre": rng.choice(("opinion", "opinion", "news", "other")),
        "cluster_id": i - 1 if i % 10 == 0 else i,  # one article in ten is a copy of the previous one
        "text": text, "word_count": 300, "content_hash": hashlib.sha1(text.encode()).hexdigest(),
        "evidence": "{}", "fetched_at": date, "first_seen_at": date, "last_seen_at": date,
    }
    return row, index_document(title, text)


def build(path: Path, size: int) -> float:
    started = time.perf_counter()
    db = open_db(path)
    rng = random.Random(size)
    tail = vocabulary(rng)
    weights = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(tail))))
    batch_rows, batch_docs = [], []
    columns = None
    for i in range(1, size + 1):
        row, doc = article(i, rng, tail, weights)
        columns = columns or list(row)
        batch_rows.append([row[c] for c in columns])
        batch_docs.append((i, *doc))
        if len(batch_rows) == 2000 or i == size:
            with db.atomic():
                db.conn.executemany(f"insert into articles ({', '.join(columns)}) values"
                                    f" ({', '.join('?' for _ in columns)})", batch_rows)
                db.conn.executemany(f"insert into articles_fts (rowid, {', '.join(FTS_COLUMNS)})"
                                    " values (?, ?, ?, ?, ?)", batch_docs)
            batch_rows, batch_docs = [], []
    db.execute("pragma optimize")
    db.close()
    return time.perf_counter() - started


def bench_search(path: Path) -> dict[str, float]:
    gazetteer = load_gazetteer(str(GAZETTEER))
    db = open_db(path, readonly=True)
    filter_sets = [make_filters(), make_filters(countries=["KZ"], since="2025-03-01"),
                   make_filters(include_all=True, all_copies=True)]
    timings = []
    hits = 0
    for _ in range(2):
        for query in QUERIES:
            parsed = parse_query(query, gazetteer)
            for filters in filter_sets:
                started = time.perf_counter()
                hits += len(search(db, parsed, filters, limit=20))
                timings.append((time.perf_counter() - started) * 1000)
    db.close()
    timings.sort()
    return {"p50_ms": statistics.median(timings), "p95_ms": timings[int(0.95 * (len(timings) - 1))],
            "max_ms": timings[-1], "queries": len(timings), "hits": hits}


def bench_export(path: Path, fmt: str, out: Path) -> dict[str, float]:
    command = [sys.executable, "-m", "marsad", "export", "--db", str(path), "--format", fmt,
               "--out", str(out), "--all", "--all-copies"]
    probe = ("import resource, subprocess, sys, time; t = time.perf_counter();"
             " code = subprocess.run(sys.argv[1:], stderr=subprocess.DEVNULL).returncode;"
             " print(code, time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    result = subprocess.run([sys.executable, "-c", probe, *command], cwd=ROOT, capture_output=True, text=True)
    code, seconds, rss_kb = result.stdout.split()
    if code != "0":
        raise SystemExit(f"export failed: {result.stderr}")
    lines = sum(1 for _ in out.open(encoding="utf-8"))
    return {"seconds": float(seconds), "peak_mb": int(rss_kb) / 1024, "lines": lines,
            "file_mb": out.stat().st_size / 1e6}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--reuse", action="store_true", help="Keep databases already built in --dir.")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    folder = args.dir or Path(tempfile.mkdtemp(prefix="marsad-read-bench-"))
    results = {}
    for size in sizes:
        path = folder / f"read-{size}.db"
        if args.reuse and path.exists():
            built = 0.0
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            built = build(path, size)
        results[size] = {"build_s": built, "db_mb": path.stat().st_size / 1e6, "search": bench_search(path),
                         "csv": bench_export(path, "csv", folder / f"out-{size}.csv"),
                         "jsonl": bench_export(path, "jsonl", folder / f"out-{size}.jsonl")}
        r = results[size]
        print(f"{size:>7} articles: built in {built:.1f} s, db {r['db_mb']:.0f} MB")
        s = r["search"]
        print(f"         search ({s['queries']} runs): p50 {s['p50_ms']:.1f} ms, p95 {s['p95_ms']:.1f} ms,"
              f" max {s['max_ms']:.1f} ms")
        for fmt in ("csv", "jsonl"):
            e = r[fmt]
            print(f"         export {fmt}: {e['seconds']:.1f} s, peak RSS {e['peak_mb']:.0f} MB,"
                  f" {e['file_mb']:.0f} MB written")
    if len(sizes) >= 2:
        small, large = results[sizes[0]], results[sizes[-1]]
        print(f"ratios {sizes[-1]}/{sizes[0]} (articles x{sizes[-1] / sizes[0]:.0f}):")
        print(f"  search p95 x{large['search']['p95_ms'] / small['search']['p95_ms']:.2f}")
        for fmt in ("csv", "jsonl"):
            print(f"  export {fmt}: time x{large[fmt]['seconds'] / small[fmt]['seconds']:.2f},"
                  f" peak RSS x{large[fmt]['peak_mb'] / small[fmt]['peak_mb']:.2f}")
    print(json.dumps(results))


if __name__ == "__main__":
    main()

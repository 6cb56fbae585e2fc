"""Classification cost beside trafilatura extraction of the same pages, measured in one run.

Usage: python bench/classify_speed.py [--rounds N]

Pages: ../shared/realdata/articles_ar and articles_fa (every .html), plus the first 40 pages of
benchmark_en. For each page: `trafilatura.extract` (the extraction step's core) and
`pipelines.classify.classify` on the extracted text, each timed over N rounds after one warm-up
call (the gazetteer and langdetect profiles are loaded before timing; the cache of
`pipelines.arabic.normalize` is emptied before each call: an article is classified once). Prints
ms per article for both, the ratio classify / extraction, and the check: classify < 5 ms per
article and under a third of extraction's time. Also the seed op-ed (text only, no extraction).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402

from pipelines.arabic import normalize  # noqa: E402
from pipelines.classify import classify  # noqa: E402

SHARED = ROOT.parent / "shared"


def pages() -> list[tuple[str, bytes]]:
    real = SHARED / "realdata"
    found = [p for folder in ("articles_ar", "articles_fa") for p in sorted((real / folder).glob("*.html"))]
    found += sorted((real / "benchmark_en" / "html").glob("*.htm*"))[:40]
    return [(p.name, p.read_bytes()) for p in found]


def timed(func, rounds: int) -> float:
    """Median seconds of `rounds` calls (each with an empty normalisation cache)."""
    times = []
    for _ in range(rounds):
        normalize.cache_clear()
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    found = pages()
    if not found:
        print(f"no pages under {SHARED / 'realdata'}")
        return 1
    classify("تمهيد")  # load the gazetteer and langdetect profiles
    extract_s, classify_s, chars = [], [], []
    for name, html in found:
        text = trafilatura.extract(html) or ""
        if not text:
            continue
        extract_s.append(timed(lambda: trafilatura.extract(html), args.rounds))
        classify_s.append(timed(lambda: classify(text), args.rounds))
        chars.append(len(text))
    n = len(extract_s)
    ms_extract = 1000 * sum(extract_s) / n
    ms_classify = 1000 * sum(classify_s) / n
    ratio = ms_classify / ms_extract
    print(f"pages: {n} (median text {int(statistics.median(chars))} characters), rounds: {args.rounds}")
    print(f"trafilatura.extract: {ms_extract:.2f} ms per article")
    print(f"classify:            {ms_classify:.2f} ms per article (max {1000 * max(classify_s):.2f} ms)")
    print(f"ratio classify / extraction: {ratio:.3f}")
    seed = SHARED / "seed" / "op-ed-kazakhstan.txt"
    if seed.is_file():
        text = seed.read_text(encoding="utf-8")
        print(f"seed op-ed ({len(text)} characters): classify {1000 * timed(lambda: classify(text), args.rounds):.2f} ms")
    ok = ms_classify < 5 and ratio < 1 / 3
    print("targets (< 5 ms per article, < 1/3 of extraction): " + ("met" if ok else "MISSED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

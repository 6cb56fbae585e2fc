"""Extraction quality benchmark: Marsad's extractor beside plain `trafilatura.extract`, in one run.

Usage: python bench/extract_bench.py [--quick]

1. English article-extraction benchmark (../shared/realdata/benchmark_en, 181 pages): body
   precision / recall / F1 over word 4-gram shingles, by the benchmark's own method (counts of
   shingles compared per page, normalised per page, then averaged; F1 from mean P and mean R).
   Marsad is measured with its default settings (favor_precision=True) and with
   favor_precision=False and fast=True.
2. Arabic pages (../shared/realdata/articles_ar, 7 distinct articles): title, date, author,
   first and last body sentences (from `.meta.json`), nothing after the last sentence (comment
   policy, footers) and the trafilatura evaluation snippets; CNN Arabic body F1 against the
   newspaper4k ground truth text. `--fast` runs this part with fast=True (no readability /
   jusText fallback) to compare that setting on every field.

Rejected pages count as an empty body (a miss), never as skipped.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402

from pipelines.config import ExtractSettings  # noqa: E402
from pipelines.extract import extract_article  # noqa: E402
from pipelines.rejections import Rejected  # noqa: E402

REALDATA = ROOT.parent / "shared" / "realdata"
_TOKEN = re.compile(r"\w+", re.UNICODE)
FETCHED_AT = datetime(2024, 1, 1, tzinfo=timezone.utc)


# ------------------------------------------------------------------ scoring (benchmark method)
def shingles(text: str, n: int = 4) -> Counter:
    """Counts of word n-grams (tokens are runs of word characters)."""
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i:i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i:i + n])


def match(true: str, pred: str, n: int = 4) -> tuple[float, float, float]:
    """(tp, fp, fn) over shingle counts, normalised to sum to 1 (every page weighs the same)."""
    t, p = shingles(true, n), shingles(pred, n)
    tp = sum((t & p).values())
    fp = sum((p - t).values())
    fn = sum((t - p).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _precision(tp: float, fp: float, fn: float) -> float:
    return 1.0 if fp == fn == 0 else 0.0 if tp == fp == 0 else tp / (tp + fp)


def _recall(tp: float, fp: float, fn: float) -> float:
    return 1.0 if fp == fn == 0 else 0.0 if tp == fn == 0 else tp / (tp + fn)


def scores(triples: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    """(precision, recall, F1): mean precision and recall over pages, F1 of the two means."""
    p = statistics.mean(_precision(*t) for t in triples if t[0] + t[1] > 0)
    r = statistics.mean(_recall(*t) for t in triples if t[0] + t[2] > 0)
    return p, r, 2 * p * r / (p + r)


def body_f1(true: str, pred: str) -> float:
    return scores([match(true, pred)])[2] if pred.strip() else 0.0


# ------------------------------------------------------------------ extractors
def plain(html: bytes) -> str:
    """trafilatura 2.x with its defaults (the baseline)."""
    return trafilatura.extract(html.decode("utf-8", "replace")) or ""


def marsad(html: bytes, url: str = "https://example.com/article", settings: ExtractSettings = ExtractSettings()) -> str:
    try:
        return extract_article(html, url=url, fetched_at=FETCHED_AT, settings=settings).text
    except Rejected:
        return ""


# ------------------------------------------------------------------ English benchmark
def english(quick: bool) -> dict[str, tuple[float, float, float]]:
    folder = REALDATA / "benchmark_en"
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    keys = sorted(truth)[: 40 if quick else None]
    pages = {k: gzip.decompress((folder / "html" / f"{k}.html.gz").read_bytes()) for k in keys}
    default = ExtractSettings()
    configs = {
        "trafilatura.extract (defaults)": lambda k: plain(pages[k]),
        "marsad (default settings)": lambda k: marsad(pages[k], truth[k]["url"], default),
        "marsad favor_precision=False": lambda k: marsad(pages[k], truth[k]["url"], replace(default, favor_precision=False)),
        "marsad fast=True": lambda k: marsad(pages[k], truth[k]["url"], replace(default, fast=True)),
    }
    results = {}
    print(f"English benchmark: {len(keys)} pages, word 4-gram shingles")
    for name, run in configs.items():
        start = time.perf_counter()
        triples = [match(truth[k]["articleBody"], run(k)) for k in keys]
        elapsed = time.perf_counter() - start
        results[name] = scores(triples)
        p, r, f = results[name]
        print(f"  {name:<32} P={p:.3f} R={r:.3f} F1={f:.3f}  {elapsed / len(keys) * 1000:6.1f} ms/page")
    base = results["trafilatura.extract (defaults)"][2]
    ours = results["marsad (default settings)"][2]
    print(f"  ratio marsad/trafilatura F1: {ours / base:.3f}")
    return results


# ------------------------------------------------------------------ Arabic pages
def _norm(text: str | None) -> str:
    return " ".join((text or "").split())


def expected_author(value: str | None) -> str | None:
    """The person named in a `.meta.json` author field; None for desk/agency credits."""
    if not value or "not a person" in value or "agency" in value:
        return None
    return value.split(" (")[0].strip()


def arabic(settings: ExtractSettings = ExtractSettings()) -> dict[str, int]:
    folder = REALDATA / "articles_ar"
    metas = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.meta.json"))]
    distinct: dict[str, dict] = {}
    for meta in metas:  # the CNN capture three times: keep the canonical (newspaper4k) copy
        key = meta["url"]["value"]
        if key not in distinct or "newspaper4k" in meta["file"]:
            distinct[key] = meta
    totals = Counter()
    print(f"\nArabic pages: {len(distinct)} distinct articles ({len(metas)} files), {settings}")
    print(f"  {'page':<34} title date author first last tail | plain: first last tail")
    for meta in distinct.values():
        html = (folder / meta["file"]).read_bytes()
        try:
            got = extract_article(html, url=meta["url"]["value"], fetched_at=FETCHED_AT, settings=settings)
        except Rejected as exc:
            print(f"  {meta['file'][:34]:<34} REJECTED {exc}")
            continue
        text, base = _norm(got.text), _norm(plain(html))
        first, last = _norm(meta["first_sentence"]["value"]), _norm(meta["last_sentence"]["value"])
        snippets = meta.get("trafilatura_eval_snippets", {})
        checks = {
            "title": _norm(got.title) == _norm(meta["title"]["value"]),
            "date": (got.published_at or "")[:10] == meta["date"]["value"],
            "author": got.author == expected_author(meta["author"]["value"]),
            "first": first in text,
            "last": last in text,
            "tail": text.endswith(last) and not any(s in text for s in snippets.get("must_not_contain", [])),
        }
        plain_checks = (first in base, last in base, base.endswith(last))
        totals.update(k for k, ok in checks.items() if ok)
        marks = " ".join(("ok" if checks[k] else "NO").rjust(len(k)) for k in checks)
        print(f"  {meta['file'][:34]:<34} {marks} | {' '.join('ok' if c else 'NO' for c in plain_checks)}"
              + ("" if checks["author"] else f"   author={got.author!r}")
              + ("" if checks["date"] else f"   date={got.published_at}"))
    n = len(distinct)
    print("  totals: " + ", ".join(f"{k} {totals[k]}/{n}" for k in ("title", "date", "author", "first", "last", "tail")))
    print("\nCNN Arabic body F1 against the newspaper4k ground truth (4-gram shingles)")
    truth = (folder / "ar_arabic.cnn.com_2013-08-03__newspaper4k.gt.newspaper4k-text.txt").read_text(encoding="utf-8")
    for copy in sorted(folder.glob("ar_arabic.cnn.com_*.html")):
        html = copy.read_bytes()
        ours = body_f1(truth, marsad(html, "http://arabic.cnn.com/2013/middle_east/8/3/syria.clashes/index.html", settings))
        base = body_f1(truth, plain(html))
        print(f"  {copy.name:<48} marsad F1={ours:.3f}  trafilatura F1={base:.3f}  ratio {ours / base:.3f}")
    return dict(totals)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only the first 40 English pages")
    parser.add_argument("--arabic-only", action="store_true")
    parser.add_argument("--fast", action="store_true", help="Arabic pages with fast=True (no fallback extractors)")
    args = parser.parse_args()
    if not REALDATA.is_dir():
        print(f"real pages not available: {REALDATA} is absent")
        return 1
    print(f"trafilatura {trafilatura.__version__}")
    arabic(ExtractSettings(fast=args.fast))
    if not args.arabic_only:
        print()
        english(args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())

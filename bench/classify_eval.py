"""Classification accuracy on the labelled evaluation set, per task.

Usage: python bench/classify_eval.py [--set tests/data/classify_eval.jsonl] [--quiet]

Prints language accuracy, relevance precision/recall/F1, country-tag micro precision/recall/F1
(over (item, country) pairs of every item), genre accuracy and the confusion lists (every item
whose prediction differs from its label, with the prediction and the label), and checks the
issue's targets (language >= 0.99, relevance F1 >= 0.95, country F1 >= 0.90, genre >= 0.90).
Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipelines.classify import classify  # noqa: E402

TARGETS = {"language": 0.99, "relevance_f1": 0.95, "countries_f1": 0.90, "genre": 0.90}


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall and F1 from counts (0 when undefined)."""
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def evaluate(items: list[dict]) -> dict:
    """Scores and confusion lists of `classify` against the labels of `items`."""
    lang_ok = genre_ok = 0
    rel = Counter()
    tags = Counter()
    wrong: dict[str, list[str]] = {"language": [], "relevance": [], "countries": [], "genre": []}
    genre_confusion: Counter = Counter()
    for item in items:
        result = classify(item["text"], title=item.get("title") or "", url=item.get("url") or "",
                          declared_language=item.get("declared_lang"))
        if result.language == item["language"]:
            lang_ok += 1
        else:
            wrong["language"].append(f"{item['id']}: {result.language} (label {item['language']})")
        truth, pred = bool(item["relevant"]), result.relevant
        rel["tp" if truth and pred else "fp" if pred else "fn" if truth else "tn"] += 1
        if truth != pred:
            wrong["relevance"].append(
                f"{item['id']}: {pred} (label {truth}) score {result.relevance}")
        gold, got = set(item["countries"]), set(result.countries)
        tags["tp"] += len(gold & got)
        tags["fp"] += len(got - gold)
        tags["fn"] += len(gold - got)
        if gold != got:
            wrong["countries"].append(f"{item['id']}: {sorted(got)} (label {sorted(gold)})")
        genre_confusion[(item["genre"], result.genre)] += 1
        if result.genre == item["genre"]:
            genre_ok += 1
        else:
            wrong["genre"].append(f"{item['id']}: {result.genre} (label {item['genre']})")
    n = len(items)
    rp, rr, rf = prf(rel["tp"], rel["fp"], rel["fn"])
    cp, cr, cf = prf(tags["tp"], tags["fp"], tags["fn"])
    return {
        "n": n, "language": lang_ok / n, "language_ok": lang_ok,
        "relevance_p": rp, "relevance_r": rr, "relevance_f1": rf, "relevance_counts": dict(rel),
        "countries_p": cp, "countries_r": cr, "countries_f1": cf, "countries_counts": dict(tags),
        "genre": genre_ok / n, "genre_ok": genre_ok, "genre_confusion": genre_confusion,
        "wrong": wrong,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", default=str(ROOT / "tests" / "data" / "classify_eval.jsonl"))
    parser.add_argument("--quiet", action="store_true", help="Figures only, no confusion lists.")
    args = parser.parse_args()
    items = [json.loads(line) for line in Path(args.set).read_text(encoding="utf-8").splitlines()
             if line.strip()]
    s = evaluate(items)
    print(f"items: {s['n']}")
    print(f"language accuracy: {s['language']:.3f} ({s['language_ok']}/{s['n']})")
    print(f"relevance: P {s['relevance_p']:.3f}  R {s['relevance_r']:.3f}  F1 {s['relevance_f1']:.3f}"
          f"  {s['relevance_counts']}")
    print(f"country tags (micro): P {s['countries_p']:.3f}  R {s['countries_r']:.3f}"
          f"  F1 {s['countries_f1']:.3f}  {s['countries_counts']}")
    print(f"genre accuracy: {s['genre']:.3f} ({s['genre_ok']}/{s['n']})")
    labels = ("opinion", "news", "other")
    print("genre confusion (rows: label, columns: predicted): " + "  ".join(
        f"{g}: " + "/".join(str(s["genre_confusion"][(g, h)]) for h in labels) for g in labels))
    if not args.quiet:
        for task, lines in s["wrong"].items():
            print(f"\n{task} errors ({len(lines)}):")
            for line in lines:
                print("  " + line)
    missed = [k for k, target in TARGETS.items() if s[k] < target]
    print("\ntargets: " + ("all met" if not missed else "missed: " + ", ".join(missed)))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())

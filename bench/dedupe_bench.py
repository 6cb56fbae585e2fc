"""Dedupe benchmark: near-duplicate clustering of a synthetic stream of Arabic articles.

Usage: python bench/dedupe_bench.py [--n 50000] [--probe 1000] [--db FILE] [--quick]

The stream: independently written articles (300-1200 words) on 300 topics, each from a Zipf
vocabulary built from the bundled sample outlets' own Arabic text plus its topic's words and
stock phrases, each quoting some of its topic's six stock sentences (so independent texts on one
topic share vocabulary, phrases and whole quoted sentences, as real op-eds and news do), and
about 28% copies of earlier articles made as outlets make them: republished with a credit line
and a new title line, re-headed (a new intro paragraph, the last paragraph cut), trimmed (the
first 40-60% of the paragraphs), lightly edited (about 2% of the words replaced, 1% deleted,
alef and ta marbuta spelling changed), and re-headed + trimmed + edited at once.

Each article goes through the real path of a crawl: `dedupe_keys` then `upsert_article` into an
SQLite file (WAL, one transaction per article). Printed, side by side in one run:
- per-article cost with 1k and with 50k articles stored: a snapshot of the database is taken
  when `--probe` articles are stored; after `--n` are stored, `--probe` more articles (with
  copies of articles present in both) are stored into both databases, alternately first, so
  that the machine's load falls on both alike; cost of the near-duplicate lookup alone
  (fingerprint + candidates + confirmation) and of the whole dedupe + upsert, and the ratios;
- resident memory at both points and the peak;
- recall and precision over pairs of copies (same family = an original and its copies), and
  recall per kind of copy.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import psutil  # noqa: E402
from lxml import html as lxml_html  # noqa: E402

from pipelines.dedupe import dedupe_keys  # noqa: E402
from pipelines.neardup import fingerprint, match_copy  # noqa: E402
from pipelines.store import near_duplicate_candidates, open_db, upsert_article  # noqa: E402

SAMPLE_OUTLETS = ROOT / "data" / "sample_outlets"
TOPICS = 300
QUOTES = 6  # stock sentences per topic (an official statement, a figure) ...
QUOTE_CHANCE = 0.3  # ... each quoted by this share of the topic's independent articles
COPY_SHARE = 0.28
KINDS = ("republished", "reheaded", "trimmed", "edited", "mixed")
_ARABIC_WORD = re.compile(r"^[\u0621-\u064a]{2,}$")


def vocabulary() -> list[str]:
    """Arabic words of the sample outlets' paragraphs, most frequent first."""
    counts: Counter[str] = Counter()
    for page in SAMPLE_OUTLETS.rglob("*.html"):
        tree = lxml_html.fromstring(page.read_bytes().decode("utf-8", "ignore"))
        for paragraph in tree.iter("p"):
            counts.update(w for w in paragraph.text_content().split() if _ARABIC_WORD.match(w))
    return [w for w, _ in counts.most_common()]


class Writer:
    """Synthetic Arabic text: a Zipf draw over the vocabulary mixed with the topic's words and
    stock phrases; deterministic for a given seed."""

    def __init__(self, words: list[str], seed: int = 7):
        rng = np.random.default_rng(seed)
        self.words = np.array(words)
        weights = 1.0 / np.arange(1, len(words) + 1) ** 1.05
        self.p = weights / weights.sum()
        self.topics = []
        for _ in range(TOPICS):
            topical = rng.choice(self.words[30:], size=60, replace=False)
            phrases = [" ".join(rng.choice(self.words, size=int(rng.integers(2, 5)), p=self.p))
                       for _ in range(20)]
            quotes = [" ".join(rng.choice(self.words, size=int(rng.integers(12, 26)), p=self.p)) + "."
                      for _ in range(QUOTES)]
            self.topics.append((topical, phrases, quotes))

    def article(self, seed: int) -> tuple[list[str], int]:
        """Paragraphs of an article and its topic."""
        rng = np.random.default_rng(seed)
        topic = int(rng.integers(TOPICS))
        topical, phrases, quotes = self.topics[topic]
        total = int(rng.integers(300, 1200))
        roll = rng.random(total)
        words = np.where(roll < 0.25, topical[rng.integers(len(topical), size=total)],
                         np.where(roll < 0.33, np.array(phrases)[rng.integers(len(phrases), size=total)],
                                  rng.choice(self.words, size=total, p=self.p)))
        cuts = np.cumsum(rng.integers(8, 26, size=total // 8 + 1))
        sentences = [" ".join(part) + "." for part in np.split(words, cuts[cuts < total]) if len(part)]
        for quote in quotes:  # the statement every story on this topic quotes
            if rng.random() < QUOTE_CHANCE:
                sentences.insert(int(rng.integers(len(sentences) + 1)), quote)
        sizes = np.cumsum(rng.integers(2, 5, size=len(sentences)))
        paragraphs = [" ".join(group) for group in np.split(np.array(sentences, dtype=object),
                                                            sizes[sizes < len(sentences)]) if len(group)]
        return paragraphs, topic


def make_copy(paragraphs: list[str], kind: str, writer: Writer, seed: int) -> str:
    """A copy of an article as another outlet would publish it."""
    rng = random.Random(seed)

    def edit(text: str) -> str:
        out = []
        for word in text.split():
            roll = rng.random()
            if roll < 0.01:
                continue
            out.append(str(writer.words[rng.randrange(200)]) if roll < 0.03 else word)
        return " ".join(out).replace("أ", "ا").replace("ة ", "ه ")

    intro = writer.article(seed + 10_000_000)[0][0]
    if kind == "republished":
        return "\n".join(["عنوان جديد للمقال كما نشر في موقعنا", *paragraphs, "نقلا عن صحيفة الواحة"])
    if kind == "reheaded":
        return "\n".join([intro, *paragraphs[:-1]])
    if kind == "trimmed":
        keep = max(1, round(len(paragraphs) * rng.uniform(0.4, 0.6)))
        return "\n".join(paragraphs[:keep])
    if kind == "edited":
        return "\n".join(edit(p) for p in paragraphs)
    keep = max(1, round(len(paragraphs) * rng.uniform(0.6, 0.8)))
    return "\n".join([intro, *(edit(p) for p in paragraphs[:keep])])


def stream(n: int, writer: Writer, seed: int = 11, start: int = 0, pool: list[int] | None = None):
    """(index, text, family, kind) for articles start..start+n-1; a copy's family is its
    original's index, among the last 5000 originals (or among `pool` when given)."""
    rng = random.Random(seed)
    originals: list[int] = []
    for index in range(start, start + n):
        choices = pool if pool is not None else originals[-5000:]
        if choices and rng.random() < COPY_SHARE:
            family = rng.choice(choices)
            kind = KINDS[rng.randrange(len(KINDS))]
            paragraphs, _ = writer.article(family)
            yield index, make_copy(paragraphs, kind, writer, seed=index), family, kind
        else:
            paragraphs, _ = writer.article(index)
            originals.append(index)
            yield index, "\n".join(paragraphs), index, "original"


def rss_mb() -> float:
    return psutil.Process().memory_info().rss / 2**20


def pair_scores(db, families: dict[int, int], kinds: dict[int, str]) -> dict[str, float]:
    """Pairwise recall/precision of the clusters against the families, and recall per kind."""
    predicted: dict[int, list[int]] = defaultdict(list)
    for url, cluster_id in db.execute("select f.url, a.cluster_id from fetched_pages f"
                                      " join articles a on a.id = f.article_id"):
        predicted[cluster_id].append(int(url.rsplit("/", 1)[1]))
    true_pairs = sum(len(m) * (len(m) - 1) // 2 for m in _group(families).values())
    found = correct = 0
    cluster_of = {}
    for members in predicted.values():
        for index in members:
            cluster_of[index] = id(members)
        for a, b in combinations(members, 2):
            found += 1
            correct += families[a] == families[b]
    by_kind: dict[str, list[bool]] = defaultdict(list)
    for index, kind in kinds.items():
        if kind != "original":
            by_kind[kind].append(cluster_of[index] == cluster_of[families[index]])
    scores = {"recall": correct / true_pairs if true_pairs else 1.0,
              "precision": correct / found if found else 1.0,
              "pairs_true": true_pairs, "pairs_found": found}
    scores.update({f"recall_{kind}": sum(v) / len(v) for kind, v in sorted(by_kind.items())})
    return scores


def _group(families: dict[int, int]) -> dict[int, list[int]]:
    groups: dict[int, list[int]] = defaultdict(list)
    for index, family in families.items():
        groups[family].append(index)
    return groups


def store_one(db, index: int, text: str) -> tuple[float, float]:
    """Store one article the way a crawl does; (seconds of the near-duplicate lookup alone,
    seconds of the whole dedupe + upsert)."""
    t0 = time.perf_counter()
    print_ = fingerprint(text)
    match_copy(print_, near_duplicate_candidates(db, print_.bands + print_.passages))
    t1 = time.perf_counter()
    url = f"https://outlet{index % 97}.example/a/{index}"
    record = {"url": url, "source_id": f"outlet{index % 97}", "text": text, "title": "عنوان",
              "published_at": None, "fetched_at": "2026-11-29T10:00:00+00:00"}
    record.update(dedupe_keys(url, text, None, None, {}))
    upsert_article(db, record)
    return t1 - t0, time.perf_counter() - t1


def snapshot(db, db_path: Path, copy_path: Path):
    """A copy of the database as it is now (WAL checkpointed first), opened."""
    db.execute("pragma wal_checkpoint(truncate)")
    shutil.copyfile(db_path, copy_path)
    return open_db(copy_path)


def run(n: int, probe: int, db_path: Path) -> None:
    writer = Writer(vocabulary())
    db = open_db(db_path)
    families: dict[int, int] = {}
    kinds: dict[int, str] = {}
    memory = {}
    started = time.perf_counter()
    small = None
    chunk_started, chunk_costs = time.perf_counter(), []
    for index, text, family, kind in stream(n, writer):
        families[index], kinds[index] = family, kind
        if index == probe:
            small = snapshot(db, db_path, db_path.with_name("small.db"))
            memory["small"] = rss_mb()
        store_one(db, index, text)
        if (index + 1) % 5000 == 0:
            chunk_costs.append((time.perf_counter() - chunk_started) / 5000 * 1000)
            chunk_started = time.perf_counter()
            print(f"  {index + 1} stored, {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    memory["large"] = rss_mb()
    originals = [i for i in range(probe) if kinds[i] == "original"]
    # side by side: each probe article is stored into the database of `probe` articles and into
    # the one of `n`, alternately first, so that machine load falls on both alike
    timing = {"small": {"lookup": [], "upsert": []}, "large": {"lookup": [], "upsert": []}}
    for index, text, family, kind in stream(probe, writer, seed=13, start=n, pool=originals):
        families[index], kinds[index] = family, kind
        order = (("small", small), ("large", db)) if index % 2 else (("large", db), ("small", small))
        for name, target in order:
            lookup, upsert = store_one(target, index, text)
            timing[name]["lookup"].append(lookup)
            timing[name]["upsert"].append(lookup + upsert)
    memory["end"] = rss_mb()
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    copies = sum(1 for k in kinds.values() if k != "original")
    print(f"articles: {n} + {probe} probes ({copies} copies: "
          f"{dict(Counter(k for k in kinds.values() if k != 'original'))})")
    print(f"total time {elapsed:.0f} s; ms per article per 5000 stored: "
          + " ".join(f"{c:.1f}" for c in chunk_costs))
    print(f"{'per article (ms), mean':<30}{f'{probe} stored':>12}{f'{n} stored':>13}{'ratio':>8}")
    for part, label in (("lookup", "near-dup lookup alone"), ("upsert", "whole dedupe + upsert")):
        for stat in (statistics.mean, statistics.median):
            a = stat(timing["small"][part]) * 1000
            b = stat(timing["large"][part]) * 1000
            name = label if stat is statistics.mean else "  median"
            print(f"{name:<30}{a:>12.2f}{b:>13.2f}{b / a:>8.2f}")
    print(f"memory RSS: {memory['small']:.0f} MB at {probe} stored, {memory['large']:.0f} MB at {n}"
          f" (growth {memory['large'] - memory['small']:.0f} MB), {memory['end']:.0f} MB at the end;"
          f" peak {peak:.0f} MB", flush=True)
    scores = pair_scores(db, families, kinds)
    size_mb = sum(p.stat().st_size for p in db_path.parent.glob(db_path.name + "*")) / 2**20
    print(f"database {size_mb:.0f} MB")
    print(f"pairs: recall {scores['recall']:.4f}, precision {scores['precision']:.4f}"
          f" ({scores['pairs_found']} found, {scores['pairs_true']} true)")
    print("recall per kind: " + ", ".join(f"{k[7:]} {v:.4f}" for k, v in scores.items() if k.startswith("recall_")))
    small.close()
    db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50_000, help="articles stored before the second probe")
    parser.add_argument("--probe", type=int, default=1000, help="articles timed at each point")
    parser.add_argument("--db", type=Path, default=None, help="database file (default: a temporary one)")
    parser.add_argument("--quick", action="store_true", help="--n 5000 --probe 500")
    args = parser.parse_args()
    if args.quick:
        args.n, args.probe = 5000, 500
    if args.n < 2 * args.probe:
        parser.error("--n must be at least twice --probe")
    if args.db:
        run(args.n, args.probe, args.db)
        return
    with tempfile.TemporaryDirectory() as tmp:
        run(args.n, args.probe, Path(tmp) / "bench.db")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()

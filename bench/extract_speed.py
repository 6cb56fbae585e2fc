"""Milliseconds per page of Marsad's extraction against plain trafilatura.extract, side by side.

Pages: the bundled sample outlets' articles and, when present, ../shared/realdata/articles_ar.
Usage: python -m bench.extract_speed [--rounds N]
"""

from __future__ import annotations

import argparse
import time
from datetime import datetime, timezone

import trafilatura

from pipelines.config import PROJECT_ROOT, SAMPLE_OUTLETS
from pipelines.extract import extract_article
from pipelines.rejections import Rejected


def pages() -> list[bytes]:
    found = sorted(SAMPLE_OUTLETS.glob("*/**/*.html"))
    real = PROJECT_ROOT.parent / "shared" / "realdata" / "articles_ar"
    found += sorted(real.glob("*.html")) if real.is_dir() else []
    return [p.read_bytes() for p in found if "index" not in p.name]


def timed(func, bodies: list[bytes], rounds: int) -> float:
    start = time.perf_counter()
    for _ in range(rounds):
        for body in bodies:
            func(body)
    return (time.perf_counter() - start) * 1000 / (rounds * len(bodies))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds
    bodies = pages()
    now = datetime.now(timezone.utc)

    def marsad(body: bytes) -> None:
        try:
            extract_article(body, url="http://example.org/2026/10/a.html", fetched_at=now)
        except Rejected:
            pass

    def plain(body: bytes) -> None:
        trafilatura.extract(body)

    for func in (marsad, plain):  # warm-up: imports, caches
        func(bodies[0])
    ours, theirs = timed(marsad, bodies, rounds), timed(plain, bodies, rounds)
    print(f"{len(bodies)} pages x {rounds} rounds")
    print(f"marsad extract_article: {ours:.1f} ms/page")
    print(f"trafilatura.extract:    {theirs:.1f} ms/page")
    print(f"ratio marsad/trafilatura: {ours / theirs:.2f}")


if __name__ == "__main__":
    main()

"""The real pages beside the checkout (`../shared`), and HTML pages for tests that compare rules or
code paths page by page."""

from __future__ import annotations

import gzip
from pathlib import Path

from pipelines.config import PROJECT_ROOT, SAMPLE_OUTLETS

SHARED = PROJECT_ROOT.parent / "shared"  # absent from some checkouts: the tests using it skip
REALDATA = SHARED / "realdata"
SEED = SHARED / "seed" / "op-ed-kazakhstan.txt"


def html_pages(realdata: Path | None = None, samples: bool = True, english: int = 60) -> list[str]:
    """The sample outlets' pages and, when `realdata` is given, the real Arabic and Persian pages
    and the first `english` pages of the English benchmark."""
    pages = [p.read_bytes().decode("utf-8", "replace") for p in sorted(SAMPLE_OUTLETS.rglob("*.html"))
             if samples]
    if realdata is not None:
        for folder in ("articles_ar", "articles_fa"):
            pages += [p.read_bytes().decode("utf-8", "replace")
                      for p in sorted((realdata / folder).glob("*.html"))]
        pages += [gzip.decompress(p.read_bytes()).decode("utf-8", "replace")
                  for p in sorted((realdata / "benchmark_en" / "html").glob("*.html.gz"))[:english]]
    return pages

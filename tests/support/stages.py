"""Stand-in stage functions for the worker-pool tests: importable by name in a worker process."""

from __future__ import annotations

import os
import time

from pipelines.workers import prepare


def hang_on_marked(page, options):
    """Never finishes for a page whose URL ends with "hang"; the real stages otherwise."""
    if page.url.endswith("hang"):
        time.sleep(600)
    return prepare(page, options)


def crash_on_marked(page, options):
    """Kills its own process for a page whose URL ends with "crash" (like a segfault in a C
    parser would); the real stages otherwise."""
    if page.url.endswith("crash"):
        os._exit(70)
    return prepare(page, options)


def allocator_in_use() -> str:
    """"mimalloc" when this process has it loaded, else "system" (Linux: its memory maps), and
    the mimalloc option it runs with: "mimalloc:THP=0"."""
    with open("/proc/self/maps") as maps:
        name = "mimalloc" if any("libmimalloc" in line for line in maps) else "system"
    return f"{name}:THP={os.environ.get('MIMALLOC_ALLOW_THP')}"

"""One crawl per database at a time: an advisory `flock` on a lock file beside the database.

The kernel drops the lock when every descriptor of it is closed, so a crashed or SIGKILLed
holder never leaves a stale lock behind. Pass `CrawlLock.fd` to the crawl subprocess
(`pass_fds`) and the lock also outlives a killed parent for as long as its crawl runs.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

POLL_SECONDS = 0.2


class LockBusy(Exception):
    """Another crawl holds the database's lock; the message names its pid and start time."""


@dataclass(frozen=True)
class CrawlLock:
    path: Path
    fd: int


def lock_path(db_path: str | Path) -> Path:
    """The lock file of a database: `marsad.db` → `marsad.db.lock`."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".lock")


def holder(path: Path) -> str:
    """What the lock file says about its holder ("pid 123 since ..."), or "another process"."""
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError:
        text = ""
    return text or "another process"


@contextmanager
def crawl_lock(db_path: str | Path, wait: float = 0.0) -> Iterator[CrawlLock]:
    """Hold the database's crawl lock; wait up to `wait` seconds for it, else raise LockBusy."""
    path = lock_path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + max(0.0, wait)
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockBusy(f"another crawl is running on {db_path} ({holder(path)});"
                                   f" lock file {path}") from None
                time.sleep(POLL_SECONDS)
        since = datetime.now(timezone.utc).isoformat(timespec="seconds")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} since {since}\n".encode(), 0)
        try:
            yield CrawlLock(path, fd)
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)

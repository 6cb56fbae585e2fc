"""The stage workers' processes (`pipelines.workers`): their forkserver and their pool.

Workers fork from a clean single-threaded process that has imported the stages once, not from a
copy of the running reactor and its threads. `start` launches it before the crawl process
imports Scrapy, so the two imports (about a second of CPU each) run side by side.

They run on mimalloc where its wheel is installed and loads (Linux), without huge pages unless
the user sets `MIMALLOC_ALLOW_THP`; on the system's malloc with `MARSAD_WORKER_ALLOCATOR=system`
or a preload of the user's own. glibc's malloc and free took a tenth of a worker's CPU (lxml
allocates every node and string with them); with mimalloc preloaded into the forkserver the
stages take 6–11% less time and a crawl is 5–8% faster (BENCHMARKS.md). The crawl process keeps
the system's malloc (under 1% of its CPU).

`stage_pool` is a pebble pool whose two pipes (pages to the workers, results back) hold about
`PIPE_BYTES`, not Linux's default 64 KB: a 60 KB page filled the task pipe alone, so a worker
that finished while the crawl process was busy (a store batch) waited for its next page, and a
result waited to be read before the worker could take one.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import logging
import multiprocessing
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from importlib import metadata
from multiprocessing import forkserver
from multiprocessing.context import BaseContext
from pathlib import Path

from pipelines.config import load_config

log = logging.getLogger(__name__)

PRELOAD = ["pipelines.stage_preload"]
PIPE_BYTES = 1 << 20  # Linux's limit for unprivileged processes (fs.pipe-max-size) by default
ALLOCATORS = ("mimalloc", "system")


def allocator_library(name: str) -> str | None:
    """The shared library to preload into the stage workers for the allocator `name` (one of
    ALLOCATORS), or None: the system's malloc, also off Linux, without the cmeel-mimalloc wheel,
    or when the user has a preload of their own (kept as it is)."""
    if name not in ALLOCATORS:
        raise ValueError(f"MARSAD_WORKER_ALLOCATOR must be one of {', '.join(ALLOCATORS)}, not {name!r}")
    if name == "system" or not sys.platform.startswith("linux") or os.environ.get("LD_PRELOAD"):
        return None
    try:
        files = metadata.files("cmeel-mimalloc") or []
    except metadata.PackageNotFoundError:
        return None
    library = next((Path(str(f.locate())) for f in files if f.name == "libmimalloc.so"), None)
    if library is None or not library.is_file():
        return None
    if not preloadable(str(library)):
        log.warning("%s cannot be preloaded here (a library it needs is missing?): the stage workers "
                    "use the system's malloc", library)
        return None
    return str(library)


@functools.lru_cache(maxsize=4)
def preloadable(library: str) -> bool:
    """Whether a program starts cleanly with `library` preloaded: the dynamic loader skips, with an
    error line, a library it cannot open, and stops the program (exit 127) when a library that one
    needs is missing."""
    command = ["/bin/true"] if os.path.exists("/bin/true") else [sys.executable, "-c", ""]
    result = subprocess.run(command, capture_output=True, env={**os.environ, "LD_PRELOAD": library}, check=False)
    return result.returncode == 0 and not result.stderr


# mimalloc's huge pages (transparent, where the kernel allows them) cost a worker ~20 MB of
# resident memory for no measured speed: off unless the user sets the option.
MIMALLOC_OPTIONS = {"MIMALLOC_ALLOW_THP": "0"}


@contextlib.contextmanager
def _preloading(library: str | None) -> Iterator[None]:
    """`LD_PRELOAD=library` (and MIMALLOC_OPTIONS) for the processes started in this block; an
    option the user set is kept as it is."""
    if library is None:
        yield
        return
    added = {"LD_PRELOAD": library, **{k: v for k, v in MIMALLOC_OPTIONS.items() if k not in os.environ}}
    previous = {key: os.environ.get(key) for key in added}
    os.environ.update(added)
    try:
        yield
    finally:
        for key, value in previous.items():
            if value is None:
                del os.environ[key]
            else:
                os.environ[key] = value


def stage_context() -> BaseContext:
    """The multiprocessing context of the stage workers."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


_started = False


def start() -> None:
    """Start the forkserver now (it imports PRELOAD in the background), on the allocator of
    `MARSAD_WORKER_ALLOCATOR`; once per process, the first time while it has one thread (the
    environment is changed meanwhile). ValueError for an unknown allocator. A forkserver that
    dies is started again by multiprocessing, on the system's malloc."""
    global _started
    library = allocator_library(load_config().worker_allocator)
    if _started:
        return
    stage_context()
    with _preloading(library):
        forkserver.ensure_running()
    _started = True


def _wide_channels(channels: Callable[[BaseContext], tuple]) -> Callable[[BaseContext], tuple]:
    """pebble's `channels` factory, with pipes of `PIPE_BYTES` where the system allows it."""
    set_size = getattr(fcntl, "F_SETPIPE_SZ", None)  # Linux only

    def wide(mp_context: BaseContext) -> tuple:
        pool_side, worker_side = channels(mp_context)
        for end in (pool_side.reader, pool_side.writer) if set_size else ():  # results, tasks
            with contextlib.suppress(OSError):  # a lower limit: the default size, as before
                fcntl.fcntl(end.fileno(), set_size, PIPE_BYTES)
        return pool_side, worker_side

    wide.wide = True  # type: ignore[attr-defined]
    return wide


def stage_pool(workers: int, max_tasks: int):
    """A pebble process pool of `workers` stage workers, each replaced after `max_tasks` pages."""
    from pebble import ProcessPool
    from pebble.pool import process

    channels = getattr(process, "channels", None)  # pebble 5's pipe factory; a later one: as is
    if channels is not None and not getattr(channels, "wide", False):
        process.channels = _wide_channels(channels)
    start()
    return ProcessPool(workers, max_tasks=max_tasks, context=stage_context())

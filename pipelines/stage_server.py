"""The stage workers' processes (`pipelines.workers`): their forkserver and their pool.

Workers fork from a clean single-threaded process that has imported the stages once, not from a
copy of the running reactor and its threads. `start` launches it before the crawl process
imports Scrapy, so the two imports (about a second of CPU each) run side by side.

`stage_pool` is a pebble pool whose two pipes (pages to the workers, results back) hold about
`PIPE_BYTES`, not Linux's default 64 KB: a 60 KB page filled the task pipe alone, so a worker
that finished while the crawl process was busy (a store batch) waited for its next page, and a
result waited to be read before the worker could take one.
"""

from __future__ import annotations

import contextlib
import fcntl
import multiprocessing
from collections.abc import Callable
from multiprocessing import forkserver
from multiprocessing.context import BaseContext

PRELOAD = ["pipelines.stage_preload"]
PIPE_BYTES = 1 << 20  # Linux's limit for unprivileged processes (fs.pipe-max-size) by default


def stage_context() -> BaseContext:
    """The multiprocessing context of the stage workers."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


def start() -> None:
    """Start the forkserver now (it imports PRELOAD in the background); a no-op if running."""
    stage_context()
    forkserver.ensure_running()


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
    return ProcessPool(workers, max_tasks=max_tasks, context=stage_context())

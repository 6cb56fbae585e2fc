"""The forkserver that stage worker processes start from (`pipelines.workers`).

Workers fork from a clean single-threaded process that has imported the stages once, not from a
copy of the running reactor and its threads. `start` launches it before the crawl process
imports Scrapy, so the two imports (about a second of CPU each) run side by side.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing import forkserver
from multiprocessing.context import BaseContext

PRELOAD = ["pipelines.stage_preload"]


def stage_context() -> BaseContext:
    """The multiprocessing context of the stage workers."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


def start() -> None:
    """Start the forkserver now (it imports PRELOAD in the background); a no-op if running."""
    stage_context()
    forkserver.ensure_running()

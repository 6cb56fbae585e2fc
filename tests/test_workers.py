"""The CPU stages in worker processes (`pipelines.workers`): same results as inline, and a page
that hangs or kills its worker is dropped alone, with its reason counted."""

from __future__ import annotations

import asyncio
import fcntl
import multiprocessing
import shutil
import signal
import subprocess
import time
from datetime import datetime, timezone

import numpy as np
import pytest
from scrapy.statscollectors import MemoryStatsCollector

from crawler.crawl import GC_GEN0_THRESHOLD
from crawler.drops import PageDropped
from pipelines.archive import ArchivedPage, ReextractOptions, decompress, process_page
from pipelines.config import SAMPLE_OUTLETS, ExtractSettings, worker_count, workers_per_job
from pipelines.fts import index_document
from pipelines.neardup import fingerprint
from pipelines.stage_server import PIPE_BYTES, _wide_channels, allocator_library, preloadable
from pipelines.workers import StagesPipeline, prepare
from tests.support import stages
from tests.support.fresh import fresh_python

FETCHED = datetime(2026, 11, 20, tzinfo=timezone.utc).isoformat()
ARTICLE = SAMPLE_OUTLETS / "alwaha" / "2026" / "10" / "astana-between-moscow-and-beijing.html"
BOILERPLATE = SAMPLE_OUTLETS / "alwaha" / "2026" / "11" / "central-asia-special-coverage.html"


def _page(path, url: str | None = None) -> ArchivedPage:
    return ArchivedPage(url=url or f"http://alwaha.example/{path.name}", source_id="alwaha",
                        body=path.read_bytes(), fetched_at=FETCHED, status=200, content_type="text/html")


def _item(page: ArchivedPage) -> dict:
    return {"kind": "page", "url": page.url, "source_id": page.source_id, "body": page.body,
            "fetched_at": page.fetched_at, "status": 200, "content_type": "text/html"}


class _Stats(MemoryStatsCollector):
    def __init__(self):
        self._stats = {}


def test_prepare_gives_the_stages_record_and_the_store_side_data():
    page = _page(ARTICLE)
    prepared = prepare(page, ReextractOptions())
    assert prepared.rejection is None
    record = process_page(page, ReextractOptions())
    assert prepared.record == record
    print_ = fingerprint(record["text"])
    assert np.array_equal(prepared.derived.fingerprint.shingles, print_.shingles)
    assert prepared.derived.fingerprint.bands == print_.bands
    assert prepared.derived.fingerprint.passages == print_.passages
    assert prepared.derived.fts_document == tuple(index_document(record["title"], record["text"]))
    assert decompress(prepared.derived.archived_body) == page.body


def test_prepare_returns_a_rejection_with_its_reason():
    prepared = prepare(_page(BOILERPLATE), ReextractOptions())
    assert prepared.record is None
    assert prepared.rejection[0] in {"boilerplate", "too_short", "listing"}
    assert prepared.derived.archived_body  # a rejected page is archived too


@pytest.mark.parametrize("setting, expected", [("0", 0), ("3", 3), (0, 0)])
def test_worker_count(setting, expected):
    assert worker_count(setting) == expected


def test_worker_count_auto_uses_the_cpus(monkeypatch):
    monkeypatch.setattr("pipelines.config.usable_cpus", lambda: 4)
    assert worker_count("auto") == worker_count(None) == 4
    monkeypatch.setattr("pipelines.config.usable_cpus", lambda: 1)
    assert worker_count("auto") == 0


@pytest.mark.parametrize("jobs, cpus, expected", [(1, 2, 2), (2, 2, 0), (2, 8, 4), (3, 8, 2), (4, 4, 0), (1, 1, 0)])
def test_workers_per_job_share_the_cpus(jobs, cpus, expected):
    assert workers_per_job(jobs, cpus) == expected


def test_worker_count_rejects_a_negative_number():
    with pytest.raises(ValueError, match="MARSAD_WORKERS"):
        worker_count("-1")


async def _run(pipe: StagesPipeline, items: list[dict]) -> list:
    async def one(item):
        try:
            return await pipe.process_item(item)
        except PageDropped as exc:
            return exc
    return await asyncio.gather(*(one(i) for i in items))


def _pipeline(stage, workers: int, timeout: float = 60.0) -> tuple[StagesPipeline, _Stats]:
    stats = _Stats()
    pipe = StagesPipeline(ReextractOptions(), workers, timeout, stats, stage=stage)
    return pipe, stats


@pytest.mark.parametrize("workers", [0, 2])
def test_pipeline_fills_the_item_inline_and_in_workers(workers):
    pipe, _ = _pipeline(stages.prepare, workers)
    pipe.open_spider()
    try:
        [item, dropped] = asyncio.run(_run(pipe, [_item(_page(ARTICLE)), _item(_page(BOILERPLATE))]))
    finally:
        pipe.close_spider()
    expected = process_page(_page(ARTICLE), ReextractOptions())
    assert {k: item[k] for k in expected} == expected
    assert item["derived"].fts_document
    assert isinstance(dropped, PageDropped) and dropped.reason in {"boilerplate", "too_short", "listing"}


@pytest.mark.skipif(not hasattr(fcntl, "F_GETPIPE_SZ"), reason="pipe sizes are set on Linux only")
def test_stage_pool_pipes_hold_many_pages_not_one():
    from pebble.pool.channel import channels

    pool_side, worker_side = _wide_channels(channels)(multiprocessing.get_context("spawn"))
    ends = (pool_side.reader, pool_side.writer, worker_side.reader, worker_side.writer)
    try:
        sizes = [fcntl.fcntl(end.fileno(), fcntl.F_GETPIPE_SZ) for end in ends]
    finally:
        pool_side.close()
        worker_side.close()
    assert sizes == [PIPE_BYTES] * 4  # both pipes, seen from both sides (the default: 65,536)


@pytest.mark.parametrize("stage, marker, reason", [
    (stages.hang_on_marked, "hang", "stage_timeout"),  # past the 3 s timeout: the worker is killed
    (stages.crash_on_marked, "crash", "stage_crash"),  # the worker process dies
])
def test_a_page_that_hangs_or_kills_its_worker_is_dropped_alone(stage, marker, reason):
    pipe, stats = _pipeline(stage, workers=2, timeout=3)
    pipe.open_spider()
    try:
        items = [_item(_page(ARTICLE, f"http://alwaha.example/a-{marker}")),
                 *(_item(_page(ARTICLE, f"http://alwaha.example/ok-{i}")) for i in range(4))]
        results = asyncio.run(_run(pipe, items))
        after = asyncio.run(_run(pipe, [_item(_page(ARTICLE, "http://alwaha.example/after"))]))
    finally:
        pipe.close_spider()
    assert isinstance(results[0], PageDropped) and results[0].reason == reason
    assert all(r["title"] for r in results[1:] + after)  # the others, and the pool afterwards
    assert stats.get_value(f"marsad/alwaha/dropped/{reason}") == 1


def test_inline_stages_that_hang_are_stopped_at_the_timeout():
    """Without workers (MARSAD_WORKERS=0, one CPU, `--jobs N` on few CPUs) the same timeout holds,
    through SIGALRM, and the crawl goes on with the next page."""
    pipe, stats = _pipeline(stages.hang_on_marked, workers=0, timeout=1)
    started = time.monotonic()
    results = asyncio.run(_run(pipe, [_item(_page(ARTICLE, "http://alwaha.example/a-hang")),
                                      _item(_page(ARTICLE, "http://alwaha.example/ok"))]))
    assert time.monotonic() - started < 30
    assert isinstance(results[0], PageDropped) and results[0].reason == "stage_timeout"
    assert results[1]["title"]
    assert stats.get_value("marsad/alwaha/dropped/stage_timeout") == 1
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)  # no alarm left armed


def test_pipeline_counts_a_rejection_under_its_reason():
    stats = _Stats()
    options = ReextractOptions(settings=ExtractSettings(max_bytes=1000))
    pipe = StagesPipeline(options, 0, 60.0, stats)
    item = {"kind": "page", "url": "https://e.com/a", "source_id": "s", "body": b"<p>" + b"x" * 5000,
            "fetched_at": FETCHED}
    [dropped] = asyncio.run(_run(pipe, [item]))
    assert isinstance(dropped, PageDropped) and dropped.reason == "too_large"
    assert stats.get_stats() == {"marsad/s/dropped/too_large": 1}


def test_crawl_process_does_not_load_what_only_workers_need():
    """The crawl process starts without datasketch/scipy (~0.5 s) and without compiling the date
    scanner (~0.4 s): only the stage workers (their forkserver) pay for those."""
    code = ("import sys, crawler.spiders.outlets, crawler.progress, pipelines.store, pipelines.workers; "
            "from pipelines.dates import parse_date, _DAY_FIRST; "
            "parse_date('2026-11-20T08:00:00+03:00'); parse_date('Fri, 20 Nov 2026 08:00:00 +0300'); "
            "print(sorted({'datasketch', 'scipy'} & set(sys.modules)), '_source' in vars(_DAY_FIRST) "
            "and 'match' not in vars(_DAY_FIRST))")
    assert fresh_python(code).split() == ["[]", "True"]


def _at_reactor_start(tmp_path, workers: int, expressions: str) -> list[str]:
    """What `print(expressions)` shows in a new interpreter where `crawler.crawl` has built a crawl
    of the sample sources with `workers` stage workers (the forkserver not started) and is about
    to start the reactor."""
    code = ("import gc, sys; from scrapy.crawler import CrawlerProcess; from crawler import crawl; "
            "from pipelines.config import SAMPLE_SOURCES; crawl.stage_server.start = lambda: None; "
            f"CrawlerProcess.start = lambda self, *a, **k: print({expressions}); "
            f"crawl.run(['--sources', str(SAMPLE_SOURCES), '--db', {str(tmp_path / 'x.db')!r}, "
            f"'--set', 'MARSAD_WORKERS={workers}'])")
    return fresh_python(code).split()


def test_a_crawl_process_with_workers_imports_no_stage_and_no_control_port(tmp_path):
    """Built and ready to start, a crawl with stage workers has not imported the stages
    (trafilatura, the classifier: ~0.1 s; its workers' forkserver does), nor aiohttp, which
    Scrapy's remote control imports even when it is off (another 0.1 s)."""
    printed = _at_reactor_start(
        tmp_path, 2, "sorted({'trafilatura', 'htmldate', 'langdetect', 'pipelines.extract', "
        "'pipelines.classify', 'aiohttp', 'scrapy.extensions.remote_control', 'scrapy.extensions.telnet'} "
        "& set(sys.modules)), 'pipelines.workers' in sys.modules")
    assert printed == ["[]", "True"]  # the stages' pipeline is loaded, not the stages


def test_stage_workers_do_not_load_scrapy():
    """The forkserver's preload (every stage a worker runs) imports no Scrapy or Twisted (~0.2 s
    of each crawl's start): a verdict becomes a DropItem in the crawl process (crawler.drops).
    Nor datasketch and scipy (~0.5 s): the LSH scheme is read from data/lsh-scheme.json. The
    stages themselves it does import, so that no worker imports them at its first page."""
    code = ("import sys, pipelines.stage_preload; "
            "print(sorted({'scrapy', 'twisted', 'datasketch', 'scipy'} & set(sys.modules)), "
            "all(m in sys.modules for m in ('trafilatura', 'pipelines.extract', 'pipelines.classify', "
            "'pipelines.dedupe')))")
    assert fresh_python(code).split() == ["[]", "True"]


@pytest.mark.parametrize("setting, starts", [("0", False), ("2", True), ("auto", True)])
def test_crawl_starts_the_stage_forkserver_early_only_when_it_will_have_workers(setting, starts, tmp_path,
                                                                               monkeypatch):
    """crawler.crawl launches the workers' forkserver before importing Scrapy, so that the two
    imports overlap; with MARSAD_WORKERS=0 it starts none."""
    from crawler import crawl

    monkeypatch.setattr("pipelines.config.usable_cpus", lambda: 2)
    started = []
    monkeypatch.setattr(crawl.stage_server, "start", lambda: started.append(True))
    code = crawl.run(["--sources", str(tmp_path / "missing.toml"), "--db", str(tmp_path / "x.db"),
                      "--set", f"MARSAD_WORKERS={setting}"])
    assert code == 1  # the registry is missing: the crawl stops after the decision
    assert bool(started) == starts


_ALLOCATOR_PROBE = (
    "import os; from pipelines.stage_server import stage_pool; from tests.support.stages import allocator_in_use; "
    "pool = stage_pool(1, 10); print(pool.schedule(allocator_in_use).result(timeout=60), allocator_in_use(), "
    "repr(os.environ.get('LD_PRELOAD')), os.environ.get('MIMALLOC_ALLOW_THP')); pool.close(); pool.join()")


@pytest.mark.skipif(allocator_library("mimalloc") is None, reason="no cmeel-mimalloc wheel here (Linux only)")
@pytest.mark.parametrize("env, printed", [
    ({}, "mimalloc:THP=0 system:THP=None None None"),
    ({"LD_PRELOAD": ""}, "mimalloc:THP=0 system:THP=None '' None"),
    ({"MIMALLOC_ALLOW_THP": "1"}, "mimalloc:THP=1 system:THP=1 None 1"),
    ({"MARSAD_WORKER_ALLOCATOR": "system"}, "system:THP=None system:THP=None None None"),
    ({"LD_PRELOAD": "libm.so.6"}, "system:THP=None system:THP=None 'libm.so.6' None"),
])
def test_stage_workers_run_on_mimalloc_and_the_crawl_process_keeps_its_environment(env, printed):
    """The workers' forkserver starts with mimalloc preloaded (glibc's malloc took a tenth of
    their CPU), without huge pages unless the user allows them, and with the system's malloc if
    MARSAD_WORKER_ALLOCATOR=system or the user set a preload of their own; the crawl process's
    own environment and allocator are left as they were."""
    env = {"LD_PRELOAD": None, "MARSAD_WORKER_ALLOCATOR": None, "MIMALLOC_ALLOW_THP": None, **env}
    assert fresh_python(_ALLOCATOR_PROBE, env).strip() == printed


@pytest.mark.skipif(shutil.which("gcc") is None, reason="needs a C compiler to build the test libraries")
def test_a_library_that_cannot_be_preloaded_is_not(tmp_path):
    """The dynamic loader skips a preload it cannot open but stops the program (exit 127) when
    one it opens needs a library that is missing: the workers' forkserver would die. Such a
    library is found out before, and the workers keep the system's malloc."""
    (tmp_path / "dep.c").write_text("int dep(void) { return 1; }\n")
    (tmp_path / "top.c").write_text("int dep(void); int top(void) { return dep(); }\n")
    gcc = ["gcc", "-shared", "-fPIC", "-o"]
    subprocess.run([*gcc, str(tmp_path / "libdep.so"), str(tmp_path / "dep.c")], check=True)
    subprocess.run([*gcc, str(tmp_path / "libtop.so"), str(tmp_path / "top.c"), f"-L{tmp_path}", "-ldep",
                    f"-Wl,-rpath,{tmp_path}"], check=True)
    (tmp_path / "not-a-library.so").write_text("text")
    assert preloadable(str(tmp_path / "libtop.so"))
    (tmp_path / "libdep.so").unlink()
    preloadable.cache_clear()
    assert not preloadable(str(tmp_path / "libtop.so"))
    assert not preloadable(str(tmp_path / "not-a-library.so"))
    if allocator_library("mimalloc"):
        assert preloadable(allocator_library("mimalloc"))


def test_crawl_refuses_an_unknown_worker_allocator(tmp_path, monkeypatch, capsys):
    from crawler import crawl

    monkeypatch.setenv("MARSAD_WORKER_ALLOCATOR", "jemalloc")
    code = crawl.run(["--sources", str(tmp_path / "missing.toml"), "--db", str(tmp_path / "x.db"),
                      "--set", "MARSAD_WORKERS=2"])
    assert code == 1
    assert "MARSAD_WORKER_ALLOCATOR must be one of mimalloc, system, not 'jemalloc'" in capsys.readouterr().err


def test_crawl_process_collects_garbage_rarely_with_its_start_up_frozen(tmp_path):
    """The crawl process's cyclic GC runs every GC_GEN0_THRESHOLD new objects, not 700, and
    skips what existed before the reactor started (~1 s of a 2,000-page crawl's CPU otherwise)."""
    threshold, frozen = map(int, _at_reactor_start(tmp_path, 0, "gc.get_threshold()[0], gc.get_freeze_count()"))
    assert threshold == GC_GEN0_THRESHOLD > 700 and frozen > 10_000

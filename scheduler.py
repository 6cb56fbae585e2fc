"""The scheduler: APScheduler 3.11 `BlockingScheduler` in its own process, one job per source.

Each job runs one crawl of its source as a subprocess (`python -m crawler.crawl`) under the
database's crawl lock (`pipelines.lock`), with a hard timeout (SIGTERM, then SIGKILL). Jobs run
one at a time (one worker thread; the lock also keeps out a `marsad crawl` started by cron).
On start, sources overdue according to the crawl-runs table run first. SIGTERM/SIGINT stop the
scheduler: the running crawl is asked to stop (it records its run as incomplete), then killed
after a grace period. Missed, failed, timed-out and lock-blocked jobs are logged and recorded in
the `schedule_events` table. After each crawl, watchlists are dispatched (`pipelines.watch`).
"""

from __future__ import annotations

import logging
import re
import signal
import subprocess
import sys
from concurrent import futures
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from crawler.middlewares import check_url
from crawler.sources import Source, load_sources
from pipelines.config import PROJECT_ROOT, load_config, workers_per_job
from pipelines.health import last_finished_by_source
from pipelines.lock import LockBusy, crawl_lock
from pipelines.store import close_stale_runs, open_db, record_schedule_event

log = logging.getLogger("marsad.scheduler")

DEFAULT_TIMEOUT = 4 * 3600.0  # hard limit of one crawl, seconds (a first crawl of a big site is slow)
DEFAULT_GRACE = 30.0  # between SIGTERM and SIGKILL
DEFAULT_JITTER = 60  # seconds of random delay added to each run (at most a tenth of the interval)
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_INTERVAL = re.compile(r"^interval:(\d+)([smhd])$")


def parse_trigger(schedule: str, jitter: int = 0) -> BaseTrigger:
    """An APScheduler trigger for a registry schedule: "interval:2h" or "cron:<5 fields>" (UTC)."""
    match = _INTERVAL.match(schedule)
    if match:
        seconds = int(match.group(1)) * _UNITS[match.group(2)]
        if seconds <= 0:
            raise ValueError(f"schedule {schedule!r}: the interval must be positive")
        return IntervalTrigger(seconds=seconds, jitter=min(jitter, seconds // 10) or None, timezone=timezone.utc)
    if schedule.startswith("cron:"):
        return CronTrigger(**_cron_fields(schedule[5:]), jitter=jitter or None, timezone=timezone.utc)
    raise ValueError(f"schedule {schedule!r} is not 'interval:N[smhd]' or 'cron:<5 fields>'")


def _cron_fields(expr: str) -> dict[str, str]:
    values = expr.split()
    if len(values) != 5:
        raise ValueError(f"cron expression {expr!r} needs 5 fields")
    return dict(zip(("minute", "hour", "day", "month", "day_of_week"), values))


def schedule_interval(schedule: str, now: datetime | None = None) -> timedelta:
    """The gap between two runs of a schedule (for a cron schedule: the next two fire times)."""
    trigger = parse_trigger(schedule)
    if isinstance(trigger, IntervalTrigger):
        return trigger.interval
    now = now or datetime.now(timezone.utc)
    first = trigger.get_next_fire_time(None, now)
    second = trigger.get_next_fire_time(first, first + timedelta(seconds=1))
    return second - first


def overdue_sources(sources: Iterable[Source], last_finished: Mapping[str, datetime],
                    now: datetime) -> list[str]:
    """Ids of sources never crawled to the end, or whose last finished run is older than their
    schedule's interval; most overdue first."""
    lateness = {}
    for source in sources:
        last = last_finished.get(source.id)
        due = now if last is None else last + schedule_interval(source.schedule, now)
        if due <= now:
            lateness[source.id] = (now - due) if last is not None else timedelta.max
    return sorted(lateness, key=lambda sid: lateness[sid], reverse=True)


def crawl_command(sources_path: Path | str, db_path: Path | str, source_ids: Iterable[str] = (),
                  refetch: bool = False, settings: Mapping[str, str] | None = None) -> list[str]:
    """The argv of one crawl subprocess."""
    command = [sys.executable, "-m", "crawler.crawl", "--sources", str(sources_path), "--db", str(db_path)]
    for source_id in source_ids:
        command += ["--source", source_id]
    if refetch:
        command.append("--refetch")
    for key, value in (settings or {}).items():
        command += ["--set", f"{key}={value}"]
    return command


@dataclass(frozen=True)
class CrawlOutcome:
    code: int  # exit code; negative: killed by that signal
    timed_out: bool
    seconds: float


def run_subprocess(command: list[str], timeout: float, grace: float = DEFAULT_GRACE,
                   pass_fds: tuple[int, ...] = (),
                   on_start: Callable[[subprocess.Popen], None] | None = None) -> CrawlOutcome:
    """Run `command` with a hard timeout: SIGTERM when it expires, SIGKILL `grace` seconds later."""
    started = time.monotonic()
    proc = subprocess.Popen(command, cwd=PROJECT_ROOT, pass_fds=pass_fds, start_new_session=True)
    if on_start is not None:
        on_start(proc)
    timed_out = False
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        stop_process(proc, grace)
    except BaseException:  # Ctrl-C or an error here: the child is in its own session, stop it too
        stop_process(proc, grace)
        raise
    return CrawlOutcome(proc.returncode, timed_out, time.monotonic() - started)


def stop_process(proc: subprocess.Popen, grace: float) -> None:
    """SIGTERM the process (Scrapy then closes its run as incomplete); SIGKILL it after `grace`."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def split_sources(source_ids: list[str], jobs: int) -> list[list[str]]:
    """Disjoint groups of sources for `jobs` crawl processes (round-robin, none empty)."""
    groups = [source_ids[i::jobs] for i in range(max(1, min(jobs, len(source_ids))))]
    return [g for g in groups if g]


def job_commands(sources_path: Path | str, db_path: Path | str, source_ids: Iterable[str] = (),
                 jobs: int = 1, refetch: bool = False,
                 settings: Mapping[str, str] | None = None) -> list[list[str]]:
    """The crawl processes of `marsad crawl --jobs N`: disjoint groups of sources, each process
    with its share of the CPUs as stage workers (unless MARSAD_WORKERS says otherwise)."""
    if jobs <= 1:
        return [crawl_command(sources_path, db_path, source_ids, refetch, settings)]
    groups = split_sources(list(source_ids) or [s.id for s in load_sources(sources_path)], jobs)
    if "MARSAD_WORKERS" not in (settings or {}) and load_config().workers == "auto":
        settings = {**(settings or {}), "MARSAD_WORKERS": str(workers_per_job(len(groups)))}
    return [crawl_command(sources_path, db_path, group, refetch, settings) for group in groups]


def crawl_once(sources_path: Path | str, db_path: Path | str, source_ids: Iterable[str] = (), *,
               timeout: float = DEFAULT_TIMEOUT, grace: float = DEFAULT_GRACE, lock_wait: float = 0.0,
               refetch: bool = False, settings: Mapping[str, str] | None = None, jobs: int = 1,
               on_start: Callable[[subprocess.Popen], None] | None = None) -> CrawlOutcome:
    """One crawl under the database's lock (raises LockBusy after `lock_wait` seconds).

    Runs left `running` by a killed crawl are marked incomplete first: under the lock no other
    crawl of this database can be live. With `jobs` > 1 the sources are split into that many
    disjoint groups, each crawled by its own process at the same time (one run record each).
    """
    commands = job_commands(sources_path, db_path, source_ids, jobs, refetch, settings)
    with crawl_lock(db_path, wait=lock_wait) as lock:
        db = open_db(db_path)
        try:
            stale = close_stale_runs(db)
        finally:
            db.close()
        if stale:
            log.warning("marked %d interrupted crawl run(s) incomplete", stale)
        if len(commands) == 1:
            return run_subprocess(commands[0], timeout, grace, pass_fds=(lock.fd,), on_start=on_start)
        with futures.ThreadPoolExecutor(len(commands)) as pool:
            outcomes = list(pool.map(lambda c: run_subprocess(c, timeout, grace, pass_fds=(lock.fd,),
                                                              on_start=on_start), commands))
        worst = next((o.code for o in outcomes if o.code != 0), 0)
        return CrawlOutcome(worst, any(o.timed_out for o in outcomes), max(o.seconds for o in outcomes))


def dispatch_watches(db_path: Path | str) -> dict[str, int]:
    """Announce new matching articles to every watch; errors are logged, never raised."""
    from pipelines.watch import dispatch

    allowed = load_config().allow_private_hosts
    try:
        return dispatch(db_path, check=lambda url: check_url(url, allowed))
    except Exception:  # a watch output must never stop the crawling
        log.exception("watch dispatch failed")
        return {}


@dataclass
class CrawlScheduler:
    """A BlockingScheduler with one crawl job per source, stopped cleanly by SIGTERM/SIGINT."""

    sources: list[Source]
    sources_path: Path
    db_path: Path
    timeout: float = DEFAULT_TIMEOUT
    grace: float = DEFAULT_GRACE
    jitter: int = DEFAULT_JITTER
    settings: Mapping[str, str] = field(default_factory=dict)
    stopping: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self._mutex = threading.Lock()
        self._children: set[subprocess.Popen] = set()
        self._idle = threading.Condition()
        self._active = 0
        self._dispatching = threading.Lock()
        self._again = threading.Event()
        self._dispatcher: threading.Thread | None = None
        self.scheduler = BlockingScheduler(
            executors={"default": ThreadPoolExecutor(max_workers=1)},
            job_defaults={"coalesce": True, "max_instances": 1,
                          # a run queued behind another source's crawl must not count as missed
                          "misfire_grace_time": int(self.timeout + self.grace + 300)},
            timezone=timezone.utc,
        )
        self.scheduler.add_listener(self._on_event, EVENT_JOB_MISSED | EVENT_JOB_ERROR | EVENT_JOB_MAX_INSTANCES)

    def plan(self, now: datetime | None = None) -> list[tuple[Source, datetime, bool]]:
        """(source, first run time, overdue?) for every source: overdue ones now, most overdue first."""
        now = now or datetime.now(timezone.utc)
        db = open_db(self.db_path)
        try:
            last = last_finished_by_source(db)
        finally:
            db.close()
        overdue = overdue_sources(self.sources, last, now)
        plan = []
        for source in self.sources:
            if source.id in overdue:
                first = now + timedelta(milliseconds=10 * overdue.index(source.id))
            else:
                trigger = parse_trigger(source.schedule)
                if isinstance(trigger, IntervalTrigger):
                    first = last[source.id] + trigger.interval
                else:
                    first = trigger.get_next_fire_time(None, now)
            plan.append((source, first, source.id in overdue))
        return plan

    def add_jobs(self, now: datetime | None = None) -> None:
        for source, first, _ in self.plan(now):
            self.scheduler.add_job(self.run_job, parse_trigger(source.schedule, self.jitter), args=[source.id],
                                   id=source.id, name=f"crawl {source.id}", next_run_time=first)

    def run_job(self, source_id: str) -> int | None:
        """One scheduled crawl of one source, waiting for the lock while not stopping."""
        with self._idle:
            self._active += 1
        try:
            return self._crawl(source_id)
        finally:
            with self._idle:
                self._active -= 1
                self._idle.notify_all()

    def _crawl(self, source_id: str) -> int | None:
        deadline = time.monotonic() + self.timeout
        while not self.stopping.is_set():
            try:
                outcome = crawl_once(self.sources_path, self.db_path, [source_id], timeout=self.timeout,
                                     grace=self.grace, lock_wait=1.0, settings=self.settings,
                                     on_start=lambda proc: self._adopt(proc, source_id))
                break
            except LockBusy as exc:
                if time.monotonic() >= deadline:
                    self._record(source_id, "locked", str(exc))
                    log.warning("crawl %s skipped: %s", source_id, exc)
                    return None
        else:
            return None
        if outcome.timed_out:
            event = "timeout"
        elif outcome.code == 0:
            event = "done"
        else:
            event = "stopped" if self.stopping.is_set() else "failed"
        self._record(source_id, event, f"exit {outcome.code} after {outcome.seconds:.1f}s")
        log.log(logging.INFO if event == "done" else logging.WARNING,
                "crawl %s %s (exit %s, %.1fs)", source_id, event, outcome.code, outcome.seconds)
        if not self.stopping.is_set():
            self.announce()
        return outcome.code

    def announce(self) -> None:
        """Dispatch watchlists in a thread of their own: a slow webhook never delays a crawl."""
        self._again.set()  # a dispatch already running goes round once more
        if self._dispatching.acquire(blocking=False):
            self._dispatcher = threading.Thread(target=self._dispatch_loop, name="watch-dispatch", daemon=True)
            self._dispatcher.start()

    def _dispatch_loop(self) -> None:
        try:
            while self._again.is_set() and not self.stopping.is_set():
                self._again.clear()
                dispatch_watches(self.db_path)
        finally:
            self._dispatching.release()
        if self._again.is_set() and not self.stopping.is_set():
            self.announce()  # asked for between the last check and the release

    def _adopt(self, proc: subprocess.Popen, source_id: str) -> None:
        """Track a crawl child so that a stop request reaches it (even one started just now)."""
        self._record(source_id, "started", f"pid {proc.pid}")
        with self._mutex:
            self._children.add(proc)
            stopping = self.stopping.is_set()
        if stopping:
            proc.terminate()
        threading.Thread(target=self._forget, args=(proc,), daemon=True).start()

    def _forget(self, proc: subprocess.Popen) -> None:
        proc.wait()
        with self._mutex:
            self._children.discard(proc)

    def _record(self, job_id: str, event: str, detail: str | None = None) -> None:
        try:
            db = open_db(self.db_path)
            try:
                record_schedule_event(db, job_id, event, detail)
            finally:
                db.close()
        except Exception:  # recording must not kill the job
            log.exception("could not record scheduler event %s for %s", event, job_id)

    def _on_event(self, event: JobExecutionEvent) -> None:
        if event.code == EVENT_JOB_MISSED:
            log.warning("run of %s scheduled at %s was missed", event.job_id, event.scheduled_run_time)
            self._record(event.job_id, "missed", f"scheduled at {event.scheduled_run_time.isoformat()}")
        elif event.code == EVENT_JOB_ERROR:
            log.error("job %s failed: %s", event.job_id, event.exception)
            self._record(event.job_id, "error", repr(event.exception))
        else:
            log.info("job %s still running; run at %s skipped", event.job_id, event.scheduled_run_time)

    def stop(self, *_args) -> None:
        """Stop scheduling, ask running crawls to stop (SIGTERM); kill them after the grace period."""
        if self.stopping.is_set():
            return
        self.stopping.set()
        log.info("stopping the scheduler")
        with self._mutex:
            children = list(self._children)
        for proc in children:
            if proc.poll() is None:
                proc.terminate()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    def wait_idle(self) -> bool:
        """After stop: wait for running jobs; SIGKILL crawls still alive after the grace period."""
        deadline = time.monotonic() + self.grace
        with self._idle:
            while self._active and time.monotonic() < deadline:
                self._idle.wait(0.2)
        with self._mutex:
            children = [p for p in self._children if p.poll() is None]
        for proc in children:
            proc.kill()
        if self._dispatcher is not None:
            self._dispatcher.join(self.grace)  # its claims are transactional; a webhook retries later
        with self._idle:
            self._idle.wait_for(lambda: self._active == 0, timeout=10)
            return self._active == 0

    def run(self) -> None:
        """Run in the foreground until SIGTERM/SIGINT."""
        previous = {sig: signal.signal(sig, self.stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            self.add_jobs()
            self.scheduler.start()
        finally:
            self.stop()
            self.wait_idle()
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def next_runs(self, now: datetime | None = None) -> list[tuple[str, str, datetime, bool]]:
        """(source id, schedule, next run, overdue?) per job, soonest first, without starting."""
        rows = [(s.id, s.schedule, first, overdue) for s, first, overdue in self.plan(now)]
        return sorted(rows, key=lambda row: row[2])


def main(argv: list[str] | None = None) -> int:
    """`python scheduler.py --sources F --db D`: the same as `marsad schedule run`."""
    import argparse

    from crawler.sources import load_sources

    parser = argparse.ArgumentParser(prog="scheduler.py")
    config = load_config()
    parser.add_argument("--sources", default=str(config.sources))
    parser.add_argument("--db", default=str(config.db))
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    CrawlScheduler(load_sources(args.sources), Path(args.sources), Path(args.db), timeout=args.timeout).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())

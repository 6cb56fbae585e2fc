"""Scheduler: triggers from the registry, overdue-first planning, the crawl lock, and a real
scheduler process crawling the sample outlets every second, one crawl at a time."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from click.testing import CliRunner

from crawler.sources import Source
from marsad import cli
from pipelines.config import PROJECT_ROOT, SAMPLE_SOURCES
from pipelines.lock import LockBusy, crawl_lock, lock_path
from pipelines.store import close_stale_runs, finish_run, open_db, schedule_events, start_run
from scheduler import CrawlScheduler, overdue_sources, parse_trigger, run_subprocess, schedule_interval
from tests.support.site import db_count

NOW = datetime(2026, 11, 29, 10, 0, tzinfo=timezone.utc)


def source(sid: str, schedule: str) -> Source:
    return Source(id=sid, name=sid, base_url=f"http://{sid}.test/", feeds=(f"http://{sid}.test/feed",),
                  schedule=schedule)


def test_triggers_from_registry_schedules():
    interval = parse_trigger("interval:2h", jitter=60)
    assert isinstance(interval, IntervalTrigger) and interval.interval == timedelta(hours=2)
    assert interval.jitter == 60
    assert parse_trigger("interval:1s", jitter=60).jitter is None  # at most a tenth of the interval
    cron = parse_trigger("cron:15 */3 * * *")
    assert isinstance(cron, CronTrigger)
    assert cron.get_next_fire_time(None, NOW) == datetime(2026, 11, 29, 12, 15, tzinfo=timezone.utc)
    assert schedule_interval("cron:15 */3 * * *", NOW) == timedelta(hours=3)
    assert schedule_interval("interval:45m") == timedelta(minutes=45)
    with pytest.raises(ValueError):
        parse_trigger("every:2h")
    with pytest.raises(ValueError):
        parse_trigger("cron:* * *")


def test_overdue_sources_most_overdue_first():
    sources = [source("fresh", "interval:2h"), source("late", "interval:2h"),
               source("later", "interval:1h"), source("never", "interval:6h")]
    last = {"fresh": NOW - timedelta(minutes=30), "late": NOW - timedelta(hours=3),
            "later": NOW - timedelta(hours=5)}
    assert overdue_sources(sources, last, NOW) == ["never", "later", "late"]


def test_plan_runs_overdue_sources_first(tmp_path):
    db = open_db(tmp_path / "p.db")
    run = start_run(db, ["fresh"])
    finish_run(db, run, {}, "finished", "finished")
    incomplete = start_run(db, ["broken"])  # an incomplete run does not count as done
    finish_run(db, incomplete, {}, "incomplete", "shutdown")
    db.close()
    planner = CrawlScheduler([source("fresh", "interval:2h"), source("broken", "interval:2h")],
                             tmp_path / "s.toml", tmp_path / "p.db")
    now = datetime.now(timezone.utc)
    plan = {s.id: (when, overdue) for s, when, overdue in planner.plan(now)}
    assert plan["broken"][1] and plan["broken"][0] <= now + timedelta(seconds=1)
    assert not plan["fresh"][1] and plan["fresh"][0] > now + timedelta(hours=1)


def test_lock_excludes_a_second_crawl_and_names_the_holder(tmp_path):
    db_path = tmp_path / "l.db"
    with crawl_lock(db_path):
        assert lock_path(db_path).read_text().startswith(f"pid {os.getpid()} since ")
        with pytest.raises(LockBusy, match=f"pid {os.getpid()}"):
            with crawl_lock(db_path, wait=0.3):
                pass
    with crawl_lock(db_path):  # released
        pass


def test_lock_waits_for_the_holder(tmp_path):
    db_path = tmp_path / "w.db"
    acquired = threading.Event()

    def hold():
        with crawl_lock(db_path):
            acquired.set()
            time.sleep(0.6)

    thread = threading.Thread(target=hold)
    thread.start()
    acquired.wait(5)
    started = time.monotonic()
    with crawl_lock(db_path, wait=10):
        waited = time.monotonic() - started
    thread.join()
    assert 0.2 < waited < 5


def test_lock_is_released_when_its_holder_is_killed(tmp_path):
    db_path = tmp_path / "k.db"
    code = ("import sys, time; sys.path.insert(0, %r); from pipelines.lock import crawl_lock\n"
            "with crawl_lock(%r):\n    print('held', flush=True); time.sleep(60)") % (str(PROJECT_ROOT), str(db_path))
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    with pytest.raises(LockBusy):
        with crawl_lock(db_path):
            pass
    proc.kill()
    proc.wait()
    with crawl_lock(db_path, wait=5):
        pass


def test_cli_crawl_refuses_while_another_crawl_holds_the_lock(tmp_path):
    db_path = tmp_path / "c.db"
    sources = tmp_path / "s.toml"
    sources.write_text('[[source]]\nid = "x"\nname = "x"\nbase_url = "http://127.0.0.1:9/"\n'
                       'feeds = ["http://127.0.0.1:9/feed"]\n', encoding="utf-8")
    with crawl_lock(db_path):
        result = CliRunner().invoke(cli, ["crawl", "--db", str(db_path), "--sources", str(sources)])
    assert result.exit_code == 1
    assert "another crawl is running" in result.output and "pid" in result.output


def test_stale_running_rows_are_closed(tmp_path):
    db = open_db(tmp_path / "s.db")
    run = start_run(db, ["a"])
    assert close_stale_runs(db) == 1
    status, reason = db.execute("select status, finish_reason from crawl_runs where id = ?", [run]).fetchone()
    assert (status, reason) == ("incomplete", "killed")
    assert close_stale_runs(db) == 0
    db.close()


def test_hard_timeout_terminates_then_kills():
    stubborn = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('up', flush=True); time.sleep(60)"
    started = time.monotonic()
    outcome = run_subprocess([sys.executable, "-c", stubborn], timeout=1.0, grace=0.5)
    assert outcome.timed_out and outcome.code == -signal.SIGKILL
    assert time.monotonic() - started < 10
    polite = run_subprocess([sys.executable, "-c", "import time; time.sleep(60)"], timeout=0.5, grace=5)
    assert polite.timed_out and polite.code == -signal.SIGTERM


def count_finished(db_path: Path) -> int:
    """Finished runs so far (0 while the database is still being created)."""
    return db_count(db_path, "select count(*) from crawl_runs where status = 'finished'")


@pytest.mark.slow
def test_scheduler_runs_crawls_one_at_a_time_and_stops_cleanly(tmp_path, sample_hosts):
    text = SAMPLE_SOURCES.read_text(encoding="utf-8")
    for outlet, host in sample_hosts.items():
        text = text.replace("{{" + outlet + "}}", host)
    text = text.replace('"interval:2h"', '"interval:1s"').replace('"interval:6h"', '"interval:1s"')
    text = text.replace('"cron:15 */3 * * *"', '"interval:1s"')
    sources, db_path = tmp_path / "sources.toml", tmp_path / "sched.db"
    sources.write_text(text, encoding="utf-8")
    env = {**os.environ, "MARSAD_ALLOW_PRIVATE_HOSTS": "1"}
    command = [sys.executable, "-m", "marsad", "schedule", "run", "--db", str(db_path), "--sources", str(sources),
               "--jitter", "0", "--grace", "20", "--timeout", "120", "--set", "AUTOTHROTTLE_ENABLED=False",
               "--set", "DOWNLOAD_DELAY=0", "--set", "LOG_LEVEL=WARNING"]
    proc = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        finished = 0
        while time.monotonic() < deadline and finished < 2:
            time.sleep(0.5)
            finished = count_finished(db_path)
        assert finished >= 2, "the scheduler did not run two crawls within 60 seconds"
    finally:
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr[-2000:]
    db = open_db(db_path, readonly=True)
    runs = db.execute("select id, started_at, finished_at, status, sources from crawl_runs order by id").fetchall()
    events = schedule_events(db)
    db.close()
    assert all(status in ("finished", "incomplete") for _, _, _, status, _ in runs), runs  # none left running
    # Never two at once: each crawl's start event comes after the previous crawl's end event.
    spans, open_span = [], None
    for event in events:
        if event["event"] == "started":
            assert open_span is None, f"two crawls at once: {open_span} and {event}"
            open_span = event
        elif event["event"] in ("done", "failed", "timeout", "stopped"):
            assert open_span is not None and open_span["job_id"] == event["job_id"]
            spans.append((open_span["at"], event["at"], event["event"]))
            open_span = None
    assert open_span is None
    # (the last crawl may end by the stop signal, recorded "stopped", its run finished or incomplete)
    # A crawl stopped before its process recorded a run leaves a "stopped" span without a run.
    unrecorded = len(spans) - len(runs)
    assert unrecorded in (0, 1) and (unrecorded == 0 or spans[-1][2] == "stopped"), (spans, runs)
    assert sum(1 for s in spans if s[2] == "done") >= len(runs) - 1
    for (_, end), (start, _) in zip([(s[0], s[1]) for s in spans], [(s[0], s[1]) for s in spans[1:]]):
        assert start >= end
    for (_, start, end, _, _), (_, next_start, _, _, _) in zip(runs, runs[1:]):
        assert next_start >= end
    # Each run recorded with its one source; all are overdue at start, so the first runs differ.
    first = [json.loads(r[4]) for r in runs[:3]]
    assert all(len(s) == 1 for s in first) and len({s[0] for s in first}) == len(first)
    assert not lock_path(db_path).read_text().strip()  # the lock was released


def test_missed_and_failed_jobs_are_recorded(tmp_path):
    from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MISSED, JobExecutionEvent

    planner = CrawlScheduler([source("a", "interval:1h")], tmp_path / "s.toml", tmp_path / "e.db")
    open_db(tmp_path / "e.db").close()
    planner._on_event(JobExecutionEvent(EVENT_JOB_MISSED, "a", "default", NOW))
    planner._on_event(JobExecutionEvent(EVENT_JOB_ERROR, "a", "default", NOW, exception=RuntimeError("boom")))
    db = open_db(tmp_path / "e.db", readonly=True)
    events = [(e["job_id"], e["event"], e["detail"]) for e in schedule_events(db)]
    db.close()
    assert events == [("a", "missed", f"scheduled at {NOW.isoformat()}"), ("a", "error", "RuntimeError('boom')")]
    defaults = planner.scheduler._job_defaults
    assert defaults["coalesce"] is True and defaults["max_instances"] == 1
    assert defaults["misfire_grace_time"] > planner.timeout  # explicit, not APScheduler's 1 s


def test_watch_dispatch_runs_beside_the_crawls(tmp_path, monkeypatch):
    import scheduler

    release, calls = threading.Event(), []

    def slow_dispatch(db_path):
        calls.append(db_path)
        release.wait(5)
        return {}

    monkeypatch.setattr(scheduler, "dispatch_watches", slow_dispatch)
    planner = CrawlScheduler([source("a", "interval:1h")], tmp_path / "s.toml", tmp_path / "d.db")
    started = time.monotonic()
    planner.announce()
    while not calls and time.monotonic() - started < 5:
        time.sleep(0.01)
    planner.announce()  # while one runs: it goes round once more, no second thread
    assert time.monotonic() - started < 1
    release.set()
    planner._dispatcher.join(5)
    assert len(calls) == 2 and not planner._dispatching.locked()


def test_schedule_list_shows_next_runs_and_overdue_sources(tmp_path):
    db_path = tmp_path / "l.db"
    db = open_db(db_path)
    finish_run(db, start_run(db, ["alsuhub"]), {}, "finished", "finished")
    db.close()
    result = CliRunner().invoke(cli, ["schedule", "list", "--db", str(db_path), "--sources", str(SAMPLE_SOURCES)])
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.output.splitlines()[1:]}
    assert set(lines) == {"alwaha", "alsuhub", "hareer"}
    assert "overdue" in lines["alwaha"] and "overdue" in lines["hareer"]
    assert "overdue" not in lines["alsuhub"] and "interval:6h" in lines["alsuhub"]
    assert "cron:15 */3 * * *" in lines["hareer"]


def test_split_sources_into_disjoint_groups():
    from scheduler import split_sources

    groups = split_sources(["a", "b", "c", "d", "e"], 2)
    assert groups == [["a", "c", "e"], ["b", "d"]]
    assert split_sources(["a"], 4) == [["a"]]
    assert sorted(x for g in split_sources(list("abcdefg"), 3) for x in g) == list("abcdefg")


def test_jobs_share_the_cpus_as_stage_workers(monkeypatch):
    from scheduler import job_commands

    monkeypatch.setattr("pipelines.config.usable_cpus", lambda: 8)
    monkeypatch.delenv("MARSAD_WORKERS", raising=False)
    commands = job_commands("s.toml", "x.db", ["a", "b", "c"], jobs=2)
    assert len(commands) == 2 and all("MARSAD_WORKERS=4" in c for c in commands)
    [single] = job_commands("s.toml", "x.db", ["a", "b"], jobs=1)
    assert not any("MARSAD_WORKERS" in arg for arg in single)  # the crawl's own default: auto
    explicit = job_commands("s.toml", "x.db", ["a", "b"], jobs=2, settings={"MARSAD_WORKERS": "1"})
    assert all("MARSAD_WORKERS=1" in c and "MARSAD_WORKERS=4" not in c for c in explicit)
    monkeypatch.setenv("MARSAD_WORKERS", "0")
    assert not any("MARSAD_WORKERS=4" in c for c in job_commands("s.toml", "x.db", ["a", "b"], jobs=2))

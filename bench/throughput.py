"""Throughput side by side, in one invocation: Marsad's full pipeline against its peers.

Usage (from the repository root): python -m bench.throughput [--pages 5000] [--outlets 10]
                                   [--runs a1,b1,c,d,e,a2,b2] [--server nginx|aiohttp] [--light]
                                   [--rounds N]

One corpus (bench/corpus.py; pages of ~60 KB like real Arabic news pages, `--light`: ~10 KB)
served on 127.0.0.2.. by nginx (bench/serve.py), one profile for every run: politeness off on
loopback (no AutoThrottle, no delay, per-domain and global concurrency 16), robots.txt obeyed,
each outlet on its own address. Runs:
  a1  Marsad's full pipeline as `marsad crawl` runs it: one `python -m crawler.crawl` process
      (discovery from feeds, sitemaps and paginated listings, fetch, store, archive) with its
      stage workers (extract, classify, dedupe keys; MARSAD_WORKERS=auto: one per CPU) into a
      fresh database
  a1i the same with MARSAD_WORKERS=0: every stage in the one crawl process
  a2  two `crawler.crawl` processes over disjoint `--source` halves into the same database,
      with the workers `marsad crawl --jobs 2` gives each (scheduler.workers_per_job)
  b1  the minimal peer: a bare Scrapy spider calling `trafilatura.extract` (bench/peer_spider.py)
      on the article URLs; b2: two of them over the same halves
  c   trafilatura's own command line on the article URLs (`trafilatura -i URLS --parallel 16
      --config-file F`, SLEEP_TIME = 0, SSRF_PROTECTION = off)
  d   the extraction ceiling: `trafilatura.extract` in a plain loop over the same HTML files
  e   Marsad's stages without network or store: what a stage worker does per page
      (`pipelines.workers.prepare`: extract, classify, dedupe keys, near-duplicate fingerprint,
      search-index document, compressed copy) in a plain loop over the same files
With --rounds N the whole list runs N times, interleaved, and each run's best round is reported
(the machines are shared: the best round is the one least slowed by other jobs), with each
round's ratios beside the best rounds' ones.
Each run is a fresh process; pages/s = article pages / wall time from launch to exit; RSS is
sampled every 0.25 s over the process (and its children); for a1 the RSS is also tied to the
crawl's progress (rows in fetched_pages) to report growth over the crawl.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import psutil

from bench.corpus import Corpus, generate
from bench.serve import free_port, serve
from pipelines.config import load_config, workers_per_job
from pipelines.stage_server import allocator_library

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
CONCURRENCY = 16
MARSAD_PROFILE = {
    "MARSAD_ALLOW_PRIVATE_HOSTS": "*", "AUTOTHROTTLE_ENABLED": "False", "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS": str(CONCURRENCY), "CONCURRENT_REQUESTS_PER_DOMAIN": str(CONCURRENCY),
    "ROBOTSTXT_OBEY": "True", "LOG_LEVEL": "WARNING", "MARSAD_PROGRESS_INTERVAL": "0",
}


@dataclass
class Run:
    name: str
    pages: int  # article pages the run had to process
    done: int  # article pages it processed successfully (stored / extracted)
    wall: float
    peak_rss_mb: float  # the largest single process
    rss_series: list[tuple[float, float, int]] = field(default_factory=list)  # (t, MB, progress)
    note: str = ""
    cpu: float = 0.0  # CPU seconds of the process tree (sampled: see `watch`)

    @property
    def rate(self) -> float:
        return self.pages / self.wall if self.wall else 0.0

    @property
    def cpu_ms_per_page(self) -> float:
        return 1000 * self.cpu / self.pages if self.pages else 0.0


def tree_sample(proc: psutil.Process) -> list[tuple[int, float, float]]:
    """(pid, RSS in MB, CPU seconds so far) of a process and each of its children."""
    try:
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return []
    found = []
    for p in procs:
        try:
            with p.oneshot():
                times = p.cpu_times()
                found.append((p.pid, p.memory_info().rss / 2**20, times.user + times.system))
        except psutil.Error:
            pass
    return found


def watch(commands: list[list[str]], progress=None,
          interval: float = 0.25) -> tuple[float, float, list, list[str], float]:
    """Run the commands at once; (wall seconds, peak RSS of one process, series, stdouts, CPU
    seconds). CPU is each process's last sample: a process's final `interval` is not counted."""
    logs = [(tempfile.TemporaryFile("w+", encoding="utf-8"), tempfile.TemporaryFile("w+", encoding="utf-8"))
            for _ in commands]  # files, not pipes: a chatty child must never block on a full pipe
    started = time.perf_counter()
    procs = [subprocess.Popen(c, cwd=ROOT, stdout=out, stderr=err, text=True)
             for c, (out, err) in zip(commands, logs)]
    handles = [psutil.Process(p.pid) for p in procs]
    peak, series, last_progress = 0.0, [], 0
    next_progress = 0.0
    cpu_by_pid: dict[int, float] = {}
    while any(p.poll() is None for p in procs):
        sample = [found for h in handles for found in tree_sample(h)]
        cpu_by_pid.update((pid, cpu) for pid, _, cpu in sample)
        sizes = [rss for _, rss, _ in sample]
        now = time.perf_counter() - started
        if progress is not None and now >= next_progress:
            last_progress = progress()
            next_progress = now + 1.0
        if sizes:
            peak = max(peak, *sizes)
            series.append((round(now, 2), round(sum(sizes), 1), last_progress))
        time.sleep(interval)
    wall = time.perf_counter() - started
    outs = []
    for p, command, files in zip(procs, commands, logs):
        p.wait()
        out, err = (f.seek(0) or f.read() for f in files)
        for f in files:
            f.close()
        if err.strip():
            print(f"  stderr of {command[2]}: {err.strip()[-600:]}", file=sys.stderr)
        if p.returncode != 0:
            raise RuntimeError(f"{' '.join(command[:4])}... exited {p.returncode}: {err[-2000:]}")
        outs.append(out)
    return wall, peak, series, outs, sum(cpu_by_pid.values())


def _db_progress(db: Path):
    def count() -> int:
        try:
            with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
                return conn.execute("select count(*) from fetched_pages").fetchone()[0]
        except sqlite3.Error:
            return 0
    return count


def run_marsad(corpus: Corpus, workdir: Path, groups: list[list[str]], name: str,
               profile: Path | None = None, workers: str = "auto") -> Run:
    db = workdir / f"{name}.db"
    commands = []
    for k, group in enumerate(groups):
        command = [PY, "-m", "crawler.crawl", "--sources", str(corpus.sources_file), "--db", str(db)]
        if profile is not None:  # pyinstrument around the crawl process (slower: not a figure)
            command[1:1] = ["-m", "pyinstrument", "--show-all", "-r", "text", "-o", str(profile / f"{name}-{k}.txt")]
        for source in group:
            command += ["--source", source]
        for key, value in {**MARSAD_PROFILE, "MARSAD_WORKERS": workers}.items():
            command += ["--set", f"{key}={value}"]
        commands.append(command)
    if len(groups) > 1:  # create and migrate the database first: two processes must not race to do it
        subprocess.run([PY, "-c", f"from pipelines.store import open_db; open_db({str(db)!r}).close()"],
                       cwd=ROOT, check=True)
    wall, peak, series, _, cpu = watch(commands, _db_progress(db))
    with sqlite3.connect(db) as conn:
        stored = conn.execute("select count(*) from articles").fetchone()[0]
        reasons = conn.execute("select status, reason, count(*) from fetched_pages"
                               " where status != 'article' group by 1, 2").fetchall()
    note = "; ".join(f"{s}/{r}: {n}" for s, r, n in reasons)
    return Run(name, len(corpus.pages), stored, wall, peak, series, note, cpu)


def run_peer(corpus: Corpus, workdir: Path, groups: list[list[str]], name: str) -> Run:
    commands = []
    for k, group in enumerate(groups):
        urls = workdir / f"{name}-{k}.txt"
        urls.write_text("\n".join(corpus.urls(set(group))) + "\n", encoding="utf-8")
        commands.append([PY, str(ROOT / "bench" / "peer_spider.py"), str(urls), "--concurrency", str(CONCURRENCY)])
    wall, peak, series, outs, cpu = watch(commands)
    counts = [json.loads(out.strip().splitlines()[-1]) for out in outs]
    done = sum(c["extracted"] for c in counts)
    failed = sum(c["failed"] for c in counts)
    return Run(name, len(corpus.pages), done, wall, peak, series, f"failed: {failed}" if failed else "", cpu)


def trafilatura_config(path: Path) -> Path:
    """trafilatura's own settings.cfg with SLEEP_TIME = 0 and SSRF_PROTECTION = off."""
    import trafilatura

    text = (Path(trafilatura.__file__).parent / "settings.cfg").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^SLEEP_TIME = .*$", "SLEEP_TIME = 0", text)
    text = re.sub(r"(?m)^SSRF_PROTECTION = .*$", "SSRF_PROTECTION = off", text)
    path.write_text(text, encoding="utf-8")
    return path


def run_trafilatura_cli(corpus: Corpus, workdir: Path) -> Run:
    out = workdir / "trafilatura-out"
    config = trafilatura_config(workdir / "trafilatura.cfg")
    binary = str(Path(PY).parent / "trafilatura")
    command = [binary, "-i", str(corpus.urls_file), "--parallel", str(CONCURRENCY),
               "--config-file", str(config), "-o", str(out)]
    wall, peak, series, _, cpu = watch([command])
    done = sum(1 for p in out.rglob("*") if p.is_file()) if out.exists() else 0
    return Run("c", len(corpus.pages), done, wall, peak, series, cpu=cpu)


def run_loop(corpus: Corpus, kind: str, profile: Path | None = None) -> Run:
    command = [PY, "-m", "bench.throughput", "--_loop", kind, str(corpus.root)]
    if profile is not None:
        command[1:1] = ["-m", "pyinstrument", "--show-all", "-r", "text", "-o", str(profile / f"{kind}-loop.txt")]
    wall, peak, series, outs, cpu = watch([command])
    result = json.loads(outs[0].strip().splitlines()[-1])
    return Run("d" if kind == "trafilatura" else "e", len(corpus.pages), result["done"], wall, peak, series,
               f"in-loop {result['rate']:.1f} pages/s without start-up", cpu)


def _loop(kind: str, root: Path) -> None:
    """Child process of run_loop: extraction over the corpus files, no network."""
    from bench.corpus import load

    corpus = load(root)
    files = [(p.url, (root / p.file).read_bytes()) for p in corpus.pages]
    done = 0
    started = time.perf_counter()
    if kind == "trafilatura":
        import trafilatura

        for url, body in files:
            done += bool(trafilatura.extract(body.decode("utf-8"), url=url))
    else:
        from pipelines.archive import ArchivedPage, ReextractOptions
        from pipelines.workers import prepare

        fetched = datetime.now(timezone.utc).isoformat()
        options = ReextractOptions()
        for url, body in files:
            page = ArchivedPage(url=url, source_id="bench", body=body, fetched_at=fetched, status=200,
                                content_type="text/html")
            done += prepare(page, options).record is not None
    elapsed = time.perf_counter() - started
    print(json.dumps({"done": done, "rate": len(files) / elapsed}))


def growth(run: Run, total: int) -> tuple[float, float, float] | None:
    """(RSS when 10% of the pages were done, RSS at 100%, growth between them) in MB."""
    warm = [mb for _, mb, n in run.rss_series if n >= 0.1 * total]
    if not warm:
        return None
    return warm[0], warm[-1], max(warm) - warm[0]


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, {platform.system()} {platform.release()}"


def halves(corpus: Corpus) -> list[list[str]]:
    ids = [o.id for o in corpus.outlets]
    return [ids[0::2], ids[1::2]]


def page_weight(corpus: Corpus) -> float:
    """Mean size of the article pages in KB."""
    return sum((corpus.root / p.file).stat().st_size for p in corpus.pages) / len(corpus.pages) / 1024


def workers_malloc() -> str:
    """The allocator a1's stage workers start on (`pipelines.stage_server.start`), as configured."""
    return "mimalloc" if allocator_library(load_config().worker_allocator) else "the system's"


def report(runs: dict[str, Run], server: str, corpus: Corpus,
           rounds: dict[str, list[Run]] | None = None) -> str:
    """The table, the ratios (with each round's ratio when the runs had several rounds) and the
    RSS growth line."""
    rounds = rounds or {}
    lines = [f"# bench/throughput.py, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {machine()}",
             f"# corpus: {len(corpus.pages)} article pages ({sum(1 for p in corpus.pages if p.copy_of)} republished"
             f" copies), {len(corpus.outlets)} outlets, {page_weight(corpus):.0f} KB per article page on average,"
             f" server {server}, concurrency {CONCURRENCY}, stage workers' malloc {workers_malloc()}", ""]
    lines.append(f"{'run':<4} {'pages/s':>8} {'done/s':>8} {'wall s':>8} {'done':>6} {'peak RSS MB':>12}"
                 f" {'CPU ms/page':>12} {'CPUs':>5}  note")
    for name, run in runs.items():
        lines.append(f"{name:<4} {run.rate:8.1f} {run.done / run.wall:8.1f} {run.wall:8.1f} {run.done:6d}"
                     f" {run.peak_rss_mb:12.0f} {run.cpu_ms_per_page:12.1f} {run.cpu / run.wall:5.2f}  {run.note}")
    lines.append("")
    targets = [("a1/b1", "a1", "b1", ">= 0.85"), ("a1/c", "a1", "c", ">= 1.0"),
               ("a2/a1i", "a2", "a1i", ">= 1.7 (2 processes vs 1)"), ("a2/a1", "a2", "a1", "(2 processes vs 1 + workers)"),
               ("a1i/b1", "a1i", "b1", "(one process, one core)"),
               ("a1/a1i", "a1", "a1i", "(stage workers vs none)"),
               ("b2/b1", "b2", "b1", "(peer)"), ("a1/d", "a1", "d", "(vs extraction ceiling)"),
               ("e/d", "e", "d", "(Marsad stages vs bare extract)"), ("a1/e", "a1", "e", "(crawl vs own stages)")]
    for label, x, y, target in targets:
        if x in runs and y in runs:
            per_round = [a.rate / b.rate for a, b in zip(rounds.get(x, []), rounds.get(y, []))]
            each = f" (rounds: {', '.join(f'{r:.2f}' for r in per_round)})" if len(per_round) > 1 else ""
            lines.append(f"ratio {label:<6} {runs[x].rate / runs[y].rate:5.2f}   target {target}{each}")
    if "a1" in runs and "c" in runs and runs["a1"].cpu:  # what a1/c would be with as many CPUs as c uses
        lines.append(f"a1/c per CPU-second {runs['c'].cpu_ms_per_page / runs['a1'].cpu_ms_per_page:5.2f}"
                     f"   (c's CPU ms per page / a1's)")
    if "a1" in runs and (g := growth(runs["a1"], len(corpus.pages))):
        first = next((mb for _, mb, n in runs["a1"].rss_series if n > 0), g[0])
        lines.append(f"a1 RSS (process tree) at the first pages {first:.0f} MB, at 10% {g[0]:.0f} MB,"
                     f" at the end {g[1]:.0f} MB; growth from 10% {g[2]:.0f} MB   target <= 150")
    return "\n".join(lines)


RUNS = ("a1", "a1i", "a2", "b1", "b2", "c", "d", "e")


def one_run(name: str, corpus: Corpus, workdir: Path, profile: Path | None) -> Run:
    """One run of the list (see the module docstring), in its own files under `workdir`."""
    everything = [o.id for o in corpus.outlets]
    if name in ("a1", "a1i"):
        return run_marsad(corpus, workdir, [everything], name, profile, "auto" if name == "a1" else "0")
    if name == "a2":
        return run_marsad(corpus, workdir, halves(corpus), name, profile, str(workers_per_job(2)))
    if name in ("b1", "b2"):
        return run_peer(corpus, workdir, [everything] if name == "b1" else halves(corpus), name)
    if name == "c":
        return run_trafilatura_cli(corpus, workdir)
    if name in ("d", "e"):
        return run_loop(corpus, "trafilatura" if name == "d" else "marsad", profile if name == "e" else None)
    raise ValueError(f"unknown run {name}")


def best_of(results: list[Run]) -> Run:
    """The fastest of a run's rounds (the one least slowed by other jobs on the machine), noting
    every round's rate."""
    fastest = max(results, key=lambda run: run.rate)
    if len(results) > 1:
        rates = ", ".join(f"{run.rate:.1f}" for run in results)
        fastest.note = f"best of {len(results)} rounds ({rates}){'; ' + fastest.note if fastest.note else ''}"
    return fastest


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.throughput")
    parser.add_argument("--pages", type=int, default=5000)
    parser.add_argument("--outlets", type=int, default=10)
    parser.add_argument("--runs", default="a1,a1i,b1,c,d,e,a2,b2")
    parser.add_argument("--server", choices=("nginx", "aiohttp"), default="nginx")
    parser.add_argument("--rounds", type=int, default=1,
                        help="run the whole list this many times, interleaved; report each run's best")
    parser.add_argument("--light", action="store_true",
                        help="pages without site furniture (~10 KB instead of ~60 KB, see bench/corpus.py)")
    parser.add_argument("--series", type=Path, help="write the RSS series of every run here (JSON)")
    parser.add_argument("--profile", type=Path, help="profile a1/a2/e with pyinstrument, reports in this folder")
    parser.add_argument("--_loop", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args._loop:
        _loop(args._loop[0], Path(args._loop[1]))
        return
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    if unknown := set(args.runs.split(",")) - set(RUNS):
        parser.error(f"unknown runs {sorted(unknown)}; known: {', '.join(RUNS)}")
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="marsad-bench-") as tmp:
        workdir = Path(tmp)
        os.chmod(workdir, 0o755)  # nginx workers read the corpus
        addresses = [f"127.0.0.{2 + k}" for k in range(args.outlets)]
        port = free_port(addresses)
        corpus = generate(workdir / "corpus", pages=args.pages, outlets=args.outlets, port=port, light=args.light)
        roots = {o.id: corpus.root / o.id for o in corpus.outlets}
        measured: dict[str, list[Run]] = {}
        with serve(roots, {o.id: o.host for o in corpus.outlets}, prefer=args.server) as server:
            for round_ in range(1, args.rounds + 1):
                round_dir = workdir / f"round-{round_}"
                round_dir.mkdir()
                profile = args.profile / f"round-{round_}" if args.profile and args.rounds > 1 else args.profile
                if profile:
                    profile.mkdir(parents=True, exist_ok=True)
                for name in args.runs.split(","):
                    print(f"running {name} (round {round_}) ...", file=sys.stderr, flush=True)
                    run = one_run(name, corpus, round_dir, profile)
                    measured.setdefault(name, []).append(run)
                    print(f"  {name}: {run.rate:.1f} pages/s", file=sys.stderr, flush=True)
        runs = {name: best_of(results) for name, results in measured.items()}
        print(report(runs, server, corpus, measured))
        if args.series:
            args.series.write_text(json.dumps({k: v.rss_series for k, v in runs.items()}), encoding="utf-8")


if __name__ == "__main__":
    main()

"""The one place that reads the environment. Everything else gets a `Config`."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = PROJECT_ROOT / "data"
DEFAULT_DB = DATA_DIR / "marsad.db"
DEMO_DB = DATA_DIR / "demo.db"
DEFAULT_SOURCES = DATA_DIR / "sources.toml"
SAMPLE_SOURCES = DATA_DIR / "sample-sources.toml"
SAMPLE_OUTLETS = DATA_DIR / "sample_outlets"
GAZETTEER = DATA_DIR / "gazetteer.toml"
LSH_SCHEME = DATA_DIR / "lsh-scheme.json"  # `pipelines.neardup.write_lsh_scheme` writes it
PROJECT_URL = "https://github.com/marsad-observatory/marsad"
RELEVANCE_THRESHOLD = 0.5  # `pipelines.classify`: relevance score from which an article is relevant


@dataclass(frozen=True)
class ExtractSettings:
    """Extraction knobs (`pipelines.extract.extract_article`); part of the re-extraction
    fingerprint. Here, not in `pipelines.extract`, so that the crawl process builds them without
    importing trafilatura (only its stage workers run extraction)."""

    max_bytes: int = 5_000_000
    max_elements: int = 60_000
    min_words: int = 50
    favor_precision: bool = True
    fast: bool = False
    include_tables: bool = True


@dataclass(frozen=True)
class Config:
    """Run-time settings. Field defaults are the documented defaults of DESIGN.md."""

    db: Path = DEFAULT_DB
    sources: Path = DEFAULT_SOURCES
    # "*" allows every private/loopback host; otherwise exact "host" or "host:port" entries.
    allow_private_hosts: frozenset[str] = field(default_factory=frozenset)
    contact: str = PROJECT_URL
    # processes running a crawl's CPU stages: a number (0: in the crawl process) or "auto"
    workers: str = "auto"
    # their malloc (`pipelines.stage_server.allocator_library`): "mimalloc" or "system"
    worker_allocator: str = "mimalloc"

    @property
    def user_agent(self) -> str:
        return f"Marsad/0.1 (+{self.contact})"


def parse_allowed_hosts(value: str | None) -> frozenset[str]:
    """`MARSAD_ALLOW_PRIVATE_HOSTS`: "1" means all ("*"); else a comma list of host[:port]."""
    value = (value or "").strip()
    if not value or value == "0":
        return frozenset()
    if value == "1":
        return frozenset({"*"})
    return frozenset(part.strip().lower() for part in value.split(",") if part.strip())


def load_config(environ: Mapping[str, str] | None = None) -> Config:
    """Build the configuration from the environment (os.environ by default)."""
    env = os.environ if environ is None else environ
    return Config(
        db=Path(env.get("MARSAD_DB") or DEFAULT_DB),
        sources=Path(env.get("MARSAD_SOURCES") or DEFAULT_SOURCES),
        allow_private_hosts=parse_allowed_hosts(env.get("MARSAD_ALLOW_PRIVATE_HOSTS")),
        contact=env.get("MARSAD_CONTACT") or PROJECT_URL,
        workers=env.get("MARSAD_WORKERS") or "auto",
        worker_allocator=env.get("MARSAD_WORKER_ALLOCATOR") or "mimalloc",
    )


def usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def workers_per_job(jobs: int, cpus: int | None = None) -> int:
    """Stage workers for each of `jobs` crawl processes sharing the CPUs: their share, or none
    when a process would get fewer than two (it then runs its stages itself, on its own CPU)."""
    share = (cpus or usable_cpus()) // max(1, jobs)
    return share if share >= 2 else 0


def worker_count(setting: str | int | None) -> int:
    """`MARSAD_WORKERS`: a number of processes (0: the stages run inline), or "auto" (default):
    one per usable CPU, or inline on a single CPU."""
    if setting in (None, "", "auto"):
        return workers_per_job(1)
    count = int(setting)
    if count < 0:
        raise ValueError(f"MARSAD_WORKERS must be >= 0 or 'auto', not {setting!r}")
    return count

"""The source registry: a TOML file of outlets, validated into `Source` objects."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

ID_RE = re.compile(r"^[a-z0-9_-]+$")
SCHEDULE_RE = re.compile(r"^(interval:\d+[smhd]|cron:(\S+\s+){4}\S+)$")
URL_LISTS = ("feeds", "sitemaps", "listings")
KNOWN_KEYS = {
    "id", "name", "name_en", "base_url", "language", "feeds", "sitemaps", "listings",
    "listing_depth", "article_patterns", "schedule", "verified", "overrides", "aliases",
    "crawl_delay", "sitemap_window_days", "notes",
}


class RegistryError(Exception):
    """The sources file is missing or invalid; `problems` lists every error found."""

    def __init__(self, path: Path | str, problems: list[str]):
        self.problems = problems
        super().__init__(f"{path}: " + "; ".join(problems))


@dataclass(frozen=True)
class Source:
    id: str
    name: str
    base_url: str
    name_en: str = ""
    language: str = "ar"
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    listings: tuple[str, ...] = ()
    listing_depth: int = 2
    article_patterns: tuple[re.Pattern[str], ...] = ()
    schedule: str = "interval:6h"
    verified: bool = False
    overrides: Mapping[str, str] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()
    crawl_delay: float | None = None
    sitemap_window_days: int | None = None

    def is_article_path(self, url: str) -> bool:
        """Does the URL's path (with query) match one of the article patterns?"""
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        return any(p.search(parts.path) or p.search(path) for p in self.article_patterns)

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).hostname or ""


def _check_url(url: object, where: str, problems: list[str]) -> None:
    if not isinstance(url, str):
        problems.append(f"{where}: not a string")
        return
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        problems.append(f"{where}: {url!r} is not an http(s) URL with a host")


def parse_sources(data: Mapping, path: Path | str = "<sources>") -> list[Source]:
    """Validate parsed TOML and build the sources; raise RegistryError listing every problem."""
    problems: list[str] = []
    entries = data.get("source")
    if not isinstance(entries, list) or not entries:
        raise RegistryError(path, ["no [[source]] tables"])
    sources, seen = [], set()
    for index, entry in enumerate(entries, 1):
        where = f"source #{index} ({entry.get('id', '?')})"
        before = len(problems)
        unknown = set(entry) - KNOWN_KEYS
        if unknown:
            problems.append(f"{where}: unknown keys {sorted(unknown)}")
        sid = entry.get("id")
        if not isinstance(sid, str) or not ID_RE.match(sid):
            problems.append(f"{where}: id must match [a-z0-9_-]+")
        elif sid in seen:
            problems.append(f"{where}: duplicate id {sid!r}")
        seen.add(sid)
        if not isinstance(entry.get("name"), str) or not entry.get("name"):
            problems.append(f"{where}: name is required")
        _check_url(entry.get("base_url"), f"{where}.base_url", problems)
        base = entry.get("base_url") if isinstance(entry.get("base_url"), str) else ""
        urls = {}
        for key in URL_LISTS:
            value = entry.get(key, [])
            if not isinstance(value, list):
                problems.append(f"{where}.{key}: must be a list")
                value = []
            urls[key] = tuple(urljoin(base, u) if isinstance(u, str) else u for u in value)
            for i, url in enumerate(urls[key]):
                _check_url(url, f"{where}.{key}[{i}]", problems)
        if not any(urls.values()):
            problems.append(f"{where}: needs at least one of feeds, sitemaps, listings")
        patterns = []
        for raw in entry.get("article_patterns", []):
            try:
                patterns.append(re.compile(raw))
            except (re.error, TypeError) as exc:
                problems.append(f"{where}.article_patterns: {raw!r} does not compile ({exc})")
        schedule = entry.get("schedule", "interval:6h")
        if not isinstance(schedule, str) or not SCHEDULE_RE.match(schedule):
            problems.append(f"{where}.schedule: {schedule!r} is not 'interval:N[smhd]' or 'cron:<5 fields>'")
        depth = entry.get("listing_depth", 2)
        if not isinstance(depth, int) or not 1 <= depth <= 50:
            problems.append(f"{where}.listing_depth: must be an integer 1..50")
        if len(problems) > before:
            continue
        sources.append(
            Source(
                id=sid, name=entry["name"], base_url=base, name_en=entry.get("name_en", ""),
                language=entry.get("language", "ar"), listing_depth=depth,
                article_patterns=tuple(patterns), schedule=schedule,
                verified=bool(entry.get("verified", False)),
                overrides=dict(entry.get("overrides", {})), aliases=tuple(entry.get("aliases", [])),
                crawl_delay=entry.get("crawl_delay"),
                sitemap_window_days=entry.get("sitemap_window_days"),
                **urls,
            )
        )
    if problems:
        raise RegistryError(path, problems)
    return sources


def load_sources(path: Path | str, substitutions: Mapping[str, str] | None = None) -> list[Source]:
    """Read and validate a sources file; `substitutions` replace `{{key}}` tokens first (demo)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RegistryError(path, [f"cannot read: {exc.strerror or exc}"]) from exc
    for key, value in (substitutions or {}).items():
        text = text.replace("{{" + key + "}}", value)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(path, [f"not valid TOML: {exc}"]) from exc
    return parse_sources(data, path)


def select(sources: list[Source], ids: tuple[str, ...] | list[str]) -> list[Source]:
    """The sources with the given ids (all when `ids` is empty); unknown ids are an error."""
    if not ids:
        return sources
    by_id = {s.id: s for s in sources}
    missing = [i for i in ids if i not in by_id]
    if missing:
        raise RegistryError("--source", [f"unknown source id {m!r}" for m in missing])
    return [by_id[i] for i in ids]


def outlet_aliases(sources: list[Source]) -> dict[str, str]:
    """Outlet names and aliases → registry id (for resolving reprint credits)."""
    names: dict[str, str] = {}
    for source in sources:
        for name in (source.name, source.name_en, *source.aliases):
            if name:
                names[name] = source.id
    return names

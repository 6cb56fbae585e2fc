"""Per-source crawl health from the `crawl_runs` counters and the stored articles (read side).

A source is `unhealthy` when its last run could fetch nothing, answered mostly errors, served
bot challenges, mostly failed extraction, looks redesigned (extracted text, dates or authors
suddenly dropped), or has not succeeded for three schedule intervals; `warn` for softer signs.
`assess` is pure; `health_report` reads the database (read-only is enough).
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlite_utils import Database

OK, WARN, UNHEALTHY, UNKNOWN = "ok", "warn", "unhealthy", "unknown"
# Failure reasons that are a site's fault (a blocked or broken server), not a page's.
_ERROR_PREFIXES = ("failed/", "discovery_failed/")
_ERROR_REJECTIONS = ("rejected/not_found", "rejected/gone", "rejected/gave_up:")


@dataclass(frozen=True)
class Thresholds:
    http_error_rate: float = 0.5  # unhealthy at or above (warn at half of it)
    extraction_failure_rate: float = 0.8  # dropped / article pages fetched
    min_article_pages: int = 5  # below this, extraction failure rate is not judged
    zero_new_runs: int = 5  # warn after this many runs in a row storing nothing new
    overdue_intervals: float = 3.0  # unhealthy when no success for this many schedule intervals
    recent_articles: int = 10  # newest articles compared with the ones before them
    min_baseline: int = 10  # articles needed before them to judge a drop
    text_drop: float = 0.5  # recent median words < this × baseline median → redesign
    rate_drop: float = 0.5  # share with a date (or author) falls by this much (absolute) → redesign


@dataclass
class RunCounts:
    """One run's counters for one source."""
    run_id: int
    started_at: str
    status: str
    counts: Mapping[str, int]

    def total(self, *prefixes: str) -> int:
        return sum(v for k, v in self.counts.items() if k.startswith(prefixes))

    @property
    def ok_requests(self) -> int:
        return self.counts.get("pages_fetched", 0) + self.counts.get("not_modified", 0)

    @property
    def errors(self) -> int:
        return self.total(*_ERROR_PREFIXES, *_ERROR_REJECTIONS)

    @property
    def challenges(self) -> int:
        return sum(v for k, v in self.counts.items() if "challenge" in k or "captcha" in k)

    @property
    def succeeded(self) -> bool:
        return self.status == "finished" and self.ok_requests > 0 and not self.challenges


@dataclass(frozen=True)
class ArticleTrend:
    """Newest articles of a source against the ones before them."""
    recent: int
    baseline: int
    recent_words: float | None
    baseline_words: float | None
    recent_dated: float | None
    baseline_dated: float | None
    recent_authored: float | None
    baseline_authored: float | None


@dataclass
class SourceHealth:
    source_id: str
    status: str = UNKNOWN
    last_success: str | None = None
    last_status: str | None = None
    zero_new_streak: int = 0
    http_error_rate: float | None = None
    extraction_failure_rate: float | None = None
    challenges: int = 0
    trend: ArticleTrend | None = None
    problems: list[str] = field(default_factory=list)


def rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def article_trend(rows: Sequence[tuple[int | None, bool, bool]], recent: int = 10) -> ArticleTrend:
    """`rows` newest first: (word count, has a date, has an author) per article."""
    def summary(part):
        if not part:
            return None, None, None
        words = [w for w, _, _ in part if w is not None]
        return (statistics.median(words) if words else None,
                sum(1 for _, d, _ in part if d) / len(part), sum(1 for _, _, a in part if a) / len(part))

    new, old = list(rows[:recent]), list(rows[recent:])
    (rw, rd, ra), (bw, bd, ba) = summary(new), summary(old)
    return ArticleTrend(len(new), len(old), rw, bw, rd, bd, ra, ba)


def assess(source_id: str, runs: Sequence[RunCounts], trend: ArticleTrend | None = None,
           interval: timedelta | None = None, now: datetime | None = None,
           limits: Thresholds = Thresholds()) -> SourceHealth:
    """Health of one source from its runs (newest first, `running` ones excluded) and trend."""
    health = SourceHealth(source_id, trend=trend)
    if not runs:
        health.problems.append("never crawled")
        return health
    now = now or datetime.now(timezone.utc)
    latest = runs[0]
    health.last_status = latest.status
    success = next((r for r in runs if r.succeeded), None)
    health.last_success = success.started_at if success else None
    for run in runs:
        if run.counts.get("stored", 0):
            break
        health.zero_new_streak += 1
    health.http_error_rate = rate(latest.errors, latest.errors + latest.ok_requests)
    fetched = latest.counts.get("articles_fetched", 0)
    health.extraction_failure_rate = rate(latest.total("dropped/"), fetched)
    health.challenges = latest.challenges
    bad, soft = [], []
    if latest.ok_requests == 0 and latest.errors:
        bad.append(f"nothing fetched, {latest.errors} errors")
    elif health.http_error_rate is not None and health.http_error_rate >= limits.http_error_rate:
        bad.append(f"HTTP errors {health.http_error_rate:.0%}")
    elif health.http_error_rate and health.http_error_rate >= limits.http_error_rate / 2:
        soft.append(f"HTTP errors {health.http_error_rate:.0%}")
    if health.challenges:
        bad.append(f"{health.challenges} bot-challenge pages")
    if (fetched >= limits.min_article_pages and health.extraction_failure_rate is not None
            and health.extraction_failure_rate >= limits.extraction_failure_rate):
        bad.append(f"extraction failed on {health.extraction_failure_rate:.0%} of article pages")
    if success is None:
        bad.append(f"no successful run in the last {len(runs)}")
    elif interval is not None:
        since = now - datetime.fromisoformat(success.started_at)
        if since > interval * limits.overdue_intervals:
            bad.append(f"last success {_ago(since)} ago (schedule every {_ago(interval)})")
    bad += redesign_signs(trend, limits)
    if health.zero_new_streak >= limits.zero_new_runs:
        soft.append(f"{health.zero_new_streak} runs in a row with no new article")
    if latest.status != "finished":
        soft.append(f"last run {latest.status}")
    health.problems = bad + soft
    health.status = UNHEALTHY if bad else WARN if soft else OK
    return health


def redesign_signs(trend: ArticleTrend | None, limits: Thresholds = Thresholds()) -> list[str]:
    """Sudden drops in extracted text length, found dates or found authors (a site redesign)."""
    if trend is None or trend.baseline < limits.min_baseline or trend.recent < max(3, limits.recent_articles // 2):
        return []
    signs = []
    if trend.recent_words is not None and trend.baseline_words:
        if trend.recent_words < limits.text_drop * trend.baseline_words:
            signs.append(f"text length fell to {trend.recent_words:.0f} words (was {trend.baseline_words:.0f})")
    for label, recent, base in (("dates", trend.recent_dated, trend.baseline_dated),
                                ("authors", trend.recent_authored, trend.baseline_authored)):
        if recent is not None and base is not None and base - recent >= limits.rate_drop:
            signs.append(f"{label} found on {recent:.0%} of new articles (was {base:.0%})")
    return signs


def _ago(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f}{unit}"
    return f"{seconds}s"


# --- database reads -------------------------------------------------------------------------

def runs_by_source(db: Database, limit: int = 30) -> dict[str, list[RunCounts]]:
    """Per source, its latest ended runs (finished or incomplete), newest first."""
    result: dict[str, list[RunCounts]] = {}
    rows = db.execute("select id, started_at, status, sources, counts from crawl_runs"
                      " where status != 'running' order by id desc limit ?", [limit * 10])
    for run_id, started, status, sources, counts in rows:
        counts = json.loads(counts or "{}")
        for source in json.loads(sources or "[]"):
            runs = result.setdefault(source, [])
            if len(runs) < limit:
                runs.append(RunCounts(run_id, started, status, counts.get(source, {})))
    return result


def last_finished_by_source(db: Database) -> dict[str, datetime]:
    """Start time of each source's latest finished run."""
    rows = db.execute("select j.value, max(r.started_at) from crawl_runs r, json_each(r.sources) j"
                      " where r.status = 'finished' group by j.value")
    return {source: datetime.fromisoformat(started) for source, started in rows}


def article_rows(db: Database, source_id: str, limit: int) -> list[tuple[int | None, bool, bool]]:
    rows = db.execute("select word_count, published_at is not null, coalesce(author, '') != ''"
                      " from articles where source_id = ? order by id desc limit ?", [source_id, limit])
    return [(w, bool(d), bool(a)) for w, d, a in rows]


def health_report(db: Database, source_ids: Iterable[str], intervals: Mapping[str, timedelta] | None = None,
                  now: datetime | None = None, limits: Thresholds = Thresholds()) -> list[SourceHealth]:
    """Health of each source (registry order); sources never crawled are `unknown`."""
    runs = runs_by_source(db)
    report = []
    for source_id in source_ids:
        rows = article_rows(db, source_id, limits.recent_articles + 50)
        trend = article_trend(rows, limits.recent_articles) if rows else None
        report.append(assess(source_id, runs.get(source_id, []), trend,
                             (intervals or {}).get(source_id), now, limits))
    return report


def format_report(report: Sequence[SourceHealth]) -> str:
    """A plain-text table, one line per source, problems last."""
    def pct(value: float | None) -> str:
        return "-" if value is None else f"{value:.0%}"

    header = f"{'source':<16}{'status':<11}{'last success':<22}{'zero-new':>9}{'http err':>9}" \
             f"{'extract fail':>13}{'challenges':>11}  problems"
    lines = [header]
    for h in report:
        lines.append(f"{h.source_id:<16}{h.status:<11}{(h.last_success or 'never'):<22}{h.zero_new_streak:>9}"
                     f"{pct(h.http_error_rate):>9}{pct(h.extraction_failure_rate):>13}{h.challenges:>11}"
                     f"  {'; '.join(h.problems) or '-'}")
    return "\n".join(lines)


def as_dict(health: SourceHealth) -> dict[str, Any]:
    from dataclasses import asdict

    return asdict(health)

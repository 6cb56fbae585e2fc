"""Marsad command line: crawl, inspect and query the observatory database."""

from __future__ import annotations

import json
import sys
import tempfile
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path

import click

from crawler.sources import RegistryError, load_sources, select
from pipelines.config import DEMO_DB, SAMPLE_OUTLETS, SAMPLE_SOURCES, load_config
from pipelines.rejections import Rejected
from pipelines.store import StoreError, last_run, open_db, recorded_runs

# Faults that end a command with a one-line message (exit 1) instead of a traceback.
EXPECTED_ERRORS = (RegistryError, StoreError, Rejected, OSError, ValueError)


class MarsadGroup(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except EXPECTED_ERRORS as exc:
            raise click.ClickException(" ".join(str(exc).split())) from exc


def db_option(func):
    return click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path),
                        help="The database (default: MARSAD_DB or data/marsad.db).")(func)


def sources_option(func):
    return click.option("--sources", "sources_path", type=click.Path(dir_okay=False, path_type=Path),
                        help="The sources file (default: MARSAD_SOURCES or data/sources.toml).")(func)


@click.group(cls=MarsadGroup)
@click.version_option(package_name="marsad")
def cli():
    """Marsad (مرصد): Arabic opinion writing about Central Asia, collected into SQLite.

    Example: marsad demo
    """


SUMMARY_COLUMNS = (("pages_fetched", "pages"), ("articles_fetched", "article pages"),
                   ("stored", "new articles"), ("relevant_opinion", "relevant op-eds"),
                   ("duplicates", "copies"), ("skipped/known", "known, not fetched"))


def print_summary(db_path: Path, after_run: int = 0) -> None:
    """Per-source table of the crawl runs recorded after run `after_run`, then the total."""
    db = open_db(db_path, readonly=True)
    runs = recorded_runs(db, after_run)
    total = db.execute("select count(*) from articles").fetchone()[0]
    db.close()
    if not runs:
        click.echo("no crawl recorded")
        return
    widths = [max(len(label), 6) for _, label in SUMMARY_COLUMNS]
    for run in runs:
        click.echo(f"crawl run {run['id']}: {run['status']} ({run['finish_reason']})")
    click.echo("source".ljust(14) + "  ".join(label.rjust(w) for (_, label), w in zip(SUMMARY_COLUMNS, widths)) + "  drops")
    new_total = 0
    for run in runs:
        for source in run["sources"]:
            counts = run["counts"].get(source, {})
            new_total += counts.get("stored", 0)
            drops = {k.split("/", 1)[1]: v for k, v in counts.items()
                     if k.startswith(("dropped/", "rejected/", "failed/"))}
            cells = "  ".join(str(counts.get(key, 0)).rjust(w) for (key, _), w in zip(SUMMARY_COLUMNS, widths))
            drop_text = ", ".join(f"{k}={v}" for k, v in sorted(drops.items())) or "-"
            click.echo(f"{source:<14}{cells}  {drop_text}")
    if new_total == 0:
        click.echo("nothing new found")
    click.echo(f"articles in database: {total}")


def last_run_id(db_path: Path) -> int:
    """Id of the newest crawl run (0 when none), to summarise only what comes after it."""
    db = open_db(db_path)
    try:
        run = last_run(db)
        return run["id"] if run else 0
    finally:
        db.close()


@cli.command()
@db_option
@click.option("--port", type=click.IntRange(1, 65535), default=None,
              help="Port of the sample outlets (default 8473; the same port keeps their URLs stable).")
def demo(db_path: Path | None, port: int | None):
    """Serve the bundled sample outlets on 127.0.0.1, crawl them, print a summary.

    Stores into data/demo.db (never the real database) unless --db is given. A second run
    finds nothing new and adds no rows.

    Example: marsad demo --db /tmp/demo.db
    """
    from crawler.demo_server import DEMO_PORT, outlet_ids, serve_outlets
    from pipelines.lock import LockBusy
    from scheduler import DEFAULT_TIMEOUT, crawl_once

    db_path = db_path or DEMO_DB
    before = last_run_id(db_path)  # also fails early, with a clear message, on an unusable path
    with serve_outlets(SAMPLE_OUTLETS, outlet_ids(SAMPLE_OUTLETS), port=port or DEMO_PORT) as hosts, \
            tempfile.TemporaryDirectory() as tmp:
        moved = sorted({h.rsplit(":", 1)[1] for h in hosts.values()} - {str(port or DEMO_PORT)})
        if moved:
            click.echo(f"note: port {port or DEMO_PORT} is busy, serving on {', '.join(moved)}: the sample "
                       "URLs differ from earlier demo runs", err=True)
        text = SAMPLE_SOURCES.read_text(encoding="utf-8")
        for outlet, host in hosts.items():
            text = text.replace("{{" + outlet + "}}", host)
        sources_file = Path(tmp) / "sample-sources.toml"
        sources_file.write_text(text, encoding="utf-8")
        try:
            outcome = crawl_once(sources_file, db_path, settings=LOCAL_PROFILE, timeout=DEFAULT_TIMEOUT)
        except LockBusy as exc:
            raise click.ClickException(str(exc)) from exc
    print_summary(db_path, before)
    if outcome.code != 0:
        raise click.ClickException(f"the crawl ended abnormally (exit {outcome.code})")


# Crawl settings for servers on this machine: private hosts allowed, no politeness delays.
LOCAL_PROFILE = {"MARSAD_ALLOW_PRIVATE_HOSTS": "*", "AUTOTHROTTLE_ENABLED": "False",
                 "DOWNLOAD_DELAY": "0", "LOG_LEVEL": "WARNING"}


@cli.command()
@db_option
@sources_option
@click.option("--source", "source_ids", multiple=True, help="Only this source id (repeatable).")
@click.option("--refetch", is_flag=True, help="Fetch again pages recorded as permanent non-articles.")
@click.option("--wait", "lock_wait", type=float, default=0.0, show_default=True,
              help="Seconds to wait when another crawl of this database is running (0: exit at once).")
@click.option("--timeout", type=float, default=None, help="Hard limit in seconds (SIGTERM, then SIGKILL).")
@click.option("--jobs", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Crawl processes run at once, each over its own share of the sources.")
def crawl(db_path, sources_path, source_ids, refetch, lock_wait, timeout, jobs):
    """One crawl of the configured sources now (one crawl per database at a time).

    Another crawl of the same database (the scheduler's, or an earlier cron line still running)
    holds a lock beside it: this one waits up to --wait seconds, else exits 1 saying so.
    Watchlists are announced after the crawl.

    Extraction and classification run in MARSAD_WORKERS processes (default: one per CPU). With
    --jobs N, N crawl processes run at once over disjoint shares of the sources, sharing the
    CPUs (with many sources, one job per CPU is fastest: 1.3-1.4x one job on 2 CPUs).

    Example: marsad crawl --source alquds --source aljazeera --wait 600
    """
    from pipelines.lock import LockBusy
    from scheduler import DEFAULT_TIMEOUT, crawl_once, dispatch_watches

    config = load_config()
    sources_path = sources_path or config.sources
    db_path = db_path or config.db
    select(load_sources(sources_path), source_ids)  # validate before starting
    before = last_run_id(db_path)
    try:
        outcome = crawl_once(sources_path, db_path, source_ids, refetch=refetch, lock_wait=lock_wait,
                             timeout=timeout or DEFAULT_TIMEOUT, jobs=jobs)
    except LockBusy as exc:
        raise click.ClickException(str(exc)) from exc
    print_summary(db_path, before)
    for name, count in dispatch_watches(db_path).items():
        if count:
            click.echo(f"watch {name}: {count} new article(s)")
    if outcome.timed_out:
        raise click.ClickException(f"the crawl was stopped after the {timeout or DEFAULT_TIMEOUT:.0f} s limit")
    if outcome.code != 0:
        raise click.ClickException(f"the crawl ended abnormally (exit {outcome.code})")


@cli.group()
def sources():
    """The source registry.

    Example: marsad sources check
    """


@sources.command("list")
@sources_option
def sources_list(sources_path):
    """List the configured sources.

    Example: marsad sources list --sources data/sample-sources.toml
    """
    for source in load_sources(sources_path or load_config().sources):
        counts = f"feeds={len(source.feeds)} sitemaps={len(source.sitemaps)} listings={len(source.listings)}"
        click.echo(f"{source.id:<20} {source.name} ({source.name_en})  {counts}  schedule={source.schedule}"
                   f"  verified={'yes' if source.verified else 'no'}")


@sources.command("check")
@sources_option
@click.option("--live", is_flag=True, help="Also fetch every feed, sitemap and listing URL (needs a network).")
def sources_check(sources_path, live):
    """Validate the sources file offline (schema, unique ids, patterns, URLs); non-zero on errors.

    With --live, every configured URL is fetched once (private addresses refused, as in crawls)
    and each answer is listed; any failure makes the exit code non-zero.

    Example: marsad sources check --sources data/sources.toml --live
    """
    config = load_config()
    loaded = load_sources(sources_path or config.sources)
    click.echo(f"ok: {len(loaded)} sources")
    if not live:
        return
    from crawler.probe import probe

    failures = 0
    for source in loaded:
        for kind in ("feeds", "sitemaps", "listings"):
            for url in getattr(source, kind):
                result = probe(url, config.allow_private_hosts, config.user_agent)
                failures += not result.ok
                mark = "ok  " if result.ok else "FAIL"
                click.echo(f"{mark} {source.id:<18} {kind[:-1]:<8} {result.status or '-'}  {url}  ({result.detail})")
    if failures:
        raise click.ClickException(f"{failures} URL(s) failed the live check")


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--url", default=None, help="The page's URL (default: file:// URL of FILE).")
@click.option("--source", "source_id", default=None, help="Apply this source's overrides.")
@click.option("--sources", "sources_path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--fetched-at", default=None, help="ISO time the page was fetched (relative dates).")
def extract(file, url, source_id, sources_path, fetched_at):
    """One saved page through extraction and classification; prints one JSON object.

    Example: marsad extract page.html --url https://example.com/a.html --fetched-at 2026-11-29T10:00:00+03:00
    """
    from pipelines.archive import ArchivedPage, ReextractOptions, process_page

    when = datetime.fromisoformat(fetched_at) if fetched_at else datetime.now(timezone.utc)
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    url = url or file.resolve().as_uri()
    options = ReextractOptions()
    if source_id or sources_path:
        from crawler.sources import outlet_aliases

        registry = load_sources(sources_path or load_config().sources)
        overrides = {source_id: dict(select(registry, (source_id,))[0].overrides)} if source_id else {}
        options = ReextractOptions(overrides=overrides, aliases=outlet_aliases(registry))
    page = ArchivedPage(url=url, source_id=source_id or "", body=file.read_bytes(), fetched_at=when.isoformat())
    record = process_page(page, options)
    for key in ("source_id", "requested_url"):
        record.pop(key, None)
    click.echo(json.dumps(record, ensure_ascii=False, indent=2))


@cli.command("classify")
@click.argument("file", type=click.File("r", encoding="utf-8"), default="-")
@click.option("--title", default="", help="The article's title.")
@click.option("--url", default="", help="The article's URL (a genre signal).")
@sources_option
def classify_command(file, title, url, sources_path):
    """Plain text through classification; prints one JSON object (`syndicated_from`: the
    credited outlet's registry id, resolved through the sources file).

    Example: marsad classify ../shared/seed/op-ed-kazakhstan.txt
    """
    from crawler.sources import outlet_aliases
    from pipelines.bylines import split_signature
    from pipelines.classify import classify
    from pipelines.credits import find_reprint_credit, resolve_outlet

    paragraphs = [line.strip() for line in file.read().splitlines() if line.strip()]
    if not paragraphs:
        raise click.ClickException("no text to classify")
    credit = find_reprint_credit(paragraphs)
    body, bio = split_signature(paragraphs)
    result = classify("\n".join(body), title=title, url=url, author_bio=bio)
    record = {**asdict(result), "author_bio": bio, "reprint_credit": credit.name if credit else None}
    record["syndicated_from"] = resolve_outlet(credit.name, outlet_aliases(
        load_sources(sources_path or load_config().sources))) if credit else None
    click.echo(json.dumps(record, ensure_ascii=False, indent=2))


def read_filter_options(func):
    """The filters of DESIGN.md, shared by search, export, stats and plot."""
    options = [
        click.option("--country", "countries", multiple=True, metavar="CODE",
                     help="Only articles about this country: KZ UZ KG TJ TM (repeatable: any of them)."),
        click.option("--source", "sources", multiple=True, metavar="ID", help="Only this outlet (repeatable)."),
        click.option("--since", default=None, metavar="DATE", help="Published (else first seen) on or after YYYY-MM-DD."),
        click.option("--until", default=None, metavar="DATE", help="Published (else first seen) on or before YYYY-MM-DD."),
        click.option("--genre", type=click.Choice(["opinion", "news", "other"]), default=None, help="Only this genre."),
        click.option("--lang", default=None, metavar="CODE", help="Only this language (default: ar unless --all)."),
        click.option("--all", "include_all", is_flag=True, help="Include non-relevant and non-Arabic rows."),
        click.option("--all-copies", is_flag=True, help="Every copy, not one row per syndication cluster."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _filters(values: dict):
    from pipelines.read import make_filters

    return make_filters(**values)


def open_reader(db_path: Path | None):
    """The database read-only; migrated first (once) when it predates the read side's tables."""
    path = db_path or load_config().db
    db = open_db(path, readonly=True)
    names = set(db.table_names())
    if {"articles_fts", "labels"} <= names:
        return db
    db.close()
    open_db(path).close()  # apply pending migrations (needs write access once)
    return open_db(path, readonly=True)


@cli.command()
@db_option
@read_filter_options
@click.option("--json", "as_json", is_flag=True, help="One JSON object instead of the listing.")
def stats(db_path, as_json, **filter_values):
    """Counts per outlet, country, genre, language and week (labels applied).

    Counts the rows the filters select (default: relevant Arabic articles, one per cluster);
    also the totals and the non-articles by reason.

    Example: marsad stats --db data/demo.db --country KZ --since 2026-01-01
    """
    from pipelines.read import stats as read_stats

    db = open_reader(db_path)
    try:
        result = read_stats(db, _filters(filter_values))
    finally:
        db.close()
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    click.echo(f"articles: {result['articles']} (clusters: {result['clusters']}, labelled: {result['labelled']})")
    click.echo(f"selected by the filters: {result['selected']}")
    for key, label in (("per_outlet", "per outlet"), ("per_country", "per country"), ("per_genre", "per genre"),
                       ("per_language", "per language"), ("per_week", "per week (Monday)"),
                       ("non_articles", "non-articles by reason")):
        click.echo(f"{label}:")
        for name, count in result[key].items():
            click.echo(f"  {name}: {count}")


@cli.group()
def schedule():
    """The scheduler: one crawl job per source, on the registry's schedule.

    Example: marsad schedule list
    """


def _parse_settings(items: tuple[str, ...]) -> dict[str, str]:
    pairs = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise click.ClickException(f"--set {item!r}: use KEY=VALUE")
        pairs[key] = value
    return pairs


@schedule.command("run")
@db_option
@sources_option
@click.option("--timeout", type=float, default=4 * 3600.0, show_default=True, help="Hard limit of one crawl, seconds.")
@click.option("--grace", type=float, default=30.0, show_default=True, help="Seconds between SIGTERM and SIGKILL.")
@click.option("--jitter", type=int, default=60, show_default=True,
              help="Random delay added to each run, seconds (at most a tenth of an interval).")
@click.option("--set", "settings", multiple=True, metavar="KEY=VALUE", help="A Scrapy setting for every crawl.")
def schedule_run(db_path, sources_path, timeout, grace, jitter, settings):
    """Run the scheduler in the foreground until SIGTERM or Ctrl-C.

    Sources overdue according to the crawl-runs table run first; one crawl runs at a time.
    Missed, failed and timed-out runs are logged and recorded (table schedule_events).

    Example: marsad schedule run --db data/marsad.db
    """
    import logging

    from scheduler import CrawlScheduler

    config = load_config()
    sources_path = sources_path or config.sources
    db_path = db_path or config.db
    registry = load_sources(sources_path)
    open_db(db_path).close()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    CrawlScheduler(registry, Path(sources_path), Path(db_path), timeout=timeout, grace=grace, jitter=jitter,
                   settings=_parse_settings(settings)).run()


@schedule.command("list")
@db_option
@sources_option
def schedule_list(db_path, sources_path):
    """Each job's schedule and next run (overdue sources run as soon as the scheduler starts).

    Example: marsad schedule list --sources data/sources.toml
    """
    from scheduler import CrawlScheduler

    config = load_config()
    sources_path = sources_path or config.sources
    db_path = db_path or config.db
    planner = CrawlScheduler(load_sources(sources_path), Path(sources_path), Path(db_path))
    click.echo(f"{'source':<20}{'schedule':<22}next run")
    for source_id, spec, when, overdue in planner.next_runs():
        note = "  (overdue: runs at start)" if overdue else ""
        click.echo(f"{source_id:<20}{spec:<22}{when.isoformat(timespec='seconds')}{note}")


@cli.command()
@db_option
@sources_option
@click.option("--source", "source_ids", multiple=True, help="Only this source id (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="One JSON array instead of the table.")
def health(db_path, sources_path, source_ids, as_json):
    """Per-source crawl health; exits 1 when a source is unhealthy (for cron mail or a monitor).

    Unhealthy: nothing fetched or mostly HTTP errors in the last run, bot-challenge pages,
    extraction failing on most pages, a sudden drop in text length, dates or authors (a
    redesign), or no success for three schedule intervals. Warn: runs with nothing new, an
    incomplete last run, some HTTP errors.

    Example: marsad health --db data/marsad.db
    """
    from pipelines.health import UNHEALTHY, as_dict, format_report, health_report
    from scheduler import schedule_interval

    config = load_config()
    registry = select(load_sources(sources_path or config.sources), source_ids)
    db = open_db(db_path or config.db, readonly=True)
    try:
        report = health_report(db, [s.id for s in registry], {s.id: schedule_interval(s.schedule) for s in registry})
    finally:
        db.close()
    if as_json:
        click.echo(json.dumps([as_dict(h) for h in report], ensure_ascii=False, indent=2))
    else:
        click.echo(format_report(report))
    bad = [h.source_id for h in report if h.status == UNHEALTHY]
    if bad:
        raise click.ClickException(f"{len(bad)} source(s) unhealthy: {', '.join(bad)}")


@cli.group()
def watch():
    """Watchlists: new matching articles go to a digest, an Atom feed and a webhook.

    Example: marsad watch add rogun --query "روغون" --country TJ
    """


@watch.command("add")
@click.argument("name")
@click.option("--query", required=True, help="Search query (same syntax as `marsad search`).")
@click.option("--country", "countries", multiple=True, help="Only articles about this country (repeatable).")
@click.option("--source", "source_ids", multiple=True, help="Only this source id (repeatable).")
@click.option("--webhook", default=None, help="POST new articles here as JSON (its token is never shown).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the digests and feed.atom (default: watch/NAME beside the database).")
@click.option("--backfill", is_flag=True, help="Also announce matching articles already stored.")
@db_option
def watch_add(name, query, countries, source_ids, webhook, out_dir, backfill, db_path):
    """Add a watch; from the next crawl on, its new matching articles are announced once each.

    Example: marsad watch add rogun --query "روغون" --country TJ --webhook https://hooks.example.org/T/SECRET
    """
    from crawler.middlewares import check_url
    from pipelines.gazetteer import COUNTRIES
    from pipelines.store import add_watch
    from pipelines.watch import match_expression, redact_url, validate_name

    config = load_config()
    db_path = Path(db_path or config.db)
    validate_name(name)
    match_expression(query)
    codes = sorted({c.strip().upper() for c in countries})
    if set(codes) - set(COUNTRIES):
        raise click.ClickException(f"unknown country in {codes}: use {', '.join(COUNTRIES)}")
    if webhook:
        try:
            check_url(webhook, config.allow_private_hosts)
        except Exception as exc:
            raise click.ClickException(f"webhook {redact_url(webhook)} refused: {exc}") from exc
    out_dir = (out_dir or db_path.resolve().parent / "watch" / name).resolve()
    db = open_db(db_path)
    try:
        add_watch(db, name, query, codes, source_ids, webhook, str(out_dir), backfill)
    finally:
        db.close()
    click.echo(f"watch {name} added: digests and feed in {out_dir}")


@watch.command("list")
@db_option
def watch_list(db_path):
    """The watches, with their filters, outputs and how many articles each has announced.

    Example: marsad watch list
    """
    from pipelines.store import list_watches, watch_hits
    from pipelines.watch import redact_url

    db = open_db(db_path or load_config().db)
    try:
        for w in list_watches(db):
            count = len(watch_hits(db, w["id"], limit=1_000_000))
            click.echo(f"{w['name']:<16} query={w['query']!r} countries={','.join(w['countries']) or '-'}"
                       f" sources={','.join(w['sources']) or '-'} webhook={redact_url(w['webhook'])}"
                       f" announced={count} out={w['out_dir']}")
    finally:
        db.close()


@watch.command("remove")
@click.argument("name")
@db_option
def watch_remove(name, db_path):
    """Remove a watch (its files stay).

    Example: marsad watch remove rogun
    """
    from pipelines.store import remove_watch

    db = open_db(db_path or load_config().db)
    try:
        if not remove_watch(db, name):
            raise click.ClickException(f"no watch named {name!r}")
    finally:
        db.close()
    click.echo(f"watch {name} removed")


@watch.command("run")
@db_option
def watch_run(db_path):
    """Announce now what the last crawls stored (crawls do this by themselves).

    Example: marsad watch run --db data/marsad.db
    """
    from scheduler import dispatch_watches

    for name, count in dispatch_watches(db_path or load_config().db).items():
        click.echo(f"watch {name}: {count} new article(s)")


@cli.command()
@click.argument("query")
@db_option
@read_filter_options
@click.option("--limit", type=click.IntRange(1, 10_000), default=20, show_default=True, help="Most results shown.")
@click.option("--json", "as_json", is_flag=True,
              help="One JSON array of objects (id, url, title, source_id, author, published_at, countries, genre, snippet, ...).")
def search(query, db_path, limit, as_json, **filter_values):
    """Full-text search, Arabic-normalised, best first (bm25), with highlighted snippets.

    QUERY: words (all required; each also finds its forms with و ف ب ل ك ال before it and
    endings after it), "exact phrase", OR, NOT word / -word, parentheses. A place or person of
    the gazetteer finds all its spellings (قرغيزستان finds قيرغيزستان).

    Example: marsad search 'كازاخستان (غاز OR نفط)' --country KZ --since 2026-01-01 --json
    """
    from pipelines.config import GAZETTEER
    from pipelines.fts import parse_query
    from pipelines.gazetteer import load_gazetteer
    from pipelines.read import search as read_search

    parsed = parse_query(query, load_gazetteer(str(GAZETTEER)))
    filters = _filters(filter_values)
    db = open_reader(db_path)
    try:
        rows = read_search(db, parsed, filters, limit=limit)
    finally:
        db.close()
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for entity, spellings in parsed.expanded.items():
        click.echo(f"({entity}: also {', '.join(spellings)})", err=True)
    for row in rows:
        copies = f"  [{len(row['outlets'])} outlets: {', '.join(row['outlets'])}]" if len(row["outlets"]) > 1 else ""
        click.echo(f"#{row['id']}  {row['published_at'] or '-'}  {row['source_id']}  {row['genre']}"
                   f"  {','.join(row['countries']) or '-'}{copies}")
        click.echo(f"  {row['title']}")
        click.echo(f"  {row['snippet']}")
        click.echo(f"  {row['url']}")
    click.echo(f"{len(rows)} result(s)" + (" (limit reached: --limit for more)" if len(rows) == limit else ""), err=True)


@cli.command()
@db_option
@read_filter_options
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="csv", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write here (default: standard output).")
def export(db_path, fmt, out, **filter_values):
    """Analysts' export: CSV that Excel opens correctly (UTF-8 BOM, every field quoted, formulas
    neutralised, texts over 32,767 characters cut and flagged), or JSONL with everything.

    Same filters as search; one row per syndication cluster unless --all-copies. Columns:
    id, url, title, outlet, author, published_at, first_seen_at, language, countries, genre,
    relevance, relevant, labelled, cluster_id, cluster_size, outlets, syndicated_from,
    word_count, text, text_truncated.

    Example: marsad export --format csv --country UZ --genre opinion --out uzbekistan.csv
    """
    from pipelines.export import write_csv, write_jsonl
    from pipelines.read import count_rows, iter_rows

    filters = _filters(filter_values)
    writer = write_csv if fmt == "csv" else write_jsonl
    db = open_reader(db_path)
    try:
        if out is None:
            count = writer(iter_rows(db, filters), sys.stdout)
        else:
            total = count_rows(db, filters)
            step = max(1000, total // 20)

            def progress(done: int) -> None:
                if done % step == 0:
                    click.echo(f"exported {done}/{total} rows", err=True)

            partial = out.with_name(out.name + ".partial")
            with open(partial, "w", encoding="utf-8", newline="") as handle:
                count = writer(iter_rows(db, filters), handle, progress=progress)
            partial.replace(out)
    finally:
        db.close()
    click.echo(f"exported {count} rows" + (f" to {out}" if out else ""), err=True)


@cli.command()
@click.argument("article_id", type=int)
@db_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
def show(article_id, db_path, as_json):
    """One article in full, with its label, its evidence and the other copies of its cluster.

    Example: marsad show 42 --db data/demo.db
    """
    from pipelines.read import show_article

    db = open_reader(db_path)
    try:
        article = show_article(db, article_id)
    finally:
        db.close()
    if as_json:
        click.echo(json.dumps(article, ensure_ascii=False, indent=2))
        return
    for key in ("id", "title", "url", "source_id", "author", "published_at", "language", "relevance",
                "relevant", "countries", "genre", "syndicated_from", "cluster_id", "word_count", "first_seen_at"):
        click.echo(f"{key}: {article.get(key)}")
    if article["label"]:
        click.echo(f"label: {json.dumps(article['label'], ensure_ascii=False)}")
        click.echo(f"effective: {json.dumps(article['effective'], ensure_ascii=False)}")
    click.echo("evidence: " + json.dumps(article["evidence"], ensure_ascii=False, indent=2))
    click.echo(f"other copies in cluster {article['cluster_id']}: {len(article['copies'])}")
    for copy in article["copies"]:
        click.echo(f"  #{copy['id']}  {copy['source_id']}  {copy['published_at'] or '-'}  {copy['url']}")
    click.echo("")
    click.echo(article.get("text") or "")


@cli.command()
@click.argument("article_id", type=int)
@db_option
@click.option("--relevant", type=click.Choice(["yes", "no"]), default=None, help="Relevant to Central Asia or not.")
@click.option("--countries", default=None, metavar="CODES",
              help="The countries it is about, comma-separated (KZ,UZ); an empty string for none.")
@click.option("--genre", type=click.Choice(["opinion", "news", "other"]), default=None)
@click.option("--note", default=None, help="Why (kept with the label).")
@click.option("--clear", is_flag=True, help="Remove this article's label.")
def label(article_id, db_path, relevant, countries, genre, note, clear):
    """An analyst's correction, stored apart from the classifier's output and applied over it in
    search, export, stats and browse; it survives `marsad reclassify`.

    Example: marsad label 42 --relevant yes --countries KZ,UZ --genre opinion
    """
    from pipelines.read import clear_label, save_label

    db = open_db(db_path or load_config().db)
    try:
        if clear:
            click.echo("label removed" if clear_label(db, article_id) else "no label to remove")
            return
        codes = None if countries is None else [c for c in countries.split(",") if c.strip()]
        saved = save_label(db, article_id, relevant=None if relevant is None else relevant == "yes",
                           countries=codes, genre=genre, note=note)
    finally:
        db.close()
    click.echo(json.dumps({"id": article_id, **saved}, ensure_ascii=False))


@cli.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(0, 65535), default=8001, show_default=True)
@click.option("--open", "open_browser", is_flag=True, help="Open a web browser on it.")
def browse(db_path, host, port, open_browser):
    """Browse the database in Datasette (read-only), with descriptions and canned queries:
    latest op-eds per country, syndication clusters, authors by pieces, source health.

    Example: marsad browse --db data/demo.db --port 8001
    """
    import hashlib
    import os

    from pipelines.browse import datasette_command, write_support_files

    path = (db_path or load_config().db).resolve()
    open_reader(path).close()  # exists, migrated
    folder = Path(tempfile.gettempdir()) / "marsad-browse" / hashlib.sha1(str(path).encode()).hexdigest()[:12]
    meta, static = write_support_files(path, folder)
    command = datasette_command(path, meta, static, host, port, open_browser)
    click.echo(f"serving {path} read-only on http://{host}:{port}/ (Ctrl-C stops)", err=True)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(command[0], command)  # Datasette replaces this process: stopping it stops the server


@cli.command()
@db_option
@read_filter_options
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The PNG to write.")
def plot(db_path, out, **filter_values):
    """Draw relevant op-eds per country per week into a PNG (genre opinion unless --genre).

    Example: marsad plot --out trends.png --since 2026-01-01
    """
    from pipelines.plot import plot_weekly, weekly_series
    from pipelines.read import weekly_country_counts

    if out.suffix.lower() != ".png":
        raise click.ClickException(f"--out must name a .png file, not {out.name}")
    filter_values["genre"] = filter_values.get("genre") or "opinion"
    filters = _filters(filter_values)
    db = open_reader(db_path)
    try:
        counts = weekly_country_counts(db, filters)
    finally:
        db.close()
    if filters.countries:
        counts = [c for c in counts if c[1] in filters.countries]
    weeks, series = weekly_series(counts)
    plot_weekly(weeks, series, out)
    click.echo(f"wrote {out}: {len(weeks)} weeks, {sum(map(sum, series.values()))} op-eds", err=True)


def _extract_settings(items: tuple[str, ...]):
    """ExtractSettings from `KEY=VALUE` pairs (fields of `pipelines.config.ExtractSettings`)."""
    from dataclasses import fields

    from pipelines.config import ExtractSettings

    known = {f.name: f for f in fields(ExtractSettings)}
    values = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or key not in known:
            raise click.ClickException(f"--set {item!r}: expected KEY=VALUE with KEY among {', '.join(known)}")
        default = getattr(ExtractSettings, key)
        if isinstance(default, bool):
            values[key] = raw.strip().lower() in ("1", "true", "yes", "on")
        else:
            try:
                values[key] = type(default)(raw)
            except ValueError:
                raise click.ClickException(f"--set {item!r}: {raw!r} is not a {type(default).__name__}") from None
    return ExtractSettings(**values)


@cli.command()
@db_option
@sources_option
@click.option("--source", "source_ids", multiple=True, help="Only pages of this source id (repeatable).")
@click.option("--set", "settings", multiple=True, metavar="KEY=VALUE",
              help="An extraction setting (min_words, favor_precision, fast, include_tables, ...).")
@click.option("--dry-run", is_flag=True, help="Report what would change; write nothing.")
def reextract(db_path, sources_path, source_ids, settings, dry_run):
    """Re-run extraction and classification over the archived raw pages, offline.

    Uses the registry's current per-source overrides; writes back exactly the rows whose values
    changed and reports how many changed and which fields.

    Example: marsad reextract --db data/demo.db --source alwaha --set min_words=80
    """
    from crawler.sources import outlet_aliases
    from pipelines.archive import ReextractOptions, reextract_db

    config = load_config()
    options = ReextractOptions(settings=_extract_settings(settings))
    path = sources_path or config.sources
    if sources_path is not None or Path(path).exists():
        registry = load_sources(path)
        options.overrides = {s.id: dict(s.overrides) for s in registry if s.overrides}
        options.aliases = outlet_aliases(registry)
    db = open_db(db_path or config.db)
    try:
        report = reextract_db(db, options, tuple(source_ids), dry_run=dry_run)
    finally:
        db.close()
    if not report.pages:
        raise click.ClickException("no archived pages to re-extract (pages are archived by crawls)")
    click.echo(("dry run: " if dry_run else "") + f"changed rows: {len(report.changed_ids)}")
    for line in report.lines():
        click.echo(line)


@cli.command()
@db_option
@click.option("--source", "source_ids", multiple=True, help="Only articles of this source id (repeatable).")
@click.option("--threshold", type=click.FloatRange(0.0, 1.0), default=None,
              help="Relevance threshold (default: the classifier's, 0.5).")
@click.option("--dry-run", is_flag=True, help="Report what would change; write nothing.")
def reclassify(db_path, source_ids, threshold, dry_run):
    """Recompute language, relevance, countries, genre and evidence of stored articles from
    their stored text, title and URL (after the gazetteer or the thresholds changed); reports how
    many rows changed. Analysts' labels are stored apart and are not touched.

    Example: marsad reclassify --db data/demo.db --source alwaha
    """
    from pipelines.config import RELEVANCE_THRESHOLD
    from pipelines.reclassify import reclassify_db

    db = open_db(db_path or load_config().db)
    try:
        report = reclassify_db(db, tuple(source_ids), RELEVANCE_THRESHOLD if threshold is None else threshold,
                               dry_run=dry_run)
    finally:
        db.close()
    if not report.rows:
        raise click.ClickException("no stored articles to reclassify" + (" for that source" if source_ids else ""))
    click.echo(("dry run: " if dry_run else "") + "\n".join(report.lines()))


if __name__ == "__main__":
    cli()

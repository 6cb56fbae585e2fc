"""Marsad command line: crawl, inspect and query the observatory database."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path

import click

from crawler.sources import RegistryError, load_sources, select
from pipelines.config import DEMO_DB, PROJECT_ROOT, SAMPLE_OUTLETS, SAMPLE_SOURCES, load_config
from pipelines.rejections import Rejected
from pipelines.store import StoreError, last_run, open_db

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


def run_crawl(sources_path: Path, db_path: Path, source_ids: tuple[str, ...] = (),
              refetch: bool = False, settings: dict[str, str] | None = None) -> int:
    """Run one crawl in a fresh subprocess (Scrapy's reactor cannot restart); return its exit code."""
    command = [sys.executable, "-m", "crawler.crawl", "--sources", str(sources_path), "--db", str(db_path)]
    for source_id in source_ids:
        command += ["--source", source_id]
    if refetch:
        command.append("--refetch")
    for key, value in (settings or {}).items():
        command += ["--set", f"{key}={value}"]
    return subprocess.run(command, cwd=PROJECT_ROOT).returncode


SUMMARY_COLUMNS = (("pages_fetched", "pages"), ("articles_fetched", "article pages"),
                   ("stored", "new articles"), ("relevant_opinion", "relevant op-eds"),
                   ("duplicates", "copies"), ("skipped/known", "known, not fetched"))


def print_summary(db_path: Path) -> None:
    """Per-source table of the last crawl run, then the database total."""
    db = open_db(db_path, readonly=True)
    run = last_run(db)
    total = db.execute("select count(*) from articles").fetchone()[0]
    db.close()
    if run is None:
        click.echo("no crawl recorded")
        return
    widths = [max(len(label), 6) for _, label in SUMMARY_COLUMNS]
    click.echo(f"crawl run {run['id']}: {run['status']} ({run['finish_reason']})")
    click.echo("source".ljust(14) + "  ".join(label.rjust(w) for (_, label), w in zip(SUMMARY_COLUMNS, widths)) + "  drops")
    new_total = 0
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


@cli.command()
@db_option
def demo(db_path: Path | None):
    """Serve the bundled sample outlets on 127.0.0.1, crawl them, print a summary.

    Stores into data/demo.db (never the real database) unless --db is given.

    Example: marsad demo --db /tmp/demo.db
    """
    from crawler.demo_server import outlet_ids, serve_outlets

    db_path = db_path or DEMO_DB
    open_db(db_path).close()  # fail early, with a clear message, on an unusable path
    with serve_outlets(SAMPLE_OUTLETS, outlet_ids(SAMPLE_OUTLETS)) as hosts, \
            tempfile.TemporaryDirectory() as tmp:
        text = SAMPLE_SOURCES.read_text(encoding="utf-8")
        for outlet, host in hosts.items():
            text = text.replace("{{" + outlet + "}}", host)
        sources_file = Path(tmp) / "sample-sources.toml"
        sources_file.write_text(text, encoding="utf-8")
        code = run_crawl(sources_file, db_path, settings=LOCAL_PROFILE)
    print_summary(db_path)
    if code != 0:
        raise click.ClickException(f"the crawl ended abnormally (exit {code})")


# Crawl settings for servers on this machine: private hosts allowed, no politeness delays.
LOCAL_PROFILE = {"MARSAD_ALLOW_PRIVATE_HOSTS": "*", "AUTOTHROTTLE_ENABLED": "False",
                 "DOWNLOAD_DELAY": "0", "LOG_LEVEL": "WARNING"}


@cli.command()
@db_option
@sources_option
@click.option("--source", "source_ids", multiple=True, help="Only this source id (repeatable).")
@click.option("--refetch", is_flag=True, help="Fetch again pages recorded as permanent non-articles.")
def crawl(db_path, sources_path, source_ids, refetch):
    """One crawl of the configured sources now.

    Example: marsad crawl --source alquds --source aljazeera
    """
    config = load_config()
    sources_path = sources_path or config.sources
    db_path = db_path or config.db
    select(load_sources(sources_path), source_ids)  # validate before starting
    open_db(db_path).close()
    code = run_crawl(sources_path, db_path, source_ids, refetch)
    print_summary(db_path)
    if code != 0:
        raise click.ClickException(f"the crawl ended abnormally (exit {code})")


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
    from pipelines.classify import classify
    from pipelines.dedupe import dedupe_keys
    from pipelines.extract import extract_article

    when = datetime.fromisoformat(fetched_at) if fetched_at else datetime.now(timezone.utc)
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    url = url or file.resolve().as_uri()
    overrides, aliases = {}, {}
    if source_id or sources_path:
        from crawler.sources import outlet_aliases

        registry = load_sources(sources_path or load_config().sources)
        aliases = outlet_aliases(registry)
        if source_id:
            overrides = dict(select(registry, (source_id,))[0].overrides)
    result = extract_article(file.read_bytes(), url=url, fetched_at=when, overrides=overrides)
    classification = classify(result.text, title=result.title or "", url=url,
                              declared_language=result.declared_language, section=result.section,
                              article_type=result.article_type, author_bio=result.author_bio)
    record = {"url": url, **asdict(result), **asdict(classification)}
    record.update(dedupe_keys(url, result.text, result.canonical_hint, result.reprint_credit, aliases))
    record["evidence"] = {**result.evidence, **classification.evidence}
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


@cli.command()
@db_option
def stats(db_path):
    """Counts of stored articles per source, language, genre and country.

    Example: marsad stats --db data/demo.db
    """
    db = open_db(db_path or load_config().db, readonly=True)
    total = db.execute("select count(*) from articles").fetchone()[0]
    click.echo(f"articles: {total}")
    for label, sql in (
        ("per source", "select source_id, count(*) from articles group by 1 order by 2 desc"),
        ("per language", "select language, count(*) from articles group by 1 order by 2 desc"),
        ("per genre", "select genre, count(*) from articles group by 1 order by 2 desc"),
        ("per country (relevant)", "select j.value, count(*) from articles, json_each(articles.countries) j"
                                   " where relevant = 1 group by 1 order by 2 desc"),
        ("non-articles by reason", "select status || ':' || reason, count(*) from fetched_pages"
                                   " where status != 'article' group by 1 order by 2 desc"),
    ):
        click.echo(f"{label}:")
        for key, count in db.execute(sql):
            click.echo(f"  {key}: {count}")
    db.close()


if __name__ == "__main__":
    cli()

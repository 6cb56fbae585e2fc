"""Crash safety: a crawl killed with SIGKILL mid-way leaves a consistent database; its run reads
as incomplete; the next run completes the work with exactly the rows of an uninterrupted run."""

from __future__ import annotations

import threading
import time

import pytest

from pipelines.store import open_db
from scheduler import crawl_once
from tests.support.site import Route, Site, article_html, db_count, sources_toml

ARTICLES = 24
WORDS = ("طشقند", "ألماتي", "بيشكك", "دوشنبه", "عشق آباد", "سمرقند")


def slow_site() -> Site:
    """A feed of ARTICLES distinct op-eds, each answered after a short delay."""
    routes: dict[str, Route] = {"/robots.txt": Route(body=b"User-agent: *\nAllow: /\n",
                                                     headers={"Content-Type": "text/plain"})}
    items = []
    for n in range(ARTICLES):
        path = f"/opinion/2026/{n:03d}-essay.html"
        title = f"مقال رقم {n} عن {WORDS[n % len(WORDS)]} وآسيا الوسطى"
        body = article_html(title).replace(b"<article><h1>", f"<article><p>{'قراءة ' * n}{n}</p><h1>".encode())
        routes[path] = Route(body=body, delay=0.3)
        items.append(f"<item><title>{title}</title><link>http://{{host}}{path}</link></item>")
    feed = f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>{"".join(items)}</channel></rss>'
    routes["/feed.xml"] = Route(body=feed.encode(), headers={"Content-Type": "application/rss+xml"})
    return Site(routes, address="127.0.0.5")


def settings(site: Site) -> dict[str, str]:
    return {"MARSAD_ALLOW_PRIVATE_HOSTS": site.host, "AUTOTHROTTLE_ENABLED": "False", "DOWNLOAD_DELAY": "0",
            "LOG_LEVEL": "WARNING", "RETRY_TIMES": "1"}


def stored(db_path) -> int:
    return db_count(db_path, "select count(*) from articles")


def snapshot(db_path) -> dict:
    db = open_db(db_path, readonly=True)
    try:
        return {
            "integrity": db.execute("pragma integrity_check").fetchone()[0],
            "urls": sorted(r[0] for r in db.execute("select canonical_url from articles")),
            "rows": db.execute("select count(*) from articles").fetchone()[0],
            "content": sorted(db.execute("select canonical_url, title, content_hash, word_count from articles")),
            "pages": sorted(db.execute("select url, status, reason from fetched_pages")),
            "runs": db.execute("select status, finish_reason from crawl_runs order by id").fetchall(),
        }
    finally:
        db.close()


@pytest.mark.slow
def test_sigkilled_crawl_then_rerun_equals_an_uninterrupted_crawl(tmp_path):
    site = slow_site()
    try:
        sources = tmp_path / "sources.toml"
        sources.write_text(sources_toml(site, "slow", feeds=["/feed.xml"]), encoding="utf-8")
        killed_db, clean_db = tmp_path / "killed.db", tmp_path / "clean.db"
        children = []
        outcome = {}
        # One page at a time (~7 s): the kill lands after a batch and before the last one even
        # when a loaded machine starts the stage workers late and the first batch is large.
        one_at_a_time = {**settings(site), "CONCURRENT_REQUESTS_PER_DOMAIN": "1"}
        worker = threading.Thread(target=lambda: outcome.setdefault("first", crawl_once(
            sources, killed_db, timeout=120, settings=one_at_a_time, on_start=children.append)))
        worker.start()
        deadline = time.monotonic() + 90
        while stored(killed_db) < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
        partial = stored(killed_db)
        children[0].kill()  # SIGKILL: no spider_closed, no finish_run
        worker.join(30)
        assert outcome["first"].code == -9
        assert 3 <= partial < ARTICLES, "kill the crawl after some items, before the end"
        after_kill = snapshot(killed_db)
        assert after_kill["integrity"] == "ok"
        assert after_kill["runs"] == [("running", None)]
        assert after_kill["rows"] < ARTICLES

        second = crawl_once(sources, killed_db, timeout=120, settings=settings(site))
        assert second.code == 0 and not second.timed_out
        reference = crawl_once(sources, clean_db, timeout=120, settings=settings(site))
        assert reference.code == 0
    finally:
        site.close()

    resumed, clean = snapshot(killed_db), snapshot(clean_db)
    assert resumed["integrity"] == "ok"
    assert resumed["runs"] == [("incomplete", "killed"), ("finished", "finished")]
    assert clean["rows"] == ARTICLES and len(set(clean["urls"])) == ARTICLES
    assert resumed["urls"] == clean["urls"]  # no loss
    assert resumed["rows"] == len(set(resumed["urls"]))  # no duplicates
    assert resumed["content"] == clean["content"]
    assert resumed["pages"] == clean["pages"]
    # Articles stored before the kill were not fetched again.
    paths = [p for p, _, _ in site.log if p.startswith("/opinion/")]
    assert len(paths) < 3 * ARTICLES

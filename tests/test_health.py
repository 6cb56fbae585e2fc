"""Crawl health: the pure assessment, bot-challenge recognition, and `marsad health` on a real
crawl of a scripted site that starts answering 500."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from marsad import cli
from pipelines.challenge import bot_challenge
from pipelines.health import (OK, UNHEALTHY, UNKNOWN, WARN, RunCounts, article_trend, assess,
                              redesign_signs)
from tests.support.site import Route, Site, article_html, crawl, feed_xml, sources_toml

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=timezone.utc)
HEALTHY = {"pages_fetched": 12, "articles_fetched": 8, "stored": 5, "dropped/too_short": 1}


def run(counts, status="finished", hours_ago=1, run_id=1):
    return RunCounts(run_id, (NOW - timedelta(hours=hours_ago)).isoformat(timespec="seconds"), status, counts)


def test_a_healthy_source_is_ok():
    health = assess("s", [run(HEALTHY)], interval=timedelta(hours=2), now=NOW)
    assert health.status == OK and health.problems == []
    assert health.http_error_rate == 0 and health.extraction_failure_rate == pytest.approx(1 / 8)
    assert health.last_success == run(HEALTHY).started_at


def test_a_source_answering_errors_is_unhealthy():
    all_failed = {"discovery_failed/http_5xx": 3}
    health = assess("s", [run(all_failed), run(HEALTHY, hours_ago=3)], interval=timedelta(hours=2), now=NOW)
    assert health.status == UNHEALTHY and "nothing fetched" in health.problems[0]
    mostly = {"pages_fetched": 2, "failed/http_5xx": 5, "stored": 1}
    assert assess("s", [run(mostly)], now=NOW).status == UNHEALTHY
    some = {"pages_fetched": 8, "failed/timeout": 3, "stored": 1}
    assert assess("s", [run(some)], now=NOW).status == WARN


def test_bot_challenges_extraction_failures_and_overdue():
    challenged = {**HEALTHY, "dropped/bot_challenge": 2}
    assert "2 bot-challenge pages" in assess("s", [run(challenged)], now=NOW).problems
    broken = {"pages_fetched": 10, "articles_fetched": 8, "dropped/boilerplate": 7, "stored": 1}
    assert assess("s", [run(broken)], now=NOW).status == UNHEALTHY
    old = assess("s", [run(HEALTHY, hours_ago=30)], interval=timedelta(hours=6), now=NOW)
    assert old.status == UNHEALTHY and "last success 1.2d ago" in old.problems[0]
    assert assess("s", [], now=NOW).status == UNKNOWN


def test_zero_new_streak_warns():
    quiet = {"pages_fetched": 3, "not_modified": 2}
    runs = [run(quiet, run_id=i) for i in range(6)] + [run(HEALTHY, run_id=9)]
    health = assess("s", runs, now=NOW)
    assert health.zero_new_streak == 6 and health.status == WARN
    assert assess("s", [run(quiet)] * 2 + [run(HEALTHY)], now=NOW).status == OK


def test_redesign_drop_in_text_dates_and_authors():
    baseline = [(800, True, True)] * 20
    redesigned = [(120, False, False)] * 10 + baseline
    signs = redesign_signs(article_trend(redesigned, recent=10))
    assert len(signs) == 3 and "text length fell to 120 words (was 800)" in signs[0]
    assert redesign_signs(article_trend([(790, True, True)] * 10 + baseline, recent=10)) == []
    assert redesign_signs(article_trend([(100, False, False)] * 15, recent=10)) == []  # too little history
    health = assess("s", [run(HEALTHY)], article_trend(redesigned), now=NOW)
    assert health.status == UNHEALTHY


def test_bot_challenge_pages_are_recognised():
    assert bot_challenge(b"<html><head><title>Just a moment...</title></head><body>"
                         b"<script src='/cdn-cgi/challenge-platform/h/g/orchestrate/jsch/v1'></script>") == "cloudflare"
    assert bot_challenge("<title>DDoS-Guard</title>") == "ddos-guard"
    assert bot_challenge("<title>\u062a\u062d\u0642\u0642 | Just a moment</title><div id='cf-chl-widget'>"
                         ) == "cloudflare"  # markers found among non-ASCII text
    assert bot_challenge("<html><body>Incapsula incident ID: 123</body></html>") == "imperva"
    assert bot_challenge("<iframe id='main-iframe' src='/_Incapsula_Resource?CWUDNSAI=9&xinfo=1'></iframe>") == "imperva"
    assert bot_challenge("<script src='/cdn-cgi/challenge-platform/orchestrate/jsch/v1'></script>") == "cloudflare"
    # the scripts the vendors inject into their ordinary pages are not markers
    assert bot_challenge("<script>a.src='/cdn-cgi/challenge-platform/scripts/jsd/main.js'</script>") is None
    assert bot_challenge("<script src='/_Incapsula_Resource?SWJIYLWA=5074a744e2e3d891'></script>") is None
    assert bot_challenge("<form><div class='g-recaptcha'></div></form>") == "captcha"
    article = article_html("مقال") + b"<form><div class='g-recaptcha'></div></form>" + b" " * 20000
    assert bot_challenge(article) is None  # a comment-form captcha on a full article page
    assert bot_challenge(article_html("مقال عن كازاخستان")) is None


@pytest.mark.slow
def test_a_source_that_starts_answering_500_turns_unhealthy(tmp_path):
    paths = [f"/opinion/2026/{n}.html" for n in range(4)]
    routes = {"/robots.txt": Route(body=b"User-agent: *\nAllow: /\n", headers={"Content-Type": "text/plain"}),
              "/feed.xml": Route(body=feed_xml(*paths), headers={"Content-Type": "application/rss+xml"})}
    for n, path in enumerate(paths):
        routes[path] = Route(body=article_html(f"مقال رقم {n} عن كازاخستان"))
    site = Site(routes, address="127.0.0.6")
    try:
        registry = sources_toml(site, "flaky", feeds=["/feed.xml"], schedule="interval:2h")
        first = crawl(tmp_path, registry, site.host)
        assert first.returncode == 0, first.stderr[-2000:]
        args = ["health", "--db", str(tmp_path / "crawl.db"), "--sources", str(tmp_path / "sources.toml")]
        healthy = CliRunner().invoke(cli, args)
        assert healthy.exit_code == 0, healthy.output
        assert "flaky" in healthy.output and " ok " in healthy.output

        for path in list(site.routes):
            site.routes[path] = Route(status=500, body=b"server error")
        site.routes["/opinion/2026/9.html"] = Route(status=500, body=b"server error")
        crawl(tmp_path, registry, site.host)
        broken = CliRunner().invoke(cli, args)
        json_out = CliRunner().invoke(cli, [*args, "--json"])
    finally:
        site.close()
    assert broken.exit_code == 1
    assert "unhealthy" in broken.output and "1 source(s) unhealthy: flaky" in broken.output
    assert '"status": "unhealthy"' in json_out.output and json_out.exit_code == 1

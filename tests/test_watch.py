"""Watchlists: each new matching article announced once per watch across crawls, to a digest,
an Atom feed (valid for feedparser) and a webhook on a local server; the token never shows."""

from __future__ import annotations

import json
import logging
import random
import threading
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import feedparser
import pytest
from click.testing import CliRunner

from crawler.middlewares import check_url
from marsad import cli
from pipelines.config import parse_allowed_hosts
from pipelines.store import list_watches, open_db, watch_hits
from pipelines.watch import atom_feed, deliver, digest_html, dispatch, redact_url
from tests.support.site import Route, Site, article_html, crawl, feed_xml, sources_toml

SECRET = "SECRET-TOKEN-d41d8cd9"
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=timezone.utc)


class Hook:
    """A local webhook receiver answering the statuses in `answers` (the last one repeats)."""

    def __init__(self, answers: list[int]):
        self.answers, self.received = answers, []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = hook.answers.pop(0) if len(hook.answers) > 1 else hook.answers[0]
                hook.received.append((self.path, status, json.loads(body)))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hook/{SECRET}?token={SECRET}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def delivered_ids(self) -> list[int]:
        return [a["id"] for _, status, body in self.received if status == 200 for a in body["articles"]]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def hit(n, **extra):
    return {"id": n, "url": f"http://a.test/{n}?x=1&y=2", "title": f"عنوان <{n}> & روغون", "source_id": "s",
            "author": "سلمى الحوراني", "published_at": "2026-10-12", "first_seen_at": "2026-11-29T10:00:00+00:00",
            "countries": ["TJ"], "excerpt": "سد روغون في طاجيكستان", "announced_at": "2026-11-29T11:00:00+00:00",
            **extra}


def test_atom_feed_parses_and_carries_link_title_date():
    watch = {"name": "dams", "query": "روغون"}
    hits = [hit(2, published_at="2026-10-13T08:30:00+05:00"), hit(1)]
    parsed = feedparser.parse(atom_feed(watch, hits, NOW))
    assert parsed.bozo == 0
    assert [e.link for e in parsed.entries] == [h["url"] for h in hits]
    assert parsed.entries[0].title == "عنوان <2> & روغون"
    assert parsed.entries[0].published == "2026-10-13T08:30:00+05:00"
    assert parsed.entries[1].published_parsed[:3] == (2026, 10, 12)
    assert parsed.entries[0].tags[0].term == "TJ"
    assert parsed.feed.title == "Marsad watch: dams (روغون)"


def test_digest_html_escapes_and_redacts():
    page = digest_html({"name": "dams", "query": "<b>"}, [hit(1)], NOW)
    assert "عنوان &lt;1&gt; &amp; روغون" in page and "<code>&lt;b&gt;</code>" in page
    assert 'href="http://a.test/1?x=1&amp;y=2"' in page
    assert redact_url(f"https://hooks.example.org/services/{SECRET}?k={SECRET}") == "https://hooks.example.org/…"
    assert redact_url("http://127.0.0.1:8080/x/y") == "http://127.0.0.1:8080/…"


def test_deliver_retries_and_refuses_private_targets():
    calls = []

    def flaky(url, payload, timeout):
        calls.append(url)
        if len(calls) < 3:
            raise OSError("connection reset")
        return 204

    assert deliver("http://hooks.test/x", {}, check=lambda u: None, backoff=0.01, post=flaky) == (True, None)
    assert len(calls) == 3
    ok, error = deliver(f"http://127.0.0.1:9/{SECRET}", {}, check=lambda u: check_url(u, frozenset()),
                        post=flaky)
    assert not ok and error.startswith("refused: private_address") and SECRET not in error
    assert len(calls) == 3  # refused before any request


VOCABULARY = ("المياه", "الطاقة", "السدود", "الزراعة", "القطن", "الحدود", "الاستثمار", "الكهرباء", "الأنهار",
              "الجفاف", "المفاوضات", "الشتاء", "الصيف", "الأسعار", "التصدير", "الجيران", "الخبراء", "الحكومة",
              "البرلمان", "القرى", "المدن", "الجبال", "الوديان", "الطرق", "السكك", "الموانئ", "الصين", "روسيا")


def distinct_text(seed: int) -> str:
    """Article text no other article shares (so that dedupe does not cluster them)."""
    rng = random.Random(seed)
    sentences = [" ".join(rng.sample(VOCABULARY, 12)) + " في طاجيكستان." for _ in range(12)]
    return "".join(f"<p>{' '.join(sentences[i:i + 3])}</p>" for i in range(0, 12, 3))


def publish(site, articles: dict[str, str]) -> None:
    for n, (path, title) in enumerate(articles.items()):
        page = article_html(title, body_paragraphs=0).replace(b"</article>", f"{distinct_text(n)}</article>".encode())
        site.routes[path] = Route(body=page)
    site.routes["/feed.xml"] = Route(body=feed_xml(*articles), headers={"Content-Type": "application/rss+xml"})


@pytest.mark.slow
def test_watch_fires_once_per_new_matching_article_across_two_crawls(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    site = Site({"/robots.txt": Route(body=b"User-agent: *\nAllow: /\n", headers={"Content-Type": "text/plain"})},
                address="127.0.0.7")
    hook = Hook([500, 500, 500, 200])  # the whole first delivery fails; it is retried after the next crawl
    db_path = tmp_path / "crawl.db"
    env = {"MARSAD_ALLOW_PRIVATE_HOSTS": f"127.0.0.1:{hook.port}"}
    runner = CliRunner()
    try:
        refused = runner.invoke(cli, ["watch", "add", "dams", "--query", "روغون", "--webhook", hook.url,
                                      "--db", str(db_path)])
        assert refused.exit_code == 1 and "refused" in refused.output and SECRET not in refused.output
        added = runner.invoke(cli, ["watch", "add", "dams", "--query", "روغون", "--country", "tj",
                                    "--webhook", hook.url, "--out", str(tmp_path / "out"), "--db", str(db_path)],
                              env=env)
        assert added.exit_code == 0, added.output
        assert runner.invoke(cli, ["watch", "add", "dams", "--query", "x", "--db", str(db_path)]).exit_code == 1

        first = {"/opinion/2026/1.html": "سد روغون ومستقبل المياه", "/opinion/2026/2.html": "الطاقة في آسيا الوسطى"}
        publish(site, first)
        registry = sources_toml(site, "hydro", feeds=["/feed.xml"])
        assert crawl(tmp_path, registry, site.host).returncode == 0
        allowed = parse_allowed_hosts(env["MARSAD_ALLOW_PRIVATE_HOSTS"])
        assert dispatch(db_path, check=lambda u: check_url(u, allowed), backoff=0.01) == {"dams": 1}
        assert hook.delivered_ids() == [] and len(hook.received) == 3  # three attempts, all 500

        second = {**first, "/opinion/2026/3.html": "روغون: السد الأعلى في العالم",
                  "/opinion/2026/4.html": "هل يغير سد روغون خريطة المنطقة؟", "/opinion/2026/5.html": "بحر آرال"}
        publish(site, second)
        assert crawl(tmp_path, registry, site.host).returncode == 0
        announced = runner.invoke(cli, ["watch", "run", "--db", str(db_path)], env=env)
        assert announced.exit_code == 0 and "watch dams: 2 new article(s)" in announced.output
        again = runner.invoke(cli, ["watch", "run", "--db", str(db_path)], env=env)
        assert "watch dams: 0 new article(s)" in again.output
        listing = runner.invoke(cli, ["watch", "list", "--db", str(db_path)])
    finally:
        site.close()
        hook.close()

    db = open_db(db_path, readonly=True)
    watch = list_watches(db)[0]
    hits = watch_hits(db, watch["id"])
    matching = [r[0] for r in db.execute("select id from articles where title like '%روغون%' order by id")]
    db.close()
    assert len(matching) == 3 and sorted(h["id"] for h in hits) == matching
    assert all(h["webhook_status"] == "sent" for h in hits)
    assert sorted(hook.delivered_ids()) == matching  # every match delivered, none twice
    assert all(path == f"/hook/{SECRET}?token={SECRET}" for path, _, _ in hook.received)

    parsed = feedparser.parse(str(tmp_path / "out" / "feed.atom"))
    assert parsed.bozo == 0 and len(parsed.entries) == 3
    assert {e.link for e in parsed.entries} == {f"http://{site.host}{p}" for p in
                                               ("/opinion/2026/1.html", "/opinion/2026/3.html", "/opinion/2026/4.html")}
    assert all("روغون" in e.title and e.published_parsed[:3] == (2026, 10, 12) for e in parsed.entries)
    digests = sorted((tmp_path / "out" / "digests").glob("*.md"))
    assert len(digests) == 2 and len(list((tmp_path / "out" / "digests").glob("*.html"))) == 2
    assert digests[0].read_text().count("\n- [") == 1 and digests[1].read_text().count("\n- [") == 2

    assert SECRET not in listing.output and f"http://127.0.0.1:{hook.port}/…" in listing.output
    assert "announced=3" in listing.output and "countries=TJ" in listing.output
    assert SECRET not in caplog.text and "webhook http://127.0.0.1" in caplog.text


def test_copies_are_announced_once_and_labels_count(tmp_path):
    from pipelines.store import add_watch, upsert_article

    db = open_db(tmp_path / "w.db")
    add_watch(db, "dams", "روغون", out_dir=str(tmp_path / "out"))

    def store(n, title, **extra):
        record = {"url": f"http://a.test/{n}", "canonical_url": f"http://a.test/{n}", "source_id": "s",
                  "title": title, "text": "مقال عن سد روغون في طاجيكستان " * 20, "content_hash": f"h{n}",
                  "countries": ["TJ"], "relevant": True, "language": "ar",
                  "fetched_at": "2026-11-29T10:00:00+00:00", **extra}
        return upsert_article(db, record)[0]

    original = store(1, "سد روغون")
    store(2, "سد روغون (نقلا عن)", content_hash="h1")  # an exact copy: joins cluster 1
    hidden = store(3, "روغون مرة أخرى", relevant=False)
    db.execute("insert into labels (article_id, relevant) values (?, 1)", [hidden])  # an analyst's correction
    db.conn.commit()
    db.close()
    assert dispatch(tmp_path / "w.db", check=lambda u: None) == {"dams": 2}
    db = open_db(tmp_path / "w.db", readonly=True)
    announced = sorted(h["id"] for h in watch_hits(db, list_watches(db)[0]["id"]))
    db.close()
    assert announced == [original, hidden]
    store_again = open_db(tmp_path / "w.db")
    db = store_again
    store(4, "نسخة أخرى من سد روغون", content_hash="h1")  # a later copy of an announced article
    db.close()
    assert dispatch(tmp_path / "w.db", check=lambda u: None) == {"dams": 0}

"""A scriptable local web site for crawl tests: routes with status, headers, body and delays,
conditional GET, and a log of every request. Talks only on 127.0.0.x."""

from __future__ import annotations

import random
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from pipelines.config import PROJECT_ROOT

SENTENCES = (
    "تتقاطع في آسيا الوسطى مصالح القوى الكبرى حول خطوط الطاقة والممرات التجارية",
    "وتسعى كازاخستان إلى موازنة علاقاتها بين موسكو وبكين دون أن تخسر شركاءها في الغرب",
    "أما أوزبكستان فقد فتحت اقتصادها تدريجيا أمام الاستثمار الأجنبي بعد سنوات من الانغلاق",
    "ويرى مراقبون أن قرغيزستان تواجه تحديات سياسية متكررة تنعكس على استقرارها الداخلي",
    "وتبقى طاجيكستان معتمدة على تحويلات العاملين في الخارج وعلى مشاريع الطاقة المائية",
    "بينما تحافظ تركمانستان على حيادها الرسمي وتراهن على صادرات الغاز نحو الشرق",
    "ولا يمكن فهم المشهد الإقليمي دون النظر إلى ممر النقل العابر لبحر قزوين",
    "ويبدو أن العواصم العربية بدأت تنتبه إلى فرص التعاون مع هذه الدول في الزراعة والتعليم",
    "ويحذر كاتب هذه السطور من قراءة التطورات الأخيرة بمعزل عن تاريخ المنطقة السوفياتي",
    "وفي رأيي أن المستقبل القريب سيحمل مزيدا من التنافس على الموارد والموانئ والطرق",
)


def article_html(title: str, body_paragraphs: int = 4, author: str = "سلمى الحوراني",
                 date: str = "2026-10-12", extra_head: str = "", seed: object = None,
                 charset: str = "utf-8") -> bytes:
    """A complete Arabic op-ed page. Its text is drawn from `seed` (the title by default), so
    pages with different titles are never exact or near duplicates of each other."""
    rng = random.Random(str(title if seed is None else seed))
    paragraphs = "".join(
        "<p>" + "، ".join(rng.sample(SENTENCES, 5)) + f" (الفقرة {n + 1} من المقالة {rng.randrange(10**6)}).</p>"
        for n in range(body_paragraphs))
    return (
        f'<!doctype html><html lang="ar" dir="rtl"><head><meta charset="{charset}"><title>{title}</title>'
        f'<meta name="author" content="{author}"><meta property="article:published_time" content="{date}">'
        f"{extra_head}</head><body><nav><a href='/'>الرئيسية</a></nav><article><h1>{title}</h1>"
        f"{paragraphs}</article><footer>جميع الحقوق محفوظة</footer></body></html>"
    ).encode(charset)


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/html; charset=utf-8"})
    delay: float = 0.0  # seconds before answering
    etag: str | None = None  # answer 304 to a matching If-None-Match


class Site:
    """One HTTP server on `address` (a free port) serving `routes`; `log` lists (path, time, headers)."""

    def __init__(self, routes: dict[str, Route | list[Route]] | None = None, address: str = "127.0.0.1"):
        self.routes = routes or {}
        self.log: list[tuple[str, float, dict[str, str]]] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                site.log.append((self.path, time.monotonic(), dict(self.headers)))
                route = site.routes.get(self.path) or site.routes.get(self.path.split("?")[0])
                if isinstance(route, list):  # a sequence of answers; the last one repeats
                    route = route.pop(0) if len(route) > 1 else route[0]
                if route is None:
                    self.send_error(404)
                    return
                if hasattr(route, "serve"):  # a scripted misbehaviour (tests/support/faults.py)
                    route.serve(self, site)
                    return
                if route.delay:
                    time.sleep(route.delay)
                if route.etag and self.headers.get("If-None-Match") == route.etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(route.status)
                for key, value in route.headers.items():
                    self.send_header(key, value.replace("{host}", site.host))
                if route.etag:
                    self.send_header("ETag", route.etag)
                body = route.body.replace(b"{host}", site.host.encode())
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((address, 0), Handler)
        self.server.daemon_threads = True
        self.host = f"{address}:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def requested(self, path: str) -> int:
        return sum(1 for p, _, _ in self.log if p == path)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


ROBOTS_OK = Route(body=b"User-agent: *\nDisallow: /private/\n", headers={"Content-Type": "text/plain"})


def feed_xml(*paths: str) -> bytes:
    """An RSS 2.0 feed linking `paths` on the serving host (absolute URLs are kept as given)."""
    items = "".join(
        f"<item><title>t{n}</title><link>{p if '://' in p else 'http://{host}' + p}</link></item>"
        for n, p in enumerate(paths))
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()


def xml_route(body: bytes, **kw) -> Route:
    return Route(body=body, headers={"Content-Type": "application/xml"}, **kw)


def sources_toml(site: Site, source_id: str = "fixture", **fields) -> str:
    """A one-source registry pointing at `site` (list values as TOML arrays)."""
    lines = ["[[source]]", f'id = "{source_id}"', 'name = "موقع تجريبي"', f'base_url = "http://{site.host}/"']
    for key, value in fields.items():
        if isinstance(value, list):
            items = ", ".join(f"'{v}'" if key == "article_patterns" else f'"http://{site.host}{v}"' for v in value)
            lines.append(f"{key} = [{items}]")
        else:
            lines.append(f"{key} = {value!r}" if not isinstance(value, str) else f'{key} = "{value}"')
    return "\n".join(lines) + "\n"


def crawl(tmp: Path, sources: str, allowed: str, *settings: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run one real crawl in a subprocess into tmp/crawl.db with politeness delays off."""
    command = crawl_command(tmp, sources, allowed, *settings)
    return subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=timeout)


def crawl_command(tmp: Path, sources: str, allowed: str, *settings: str) -> list[str]:
    """The command line of `crawl` (its sources written to tmp/sources.toml)."""
    path = tmp / "sources.toml"
    path.write_text(sources, encoding="utf-8")
    command = [sys.executable, "-m", "crawler.crawl", "--sources", str(path), "--db", str(tmp / "crawl.db"),
               "--set", f"MARSAD_ALLOW_PRIVATE_HOSTS={allowed}", "--set", "AUTOTHROTTLE_ENABLED=False",
               "--set", "DOWNLOAD_DELAY=0", "--set", "LOG_LEVEL=WARNING", "--set", "RETRY_TIMES=1"]
    for item in settings:
        command += ["--set", item]
    return command


def db_count(db_path: Path, sql: str) -> int:
    """`select count(*) ...` on a database a running crawl writes; 0 while it does not exist yet
    (or is still being created)."""
    import sqlite3

    from pipelines.store import StoreError, open_db

    try:
        db = open_db(db_path, readonly=True)
        try:
            return db.execute(sql).fetchone()[0]
        finally:
            db.close()
    except (StoreError, sqlite3.Error):
        return 0

"""Serve the bundled sample outlets on loopback: one HTTP server per outlet, each on its own
127.0.0.x address and a free port (Scrapy keys its per-site slots by host name).

Files are served from `data/sample_outlets/<id>/` as they are, except that every `{{id}}` token
is replaced by that outlet's `host:port`. Content types carry no charset parameter, so a page's
own declarations (or their absence) are what the crawler sees.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

DEMO_PORT = 8473  # preferred: stable URLs across demo runs
CONTENT_TYPES = {".html": "text/html", ".xml": "application/xml", ".txt": "text/plain",
                 ".json": "application/json"}


class _Handler(SimpleHTTPRequestHandler):
    """Static files with `{{token}}` substitution; no directory listings, no logging."""

    def __init__(self, *args, root: Path, tokens: dict[bytes, bytes], **kwargs):
        self.root = root
        self.tokens = tokens
        super().__init__(*args, directory=str(root), **kwargs)

    def do_GET(self) -> None:  # noqa: N802 (http.server API)
        path = unquote(urlsplit(self.path).path)
        target = (self.root / path.lstrip("/")).resolve()
        if path.endswith("/"):
            target = target / "index.html"
        if not target.is_file() or self.root.resolve() not in target.parents:
            self.send_error(404)
            return
        body = target.read_bytes()
        for token, value in self.tokens.items():
            body = body.replace(token, value)
        self.send_response(200)
        self.send_header("Content-Type", CONTENT_TYPES.get(target.suffix, "application/octet-stream"))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        pass


def _bind(address: str, port: int, handler) -> ThreadingHTTPServer:
    """A server on the preferred port if it is free, else on any free port."""
    try:
        return ThreadingHTTPServer((address, port), handler)
    except OSError:
        return ThreadingHTTPServer((address, 0), handler)


@contextmanager
def serve_outlets(root: Path, outlet_ids: list[str], first_address: int = 2,
                  port: int = DEMO_PORT) -> Iterator[dict[str, str]]:
    """Start one server per outlet; yield {outlet id: "host:port"}; stop them on exit.

    The same port on every run keeps the outlets' URLs stable, so a second demo recognises
    what it stored before; when that port is taken a free one is used (and URLs differ).
    """
    servers: dict[str, ThreadingHTTPServer] = {}
    hosts: dict[str, str] = {}
    tokens: dict[bytes, bytes] = {}
    try:
        for offset, outlet in enumerate(outlet_ids):
            address = f"127.0.0.{first_address + offset}"
            handler = partial(_Handler, root=root / outlet, tokens=tokens)
            server = _bind(address, port, handler)
            server.daemon_threads = True
            servers[outlet] = server
            hosts[outlet] = f"{address}:{server.server_address[1]}"
        tokens.update({f"{{{{{k}}}}}".encode(): v.encode() for k, v in hosts.items()})
        for server in servers.values():
            threading.Thread(target=server.serve_forever, daemon=True).start()
        yield hosts
    finally:
        for server in servers.values():
            server.shutdown()
            server.server_close()


def outlet_ids(root: Path) -> list[str]:
    """The sample outlets: every folder of `root` that has a robots.txt."""
    return sorted(p.parent.name for p in root.glob("*/robots.txt"))

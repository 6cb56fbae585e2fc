"""Live checks of registry URLs (`marsad sources check --live`): each hop SSRF-checked, bounded."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin

import urllib3

from crawler.middlewares import UnsafeTarget, check_url

MAX_HOPS = 5
MAX_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Probe:
    url: str
    ok: bool
    status: int | None
    detail: str


def probe(url: str, allowed: frozenset[str], user_agent: str, timeout: float = 10.0) -> Probe:
    """GET `url`, following at most MAX_HOPS redirects, each one checked against private targets."""
    http = urllib3.PoolManager(timeout=urllib3.Timeout(connect=timeout, read=timeout), retries=False)
    current = url
    try:
        for _ in range(MAX_HOPS + 1):
            check_url(current, allowed)
            response = http.request("GET", current, redirect=False, preload_content=False,
                                    headers={"User-Agent": user_agent})
            body = response.read(MAX_BYTES, decode_content=True)
            response.release_conn()
            if response.status in (301, 302, 303, 307, 308) and response.headers.get("Location"):
                current = urljoin(current, response.headers["Location"])
                continue
            kind = response.headers.get("Content-Type", "?").split(";")[0]
            return Probe(url, 200 <= response.status < 300 and bool(body), response.status,
                         f"{kind}, {len(body)} bytes" + (f" via {current}" if current != url else ""))
        return Probe(url, False, None, f"more than {MAX_HOPS} redirects")
    except UnsafeTarget as exc:
        return Probe(url, False, None, f"refused: {exc}")
    except urllib3.exceptions.HTTPError as exc:
        return Probe(url, False, None, f"{type(exc).__name__}: {exc}".splitlines()[0][:200])

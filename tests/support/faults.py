"""A misbehaving local server for the fault matrix, and the bookkeeping around its crawls.

Fault routes plug into `tests.support.site.Site` (a route with a `serve(handler, site)` method
answers the request itself): slow headers, slow body, a silent hang, a body cut short under a
lying Content-Length, a connection reset, a gzip bomb. `measured_crawl` runs one real crawl
subprocess and reports its peak RSS; `Ledger` tallies the matrix for its summary line.
"""

from __future__ import annotations

import socket
import struct
import subprocess
import time
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import psutil

from pipelines.config import PROJECT_ROOT
from tests.support.site import article_html, crawl_command


class Fault:
    """A route that writes its own (broken) answer to the raw connection."""

    def serve(self, handler, site) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    @staticmethod
    def _write(handler, data: bytes) -> bool:
        """Write and flush; False when the client has gone away."""
        try:
            handler.wfile.write(data)
            handler.wfile.flush()
            return True
        except OSError:
            return False


@dataclass
class SlowHeaders(Fault):
    """The status line at once, then one header line every `interval` seconds, `lines` of them."""

    interval: float = 0.5
    lines: int = 12

    def serve(self, handler, site) -> None:
        handler.close_connection = True
        if not self._write(handler, b"HTTP/1.1 200 OK\r\n"):
            return
        for n in range(self.lines):
            time.sleep(self.interval)
            if not self._write(handler, f"X-Slow-{n}: {'x' * 10}\r\n".encode()):
                return


@dataclass
class SlowBody(Fault):
    """Headers with the true Content-Length, then the body `chunk` bytes every `interval` s."""

    body: bytes
    interval: float = 0.5
    chunk: int = 200

    def serve(self, handler, site) -> None:
        handler.close_connection = True
        head = (f"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                f"Content-Length: {len(self.body)}\r\n\r\n").encode()
        if not self._write(handler, head):
            return
        for start in range(0, len(self.body), self.chunk):
            if not self._write(handler, self.body[start:start + self.chunk]):
                return
            time.sleep(self.interval)


@dataclass
class Hang(Fault):
    """Read the request, answer nothing for `seconds`, then close."""

    seconds: float = 4.0

    def serve(self, handler, site) -> None:
        handler.close_connection = True
        time.sleep(self.seconds)


@dataclass
class Truncated(Fault):
    """Content-Length promises the whole body; `keep` of it is sent, then the connection closes."""

    body: bytes
    keep: float = 0.5

    def serve(self, handler, site) -> None:
        handler.close_connection = True
        head = (f"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                f"Content-Length: {len(self.body)}\r\n\r\n").encode()
        if self._write(handler, head + self.body[: int(len(self.body) * self.keep)]):
            try:
                handler.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


@dataclass
class Reset(Fault):
    """Answer with a TCP reset (SO_LINGER 0), optionally after part of the headers."""

    partial: bytes = b""

    def serve(self, handler, site) -> None:
        handler.close_connection = True
        if self.partial:
            self._write(handler, self.partial)
        try:
            handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            handler.connection.close()
        except OSError:
            pass


@lru_cache(maxsize=4)
def gzip_bomb(decompressed_mb: int) -> bytes:
    """A gzip stream of `decompressed_mb` MiB of spaces inside an HTML shell (about 1 KiB per MiB)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    out = [packer.compress(b"<html><body><p>")]
    block = b" " * (1 << 20)
    for _ in range(decompressed_mb):
        out.append(packer.compress(block))
    out.append(packer.compress(b"</p></body></html>"))
    out.append(packer.flush())
    return b"".join(out)


@dataclass
class GzipBomb(Fault):
    """A small gzip body (Content-Encoding: gzip) that inflates to `decompressed_mb` MiB;
    built on first request, so that importing the matrix costs nothing."""

    decompressed_mb: int = 128

    def serve(self, handler, site) -> None:
        body = gzip_bomb(self.decompressed_mb)
        handler.close_connection = True
        head = (f"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Encoding: gzip\r\n"
                f"Content-Length: {len(body)}\r\n\r\n").encode()
        self._write(handler, head + body)


def deep_dom(depth: int = 100_000) -> bytes:
    """An HTML page nested `depth` elements deep, with some Arabic text at the bottom."""
    return (b"<!doctype html><html lang='ar'><head><meta charset='utf-8'><title>x</title></head><body>"
            + b"<div>" * depth + "نص عميق جدا ".encode() * 50 + b"</div>" * depth + b"</body></html>")


def article_page(title: str, seed: int, paragraphs: int = 4, charset: str = "utf-8") -> bytes:
    """A complete Arabic op-ed page whose text differs from every other seed's (no accidental
    exact or near duplicates between the good pages of one crawl)."""
    return article_html(title, paragraphs, seed=seed, charset=charset)




@dataclass
class CrawlResult:
    returncode: int
    stdout: str
    stderr: str
    peak_rss_mb: float  # of the crawl subprocess (ru_maxrss from wait4)
    seconds: float


def measured_crawl(tmp: Path, sources: str, allowed: str, *settings: str, timeout: float = 90) -> CrawlResult:
    """Run one crawl (as `tests.support.site.crawl`) and sample its own RSS until it ends.

    Sampled with psutil rather than read from wait4's ru_maxrss: a forked child's maximum
    includes the parent's memory before exec, i.e. the size of the whole pytest process."""
    command = crawl_command(tmp, sources, allowed, *settings)
    out_path, err_path = tmp / "crawl.out", tmp / "crawl.err"
    started = time.monotonic()
    peak = 0
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=out, stderr=err)
        watched = psutil.Process(process.pid)
        deadline = started + timeout
        while process.poll() is None:
            try:
                peak = max(peak, watched.memory_info().rss)
            except psutil.NoSuchProcess:
                break
            if time.monotonic() > deadline:
                process.kill()
                break
            time.sleep(0.05)
        process.wait()
    return CrawlResult(
        returncode=process.returncode,
        stdout=out_path.read_text(encoding="utf-8", errors="replace"),
        stderr=err_path.read_text(encoding="utf-8", errors="replace"),
        peak_rss_mb=peak / 2**20,
        seconds=time.monotonic() - started,
    )


@dataclass
class Ledger:
    """Totals over the fault matrix: faults injected, articles expected, stored, lost, duplicated."""

    injected: int = 0
    expected: int = 0
    stored: int = 0
    lost: int = 0
    duplicated: int = 0
    peak_rss_mb: float = 0.0
    crawls: int = 0
    lost_titles: list[str] = field(default_factory=list)

    def add(self, faults: int, expected_titles: set[str], stored_titles: list[str], peak_rss_mb: float) -> None:
        """Tally one crawl: stored titles are matched against the titles expected to be stored."""
        self.crawls += 1
        self.injected += faults
        self.expected += len(expected_titles)
        self.stored += len(stored_titles)
        found = set(stored_titles) & expected_titles
        self.lost += len(expected_titles - found)
        self.lost_titles += sorted(expected_titles - found)
        self.duplicated += len(stored_titles) - len(set(stored_titles))
        self.peak_rss_mb = max(self.peak_rss_mb, peak_rss_mb)

    def summary(self) -> str:
        return (f"faults injected {self.injected}, articles expected {self.expected}, stored {self.stored}, "
                f"lost {self.lost}, duplicated {self.duplicated}"
                f" (crawls {self.crawls}, peak crawl RSS {self.peak_rss_mb:.0f} MB)")

"""Serve a generated corpus on loopback, fast enough not to be the benchmark's bottleneck.

nginx (Debian `nginx-light`) when it is installed: one `server` per outlet on its own
127.0.0.x address, a generated config, pid and logs in a temp dir, access log off, started in
the foreground as a child process and stopped with SIGQUIT. Without nginx, the fallback is an
aiohttp static server in its own process (so it never shares the benchmark's interpreter).

Usage: python -m bench.serve CORPUS_DIR      (serves until Ctrl-C)
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

NGINX_CANDIDATES = ("nginx", "/usr/sbin/nginx")
MIME = {".html": "text/html", ".xml": "application/xml", ".txt": "text/plain", ".json": "application/json"}


def free_port(addresses: list[str], start: int = 8480) -> int:
    """A port free on every one of `addresses` (one port for all outlets keeps URLs simple)."""
    for port in range(start, start + 200):
        try:
            for address in addresses:
                with socket.socket() as s:
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    s.bind((address, port))
            return port
        except OSError:
            continue
    raise RuntimeError(f"no free port in {start}..{start + 199} on {addresses}")


def nginx_binary() -> str | None:
    return next((found for name in NGINX_CANDIDATES if (found := shutil.which(name))), None)


def nginx_config(roots: dict[str, Path], hosts: dict[str, str], workdir: Path, workers: int = 1) -> str:
    """An nginx.conf serving `roots[outlet]` on `hosts[outlet]` ("address:port")."""
    types = " ".join(f"{mime} {ext[1:]};" for ext, mime in MIME.items())
    user = "user root root;\n" if os.geteuid() == 0 else ""
    servers = "".join(
        f"  server {{ listen {hosts[o]}; root {roots[o]}; index index.html; }}\n" for o in roots)
    return (
        f"{user}worker_processes {workers};\ndaemon off;\npid {workdir}/nginx.pid;\n"
        f"error_log {workdir}/error.log warn;\nevents {{ worker_connections 1024; }}\n"
        "http {\n  access_log off;\n  sendfile on;\n  tcp_nopush on;\n  keepalive_requests 10000;\n"
        f"  types {{ {types} }}\n  default_type application/octet-stream;\n"
        f"  client_body_temp_path {workdir}/body; proxy_temp_path {workdir}/proxy;\n"
        f"  fastcgi_temp_path {workdir}/fastcgi; uwsgi_temp_path {workdir}/uwsgi; scgi_temp_path {workdir}/scgi;\n"
        f"{servers}}}\n"
    )


def _wait_listening(hosts: dict[str, str], process: subprocess.Popen, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    pending = set(hosts.values())
    while pending and time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        for host in list(pending):
            address, port = host.rsplit(":", 1)
            try:
                socket.create_connection((address, int(port)), timeout=0.2).close()
                pending.discard(host)
            except OSError:
                pass
        time.sleep(0.05)
    if pending:
        raise RuntimeError(f"server not listening on {sorted(pending)}")


@contextmanager
def serve(roots: dict[str, Path], hosts: dict[str, str], prefer: str = "nginx") -> Iterator[str]:
    """Serve every outlet's folder on its host; yield the server's name ("nginx" or "aiohttp")."""
    binary = nginx_binary() if prefer == "nginx" else None
    with tempfile.TemporaryDirectory(prefix="marsad-serve-") as tmp:
        workdir = Path(tmp)
        if binary:
            (workdir / "nginx.conf").write_text(nginx_config(roots, hosts, workdir), encoding="utf-8")
            command = [binary, "-c", str(workdir / "nginx.conf"), "-p", str(workdir)]
            kind = "nginx"
        else:
            spec = ",".join(f"{o}={roots[o]}={hosts[o]}" for o in roots)
            command = [sys.executable, "-m", "bench.serve", "--aiohttp", spec]
            kind = "aiohttp"
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                   cwd=Path(__file__).resolve().parents[1])
        try:
            _wait_listening(hosts, process)
            yield kind
        finally:
            process.send_signal(signal.SIGQUIT if kind == "nginx" else signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _run_aiohttp(spec: str) -> None:
    """The fallback server: aiohttp static routes, one site per outlet address."""
    import asyncio

    from aiohttp import web

    async def main() -> None:
        runners = []
        for item in spec.split(","):
            _, root, host = item.split("=", 2)
            address, port = host.rsplit(":", 1)

            async def handler(request, root=Path(root)):
                path = (root / request.path.lstrip("/")).resolve()
                if request.path.endswith("/"):
                    path = path / "index.html"
                if root.resolve() not in path.parents or not path.is_file():
                    raise web.HTTPNotFound()
                return web.Response(body=path.read_bytes(), content_type=MIME.get(path.suffix, "application/octet-stream"))

            app = web.Application()
            app.router.add_get("/{tail:.*}", handler)
            runner = web.AppRunner(app, access_log=None)
            await runner.setup()
            await web.TCPSite(runner, address, int(port)).start()
            runners.append(runner)
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        await stop.wait()
        for runner in runners:
            await runner.cleanup()

    asyncio.run(main())


def main(argv: list[str]) -> None:
    if len(argv) == 2 and argv[0] == "--aiohttp":
        _run_aiohttp(argv[1])
        return
    from bench.corpus import load

    corpus = load(Path(argv[0]))
    roots = {o.id: corpus.root / o.id for o in corpus.outlets}
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # `kill` stops nginx too, as Ctrl-C does
    with serve(roots, {o.id: o.host for o in corpus.outlets}) as kind:
        print(f"{kind} serving {len(roots)} outlets: {corpus.outlets[0].base}/ ... (Ctrl-C stops)")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main(sys.argv[1:])

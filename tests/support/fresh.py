"""Run code in a new interpreter: what a module imports on its own, or how it behaves when an
import is missing, without this test process's modules in the way."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping


def fresh_python(code: str, env: Mapping[str, str | None] | None = None) -> str:
    """The standard output of `code` run by `python -c`, with `env` added to this environment
    (None: unset; a failure raises CalledProcessError)."""
    environ = {k: v for k, v in {**os.environ, **env}.items() if v is not None} if env else None
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env=environ).stdout

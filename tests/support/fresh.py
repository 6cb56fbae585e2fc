"""Run code in a new interpreter: what a module imports on its own, or how it behaves when an
import is missing, without this test process's modules in the way."""

from __future__ import annotations

import subprocess
import sys


def fresh_python(code: str) -> str:
    """The standard output of `code` run by `python -c` (a failure raises CalledProcessError)."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout

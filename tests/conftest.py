"""Shared fixtures: the real-pages folder beside the project, sample outlets served locally."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelines.config import SAMPLE_OUTLETS
from tests.support.pages import REALDATA, SEED


@pytest.fixture(scope="session")
def realdata() -> Path:
    """../shared/realdata, or a clean skip when this checkout has no ../shared beside it."""
    if not REALDATA.is_dir():
        pytest.skip(f"real pages not available: {REALDATA} is absent")
    return REALDATA


@pytest.fixture(scope="session")
def seed_text() -> str:
    if not SEED.is_file():
        pytest.skip(f"seed op-ed not available: {SEED} is absent")
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def manifest() -> list[dict]:
    """Ground truth of the bundled sample outlets."""
    return json.loads((SAMPLE_OUTLETS / "manifest.json").read_text(encoding="utf-8"))["pages"]


@pytest.fixture
def site():
    """An empty scripted local site (tests.support.site.Site); tests add its routes."""
    from tests.support.site import Site

    scripted = Site()
    yield scripted
    scripted.close()


@pytest.fixture(scope="session")
def sample_hosts():
    """The sample outlets served on loopback for the whole session: {outlet: host:port}."""
    from crawler.demo_server import outlet_ids, serve_outlets

    with serve_outlets(SAMPLE_OUTLETS, outlet_ids(SAMPLE_OUTLETS), port=0) as hosts:
        yield hosts

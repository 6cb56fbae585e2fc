"""`marsad crawl --jobs 2`: two crawl processes over disjoint sources, one summary."""

import json

import pytest
from click.testing import CliRunner

from marsad import cli
from pipelines.config import SAMPLE_SOURCES
from pipelines.store import open_db

pytestmark = pytest.mark.slow


def test_two_jobs_crawl_disjoint_sources(tmp_path, sample_hosts, manifest, monkeypatch):
    text = SAMPLE_SOURCES.read_text(encoding="utf-8")
    for outlet, host in sample_hosts.items():
        text = text.replace("{{" + outlet + "}}", host)
    sources = tmp_path / "sources.toml"
    sources.write_text(text, encoding="utf-8")
    monkeypatch.setenv("MARSAD_ALLOW_PRIVATE_HOSTS", "1")
    result = CliRunner().invoke(cli, ["crawl", "--jobs", "2", "--sources", str(sources), "--db", str(tmp_path / "m.db")])
    assert result.exit_code == 0, result.output
    db = open_db(tmp_path / "m.db", readonly=True)
    runs = [json.loads(r[0]) for r in db.execute("select sources from crawl_runs order by id")]
    assert len(runs) == 2 and not set(runs[0]) & set(runs[1]) and set(runs[0]) | set(runs[1]) == set(sample_hosts)
    expected = sum(1 for p in manifest if p["kind"] == "article")
    assert db.execute("select count(*) from articles").fetchone()[0] == expected
    assert result.output.count("crawl run") == 2 and f"articles in database: {expected}" in result.output

"""`marsad sources check --live` against a local site (allowed exactly), and against the web."""

import os

import pytest
from click.testing import CliRunner

from marsad import cli
from tests.support.site import Route, Site, sources_toml


@pytest.fixture
def site():
    s = Site({"/feed.xml": Route(body=b"<rss/>", headers={"Content-Type": "application/rss+xml"}),
              "/old-feed": Route(status=301, headers={"Location": "/feed.xml"}),
              "/to-metadata": Route(status=302, headers={"Location": "http://169.254.169.254/latest/"})})
    yield s
    s.close()


def check(tmp_path, site, monkeypatch, allowed, **fields):
    path = tmp_path / "s.toml"
    path.write_text(sources_toml(site, **fields), encoding="utf-8")
    monkeypatch.setenv("MARSAD_ALLOW_PRIVATE_HOSTS", allowed)
    return CliRunner().invoke(cli, ["sources", "check", "--live", "--sources", str(path)])


def test_live_check_reports_each_url(tmp_path, site, monkeypatch):
    result = check(tmp_path, site, monkeypatch, site.host, feeds=["/feed.xml", "/old-feed"])
    assert result.exit_code == 0, result.output
    assert result.output.count("\nok  ") == 2 and "via" in result.output


def test_live_check_fails_on_dead_and_refused_urls(tmp_path, site, monkeypatch):
    result = check(tmp_path, site, monkeypatch, site.host, feeds=["/missing", "/to-metadata"])
    assert result.exit_code == 1
    assert "404" in result.output and "refused: private_address" in result.output
    assert "2 URL(s) failed" in result.output


def test_private_hosts_refused_unless_allowed(tmp_path, site, monkeypatch):
    result = check(tmp_path, site, monkeypatch, "", feeds=["/feed.xml"])
    assert result.exit_code == 1 and "refused" in result.output and site.log == []


@pytest.mark.live
@pytest.mark.skipif(os.environ.get("MARSAD_LIVE_TESTS") != "1", reason="needs the live web (MARSAD_LIVE_TESTS=1)")
def test_real_registry_live():
    result = CliRunner().invoke(cli, ["sources", "check", "--live"])
    assert "ok: " in result.output

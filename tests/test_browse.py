"""Datasette browsing (a real server on a free port), trend plot, stats and show."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from click.testing import CliRunner

from marsad import cli
from pipelines.browse import CANNED_QUERIES, metadata
from pipelines.plot import weekly_series
from pipelines.config import PROJECT_ROOT
from tests.support.read_corpus import ARTICLES, build_corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    path = tmp_path_factory.mktemp("browse") / "marsad-test.db"
    return path, build_corpus(path)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read().decode("utf-8")


@pytest.fixture(scope="module")
def server(corpus):
    path, _ = corpus
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "marsad", "browse", "--db", str(path), "--port", str(port)],
                            cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            fetch(base + "/-/versions.json")
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"datasette did not start: {proc.communicate()[1].decode()[-2000:]}")
            time.sleep(0.3)
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def test_every_canned_query_page_answers_with_its_rows(corpus, server):
    path, ids = corpus
    expected = {
        "latest_opeds": ("title", ARTICLES["kyrgyz_spelling"][1]),
        "syndication_clusters": ("original_title", ARTICLES["original"][1]),
        "authors_by_pieces": ("author", "كاتب diacritics"),
        "source_health": ("outlet", "alsuhub"),
    }
    assert set(expected) == set(CANNED_QUERIES)
    for name, (column, value) in expected.items():
        status, html = fetch(f"{server}/{path.stem}/{name}")
        assert status == 200 and CANNED_QUERIES[name]["title"] in html
        status, body = fetch(f"{server}/{path.stem}/{name}.json?_shape=array")
        rows = json.loads(body)
        assert status == 200 and value in [row[column] for row in rows], (name, rows)
    rows = json.loads(fetch(f"{server}/{path.stem}/syndication_clusters.json?_shape=array")[1])
    assert rows == [{**rows[0], "cluster_id": ids["original"], "copies": 2}]
    assert rows[0]["outlets"] in ("alwaha, hareer", "hareer, alwaha")


def test_latest_opeds_per_country_and_one_per_cluster(corpus, server):
    path, ids = corpus
    rows = json.loads(fetch(f"{server}/{path.stem}/latest_opeds.json?_shape=array&country=uz")[1])
    assert [row["id"] for row in rows] == [ids["original"], ids["variants"]]


def test_metadata_descriptions_and_rtl_css_are_served(corpus, server):
    path, _ = corpus
    html = fetch(f"{server}/{path.stem}/articles")[1]
    assert "One row per stored copy of an article." in html and "/marsad/marsad.css" in html
    css = fetch(f"{server}/marsad/marsad.css")[1]
    assert "unicode-bidi: plaintext" in css
    docs = metadata("x")["databases"]["x"]["tables"]["articles"]["columns"]
    assert "0..1" in docs["relevance"]


def test_browse_is_read_only(corpus, server):
    path, _ = corpus
    with pytest.raises(urllib.error.HTTPError) as refused:
        fetch(f"{server}/{path.stem}.json?sql=" + urllib.parse.quote("delete from articles"))
    assert refused.value.code == 400
    count = json.loads(fetch(f"{server}/{path.stem}.json?_shape=array&sql=" +
                             urllib.parse.quote("select count(*) as n from articles"))[1])
    assert count == [{"n": 12}]


def test_plot_writes_a_valid_png(corpus, tmp_path):
    import matplotlib.image

    out = tmp_path / "trend.png"
    result = CliRunner().invoke(cli, ["plot", "--db", str(corpus[0]), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    image = matplotlib.image.imread(out)
    assert image.shape[0] > 300 and image.shape[1] > 600
    bad = CliRunner().invoke(cli, ["plot", "--db", str(corpus[0]), "--out", str(tmp_path / "x.png"),
                                   "--since", "2030-01-01"])
    assert bad.exit_code == 1 and "nothing to plot" in bad.output


def test_weekly_series_fills_gaps():
    weeks, series = weekly_series([("2026-10-05", "KZ", 2), ("2026-10-19", "KZ", 1), ("2026-10-19", "UZ", 3)])
    assert [w.isoformat() for w in weeks] == ["2026-10-05", "2026-10-12", "2026-10-19"]
    assert series == {"KZ": [2, 0, 1], "UZ": [0, 0, 3]}


def test_stats_counts_per_outlet_country_genre_and_week(corpus):
    path, ids = corpus
    result = CliRunner().invoke(cli, ["stats", "--db", str(path), "--json"])
    stats = json.loads(result.stdout)
    assert stats["articles"] == 12 and stats["clusters"] == 11
    # default: relevant Arabic rows, one per cluster: 12 - not_relevant - persian - copy
    assert stats["selected"] == 9 and sum(stats["per_outlet"].values()) == 9
    assert stats["per_country"]["KZ"] == 4 and stats["per_genre"] == {"opinion": 8, "news": 1}
    assert stats["per_week"]["2026-10-05"] == 1 and stats["per_week"]["2026-11-09"] == 5
    every = json.loads(CliRunner().invoke(cli, ["stats", "--db", str(path), "--json", "--all", "--all-copies"]).stdout)
    assert every["selected"] == 12 and every["per_language"] == {"ar": 11, "fa": 1}
    text = CliRunner().invoke(cli, ["stats", "--db", str(path)]).output
    assert "per week (Monday):" in text and "  alsuhub: " in text


def test_show_prints_evidence_and_the_other_copies(corpus):
    path, ids = corpus
    result = CliRunner().invoke(cli, ["show", str(ids["copy"]), "--db", str(path), "--json"])
    article = json.loads(result.stdout)
    assert article["text"] == ARTICLES["copy"][2] and article["evidence"]["terms"] == {"test": 1}
    assert [c["id"] for c in article["copies"]] == [ids["original"]]
    plain = CliRunner().invoke(cli, ["show", str(ids["original"]), "--db", str(path)])
    assert f"#{ids['copy']}  hareer" in plain.output and "evidence:" in plain.output
    missing = CliRunner().invoke(cli, ["show", "999", "--db", str(path)])
    assert missing.exit_code == 1 and "no article with id 999" in missing.output

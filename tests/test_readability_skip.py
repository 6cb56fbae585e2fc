"""pipelines.readability_skip: readability is skipped only where it cannot change the result."""

from __future__ import annotations

import copy
from datetime import datetime, timezone

import pytest
import trafilatura
from lxml import html as lxml_html
from lxml.etree import tostring
from trafilatura.external import try_readability
from trafilatura.utils import trim

from pipelines import readability_skip
from pipelines.extract import extract_article
from pipelines.readability_skip import readability_cannot_win, readability_length_bound
from pipelines.rejections import Rejected
from tests.support.pages import REALDATA, html_pages

FETCHED = datetime(2026, 11, 1, tzinfo=timezone.utc)
VERIFIED = trafilatura.__version__ in readability_skip.VERIFIED
PARAGRAPH = "Readability keeps the longest block of prose it can find on the page. "

# Readability keeps both iframes of this article and writes "VIDEO" into each.
VIDEO_PAGE = ("<html><body><div class='article'><p>" + PARAGRAPH * 3 + "</p>"
              "<iframe src='https://www.youtube.com/embed/abc'></iframe><p>" + PARAGRAPH * 2 + "</p>"
              "<iframe src='https://player.vimeo.com/video/1'>x</iframe></div>"
              "<script>var filler = '" + "y" * 5000 + "';</script></body></html>")


def _pages() -> list[str]:
    return html_pages(REALDATA if REALDATA.is_dir() else None, english=60)


def _readability_length(tree) -> int:
    """The length trafilatura's compare_extraction measures of readability's result."""
    summary = try_readability(copy.deepcopy(tree))
    return len(trim(tostring(summary, method="text", encoding="utf-8").decode("utf-8")))


def test_the_bound_is_never_below_what_readability_makes():
    assert "VIDEO" in tostring(try_readability(lxml_html.document_fromstring(VIDEO_PAGE)), encoding=str)
    checked = tight = 0
    for html in [VIDEO_PAGE, *_pages()]:
        tree = trafilatura.load_html(html)
        if tree is None:
            continue
        made = _readability_length(tree)
        quick = readability_length_bound(tree, enough=10**9)
        words = readability_length_bound(tree)
        assert made <= words <= quick
        checked, tight = checked + 1, tight + (words - made < 0.05 * words)
    assert checked > 30 and tight > 0  # some page comes within 5% of the bound: it is not loose


def _body(html: str):
    return lxml_html.fragment_fromstring(html, create_parent="body")


def test_the_rule_follows_trafilaturas_choice():
    page = lxml_html.document_fromstring("<html><body><p>" + PARAGRAPH * 4 + "</p><ul><li>menu</li></ul>"
                                         "<script>" + "s" * 9000 + "</script></body></html>")
    own = PARAGRAPH * 4
    body = _body("<p>" + own + "</p>")
    assert readability_cannot_win(page, body, own, "precision")
    assert readability_cannot_win(page, body, own, "balanced")
    assert not readability_cannot_win(page, body, own, "recall")  # recall compares more loosely
    assert not readability_cannot_win(page, body, "", "precision")  # empty own text: readability wins
    assert not readability_cannot_win(page, _body("<div>" + own + "</div>"), own, "precision")  # no <p>
    tables = _body("<table><tr><td>a</td></tr></table><table><tr><td>b</td></tr></table><p>" + own + "</p>")
    assert not readability_cannot_win(page, tables, own, "precision")  # more tables than paragraphs
    short = PARAGRAPH  # the page's text is over twice as long
    assert not readability_cannot_win(page, _body("<p>" + short + "</p>"), short, "precision")


def _extract(html: str):
    try:
        return extract_article(html.encode("utf-8"), url="https://example.org/a", fetched_at=FETCHED)
    except Rejected as exc:
        return ("rejected", exc.reason, exc.detail)


@pytest.mark.skipif(not VERIFIED, reason=f"trafilatura {trafilatura.__version__} is not verified: no skip")
def test_extraction_is_the_same_with_and_without_the_skip(monkeypatch):
    pages = _pages()
    verdicts = []
    rule = readability_cannot_win

    def counted(*args):
        verdicts.append(rule(*args))
        return verdicts[-1]

    monkeypatch.setattr(readability_skip, "readability_cannot_win", counted)
    skipping = [_extract(html) for html in pages]
    monkeypatch.setattr(readability_skip, "readability_cannot_win", lambda *args: False)
    assert skipping == [_extract(html) for html in pages]
    assert sum(verdicts) >= len(pages) // 3  # readability was skipped on many of these pages


@pytest.mark.skipif(not VERIFIED, reason=f"trafilatura {trafilatura.__version__} is not verified: no skip")
def test_only_marsads_own_extraction_skips(monkeypatch):
    asked = []
    monkeypatch.setattr(readability_skip, "readability_cannot_win", lambda *args: asked.append(1) or True)
    readability_skip.install()
    trafilatura.extract(VIDEO_PAGE)
    assert asked == []  # a plain trafilatura call in the same process runs unchanged
    with readability_skip.skipping():
        trafilatura.extract(VIDEO_PAGE)
    assert asked == [1]


def test_an_unverified_trafilatura_is_left_alone(monkeypatch):
    import trafilatura.core

    monkeypatch.setattr(readability_skip, "_original", None)
    monkeypatch.setattr(trafilatura, "__version__", "9.9.9")
    before = trafilatura.core.compare_extraction
    assert readability_skip.install() is False
    assert trafilatura.core.compare_extraction is before
    plain = trafilatura.extract(VIDEO_PAGE, favor_precision=True)
    with readability_skip.skipping():
        assert trafilatura.extract(VIDEO_PAGE, favor_precision=True) == plain

"""`pipelines.htmlload.load_html` gives trafilatura's tree, parsing clean pages itself."""

from __future__ import annotations

import pytest
import trafilatura
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from pipelines import htmlload
from tests.support.pages import REALDATA, html_pages

CLEAN = ("<!DOCTYPE html>\n<html lang=\"ar\"><head><meta charset=\"utf-8\"><title>عنوان</title></head>"
         "<body><h1>عنوان المقال</h1><p>نص المقال عن كازاخستان وأوزبكستان.</p></body></html>")


def _serialised(tree) -> bytes | None:
    return None if tree is None else etree.tostring(tree, encoding="utf-8")


def _same_as_trafilatura(html: str) -> None:
    assert _serialised(htmlload.load_html(html)) == _serialised(trafilatura.load_html(html))


@pytest.fixture
def fast_paths(monkeypatch) -> list[str]:
    """The pages `load_html` parsed itself (the others went to trafilatura's loader)."""
    parsed: list[str] = []
    needs = htmlload._needs_trafilatura

    def recording(html: str, data: bytes) -> bool:
        delegated = needs(html, data)
        if not delegated:
            parsed.append(html)
        return delegated

    monkeypatch.setattr(htmlload, "_needs_trafilatura", recording)
    return parsed


def test_the_same_tree_as_trafilatura_on_sample_and_real_pages(fast_paths):
    pages = html_pages(REALDATA if REALDATA.is_dir() else None, english=60)
    for html in pages:
        _same_as_trafilatura(html)
    assert len(fast_paths) >= len(pages) // 2  # the saving is real: most pages take the fast path


@pytest.mark.parametrize("html", [
    CLEAN.replace("عنوان المقال", "عنوان\x01 المقال\x1f"),  # C0 controls trafilatura removes
    CLEAN.replace("المقال", "المقال\ufffe\uffff"),  # non-characters it removes
    CLEAN.replace("المقال", "المقال\ufffd"),  # a replacement character: kept by both
    CLEAN.replace("المقال", "المقال\udc80"),  # a lone surrogate: lxml refuses the str
    "\xa0" + CLEAN,  # non-ASCII whitespace first: a full page in a str, a fragment in bytes
    CLEAN.replace("<!DOCTYPE html>", '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN"'
                  ' "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">'),  # a doctype it strips
    CLEAN.replace('<html lang="ar">', '<html lang="ar"/>\n'),  # a self-closing <html/>
    '<?xml version="1.0" encoding="utf-8"?>\n' + CLEAN[16:],  # lxml refuses this as a str
    "<p>نص بلا صفحة حوله</p>",  # a fragment
    "<div><p>أ</p><p>ب</p></div>",
    "<html></html>",
    "   ",
], ids=["controls", "non-characters", "replacement", "lone-surrogate", "nbsp-first", "xhtml-doctype",
        "self-closing-html", "xml-declaration", "fragment", "fragment-blocks", "empty-html", "blank"])
def test_the_same_tree_as_trafilatura_on_what_it_repairs_or_refuses(html):
    _same_as_trafilatura(html)


@settings(max_examples=200, deadline=None)
@given(st.text(), st.integers(min_value=0, max_value=len(CLEAN)), st.booleans())
def test_the_same_tree_as_trafilatura_with_any_text_inserted(text, at, in_front):
    page = CLEAN[:at] + text + CLEAN[at:]
    _same_as_trafilatura(text + page if in_front else page)


def test_a_clean_page_is_parsed_without_trafilaturas_loader(monkeypatch):
    def refused(html):
        raise AssertionError("trafilatura's loader was called on a clean page")

    monkeypatch.setattr(htmlload.trafilatura, "load_html", refused)
    tree = htmlload.load_html(CLEAN)
    assert tree.findtext(".//h1") == "عنوان المقال"

"""trafilatura's readability comparison, skipped where it cannot change the result.

With `fast=False`, trafilatura runs readability on a copy of the page after its own extraction
(`trafilatura.external.compare_extraction`, called from `trafilatura.core`) and takes
readability's text only when `_prefer_readability` says so. Outside recall focus that needs one
of: the own text is empty; readability's trimmed text is over twice as long as it; or the own
extraction has no paragraph text, or more tables than paragraphs.

Readability drops script, style and fencedframe elements (keeping their tails), moves and drops
the rest, and adds "VIDEO" to each iframe it keeps: its text is a subsequence of the page text
outside those three elements, plus five letters an iframe. So `readability_cannot_win` bounds the
length readability can reach; where the own text has paragraphs, no more tables than paragraphs,
and is at least half of that bound, `compare_extraction` is handed an empty page for readability.
Everything else in it (the jusText rescue, the choice) runs as before, and the result is the
same, without readability and its pruning pass: about 1.2 ms of a stage worker's 9.7 ms on a
benchmark page.

The wrapper acts only inside `skipping()` (Marsad's own extraction: plain `trafilatura.extract`
in the same process runs unchanged) and is installed only over the trafilatura releases the
reasoning was checked against (`VERIFIED`); on any other, `skipping()` changes nothing.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import lxml.html
from lxml import etree

VERIFIED = ("2.3.1",)  # trafilatura releases whose compare_extraction and readability were read
MARGIN = 64  # characters of slack: one real page reaches the bound exactly, none passes it
_DROPPED = ("script", "style", "fencedframe")  # readability's summary() drops these first
_KEPT_TEXT = etree.XPath(f".//text()[not({' or '.join(f'parent::{tag}' for tag in _DROPPED)})]",
                         smart_strings=False)

_active = contextvars.ContextVar("marsad_readability_skip", default=False)
_original: Any = None  # trafilatura.core.compare_extraction, once installed
_installing = threading.Lock()


def readability_length_bound(raw_tree: lxml.html.HtmlElement, enough: int | None = None) -> int:
    """At least the length of the trimmed text readability can make of `raw_tree`.

    First every character it could keep, whitespace included (cheap); when that is over
    `enough`, the trimmed length of all those texts, one space between pieces (a subsequence of
    them has no more words), if smaller."""
    videos = sum(1 for _ in raw_tree.iter("iframe"))
    kept = len(raw_tree.text_content()) - sum(len(e.text or "") for e in raw_tree.iter(*_DROPPED))
    quick = kept + 5 * videos
    if enough is not None and quick <= enough:
        return quick
    words = len(" ".join(" ".join(_KEPT_TEXT(raw_tree)).split()))
    return min(quick, words + 6 * videos)  # an iframe's "VIDEO" may also start a word


def readability_cannot_win(raw_tree: lxml.html.HtmlElement, body: etree._Element, text: str,
                           focus: str) -> bool:
    """True when trafilatura would keep its own extraction (`body`, `text`) whatever readability
    makes of `raw_tree` (`_prefer_readability` of trafilatura 2.3.1, precision or balanced)."""
    if focus == "recall" or not text:
        return False
    if not body.xpath(".//p//text()") or len(body.findall(".//table")) > len(body.findall(".//p")):
        return False
    limit = 2 * len(text) - MARGIN
    return readability_length_bound(raw_tree, limit) <= limit


def _compare_extraction(cleaned_tree, raw_tree, body, text, options):
    """trafilatura's compare_extraction, given an empty page for readability where it cannot win."""
    if _active.get() and readability_cannot_win(raw_tree, body, text, options.focus):
        raw_tree = lxml.html.Element("html")  # readability finds nothing: its length is 0
    return _original(cleaned_tree, raw_tree, body, text, options)


def install() -> bool:
    """Wrap trafilatura's compare_extraction (once); False on an unverified trafilatura."""
    global _original
    if _original is not None:  # the usual case, on every page: no lock taken
        return True
    with _installing:
        if _original is not None:
            return True
        import trafilatura
        import trafilatura.core

        if trafilatura.__version__ not in VERIFIED:
            return False
        _original = trafilatura.core.compare_extraction
        trafilatura.core.compare_extraction = _compare_extraction
        return True


@contextmanager
def skipping() -> Iterator[None]:
    """Skip readability where it cannot change the result, for trafilatura calls in this block."""
    install()
    token = _active.set(True)
    try:
        yield
    finally:
        _active.reset(token)

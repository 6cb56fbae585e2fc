"""Extraction stage: fetched bytes → clean article text and metadata, or a rejection with a reason.

`extract_article` is pure (no Scrapy); `pipelines.workers.StagesPipeline` runs it in a crawl.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from itertools import islice
from typing import Any

import trafilatura
from htmldate import find_date
from lxml import etree
from lxml import html as lxml_html
from trafilatura.settings import Extractor

from pipelines.boilerplate import clean_paragraphs, leading_byline
from pipelines.bylines import clean_author, split_signature
from pipelines.challenge import CHALLENGE_MAX_WORDS, bot_challenge
from pipelines.charset import LETTER, MojibakeError, UndecodableError, decode_html
from pipelines.config import ExtractSettings
from pipelines.credits import find_reprint_credit
from pipelines.dates import find_dates, parse_date
from pipelines.htmlload import load_html
from pipelines.metadata import H1, PageMeta, read_metadata, visible_bylines
from pipelines.readability_skip import skipping
from pipelines.rejections import Rejected

_BYLINE = re.compile(r"^\s*(بقلم|كتب|كتبت|إعداد)\b")
_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:]\s+")


# Reader comments, related-story and share boxes that trafilatura's own rules miss on some
# templates (e.g. <section class="hr-comments">): matched on whole class/id words (split at
# spaces, "-" and "_"), never a block holding the headline or marked "no-share" and the like.
# PRUNE_XPATH states the rule; `unwanted_blocks` applies it in Python (the same nodes, measured
# 3.5x cheaper than trafilatura compiling the XPath per page and evaluating its translate/concat
# on every candidate).
_PRUNE_TAGS = ("section", "div", "aside", "ul", "ol", "form")
_PRUNE_WORDS = (" comment ", " comments ", " related ", " share ", " disqus ")
_WORDS = "concat(' ', translate(@class, '-_', '  '), ' ', translate(@id, '-_', '  '), ' ')"
PRUNE_XPATH = (
    "//*[" + " or ".join(f"self::{tag}" for tag in _PRUNE_TAGS) + "]["
    + " or ".join(f"contains({_WORDS}, '{word}')" for word in _PRUNE_WORDS)
    + "][not(.//h1)][not(starts-with(@class, 'no-') or contains(@class, ' no-'))]"
)
_DASHES = str.maketrans("-_", "  ")


def unwanted_blocks(tree: lxml_html.HtmlElement) -> list[lxml_html.HtmlElement]:
    """The elements PRUNE_XPATH selects, in document order."""
    found = []
    for node in tree.iter(_PRUNE_TAGS):
        cls, ident = node.get("class"), node.get("id")
        if cls is None and ident is None:
            continue
        words = f" {(cls or '').translate(_DASHES)} {(ident or '').translate(_DASHES)} "
        if not any(word in words for word in _PRUNE_WORDS):
            continue
        if cls is not None and (cls.startswith("no-") or " no-" in cls):
            continue
        if node.find(".//h1") is None:
            found.append(node)
    return found


def prune_blocks(tree: lxml_html.HtmlElement) -> None:
    """Remove `unwanted_blocks` from `tree`, keeping each one's tail text (as trafilatura's
    `prune_xpath` option does: found first, then removed in document order)."""
    for node in unwanted_blocks(tree):
        parent = node.getparent()
        if parent is None:
            continue
        if node.tail:
            previous = node.getprevious()
            if previous is None:
                parent.text = (parent.text or "") + node.tail
            else:
                previous.tail = (previous.tail or "") + node.tail
        parent.remove(node)


def drop_navigation(tree: lxml_html.HtmlElement) -> None:
    """Remove <nav> and <footer> subtrees (keeping their tails) before trafilatura sees the tree.

    trafilatura discards them itself (tree_cleaning, and readability's sanitize), and with
    favor_precision neither its baseline nor its recall retry reads the raw page: its text is
    the same on all 193 real pages of ../shared/realdata (a test checks), while every XPath it
    runs walks a smaller tree: 16.8 → 13.3 ms a page there. They can still sway readability's
    choice of block on a listing page (one sample archive page: 21 → 17 words, rejected both ways).
    """
    for node in list(tree.iter("nav", "footer")):
        node.drop_tree()


@dataclass
class Extraction:
    title: str | None
    author: str | None
    author_bio: str | None
    published_at: str | None
    date_source: str | None
    text: str
    word_count: int
    encoding: str
    declared_language: str | None
    canonical_hint: str | None
    section: str | None
    article_type: str | None
    reprint_credit: str | None
    evidence: dict[str, Any] = field(default_factory=dict)


def _clean_title(title: str | None, h1: str | None, site_names: set[str]) -> str | None:
    """A title without the outlet's name: "المدينة نيوز - X" and "X | Sputnik" give X.

    A part of a separated title is dropped when it is one of the page's declared outlet names;
    when one part is the page's <h1>, that part is the title.
    """
    if not title:
        return None
    title = " ".join(title.split())
    parts = [p for p in _TITLE_SEPARATORS.split(title) if p]
    if len(parts) > 1:
        if h1 and h1 in parts:
            return h1
        kept = [p for p in parts if not any(p == n or p in n or n in p for n in site_names if len(n) > 2)]
        if kept and len(kept) < len(parts):
            return max(kept, key=len)
    return title or None


_URL_DATES = (
    re.compile(r"/(?P<y>(?:19|20)\d{2})/(?:[a-z_\-]+/)?(?P<m>\d{1,2})/(?P<d>\d{1,2})(?:/|$)", re.I),
    re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})-(?P<m>\d{2})-(?P<d>\d{2})(?!\d)"),
)


def url_date(url: str) -> str | None:
    """A full date written in the URL path (/2013/middle_east/8/3/, /2020-06-03-...), or None."""
    path = url.split("?", 1)[0].split("#", 1)[0]
    for pattern in _URL_DATES:
        found = pattern.search(path)
        if found:
            try:
                return date(int(found["y"]), int(found["m"]), int(found["d"])).isoformat()
            except ValueError:
                continue
    return None


def htmldate_fallback(html: str, fetched_at: datetime) -> str | None:
    """htmldate's guess of the original publication date (the last resort: it is slow)."""
    return find_date(html, original_date=True, extensive_search=True,
                     max_date=fetched_at.date().isoformat())


def _choose_date(
    candidates: list[tuple[str | Callable[[], str | None] | None, str]], fetched_at: datetime
) -> tuple[str | None, str | None]:
    """First candidate that parses and is not after the fetch time: (ISO value, source).
    A callable candidate is only computed when every earlier one failed."""
    for raw, source in candidates:
        if callable(raw):
            raw = raw()
        if not raw:
            continue
        found = parse_date(raw, fetched_at)
        if found is None or found.calendar != "gregorian":
            continue
        if found.value[:10] > fetched_at.date().isoformat():
            continue
        return found.value, source
    return None, None


_ARTICLE_BODY = etree.XPath('//*[@itemprop="articleBody"]')


def _header_text(tree: lxml_html.HtmlElement) -> str:
    """Text around the headline (its container), where date lines and bylines live."""
    for h1 in H1(tree)[:1]:
        node = h1.getparent() if h1.getparent() is not None else h1
        return "\n".join(t.strip() for t in node.itertext() if t.strip())[:3000]
    return ""


def _visible_date(header: str, fetched_at: datetime) -> str | None:
    """The first Gregorian date in the header text (`_header_text`) not after the fetch time."""
    for found in find_dates(header, fetched_at):
        if found.calendar == "gregorian" and found.value[:10] <= fetched_at.date().isoformat():
            return found.value
    return None


def _override_text(tree: lxml_html.HtmlElement, xpath: str | None) -> str | None:
    if not xpath:
        return None
    try:
        nodes = tree.xpath(xpath)
    except etree.XPathError:
        return None
    texts = [n if isinstance(n, str) else n.text_content() for n in nodes]
    text = "\n".join(t.strip() for t in texts if t and t.strip())
    return text or None


def _lead_text(tree: lxml_html.HtmlElement) -> str | None:
    """A standfirst printed just before the `articleBody` element (itemprop=description or a
    lead/standfirst class): the article's first sentence on some sites, outside the body node."""
    for body in _ARTICLE_BODY(tree)[:1]:
        for sibling in islice(body.itersiblings(preceding=True), 2):
            cls = (sibling.get("class") or "").lower()
            if sibling.get("itemprop") == "description" or any(k in cls for k in ("lead", "standfirst")):
                text = " ".join(sibling.text_content().split())
                return text if len(text.split()) >= 5 else None
    return None


def _title_candidates(meta: PageMeta, found: Mapping[str, Any]) -> list[str | None]:
    titles = [v for v, origin in meta.candidates.get("title", []) if origin in ("json-ld", "og:title")]
    return [*titles, found.get("title"), *(v for v, o in meta.candidates.get("title", []) if o == "title"), meta.h1]


@lru_cache(maxsize=8)
def _base_options(settings: ExtractSettings) -> Extractor:
    return Extractor(
        output_format="python",  # bare_extraction's own default
        comments=False,
        tables=settings.include_tables,
        precision=settings.favor_precision,
        fast=settings.fast,
        with_metadata=False,  # our own metadata first; htmldate only runs when it found no date
    )


def trafilatura_options(settings: ExtractSettings, url: str) -> Extractor:
    """trafilatura's options for one page: those `bare_extraction` builds from its keyword
    arguments, made once per settings and copied (building them reads its ConfigParser
    again: 0.04 ms a page, a copy 0.004). Their `date_params` (today's date) are read only
    with metadata, never here."""
    options = copy.copy(_base_options(settings))
    options.url = url
    options.source = url.encode("utf-8", "replace").decode("utf-8")
    return options


def _is_document(tree: lxml_html.HtmlElement | None) -> bool:
    return tree is not None and tree.tag == "html"


def extract_article(
    body: bytes,
    *,
    url: str,
    fetched_at: datetime,
    header_charset: str | None = None,
    content_type: str | None = None,
    overrides: Mapping[str, str] | None = None,
    settings: ExtractSettings = ExtractSettings(),
) -> Extraction:
    """Extract one article; raise `Rejected(reason)` when the page is not a usable article."""
    overrides = overrides or {}
    if len(body) > settings.max_bytes:
        raise Rejected("too_large", f"{len(body)} bytes > {settings.max_bytes}")
    if content_type and not re.search(r"html|xml", content_type, re.I):
        raise Rejected("not_html", content_type)
    if not body.strip():
        raise Rejected("empty", "zero-length body")
    try:
        html, encoding = decode_html(body, header_charset)
    except MojibakeError as exc:
        raise Rejected("mojibake", str(exc)) from exc
    except UndecodableError as exc:
        raise Rejected("undecodable", str(exc)) from exc
    if html.count("\ufffd") > 20:
        raise Rejected("mojibake", "text decodes to mojibake")
    # One parse, trafilatura's (it keeps more body than lxml's default parser): our metadata reads
    # a copy, the tree itself is pruned for trafilatura below. lxml's document parse when
    # trafilatura's loader refuses the page or parses it as a fragment (then the metadata and an
    # override body may remain).
    body_tree = load_html(html)
    try:
        tree = body_tree if _is_document(body_tree) else lxml_html.document_fromstring(html)
    except (etree.ParserError, ValueError) as exc:
        raise Rejected("not_html", f"unparseable HTML: {exc}") from exc
    # Every element comes from a start tag ("<"), or is one of the few the parser implies (html,
    # head, body; at most one per tag, e.g. tbody): a page with few "<" cannot be too large.
    if 2 * html.count("<") + 4 > settings.max_elements:
        elements = sum(1 for _ in tree.iter())
        if elements > settings.max_elements:
            raise Rejected("tree_too_large", f"{elements} elements > {settings.max_elements}")
    if tree is body_tree:
        tree = copy.copy(body_tree)

    meta = read_metadata(tree)
    header = _header_text(tree)
    override_body = _override_text(tree, overrides.get("body"))
    override_author = _override_text(tree, overrides.get("author"))
    override_date = _override_text(tree, overrides.get("date"))

    if body_tree is not None:
        prune_blocks(body_tree)
        if settings.favor_precision:  # without it, baseline and recall escalation read the raw page
            drop_navigation(body_tree)
    doc = None
    if body_tree is not None:
        with skipping():  # readability only where it can change the result: same text, less time
            # works on a copy of the tree
            doc = trafilatura.bare_extraction(body_tree, url=url, options=trafilatura_options(settings, url))
    found = doc.as_dict() if doc is not None else {}
    raw_text = override_body or found.get("text") or ""
    site_names = meta.site_names | {found["sitename"]} if found.get("sitename") else meta.site_names
    site_names = site_names | {v for v, o in meta.candidates.get("author", []) if o == "meta:author"}
    title = next((t for t in (_clean_title(c, meta.h1, site_names) for c in _title_candidates(meta, found)) if t), None)

    paragraphs = raw_text.split("\n")
    lead = None if override_body else _lead_text(tree)
    if lead and not any(lead[:40] in p for p in paragraphs[:3]):
        paragraphs.insert(0, lead)
    paragraphs = clean_paragraphs(paragraphs, title)
    paragraphs, body_byline = leading_byline(paragraphs)
    credit = find_reprint_credit(paragraphs)
    if credit is not None:
        paragraphs = [p for p in paragraphs if p != credit.matched]
    paragraphs, bio = split_signature(paragraphs)
    paragraphs = clean_paragraphs(paragraphs)
    text = "\n".join(paragraphs)
    word_count = len(text.split())
    # checked where it names why a page has (almost) no text: on a page with an article's worth
    # of text a vendor's script is only a script
    if word_count < CHALLENGE_MAX_WORDS and (challenge := bot_challenge(html, word_count)):
        raise Rejected("bot_challenge", challenge)
    if not paragraphs:
        raise Rejected("boilerplate", "no article text found")
    if word_count < settings.min_words:
        raise Rejected("too_short", f"{word_count} words < {settings.min_words}")
    _check_listing(tree, meta, word_count)
    _check_script(text, meta.language)

    # trafilatura's own author guess is not used: it reads DC.Creator and logo URLs
    author, author_source = _first_author(_author_candidates(tree, meta, override_author, body_byline, header))
    published_at, date_source = _choose_date(
        [
            (override_date, "override"),
            *meta.candidates.get("published", []),
            (url_date(url), "url"),
            (lambda: _visible_date(header, fetched_at), "visible"),
            (lambda: htmldate_fallback(html, fetched_at), "htmldate"),
        ],
        fetched_at,
    )
    return Extraction(
        title=title,
        author=author,
        author_bio=bio,
        published_at=published_at,
        date_source=date_source,
        text=text,
        word_count=word_count,
        encoding=encoding,
        declared_language=meta.language,
        canonical_hint=meta.canonical or meta.og_url,
        section=meta.section or (found.get("categories") or [None])[0],
        article_type=meta.article_type,
        reprint_credit=credit.name if credit else None,
        evidence={"author_source": author_source, "title_source": meta.sources.get("title"),
                  "date_source": date_source, "lead_added": bool(lead and lead in text)},
    )


def _author_candidates(
    tree: lxml_html.HtmlElement, meta: PageMeta, override: str | None, body_byline: str | None, header: str
) -> Iterator[tuple[str | None, str]]:
    """Author candidates in precedence order, each read only when every earlier one failed:
    override, JSON-LD, byline markup, a body byline, a header byline, the other declared ones."""
    declared = meta.candidates.get("author", [])
    yield override, "override"
    yield from ((v, o) for v, o in declared if o == "json-ld")
    yield from ((v, "byline-markup") for v in visible_bylines(tree))
    yield body_byline, "byline-body"
    yield _byline_in(header), "byline-header"
    yield from ((v, o) for v, o in declared if o != "json-ld")


def _first_author(candidates: Iterable[tuple[str | None, str | None]]) -> tuple[str | None, str | None]:
    """The first candidate that names a person after clean-up: (names, where it came from)."""
    for raw, source in candidates:
        author = clean_author(raw) if raw else None
        if author:
            return author, source
    return None, None


# Runs of Arabic letters (and Arabic presentation forms) in a body that should be Arabic, and
# runs of letters of any script (`charset.LETTER`): counted by runs, not one match per letter.
_ARABIC_RUN = re.compile("[\u0621-\u064a\u0671-\u06d3\ufb50-\ufdff\ufe70-\ufefc]+")
_LETTER_RUN = re.compile(LETTER.pattern + "+")
MIN_ARABIC_SHARE = 0.3


# Headlines that link elsewhere: a section, tag or home page lists several; an article does not.
_HEADLINE_LINKS = etree.XPath("//*[self::h2 or self::h3 or self::h4]//a[@href]")
_ARTICLE_MARKUP = etree.XPath("//meta[@property='og:type'][@content='article']"
                              " | //meta[@property='article:published_time']")
LISTING_MIN_HEADLINES = 3
LISTING_MAX_WORDS = 300


def _check_listing(tree: lxml_html.HtmlElement, meta: PageMeta, word_count: int) -> None:
    """Listing gate: a short text (teasers) under several linked headlines, on a page that does
    not declare itself an article, is a section or tag page, not an op-ed. Matters when a
    source has no `article_patterns` and every listing link is a candidate. (Measured: 7 of the
    11 sample listing pages caught; none of the 24 sample, 12 real Arabic/Persian and 181
    English benchmark articles.)"""
    if word_count >= LISTING_MAX_WORDS or meta.article_type or _ARTICLE_MARKUP(tree):
        return
    headlines = sum(1 for a in _HEADLINE_LINKS(tree) if len(a.text_content().split()) >= 3)
    if headlines >= LISTING_MIN_HEADLINES:
        raise Rejected("listing", f"{headlines} linked headlines over {word_count} words of teasers")


def _check_script(text: str, declared_language: str | None) -> None:
    """Mojibake gate: a page declared Arabic whose body has few Arabic letters is a failed
    decode, not an article. Undeclared or non-Arabic pages are not judged here (they are
    stored with their detected language)."""
    if not declared_language or not declared_language.lower().startswith("ar"):
        return
    sample = text[:8000]
    arabic = 0
    for run in _ARABIC_RUN.finditer(sample):
        arabic += run.end() - run.start()
        if arabic / len(sample) >= MIN_ARABIC_SHARE:
            return  # enough even if every character were a letter: the usual, fast answer
    letters = sum(map(len, _LETTER_RUN.findall(sample)))
    if letters < 50:
        return
    share = arabic / letters
    if share < MIN_ARABIC_SHARE:
        raise Rejected("mojibake", f"declared Arabic but {share:.0%} Arabic letters")


def _byline_in(header: str) -> str | None:
    for line in header.splitlines():
        line = line.strip()
        if _BYLINE.match(line) and len(line.split()) <= 10:
            return line
    return None

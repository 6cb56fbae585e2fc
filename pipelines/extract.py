"""Extraction stage: fetched bytes → clean article text and metadata, or a rejection with a reason.

`extract_article` is pure (no Scrapy); `ExtractPipeline` is its thin Scrapy adapter.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import trafilatura
from itemadapter import ItemAdapter
from lxml import etree
from lxml import html as lxml_html

from pipelines.bylines import clean_author, split_signature
from pipelines.charset import UndecodableError, decode_html, looks_like_mojibake
from pipelines.credits import find_reprint_credit
from pipelines.dates import find_dates, parse_date
from pipelines.metadata import read_metadata
from pipelines.rejections import Rejected, drop

_READ_ALSO = re.compile(r"^\s*(اقرأ|إقرأ|اقرا)\s+(أيضا|أيضاً|ايضا|المزيد)|^\s*(شارك|تابعونا|Leave a Comment)", re.I)
_BYLINE = re.compile(r"^\s*(بقلم|كتب|كتبت|إعداد)\b")
_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:]\s+")


@dataclass(frozen=True)
class ExtractSettings:
    """Extraction knobs; part of the re-extraction fingerprint."""

    max_bytes: int = 5_000_000
    max_elements: int = 60_000
    min_words: int = 50
    favor_precision: bool = False
    fast: bool = False


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


def _clean_title(title: str | None, site_name: str | None) -> str | None:
    if not title:
        return None
    title = " ".join(title.split())
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) > 1 and site_name and any(site_name.strip() in p or p in site_name for p in parts[1:]):
        title = _TITLE_SEPARATORS.split(title)[0]
    return title or None


def _choose_date(
    candidates: list[tuple[str | None, str]], fetched_at: datetime
) -> tuple[str | None, str | None]:
    """First candidate that parses and is not after the fetch time: (ISO value, source)."""
    for raw, source in candidates:
        if not raw:
            continue
        found = parse_date(raw, fetched_at)
        if found is None or found.calendar != "gregorian":
            continue
        if found.value[:10] > fetched_at.date().isoformat():
            continue
        return found.value, source
    return None, None


def _header_text(tree: lxml_html.HtmlElement) -> str:
    """Text around the headline (its container), where date lines and bylines live."""
    for h1 in tree.xpath("//h1")[:1]:
        node = h1.getparent() if h1.getparent() is not None else h1
        return node.text_content()[:3000]
    return ""


def _visible_date(tree: lxml_html.HtmlElement, fetched_at: datetime) -> str | None:
    for found in find_dates(_header_text(tree), fetched_at):
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


def _body_paragraphs(text: str, title: str | None) -> list[str]:
    paragraphs = [" ".join(p.split()) for p in text.split("\n")]
    paragraphs = [p for p in paragraphs if p and not _READ_ALSO.match(p)]
    while paragraphs and (paragraphs[0] == title or (_BYLINE.match(paragraphs[0]) and len(paragraphs[0].split()) <= 8)):
        paragraphs.pop(0)
    return paragraphs


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
    except UndecodableError as exc:
        raise Rejected("undecodable", str(exc)) from exc
    if looks_like_mojibake(html) or html.count("\ufffd") > 20:
        raise Rejected("mojibake", "text decodes to mojibake")
    try:
        tree = lxml_html.document_fromstring(html)
    except (etree.ParserError, ValueError) as exc:
        raise Rejected("not_html", f"unparseable HTML: {exc}") from exc
    elements = sum(1 for _ in tree.iter())
    if elements > settings.max_elements:
        raise Rejected("tree_too_large", f"{elements} elements > {settings.max_elements}")

    meta = read_metadata(tree)
    header = _header_text(tree)
    visible_date = _visible_date(tree, fetched_at)
    override_body = _override_text(tree, overrides.get("body"))
    override_author = _override_text(tree, overrides.get("author"))
    override_date = _override_text(tree, overrides.get("date"))

    doc = trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        favor_precision=settings.favor_precision,
        fast=settings.fast,
        date_extraction_params={"original_date": True, "extensive_search": True,
                                "max_date": fetched_at.date().isoformat()},
    )
    found = doc.as_dict() if doc is not None else {}
    raw_text = override_body or found.get("text") or ""
    title = _clean_title(meta.title if meta.sources.get("title") == "json-ld" else None, meta.site_name) \
        or _clean_title(found.get("title"), meta.site_name or found.get("sitename")) \
        or _clean_title(meta.title, meta.site_name)

    paragraphs = _body_paragraphs(raw_text, title)
    credit = find_reprint_credit(paragraphs)
    if credit is not None:
        paragraphs = [p for p in paragraphs if p != credit.matched]
    paragraphs, bio = split_signature(paragraphs)
    text = "\n".join(paragraphs)
    word_count = len(text.split())
    if not paragraphs:
        raise Rejected("boilerplate", "no article text found")
    if word_count < settings.min_words:
        raise Rejected("too_short", f"{word_count} words < {settings.min_words}")

    author = None
    author_source = None
    byline_candidates = [
        (override_author, "override"),
        (meta.author, meta.sources.get("author")),
        (found.get("author"), "trafilatura"),
        (_byline_in(header), "byline"),
    ]
    for raw, source in byline_candidates:
        author = clean_author(raw) if raw else None
        if author:
            author_source = source
            break
    published_at, date_source = _choose_date(
        [
            (override_date, "override"),
            (meta.published, meta.sources.get("published")),
            (visible_date, "visible"),
            (found.get("date"), "htmldate"),
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
        evidence={"author_source": author_source, "title_source": meta.sources.get("title")},
    )


def _byline_in(header: str) -> str | None:
    for line in header.splitlines():
        line = line.strip()
        if _BYLINE.match(line) and len(line.split()) <= 10:
            return line
    return None


class ExtractPipeline:
    """Scrapy adapter: fills an article item from its fetched body, or drops it with a reason."""

    def __init__(self, settings: ExtractSettings, overrides: Mapping[str, Mapping[str, str]]):
        self.settings = settings
        self.overrides = overrides

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        settings = ExtractSettings(
            max_bytes=s.getint("DOWNLOAD_MAXSIZE") or ExtractSettings.max_bytes,
            min_words=s.getint("MARSAD_MIN_WORDS", ExtractSettings.min_words),
        )
        pipe = cls(settings, s.getdict("MARSAD_OVERRIDES"))
        pipe.stats = crawler.stats
        return pipe

    def process_item(self, item):
        adapter = ItemAdapter(item)
        if adapter.get("kind") != "page":
            return item
        try:
            result = extract_article(
                adapter["body"],
                url=adapter["url"],
                fetched_at=datetime.fromisoformat(adapter["fetched_at"]),
                header_charset=adapter.get("header_charset"),
                content_type=adapter.get("content_type"),
                overrides=self.overrides.get(adapter["source_id"], {}),
                settings=self.settings,
            )
        except Rejected as exc:
            raise drop(self.stats, adapter["source_id"], exc) from exc
        for key, value in asdict(result).items():
            adapter[key] = value
        return item

"""Article metadata from JSON-LD and meta tags, read from a parsed lxml tree.

Precedence used by the extraction stage: JSON-LD (NewsArticle and kin), then OpenGraph /
`article:*` / name= meta, then trafilatura's own findings, then a visible Arabic date line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from lxml import html as lxml_html

ARTICLE_TYPES = {
    "NewsArticle", "OpinionNewsArticle", "ReportageNewsArticle", "AnalysisNewsArticle",
    "Article", "BlogPosting", "ReviewNewsArticle", "BackgroundNewsArticle", "ReportageArticle",
}


@dataclass
class PageMeta:
    """What the page declares about itself; None where it declares nothing."""

    title: str | None = None
    author: str | None = None
    published: str | None = None
    modified: str | None = None
    section: str | None = None
    language: str | None = None
    canonical: str | None = None
    og_url: str | None = None
    site_name: str | None = None
    article_type: str | None = None
    sources: dict[str, str] = field(default_factory=dict)  # field -> where it came from


def _names(value: Any) -> list[str]:
    """Author names out of a JSON-LD author value (string, Person, list of either)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        name = value.get("name")
        return [name] if isinstance(name, str) else []
    if isinstance(value, list):
        return [n for item in value for n in _names(item)]
    return []


def _first_str(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value")
    return value.strip() if isinstance(value, str) and value.strip() else None


def _jsonld_objects(tree: lxml_html.HtmlElement) -> list[dict]:
    objects: list[dict] = []
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text_content() or "", strict=False)
        except ValueError:
            continue
        stack = data if isinstance(data, list) else [data]
        while stack:
            obj = stack.pop(0)
            if isinstance(obj, dict):
                objects.append(obj)
                graph = obj.get("@graph")
                if isinstance(graph, list):
                    stack.extend(graph)
            elif isinstance(obj, list):
                stack.extend(obj)
    return objects


def _types(obj: dict) -> set[str]:
    kind = obj.get("@type")
    return set(kind) if isinstance(kind, list) else {kind} if isinstance(kind, str) else set()


def _meta(tree: lxml_html.HtmlElement) -> dict[str, str]:
    found: dict[str, str] = {}
    for node in tree.xpath("//meta[@content]"):
        key = (node.get("property") or node.get("name") or node.get("itemprop") or "").strip().lower()
        value = (node.get("content") or "").strip()
        if key and value and key not in found:
            found[key] = value
    return found


def read_metadata(tree: lxml_html.HtmlElement) -> PageMeta:
    """Collect the page's declared metadata with the precedence JSON-LD > meta tags."""
    meta = PageMeta()

    def put(name: str, value: str | None, origin: str) -> None:
        if value and getattr(meta, name) is None:
            setattr(meta, name, value.strip())
            meta.sources[name] = origin

    for obj in _jsonld_objects(tree):
        types = _types(obj) & ARTICLE_TYPES
        if not types:
            continue
        put("article_type", sorted(types)[0] if len(types) == 1 else sorted(types - {"Article", "NewsArticle"} or types)[0], "json-ld")
        put("title", _first_str(obj.get("headline")), "json-ld")
        authors = _names(obj.get("author"))
        put("author", "، ".join(a.strip() for a in authors if a.strip()) or None, "json-ld")
        put("published", _first_str(obj.get("datePublished")), "json-ld")
        put("modified", _first_str(obj.get("dateModified")), "json-ld")
        put("section", _first_str(obj.get("articleSection")), "json-ld")
        put("language", _first_str(obj.get("inLanguage")), "json-ld")
    tags = _meta(tree)
    put("title", tags.get("og:title"), "og:title")
    for key in ("article:author", "author", "dc.creator", "sailthru.author", "byl"):
        if not (tags.get(key) or "").startswith("http"):
            put("author", tags.get(key), f"meta:{key}")
    for key in ("article:published_time", "og:article:published_time", "datepublished",
                "pubdate", "publishdate", "dc.date.issued", "dc.date", "date"):
        put("published", tags.get(key), f"meta:{key}")
    put("modified", tags.get("article:modified_time") or tags.get("og:updated_time"), "meta:modified")
    put("section", tags.get("article:section"), "meta:article:section")
    put("site_name", tags.get("og:site_name"), "meta:og:site_name")
    put("og_url", tags.get("og:url"), "meta:og:url")
    lang = tree.get("lang") or tree.get("xml:lang")
    put("language", tags.get("og:locale") or tags.get("content-language") or lang, "html")
    for href in tree.xpath('//link[@rel="canonical"]/@href')[:1]:
        put("canonical", href, "link:canonical")
    titles = tree.xpath("//title/text()")
    if titles:
        put("title", titles[0], "title")
    return meta

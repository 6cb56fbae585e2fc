"""Dedupe stage: canonical URL, exact content hash, reprint credit → `syndicated_from`.

Copies are never dropped: they are stored as rows and linked to one cluster by the store.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from itemadapter import ItemAdapter

from pipelines.arabic import tokens
from pipelines.credits import resolve_outlet
from pipelines.urls import canonical_url


def content_hash(text: str) -> str:
    """Hash of the Arabic-normalised word sequence: equal for copies that differ only in spelling
    variants, diacritics, punctuation or whitespace."""
    return hashlib.sha1(" ".join(tokens(text)).encode("utf-8")).hexdigest()


def dedupe_keys(url: str, text: str, canonical_hint: str | None, reprint_credit: str | None,
                aliases: Mapping[str, str]) -> dict[str, str | None]:
    """The keys the store clusters on, and the credited outlet resolved to a registry id."""
    return {
        "canonical_url": canonical_url(url, canonical_hint),
        "content_hash": content_hash(text),
        "syndicated_from": resolve_outlet(reprint_credit, dict(aliases)) if reprint_credit else None,
    }


class DedupePipeline:
    """Scrapy adapter: adds the dedupe keys to an article item."""

    def __init__(self, aliases: Mapping[str, str]):
        self.aliases = aliases

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.getdict("MARSAD_OUTLET_ALIASES"))

    def process_item(self, item):
        adapter = ItemAdapter(item)
        if adapter.get("kind") != "page":
            return item
        keys = dedupe_keys(adapter["url"], adapter["text"], adapter.get("canonical_hint"),
                           adapter.get("reprint_credit"), self.aliases)
        for key, value in keys.items():
            adapter[key] = value
        return item

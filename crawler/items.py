"""Items passed from the spider to the pipelines."""

from __future__ import annotations

import scrapy


class ArticleItem(scrapy.Item):
    """A fetched article candidate (kind="page") or a failed fetch (kind="failure").

    The spider fills the fetch fields; each pipeline stage fills its own.
    """

    # fetch (spider)
    kind = scrapy.Field()  # "page" | "failure"
    url = scrapy.Field()  # final URL, after redirects
    requested_url = scrapy.Field()  # the candidate URL that was requested
    source_id = scrapy.Field()
    fetched_at = scrapy.Field()
    status = scrapy.Field()
    body = scrapy.Field()
    header_charset = scrapy.Field()
    content_type = scrapy.Field()
    found_via = scrapy.Field()
    reason = scrapy.Field()  # failures: why
    # extract
    title = scrapy.Field()
    author = scrapy.Field()
    author_bio = scrapy.Field()
    published_at = scrapy.Field()
    date_source = scrapy.Field()
    text = scrapy.Field()
    word_count = scrapy.Field()
    encoding = scrapy.Field()
    declared_language = scrapy.Field()
    canonical_hint = scrapy.Field()
    section = scrapy.Field()
    article_type = scrapy.Field()
    reprint_credit = scrapy.Field()
    evidence = scrapy.Field()
    # classify
    language = scrapy.Field()
    language_confidence = scrapy.Field()
    relevance = scrapy.Field()
    relevant = scrapy.Field()
    countries = scrapy.Field()
    genre = scrapy.Field()
    # dedupe
    canonical_url = scrapy.Field()
    content_hash = scrapy.Field()
    syndicated_from = scrapy.Field()
    cluster_id = scrapy.Field()
    # store-side data computed with the stages off the reactor (`pipelines.workers.Derived`)
    derived = scrapy.Field()

"""URL canonicalisation: one article, one key, whatever tracking or variant URL led to it."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

from w3lib.url import canonicalize_url, url_query_cleaner

TRACKING_PARAMS = (
    "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "utm_id", "utm_name",
    "fbclid", "gclid", "dclid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid", "_ga", "ref",
    "ref_src", "traffic_source", "at_medium", "at_campaign", "cmpid", "ocid", "amp", "outputType",
    "s", "share", "from", "src", "mobile",
)
_AMP_PATH = re.compile(r"/amp/?$|/amp(?=/)|\.amp(?=\.html?$)")
_HOST_PREFIX = re.compile(r"^(www\d?|m|mobile|amp)\.")


@lru_cache(maxsize=20_000)  # a crawl meets each URL in a feed, a sitemap and a listing
def canonical_url(url: str, hint: str | None = None) -> str:
    """Canonical form of `url`; `hint` (rel=canonical or og:url) wins when it is on the same site.

    Drops tracking parameters, fragments, www./mobile/AMP variants and a trailing slash, sorts the
    query and normalises percent-encoding (Arabic paths compare equal however they were encoded).
    """
    if hint and _site(hint) and _site(hint) == _site(url):
        url = hint
    for _ in range(3):  # each pass can expose another variant ("///amp"): stop at a fixed point
        once = _canonical_once(url)
        if once == url:
            break
        url = once
    return url


def _canonical_once(url: str) -> str:
    url = url_query_cleaner(url, TRACKING_PARAMS, remove=True, unique=False, keep_fragments=False)
    url = canonicalize_url(url, keep_fragments=False)
    parts = urlsplit(url)
    host = _HOST_PREFIX.sub("", parts.netloc.lower())
    path = _AMP_PATH.sub("", re.sub(r"/{2,}", "/", parts.path)) or "/"
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), host, path, parts.query, ""))


def same_site(a: str, b: str) -> bool:
    """Whether two URLs are on one site (ignoring www./m./amp. prefixes and scheme)."""
    return bool(_site(a)) and _site(a) == _site(b)


def _site(url: str) -> str:
    """Host without the www./m. prefix (and with port), to compare two URLs' sites."""
    return _HOST_PREFIX.sub("", urlsplit(url).netloc.lower())

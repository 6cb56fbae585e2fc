"""Watchlists: after each crawl, new matching articles go to each watch's outputs.

Outputs per watch, in its folder: a digest of each batch (`digests/<time>.md` and `.html`), an
Atom feed (`feed.atom`, the latest announcements) and, optionally, a webhook (JSON POST, retried
with backoff; a delivery that fails stays pending and is retried after the next crawl).
An article is claimed in `watch_hits` before anything is sent, so it is announced once per watch;
its copies (same `cluster_id`: reprints, near-duplicates) are not announced again.
Queries use the full-text search of `pipelines.fts` (Arabic-normalised, gazetteer spellings).
Webhook URLs usually carry a secret token: only `redact_url(url)` is ever logged or shown.
"""

from __future__ import annotations

import html
import json
import logging
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from pipelines.config import GAZETTEER
from pipelines.fts import parse_query
from pipelines.gazetteer import load_gazetteer
from pipelines.store import (advance_watch, claim_watch_hits, last_article_id, list_watches, open_db,
                             set_webhook_result, watch_candidates, watch_hits)

log = logging.getLogger("marsad.watch")

NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
ATOM_NS = "http://www.w3.org/2005/Atom"
FEED_ENTRIES = 100
WEBHOOK_BATCH = 50
WEBHOOK_GIVE_UP = 10  # pending deliveries are dropped (status `failed`) after this many attempts


class WatchError(ValueError):
    """A bad watch definition (name, query, webhook URL)."""


def validate_name(name: str) -> str:
    if not NAME_RE.match(name):
        raise WatchError(f"watch name {name!r}: use letters, digits, '-' or '_' (at most 64)")
    return name


def match_expression(query: str) -> str:
    """The FTS5 MATCH expression of an analysts' query; WatchError when it does not parse."""
    try:
        return parse_query(query, load_gazetteer(str(GAZETTEER))).match
    except ValueError as exc:
        raise WatchError(f"query {query!r}: {exc}") from exc


def redact_url(url: str | None) -> str:
    """A webhook URL safe to print: scheme and host only (paths and queries carry tokens)."""
    if not url:
        return "-"
    parts = urlsplit(url)
    host = parts.hostname or "?"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}/…"


# --- outputs (pure) -------------------------------------------------------------------------

def rfc3339(value: str | None, fallback: str) -> str:
    """An Atom date from a stored date: ISO with offset kept, a bare date at midnight UTC."""
    for candidate in (value, fallback):
        if not candidate:
            continue
        try:
            moment = datetime.fromisoformat(candidate)
        except ValueError:
            continue
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return moment.isoformat(timespec="seconds")
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def atom_feed(watch: Mapping[str, Any], hits: Sequence[Mapping[str, Any]], now: datetime) -> bytes:
    """An Atom 1.0 document of the watch's announced articles (newest first)."""
    ET.register_namespace("", ATOM_NS)

    def sub(parent, tag, text=None, **attrs):
        element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    sub(feed, "id", f"urn:marsad:watch:{watch['name']}")
    sub(feed, "title", f"Marsad watch: {watch['name']} ({watch['query']})")
    updated = max((rfc3339(h["announced_at"], "") for h in hits), default=now.isoformat(timespec="seconds"))
    sub(feed, "updated", updated)
    sub(sub(feed, "author"), "name", "Marsad")
    sub(feed, "generator", "Marsad")
    for hit in hits:
        entry = sub(feed, "entry")
        sub(entry, "id", f"urn:marsad:article:{hit['id']}")
        sub(entry, "title", hit["title"] or hit["url"])
        sub(entry, "link", rel="alternate", href=hit["url"], type="text/html")
        sub(entry, "published", rfc3339(hit["published_at"], hit["first_seen_at"]))
        sub(entry, "updated", rfc3339(hit["announced_at"], hit["first_seen_at"]))
        sub(sub(entry, "author"), "name", hit["author"] or hit["source_id"])
        for country in hit["countries"]:
            sub(entry, "category", term=country)
        if hit.get("excerpt"):
            sub(entry, "summary", hit["excerpt"])
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _line(hit: Mapping[str, Any]) -> tuple[str, str]:
    when = (hit["published_at"] or hit["first_seen_at"] or "")[:10]
    by = f"{hit['author']}، " if hit["author"] else ""
    return when, f"{by}{hit['source_id']}, {when}, {' '.join(hit['countries']) or '-'}"


def digest_markdown(watch: Mapping[str, Any], hits: Sequence[Mapping[str, Any]], now: datetime) -> str:
    """A Markdown digest of one batch of new articles."""
    lines = [f"# Marsad watch “{watch['name']}”: {len(hits)} new", "",
             f"Query: `{watch['query']}` · {now.isoformat(timespec='minutes')}", ""]
    for hit in hits:
        title = (hit["title"] or hit["url"]).replace("[", "(").replace("]", ")")
        lines += [f"- [{title}](<{hit['url']}>)  ", f"  {_line(hit)[1]}"]
        if hit.get("excerpt"):
            lines.append(f"  > {' '.join(hit['excerpt'].split())[:300]}")
    return "\n".join(lines) + "\n"


def digest_html(watch: Mapping[str, Any], hits: Sequence[Mapping[str, Any]], now: datetime) -> str:
    """The same digest as a standalone HTML page (right-to-left, every value escaped)."""
    esc = html.escape
    items = []
    for hit in hits:
        excerpt = f"<blockquote>{esc(' '.join(hit['excerpt'].split())[:300])}</blockquote>" if hit.get("excerpt") else ""
        items.append(f'<li><a href="{esc(hit["url"])}">{esc(hit["title"] or hit["url"])}</a>'
                     f"<br><small>{esc(_line(hit)[1])}</small>{excerpt}</li>")
    title = f"Marsad watch “{watch['name']}”: {len(hits)} new"
    return (f'<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>{esc(title)}</title>'
            f"</head><body><h1>{esc(title)}</h1><p dir=\"ltr\">Query: <code>{esc(watch['query'])}</code> · "
            f"{esc(now.isoformat(timespec='minutes'))}</p><ol>{''.join(items)}</ol></body></html>\n")


def webhook_payload(watch: Mapping[str, Any], hits: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    keys = ("id", "url", "title", "source_id", "author", "published_at", "countries", "excerpt")
    return {"watch": watch["name"], "query": watch["query"],
            "articles": [{key: hit.get(key) for key in keys} for hit in hits]}


# --- webhook ----------------------------------------------------------------------------------

class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect could lead to a private address: treat it as an error


def post_json(url: str, payload: Mapping[str, Any], timeout: float = 10.0) -> int:
    """POST `payload` as JSON without following redirects; the HTTP status (raises on errors)."""
    request = urllib.request.Request(url, data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
                                     method="POST", headers={"Content-Type": "application/json",
                                                             "User-Agent": "Marsad-watch/0.1"})
    with urllib.request.build_opener(_NoRedirect).open(request, timeout=timeout) as response:
        return response.status


def deliver(url: str, payload: Mapping[str, Any], *, check: Callable[[str], None], attempts: int = 3,
            backoff: float = 1.0, timeout: float = 10.0,
            post: Callable[..., int] = post_json) -> tuple[bool, str | None]:
    """Send with retries (backoff 1 s, 2 s, ...); (delivered?, error without the URL)."""
    try:
        check(url)
    except Exception as exc:  # UnsafeTarget and friends: never retried
        return False, f"refused: {exc}"
    error = None
    for attempt in range(attempts):
        if attempt:
            time.sleep(backoff * 2 ** (attempt - 1))
        try:
            status = post(url, payload, timeout=timeout)
            if 200 <= status < 300:
                return True, None
            error = f"HTTP {status}"
        except urllib.error.HTTPError as exc:
            error = f"HTTP {exc.code}"
            if 400 <= exc.code < 500 and exc.code not in (408, 429):
                break
        except (OSError, ValueError) as exc:
            error = type(exc).__name__ + (f": {exc.reason}" if isinstance(exc, urllib.error.URLError) else "")
    return False, (error or "failed").replace(url, redact_url(url))


# --- dispatch ---------------------------------------------------------------------------------

def dispatch(db_path: str | Path, *, check: Callable[[str], None], now: datetime | None = None,
             attempts: int = 3, backoff: float = 1.0, timeout: float = 10.0) -> dict[str, int]:
    """Announce new matching articles of every watch; {watch name: articles announced now}."""
    db = open_db(db_path)
    announced = {}
    try:
        for watch in list_watches(db):
            announced[watch["name"]] = _dispatch_one(db, watch, check, now or datetime.now(timezone.utc),
                                                     attempts, backoff, timeout)
    finally:
        db.close()
    return announced


def first_of_each_cluster(candidates: Sequence[Mapping[str, Any]]) -> list[int]:
    """Ids to announce: copies of one article (same cluster) are announced once, the earliest."""
    seen, ids = set(), []
    for candidate in candidates:
        cluster = candidate.get("cluster_id") or candidate["id"]
        if cluster not in seen:
            seen.add(cluster)
            ids.append(candidate["id"])
    return ids


def _dispatch_one(db, watch, check, now, attempts, backoff, timeout) -> int:
    upper = last_article_id(db)
    candidates = [c for c in watch_candidates(db, watch, match_expression(watch["query"])) if c["id"] <= upper]
    new_ids = claim_watch_hits(db, watch["id"], first_of_each_cluster(candidates), bool(watch["webhook"]))
    advance_watch(db, watch["id"], upper)
    folder = Path(watch["out_dir"])
    if new_ids:
        batch = watch_hits(db, watch["id"], article_ids=new_ids, limit=len(new_ids))
        stamp = now.strftime("%Y%m%dT%H%M%S%fZ")
        (folder / "digests").mkdir(parents=True, exist_ok=True)
        (folder / "digests" / f"{stamp}.md").write_text(digest_markdown(watch, batch, now), encoding="utf-8")
        (folder / "digests" / f"{stamp}.html").write_text(digest_html(watch, batch, now), encoding="utf-8")
        _write_atomically(folder / "feed.atom", atom_feed(watch, watch_hits(db, watch["id"], limit=FEED_ENTRIES), now))
        log.info("watch %s: %d new article(s)", watch["name"], len(new_ids))
    if watch["webhook"]:
        _send_pending(db, watch, check, attempts, backoff, timeout)
    return len(new_ids)


def _send_pending(db, watch, check, attempts, backoff, timeout) -> None:
    pending = watch_hits(db, watch["id"], webhook_status="pending", limit=WEBHOOK_BATCH)
    if not pending:
        return
    ok, error = deliver(watch["webhook"], webhook_payload(watch, pending), check=check,
                        attempts=attempts, backoff=backoff, timeout=timeout)
    ids = [hit["id"] for hit in pending]
    if ok:
        set_webhook_result(db, watch["id"], ids, "sent")
        return
    log.warning("watch %s: webhook %s failed (%s); will retry", watch["name"], redact_url(watch["webhook"]), error)
    give_up = [h["id"] for h in pending if h["webhook_attempts"] + 1 >= WEBHOOK_GIVE_UP or error.startswith("refused")]
    set_webhook_result(db, watch["id"], [i for i in ids if i not in give_up], "pending", error)
    set_webhook_result(db, watch["id"], give_up, "failed", error)


def _write_atomically(path: Path, data: bytes) -> None:
    """Readers never see a half-written feed: write beside it, then rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(data)
    temporary.replace(path)

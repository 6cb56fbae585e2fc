"""Dedupe stage: canonical URL, exact content hash, reprint credit → `syndicated_from`; and the
rule that names a cluster's original (`cluster_original`).

Copies are never dropped: they are stored as rows and linked to one cluster by the store
(`store.upsert_article`: same content hash, else a near-duplicate confirmed by
`pipelines.neardup` against the stored articles sharing an LSH band or a passage key).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone

from pipelines.credits import resolve_outlet
from pipelines.textwords import analyse
from pipelines.urls import canonical_url


def content_hash(text: str) -> str:
    """Hash of the Arabic-normalised word sequence: equal for copies that differ only in spelling
    variants, diacritics, punctuation or whitespace."""
    return hashlib.sha1(analyse(text).joined.encode("utf-8")).hexdigest()


def dedupe_keys(url: str, text: str, canonical_hint: str | None, reprint_credit: str | None,
                aliases: Mapping[str, str]) -> dict[str, str | None]:
    """The keys the store clusters on, and the credited outlet resolved to a registry id."""
    return {
        "canonical_url": canonical_url(url, canonical_hint),
        "content_hash": content_hash(text),
        "syndicated_from": resolve_outlet(reprint_credit, dict(aliases)) if reprint_credit else None,
    }


@dataclass(frozen=True)
class Copy:
    """One stored copy of a clustered article, as `cluster_original` needs it."""

    id: int
    source_id: str
    syndicated_from: str | None
    published_at: str | None
    first_seen_at: str | None


@dataclass(frozen=True)
class ClusterOriginal:
    original_id: int | None  # the original's row; None when the credited outlet's copy is not stored
    original_source: str  # the original outlet: registry id, or a credited name as written
    representative_id: int  # the row shown for the cluster: the original, else the earliest copy


def _when(copy: Copy) -> tuple[datetime, int]:
    """Sort key: publication time (else first seen) in UTC, then id; unknown dates sort last."""
    for value in (copy.published_at, copy.first_seen_at):
        try:
            moment = datetime.fromisoformat(value) if value else None
        except ValueError:
            moment = None
        if moment is not None:
            return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)), copy.id
    return datetime.max.replace(tzinfo=timezone.utc), copy.id


def cluster_original(copies: Iterable[Copy]) -> ClusterOriginal:
    """The cluster's original: the outlet named in a reprint credit (its earliest stored copy,
    if any), else the earliest published copy. With credits naming several outlets (a reprint of
    a reprint), the credited outlet whose own copies carry no credit wins, then the most named."""
    ordered = sorted(copies, key=_when)
    if not ordered:
        raise ValueError("a cluster has at least one copy")
    credited = Counter(c.syndicated_from for c in ordered if c.syndicated_from)
    reprinting = {c.source_id for c in ordered if c.syndicated_from}
    if credited:
        outlet = min(credited, key=lambda name: (name in reprinting, -credited[name]))
        own = [c for c in ordered if c.source_id == outlet and not c.syndicated_from] \
            or [c for c in ordered if c.source_id == outlet]
        if own:
            return ClusterOriginal(own[0].id, outlet, own[0].id)
        return ClusterOriginal(None, outlet, ordered[0].id)
    return ClusterOriginal(ordered[0].id, ordered[0].source_id, ordered[0].id)

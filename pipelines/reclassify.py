"""Recompute the classification of stored articles (after the gazetteer, the cues or the
threshold changed), from each row's stored text, title and URL — offline, no re-extraction.

The page signals that `classify` also takes (declared language, section, JSON-LD type, author
bio) come from the row's stored evidence (``evidence.inputs``, written by `classify`; for older
rows the declared language recorded in ``evidence.language.declared``) and its `author_bio`
column. Analysts' labels live in their own table (`labels`) and are applied over the
classifier's output on reading: they are neither read nor written here, so they survive.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from pipelines.classify import classify
from pipelines.config import RELEVANCE_THRESHOLD

FIELDS = ("language", "language_confidence", "relevance", "relevant", "countries", "genre")
_COLUMNS = ("id", "url", "title", "text", "author_bio", "evidence", *FIELDS)


@dataclass
class ReclassifyReport:
    rows: int = 0
    changed_ids: list[int] = field(default_factory=list)
    fields: Counter = field(default_factory=Counter)

    def lines(self) -> list[str]:
        out = [f"rows: {self.rows}", f"changed rows: {len(self.changed_ids)}"]
        return out + [f"  field {name}: {n} rows" for name, n in sorted(self.fields.items())]


def _sql(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return int(value) if isinstance(value, bool) else value


def reclassify_row(row: dict[str, Any], threshold: float = RELEVANCE_THRESHOLD) -> dict[str, Any]:
    """New classification columns (SQL forms) and merged evidence of one stored row."""
    try:
        evidence = json.loads(row.get("evidence") or "{}")
    except ValueError:
        evidence = {}
    inputs = evidence.get("inputs") or {}
    declared = inputs.get("declared_language") or (evidence.get("language") or {}).get("declared")
    result = classify(row.get("text") or "", title=row.get("title") or "", url=row.get("url") or "",
                      declared_language=declared, section=inputs.get("section"),
                      article_type=inputs.get("article_type"),
                      author_bio=row.get("author_bio") or inputs.get("author_bio"), threshold=threshold)
    values = {key: _sql(value) for key, value in asdict(result).items() if key in FIELDS}
    values["evidence"] = _sql({**evidence, **result.evidence})
    return values


def reclassify_db(db, source_ids: tuple[str, ...] = (), threshold: float = RELEVANCE_THRESHOLD,
                  dry_run: bool = False) -> ReclassifyReport:
    """Reclassify every stored article (of `source_ids`, or all); write back the rows whose
    classification changed (their evidence is refreshed with them). Labels are untouched."""
    from pipelines import store

    report = ReclassifyReport()
    for row in list(store.iter_articles(db, source_ids, _COLUMNS)):
        report.rows += 1
        new = reclassify_row(row, threshold)
        changed = [key for key in FIELDS if new[key] != row.get(key)]
        if not changed:
            continue
        report.changed_ids.append(row["id"])
        report.fields.update(changed)
        if not dry_run:
            store.update_article(db, row["id"], new)
    return report

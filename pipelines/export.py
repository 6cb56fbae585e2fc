"""Analysts' export writers: CSV that Excel opens correctly, and JSONL that keeps everything.

CSV: UTF-8 with a byte-order mark (Excel then reads Arabic correctly), every field quoted,
CRLF row ends, formula injection neutralised (a cell whose first visible character is
= + - @ or a tab/CR/LF gets a leading apostrophe, also when spaces or bidi marks come first),
and a text longer than Excel's cell limit cut with a visible marker and flagged in
`text_truncated`. JSONL: one JSON object per line, the text whole, lists as lists.

Columns (stable; documented in README): see `EXPORT_COLUMNS`.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import IO, Any

EXCEL_CELL_LIMIT = 32_767
TRUNCATION_MARKER = " […] [TRUNCATED: Excel cell limit; the full text is in the JSONL export]"
BOM = "\ufeff"

# (column, meaning) — the CSV header and JSONL keys, in this order.
EXPORT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "article id in the database"),
    ("url", "the article's URL"),
    ("title", "headline"),
    ("outlet", "registry id of the outlet that published this copy"),
    ("author", "author(s), joined with '، '; empty when none"),
    ("published_at", "publication date, ISO 8601; empty when unknown"),
    ("first_seen_at", "when Marsad first stored it (UTC)"),
    ("language", "ISO 639-1 code"),
    ("countries", "Central Asian countries discussed (ISO alpha-2), comma-separated"),
    ("genre", "opinion, news or other"),
    ("relevance", "relevance score 0..1 from the classifier"),
    ("relevant", "yes/no (an analyst's label wins over the classifier)"),
    ("labelled", "yes when an analyst's label is applied to this row"),
    ("cluster_id", "syndication cluster (the id of its original)"),
    ("cluster_size", "number of stored copies in the cluster"),
    ("outlets", "every outlet that carried the piece, comma-separated"),
    ("syndicated_from", "outlet named in a reprint credit"),
    ("word_count", "words in the text"),
    ("text", "full text (CSV: cut at Excel's 32,767-character cell limit)"),
    ("text_truncated", "yes when the CSV text cell was cut"),
)
COLUMN_NAMES = tuple(name for name, _ in EXPORT_COLUMNS)

# Characters that may come before the first visible one: spaces, bidi and zero-width marks.
_LEADING_INVISIBLE = re.compile("^[\\s\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\u061c\u00a0]*")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralise(value: str) -> str:
    """Prefix an apostrophe when a spreadsheet would read the cell as a formula."""
    if value.startswith(_FORMULA_START):
        return "'" + value
    rest = value[_LEADING_INVISIBLE.match(value).end():]
    if rest != value and rest.startswith(_FORMULA_START):
        return "'" + value
    return value


def fit_cell(value: str, limit: int = EXCEL_CELL_LIMIT) -> tuple[str, bool]:
    """`value` cut (with the marker) so that it fits one Excel cell; True when it was cut."""
    if len(value) <= limit:
        return value, False
    return value[: limit - len(TRUNCATION_MARKER)] + TRUNCATION_MARKER, True


def export_record(row: Mapping[str, Any]) -> dict[str, Any]:
    """A read row (`pipelines.read.iter_rows`) as an export record with the columns above."""
    record = {name: row.get(name) for name in COLUMN_NAMES}
    record["outlet"] = row.get("source_id")
    record["countries"] = list(row.get("countries") or [])
    record["outlets"] = list(row.get("outlets") or [])
    record["relevant"] = bool(row.get("relevant"))
    record["labelled"] = bool(row.get("labelled"))
    record["text_truncated"] = False
    return record


def csv_cells(record: Mapping[str, Any]) -> list[str]:
    """One CSV row: lists joined, booleans yes/no, every string neutralised and fitted."""
    cells: list[str] = []
    truncated = False
    for name in COLUMN_NAMES:
        value = record.get(name)
        if name == "text_truncated":  # comes after "text"
            cells.append("yes" if truncated else "no")
            continue
        if value is None:
            cell = ""
        elif isinstance(value, bool):
            cell = "yes" if value else "no"
        elif isinstance(value, (list, tuple)):
            cell = neutralise(",".join(str(v) for v in value))  # outlet ids like "-x" are valid
        elif isinstance(value, (int, float)):
            cell = str(value)
        else:
            cell = neutralise(str(value))
        cell, cut = fit_cell(cell)
        truncated = truncated or (cut and name == "text")
        cells.append(cell)
    return cells


def write_csv(rows: Iterable[Mapping[str, Any]], out: IO[str],
              progress: Callable[[int], None] | None = None) -> int:
    """Stream `rows` to `out` (opened with newline="") as Excel-safe CSV; returns the row count."""
    out.write(BOM)
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(COLUMN_NAMES)
    count = 0
    for row in rows:
        writer.writerow(csv_cells(export_record(row)))
        count += 1
        if progress:
            progress(count)
    return count


def write_jsonl(rows: Iterable[Mapping[str, Any]], out: IO[str],
                progress: Callable[[int], None] | None = None) -> int:
    """Stream `rows` to `out` as JSON Lines (text whole); returns the row count."""
    count = 0
    for row in rows:
        out.write(json.dumps(export_record(row), ensure_ascii=False) + "\n")
        count += 1
        if progress:
            progress(count)
    return count

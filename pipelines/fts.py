"""Arabic full-text search, the pure part: index documents, query parsing, snippets.

SQLite's FTS5 `unicode61` tokenizer splits Arabic words at diacritics and does not fold alef
forms, so both the index and the query are normalised here with `pipelines.arabic.normalize`.

Index: four columns per article, `title` and `body` (normalised tokens, in order: phrases work
on them) and `title_stems`/`body_stems` (for each token that starts with a proclitic — و ف ب ل ك
ال and their combinations — every reading without it). A query word `w` becomes the prefix query
`"w"*` over all four columns, so "كازاخستان" finds "وكازاخستان" (a stem reading) and
"الكازاخستانية" (prefix of the stem reading "كازاخستانيه").

Query syntax (analysts'): words (all required), `"exact phrase"`, `OR`, `AND`, `NOT word` or
`-word` (exclude), parentheses. A word naming a gazetteer entity (place, person, body) is
expanded to every spelling of that entity. Malformed syntax raises `QuerySyntaxError`.
The MATCH expression built here is passed to SQLite as a parameter; every token in it is quoted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from pipelines.arabic import PROCLITICS, normalize, strip_proclitics, tokens
from pipelines.gazetteer import Gazetteer
from pipelines.textwords import analyse

FTS_COLUMNS = ("title", "body", "title_stems", "body_stems")
SURFACE = "{title body}"
MIN_PREFIX = 3  # shorter words are matched whole, not as prefixes
SNIPPET_WORDS = 30
SNIPPET_SCAN_CHARS = 20_000  # snippets come from the start of very long texts
MARK_OPEN, MARK_CLOSE = "[", "]"

# A word as written: letters/digits plus the marks and joiners normalisation removes.
_WORD = re.compile("[\\w\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640\u200c\u200d]+")


class QuerySyntaxError(ValueError):
    """The search query cannot be parsed; the message says where, in one line."""


@lru_cache(maxsize=200_000)
def _stems(token: str) -> str:
    """The token's readings without a proclitic, space-separated ("" when it has none)."""
    return " ".join(strip_proclitics(token)[1:])


def _stem_column(words: Iterable[str]) -> str:
    return " ".join(filter(None, map(_stems, words)))


def index_document(title: str | None, text: str | None) -> tuple[str, str, str, str]:
    """The four FTS column values (title, body, title_stems, body_stems) of one article."""
    title_tokens, body = tokens(title or ""), analyse(text or "")
    return " ".join(title_tokens), body.joined, _stem_column(title_tokens), _stem_column(body.words)


@dataclass(frozen=True)
class HighlightTerm:
    """A normalised token to highlight; `prefix`: also words that start with it."""

    token: str
    prefix: bool


@dataclass
class ParsedQuery:
    """`match`: the FTS5 MATCH expression; `terms`: what to highlight in snippets;
    `expanded`: gazetteer entity id -> the spellings added for it."""

    match: str
    terms: list[HighlightTerm] = field(default_factory=list)
    expanded: dict[str, list[str]] = field(default_factory=dict)


# ----------------------------------------------------------------- lexing
_LEX = re.compile(r'\s+|"[^"]*"|"|\(|\)|[^\s"()]+')


def _lex(query: str) -> list[str]:
    parts = []
    for match in _LEX.finditer(query):
        part = match.group()
        if part.isspace():
            continue
        if part == '"':
            raise QuerySyntaxError(f"unbalanced quote at character {match.start() + 1}: close the phrase with \"")
        parts.append(part)
    return parts


# ----------------------------------------------------------------- parsing
class _Parser:
    def __init__(self, parts: list[str], gazetteer: Gazetteer | None):
        self.parts = parts
        self.pos = 0
        self.gazetteer = gazetteer
        self.terms: list[HighlightTerm] = []
        self.expanded: dict[str, list[str]] = {}

    def peek(self) -> str | None:
        return self.parts[self.pos] if self.pos < len(self.parts) else None

    def take(self) -> str:
        part = self.parts[self.pos]
        self.pos += 1
        return part

    def parse(self) -> str:
        expr = self.or_expr()
        if self.peek() is not None:
            raise QuerySyntaxError(f"unexpected {self.peek()!r}: unbalanced parenthesis?")
        return expr

    def or_expr(self) -> str:
        branches = [self.and_expr()]
        while self.peek() == "OR":
            self.take()
            if self.peek() in (None, ")", "OR", "AND"):
                raise QuerySyntaxError("OR needs a word or phrase on both sides")
            branches.append(self.and_expr())
        return branches[0] if len(branches) == 1 else "(" + " OR ".join(branches) + ")"

    def and_expr(self) -> str:
        positives, negatives = [], []
        while self.peek() not in (None, ")", "OR"):
            part = self.take()
            if part == "AND":
                if not positives and not negatives or self.peek() in (None, ")", "OR", "AND"):
                    raise QuerySyntaxError("AND needs a word or phrase on both sides")
                continue
            negate = False
            if part == "NOT" or (part.startswith("-") and len(part) > 1) or (part == "-" and self.peek() not in (None, ")")):
                negate = True
                if part in ("NOT", "-"):
                    if self.peek() in (None, ")", "OR", "AND", "NOT"):
                        raise QuerySyntaxError("NOT needs a word or phrase after it")
                    part = self.take()
                else:
                    part = part[1:]
            expr = self.primary(part, highlight=not negate)
            if expr is None:
                continue
            (negatives if negate else positives).append(expr)
        if not positives:
            if self.peek() == "OR":
                raise QuerySyntaxError("OR needs a word or phrase on both sides")
            if negatives:
                raise QuerySyntaxError("a query needs at least one word to look for; NOT/- only excludes")
            raise QuerySyntaxError("empty query or group: give at least one word")
        expr = positives[0] if len(positives) == 1 else "(" + " AND ".join(positives) + ")"
        if negatives:
            expr = f"({expr} NOT " + (negatives[0] if len(negatives) == 1 else "(" + " OR ".join(negatives) + ")") + ")"
        return expr

    def primary(self, part: str, highlight: bool) -> str | None:
        if part == "(":
            expr = self.or_expr()
            if self.peek() != ")":
                raise QuerySyntaxError("unbalanced parenthesis: a ( is never closed")
            self.take()
            return expr
        if part == ")":
            raise QuerySyntaxError("unbalanced parenthesis: ) without (")
        if part.startswith('"'):
            words = tokens(part[1:-1])
            if not words:
                return None
            if highlight:
                self.terms.extend(HighlightTerm(w, False) for w in words)
            return f"{SURFACE} : {_quote(words)}"
        words = tokens(part.rstrip("*"))
        if not words:
            return None
        return self.word(words, highlight)

    def word(self, words: list[str], highlight: bool) -> str:
        """Unquoted word(s): light stemming by prefix + stem columns, gazetteer spellings added."""
        alternatives: list[str] = []
        forms: list[tuple[str, ...]] = [tuple(words)]
        entity = self._entity(words)
        if entity is not None:
            spellings = _entity_forms(self.gazetteer, entity)
            forms += [f for f in spellings if f != tuple(words)]
            self.expanded[entity] = [" ".join(f) for f in _drop_covered(spellings)]
        for form in _drop_covered(forms):
            if len(form) == 1:
                alternatives.append(_quote(form) + ("*" if len(form[0]) >= MIN_PREFIX else ""))
                if highlight:
                    self.terms.append(HighlightTerm(form[0], len(form[0]) >= MIN_PREFIX))
            else:
                alternatives += [f"{SURFACE} : {_quote((c + form[0],) + form[1:])}*" for c in ("",) + PROCLITICS]
                if highlight:
                    self.terms.extend(HighlightTerm(w, True) for w in form)
        return alternatives[0] if len(alternatives) == 1 else "(" + " OR ".join(alternatives) + ")"

    def _entity(self, words: list[str]) -> str | None:
        if self.gazetteer is None:
            return None
        candidates = [tuple(words)]
        if len(words) == 1:
            candidates += [(r,) for r in strip_proclitics(words[0])[1:]]
        else:
            candidates += [(r,) + tuple(words[1:]) for r in strip_proclitics(words[0])[1:]]
        for form in candidates:
            entity = self.gazetteer.forms.get(form)
            if entity is not None and not entity.near_topic:
                return entity.id
        return None


def _quote(words) -> str:
    return '"' + " ".join(w.replace('"', '""') for w in words) + '"'


def _drop_covered(forms: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """Single-word forms already found by a shorter prefix form are dropped (كازاخستاني ⊂ كازاخستان*)."""
    singles = sorted({f[0] for f in forms if len(f) == 1 and len(f[0]) >= MIN_PREFIX}, key=len)
    kept: list[tuple[str, ...]] = []
    for form in dict.fromkeys(forms):
        if len(form) == 1 and any(form[0] != s and form[0].startswith(s) for s in singles):
            continue
        kept.append(form)
    return kept


def _entity_forms(gazetteer: Gazetteer, entity_id: str) -> list[tuple[str, ...]]:
    return sorted((f for f, e in gazetteer.forms.items() if e.id == entity_id), key=lambda f: (len(f), f))


def parse_query(query: str, gazetteer: Gazetteer | None = None) -> ParsedQuery:
    """Analysts' query -> FTS5 MATCH expression over the index of `index_document`.

    >>> parse_query("كازاخستان").match
    '"كازاخستان"*'
    """
    parts = _lex(query)
    if not parts:
        raise QuerySyntaxError("empty query: give at least one word")
    parser = _Parser(parts, gazetteer)
    match = parser.parse()
    return ParsedQuery(match, list(dict.fromkeys(parser.terms)), parser.expanded)


# ----------------------------------------------------------------- snippets
@lru_cache(maxsize=100_000)
def _readings(word: str) -> tuple[str, ...]:
    return tuple(strip_proclitics(normalize(word)))


def _hit(word: str, terms: list[HighlightTerm]) -> bool:
    for reading in _readings(word):
        for term in terms:
            if reading == term.token or (term.prefix and reading.startswith(term.token)):
                return True
    return False


def snippet(text: str | None, terms: list[HighlightTerm], words: int = SNIPPET_WORDS) -> str:
    """The window of `words` words of the ORIGINAL text with the most query hits, hits in [ ]."""
    found = list(_WORD.finditer((text or "")[:SNIPPET_SCAN_CHARS]))
    if not found:
        return ""
    hits = [_hit(m.group(), terms) for m in found]
    best, best_count = 0, -1
    running = sum(hits[:words])
    for start in range(0, max(1, len(found) - words + 1)):
        if start:
            running += (hits[start + words - 1] if start + words - 1 < len(found) else 0) - hits[start - 1]
        if running > best_count:
            best, best_count = start, running
    if best_count > 0:  # start a few words before the first hit, for context
        first = next(i for i in range(best, min(best + words, len(found))) if hits[i])
        best = max(0, min(best, first - 3))
    end = min(len(found), best + words)
    pieces, cursor = [], found[best].start()
    for i in range(best, end):
        m = found[i]
        pieces.append(text[cursor:m.start()])
        pieces.append(f"{MARK_OPEN}{m.group()}{MARK_CLOSE}" if hits[i] else m.group())
        cursor = m.end()
    body = " ".join("".join(pieces).split())
    return ("… " if best > 0 else "") + body + (" …" if end < len(found) else "")

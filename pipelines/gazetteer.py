"""Central Asia gazetteer: load `data/gazetteer.toml` and find its names in Arabic text.

Names are matched on normalised tokens (pipelines.arabic), allowing proclitics (و ف ب ل ك ال and
their combinations) on the first token and nisba suffixes (ي ية يون يين يات) on single-token
names and adjectives, never inside unrelated words. Near-topic phrases (the Syria talks in
Astana, Iraqi Turkmen, ...) are matched first and mask the tokens they cover.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pipelines.arabic import NISBA_SUFFIXES, strip_proclitics, tokens

COUNTRIES = ("KZ", "UZ", "KG", "TJ", "TM")


@dataclass(frozen=True)
class Entity:
    id: str
    kind: str
    countries: tuple[str, ...]
    weight: float
    ambiguous: bool = False
    near_topic: bool = False


@dataclass(frozen=True)
class Match:
    entity: Entity
    start: int  # token index
    end: int  # token index, exclusive
    surface: str  # the matched tokens as written (normalised)


class Gazetteer:
    """Surface forms (tuples of normalised tokens) mapped to entities, longest form first."""

    def __init__(self, forms: dict[tuple[str, ...], Entity]):
        self.forms = forms
        self.by_first: dict[str, list[tuple[str, ...]]] = {}
        for form in sorted(forms, key=len, reverse=True):
            self.by_first.setdefault(form[0], []).append(form)

    @classmethod
    def from_toml(cls, path: Path | str) -> "Gazetteer":
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        forms: dict[tuple[str, ...], Entity] = {}

        def add(name: str, entity: Entity, nisba: bool) -> None:
            form = tuple(tokens(name))
            if not form:
                return
            forms.setdefault(form, entity)
            if nisba and len(form) == 1:
                stem = form[0][:-1] if form[0].endswith("ي") else form[0]
                for suffix in NISBA_SUFFIXES:
                    forms.setdefault((stem + suffix,), entity)

        for raw in data.get("near_topic", []):
            entity = Entity(raw["id"], "near_topic", (), 0.0, near_topic=True)
            for name in raw.get("names", []):
                add(name, entity, nisba=False)
        for raw in data.get("entity", []):
            entity = Entity(
                raw["id"], raw.get("kind", "place"), tuple(raw.get("countries", [])),
                float(raw.get("weight", 1.0)), bool(raw.get("ambiguous", False)),
            )
            for name in raw.get("names", []):
                add(name, entity, nisba=entity.kind == "country")
            for name in raw.get("adjectives", []):
                add(name, entity, nisba=True)
        return cls(forms)

    def find(self, words: list[str]) -> list[Match]:
        """All non-overlapping matches in a list of normalised tokens, near topics first."""
        matches: list[Match] = []
        taken = [False] * len(words)
        for near_pass in (True, False):
            i = 0
            while i < len(words):
                match = None if taken[i] else self._match_at(words, i, near_pass)
                if match is None:
                    i += 1
                    continue
                if not any(taken[match.start:match.end]):
                    matches.append(match)
                    for j in range(match.start, match.end):
                        taken[j] = True
                i = match.end
        return sorted(matches, key=lambda m: m.start)

    def _match_at(self, words: list[str], i: int, near_pass: bool) -> Match | None:
        for reading in strip_proclitics(words[i]):
            for form in self.by_first.get(reading, ()):
                entity = self.forms[form]
                if entity.near_topic != near_pass:
                    continue
                end = i + len(form)
                if tuple(words[i + 1:end]) == form[1:]:
                    return Match(entity, i, end, " ".join(words[i:end]))
        return None


@lru_cache(maxsize=4)
def load_gazetteer(path: str) -> Gazetteer:
    """Cached loader (the gazetteer is read once per process)."""
    return Gazetteer.from_toml(path)

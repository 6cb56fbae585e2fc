"""Central Asia gazetteer: load `data/gazetteer.toml` and find its names in Arabic text.

Names are matched on normalised tokens (pipelines.arabic), allowing proclitics (و ف ب ل ك ال and
their combinations) on the first token, nisba suffixes (ي ية يون يين يات) on single-token
names and adjectives, and the case endings other Arabic-script languages put on names
(`NAME_SUFFIXES`: "تۆرکمنستانا", "قازاقىستاندىكى") on the last token, never inside unrelated
words (a whole token must be name + affixes, with a stem of at least 5 letters for suffixes). Near-topic phrases (the Syria talks in
Astana, Iraqi Turkmen, ...) are matched first and mask the tokens they cover.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pipelines.arabic import NISBA_SUFFIXES, strip_suffixes, tokens, word_readings

COUNTRIES = ("KZ", "UZ", "KG", "TJ", "TM")
CACHE_SIZE = 200_000  # tokens whose candidate readings are remembered (cleared when full)


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
        self._cache: dict[str, tuple[str, ...]] = {}
        self._starting: set[str] = set()  # the cached words with candidates
        self.by_first: dict[str, list[tuple[str, ...]]] = {}
        for form in sorted(forms, key=len, reverse=True):
            self.by_first.setdefault(form[0], []).append(form)
        # The same lists split by pass: near-topic forms, other forms (order kept).
        self._by_first_pass: dict[bool, dict[str, list[tuple[str, ...]]]] = {True: {}, False: {}}
        for first, listed in self.by_first.items():
            for form in listed:
                self._by_first_pass[forms[form].near_topic].setdefault(first, []).append(form)

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

    def find(self, words: list[str], starting: set[str] | None = None) -> list[Match]:
        """All non-overlapping matches in a list of normalised tokens, near topics first.

        `starting`: `candidate_words` of these words (or of more), when the caller has it."""
        matches: list[Match] = []
        taken = [False] * len(words)
        if starting is None:
            starting = self.candidate_words(words)
        starts = [i for i, word in enumerate(words) if word in starting]
        for near_pass in (True, False):
            for i in starts:
                if taken[i]:
                    continue
                match = self._match_at(words, i, near_pass)
                if match is not None and not any(taken[match.start:match.end]):
                    matches.append(match)
                    for j in range(match.start, match.end):
                        taken[j] = True
        return sorted(matches, key=lambda m: m.start)

    def _match_at(self, words: list[str], i: int, near_pass: bool) -> Match | None:
        """The longest form starting at token i: its first token may carry proclitics, its last
        token a name suffix (`pipelines.arabic.word_readings`); tokens between match exactly."""
        by_first = self._by_first_pass[near_pass]
        for reading in self._candidates(words[i]):
            for form in by_first.get(reading, ()):
                entity = self.forms[form]
                end = i + len(form)
                if len(form) == 1 or self._rest_matches(words[i + 1:end], form[1:]):
                    return Match(entity, i, end, " ".join(words[i:end]))
        return None

    def candidate_words(self, words: Iterable[str]) -> set[str]:
        """The distinct words among `words` that may start a match (a reading begins a form)."""
        words = set(words)
        new = words.difference(self._cache)  # iterates `words`, looks each up in the cache
        if len(self._cache) + len(new) > CACHE_SIZE:  # the cache will be cleared on the way
            return {word for word in words if self._candidates(word)}
        for word in new:
            self._candidates(word)
        return words & self._starting

    def _candidates(self, word: str) -> tuple[str, ...]:
        """Readings of `word` (`word_readings`) that begin some form, cached per token."""
        found = self._cache.get(word)
        if found is None:
            if len(self._cache) > CACHE_SIZE:
                self._cache.clear()
                self._starting.clear()
            found = self._cache[word] = tuple(r for r in word_readings(word) if r in self.by_first)
            if found:
                self._starting.add(word)
        return found

    @staticmethod
    def _rest_matches(words: list[str], rest: tuple[str, ...]) -> bool:
        if len(words) != len(rest) or tuple(words[:-1]) != rest[:-1]:
            return False
        return words[-1] == rest[-1] or rest[-1] in strip_suffixes(words[-1])


@lru_cache(maxsize=4)
def load_gazetteer(path: str) -> Gazetteer:
    """Cached loader (the gazetteer is read once per process)."""
    return Gazetteer.from_toml(path)

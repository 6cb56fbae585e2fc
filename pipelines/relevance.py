"""Central Asia relevance and country tags from gazetteer matches, with their evidence (pure).

Matching: the title and every sentence of the text are matched against the gazetteer
(`pipelines.gazetteer`); a text without a title that is one short line (a headline, at most
`HEADLINE_WORDS` words) is read as a title.

Each Central Asia match is a *hit* with a place and a strength:

* place — ``title`` (factor 3), ``lead`` (the first `LEAD_PARAGRAPHS` paragraphs, 1.5), ``body``
  (1), or ``dateline`` (a place name in the dateline that opens a report, "أستانا - (وكالات):",
  factor `DATELINE_FACTOR`: the dateline says where the reporter was, not what the story is
  about — the Syria talks reported from Astana);
* in a list — a run of at least `LIST_MIN` country or near-topic names close together ("أذربيجان
  وكازاخستان وتركمانستان", factor `LIST_FACTOR`): a country named in a list is a passing mention;
* strong — neither in a dateline nor in a list.

Score: each entity scores its weight x place factor per hit, at most `MAX_HITS_PER_ENTITY` hits
per entity; an ambiguous name counts half unless an unambiguous name of the same country also
occurs. The raw sum is squashed to 0..1 (1 - exp(-raw / `SCALE`)) and scaled by how widely the
hits spread over the paragraphs (x min(1, 0.55 + share of paragraphs hit)).

`relevant`: score >= threshold AND the text discusses Central Asia beyond one sentence — a strong
hit in the title (or headline), or strong hits in at least two sentences. A single sentence
(a passing mention, a venue, a dateline plus one nisba) is not enough on its own; near-topic
matches (Afghanistan, Xinjiang, the Astana talks, Iraqi Turkmen ...) never count.

`countries` (the countries substantially discussed): a country whose score is at least
`COUNTRY_SHARE` of the leading country's, with a strong hit, and either a strong hit in the
title, or hits in at least two sentences, or hits of at least two distinct entities (Kazakhstan
and Tokayev; a shared region such as the Aral Sea counts for each of its countries). So a
country named once in passing — the seed op-ed's single mention of Kyrgyzstan — or only inside a
list, or only in one background sentence (Uzbekistan beside the Rogun dam) is recorded in
``evidence.mentioned`` but not tagged.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from pipelines.arabic import normalize, tokens
from pipelines.gazetteer import COUNTRIES, Gazetteer, Match

MAX_HITS_PER_ENTITY = 4
SCALE = 9.0
COUNTRY_SHARE = 1 / 3
LEAD_PARAGRAPHS = 2
HEADLINE_WORDS = 15
DATELINE_FACTOR = 0.25
LIST_FACTOR = 0.3
LIST_MIN = 3
LIST_GAP = 2  # at most this many tokens between two names of one list
PLACE_FACTOR = {"title": 3.0, "lead": 1.5, "body": 1.0, "dateline": 1.0}
_LISTABLE = ("country", "ethnonym", "near_topic")
_WORD_OR_COMMA = re.compile(r"\w+|[,;]")
_CONJUNCTIONS = frozenset({"و", "او", "and", "or", "اور", "يا", "и", "или", "ve", "va", "ва", "ۋه", "هم"})
# Whitespace after . ! ? ؟ … ۔ — written as "a whitespace character preceded by one of them" so
# the regex engine only tries whitespace positions (same matches as (?<=[.!?؟…۔])\s+).
_SENTENCE_END = re.compile(r"\s(?<=[.!?؟…۔]\s)\s*")


@dataclass(frozen=True)
class Hit:
    match: Match
    place: str  # title | dateline | lead | body
    sentence: int  # -1 for the title
    in_list: bool

    @property
    def strong(self) -> bool:
        return self.place != "dateline" and not self.in_list


@dataclass
class Relevance:
    score: float
    relevant: bool
    countries: list[str]
    evidence: dict[str, Any]


def sentences(paragraph: str) -> list[str]:
    """A paragraph cut into sentences at . ! ? ؟ … followed by a space."""
    return [s for s in _SENTENCE_END.split(paragraph) if s.strip()]


def _normalized_units(texts: list[str]) -> list[str]:
    """`normalize` of each text, in one call: the texts joined by newlines, normalised, split.
    Exact: normalisation never creates, removes or reaches across a newline (NFKC, the dropped
    characters, the letter folding and lower-casing all work within a line); texts holding a
    newline themselves are normalised one by one."""
    if not texts or any("\n" in text for text in texts):
        return [normalize(text) for text in texts]
    return normalize("\n".join(texts)).split("\n")


def _words_and_commas(found: list[str]) -> tuple[list[str], set[int]]:
    """From the word and comma tokens of a normalised text (`_WORD_OR_COMMA`): the word tokens
    (as `pipelines.arabic.tokens`) and the indices of words that follow a comma or semicolon."""
    if "," not in found and ";" not in found:
        return found, set()
    words: list[str] = []
    after_comma: set[int] = set()
    for token in found:
        if token in ",;":
            after_comma.add(len(words))
        else:
            words.append(token)
    return words, after_comma


def _list_members(matches: list[Match], words: list[str], after_comma: set[int],
                  gazetteer: Gazetteer) -> set[int]:
    """Start tokens of matches that belong to a list: a run of >= LIST_MIN country, ethnonym or
    near-topic names, each after the first joined to the one before by a comma, a conjunction
    (و attached or standing alone, "and", "اور" ...) with at most LIST_GAP tokens between them
    that are conjunctions or other names (a leader's name after each country)."""
    covered = {i for m in matches for i in range(m.start, m.end)}
    names = [m for m in matches if m.entity.kind in _LISTABLE]
    members: set[int] = set()
    run: list[Match] = []

    def joined(previous: Match, match: Match) -> bool:
        gap = range(previous.end, match.start)
        if len(gap) > LIST_GAP or any(i not in covered and words[i] not in _CONJUNCTIONS for i in gap):
            return False
        token = words[match.start]
        attached = token.startswith("و") and token not in gazetteer.by_first
        return attached or match.start in after_comma or any(words[i] in _CONJUNCTIONS for i in gap)

    for match in names + [None]:
        if match is not None and run and joined(run[-1], match):
            run.append(match)
            continue
        if len(run) >= LIST_MIN:
            members.update(m.start for m in run)
        run = [match] if match is not None else []
    return members


def find_hits(title: str, paragraphs: list[str], gazetteer: Gazetteer,
              dateline: str | None = None) -> tuple[list[Hit], Counter]:
    """Central Asia hits of the title and the text, and the near-topic matches counted by id.

    `dateline`: the dateline opening the first paragraph, if any (its names become ``dateline``
    hits)."""
    return _find_hits(title, [sentences(p) for p in paragraphs], gazetteer, dateline)


def _find_hits(title: str, split: list[list[str]], gazetteer: Gazetteer,
               dateline: str | None) -> tuple[list[Hit], Counter]:
    """`find_hits` on paragraphs already cut into sentences. All sentences are normalised in one
    call, and a sentence holding no word that may start a gazetteer name is skipped."""
    hits: list[Hit] = []
    near: Counter = Counter()
    dateline_tokens = len(tokens(dateline)) if dateline else 0
    units: list[tuple[str, int, str, int]] = [("title", -1, title, 0)] if title else []
    index = 0
    for p, paragraph in enumerate(split):
        place = "lead" if p < LEAD_PARAGRAPHS else "body"
        for s, sentence in enumerate(paragraph):
            units.append((place, index, sentence, dateline_tokens if p == 0 and s == 0 else 0))
            index += 1
    found = [_WORD_OR_COMMA.findall(text) for text in _normalized_units([u[2] for u in units])]
    starts = gazetteer.candidate_words(set().union(*found))
    for (place, sentence, _, dateline_len), unit_tokens in zip(units, found):
        if starts.isdisjoint(unit_tokens):
            continue  # no match can start here
        words, after_comma = _words_and_commas(unit_tokens)
        matches = gazetteer.find(words, starts)
        listed = _list_members([m for m in matches if m.start >= dateline_len], words, after_comma, gazetteer)
        for match in matches:
            if match.entity.near_topic:
                near[match.entity.id] += 1
                continue
            where = "dateline" if match.start < dateline_len else place
            hits.append(Hit(match, where, sentence, match.start in listed))
    return hits, near


def _factor(hit: Hit) -> float:
    factor = PLACE_FACTOR[hit.place] * (DATELINE_FACTOR if hit.place == "dateline" else 1.0)
    return factor * (LIST_FACTOR if hit.in_list else 1.0)


def score_hits(hits: list[Hit], n_paragraphs: int, paragraph_of: dict[int, int],
               threshold: float) -> Relevance:
    """Relevance score, decision, country tags and evidence from the hits of one article."""
    by_entity: dict[str, list[Hit]] = defaultdict(list)
    for hit in hits:
        by_entity[hit.match.entity.id].append(hit)
    unambiguous = {c for hs in by_entity.values() for c in hs[0].match.entity.countries
                   if not hs[0].match.entity.ambiguous}
    raw = 0.0
    per_country: Counter = Counter()
    matched: dict[str, dict[str, int]] = {}
    for eid, entity_hits in by_entity.items():
        entity = entity_hits[0].match.entity
        weight = entity.weight
        if entity.ambiguous and not (set(entity.countries) & unambiguous):
            weight /= 2
        ordered = sorted(entity_hits, key=_factor, reverse=True)[:MAX_HITS_PER_ENTITY]
        score = sum(weight * _factor(h) for h in ordered)
        raw += score
        for country in entity.countries:
            per_country[country] += score / len(entity.countries)
        places = Counter(("list" if h.in_list else h.place) for h in entity_hits)
        matched[eid] = dict(places)
    paragraphs_hit = {paragraph_of[h.sentence] for h in hits if h.sentence >= 0}
    spread = len(paragraphs_hit) / max(1, n_paragraphs)
    spread_factor = min(1.0, 0.55 + spread) if n_paragraphs else 1.0  # a headline alone
    relevance = round((1 - math.exp(-raw / SCALE)) * spread_factor, 3)

    strong = [h for h in hits if h.strong]
    strong_sentences = {h.sentence for h in strong}
    beyond_one_sentence = -1 in strong_sentences or len(strong_sentences) >= 2
    countries = _countries(hits, per_country)
    evidence = {
        "matches": matched,
        "surfaces": dict(Counter(h.match.surface for h in hits).most_common(20)),
        "country_scores": {c: round(per_country[c], 2) for c in COUNTRIES if per_country[c]},
        "mentioned": sorted(c for c in per_country if c not in countries),
        "raw_score": round(raw, 2),
        "spread": round(spread, 2),
        "strong_sentences": len(strong_sentences - {-1}),
        "in_title": -1 in strong_sentences,
    }
    relevant = relevance >= threshold and beyond_one_sentence
    return Relevance(relevance, relevant, countries if relevant else [], evidence)


def _countries(hits: list[Hit], per_country: Counter) -> list[str]:
    """Countries substantially discussed (see the module docstring)."""
    top = max(per_country.values(), default=0.0)
    tagged = []
    for country in COUNTRIES:
        own = [h for h in hits if country in h.match.entity.countries]
        if not own or per_country[country] < COUNTRY_SHARE * top or per_country[country] <= 0:
            continue
        strong = [h for h in own if h.strong and len(h.match.entity.countries) == 1]
        if not strong:
            continue
        in_title = any(h.sentence == -1 for h in strong)
        sentences_hit = {h.sentence for h in own}
        entities = {h.match.entity.id for h in own}
        if in_title or len(sentences_hit) >= 2 or len(entities) >= 2:
            tagged.append(country)
    return tagged


def relevance_of(title: str, paragraphs: list[str], gazetteer: Gazetteer, *,
                 threshold: float, dateline: str | None = None) -> Relevance:
    """Relevance, countries and evidence of one article (title + paragraphs of its text)."""
    if not title and len(paragraphs) == 1 and len(paragraphs[0].split()) <= HEADLINE_WORDS:
        title, paragraphs, dateline = paragraphs[0], [], None
    split = [sentences(p) for p in paragraphs]
    hits, near = _find_hits(title, split, gazetteer, dateline)
    paragraph_of: dict[int, int] = {}
    index = 0
    for p, paragraph in enumerate(split):
        for _ in paragraph:
            paragraph_of[index] = p
            index += 1
    result = score_hits(hits, len(paragraphs), paragraph_of, threshold)
    result.evidence["near_topics"] = dict(near)
    return result

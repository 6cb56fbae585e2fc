"""Classification stage: language, Central Asia relevance and countries, genre — with evidence.

`classify` is pure and deterministic (its Scrapy adapter is `pipelines.workers.StagesPipeline`,
which runs extraction, classification and dedupe keys in worker processes). The work is done
by one module per task: `pipelines.language` (language and confidence), `pipelines.relevance`
(gazetteer hits → relevance score, decision, countries), `pipelines.genre` (opinion / news /
other). Relevance is judged by topic whatever the language (an English column about Uzbekistan is
relevant; analysts filter on `language` separately).

The evidence records why: ``language`` (scripts, letters, function words, langdetect guesses,
the rule applied), ``relevance`` (matched entities with counts per place — title, lead, body,
dateline, list — the matched spellings, country scores, countries mentioned but not tagged,
near topics), ``genre`` (the scores and the signals behind them) and ``inputs`` (the page
signals given to `classify`: declared language, section, JSON-LD type, author bio), so that
`marsad reclassify` can recompute a stored row from its stored text alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pipelines.config import GAZETTEER, RELEVANCE_THRESHOLD
from pipelines.gazetteer import Gazetteer, load_gazetteer
from pipelines.genre import dateline, genre_of
from pipelines.language import detect_language
from pipelines.relevance import relevance_of


@dataclass
class Classification:
    language: str
    language_confidence: float
    relevance: float
    relevant: bool
    countries: list[str]
    genre: str
    evidence: dict[str, Any] = field(default_factory=dict)


def classify(
    text: str,
    *,
    title: str = "",
    url: str = "",
    declared_language: str | None = None,
    section: str | None = None,
    article_type: str | None = None,
    author_bio: str | None = None,
    gazetteer: Gazetteer | None = None,
    threshold: float = RELEVANCE_THRESHOLD,
) -> Classification:
    """Classify one article's text; deterministic for the same input."""
    gazetteer = gazetteer or load_gazetteer(str(GAZETTEER))
    text = text or ""
    title = title or ""
    lang = detect_language(f"{title}\n{text}" if title else text, declared_language)
    paragraphs = [p for p in text.split("\n") if p.strip()]
    opening = dateline(paragraphs[0]) if paragraphs else None
    relevance = relevance_of(title, paragraphs, gazetteer, threshold=threshold, dateline=opening)
    genre = genre_of(text, language=lang.code, url=url, section=section,
                     article_type=article_type, author_bio=author_bio)
    inputs = {"declared_language": declared_language, "section": section,
              "article_type": article_type, "author_bio": author_bio}
    return Classification(
        language=lang.code,
        language_confidence=round(lang.confidence, 3),
        relevance=relevance.score,
        relevant=relevance.relevant,
        countries=relevance.countries,
        genre=genre.genre,
        evidence={"language": lang.evidence, "relevance": relevance.evidence,
                  "genre": {"scores": genre.scores, **genre.signals},
                  "inputs": {k: v for k, v in inputs.items() if v}},
    )

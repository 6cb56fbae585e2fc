"""Classification stage: language, Central Asia relevance and countries, genre — with evidence.

`classify` is pure; `ClassifyPipeline` is its Scrapy adapter.

Relevance: each gazetteer match scores its entity's weight times a place factor (title 3,
lead 1.5, body 1), at most `MAX_HITS_PER_ENTITY` hits per entity; ambiguous names count half
unless an unambiguous name of the same country also occurs. The raw score is squashed to 0..1
(1 - exp(-raw / SCALE)) and scaled by how widely the matches spread over the paragraphs, so a
passing mention in one sentence of a long piece stays low. `countries` are those whose own
score is at least `COUNTRY_SHARE` of the leading country's and that are named at least twice
or in the title: a country named once in passing (the seed op-ed's Kyrgyzstan) is recorded in
`evidence.mentioned` but not tagged.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from itemadapter import ItemAdapter

from pipelines.arabic import normalize, tokens
from pipelines.config import GAZETTEER
from pipelines.gazetteer import COUNTRIES, Gazetteer, load_gazetteer
from pipelines.language import detect_language

MAX_HITS_PER_ENTITY = 4
SCALE = 9.0
COUNTRY_SHARE = 0.25
RELEVANCE_THRESHOLD = 0.5
LEAD_PARAGRAPHS = 2

_OPINION_PATH = re.compile(
    r"/(opinions?|views?|columns?|columnists?|blogs?|maqalat|maqal|articles?|ara2|araa|ray|kuttab|writers?|editorials?|"
    r"مقالات|مقال|آراء|اراء|رأي|راي|الرأي|كتاب|كتّاب|وجهات-نظر)(/|$|-)", re.I)
_NEWS_PATH = re.compile(r"/(news|akhbar|أخبار|اخبار|عاجل|politics/news)(/|$|-)", re.I)
_OPINION_SECTION = re.compile(r"مقال|آراء|اراء|رأي|راي|كتاب|كتّاب|وجهات نظر|أقلام|اقلام|opinion|column|views|editorial", re.I)
_NEWS_SECTION = re.compile(r"أخبار|اخبار|محليات|عاجل|news", re.I)
_FIRST_PERSON = re.compile(
    r"\b(ارى|اعتقد|اظن|في تقديري|في رايي|برايي|من وجهه نظري|لا بد|لابد|ينبغي|علينا|نحن|اننا|لعل|"
    r"اليس|هل يمكن|والسوال|السوال هو|يبدو لي|لا شك|في ظني|اقول|قلت)\b")
_DATELINE = re.compile(r"^[\w\s]{2,25}\s*[-–ـ]\s*[(\w]", re.U)
_AGENCY = re.compile(r"\((وكالات|ا ف ب|اف ب|رويترز|د ب ا|الاناضول|سبوتنيك|واس|وام|قنا|بنا|كونا|ا ش ا)\)|"
                     r"\b(وكاله الانباء|وكالات|رويترز|فرانس برس|اسوشيتد برس|الاناضول|تاس|نوفوستي)\b")
_REPORTING = re.compile(r"\b(قال|قالت|اعلن|اعلنت|افاد|افادت|صرح|اكد|اكدت|ذكرت|اوضح|اضاف|اضافت|بحسب|وفق)\b")


@dataclass
class Classification:
    language: str
    language_confidence: float
    relevance: float
    relevant: bool
    countries: list[str]
    genre: str
    evidence: dict[str, Any] = field(default_factory=dict)


def _relevance(title: str, paragraphs: list[str], gazetteer: Gazetteer) -> tuple[float, list[str], dict]:
    places = [("title", title)] + [("lead" if i < LEAD_PARAGRAPHS else "body", p) for i, p in enumerate(paragraphs)]
    factor = {"title": 3.0, "lead": 1.5, "body": 1.0}
    hits: dict[str, Counter] = defaultdict(Counter)  # entity id -> place -> count
    entities = {}
    near: Counter = Counter()
    paragraphs_hit: set[int] = set()
    for index, (place, text) in enumerate(places):
        for match in gazetteer.find(tokens(text)):
            if match.entity.near_topic:
                near[match.entity.id] += 1
                continue
            entities[match.entity.id] = match.entity
            hits[match.entity.id][place] += 1
            if index > 0:
                paragraphs_hit.add(index)
    unambiguous_countries = {c for eid, e in entities.items() if not e.ambiguous for c in e.countries}
    raw = 0.0
    per_country: Counter = Counter()
    mentions: Counter = Counter()
    title_countries: set[str] = set()
    matched = {}
    for eid, places_hit in hits.items():
        entity = entities[eid]
        weight = entity.weight
        if entity.ambiguous and not (set(entity.countries) & unambiguous_countries):
            weight /= 2
        budget = MAX_HITS_PER_ENTITY
        score = 0.0
        for place in ("title", "lead", "body"):
            n = min(places_hit[place], budget)
            budget -= n
            score += n * weight * factor[place]
        raw += score
        for country in entity.countries:
            per_country[country] += score / len(entity.countries)
            mentions[country] += sum(places_hit.values())
            if places_hit["title"]:
                title_countries.add(country)
        matched[eid] = dict(places_hit)
    spread = len(paragraphs_hit) / max(1, len(paragraphs))
    relevance = (1 - math.exp(-raw / SCALE)) * min(1.0, 0.55 + spread)
    top = max(per_country.values(), default=0.0)
    countries = [
        c for c in COUNTRIES
        if per_country[c] > 0 and per_country[c] >= COUNTRY_SHARE * top
        and (mentions[c] >= 2 or c in title_countries)
    ]
    evidence = {
        "matches": matched,
        "country_scores": {c: round(per_country[c], 2) for c in COUNTRIES if per_country[c]},
        "mentioned": sorted(c for c in per_country if c not in countries),
        "near_topics": dict(near),
        "raw_score": round(raw, 2),
        "spread": round(spread, 2),
    }
    return round(relevance, 3), countries, evidence


def _genre(text: str, paragraphs: list[str], url: str, section: str | None,
           article_type: str | None, author_bio: str | None) -> tuple[str, dict]:
    opinion: dict[str, float] = {}
    news: dict[str, float] = {}
    path = unquote(urlsplit(url).path) if url else ""
    if _OPINION_PATH.search(path):
        opinion["url"] = 3
    if _NEWS_PATH.search(path):
        news["url"] = 2
    if section and _OPINION_SECTION.search(section):
        opinion["section"] = 3
    elif section and _NEWS_SECTION.search(section):
        news["section"] = 2
    if article_type == "OpinionNewsArticle":
        opinion["json-ld"] = 4
    elif article_type in ("ReportageNewsArticle", "NewsArticle"):
        news["json-ld"] = 0.5
    if author_bio:
        opinion["signature"] = 2
    norm = normalize(text[:6000])
    first_person = len(_FIRST_PERSON.findall(norm))
    if first_person:
        opinion["first_person"] = min(3.0, first_person * 0.75)
    questions = norm.count("?")
    if questions:
        opinion["questions"] = min(1.5, questions * 0.5)
    lead = normalize(paragraphs[0]) if paragraphs else ""
    if _DATELINE.match(lead):
        news["dateline"] = 2
    agencies = len(_AGENCY.findall(norm))
    if agencies:
        news["agency"] = min(3.0, 1.5 * agencies)
    reporting = len(_REPORTING.findall(norm))
    if reporting:
        news["reporting"] = min(3.0, reporting * 0.5)
    o, n = sum(opinion.values()), sum(news.values())
    genre = "other" if max(o, n) < 2 else "opinion" if o > n else "news"
    return genre, {"opinion": opinion, "news": news}


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
    lang = detect_language(f"{title}\n{text}" if title else text, declared_language)
    paragraphs = [p for p in text.split("\n") if p.strip()]
    relevance, countries, rel_evidence = _relevance(title or "", paragraphs, gazetteer)
    genre, genre_evidence = _genre(text, paragraphs, url, section, article_type, author_bio)
    return Classification(
        language=lang.code,
        language_confidence=round(lang.confidence, 3),
        relevance=relevance,
        relevant=relevance >= threshold and bool(countries or rel_evidence["raw_score"]),
        countries=countries,
        genre=genre,
        evidence={"language": lang.evidence, "relevance": rel_evidence, "genre": genre_evidence},
    )


class ClassifyPipeline:
    """Scrapy adapter: adds language, relevance, countries, genre and evidence to an article."""

    def __init__(self, threshold: float):
        self.threshold = threshold

    @classmethod
    def from_crawler(cls, crawler):
        pipe = cls(crawler.settings.getfloat("MARSAD_RELEVANCE_THRESHOLD", RELEVANCE_THRESHOLD))
        pipe.stats = crawler.stats
        return pipe

    def process_item(self, item):
        adapter = ItemAdapter(item)
        if adapter.get("kind") != "page":
            return item
        result = classify(
            adapter["text"], title=adapter.get("title") or "", url=adapter["url"],
            declared_language=adapter.get("declared_language"), section=adapter.get("section"),
            article_type=adapter.get("article_type"), author_bio=adapter.get("author_bio"),
            threshold=self.threshold,
        )
        evidence = dict(adapter.get("evidence") or {})
        evidence.update(result.evidence)
        for key, value in asdict(result).items():
            adapter[key] = value
        adapter["evidence"] = evidence
        return item

"""Genre of an article — opinion, news or other — from page signals and text cues (pure).

Three scores are summed from weighted, capped signals; the highest wins when it reaches
`MIN_SCORE`, else the genre is ``other`` (too little to call it argued or reported).

* Page signals: URL path segments (opinion sections such as /opinion/, /maqalat/, /ara2/,
  /kuttab/, /yaddasht/, /mnenie/; news sections such as /news/, /akhbar/, /xeber/; "other"
  sections such as recipes, weather, obituaries, adverts), the page's section or breadcrumb, the
  JSON-LD type (``OpinionNewsArticle``), an author bio (signature line).
  Neutral segments (/article/, /p/) say nothing: many outlets file every genre under them.
* Opinion cues in the text: first-person and argumentative phrases of the detected language
  (أرى، في تقديري، لا بد، به نظر من، میری رائے میں، زما په نظر، بە بڕوای من، I think,
  по-моему ...), rhetorical questions, a closing signature line ("كاتب وباحث سياسي").
* News cues: a dateline opening the text ("أستانا - (وكالات):", "ДУШАНБЕ, 14 марта."),
  agency credits (وكالات، رويترز، أ ف ب، الأناضول، Reuters ...), reporting verbs (قال، أعلنت،
  أضاف، گفت، وویل، said ...), weekdays used as news time references.
* Other cues: recipe, advert, announcement, obituary, schedule and results vocabulary, label
  lines ("المقادير:", "الشروط:"), and a high share of numbers.

Cues are matched on `pipelines.arabic.normalize`d text, so spelling variants fold together;
Arabic-script cue words may carry the conjunction و/ف.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import unquote, urlsplit

from pipelines.arabic import normalize

MIN_SCORE = 2.0
MIN_WORDS = 6  # fewer words than this: no article body to judge, genre other

_URL_SEGMENTS = {
    "opinion": (
        "opinion opinions op-ed oped opeds views view column columns columnist columnists blog blogs "
        "comment commentary editorial editorials maqal maqalat maqalaat ara2 araa aaraa raay ray rai "
        "alrai kuttab kottab writers yaddasht yadasht nazar bochun boçun meqale makale pikir mnenie "
        "mneniya kolonka مقالات مقال آراء اراء رأي راي الرأي كتاب كتّاب وجهات-نظر أقلام اقلام "
        "یادداشت ديدگاه دیدگاه نظر کالم"
    ).split(),
    "news": "news akhbar khabar xeber xewer haber novosti أخبار اخبار عاجل خبر".split(),
    "other": (
        "matbakh recipes recipe ashpazi tamaq weather taqs tqs wafayat obituaries obituary tv "
        "iilanat ads advert adverts classifieds elan jobs wazaif results horoscope abraj press "
        "مطبخ وفيات اعلانات إعلانات طقس"
    ).split(),
}
_SECTION = {
    "opinion": re.compile(r"مقال|آراء|اراء|رأي|راي|كتاب|كتّاب|وجهات نظر|أقلام|اقلام|نقاط|"
                          r"opinion|column|views|editorial|comment|یادداشت|دیدگاه|мнени|колонк", re.I),
    "news": re.compile(r"أخبار|اخبار|محليات|عاجل|\bnews\b|خبر|новост", re.I),
}

# Cue phrases per language, written plainly and normalised at load time.
_OPINION_CUES = {
    "ar": "أرى|أعتقد|أظن|نعتقد|أسأل نفسي|أتساءل|أقول|في تقديري|في رأيي|برأيي|من وجهة نظري|في اعتقادي|"
          "في ظني|يبدو لي|أما أنا|لا بد|لابد|لا شك|ينبغي|علينا|لعل|أليس|ألا|هل يمكن|لكنني|أنني|"
          "إنني|أننا|إننا|نحن|لنا|للأسف|حسب رأيي|أنا|إلى متى|إلى أين|يجب أن",
    "fa": "به نظر من|به نظرم|معتقدم|فکر می‌کنم|آیا|نباید|باید|ما|من|ما نیز",
    "ur": "میری رائے میں|میرے خیال میں|ہمیں|ہماری|ہمارے|ہم نے|کیا یہ|ضروری ہے|چاہیے|میں سمجھتا|میں سمجھتی",
    "ps": "زما په نظر|زما|زه له|موږ|زموږ|ولې|څنګه ممکنه",
    "ckb": "بە بڕوای من|پێم وایە|ئێمە|ئایا|من",
    "az": "منیم فیکریمجه|منجه|من|بیز|بیزیم|نه اۆچون",
    "ug": "مېنىڭچە|مەن|بىز|بىزنىڭ|كېرەك|لازىم",
    "en": "i|we|my|our|in my view|in my opinion|should|must|the truth is",
    "ru": "я|мы|наш|нам|по-моему|мне кажется|разве|на мой взгляд",
}
_NEWS_CUES = {
    "ar": "قال|قالت|أعلن|أعلنت|أفاد|أفادت|صرح|صرحت|أكد|أكدت|ذكر|ذكرت|أوضح|أوضحت|أضاف|أضافت|أشار|"
          "أشارت|بحسب|وفق|وفقا|نقلت|نقل|مؤتمر صحفي|البيان الختامي|بيان|مصادر|اختتمت|انطلقت|وقعت|"
          "وقع|أشاد|أشادت|رحب|رحبت|فاز|فازت|استضاف|استضافت",
    "fa": "اعلام کرد|گفت|افزود|به گفته|خبر دادند|روز شنبه|روز یکشنبه|روز دوشنبه|روز سه‌شنبه|"
          "روز چهارشنبه|روز پنجشنبه|روز جمعه|خبرگزاری|می‌گوید",
    "ur": "نے بتایا|نے کہا|کا کہنا تھا|کے مطابق",
    "ps": "وویل|وايي|ویلي|زیاته کړه|خبر ورکړ",
    "ckb": "ڕایگەیاند|گوتی|ڕوونیکردەوە|دەڵێن",
    "az": "بیلدیریب|دئییب|دئییرلر",
    "ug": "بىلدۈردى|تەكىتلىدى|ئېلان قىلدى|ئېيتىشىچە",
    "en": "said|said on|according to|told|announced|reported",
    "ru": "сообщил|сообщило|сообщила|заявил|заявила|по данным|отметили|сообщили",
}
_OTHER_CUES = (
    "المقادير|طريقة التحضير|طريقة عمل|يرجى|للاستفسار|الحجز|العرض|السعر|الأسعار|مجانا|مجاناً|تتشرف|"
    "بدعوتكم|الدخول مجاني|ننعى|انتقل إلى رحمة الله|تقبل التعازي|جدول برامج|النشرة الجوية|"
    "درجات الحرارة|نتائج|ترتيب|الشروط|المزايا|تعلن|عرض خاص|لمزيد من المعلومات|"
    "مواد لازم|طرز تهیه|اعلان|ثبت نام|ئۇسۇلى|ماتېرىياللار|"
    "for immediate release|pre-order|please contact|retail price|available|press office|"
    "рецепт|ингредиенты|реклама"
)
_AGENCY = re.compile(
    r"\((?:وكالات|ا ف ب|اف ب|رويترز|د ب ا|الاناضول|سبوتنيك|واس|وام|قنا|بنا|كونا|ا ش ا|شينخوا|"
    r"الوكاله الوطنيه|reuters|ap|afp|ايرنا|اسنا)\)|"
    r"(?<!\w)(?:وكاله الانباء|وكالات|رويترز|فرانس برس|اسوشيتد برس|الاناضول|ايرنا|reuters|afp|"
    r"associated press|тасс|риа новости|интерфакс)(?!\w)")
# Weekday words (normalised), with the article and the conjunction و/ف: whole tokens only.
_WEEKDAY_WORDS = frozenset(
    conj + article + day for conj in ("", "و", "ف") for article in ("", "ال")
    for day in ("اثنين", "ثلاثاء", "اربعاء", "خميس", "جمعه", "سبت", "احد"))
# A dateline: one to three words, then a dash (or an agency in brackets) — in any script; or an
# upper-case Latin/Cyrillic place followed by a comma or a bracket.
_DATELINE = re.compile(
    r"^\s*(?:[^\s\-–—:()\d][^\s\-–—:()]*\s+){0,2}[^\s\-–—:()\d][^\s\-–—:()]*\s*(?:[-–—ـ]\s|\()"
    r"|^\s*[A-ZА-ЯЁ][A-ZА-ЯЁ\-]{2,}(?:\s[A-ZА-ЯЁ]{2,})?\s*[,(]")
# A label line: one to three words and a colon, at the start or after a stop ("المقادير:").
_LABEL = r"[^\s.:،,؛;]+(?:\s[^\s.:،,؛;]+){0,2}:"
_LABEL_LINE = re.compile(rf"(?:^|[.:،,؛;]\s*){_LABEL}")
_LABEL_AFTER_STOP = re.compile(rf"[.:،,؛;]\s*{_LABEL}")  # the same past the start, scanned faster
_SIGNATURE_WORDS = re.compile(
    r"(?<!\w)(?:كاتب|كاتبه|باحث|باحثه|صحفي|صحفيه|استاذ|محلل|اكاديمي|نويسنده|پژوهشگر|مصنف|"
    r"تجزيه کار|كالم نگار|ليكوال|نووسەر|ماموستا|مامۆستا|يازيچي|ئاپتور|author|columnist|writer|"
    r"автор|колумнист|урбанист)")
_QUESTION = re.compile(r"[?؟]")
# A number standing alone: (?<!\w)\d+(?:[.,]\d+)?(?!\w), written to start with the digit (the
# look-behind checks the character before it) so the regex engine only tries digit positions.
_NUMBER = re.compile(r"\d(?<!\w\d)\d*(?:[.,]\d+)?(?!\w)")
_WORD = re.compile(r"\w+")
_PATH_SEPARATORS = re.compile(r"[/_.]")


@dataclass
class GenreResult:
    genre: str
    scores: dict[str, float]
    signals: dict[str, dict[str, float]] = field(default_factory=dict)


class PhraseSet:
    """Cue phrases ("a|b c|...") matched as whole normalised tokens, in one pass over the
    tokens; an Arabic-script first word may carry a leading و/ف."""

    def __init__(self, spec: str):
        self.by_first: dict[str, list[tuple[str, ...]]] = {}
        forms = {tuple(_WORD.findall(normalize(p.strip()))) for p in spec.split("|") if p.strip()}
        for form in sorted(f for f in forms if f):
            self.by_first.setdefault(form[0], []).append(form)
        # Every token a phrase can start at: a first word, or و/ف + a first word (3+ letters).
        self.starts = frozenset(self.by_first) | {
            conj + first for conj in "وف" for first in self.by_first if len(first) >= 2}

    def count(self, words: list[str]) -> int:
        """Occurrences of the phrases in `words` (non-overlapping, left to right)."""
        found = self.starts.intersection(words)
        if not found:
            return 0
        n, resume = 0, 0
        for i in [i for i, word in enumerate(words) if word in found]:
            if i < resume:
                continue  # inside the phrase matched before
            width = self._match(words, i)
            n += bool(width)
            resume = i + width
        return n

    def _match(self, words: list[str], i: int) -> int:
        word = words[i]
        readings = (word, word[1:]) if len(word) > 2 and word[0] in "وف" else (word,)
        for reading in readings:
            for form in self.by_first.get(reading, ()):
                if tuple(words[i + 1:i + len(form)]) == form[1:]:
                    return len(form)
        return 0


@lru_cache(maxsize=1)
def _cue_patterns() -> tuple[dict[str, PhraseSet], dict[str, PhraseSet], PhraseSet]:
    opinion = {lang: PhraseSet(spec) for lang, spec in _OPINION_CUES.items()}
    news = {lang: PhraseSet(spec) for lang, spec in _NEWS_CUES.items()}
    return opinion, news, PhraseSet(_OTHER_CUES)


def _url_sections(url: str) -> dict[str, bool]:
    """Which kinds of section the URL path names (opinion, news, other)."""
    path = unquote(urlsplit(url).path).lower() if url else ""
    segments = {s for s in _PATH_SEPARATORS.split(path) if s}
    return {kind: any(s in segments for s in names) for kind, names in _URL_SEGMENTS.items()}


def _label_lines(norm: str) -> int:
    """Number of `_LABEL_LINE` matches in `norm` (the start tried once, then the stops)."""
    first = _LABEL_LINE.match(norm)
    return bool(first) + len(_LABEL_AFTER_STOP.findall(norm, first.end() if first else 0))


def _signature(paragraphs: list[str]) -> bool:
    """The text closes on a short author line ("كاتب وباحث سياسي", "The author is ...")."""
    if len(paragraphs) < 2:
        return False
    last = normalize(paragraphs[-1])
    return len(last.split()) <= 14 and bool(_SIGNATURE_WORDS.search(last))


def dateline(lead: str) -> str | None:
    """The dateline opening a report ("أستانا - (وكالات):" gives "أستانا - ("), or None."""
    match = _DATELINE.match(lead)
    return match.group(0) if match else None


def _add(signals: dict[str, float], name: str, count: float, weight: float, cap: float) -> None:
    if count:
        signals[name] = round(min(cap, count * weight), 2)


def genre_of(text: str, *, language: str = "ar", url: str = "", section: str | None = None,
             article_type: str | None = None, author_bio: str | None = None,
             max_chars: int = 6000) -> GenreResult:
    """Opinion, news or other, with the scores and the signals that made them."""
    opinion_cues, news_cues, other_cues = _cue_patterns()
    paragraphs = [p for p in text.split("\n") if p.strip()]
    norm = normalize(text[:max_chars])
    tokens = _WORD.findall(norm)
    words = max(1, len(tokens))
    signals: dict[str, dict[str, float]] = {"opinion": {}, "news": {}, "other": {}}
    op, nw, ot = signals["opinion"], signals["news"], signals["other"]

    url_kinds = _url_sections(url)
    if url_kinds["opinion"]:
        op["url"] = 3.0
    if url_kinds["news"]:
        nw["url"] = 2.0
    if url_kinds["other"]:
        ot["url"] = 3.0
    if section:
        if _SECTION["opinion"].search(section):
            op["section"] = 3.0
        elif _SECTION["news"].search(section):
            nw["section"] = 2.0
    if article_type == "OpinionNewsArticle":
        op["json-ld"] = 4.0
    elif article_type in ("ReportageNewsArticle", "NewsArticle"):
        nw["json-ld"] = 0.5
    if author_bio or _signature(paragraphs):
        op["signature"] = 2.0

    lang = language if language in opinion_cues else "ar"
    _add(op, "first_person", opinion_cues[lang].count(tokens), 1.0, 4.0)
    _add(op, "questions", len(_QUESTION.findall(norm)), 0.75, 2.0)
    lead = paragraphs[0] if paragraphs else ""
    if _DATELINE.match(lead) and len(norm.split()) > 12:
        nw["dateline"] = 2.5
    _add(nw, "agency", len(_AGENCY.findall(norm)), 1.5, 3.0)
    _add(nw, "reporting", news_cues[lang].count(tokens), 0.6, 3.0)
    weekdays = sum(1 for t in tokens if t in _WEEKDAY_WORDS) if lang == "ar" else 0
    _add(nw, "weekday", weekdays, 0.75, 1.5)
    _add(ot, "vocabulary", other_cues.count(tokens), 1.0, 4.0)
    _add(ot, "label_lines", max(0, _label_lines(norm) - 1), 0.75, 2.0)
    numbers = len(_NUMBER.findall(norm)) / words
    if numbers >= 0.1:
        ot["numbers"] = round(min(3.0, numbers * 15), 2)

    if words < MIN_WORDS:
        signals["other"]["too_short"] = 0.0
        return GenreResult("other", {k: 0.0 for k in signals}, signals)
    scores = {kind: round(sum(values.values()), 2) for kind, values in signals.items()}
    best = max(("opinion", "news", "other"), key=lambda k: (scores[k], k == "other"))
    genre = best if scores[best] >= MIN_SCORE else "other"
    return GenreResult(genre, scores, signals)

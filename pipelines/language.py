"""Language identification for extracted article text (pure: no Scrapy).

langdetect alone cannot keep Arabic apart from the other Arabic-script languages: it has no
profile for Pashto, Sorani Kurdish, Uyghur or Azerbaijani and calls them something else
(Uyghur came out ``ar``). `detect_language` therefore combines seeded langdetect with script,
letter and function-word evidence. The rules, in order:

1. Clean and measure. Only the first `MAX_CHARS` characters are examined (Arabic presentation
   forms are NFKC-folded first). Letters are counted per script (Unicode name of each letter:
   Arabic, Latin, Cyrillic, other); words are runs of letters after harakat, Quranic marks and
   tatweel are dropped (ZWNJ separates words, so Persian ``می‌گویند`` yields ``می``).
2. Too short to judge: fewer than `MIN_LETTERS` letters or `MIN_WORDS` words gives ``und``,
   unless `declared` names a language whose script agrees with the text's script; then that
   language, at confidence `DECLARED_CONFIDENCE`.
3. Non-Arabic script (Latin, Cyrillic or any other script is the plurality): langdetect
   decides, run on the first `LD_PREFIX_LETTERS` letters of that script; ``und`` when it
   cannot tell.
4. Arabic script: every candidate language (ar, fa, ur, ps, ckb, ug, az) gets a score =
   function words per 100 words (`FUNCTION_WORDS`; for Arabic also the share of words
   carrying the article ال) + `LETTER_WEIGHT` x the letter score per 1,000 Arabic-script
   letters (`OWN_LETTERS` add, `FOREIGN_LETTERS` subtract). Persian-family words are matched
   with ي/ك/ى folded to ی/ک, Arabic words with ی/ک/ى folded to ي/ك, Uyghur words as written.
5. Arabic is a candidate only when (a) Arabic-script letters are at least `ARABIC_SHARE_MIN`
   of all letters, (b) letters that standard Arabic does not use (`NON_ARABIC_LETTERS`:
   پ چ ژ گ ک ی and the Urdu, Pashto, Sorani, Uyghur and Azerbaijani letters) stay below
   `NON_ARABIC_MAX_PER_1000` per 1,000 Arabic-script letters, and (c) langdetect says ``ar``
   (not asked when the text has no non-Arabic letter and `ARTICLE_RATE_DECISIVE` ال-words per 100)
   or cannot tell (no result, or a top probability below `LD_SURE`). langdetect runs here on
   the first `LD_PREFIX_LETTERS_ARABIC` Arabic-script letters with only its Arabic-script
   profiles (ar, fa, ur) competing. Arabic typed on a Persian keyboard (ی for ي, ک for ك; the
   text never writes ي/ك and has at least `KEYBOARD_ARTICLE_MIN` words in 100 with ال) is
   read with those letters as the Arabic ones for (b) and for the Arabic score.
6. The best-scoring candidate wins. When the best two are within `TIE_MARGIN` and `declared`
   names the runner-up, the declared language wins. A best score below `MIN_SCORE` gives
   ``und``.

Confidence (0..1): for langdetect decisions its top probability; for Arabic-script decisions
0.5 + 0.5 x the relative margin over the runner-up; both multiplied by a length factor that
reaches 1 at `FULL_CONFIDENCE_LETTERS` letters. `evidence` records script shares, distinctive
letters with counts, function-word hits, scores, langdetect's top guesses, the declared
language and the rule that decided. Deterministic: ``DetectorFactory.seed = 0`` at import,
and every table is iterated in a fixed order. Never raises: any input gives a result.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import langdetect
import numpy as np
from langdetect import DetectorFactory, detect_langs
from langdetect.lang_detect_exception import LangDetectException

DetectorFactory.seed = 0

MAX_CHARS = 20_000  # characters examined (letter and word evidence)
LD_PREFIX_LETTERS = 500  # letters given to langdetect when it decides (non-Arabic scripts)
# Letters given to langdetect on Arabic-script text, where it only vetoes Arabic: with 150 the
# whole call costs ~1.4 ms on a 5,000-character Arabic article (whole-text langdetect: ~12 ms
# on the same machine).
LD_PREFIX_LETTERS_ARABIC = 150
MIN_LETTERS = 20
MIN_WORDS = 6  # fewer words: too short to judge (und unless the declared language fits the script)
ARABIC_SHARE_MIN = 0.5
# Measured per 1,000 Arabic-script letters: 0 on the 9 real Arabic pages and MSA test texts,
# at most 9.5 on dialect (an Iraqi گ); at least 100 on Persian/Dari texts, 110-143 on the
# real Persian pages, 150+ on Urdu, Pashto, Sorani and Uyghur.
NON_ARABIC_MAX_PER_1000 = 25.0
ARTICLE_RATE_DECISIVE = 10.0  # ال-words per 100 words above which Arabic needs no langdetect
LD_SURE = 0.9  # langdetect vetoes Arabic when it says fa/ur with at least this probability
LETTER_WEIGHT = 0.25  # letter score (per 1,000 letters) against words (per 100 words)
ARTICLE_WEIGHT = 0.5  # Arabic: words with ال per 100 words (Arabic 19-49, Persian <= 0.6)
KEYBOARD_ARTICLE_MIN = 10.0  # ال words per 100 above which ی/ک may stand for ي/ك
TIE_MARGIN = 0.05
MIN_SCORE = 5.0
FULL_CONFIDENCE_LETTERS = 200
DECLARED_CONFIDENCE = 0.4
UNDETERMINED = "und"

ARABIC_SCRIPT_LANGUAGES = ("ar", "fa", "ur", "ps", "ckb", "ug", "az")
LANGDETECT_ARABIC_SCRIPT = ("ar", "fa", "ur")  # langdetect's Arabic-script profiles

# Letters of the Arabic script that standard Arabic does not use.
_PERSIAN = "پچژگکی"
_SORANI = "ۆێەڵڕ"
_URDU = "ٹڈڑںےہھۃ"
_PASHTO = "ځڅډړږښګڼۍېټ"
_UYGHUR = "ۇۈۋڭ"
_AZERBAIJANI = "ؽ"
NON_ARABIC_LETTERS = "".join(
    dict.fromkeys(_PERSIAN + _SORANI + _URDU + _PASHTO + _UYGHUR + _AZERBAIJANI)
)

# Letter evidence per language: weight per letter (per 1,000 Arabic-script letters).
OWN_LETTERS: dict[str, dict[str, float]] = {
    "ar": {"ة": 1.0, "ي": 0.3, "ك": 0.3, "ى": 0.3},
    "fa": {"پ": 1.0, "چ": 1.0, "ژ": 1.0, "گ": 1.0, "ک": 0.3, "ی": 0.3},
    "ur": {**{c: 1.0 for c in _URDU}, "پ": 0.3, "چ": 0.3, "گ": 0.3, "ک": 0.3, "ی": 0.3},
    "ps": {**{c: 1.0 for c in _PASHTO}, "پ": 0.3, "چ": 0.3, "ژ": 0.3, "ک": 0.3, "ی": 0.3},
    "ckb": {**{c: 1.0 for c in _SORANI}, "پ": 0.3, "چ": 0.3, "گ": 0.3, "ک": 0.3, "ی": 0.3},
    "ug": {**{c: 1.0 for c in _UYGHUR + "ېەۆھ"}, "ى": 0.5},
    "az": {"پ": 1.0, "چ": 1.0, "ژ": 1.0, "گ": 1.0, "ک": 0.3, "ی": 0.3, "ؤ": 1.0, "ؽ": 1.0,
           "ئ": 0.5},
}
FOREIGN_LETTERS: dict[str, dict[str, float]] = {
    "ar": {c: 1.0 for c in NON_ARABIC_LETTERS},
    "fa": {**{c: 1.0 for c in _SORANI + _URDU + _PASHTO + _UYGHUR}, "ة": 0.5, "ي": 0.2,
           "ك": 0.2},
    "ur": {**{c: 1.0 for c in _SORANI + _PASHTO + _UYGHUR}, "ة": 0.5},
    "ps": {**{c: 1.0 for c in _SORANI + _UYGHUR}, **{c: 1.0 for c in "ٹڈڑںےہ"}, "ة": 0.5},
    "ckb": {**{c: 1.0 for c in _URDU.replace("ھ", "") + _PASHTO + _UYGHUR}, "ة": 1.0,
            "ي": 0.5, "ك": 0.5, "ى": 0.5},
    "ug": {**{c: 1.0 for c in "ێڵڕٹڈڑںےہۃځڅډړږښګڼۍټ"}, "ک": 1.0, "ی": 1.0, "ة": 1.0},
    "az": {**{c: 1.0 for c in _SORANI.replace("ۆ", "") + _URDU + _PASHTO + _UYGHUR}, "ة": 0.5,
           "ي": 0.2, "ك": 0.2},
}

# Frequent function words, written as each language writes them.
FUNCTION_WORDS: dict[str, tuple[str, ...]] = {
    "ar": (
        "في", "من", "على", "إلى", "الى", "عن", "أن", "إن", "ان", "التي", "الذي", "الذين",
        "هذا", "هذه", "ذلك", "تلك", "مع", "كان", "كانت", "قد", "لقد", "لم", "لن", "بين",
        "حتى", "بعد", "قبل", "عند", "أو", "او", "ثم", "كما", "إذا", "اذا", "لا", "هو", "هي",
        "وقد", "وفي", "ومن", "كل", "غير", "حيث", "منذ", "خلال", "لدى", "إلا", "الا", "ليس",
        "مش", "اللي", "كده", "عشان", "ليه", "ايه", "إيه", "بدي", "شو", "هيك", "كتير", "هلق",
        "وش", "زين", "وايد", "شلون", "شكو", "ماكو", "هواية", "بزاف", "ديال", "هاد", "بصح",
        "دابا", "راه", "واش", "علاش", "فين",
    ),
    "fa": (
        "است", "این", "را", "که", "می", "از", "به", "در", "با", "برای", "آن", "های", "ها",
        "شد", "شده", "کرد", "بود", "یک", "هم", "تا", "نیز", "خود", "اما", "باید", "شود",
        "کند", "دارد", "بر", "وی", "اگر", "نمی", "خواهد", "و", "هست", "اند", "ای", "کنند",
    ),
    "ur": (
        "ہے", "کے", "کی", "میں", "اور", "سے", "کو", "نے", "یہ", "کا", "ہیں", "پر", "تھا",
        "تھی", "گیا", "بھی", "کہ", "جو", "اس", "ان", "ایک", "لیے", "نہیں", "ہو", "کر", "رہے",
        "والے", "وہ", "گی", "گے", "ہوا", "کیا", "تک",
    ),
    "ps": (
        "دی", "په", "د", "چې", "ته", "او", "دا", "کې", "هم", "یې", "شوی", "شوې", "وي", "دي",
        "له", "سره", "لپاره", "پر", "هغه", "دې", "ده", "تر", "وو", "څو", "کښې", "چی", "نه",
        "ډېر", "کړي",
    ),
    "ckb": (
        "لە", "و", "بە", "ئەو", "کە", "یە", "ئەم", "بۆ", "لەگەڵ", "کرد", "نییە", "هەیە",
        "بوو", "دەکات", "ئەوە", "ئەمە", "زۆر", "هەروەها", "بەڵام", "یان", "لەسەر", "وەک",
        "هەموو", "دەبێت", "دەکەن", "کرا", "پێ", "تا",
    ),
    "ug": (
        "بىلەن", "ۋە", "ئۈچۈن", "بولۇپ", "بۇ", "بىر", "ئۇ", "دەپ", "ھەم", "بولسا", "بار",
        "يوق", "ئىدى", "قىلىپ", "بولغان", "كېيىن", "ئۇلار", "ھەر", "ئەڭ", "يەنە", "شۇ", "مۇ",
        "ئارقىلىق", "توغرىسىدا", "ناھايىتى", "كۆپ", "ئەمما",
    ),
    "az": (
        "بیر", "ده", "دا", "ایله", "اوچون", "بو", "او", "و", "چوخ", "داها", "اولان",
        "اولاراق", "ایسه", "کیمی", "اونون", "اونلار", "ایندی", "سونرا", "گؤره", "ایدی",
        "اولوب", "ائله", "بئله", "ایکی", "یوخ", "وار", "دئدی", "هئچ", "آنجاق",
    ),
}
# How words are folded before matching each language's table: Persian-family words with
# ي/ك/ى as ی/ک, Arabic words with ی/ک/ى as ي/ك and bare alef, Uyghur words as written.
_FOLDS: dict[str, tuple[tuple[str, str], ...]] = {
    "persian": (("ي", "ی"), ("ك", "ک"), ("ى", "ی")),
    "arabic": (("ی", "ي"), ("ک", "ك"), ("ى", "ي"), ("أ", "ا"), ("إ", "ا"), ("آ", "ا")),
    "raw": (),
}
_FOLD_OF = {"ar": "arabic", "ug": "raw"}


def _fold(text: str, fold: str) -> str:
    """`text` with the letter replacements of `_FOLDS[fold]` applied."""
    for old, new in _FOLDS[fold]:
        text = text.replace(old, new)
    return text


_FOLDED_WORDS = {
    lang: {_fold(w, _FOLD_OF.get(lang, "persian")): w for w in table}
    for lang, table in FUNCTION_WORDS.items()
}
_ARTICLE_PREFIXES = ("ال", "وال", "بال", "فال", "كال", "لل")

# Declared language → scripts it is written in (short texts only trust a matching script).
DECLARED_SCRIPTS: dict[str, tuple[str, ...]] = {
    "ar": ("arabic",), "fa": ("arabic",), "ur": ("arabic",), "ps": ("arabic",),
    "ckb": ("arabic",), "ug": ("arabic",), "az": ("latin", "arabic", "cyrillic"),
    "ku": ("latin", "arabic"), "en": ("latin",), "fr": ("latin",), "de": ("latin",),
    "es": ("latin",), "it": ("latin",), "tr": ("latin",), "uz": ("latin", "cyrillic"),
    "tk": ("latin",), "kk": ("cyrillic", "latin"), "ky": ("cyrillic",), "tg": ("cyrillic",),
    "ru": ("cyrillic",), "uk": ("cyrillic",),
}
_LANGUAGE_ALIASES = {
    "ara": "ar", "arb": "ar", "fas": "fa", "per": "fa", "pes": "fa", "prs": "fa", "urd": "ur",
    "pus": "ps", "pbt": "ps", "pst": "ps", "kur": "ku", "uig": "ug", "aze": "az", "azb": "az",
    "eng": "en", "rus": "ru", "tur": "tr", "uzb": "uz", "kaz": "kk", "kir": "ky", "tgk": "tg",
    "tuk": "tk",
}
_SCRIPT_SUBTAGS = {"arab": "arabic", "latn": "latin", "cyrl": "cyrillic"}

_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class LanguageResult:
    """A language decision: ISO 639-1 code (``ckb`` for Sorani, ``und`` when unsure)."""

    code: str
    confidence: float
    evidence: dict = field(default_factory=dict)


@lru_cache(maxsize=4096)
def _script(ch: str) -> str | None:
    """Script of one character ("arabic", "latin", "cyrillic", "other"), None if no letter."""
    if not ch.isalpha() or ch == "\u0640":
        return None
    first = unicodedata.name(ch, "OTHER").split(" ", 1)[0]
    return {"ARABIC": "arabic", "LATIN": "latin", "CYRILLIC": "cyrillic"}.get(first, "other")


def _char_counts(text: str) -> Counter:
    """`Counter(text)`, keyed in code-point order: counted by numpy over the UTF-32 code points,
    a third of Counter's time on an article."""
    code_points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    codes, counts = np.unique(code_points, return_counts=True)
    return Counter(dict(zip(map(chr, codes.tolist()), counts.tolist())))


def _letters_by_script(chars: Counter) -> Counter:
    """Letter counts per script."""
    scripts: Counter = Counter()
    for ch, n in chars.items():
        script = _script(ch)
        if script:
            scripts[script] += n
    return scripts


def _words(text: str) -> list[str]:
    """Words: runs of letters once harakat, Quranic marks and tatweel are dropped."""
    return _WORD.findall(_MARKS.sub("", text))


def _ld_prefix(words: list[str], script: str, limit: int) -> str:
    """The first `limit` letters of words in `script`, joined by spaces."""
    kept, total = [], 0
    for word in words:
        if _script(word[0]) != script:
            continue
        kept.append(word[: limit - total])
        total += len(kept[-1])
        if total >= limit:
            break
    return " ".join(kept)


@lru_cache(maxsize=1)
def _arabic_script_factory() -> DetectorFactory:
    """A langdetect factory holding only its Arabic-script profiles (loaded once)."""
    profiles = Path(langdetect.__file__).resolve().parent / "profiles"
    factory = DetectorFactory()
    factory.load_json_profile(
        [(profiles / lang).read_text(encoding="utf-8") for lang in LANGDETECT_ARABIC_SCRIPT]
    )
    return factory


def _langdetect(text: str, arabic_script: bool = False) -> list[tuple[str, float]]:
    """langdetect's top three guesses (seeded), [] when it cannot tell. For Arabic-script text
    only langdetect's Arabic-script profiles compete (same answer, a fraction of the cost)."""
    if not text:
        return []
    try:
        if arabic_script:
            detector = _arabic_script_factory().create()
            detector.append(text)
            guesses = detector.get_probabilities()
        else:
            guesses = detect_langs(text)
    except LangDetectException:
        return []
    return [(g.lang, round(g.prob, 4)) for g in guesses[:3]]


def _declared_code(declared: str | None, script: str | None) -> str | None:
    """Primary language of a declared tag ("ar-EG" → "ar"), if it agrees with `script`."""
    if not declared or not isinstance(declared, str):
        return None
    parts = [p for p in declared.strip().replace("_", "-").lower().split("-") if p]
    if not parts:
        return None
    code = _LANGUAGE_ALIASES.get(parts[0], parts[0])
    tag_script = next((_SCRIPT_SUBTAGS[p] for p in parts[1:] if p in _SCRIPT_SUBTAGS), None)
    if code == "ku" and (script == "arabic" or tag_script == "arabic"):
        code = "ckb"
    scripts = (tag_script,) if tag_script else DECLARED_SCRIPTS.get(code, ())
    return code if script in scripts else None


def _length_factor(letters: int) -> float:
    """Confidence scaling: 0.5 + 0.5 x letters / `FULL_CONFIDENCE_LETTERS`, at most 1."""
    return min(1.0, 0.5 + 0.5 * letters / FULL_CONFIDENCE_LETTERS)


def _folded_counts(words: list[str]) -> tuple[dict[str, Counter], dict[str, str]]:
    """Word counts under each folding of `_FOLDS`, and the words joined by spaces under each."""
    joined = " ".join(words)
    raw = Counter(words)
    counts, texts = {}, {}
    for name, pairs in _FOLDS.items():
        changed = any(old in joined for old, _ in pairs)
        texts[name] = _fold(joined, name) if changed else joined
        counts[name] = Counter(texts[name].split(" ")) if changed else raw
    return counts, texts


def _function_word_hits(counts: dict[str, Counter]) -> dict[str, dict[str, int]]:
    """Hits of each language's function words, matched after that language's folding."""
    hits: dict[str, dict[str, int]] = {}
    for lang, table in _FOLDED_WORDS.items():
        folded = counts[_FOLD_OF.get(lang, "persian")]
        hits[lang] = {word: folded[key] for key, word in table.items() if key in folded}
    return hits


def _article_words(arabic_words: str) -> int:
    """Words carrying the Arabic article (ال، وال، بال، لل ...), in Arabic-folded words joined by
    spaces: the occurrences of a space and a prefix (the prefixes differ in their first letter,
    so no word counts twice)."""
    spaced = " " + arabic_words
    return sum(spaced.count(" " + prefix) for prefix in _ARTICLE_PREFIXES)


def _keyboard_view(chars: Counter, article_rate: float) -> tuple[Counter, list[str]]:
    """Letter counts as Arabic reads them. Arabic typed on a Persian keyboard spells ي with ی
    and ك with ک: when the text is Arabic-looking (at least `KEYBOARD_ARTICLE_MIN` words in
    100 carry ال) and never writes ي (or ك), its ی (or ک) count as the Arabic letter."""
    view, swaps = chars.copy(), []
    if article_rate < KEYBOARD_ARTICLE_MIN:
        return view, swaps
    if chars["ی"] and not chars["ي"]:
        view["ي"] += view.pop("ی")
        swaps.append("ی=ي")
    if chars["ک"] and not chars["ك"]:
        view["ك"] += view.pop("ک")
        swaps.append("ک=ك")
    return view, swaps


def _arabic_script_scores(
    chars: Counter, arabic_view: Counter, n_arabic: int, hits: dict[str, dict[str, int]],
    n_words: int, article_rate: float,
) -> dict[str, float]:
    """Score of each Arabic-script language: function words per 100 words + weighted letters
    per 1,000 Arabic-script letters (Arabic read through `arabic_view`)."""
    per_1000 = 1000.0 / max(n_arabic, 1)
    scores: dict[str, float] = {}
    for lang in ARABIC_SCRIPT_LANGUAGES:
        counts = arabic_view if lang == "ar" else chars
        letter_score = sum(counts.get(c, 0) * w for c, w in OWN_LETTERS[lang].items())
        letter_score -= sum(counts.get(c, 0) * w for c, w in FOREIGN_LETTERS[lang].items())
        word_score = 100.0 * sum(hits[lang].values()) / max(n_words, 1)
        if lang == "ar":
            word_score += ARTICLE_WEIGHT * article_rate
        scores[lang] = round(word_score + LETTER_WEIGHT * letter_score * per_1000, 3)
    return scores


def _langdetect_allows_arabic(guesses: list[tuple[str, float]]) -> bool:
    """langdetect agrees with Arabic, or cannot tell (no guess, or unsure)."""
    if not guesses or guesses[0][0] == "ar":
        return True
    lang, prob = guesses[0]
    return prob < LD_SURE


def _decide_arabic_script(
    chars: Counter, n_arabic: int, share: float, words: list[str], declared: str | None,
    evidence: dict,
) -> LanguageResult:
    """Rules 4-6 for text written mostly in Arabic script."""
    counts, folded = _folded_counts(words)
    hits = _function_word_hits(counts)
    article_rate = 100.0 * _article_words(folded["arabic"]) / max(len(words), 1)
    arabic_view, swaps = _keyboard_view(chars, article_rate)
    scores = _arabic_script_scores(chars, arabic_view, n_arabic, hits, len(words), article_rate)
    non_arabic = sum(arabic_view.get(c, 0) for c in NON_ARABIC_LETTERS) * 1000.0 / max(n_arabic, 1)
    # langdetect only vetoes Arabic; with no non-Arabic letter at all and the article ال on
    # many words (Persian text: under 1 in 100) the letters decide, and its cost is saved.
    letters_decide = non_arabic == 0 and article_rate >= ARTICLE_RATE_DECISIVE
    guesses = [] if letters_decide else _langdetect(_ld_prefix(words, "arabic", LD_PREFIX_LETTERS_ARABIC), True)
    evidence.update(
        distinctive_letters={c: chars[c] for c in NON_ARABIC_LETTERS + "يكىةئؤ" if chars[c]},
        keyboard_spelling=swaps,
        non_arabic_per_1000=round(non_arabic, 2),
        function_words={lang: h for lang, h in hits.items() if h},
        article_rate=round(article_rate, 2),
        langdetect=guesses if not letters_decide else "not needed: letters decide",
        scores=scores,
    )
    arabic_ok = (
        share >= ARABIC_SHARE_MIN
        and non_arabic < NON_ARABIC_MAX_PER_1000
        and _langdetect_allows_arabic(guesses)
    )
    candidates = {k: v for k, v in scores.items() if k != "ar" or arabic_ok}
    ranked = sorted(candidates.items(), key=lambda kv: (-kv[1], kv[0]))
    (best, top), (second, runner_up) = ranked[0], ranked[1]
    rule = "arabic" if best == "ar" else "arabic-script-scores"
    if second == _declared_code(declared, "arabic") and top - runner_up <= TIE_MARGIN * top:
        best, top, runner_up, rule = second, runner_up, top, "declared-tiebreak"
    if top < MIN_SCORE:
        evidence["rule"] = "arabic-script-no-evidence"
        return LanguageResult(UNDETERMINED, 0.0, evidence)
    margin = (top - max(runner_up, 0.0)) / top
    confidence = (0.5 + 0.5 * margin) * _length_factor(n_arabic) * min(1.0, share / 0.8)
    evidence["rule"] = rule
    return LanguageResult(best, round(min(1.0, max(0.0, confidence)), 4), evidence)


def detect_language(text: str, declared: str | None = None) -> LanguageResult:
    """Language of an extracted article text; `declared` is the page's declared language (html lang / og:locale / JSON-LD inLanguage), e.g. "ar", "ar-EG", "fa-IR", or None."""
    text = text if isinstance(text, str) else ""
    sample = text[:MAX_CHARS]
    chars = _char_counts(sample)
    if any("\ufb50" <= ch <= "\ufdff" or "\ufe70" <= ch <= "\ufefc" for ch in chars):
        sample = unicodedata.normalize("NFKC", sample)
        chars = _char_counts(sample)
    scripts = _letters_by_script(chars)
    n_letters = sum(scripts.values())
    words = _words(sample)
    evidence: dict = {
        "scripts": {s: round(n / n_letters, 4) for s, n in scripts.most_common()}
        if n_letters else {},
        "letters": n_letters,
        "words": len(words),
        "declared": declared if isinstance(declared, str) else None,
    }
    script = max(sorted(scripts), key=scripts.__getitem__) if n_letters else None
    if n_letters < MIN_LETTERS or len(words) < MIN_WORDS:
        code = _declared_code(declared, script)
        if code:
            evidence["rule"] = "short-declared"
            return LanguageResult(code, DECLARED_CONFIDENCE, evidence)
        evidence["rule"] = "too-short"
        return LanguageResult(UNDETERMINED, 0.0, evidence)
    if script == "arabic":
        share = scripts["arabic"] / n_letters
        return _decide_arabic_script(chars, scripts["arabic"], share, words, declared, evidence)
    guesses = _langdetect(_ld_prefix(words, script, LD_PREFIX_LETTERS))
    evidence["langdetect"] = guesses
    if not guesses:
        evidence["rule"] = "langdetect-failed"
        return LanguageResult(UNDETERMINED, 0.0, evidence)
    evidence["rule"] = "langdetect"
    lang, prob = guesses[0]
    confidence = prob * _length_factor(scripts[script]) * (scripts[script] / n_letters)
    return LanguageResult(lang, round(min(1.0, confidence), 4), evidence)

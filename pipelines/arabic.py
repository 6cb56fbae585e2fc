"""Arabic text normalisation and tokenisation, shared by classification, dedupe and search.

`normalize` folds the spelling variation of written Arabic so that equal words compare equal:
diacritics and tatweel removed, alef/hamza forms to bare alef, ta marbuta to ha, alef maqsura
to ya, Arabic-Indic and Persian digits to ASCII, Persian/Urdu letter forms (ی ک ە) to their
Arabic equivalents, bidi and zero-width controls dropped, Latin lower-cased.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Dropped characters: harakat, tanween, shadda, sukun, superscript alef, Quranic marks,
# tatweel; bidi controls, zero-width characters, BOM, soft hyphen.
_DIACRITICS = "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640"
_INVISIBLE = "\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\u00ad\u061c"
_DROPPED = re.compile(f"[{_DIACRITICS}{_INVISIBLE}]")

_FOLD = str.maketrans(
    {
        "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",
        "ة": "ه", "ۃ": "ه", "ە": "ه", "ھ": "ه", "ہ": "ه",
        "ى": "ي", "ی": "ي", "ې": "ي", "ۍ": "ي", "ئ": "ي",
        "ؤ": "و",
        "ک": "ك", "ڪ": "ك",
        "٠": "0", "١": "1", "٢": "2", "٣": "3", "٤": "4",
        "٥": "5", "٦": "6", "٧": "7", "٨": "8", "٩": "9",
        "۰": "0", "۱": "1", "۲": "2", "۳": "3", "۴": "4",
        "۵": "5", "۶": "6", "۷": "7", "۸": "8", "۹": "9",
        "،": ",", "؛": ";", "؟": "?",
    }
)

# The same folding as (old letter, new letter) pairs, applied with str.replace only for the
# letters a text contains: much faster than str.translate on non-ASCII text. Equivalent to
# translate because no new letter is itself folded.
_FOLD_PAIRS: tuple[tuple[str, str], ...] = tuple((chr(k), v) for k, v in _FOLD.items())
assert not {new for _, new in _FOLD_PAIRS} & {old for old, _ in _FOLD_PAIRS}

CACHED_TEXTS = 16  # normalised texts kept: several stages normalise the same article text

_TOKEN = re.compile(r"[\w]+", re.UNICODE)

# Proclitics that attach to a word, longest first: conjunctions و/ف, prepositions ب/ل/ك,
# the article ال and their combinations (وال، بال، فبال، لل ...).
PROCLITICS: tuple[str, ...] = (
    "وبال", "وكال", "فبال", "فكال", "وال", "فال", "بال", "كال", "ولل", "فلل", "لل",
    "ال", "وب", "ول", "وك", "فب", "فل", "فك", "و", "ف", "ب", "ل", "ك",
)
# Nisba and plural suffixes (after normalisation ة became ه), longest first.
NISBA_SUFFIXES: tuple[str, ...] = ("يون", "يين", "يات", "يه", "ي")


@lru_cache(maxsize=CACHED_TEXTS)
def normalize(text: str) -> str:
    """Fold Arabic spelling variants; the result is what search, dedupe and matching compare.

    Pure, so the last `CACHED_TEXTS` results are kept: genre, relevance and the dedupe keys
    normalise the same article text one after the other."""
    text = _DROPPED.sub("", unicodedata.normalize("NFKC", text))
    for old, new in _FOLD_PAIRS:
        if old in text:
            text = text.replace(old, new)
    return text.lower()


def tokens(text: str) -> list[str]:
    """Normalised word tokens of `text` (letters and digits, punctuation dropped)."""
    return _TOKEN.findall(normalize(text))


def strip_proclitics(token: str, min_stem: int = 3) -> list[str]:
    """The token and every reading of it without a leading proclitic, keeping stems >= min_stem.

    >>> strip_proclitics("وكازاخستان")
    ['وكازاخستان', 'ازاخستان', 'كازاخستان']
    """
    readings = [token]
    for clitic in PROCLITICS:
        if token.startswith(clitic) and len(token) - len(clitic) >= min_stem:
            stem = token[len(clitic):]
            if stem not in readings:
                readings.append(stem)
    return readings


# Case and possessive endings that other Arabic-script languages attach to names (South
# Azerbaijani and Uyghur case suffixes, Persian/Urdu/Pashto/Sorani endings), normalised, longest
# first: "تۆرکمنستانا" (to Turkmenistan), "قازاقىستاندىكى" (in Kazakhstan), "ازبکستان‌های".
NAME_SUFFIXES: tuple[str, ...] = tuple(sorted({
    normalize(s) for s in (
        "دىكى", "دیکی", "داكى", "دەكى", "نىڭ", "نینگ", "نین", "نون", "نىن", "دىن", "دین", "دان",
        "تان", "تىن", "دا", "دە", "تا", "تە", "دن", "غا", "قا", "گە", "كە", "نى", "نی", "نو", "ين",
        "لار", "لەر", "لر", "ها", "یا", "ا", "ە",
    )}, key=len, reverse=True))

_NAME_SUFFIX_SET = frozenset(NAME_SUFFIXES)
_NAME_SUFFIX_LENGTHS = tuple(sorted({len(s) for s in NAME_SUFFIXES}, reverse=True))


def strip_suffixes(token: str, suffixes: tuple[str, ...] = NAME_SUFFIXES, min_stem: int = 5) -> list[str]:
    """Readings of `token` without one trailing name suffix, keeping stems >= min_stem letters.

    >>> strip_suffixes(normalize("تۆرکمنستانا"))
    ['تۆركمنستان']
    """
    if suffixes is NAME_SUFFIXES:  # the common case: look the ending up instead of scanning
        return [token[:-k] for k in _NAME_SUFFIX_LENGTHS
                if len(token) - k >= min_stem and token[-k:] in _NAME_SUFFIX_SET]
    return [token[: -len(suffix)] for suffix in suffixes
            if token.endswith(suffix) and len(token) - len(suffix) >= min_stem]


def word_readings(token: str) -> list[str]:
    """The token, its readings without proclitics (و ف ب ل ك ال ...), and of each of those the
    readings without a trailing name suffix: every form a gazetteer name may take in text."""
    readings = strip_proclitics(token)
    for reading in list(readings):
        for stem in strip_suffixes(reading):
            if stem not in readings:
                readings.append(stem)
    return readings


def arabic_letter_share(text: str) -> float:
    """Share of letters in `text` that are Arabic-script letters (0 when there are no letters)."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 0.0
    arabic = sum(1 for c in letters if "\u0600" <= c <= "\u06ff" or "\u0750" <= c <= "\u077f")
    return arabic / len(letters)

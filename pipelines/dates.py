"""Arabic date parsing: absolute, Hijri and relative date expressions to ISO 8601.

Pure functions, no Scrapy. `parse_date` reads one date string (a meta/JSON-LD value, a <time>
text, a date line); `find_dates` lists every date expression in free text (a page's header).

Speed without folding the whole text: every run of digits is an anchor; anchored patterns
are tried there with `.match()` (day/year forward) and a short look behind it (weekday, a GMT
time, the month of a month-first date, اليوم/أمس before a time). Patterns run on the original
text, so `FoundDate.matched` is an exact substring: each data word (the month tables below are
plain dicts) becomes a regex accepting alef/hamza, ya/alef maqsura, ta marbuta variants and
diacritics or tatweel after any letter; the digit class accepts Arabic-Indic and Persian digits.

Conventions:
- `value` is `YYYY-MM-DD`, or `YYYY-MM-DDTHH:MM:SS+HH:MM` when a time AND an offset are known
  (the offset written; for relative phrases the fetch time's offset). A time written without
  an offset gives the date only.
- Hijri dates (Umm al-Qura, `hijridate`) are converted to Gregorian, `calendar="hijri"`; a
  Hijri year is never read as a Gregorian one. Gregorian years outside 1990..2100 are refused.
- Numeric dates are day-first (d/m/yyyy); m/d/yyyy is read only when the day-first reading is
  impossible and the month-first one is not (12/25/2020).
- Relative phrases need `fetched_at` (None otherwise); a naive `fetched_at` is taken as UTC.
  In `find_dates` the bare words اليوم/أمس count only next to a time ("أمس 10:30 م") or when
  they are the whole text, because prose ("أخبار اليوم", "قال أمس") is full of them.
"""

from __future__ import annotations

import email.utils
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Callable, Iterable, Iterator, TypeAlias

from dateutil.parser import isoparse
from hijridate import Hijri

__all__ = ["FoundDate", "parse_date", "find_dates"]

MIN_YEAR, MAX_YEAR = 1990, 2100
# hijridate's Umm al-Qura tables cover 1343..1500 AH.
MIN_HIJRI_YEAR, MAX_HIJRI_YEAR = 1343, 1500


@dataclass(frozen=True)
class FoundDate:
    value: str  # ISO 8601 date, or datetime with offset when a time and an offset are known
    calendar: str  # "gregorian" or "hijri" (hijri dates are converted to Gregorian in value)
    kind: str  # "absolute" | "relative"
    matched: str  # the substring of the input that matched


# --------------------------------------------------------------------------------------------
# Data: month names, weekdays, time zones, relative units (written naturally, folded at import)

GREGORIAN_MONTHS: dict[str, int] = {
    # Egyptian / Gulf (Latin-derived)
    "يناير": 1, "فبراير": 2, "مارس": 3, "أبريل": 4, "إبريل": 4, "مايو": 5, "يونيو": 6,
    "يونيه": 6, "يوليو": 7, "يوليه": 7, "أغسطس": 8, "أغسطوس": 8, "سبتمبر": 9, "أكتوبر": 10,
    "اكتوبر": 10, "نوفمبر": 11, "ديسمبر": 12,
    # Levantine / Iraqi (Syriac), with and without the article on the second word
    "كانون الثاني": 1, "كانون ثاني": 1, "شباط": 2, "آذار": 3, "نيسان": 4, "أيار": 5,
    "حزيران": 6, "تموز": 7, "آب": 8, "أيلول": 9, "تشرين الأول": 10, "تشرين أول": 10,
    "تشرين الثاني": 11, "تشرين ثاني": 11, "كانون الأول": 12, "كانون أول": 12,
    # Maghrebi (French-derived: Algeria, Tunisia; Moroccan forms)
    "جانفي": 1, "فيفري": 2, "أفريل": 4, "ماي": 5, "جوان": 6, "جويلية": 7, "جويليه": 7,
    "أوت": 8, "يوليوز": 7, "غشت": 8, "شتنبر": 9, "نونبر": 11, "دجنبر": 12,
    # English (feeds, bilingual headers)
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11,
    "nov": 11, "december": 12, "dec": 12,
}

HIJRI_MONTHS: dict[str, int] = {
    "محرم": 1, "المحرم": 1, "صفر": 2,
    "ربيع الأول": 3, "ربيع أول": 3,
    "ربيع الآخر": 4, "ربيع الثاني": 4, "ربيع آخر": 4, "ربيع ثاني": 4,
    "جمادى الأولى": 5, "جمادى الأول": 5, "جمادى أولى": 5,
    "جمادى الآخرة": 6, "جمادى الثانية": 6, "جمادى الآخر": 6, "جمادى الثاني": 6,
    "جمادى آخرة": 6, "جمادى ثانية": 6,
    "رجب": 7, "شعبان": 8, "رمضان": 9, "شوال": 10,
    "ذو القعدة": 11, "ذي القعدة": 11, "ذو القعده": 11,
    "ذو الحجة": 12, "ذي الحجة": 12,
}

WEEKDAYS: tuple[str, ...] = (
    "الأحد", "الاثنين", "الإثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت",
    "أحد", "اثنين", "إثنين", "ثلاثاء", "أربعاء", "خميس", "جمعة", "سبت",
)

# Places named in "بتوقيت ..." that keep one fixed UTC offset all year (no DST).
TIMEZONE_PLACES: dict[str, str] = {
    "مكة": "+03:00", "مكة المكرمة": "+03:00", "الرياض": "+03:00", "السعودية": "+03:00",
    "جدة": "+03:00", "الدوحة": "+03:00", "قطر": "+03:00", "الكويت": "+03:00",
    "بغداد": "+03:00", "المنامة": "+03:00", "البحرين": "+03:00",
    "أبوظبي": "+04:00", "أبو ظبي": "+04:00", "الإمارات": "+04:00", "دبي": "+04:00",
    "مسقط": "+04:00",
    "غرينتش": "+00:00", "غرينيتش": "+00:00", "جرينتش": "+00:00", "جرينيتش": "+00:00",
    "قرينتش": "+00:00", "غرنتش": "+00:00", "gmt": "+00:00", "utc": "+00:00",
}

# Relative units: word -> (timedelta unit, count). count 1 = singular, 2 = dual,
# 0 = plural (needs a number), None = fixed amount (نصف ساعة = 30 minutes).
RELATIVE_UNITS: dict[str, tuple[str, int | None]] = {
    "ثانية": ("seconds", 1), "ثانيتين": ("seconds", 2), "ثانيتان": ("seconds", 2),
    "ثوان": ("seconds", 0), "ثواني": ("seconds", 0),
    "دقيقة": ("minutes", 1), "دقيقتين": ("minutes", 2), "دقيقتان": ("minutes", 2),
    "دقائق": ("minutes", 0), "دقايق": ("minutes", 0),
    "ساعة": ("hours", 1), "ساعتين": ("hours", 2), "ساعتان": ("hours", 2),
    "ساعات": ("hours", 0),
    "يوم": ("days", 1), "يوما": ("days", 1), "يومين": ("days", 2), "يومان": ("days", 2),
    "أيام": ("days", 0),
    "أسبوع": ("weeks", 1), "أسبوعا": ("weeks", 1), "أسبوعين": ("weeks", 2),
    "أسبوعان": ("weeks", 2), "أسابيع": ("weeks", 0),
    "نصف ساعة": ("minutes", None),
}
HALF_HOUR_MINUTES = 30

NUMBER_WORDS: dict[str, int] = {
    "ثلاث": 3, "ثلاثة": 3, "أربع": 4, "أربعة": 4, "خمس": 5, "خمسة": 5, "ست": 6, "ستة": 6,
    "سبع": 7, "سبعة": 7, "ثماني": 8, "ثمان": 8, "ثمانية": 8, "تسع": 9, "تسعة": 9,
    "عشر": 10, "عشرة": 10,
}

# Days back from the fetch date for the day words.
DAY_WORDS: dict[str, int] = {
    "اليوم": 0, "أمس": 1, "الأمس": 1, "البارحة": 1,
    "أول أمس": 2, "أول من أمس": 2, "أمس الأول": 2,
}

AM_WORDS = ("صباحا", "صباحاً", "صباح", "فجرا", "ص", "am", "a.m.")
PM_WORDS = ("مساء", "مساءً", "ظهرا", "عصرا", "م", "pm", "p.m.")


# --------------------------------------------------------------------------------------------
# Normalisation of small strings (data words, matched groups)

_FOLD = str.maketrans(
    {
        "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",
        "ة": "ه", "ۃ": "ه", "ى": "ي", "ی": "ي", "ئ": "ي", "ؤ": "و", "ک": "ك",
        "٠": "0", "١": "1", "٢": "2", "٣": "3", "٤": "4",
        "٥": "5", "٦": "6", "٧": "7", "٨": "8", "٩": "9",
        "۰": "0", "۱": "1", "۲": "2", "۳": "3", "۴": "4",
        "۵": "5", "۶": "6", "۷": "7", "۸": "8", "۹": "9",
        "،": ",", "٫": ".", "٬": ",",
    }
)
# Tatweel, harakat/tanween/shadda/sukun, superscript alef, Quranic marks.
_MARK_CLASS = "[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]"
_MARKS = re.compile(_MARK_CLASS + "+")
_SPACES = re.compile(r"\s+")


def _fold(text: str) -> str:
    """Fold a short string: letter variants and digits mapped, marks dropped, Latin lower-cased."""
    return _SPACES.sub(" ", _MARKS.sub("", text.translate(_FOLD))).strip().lower()


# --------------------------------------------------------------------------------------------
# Regex building blocks. Patterns run on the ORIGINAL text: every data word becomes a regex
# that accepts its letter variants and marks/tatweel after any letter; `\d` matches ASCII,
# Arabic-Indic and Persian digits alike (and `int()` reads all three).

_VARIANTS = {"ا": "[اأإآٱٲٳ]", "ي": "[يىیئ]", "ه": "[هةۃ]", "و": "[وؤ]", "ك": "[كک]"}
_SP = r"[\s\u200b-\u200f\u061c\u202a-\u202e\u2066-\u2069]"  # spaces and invisible controls
_COMMA = r"[,،]"
_NOT_LETTER = r"(?![^\W\d_])"  # end of word, digits may follow ("ديسمبر2018")


def _tolerant(word: str) -> str:
    """Regex for one folded word: letter variants, optional marks after letters, any spacing."""
    parts = []
    for ch in word:
        if ch == " ":
            parts.append(_SP + "+")
        elif "\u0600" <= ch <= "\u06ff":
            parts.append(_VARIANTS.get(ch, re.escape(ch)) + _MARK_CLASS + "*")
        else:
            parts.append(re.escape(ch))
    return "".join(parts)


def _alternation(words: Iterable[str]) -> str:
    """Alternation of data words (folded, deduplicated, longest first)."""
    folded = sorted({_fold(w) for w in words}, key=lambda w: (-len(w), w))
    return "(?:" + "|".join(_tolerant(w) for w in folded) + ")"


def _lookup(table: dict[str, int], written: str) -> int:
    return table[_fold(written)]


_G_MONTHS = {_fold(k): v for k, v in GREGORIAN_MONTHS.items()}
_H_MONTHS = {_fold(k): v for k, v in HIJRI_MONTHS.items()}
_TZ_PLACES = {_fold(k): v for k, v in TIMEZONE_PLACES.items()}
_UNITS = {_fold(k): v for k, v in RELATIVE_UNITS.items()}
_NUMBERS = {_fold(k): v for k, v in NUMBER_WORDS.items()}
_DAY_WORDS = {_fold(k): v for k, v in DAY_WORDS.items()}
_AM = {_fold(w) for w in AM_WORDS}
_PM = {_fold(w) for w in PM_WORDS}

_GM = _alternation(GREGORIAN_MONTHS)
_HM = _alternation(HIJRI_MONTHS)
_WEEKDAY = rf"(?:{_alternation(WEEKDAYS)}|(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?)"
_GMT = rf"(?:gmt|utc|{_tolerant('ت')}\.?{_SP}?{_tolerant('غ')}\.?){_NOT_LETTER}"
_TZ = (
    rf"(?:\(?{_SP}*(?P<tzg>{_GMT})(?:{_SP}*(?P<tzs>[+-]){_SP}*(?P<tzh>\d{{1,2}})(?::?(?P<tzm>\d\d))?)?{_SP}*\)?"
    # "-hh:mm" only after seconds or a space: "18:00-20:00" is a range, not an offset
    r"|(?P<tzs2>\+|(?<=\d\d:\d\d:\d\d)-|(?<=\s)-)(?P<tzh2>\d\d):?(?P<tzm2>\d\d)(?!\d)"
    r"|(?P<z>z)(?!\w)"
    rf"|{_tolerant('بتوقيت')}{_SP}+(?P<place>{_alternation(TIMEZONE_PLACES)})(?!\w))"
)
# A clock time: 10:30, 10:30:15, 10:30 م, 10:30 PM, then an optional offset.
_CLOCK = (
    r"(?P<h>\d{1,2}):(?P<mi>\d\d)(?::(?P<s>\d\d))?(?:[.,]\d+)?(?!\d)"
    rf"(?:{_SP}*(?P<ap>{_alternation(AM_WORDS + PM_WORDS)})(?!\w))?"
    rf"(?:{_SP}*{_TZ})?"
)
_AT_HOUR = rf"(?:(?:{_tolerant('في')}{_SP}+)?(?:{_tolerant('ال')})?{_tolerant('ساعه')}{_SP}*)"
_TIME = rf"(?:{_SP}*(?:[-–—|,،]{_SP}*)?{_AT_HOUR}?{_CLOCK})?"
_PAIR = rf"(?:{_SP}*[/(\-–]{_SP}*(?P<mon2>{_GM}){_NOT_LETTER}\.?{_SP}*\)?)?"
_GREG_SUFFIX = rf"(?:{_SP}*(?:{_alternation(('ميلادية', 'ميلادي', 'م'))})(?!\w))?"
_HIJRI_SUFFIX = rf"(?:{_SP}*(?:{_alternation(('هجرية', 'هجري', 'للهجرة', 'هـ'))})(?!\w))?"
_YEAR = r"(?P<y>\d{4})(?!\d)"
_DAY = r"(?P<d>\d{1,2})(?!\d)"
_NUM_END = r"(?!\d|[/.\-]\d)"

_FLAGS = re.IGNORECASE


class _LazyPattern:
    """A regex compiled on first use: the scanner's patterns take ~0.4 s to compile, which a
    crawl process that only reads sitemap and feed dates (ISO 8601, RFC 2822) never needs."""

    def __init__(self, pattern: str, flags: int):
        self._source = (pattern, flags)
        _LAZY_PATTERNS.append(self)

    def compile(self) -> None:
        compiled = re.compile(*self._source)
        for method in ("match", "search", "finditer", "fullmatch"):
            setattr(self, method, getattr(compiled, method))

    def __getattr__(self, name: str):  # reached only until compile() has bound the methods
        if name.startswith("_"):  # copy/pickle probes, or _source before __init__ ran
            raise AttributeError(name)
        self.compile()
        return getattr(self, name)


_LAZY_PATTERNS: list[_LazyPattern] = []


def compile_patterns() -> None:
    """Compile the scanner's patterns now (the stage workers' forkserver does, once for all)."""
    for pattern in _LAZY_PATTERNS:
        pattern.compile()


# Forward patterns, tried with .match() at the start of a run of digits.
_ISO = re.compile(
    r"(?<![\d/.:\-])\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:[.,]\d+)?)?"
    r"(?:z|[+-]\d\d(?::?\d\d)?)?)?(?![\d:])",
    _FLAGS,
)
_NUMERIC_YMD = _LazyPattern(
    rf"(?<![\d/.:\-]){_YEAR}(?P<sep>[/.\-])(?P<m>\d{{1,2}})(?P=sep){_DAY}{_NUM_END}{_TIME}", _FLAGS
)
_NUMERIC_DMY = _LazyPattern(
    rf"(?<![\d/.:\-]){_DAY}(?P<sep>[/.\-])(?P<m>\d{{1,2}})(?P=sep){_YEAR}{_NUM_END}{_TIME}", _FLAGS
)
_DAY_FIRST = _LazyPattern(
    rf"(?<![\d/.:\-]){_DAY}{_SP}*(?:{_tolerant('من')}{_SP}+)?(?P<mon>{_GM}){_NOT_LETTER}\.?{_PAIR}"
    rf"{_SP}*{_COMMA}?{_SP}*{_YEAR}{_GREG_SUFFIX}{_TIME}",
    _FLAGS,
)
_HIJRI = _LazyPattern(
    rf"(?<![\d/.:\-]){_DAY}{_SP}*(?:{_tolerant('من')}{_SP}+)?(?P<hmon>{_HM}){_NOT_LETTER}"
    rf"{_SP}*{_COMMA}?{_SP}*{_YEAR}{_HIJRI_SUFFIX}",
    _FLAGS,
)
# Month-first ("أكتوبر 12، 2026"): the day and year forward, the month looked up behind.
_DAY_YEAR = _LazyPattern(
    rf"(?<![\d/.:\-]){_DAY}{_SP}*{_COMMA}?{_SP}*{_YEAR}{_GREG_SUFFIX}{_TIME}", _FLAGS
)
_TIME_ONLY = _LazyPattern(rf"(?<![\d/.:\-]){_CLOCK}", _FLAGS)

# Backward patterns, searched in the few characters before a forward match (end = its start).
_LEAD_TIME = (
    rf"(?:(?:gmt|utc){_SP}*(?P<lh>\d{{1,2}}):(?P<lm>\d\d){_SP}*"
    rf"|(?P<lh2>\d{{1,2}}):(?P<lm2>\d\d){_SP}*(?:gmt|utc){_SP}*)"
)
_WEEKDAY_PREFIX = rf"(?:(?<!\w)(?:{_tolerant('يوم')}{_SP}+)?(?<!\w){_WEEKDAY}(?!\w){_SP}*{_COMMA}?{_SP}*)"
_BEFORE_DATE = _LazyPattern(rf"{_WEEKDAY_PREFIX}?{_LEAD_TIME}?$", _FLAGS)
_BEFORE_DAY_YEAR = _LazyPattern(
    rf"{_WEEKDAY_PREFIX}?(?<![^\W\d_])(?P<mon>{_GM}){_NOT_LETTER}\.?{_PAIR}{_SP}*$", _FLAGS
)
_BEFORE_TIME = _LazyPattern(
    rf"(?<!\w)(?P<word>{_alternation(DAY_WORDS)})(?!\w){_SP}*{_COMMA}?{_SP}*(?:[-–—|]{_SP}*)?{_AT_HOUR}?$",
    _FLAGS,
)
_LOOKBACK = 48

# Text patterns, searched over the whole text.
_RELATIVE = _LazyPattern(
    rf"{_alternation(('منذ', 'قبل'))}{_SP}+(?:{_alternation(('حوالي', 'نحو'))}{_SP}+)?"
    rf"(?:(?P<n>\d{{1,3}}|{_alternation(NUMBER_WORDS)}){_SP}*)?"
    rf"(?P<unit>{_alternation(RELATIVE_UNITS)})(?!\w)",
    _FLAGS,
)
_DAY_WORD = _LazyPattern(rf"(?<!\w)(?P<word>{_alternation(DAY_WORDS)})(?!\w)", _FLAGS)
_DIGITS = re.compile(r"\d+")
_RFC2822 = re.compile(
    r"(?:[a-z]{3},?\s*)?\d{1,2}\s+[a-z]{3}\s+\d{4}\s+\d{1,2}:\d\d(?::\d\d)?\s*(?:[+-]\d{4}|[a-z]{1,5})?",
    _FLAGS,
)


# --------------------------------------------------------------------------------------------
# Values

_Groups = dict[str, "str | None"]
_Result = tuple[str, str, str]  # (calendar, kind, value)


def _valid_date(y: int, m: int, d: int) -> date | None:
    """The Gregorian date, or None when impossible or outside MIN_YEAR..MAX_YEAR."""
    if not MIN_YEAR <= y <= MAX_YEAR:
        return None
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _offset(g: _Groups) -> timezone | None:
    """The UTC offset written after a time (or a GMT lead time), if any."""
    if g.get("place"):
        text = _TZ_PLACES[_fold(g["place"] or "")]
        sign, hh, mm = text[0], int(text[1:3]), int(text[4:6])
    elif g.get("tzs2"):
        sign, hh, mm = g["tzs2"] or "+", int(g["tzh2"] or 0), int(g["tzm2"] or 0)
    elif g.get("tzs"):
        sign, hh, mm = g["tzs"] or "+", int(g["tzh"] or 0), int(g["tzm"] or 0)
    elif g.get("tzg") or g.get("z"):
        sign, hh, mm = "+", 0, 0
    else:
        return None
    if hh > 14 or mm > 59:
        return None
    delta = timedelta(hours=hh, minutes=mm)
    return timezone(-delta if sign == "-" else delta)


def _clock(g: _Groups) -> tuple[int, int, int] | None:
    """(hour, minute, second) on the 24-hour clock, None when impossible."""
    h, mi, s = int(g["h"] or 0), int(g["mi"] or 0), int(g.get("s") or 0)
    marker = _fold(g["ap"]) if g.get("ap") else None
    if marker in _PM and h < 12:
        h += 12
    elif marker in _AM and h == 12:
        h = 0
    if h > 23 or mi > 59 or s > 59:
        return None
    return h, mi, s


def _with_lead_time(g: _Groups) -> _Groups:
    """Use a time written before the date with GMT/UTC ("GMT 17:27 17.03.2020") when none follows."""
    if g.get("h") is None and (g.get("lh") or g.get("lh2")):
        return {**g, "h": g.get("lh") or g.get("lh2"), "mi": g.get("lm") or g.get("lm2"), "tzg": "gmt"}
    return g


def _absolute(day: date, g: _Groups) -> _Result | None:
    """Gregorian result for a date and its written time (date only without an offset)."""
    g = _with_lead_time(g)
    if g.get("h") is None:
        return "gregorian", "absolute", day.isoformat()
    clock, tz = _clock(g), _offset(g)
    if clock is None:
        return None
    if tz is None:
        return "gregorian", "absolute", day.isoformat()
    return "gregorian", "absolute", datetime(day.year, day.month, day.day, *clock, tzinfo=tz).isoformat()


def _from_datetime(dt: datetime) -> _Result | None:
    """Result for a library-parsed datetime: with offset when aware, else the date only."""
    if not MIN_YEAR <= dt.year <= MAX_YEAR:
        return None
    if dt.utcoffset() is None:
        return "gregorian", "absolute", dt.date().isoformat()
    return "gregorian", "absolute", dt.replace(microsecond=0).isoformat()


def _aware(fetched_at: datetime) -> datetime:
    """The fetch time, a naive one taken as UTC."""
    return fetched_at if fetched_at.tzinfo is not None else fetched_at.replace(tzinfo=timezone.utc)


def _iso(g: _Groups, _: datetime | None) -> _Result | None:
    written = (g["_all"] or "").translate(_FOLD).replace(" ", "T").replace(",", ".")
    try:
        return _from_datetime(isoparse(written))
    except (ValueError, OverflowError):
        return None


def _numeric(g: _Groups, _: datetime | None) -> _Result | None:
    """d/m/yyyy or yyyy/m/d; m/d/yyyy only when the day-first reading is impossible."""
    y, first, second = int(g["y"] or 0), int(g["d"] or 0), int(g["m"] or 0)
    day = _valid_date(y, second, first)
    if day is None and not g.get("_ymd"):
        day = _valid_date(y, first, second)
    return _absolute(day, g) if day else None


def _named(g: _Groups, _: datetime | None) -> _Result | None:
    month = _lookup(_G_MONTHS, g["mon"] or "")
    if g.get("mon2") and _lookup(_G_MONTHS, g["mon2"] or "") != month:
        return None  # a paired form naming two different months
    day = _valid_date(int(g["y"] or 0), month, int(g["d"] or 0))
    return _absolute(day, g) if day else None


def _hijri(g: _Groups, _: datetime | None) -> _Result | None:
    """Umm al-Qura Hijri date converted to Gregorian; never read as a Gregorian year."""
    year = int(g["y"] or 0)
    if not MIN_HIJRI_YEAR <= year <= MAX_HIJRI_YEAR:
        return None
    try:
        greg = Hijri(year, _lookup(_H_MONTHS, g["hmon"] or ""), int(g["d"] or 0)).to_gregorian()
    except (ValueError, OverflowError):
        return None
    return "hijri", "absolute", date(greg.year, greg.month, greg.day).isoformat()


def _day_word(g: _Groups, fetched_at: datetime | None) -> _Result | None:
    """اليوم / أمس / أول أمس, with the written time when there is one."""
    if fetched_at is None:
        return None
    now = _aware(fetched_at)
    day = now.date() - timedelta(days=_lookup(_DAY_WORDS, g["word"] or ""))
    if g.get("h") is None:
        return "gregorian", "relative", day.isoformat()
    clock = _clock(g)
    if clock is None:
        return None
    tz = _offset(g) or now.tzinfo
    return "gregorian", "relative", datetime(day.year, day.month, day.day, *clock, tzinfo=tz).isoformat()


def _relative(g: _Groups, fetched_at: datetime | None) -> _Result | None:
    """منذ/قبل + amount: a datetime for seconds..hours, a date for days and weeks."""
    if fetched_at is None:
        return None
    unit, count = _UNITS[_fold(g["unit"] or "")]
    written = _fold(g["n"]) if g.get("n") else None
    if count is None:  # نصف ساعة
        if written:
            return None
        n = HALF_HOUR_MINUTES
    elif written:
        if count == 2:  # a number before a dual is not Arabic
            return None
        n = int(written) if written.isdigit() else _NUMBERS[written]
    elif count == 0:  # "منذ ساعات": no amount
        return None
    else:
        n = count
    now = _aware(fetched_at)
    then = (now.astimezone(timezone.utc) - timedelta(**{unit: n})).astimezone(now.tzinfo)
    if unit in ("days", "weeks"):
        return "gregorian", "relative", then.date().isoformat()
    return "gregorian", "relative", then.replace(microsecond=0).isoformat()


# --------------------------------------------------------------------------------------------
# Scanning

_Handler = Callable[[_Groups, "datetime | None"], "_Result | None"]
_Pattern: TypeAlias = "re.Pattern[str] | _LazyPattern"
# At a 4-digit run, at a 1-2 digit run: (forward pattern, backward pattern, backward required, handler)
_AT_YEAR: tuple[tuple[_Pattern, _Pattern | None, bool, _Handler], ...] = (
    (_ISO, None, False, _iso),
    (_NUMERIC_YMD, _BEFORE_DATE, False, _numeric),
)
_AT_DAY: tuple[tuple[_Pattern, _Pattern | None, bool, _Handler], ...] = (
    (_NUMERIC_DMY, _BEFORE_DATE, False, _numeric),
    (_DAY_FIRST, _BEFORE_DATE, False, _named),
    (_HIJRI, _BEFORE_DATE, False, _hijri),
    (_DAY_YEAR, _BEFORE_DAY_YEAR, True, _named),
    (_TIME_ONLY, _BEFORE_TIME, True, _day_word),
)
# (start, end, result, core start, core result): the core is the match without what was found
# behind it, kept for when that prefix overlaps the previous date.
_Candidate = tuple[int, int, _Result, int, "_Result | None"]


def _anchored(text: str, fetched_at: datetime | None) -> Iterator[_Candidate]:
    """Dates found from each run of digits: forward match there, prefix looked up behind."""
    for run in _DIGITS.finditer(text):
        p = run.start()
        size = run.end() - p
        table = _AT_YEAR if size == 4 else _AT_DAY if size <= 2 else ()
        for forward, backward, required, handler in table:
            m = forward.match(text, p)
            if m is None:
                continue
            core = {**m.groupdict(), "_all": m.group(0), "_ymd": "1" if forward is _NUMERIC_YMD else None}
            b = backward.search(text, max(0, p - _LOOKBACK), p) if backward is not None else None
            if b is not None and b.start() < p:
                result = handler({**b.groupdict(), **core}, fetched_at)
                core_result = None if required else handler(core, fetched_at)
                if result is not None:
                    yield b.start(), m.end(), result, p, core_result
            elif not required:
                result = handler(core, fetched_at)
                if result is not None:
                    yield p, m.end(), result, p, result


def _worded(text: str, fetched_at: datetime | None, bare_day_words: bool) -> Iterator[_Candidate]:
    """Relative phrases (منذ/قبل ...) and, when asked, bare اليوم/أمس."""
    if fetched_at is None:
        return
    for m in _RELATIVE.finditer(text):
        if m.start() and (text[m.start() - 1].isalnum() or text[m.start() - 1] == "_"):
            continue  # inside a word
        result = _relative(m.groupdict(), fetched_at)
        if result is not None:
            yield m.start(), m.end(), result, m.start(), result
    if bare_day_words:
        for m in _DAY_WORD.finditer(text):
            result = _day_word(m.groupdict(), fetched_at)
            if result is not None:
                yield m.start(), m.end(), result, m.start(), result


def _scan(text: str, fetched_at: datetime | None, bare_day_words: bool) -> list[FoundDate]:
    """Every date expression in `text` in order; of overlapping ones the earliest, then longest."""
    candidates = [*_anchored(text, fetched_at), *_worded(text, fetched_at, bare_day_words)]
    if not bare_day_words and fetched_at is not None and len(text) < 40:
        m = _DAY_WORD.fullmatch(text.strip(" \t\r\n.,،:;-|"))
        if m is not None:  # the whole text is "اليوم" or "أمس"
            start = text.index(m.group(0))
            result = _day_word(m.groupdict(), fetched_at)
            if result is not None:
                candidates.append((start, start + len(m.group(0)), result, start, result))
    candidates.sort(key=lambda c: (c[0], -c[1]))
    found: list[FoundDate] = []
    last_end = -1
    for start, end, result, core_start, core_result in candidates:
        if start < last_end:
            if core_result is None or core_start < last_end:
                continue
            start, result = core_start, core_result
        last_end = end
        calendar, kind, value = result
        matched = text[start:end].rstrip()
        found.append(FoundDate(value=value, calendar=calendar, kind=kind, matched=matched))
    return found


def _parse_whole(text: str) -> tuple[bool, FoundDate | None]:
    """(recognised, result) for ISO 8601 / RFC 2822 filling the whole string (dateutil, email.utils)."""
    if _ISO.fullmatch(text):
        result = _iso({"_all": text}, None)
    elif _RFC2822.fullmatch(text.translate(_FOLD)):
        try:
            result = _from_datetime(email.utils.parsedate_to_datetime(text.translate(_FOLD)))
        except (TypeError, ValueError, IndexError):
            return False, None  # e.g. 31 Feb: let the scanner judge it
    else:
        return False, None
    if result is None:
        return True, None
    calendar, kind, value = result
    return True, FoundDate(value=value, calendar=calendar, kind=kind, matched=text)


def parse_date(text: str, fetched_at: datetime | None = None) -> FoundDate | None:
    """Parse one date string (a meta/JSON-LD value, a <time> text or a date line).

    When the string holds several dates the first Gregorian absolute one wins, then the first
    Hijri one, then the first relative one ("11 شوال 1441هـ - 03 يونيو 2020م" gives June 3).
    """
    if not text or not text.strip():
        return None
    recognised, whole = _parse_whole(text.strip())
    if recognised:
        return whole
    found = _scan(text, fetched_at, bare_day_words=True)
    for calendar, kind in (("gregorian", "absolute"), ("hijri", "absolute")):
        for f in found:
            if f.calendar == calendar and f.kind == kind:
                return f
    return found[0] if found else None


def find_dates(text: str, fetched_at: datetime | None = None, limit: int = 10) -> list[FoundDate]:
    """All date expressions found in free text, in order of appearance (for scanning a page's date line / header area)."""
    if not text or limit <= 0:
        return []
    return _scan(text, fetched_at, bare_day_words=False)[:limit]

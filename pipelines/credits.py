"""Reprint credits of republished op-eds ("نقلا عن صحيفة القدس العربي") (pure functions, no Scrapy).

A credit is its own short paragraph (<= 15 words) at the end of an article (or, on some sites,
at the top) that opens with a credit phrase: نقلا عن، منقول عن، المصدر:، عن، بالتزامن مع،
ينشر بالتزامن/بالاتفاق/بالتعاون مع، نشر (أولا) في، Source:, Originally published in. A phrase
inside running text ("... نقلا عن مصادر مطلعة") is not a credit, nor is a generic source
("مصادر"، "وكالات"، "شهود").

The outlet name is kept as written, without the medium word (صحيفة، جريدة، موقع، مجلة، وكالة،
يومية), quotes/guillemets, a trailing date or issue number, and a trailing adjective of
nationality ("القدس العربي اللندنية" -> "القدس العربي").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from pipelines.arabic import normalize


@dataclass(frozen=True)
class ReprintCredit:
    name: str  # outlet name as written, without صحيفة/جريدة/موقع/مجلة/وكالة and quotes/guillemets
    matched: str  # the whole credit line


_MAX_WORDS = 15
_MAX_NAME_WORDS = 7
_TAIL_PARAGRAPHS = 6
_HEAD_PARAGRAPHS = 2

_A = "[اأإآ]"  # any alef
_PUBLISH = r"(?:[يت]?نشر\s+(?:هذا\s+المقال\s+|المقال\s+)?)"
# (pattern, strong): a strong phrase is a credit by itself; a weak one ("عن X", "بالتزامن مع X")
# needs a medium word or quotes around the name, or a very short paragraph at the end.
_PHRASES: list[tuple[re.Pattern[str], bool]] = [
    (re.compile(r"نقل[اًا]?\s+عن\s+"), True),
    (re.compile(r"منقول\s+(?:عن|من)\s+"), True),
    (re.compile(rf"(?:{_A}ل)?مصدر(?:\s+المقال|\s+المادة)?\s*[:：\-–—]\s*"), True),
    (re.compile(rf"{_PUBLISH}?بال(?:تزامن|{_A}تفاق|تعاون)\s+مع\s+"), False),
    (re.compile(rf"{_PUBLISH}(?:{_A}ولا\s+|لل?مرة\s+{_A}ل{_A}ولى\s+|ل{_A}ول\s+مرة\s+)?(?:في|على)\s+"), False),
    (re.compile(r"عن\s+"), False),
    (
        re.compile(
            r"(?:source\s*:|originally\s+published\s+(?:in|by|on)"
            r"|republished\s+(?:from|with\s+permission\s+(?:of|from)))\s*",
            re.IGNORECASE,
        ),
        True,
    ),
]
_STRONG_PUBLISH = re.compile(rf"^{_PUBLISH}")

_LEAD = re.compile(r"^[\s*•·\-–—\u0640(\[]*(?:\(\s*\*+\s*\)\s*)?")
_MEDIUM = re.compile(
    rf"^(?:(?:ال)?موقع\s+(?:ال)?{_A}لكتروني\s+ل|(?:ال)?(?:صحيف|جريد|مجل|وكال)[ةه]\s+|(?:ال)?موقع\s+"
    r"|يومي[ةه]\s+|(?:the\s+)?(?:newspaper|website|magazine)\s+)",
    re.IGNORECASE,
)
_QUOTES = "«»\"“”„‘’'‹›"
_NAME_END = re.compile(r"\s*(?:[،,;؛(\[|]|\s[-–—]\s|\bبتاريخ\b|\bفي\s+عدد|\bالعدد\b|\bيوم\b|\d{1,4}[/.\-]\d).*$")
_TRIM = " \t.:;!،؛-–—()[]" + _QUOTES
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\u00ad\u061c]")
_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670]")
_INNER_TATWEEL = re.compile(r"(?<=\w)\u0640+(?=\w)")
_SPACES = re.compile(r"\s+")

# Names that are sources inside news text, not outlets: "نقلا عن مصادر مطلعة".
_GENERIC = frozenset(
    normalize(w)
    for w in (
        "مصادر مصدر مسؤول مسؤولين مسؤولون شهود شاهد مراقبين مراقبون تقارير تقرير وسائل مواقع "
        "وكالات الوكالات بيان تصريحات تصريح مقربين مقربون دبلوماسيين دبلوماسي خبراء خبير "
        "مراسل مراسلنا مصدر أي ماذا كثب قرب بعد طريق كل هذا هذه ذلك أنه أنها أن الذين الذي "
        "المصادر المسؤولين الشهود أوساط الأوساط جهات الجهات ناشطين ناشطون سكان السكان أحد"
    ).split()
)
# Trailing adjectives of nationality or city dropped from a name ("القدس العربي اللندنية").
_NATIONALITY = frozenset(
    normalize(w)
    for w in (
        "اللندنية الباريسية السعودية المصرية الإماراتية القطرية الكويتية الأردنية اللبنانية "
        "البريطانية الأمريكية الأميركية الروسية الفرنسية التركية الإسرائيلية الكازاخستانية "
        "الكازاخية الأوزبكية الأوزبكستانية القرغيزية الطاجيكية التركمانية الجزائرية المغربية "
        "التونسية العراقية السورية الفلسطينية العمانية البحرينية اليمنية السودانية الليبية "
        "الإيرانية الألمانية الصينية الهندية الباكستانية الأفغانية"
    ).split()
)


def _clean(text: str) -> str:
    """NFKC, no invisible characters, diacritics or in-word tatweel, one space between words."""
    text = _DIACRITICS.sub("", _INVISIBLE.sub("", unicodedata.normalize("NFKC", text)))
    if "\u0640" in text:  # the look-behind pattern is tried at every position: only when needed
        text = _INNER_TATWEEL.sub("", text)
    return _SPACES.sub(" ", text).strip()


def _outlet_name(rest: str) -> tuple[str, bool]:
    """Outlet name from the text after a credit phrase; second value: medium word or quotes seen."""
    rest = rest.strip(" :")
    marked = any(q in rest for q in _QUOTES)
    medium = _MEDIUM.match(rest)
    while medium:
        marked = True
        rest = rest[medium.end():]
        medium = _MEDIUM.match(rest)
    rest = rest.strip(_TRIM)
    name = _NAME_END.sub("", rest).strip(_TRIM)
    name = name.replace("«", "").replace("»", "").replace("“", "").replace("”", "").replace('"', "")
    words = name.split()
    if len(words) > 1 and normalize(words[-1]) in _NATIONALITY:
        words = words[:-1]
    return " ".join(words), marked


def _parse(paragraph: str, strict: bool) -> ReprintCredit | None:
    """The credit in `paragraph` when the whole paragraph is one; `strict` refuses weak phrases."""
    # _clean works word by word (it never joins two words), so when the first _MAX_WORDS + 1
    # words still give more than _MAX_WORDS, the whole paragraph does: no need to clean it all.
    head = paragraph.split(maxsplit=_MAX_WORDS + 1)[: _MAX_WORDS + 1]
    if len(head) > _MAX_WORDS and len(_clean(" ".join(head)).split()) > _MAX_WORDS:
        return None
    line = _clean(paragraph)
    words = line.split()
    if not words or len(words) > _MAX_WORDS or re.search(r"[?؟!]", line):
        return None
    body = line[_LEAD.match(line).end():]
    for pattern, strong in _PHRASES:
        match = pattern.match(body)
        if not match:
            continue
        name, marked = _outlet_name(body[match.end():])
        name_words = name.split()
        if not name_words or len(name_words) > _MAX_NAME_WORDS or not re.search(r"[^\W\d_]", name):
            return None
        if normalize(name_words[0]).strip(_TRIM) in _GENERIC:
            return None
        publish = bool(_STRONG_PUBLISH.match(body))
        short = len(words) <= 6
        if strong or marked or (publish and "بال" in body[: match.end()]) or (short and not strict):
            return ReprintCredit(name=name, matched=paragraph.strip())
        return None
    return None


def parse_credit_line(paragraph: str) -> ReprintCredit | None:
    """The reprint credit when `paragraph` is, as a whole, a short credit line; else None."""
    return _parse(paragraph, strict=False)


def find_reprint_credit(paragraphs: list[str]) -> ReprintCredit | None:
    """The reprint credit in the last few paragraphs (or the first ones: some sites put it on top).

    The last 6 non-empty paragraphs are searched from the end, then the first 2. In the first
    2 (unless it is also the last), weak phrases ("عن X", "بالتزامن مع X" without a medium word,
    quotes or ينشر) are not accepted: there they are more often a heading than a credit.
    """
    filled = [p for p in paragraphs if p and p.strip()]
    tail = range(len(filled) - 1, max(len(filled) - _TAIL_PARAGRAPHS, 0) - 1, -1)
    head = range(min(_HEAD_PARAGRAPHS, len(filled)))
    for i in [*tail, *(i for i in head if i not in tail)]:
        credit = _parse(filled[i], strict=i < _HEAD_PARAGRAPHS and i < len(filled) - 1)
        if credit:
            return credit
    return None


def _outlet_key(name: str) -> str:
    """Comparison key: normalised, no medium word, quotes, nationality, leading ال or spaces."""
    text, _ = _outlet_name(_clean(name))
    words = re.sub(r"[^\w\s]", " ", normalize(text)).split()
    if words and words[0].startswith("ال") and len(words[0]) > 3:
        words[0] = words[0][2:]
    return "".join(words)


def resolve_outlet(name: str, aliases: dict[str, str]) -> str:
    """Registry id for an outlet name: `aliases` maps outlet names/aliases (as written in the registry) to ids; matching is on Arabic-normalised names, ignoring a leading ال and صحيفة/جريدة; returns `name` unchanged when nothing matches."""
    key = _outlet_key(name)
    if not key:
        return name
    for alias, outlet_id in aliases.items():
        if _outlet_key(alias) == key:
            return outlet_id
    for outlet_id in aliases.values():
        if _outlet_key(outlet_id) == key:
            return outlet_id
    return name

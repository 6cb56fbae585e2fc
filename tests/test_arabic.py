import pytest

from pipelines.arabic import arabic_letter_share, normalize, strip_proclitics, tokens


@pytest.mark.parametrize(
    "variant, plain",
    [
        ("كَازَاخِسْتَانُ", "كازاخستان"),  # diacritics
        ("كازاخـــستان", "كازاخستان"),  # tatweel
        ("أستانا", "استانا"), ("إسلام", "اسلام"), ("آستانة", "استانه"),  # alef forms, ta marbuta
        ("مستشفى", "مستشفي"),  # alef maqsura
        ("٢٠٢٦", "2026"), ("۱۴۰۵", "1405"),  # Arabic-Indic and Persian digits
        ("یک کتاب", "يك كتاب"),  # Persian yeh and keheh
        ("\u200fكازاخستان\u200b", "كازاخستان"),  # bidi mark, zero-width space
    ],
)
def test_normalize_folds_variants(variant, plain):
    assert normalize(variant) == plain


def test_tokens_drop_punctuation():
    assert tokens("«كازاخستان»، وأوزبكستان!") == ["كازاخستان", "واوزبكستان"]


def test_strip_proclitics_offers_the_stem():
    assert "كازاخستان" in strip_proclitics("وبكازاخستان")
    assert "كازاخستان" in strip_proclitics("والكازاخستان")
    assert strip_proclitics("بكم") == ["بكم"]  # stem would be too short


def test_arabic_letter_share():
    assert arabic_letter_share("مرحبا hello") == pytest.approx(5 / 10)
    assert arabic_letter_share("123") == 0.0


def _reference_normalize(text: str) -> str:
    """normalize written the plain way (one translate table), to check the fast one against."""
    import re
    import unicodedata

    from pipelines.arabic import _FOLD

    dropped = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640"
                         "\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\u00ad\u061c]")
    return dropped.sub("", unicodedata.normalize("NFKC", text)).translate(_FOLD).lower()


def test_normalize_equals_the_plain_translate_table_on_every_character():
    chars = "".join(chr(c) for c in range(0x20, 0x30000) if not 0xD800 <= c < 0xE000)
    for start in range(0, len(chars), 400):
        chunk = chars[start:start + 400]
        assert normalize(chunk) == _reference_normalize(chunk), hex(ord(chunk[0]))


@pytest.mark.parametrize("lines", [
    ["كَ", "\u064eاب"],  # a mark opening a line stays on its line
    ["ΑΣ", "Β"], ["Σ", "σ"],  # final sigma decided within the line
    ["ﻻ ﷲ", "ﻛﺎزاخستان"], ["\u200f", "\u200bأ"], ["e", "\u0301"], ["ᄀ", "ᅡ"],  # NFKC, Hangul
])
def test_normalize_works_line_by_line(lines):
    # pipelines.relevance normalises all sentences of an article in one call joined by newlines
    assert normalize("\n".join(lines)).split("\n") == [normalize(line) for line in lines]

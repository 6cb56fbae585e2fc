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

"""The Central Asia gazetteer (data/gazetteer.toml) and its matcher."""

from __future__ import annotations

import tomllib
from collections import defaultdict

import pytest

from pipelines.arabic import normalize, strip_suffixes, tokens, word_readings
from pipelines.config import GAZETTEER
from pipelines.gazetteer import COUNTRIES, load_gazetteer


@pytest.fixture(scope="module")
def gazetteer():
    return load_gazetteer(str(GAZETTEER))


def ids(gazetteer, text: str) -> list[str]:
    return [m.entity.id for m in gazetteer.find(tokens(text))]


def test_data_file_is_well_formed():
    data = tomllib.loads(GAZETTEER.read_text(encoding="utf-8"))
    seen = set()
    for entity in data["entity"]:
        assert entity["id"] not in seen
        seen.add(entity["id"])
        assert entity["names"], entity["id"]
        assert set(entity.get("countries", [])) <= set(COUNTRIES), entity["id"]
        assert entity["weight"] > 0
    kinds = {e["kind"] for e in data["entity"]}
    assert {"country", "capital", "city", "leader", "ethnonym", "body", "region"} <= kinds
    for country in COUNTRIES:  # every country has its country entry, a capital and a leader
        own = {e["kind"] for e in data["entity"] if e.get("countries") == [country]}
        assert {"country", "capital", "leader"} <= own, country


def test_no_name_belongs_to_two_entities_except_the_documented_trap():
    data = tomllib.loads(GAZETTEER.read_text(encoding="utf-8"))
    owners = defaultdict(set)
    for entry in data["entity"] + data["near_topic"]:
        for name in entry.get("names", []) + entry.get("adjectives", []):
            owners[tuple(tokens(name))].add(entry["id"])
    shared = {form: o for form, o in owners.items() if len(o) > 1}
    assert set(shared) <= {(normalize("البخاري"),)}, shared


@pytest.mark.parametrize("text, expected", [
    ("زار الرئيس كازاخستان", "kazakhstan"),
    ("وبكازاخستان", "kazakhstan"),  # و + ب proclitics
    ("والقرغيزستانيون", "kyrgyzstan"),  # و + ال and a nisba plural
    ("قيرغيزستان", "kyrgyzstan"), ("قرغيزيا", "kyrgyzstan"), ("كيرغيزستان", "kyrgyzstan"),
    ("طاجكستان", "tajikistan"), ("تركمنستان", "turkmenistan"),
    ("آستانة", "astana"), ("أستانا", "astana"), ("نور سلطان", "astana"),
    ("المواطن الكازاخستاني", "kazakhstan"), ("الحكومة الأوزبكية", "uzbekistan"),
    ("منظمة شنغهاي للتعاون", "sco"), ("الاتحاد الاقتصادي الأوراسي", "eaeu"),
    ("تۆرکمنستانا", "turkmenistan"),  # South Azerbaijani dative ending
    ("قازاقىستاندىكى", "kazakhstan"),  # Uyghur locative ending
    ("عشق‌آبادا", "ashgabat"),  # ZWNJ dropped, suffix on the last token of a two-word name
])
def test_spelling_variants_and_affixes_match(gazetteer, text, expected):
    assert expected in ids(gazetteer, text)


@pytest.mark.parametrize("text", [
    "مدينة قازان عاصمة تتارستان",  # Kazan, one letter from قازاق
    "كيف حالك اليوم",  # "how", not Kyiv
    "الكازاخستانيةالجديدة",  # glued to another word: not a name + affixes
    "نموذج طراز جديد",  # Taraz as طراز ("model") is left out
    "اوشك الموعد على الانتهاء",  # أوش inside an unrelated word
])
def test_no_match_inside_unrelated_words(gazetteer, text):
    assert not [m.entity.id for m in gazetteer.find(tokens(text)) if m.entity.countries]


def test_near_topic_phrases_mask_the_names_inside_them(gazetteer):
    matches = gazetteer.find(tokens("انطلقت جولة جديدة من محادثات أستانا حول سوريا"))
    assert "astana-process" in [m.entity.id for m in matches]
    assert "astana" not in [m.entity.id for m in matches]
    assert "levant-turkmen" in ids(gazetteer, "تركمان العراق في كركوك")
    assert "classical-scholars" in ids(gazetteer, "رواه البخاري في صحيحه")


def test_suffix_readings_keep_a_real_stem():
    assert strip_suffixes(normalize("تۆرکمنستانا")) == [normalize("تۆرکمنستان")]
    assert strip_suffixes("اوشا") == []  # stem under 5 letters: not stripped
    readings = word_readings(normalize("وكازاخستان"))
    assert readings[0] == normalize("وكازاخستان") and normalize("كازاخستان") in readings


def test_candidate_words_are_the_words_a_match_can_start_at(gazetteer):
    words = tokens("قال الرئيس الكازاخستاني توكاييف في أستانا إن بحر آرال وآسيا الوسطى والطريق والكتاب")
    starting = gazetteer.candidate_words(words)
    assert starting <= set(words)
    assert {"الكازاخستاني", "توكاييف", "استانا"} <= starting and "والكتاب" not in starting
    # every match starts at a candidate word, and passing the set changes nothing
    found = gazetteer.find(words)
    assert found and all(words[m.start] in starting for m in found)
    assert gazetteer.find(words, starting) == found

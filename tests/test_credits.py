"""Tests for pipelines.credits: find_reprint_credit, parse_credit_line, resolve_outlet."""

from __future__ import annotations

import re

import pytest

from pipelines.credits import ReprintCredit, find_reprint_credit, parse_credit_line, resolve_outlet
from tests.support.pages import SEED

BODY = [
    "تمر العلاقات بين موسكو وأستانا بمرحلة دقيقة بعد الانتخابات الأخيرة، وتترقب العواصم المجاورة ما ستؤول إليه.",
    "ويرى مراقبون أن التوازن بين القوى الكبرى في آسيا الوسطى لم يعد ممكنا بالطريقة القديمة.",
]

# (credit line, expected outlet name)
CREDIT_LINES = [
    ("نقلا عن صحيفة القدس العربي", "القدس العربي"),
    ("نقلاً عن «القدس العربي»", "القدس العربي"),
    ("نقلا عن جريدة القدس العربي اللندنية", "القدس العربي"),
    ("نقلا عن صحيفة الشرق الأوسط، 12/1/2021", "الشرق الأوسط"),
    ("(نقلا عن صحيفة \"الحياة\")", "الحياة"),
    ("المصدر: الشرق الأوسط", "الشرق الأوسط"),
    ("المصدر - صحيفة الشرق الأوسط", "الشرق الأوسط"),
    ("مصدر المقال: موقع الجزيرة نت", "الجزيرة نت"),
    ("عن صحيفة الخليج", "الخليج"),
    ("عن العربي الجديد", "العربي الجديد"),
    ("عن «الأيام» البحرينية", "الأيام"),
    ("بالتزامن مع موقع عربي21", "عربي21"),
    ("ينشر بالتزامن مع مجلة المجلة", "المجلة"),
    ("* ينشر بالتزامن مع موقع المدن", "المدن"),
    ("ينشر بالاتفاق مع مشروع سنديكيت", "مشروع سنديكيت"),
    ("يُنشر بالاتفاق مع «بروجيكت سنديكيت».", "بروجيكت سنديكيت"),
    ("نُشر هذا المقال في صحيفة الغد", "الغد"),
    ("Source: Al-Monitor", "Al-Monitor"),
]


@pytest.mark.parametrize(("line", "name"), CREDIT_LINES)
def test_credit_at_the_end(line: str, name: str) -> None:
    credit = find_reprint_credit(BODY + [line])
    assert credit == ReprintCredit(name=name, matched=line)


@pytest.mark.parametrize(("line", "name"), CREDIT_LINES[:6])
def test_credit_followed_by_chrome(line: str, name: str) -> None:
    credit = find_reprint_credit(BODY + [line, "", "Leave a Comment", "شارك"])
    assert credit is not None and credit.name == name


def test_credit_on_top() -> None:
    credit = find_reprint_credit(["نقلا عن صحيفة الرأي الأردنية"] + BODY)
    assert credit == ReprintCredit(name="الرأي", matched="نقلا عن صحيفة الرأي الأردنية")


def test_weak_phrase_on_top_is_not_a_credit() -> None:
    # a subheading such as "بالتزامن مع الانتخابات" on top is not a credit; with ينشر it is
    assert find_reprint_credit(["بالتزامن مع الانتخابات"] + BODY) is None
    assert find_reprint_credit(["ينشر بالتزامن مع موقع المدن"] + BODY).name == "المدن"


def test_credit_count() -> None:
    assert len(CREDIT_LINES) >= 15


NOT_CREDITS = [
    "نقلا عن مصادر مطلعة",
    "وقال المسؤول نقلا عن مصادر مطلعة إن الاتفاق قريب",
    "وذكرت الوكالة، نقلا عن مصادر مطلعة، أن الوفد الكازاخستاني سيصل إلى موسكو الأسبوع المقبل لبحث ملف الطاقة والنقل.",
    "عن أي سلام يتحدثون؟",
    "المصدر: وكالات",
    "والأيام القادمة كفيلة بالإجابة.",
    "عن طريق الحوار وحده يمكن تجاوز هذه الأزمة التي طال أمدها بين البلدين الجارين في المنطقة",
    "",
]


@pytest.mark.parametrize("line", NOT_CREDITS)
def test_not_a_credit(line: str) -> None:
    assert parse_credit_line(line) is None
    assert find_reprint_credit(BODY + [line]) is None


def test_no_credit() -> None:
    assert find_reprint_credit(BODY) is None
    assert find_reprint_credit([]) is None


def test_credit_inside_long_paragraph_is_ignored() -> None:
    long_paragraph = "نقلا عن صحيفة القدس العربي " + "وتحدث التقرير عن تطورات المنطقة " * 5
    assert find_reprint_credit(BODY + [long_paragraph]) is None


def test_seed_credit() -> None:
    if not SEED.is_file():
        pytest.skip(f"seed op-ed not found at {SEED} (only present in the Marsad workplace)")
    paragraphs = [p.strip() for p in re.split(r"\n+", SEED.read_text(encoding="utf-8")) if p.strip()]
    credit = find_reprint_credit(paragraphs)
    assert credit is not None
    assert credit.name == "القدس العربي"
    assert credit.matched in paragraphs


ALIASES = {
    "القدس العربي": "alquds",
    "Al-Quds Al-Arabi": "alquds",
    "الشرق الأوسط": "aawsat",
    "العربي الجديد": "alaraby",
    "عربي 21": "arabi21",
    "الأهرام": "ahram",
    "إيلاف": "elaph",
}

RESOLVE = [
    ("القدس العربي", "alquds"),
    ("قدس العربي", "alquds"),  # leading ال ignored
    ("صحيفة القدس العربي", "alquds"),
    ("القدس العربى", "alquds"),  # alef maqsura
    ("al-quds al-arabi", "alquds"),
    ("الشرق الاوسط", "aawsat"),  # hamza on alef
    ("جريدة الشرق الأوسط", "aawsat"),
    ("«العربي الجديد»", "alaraby"),
    ("عربي21", "arabi21"),  # spacing
    ("الاهرام", "ahram"),
    ("أهرام", "ahram"),
    ("ايلاف", "elaph"),
    ("القدس العربي اللندنية", "alquds"),
    ("الحياة", "الحياة"),  # unknown: unchanged
    ("الشرق", "الشرق"),  # a prefix is not a match
    ("", ""),
]


@pytest.mark.parametrize(("name", "expected"), RESOLVE)
def test_resolve_outlet(name: str, expected: str) -> None:
    assert resolve_outlet(name, ALIASES) == expected


def test_resolve_outlet_by_id_and_empty_registry() -> None:
    assert resolve_outlet("alquds", ALIASES) == "alquds"
    assert resolve_outlet("القدس العربي", {}) == "القدس العربي"

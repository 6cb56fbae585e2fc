"""Tests for pipelines/dates.py: Arabic, Hijri, numeric, ISO/RFC 2822 and relative dates."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from pipelines.dates import FoundDate, find_dates, parse_date
from tests.support.pages import REALDATA

FETCHED = datetime(2026, 11, 29, 12, 0, tzinfo=timezone(timedelta(hours=3)))


# --- Gregorian month names ------------------------------------------------------------------

EGYPTIAN = [
    ("5 يناير 2026", "2026-01-05"),
    ("5 فبراير 2026", "2026-02-05"),
    ("5 مارس 2026", "2026-03-05"),
    ("5 أبريل 2026", "2026-04-05"),
    ("5 ابريل 2026", "2026-04-05"),
    ("5 مايو 2026", "2026-05-05"),
    ("5 يونيو 2026", "2026-06-05"),
    ("5 يونيه 2026", "2026-06-05"),
    ("5 يوليو 2026", "2026-07-05"),
    ("5 يوليه 2026", "2026-07-05"),
    ("5 أغسطس 2026", "2026-08-05"),
    ("5 اغسطس 2026", "2026-08-05"),
    ("5 سبتمبر 2026", "2026-09-05"),
    ("5 أكتوبر 2026", "2026-10-05"),
    ("5 اكتوبر 2026", "2026-10-05"),
    ("5 نوفمبر 2026", "2026-11-05"),
    ("5 ديسمبر 2026", "2026-12-05"),
]

LEVANTINE = [
    ("7 كانون الثاني 2025", "2025-01-07"),
    ("7 شباط 2025", "2025-02-07"),
    ("7 آذار 2025", "2025-03-07"),
    ("7 نيسان 2025", "2025-04-07"),
    ("7 أيار 2025", "2025-05-07"),
    ("7 حزيران 2025", "2025-06-07"),
    ("7 تموز 2025", "2025-07-07"),
    ("7 آب 2025", "2025-08-07"),
    ("7 أيلول 2025", "2025-09-07"),
    ("7 تشرين الأول 2025", "2025-10-07"),
    ("7 تشرين الثاني 2025", "2025-11-07"),
    ("7 كانون الأول 2025", "2025-12-07"),
]

MAGHREBI = [
    ("9 جانفي 2024", "2024-01-09"),
    ("9 فيفري 2024", "2024-02-09"),
    ("9 أفريل 2024", "2024-04-09"),
    ("9 ماي 2024", "2024-05-09"),
    ("9 جوان 2024", "2024-06-09"),
    ("9 جويلية 2024", "2024-07-09"),
    ("9 أوت 2024", "2024-08-09"),
]

FORMS = [
    # order, punctuation
    ("12 أكتوبر 2026", "2026-10-12"),
    ("أكتوبر 12، 2026", "2026-10-12"),
    ("ديسمبر 14, 2022", "2022-12-14"),
    ("21 ديسمبر2017", "2017-12-21"),
    ("3 من مارس 2021", "2021-03-03"),
    # paired forms
    ("10 يناير/ كانون الثاني 2021", "2021-01-10"),
    ("3 تشرين الأول/أكتوبر 2026", "2026-10-03"),
    ("١٥ أيلول (سبتمبر) ٢٠٢٦", "2026-09-15"),
    ("14 نيسان / أبريل 2021", "2021-04-14"),
    ("19 آب/اغسطس 2014", "2014-08-19"),
    # digits
    ("١٢ أكتوبر ٢٠٢٦", "2026-10-12"),
    ("۱۲ اکتوبر ۲۰۲۶", "2026-10-12"),
    ("١٢/١٠/٢٠٢٦", "2026-10-12"),
    # hamza/alef variants, diacritics, tatweel
    ("12 إبريل 2026", "2026-04-12"),
    ("12 أُكْتُوبَر 2026", "2026-10-12"),
    ("12 أكتـــوبر 2026", "2026-10-12"),
    ("1 كانون الاول 2025", "2025-12-01"),
    # weekday prefixes
    ("الأحد 12 أكتوبر 2026", "2026-10-12"),
    ("يوم الثلاثاء، 3 تشرين الثاني 2026", "2026-11-03"),
    ("الخميس 7 فيفري 2019", "2019-02-07"),
    # numeric
    ("12/10/2026", "2026-10-12"),
    ("12.10.2026", "2026-10-12"),
    ("12-10-2026", "2026-10-12"),
    ("2026/10/12", "2026-10-12"),
    ("2026.1.5", "2026-01-05"),
    ("12/25/2020", "2020-12-25"),  # month-first only because day-first is impossible
    # ISO 8601 and RFC 2822 (dateutil / email.utils)
    ("2026-10-12", "2026-10-12"),
    ("2026-10-12T10:00:00Z", "2026-10-12T10:00:00+00:00"),
    ("2021-07-14T03:05:09+02:00", "2021-07-14T03:05:09+02:00"),
    ("2021-07-13T22:15:40.123+00:00", "2021-07-13T22:15:40+00:00"),
    ("2026-10-12T10:00:00", "2026-10-12"),  # no offset written: the date only
    ("Mon, 12 Oct 2026 10:00:00 +0300", "2026-10-12T10:00:00+03:00"),
    ("Mon, 12 Oct 2026 10:00:00 GMT", "2026-10-12T10:00:00+00:00"),
    ("Mar. 3 2022", "2022-03-03"),
    # times
    ("الأحد 12 أكتوبر 2026 الساعة 10:30 بتوقيت مكة", "2026-10-12T10:30:00+03:00"),
    ("12 أكتوبر 2026 - 10:30 م بتوقيت غرينتش", "2026-10-12T22:30:00+00:00"),
    ("12 أكتوبر 2026 10:30 مساءً بتوقيت مكة المكرمة", "2026-10-12T22:30:00+03:00"),
    ("12 أكتوبر 2026 12:30 ص بتوقيت مكة", "2026-10-12T00:30:00+03:00"),
    ("12 أكتوبر 2026 12:15 م بتوقيت مكة", "2026-10-12T12:15:00+03:00"),
    ("12 أكتوبر 2026 09:05 صباحا بتوقيت غرينتش", "2026-10-12T09:05:00+00:00"),
    ("12 أكتوبر 2026 10:30 م", "2026-10-12"),  # no offset written: the date only
    ("الخميس، 08 أكتوبر 2020 - 11:47 م", "2020-10-08"),
    ("19 آب 2014 16:20 (GMT+0400)", "2014-08-19T16:20:00+04:00"),
    ("GMT 09:41 05.06.2021", "2021-06-05T09:41:00+00:00"),
    ("08:12 GMT05 حزيران/ يونيو 2021", "2021-06-05T08:12:00+00:00"),
    ("٢٠٢٦/١٠/١٢ - ١٠:٣٠ م بتوقيت مكة", "2026-10-12T22:30:00+03:00"),
    ("12 أكتوبر 2026 10:30 بتوقيت أبوظبي", "2026-10-12T10:30:00+04:00"),
    ("12 أكتوبر 2026 10:30 +03:00", "2026-10-12T10:30:00+03:00"),
    ("12 أكتوبر 2026 10:30 ت.غ", "2026-10-12T10:30:00+00:00"),
    ("12 أكتوبر 2026 18:00-20:00", "2026-10-12"),  # a time range, not a -20:00 offset
    ("12 أكتوبر 2026 10:30 تغريدة", "2026-10-12"),  # not "ت غ" (GMT)
]


@pytest.mark.parametrize(("text", "expected"), EGYPTIAN + LEVANTINE + MAGHREBI + FORMS)
def test_gregorian_dates(text: str, expected: str) -> None:
    found = parse_date(text)
    assert found is not None, text
    assert found.value == expected
    assert found.calendar == "gregorian"
    assert found.kind == "absolute"


# --- Hijri -----------------------------------------------------------------------------------

HIJRI = [
    ("11 شوال 1441هـ", "2020-06-03"),
    ("١١ شوال ١٤٤١ هـ", "2020-06-03"),
    ("۱۱ شوال ۱۴۴۱ هـ", "2020-06-03"),
    ("3 رمضان 1447 هجري", "2026-02-20"),
    ("1 ذو الحجة 1441 هـ", "2020-07-22"),
    ("10 ذي الحجة 1441", "2020-07-31"),
    ("12 ربيع الأول 1446هـ", "2024-09-15"),
    ("5 جمادى الآخرة 1445", "2023-12-18"),
    ("1 محرم 1442هـ", "2020-08-20"),
    ("الأربعاء 11 شوال 1441هـ", "2020-06-03"),
]


@pytest.mark.parametrize(("text", "expected"), HIJRI)
def test_hijri_dates_are_converted(text: str, expected: str) -> None:
    found = parse_date(text)
    assert found == FoundDate(value=expected, calendar="hijri", kind="absolute", matched=text)


def test_header_with_hijri_and_gregorian_yields_both() -> None:
    found = find_dates("الأربعاء 11 شوال 1441هـ - 3 يونيو 2020م")
    assert [(f.value, f.calendar) for f in found] == [("2020-06-03", "hijri"), ("2020-06-03", "gregorian")]
    assert found[0].matched == "الأربعاء 11 شوال 1441هـ"
    assert found[1].matched == "3 يونيو 2020م"


def test_parse_date_prefers_the_gregorian_date_of_a_double_header() -> None:
    found = parse_date("11 شوال 1441هـ - 03 يونيو 2020م")
    assert found is not None and found.calendar == "gregorian" and found.value == "2020-06-03"


# --- Rejections ------------------------------------------------------------------------------

INVALID = [
    "31 فبراير 2026",
    "29 فبراير 2026",
    "31 نيسان 2026",
    "2026-02-30",
    "13/13/2020",
    "30 شوال 1441هـ",  # Shawwal 1441 has 29 days (Umm al-Qura)
    "12 أكتوبر 1441",  # a Hijri-range year is never a Gregorian year
    "11 شوال 2020",  # a Hijri month with a Gregorian year
    "1 يناير 2101",
    "31 ديسمبر 1989",
    "1989-12-31",
    "10 يناير/ شباط 2021",  # a paired form naming two different months
    "12 أكتوبر 2026 25:10 بتوقيت مكة",
]


@pytest.mark.parametrize("text", INVALID)
def test_impossible_dates_are_rejected(text: str) -> None:
    assert parse_date(text) is None
    assert find_dates(text) == []


@pytest.mark.parametrize("text", INVALID[:12])
def test_impossible_dates_yield_nothing_in_free_text(text: str) -> None:
    assert find_dates(f"نص قبل {text} ونص بعد") == []


@pytest.mark.parametrize("text", ["", "   ", "لا تاريخ في هذا النص", "صفحة 12 من 30", "عام 2020", "رمضان 2020"])
def test_text_without_a_date(text: str) -> None:
    assert parse_date(text, FETCHED) is None
    assert find_dates(text, FETCHED) == []


# --- Relative phrases (fetched 2026-11-29 12:00 +03:00) -------------------------------------

RELATIVE = [
    ("منذ ساعتين", "2026-11-29T10:00:00+03:00"),
    ("منذ 3 ساعات", "2026-11-29T09:00:00+03:00"),
    ("منذ ٣ ساعات", "2026-11-29T09:00:00+03:00"),
    ("منذ ساعة", "2026-11-29T11:00:00+03:00"),
    ("منذ دقيقتين", "2026-11-29T11:58:00+03:00"),
    ("منذ 5 دقائق", "2026-11-29T11:55:00+03:00"),
    ("منذ ثلاث دقائق", "2026-11-29T11:57:00+03:00"),
    ("منذ نصف ساعة", "2026-11-29T11:30:00+03:00"),
    ("منذ يوم", "2026-11-28"),
    ("منذ يومين", "2026-11-27"),
    ("منذ 4 أيام", "2026-11-25"),
    ("منذ 12 يوما", "2026-11-17"),
    ("منذ أسبوع", "2026-11-22"),
    ("قبل ساعتين", "2026-11-29T10:00:00+03:00"),
    ("قبل 15 دقيقة", "2026-11-29T11:45:00+03:00"),
    ("أمس", "2026-11-28"),
    ("الأمس", "2026-11-28"),
    ("اليوم", "2026-11-29"),
    ("أول أمس", "2026-11-27"),
    ("أمس الساعة 10:30 م", "2026-11-28T22:30:00+03:00"),
    ("اليوم 09:15 ص", "2026-11-29T09:15:00+03:00"),
    ("أمس 10:30 بتوقيت غرينتش", "2026-11-28T10:30:00+00:00"),
]


@pytest.mark.parametrize(("text", "expected"), RELATIVE)
def test_relative_phrases(text: str, expected: str) -> None:
    found = parse_date(text, FETCHED)
    assert found == FoundDate(value=expected, calendar="gregorian", kind="relative", matched=text)
    assert find_dates(text, FETCHED) == [found]


@pytest.mark.parametrize(("text", "_expected"), RELATIVE)
def test_relative_phrases_need_the_fetch_time(text: str, _expected: str) -> None:
    assert parse_date(text) is None
    assert find_dates(text) == []


@pytest.mark.parametrize("text", ["منذ ساعات", "منذ أيام", "منذ 3 ساعتين"])
def test_vague_or_ungrammatical_relative_phrases(text: str) -> None:
    assert parse_date(text, FETCHED) is None


def test_relative_hours_keep_the_fetch_offset_across_midnight() -> None:
    fetched = datetime(2026, 3, 1, 0, 30, tzinfo=timezone(timedelta(hours=-5)))
    assert parse_date("منذ ساعتين", fetched).value == "2026-02-28T22:30:00-05:00"  # type: ignore[union-attr]
    assert parse_date("أمس", fetched).value == "2026-02-28"  # type: ignore[union-attr]


def test_naive_fetch_time_is_taken_as_utc() -> None:
    assert parse_date("منذ ساعة", datetime(2026, 1, 1, 0, 10)).value == "2025-12-31T23:10:00+00:00"  # type: ignore[union-attr]


def test_bare_day_words_in_prose_are_not_dates() -> None:
    prose = "قرأت اليوم مقالا في مجلة صدرت أمس، ومقال اليوم أطول"
    assert find_dates(prose, FETCHED) == []
    with_time = find_dates("نشر أمس 09:15 في طشقند", FETCHED)
    assert [(f.value, f.matched) for f in with_time] == [("2026-11-28T09:15:00+03:00", "أمس 09:15")]


# --- find_dates over free text ---------------------------------------------------------------


def test_find_dates_in_order_with_exact_substrings() -> None:
    text = (
        "الرباط - الخميس، 08 أكتوبر 2020 - 11:47 م | تحديث: ١٥ أيلول (سبتمبر) ٢٠٢٦ "
        "ثم منذ ساعتين، وفي 2018/03/04 صدر الكتاب، وولد الكاتب في 2 مايو 1950."
    )
    found = find_dates(text, FETCHED)
    assert [f.value for f in found] == ["2020-10-08", "2026-09-15", "2026-11-29T10:00:00+03:00", "2018-03-04"]
    assert [f.kind for f in found] == ["absolute", "absolute", "relative", "absolute"]
    assert found[0].matched == "الخميس، 08 أكتوبر 2020 - 11:47 م"
    assert found[1].matched == "١٥ أيلول (سبتمبر) ٢٠٢٦"
    for f in found:
        assert f.matched in text


def test_matched_keeps_marks_and_tatweel_of_the_original() -> None:
    text = "نشر في ١٢ أكْتـــوبَر ٢٠٢٦ مساءً"
    (found,) = find_dates(text)
    assert found.matched == "١٢ أكْتـــوبَر ٢٠٢٦"
    assert found.value == "2026-10-12"


def test_find_dates_limit() -> None:
    text = " ".join(f"{d} مارس 2021" for d in range(1, 21))
    assert len(find_dates(text)) == 10
    assert [f.value for f in find_dates(text, limit=3)] == ["2021-03-01", "2021-03-02", "2021-03-03"]
    assert find_dates(text, limit=0) == []


def test_numbers_inside_urls_and_identifiers_are_not_dates() -> None:
    assert find_dates("https://example.com/2021-05-04-1.5551234 رقم 202105041099887766") == []


def test_foundate_is_frozen() -> None:
    found = parse_date("12 أكتوبر 2026")
    with pytest.raises(AttributeError):
        found.value = "x"  # type: ignore[misc, union-attr]


# --- Real pages ------------------------------------------------------------------------------

# Pages where reading the HTML showed the publication date in the visible text.
VISIBLE_DATE_VERIFIED = {
    "ar_akhbarelyom.com_2020-10-07",  # weekday + Egyptian month + 12 h time
    "ar_albayan.ae_2020-06-03",  # Hijri + Gregorian header, "التاريخ:" line
    "ar_almadenahnews.com_2020-04-24",  # paired Levantine / Egyptian month
    "ar_assabah.com.tn_2019-02-08",  # Maghrebi month (فيفري)
    "ar_elbaladtv.net_2020-12-25",  # yyyy/mm/dd and month-first "ديسمبر 25, 2020"
    "ar_sputniknews-arabic_2020-03-17",  # GMT time before "17.03.2020"
}
# Pages whose visible text carries no date equal to the reference (only other stamps).
NO_VISIBLE_DATE = {
    "ar_arabic.cnn.com_2013-08-03__goose3": "reference date comes from the URL; page shows 4 Aug 2013",
    "ar_arabic.cnn.com_2013-08-03__newspaper3k": "reference date comes from the URL; page shows 28 Aug 2013",
    "ar_arabic.cnn.com_2013-08-03__newspaper4k": "reference date comes from the URL; page shows 28 Aug 2013",
}
META_FILES = sorted((REALDATA / "articles_ar").glob("*.meta.json")) if REALDATA.is_dir() else []


def _visible_text(html_path: Path) -> str:
    import lxml.html

    doc = lxml.html.document_fromstring(html_path.read_bytes())
    for node in doc.xpath("//script|//style|//noscript"):
        node.drop_tree()
    body = doc.find("body")
    return (body if body is not None else doc).text_content()


@pytest.mark.parametrize("meta_path", META_FILES or [None], ids=lambda p: p.name if p else "absent")
def test_real_pages_show_their_date(meta_path: Path | None) -> None:
    if meta_path is None:
        pytest.skip(f"real pages not available: {REALDATA} is absent")
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    expected = (meta.get("date") or {}).get("value")
    if not expected:
        pytest.skip(f"{meta_path.name} has no reference date")
    stem = meta_path.name.removesuffix(".meta.json")
    found = find_dates(_visible_text(meta_path.with_name(meta["file"])), limit=500)
    gregorian = {f.value[:10] for f in found if f.calendar == "gregorian"}
    if stem in VISIBLE_DATE_VERIFIED:
        assert expected in gregorian, f"{stem}: {expected} not among {sorted(gregorian)}"
    elif stem in NO_VISIBLE_DATE:
        assert expected not in gregorian, f"{stem}: {NO_VISIBLE_DATE[stem]}"
        assert any(v.startswith(expected[:7]) for v in gregorian), f"{stem}: its own stamp was not read"
    else:
        pytest.skip(f"{stem}: visible date not verified by reading the page")


def test_real_page_hijri_header_is_read_as_hijri() -> None:
    page = REALDATA / "articles_ar" / "ar_albayan.ae_2020-06-03.html"
    if not page.is_file():
        pytest.skip(f"real pages not available: {page} is absent")
    found = find_dates(_visible_text(page), limit=500)
    assert ("2020-06-03", "hijri") in {(f.value, f.calendar) for f in found}
    assert all(f.value[:4] != "1441" for f in found)

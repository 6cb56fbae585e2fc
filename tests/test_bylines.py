"""Tests for pipelines.bylines: clean_author, split_authors, split_signature."""

from __future__ import annotations

import json
import re

import pytest

from pipelines.bylines import clean_author, split_authors, split_signature
from tests.support.pages import REALDATA, SEED

ARTICLES_AR = REALDATA / "articles_ar"

# (raw byline, expected author) — names here are invented for the tests.
BYLINES = [
    # labels
    ("بقلم: د. سلمى الحوراني", "سلمى الحوراني"),
    ("كتب - خالد المنصوري", "خالد المنصوري"),
    ("كتبت: منى الزعبي", "منى الزعبي"),
    ("إعداد: ياسر القضاة", "ياسر القضاة"),
    ("بقلم الكاتب الصحفي رامي العمري", "رامي العمري"),
    ("حوار: ليلى بن عيسى", "ليلى بن عيسى"),
    ("By Sarah Collins", "Sarah Collins"),
    # honorifics
    ("الدكتور سامر النعيمي", "سامر النعيمي"),
    ("أ. د. نبيل الرفاعي", "نبيل الرفاعي"),
    ("د.محمد الشريف", "محمد الشريف"),
    ("الأستاذ الدكتور عبد الله الفارس", "عبد الله الفارس"),
    ("المهندس طارق الحسيني", "طارق الحسيني"),
    ("السفير حسام زكي الدين", "حسام زكي الدين"),
    ("Dr. Laura Kim", "Laura Kim"),
    ("الشيخ ماجد آل حمد", "ماجد آل حمد"),
    ("السيد حسين", "السيد حسين"),  # السيد kept when it would leave one word
    # datelines
    ("القاهرة - أحمد فوزي", "أحمد فوزي"),
    ("موسكو ـ رامي الشامي", "رامي الشامي"),
    ("هاني سليم - بيروت", "هاني سليم"),
    ("طشقند – نادية كريموفا", "نادية كريموفا"),
    # desk credits -> None
    ("(أبوظبي - البيان)", None),
    ("البيان - خاص", None),
    ("المحرر السياسي", None),
    ("هيئة التحرير", None),
    ("مراسلنا في موسكو", None),
    ("رأي القدس", None),
    ("المدينة نيوز :-", None),
    ("akhbarelyom", None),
    ("admin", None),
    # agency credits -> None
    ("وكالات", None),
    ("رويترز", None),
    ("أ ف ب", None),
    ("الأناضول", None),
    ("سبوتنيك", None),
    ("(د ب أ)", None),
    ("القاهرة - (أ ف ب)", None),
    ("--(بترا)", None),
    ("دمشق، سوريا (CNN)", None),
    # trailing credits, suffixes, contacts
    ("مها الصالح (رويترز)", "مها الصالح"),
    ("عمر الخطيب | صحيفة الخليج", "عمر الخطيب"),
    ("جمال الدين حسن - القدس العربي", "جمال الدين حسن"),
    ("فادي نصار fadi.nassar@example.com", "فادي نصار"),
    ("فادي نصار @fadinassar", "فادي نصار"),
    ("فادي نصار https://example.org/fadi", "فادي نصار"),
    ("زياد الحلبي، كاتب سوري", "زياد الحلبي"),
    ("تصوير: كريم عادل", None),
    ("بقلم: سامي فؤاد | تصوير: كريم عادل", "سامي فؤاد"),
    # several authors
    ("أحمد علي ومحمد حسن", "أحمد علي، محمد حسن"),
    ("أحمد علي، محمد حسن", "أحمد علي، محمد حسن"),
    ("أحمد علي و محمد حسن", "أحمد علي، محمد حسن"),
    ("أحمد علي، محمد حسن وسارة خالد", "أحمد علي، محمد حسن، سارة خالد"),
    ("كتب: د. أحمد علي ود. محمد حسن", "أحمد علي، محمد حسن"),
    ("أحمد علي، أحمد علي", "أحمد علي"),
    # names containing و and compound names
    ("وليد الخطيب", "وليد الخطيب"),
    ("محمد وليد الخطيب", "محمد وليد الخطيب"),
    ("سامي وائل ديب", "سامي وائل ديب"),
    ("سعد الله ونوس", "سعد الله ونوس"),
    ("عبد الله وعبد الرحمن السالم", "عبد الله، عبد الرحمن السالم"),
    ("أبو بكر الزهراني", "أبو بكر الزهراني"),
    ("محمد ولد الشيخ", "محمد ولد الشيخ"),
    # Latin and mixed names
    ("John Smith and Jane Doe", "John Smith، Jane Doe"),
    ("Anna Ivanova & Timur Akhmetov", "Anna Ivanova، Timur Akhmetov"),
    ("Jean-Pierre Martin", "Jean-Pierre Martin"),
    ("Timur Akhmetov، نور الهدى سعيد", "Timur Akhmetov، نور الهدى سعيد"),
    # empty
    (None, None),
    ("", None),
    ("   ", None),
    ("بقلم:", None),
]


@pytest.mark.parametrize(("raw", "expected"), BYLINES)
def test_clean_author(raw: str | None, expected: str | None) -> None:
    assert clean_author(raw) == expected


def test_byline_case_count() -> None:
    assert len(BYLINES) >= 40


def test_clean_author_ignores_diacritics_and_tatweel() -> None:
    assert clean_author("بِقَلَمِ: محمـــد السَّالم") == "محمد السالم"


SPLITS = [
    ("أحمد علي ومحمد حسن", ["أحمد علي", "محمد حسن"]),
    ("أحمد علي، محمد حسن، سارة خالد", ["أحمد علي", "محمد حسن", "سارة خالد"]),
    ("Anna Ivanova and Timur Akhmetov", ["Anna Ivanova", "Timur Akhmetov"]),
    ("Anna Ivanova, Timur Akhmetov & Li Wei", ["Anna Ivanova", "Timur Akhmetov", "Li Wei"]),
    ("وائل قنديل", ["وائل قنديل"]),
    ("محمد وليد الخطيب", ["محمد وليد الخطيب"]),
    ("أحمد علي وليد", ["أحمد علي وليد"]),
    ("عبد الله الأحمد وأبو بكر سالم", ["عبد الله الأحمد", "أبو بكر سالم"]),
    ("سعد الله ونوس", ["سعد الله ونوس"]),
    ("أحمد ومحمد", ["أحمد ومحمد"]),  # one-word names: not enough evidence to split
]


@pytest.mark.parametrize(("raw", "expected"), SPLITS)
def test_split_authors(raw: str, expected: list[str]) -> None:
    assert split_authors(raw) == expected


BODY = [
    "تمر العلاقات بين موسكو وأستانا بمرحلة دقيقة بعد الانتخابات الأخيرة، وتترقب العواصم المجاورة ما ستؤول إليه.",
    "ويرى مراقبون أن التوازن بين القوى الكبرى في آسيا الوسطى لم يعد ممكنا بالطريقة القديمة.",
]

SIGNATURES = [
    # (final paragraphs after BODY, expected bio, expected last body paragraph)
    (["كاتب وباحث في الشؤون الدولية"], "كاتب وباحث في الشؤون الدولية", BODY[-1]),
    (["باحث في الشؤون الدولية"], "باحث في الشؤون الدولية", BODY[-1]),
    (["أستاذ العلوم السياسية في جامعة عمان الأهلية"], "أستاذ العلوم السياسية في جامعة عمان الأهلية", BODY[-1]),
    (["* كاتب سوري"], "كاتب سوري", BODY[-1]),
    (["- صحفي مصري"], "صحفي مصري", BODY[-1]),
    (["(*) محلل سياسي أردني"], "محلل سياسي أردني", BODY[-1]),
    (["هاني سليم، دبلوماسي مصري سابق"], "هاني سليم، دبلوماسي مصري سابق", BODY[-1]),
    (["رئيس تحرير صحيفة محلية"], "رئيس تحرير صحيفة محلية", BODY[-1]),
    (["سفير سابق"], "سفير سابق", BODY[-1]),
    # signature followed by a credit line and site chrome
    (["باحث في الشؤون الدولية", "نقلا عن صحيفة الأيام", "Leave a Comment"], "باحث في الشؤون الدولية", BODY[-1]),
    (["* كاتب عراقي", "", "شارك", "اقرأ أيضا: مقال آخر"], "كاتب عراقي", BODY[-1]),
    (["نقلا عن صحيفة الأيام", "أكاديمي وخبير في شؤون آسيا الوسطى"], "أكاديمي وخبير في شؤون آسيا الوسطى", BODY[-1]),
    # ordinary short last sentences stay in the body
    (["والأيام القادمة كفيلة بالإجابة."], None, "والأيام القادمة كفيلة بالإجابة."),
    (["فهل يتعلم الجميع الدرس؟"], None, "فهل يتعلم الجميع الدرس؟"),
    (["كاتب هذه السطور لا يرى بديلا عن الحوار."], None, "كاتب هذه السطور لا يرى بديلا عن الحوار."),
    (["رئيس الحكومة وحده يملك الجواب."], None, "رئيس الحكومة وحده يملك الجواب."),
    (["الباحث عن الحقيقة لن يجدها في البيانات."], None, "الباحث عن الحقيقة لن يجدها في البيانات."),
    (["خبير الطاقة الروسي قال صراحة إن الأنبوب سيتأخر."], None, "خبير الطاقة الروسي قال صراحة إن الأنبوب سيتأخر."),
    (["شاركت كازاخستان في القمة بوفد كبير."], None, "شاركت كازاخستان في القمة بوفد كبير."),
    # a long paragraph opening with an occupation noun is body text
    (
        ["كاتب " + "كلمة " * 25],
        None,
        "كاتب " + "كلمة " * 25,
    ),
    # no bio, but trailing chrome and credit are not body
    (["والأيام القادمة كفيلة بالإجابة.", "نقلا عن صحيفة الأيام", "Leave a Comment"], None, "والأيام القادمة كفيلة بالإجابة."),
]


@pytest.mark.parametrize(("tail", "bio", "last"), SIGNATURES)
def test_split_signature(tail: list[str], bio: str | None, last: str) -> None:
    body, found = split_signature(BODY + tail)
    assert found == bio
    assert body[-1] == last
    assert body[: len(BODY)] == BODY


def test_signature_case_count() -> None:
    assert len(SIGNATURES) >= 12


def test_split_signature_bio_alone_is_not_removed() -> None:
    assert split_signature(["كاتب سوري"]) == (["كاتب سوري"], None)
    assert split_signature([]) == ([], None)


def test_split_signature_does_not_mutate_input() -> None:
    paragraphs = BODY + ["* كاتب سوري", "Leave a Comment"]
    copy = list(paragraphs)
    split_signature(paragraphs)
    assert paragraphs == copy


def _seed_paragraphs() -> list[str]:
    if not SEED.is_file():
        pytest.skip(f"seed op-ed not found at {SEED} (only present in the Marsad workplace)")
    text = SEED.read_text(encoding="utf-8")
    return [p.strip() for p in re.split(r"\n+", text) if p.strip()]


def test_seed_signature() -> None:
    paragraphs = _seed_paragraphs()
    body, bio = split_signature(paragraphs)
    assert bio == "باحث في الشؤون الدولية"
    # the body ends with the last real paragraph: the one just before the signature line
    signature_at = max(i for i, p in enumerate(paragraphs) if p == bio)
    assert body == paragraphs[:signature_at]
    assert len(body[-1].split()) > 20
    assert all("Leave a Comment" not in p and not p.startswith("نقلا عن") for p in body)


def test_seed_byline() -> None:
    paragraphs = _seed_paragraphs()
    # the byline is the short line after the repeated title
    byline = next(p for p in paragraphs[1:8] if 2 <= len(p.split()) <= 4 and "؟" not in p)
    assert clean_author(byline) == byline


def _realdata(name: str) -> str:
    path = ARTICLES_AR / name
    if not path.is_file():
        pytest.skip(f"real page {path} not found (../shared/realdata only exists in the Marsad workplace)")
    return path.read_text(encoding="utf-8", errors="replace")


def test_realdata_desk_credit_in_meta_author() -> None:
    html = _realdata("ar_albayan.ae_2020-06-03.html")
    raw = re.search(r'<meta name="author" content="([^"]+)"', html).group(1)
    assert "البيان" in raw
    assert clean_author(raw) is None


def test_realdata_jsonld_person() -> None:
    html = _realdata("ar_elbaladtv.net_2020-12-25.html")
    raw = json.loads('"' + re.search(r'"author":\{"@type":"Person","name":"([^"]+)"', html).group(1) + '"')
    expected = json.loads((ARTICLES_AR / "ar_elbaladtv.net_2020-12-25.meta.json").read_text())["author"]["value"]
    assert clean_author(raw) == expected.split(" (")[0]


def test_realdata_site_name_and_h5_byline() -> None:
    html = _realdata("ar_akhbarelyom.com_2020-10-07.html")
    meta = re.search(r'<meta name="author" content="([^"]+)"', html).group(1)
    h5 = re.search(r"<h5>([^<]+)<", html).group(1)
    expected = json.loads((ARTICLES_AR / "ar_akhbarelyom.com_2020-10-07.meta.json").read_text())["author"]["value"]
    assert clean_author(meta) is None
    assert clean_author(h5) == expected


def test_realdata_interview_label() -> None:
    html = _realdata("ar_assabah.com.tn_2019-02-08.html")
    raw = re.search(r"حوار: [^<\s]+ [^<\s]+", html).group(0)
    assert clean_author(raw) == "آسيا العتروس"


def test_realdata_dateline_and_agency_credits() -> None:
    cnn = _realdata("ar_arabic.cnn.com_2013-08-03__newspaper4k.html")
    dateline = re.search(r"<b>([^<]*\(CNN\))", cnn).group(1)
    petra = _realdata("ar_almadenahnews.com_2020-04-24.html")
    agency = re.search(r"--\(بترا\)", petra).group(0)
    assert clean_author(dateline) is None
    assert clean_author(agency) is None


@pytest.mark.parametrize("raw", ["نوشته فرهاد رحیمی", "به قلم: فرهاد رحیمی", "نویسنده: فرهاد رحیمی"])
def test_persian_byline_labels(raw):
    assert clean_author(raw) == "فرهاد رحیمی"


def test_english_signature_line():
    body = ["The courts are the real test, not the forums.", "Reform needs institutions, not slogans."]
    bio = "Karim Haddad is a writer on Central Asian affairs. This column was translated from the Arabic."
    assert split_signature(body + [bio]) == (body, bio)
    prose = "The Minister is a writer of decrees, and everyone knows it."
    assert split_signature(body + [prose])[1] is None

"""A small corpus for the read-side tests (search, export, browse), stored through the store."""

from __future__ import annotations

import hashlib
from pathlib import Path

from pipelines.store import open_db, upsert_article


# name: (source, title, text, relevant, language, countries, genre, published_at)
ARTICLES: dict[str, tuple] = {
    "diacritics": ("alwaha", "رأي في السياسة", "إنَّ كَازَاخْسْتَانَ تُرِيدُ دَوْرًا أَكْبَرَ فِي المِنْطَقَةِ. ",
                   True, "ar", ["KZ"], "opinion", "2026-10-05T09:00:00+03:00"),
    "clitic_wa": ("alsuhub", "مقال عن الحدود", "زار الوفد أستانا وكازاخستان في جولته الأخيرة. ",
                  True, "ar", ["KZ"], "opinion", "2026-10-12T09:00:00+03:00"),
    "nisba": ("hareer", "السياسة الخارجية", "تنتهج الدبلوماسية الكازاخستانية سياسة متعددة الاتجاهات. ",
              True, "ar", ["KZ"], "opinion", "2026-10-19"),
    "kyrgyz_spelling": ("alwaha", "انتخابات في بيشكيك", "تستعد قيرغيزستان لانتخابات برلمانية جديدة. ",
                        True, "ar", ["KG"], "opinion", "2026-11-02T12:00:00+03:00"),
    "variants": ("alsuhub", "إستراتيجيّة الطاقة", "ترسم أوزبكستان إستراتيجيّة جديدة للطاقة على مستوى الإقليم. ",
                 True, "ar", ["UZ"], "opinion", "2026-11-09T12:00:00+03:00"),
    "formula_title": ("hareer", "=HYPERLINK(\"http://evil.example\",\"اضغط\")", "تعليق على أخبار طاجيكستان. ",
                      True, "ar", ["TJ"], "opinion", "2026-11-10"),
    "plus_title": ("hareer", "+أسعار الغاز في تركمانستان", "تركمانستان تبيع الغاز شرقا. ",
                   True, "ar", ["TM"], "news", "2026-11-11"),
    "not_relevant": ("alwaha", "الطقس في القاهرة", "يشهد طقس القاهرة أجواء حارة وكازاخستان ليست موضوعنا. ",
                     False, "ar", [], "other", "2026-11-12"),
    "persian": ("alsuhub", "تاجیکستان و آب", "تاجیکستان کشوری کوهستانی است و کازاخستان همسایه نیست.",
                True, "fa", ["TJ"], "opinion", "2026-11-13"),
    "original": ("alwaha", "طريق الحرير الجديد", "تمر قطارات الشحن عبر أوزبكستان نحو الموانئ. ",
                 True, "ar", ["UZ"], "opinion", "2026-11-14T08:00:00+03:00"),
    "copy": ("hareer", "طريق الحرير الجديد", "تمر قطارات الشحن عبر أوزبكستان نحو الموانئ. ",
             True, "ar", ["UZ"], "opinion", "2026-11-17T08:00:00+03:00"),
    "long_text": ("alsuhub", "نص طويل جدا عن كازاخستان", "كازاخستان " + "حرف " * 9000,
                  True, "ar", ["KZ"], "opinion", "2026-11-15"),
}


def record(name: str, source: str, title: str, text: str, relevant: bool, language: str,
           countries: list[str], genre: str, published_at: str) -> dict:
    url = f"http://{source}.example/2026/{name}.html"
    return {
        "url": url, "canonical_url": url, "source_id": source, "title": title, "text": text,
        "author": "كاتب " + name, "published_at": published_at, "language": language,
        "language_confidence": 0.99, "relevance": 0.9 if relevant else 0.05, "relevant": relevant,
        "countries": countries, "genre": genre, "word_count": len(text.split()),
        "content_hash": hashlib.sha1(text.encode()).hexdigest(),
        "evidence": {"terms": {"test": 1}}, "fetched_at": published_at if "T" in published_at else
        published_at + "T12:00:00+00:00",
    }


def build_corpus(path: Path) -> dict[str, int]:
    """Store every article of ARTICLES into the database at `path`; returns name -> article id."""
    db = open_db(path)
    ids = {}
    for name, values in ARTICLES.items():
        ids[name] = upsert_article(db, record(name, *values))[0]
    db.close()
    return ids

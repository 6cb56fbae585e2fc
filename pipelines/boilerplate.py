"""Paragraph-level clean-up of an extracted article body (pure functions, no Scrapy).

What trafilatura leaves in a news body and an analyst must not cite as the author's words:
- "اقرأ أيضا" / related-story boxes and teaser lines anywhere in the body;
- comment-policy, copyright and newsletter paragraphs after the last sentence;
- a byline line ("كتب: ...", "حوار: ...", "بقلم ...") at the top of the body (returned, so the
  extraction can use it as an author candidate);
- a closing agency or desk credit ("--(بترا)", "(أبوظبي - البيان)", "(وكالات)").
"""

from __future__ import annotations

import re

from pipelines.arabic import normalize
from pipelines.bylines import clean_author

_READ_ALSO = re.compile(
    r"^\s*(?:[-–—•*>]\s*)?(?:اقرأ|إقرأ|اقرا|إقرا|طالع|شاهد)\s*(?:أيضا|أيضاً|ايضا|ايضاً|المزيد|كذلك)?\s*[:：-]?|"
    r"^\s*(?:read (?:also|more)|see also|related(?: stories| articles)?)\s*:",
    re.I,
)
_BYLINE_LABEL = re.compile(r"^\s*(?:بقلم|كتب|كتبت|كتبه|إعداد|اعداد|حوار|تقرير|متابعة|By)\s*[:：\-–]?\s*", re.I)
_BYLINE_MAX_WORDS = 8
_HEAD_PARAGRAPHS = 3

# Phrases of comment policies, copyright lines and sign-up boxes (compared Arabic-normalised).
_POLICY_PHRASES = tuple(normalize(p) for p in (
    "ترحب شبكة", "مراجعة التعليقات", "إرشادات الاستخدام", "ارشادات الاستخدام", "شروط الاستخدام",
    "سياسة الخصوصية", "قواعد التعليق", "شروط التعليق", "التعليقات المنشورة", "إضافة تعليق",
    "أضف تعليقك", "اترك تعليقا", "جميع الحقوق محفوظة", "حقوق النشر محفوظة", "اشترك في النشرة",
    "النشرة البريدية", "سجل الدخول للتعليق", "comment policy", "all rights reserved",
    "sign up for our newsletter", "leave a comment", "post a comment",
))
_POLICY_MAX_WORDS = 120
# A closing credit: "--(بترا)", "(وكالات)", "(أبوظبي - البيان)", "المصدر: رويترز".
_CREDIT_LINE = re.compile(r"^[\s\-–—ـ_*.]*(?:\(\s*[^()]{1,40}\)|المصدر\s*:\s*\S.{0,30}|[^\s()]{2,15})[\s.]*$")


def _norm(paragraph: str) -> str:
    return " ".join(normalize(paragraph).split())


def is_read_also(paragraph: str) -> bool:
    """A "read also" / related-story line."""
    return bool(_READ_ALSO.match(paragraph))


def is_policy(paragraph: str) -> bool:
    """A comment-policy, copyright or newsletter paragraph."""
    text = _norm(paragraph)
    return len(text.split()) <= _POLICY_MAX_WORDS and any(p in text for p in _POLICY_PHRASES)


def is_closing_credit(paragraph: str) -> bool:
    """A short closing agency/desk credit line that names no person."""
    text = paragraph.strip()
    return bool(text) and len(text.split()) <= 5 and bool(_CREDIT_LINE.match(text)) and clean_author(text) is None


def leading_byline(paragraphs: list[str]) -> tuple[list[str], str | None]:
    """Remove a labelled byline among the first paragraphs; return (paragraphs, byline or None)."""
    for i, paragraph in enumerate(paragraphs[:_HEAD_PARAGRAPHS]):
        if _BYLINE_LABEL.match(paragraph) and len(paragraph.split()) <= _BYLINE_MAX_WORDS:
            return paragraphs[:i] + paragraphs[i + 1:], paragraph.strip()
    return paragraphs, None


def clean_paragraphs(paragraphs: list[str], title: str | None = None) -> list[str]:
    """Drop empty lines, repeated titles, read-also lines, and the policy/credit tail."""
    title_key = _norm(title) if title else None
    kept = [" ".join(p.split()) for p in paragraphs]
    kept = [p for p in kept if p and not is_read_also(p)]
    while kept and title_key and _norm(kept[0]) == title_key:
        kept.pop(0)
    while kept and (is_policy(kept[-1]) or is_closing_credit(kept[-1])):
        kept.pop()
    return kept

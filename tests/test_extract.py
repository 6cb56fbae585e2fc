"""Extraction: real Arabic pages (../shared/realdata, read at run time) and the traps in their
`.meta.json` notes; synthetic pages for metadata precedence, bylines, dates and quality gates."""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone

import pytest
from click.testing import CliRunner

from pipelines.boilerplate import clean_paragraphs, is_closing_credit, is_policy, leading_byline
from pipelines.challenge import CHALLENGE_MAX_WORDS
from pipelines.config import ExtractSettings
from pipelines.extract import extract_article, url_date
from pipelines.rejections import Rejected
from tests.support.pages import html_pages

FETCHED = datetime(2024, 1, 1, 12, 0, tzinfo=timezone.utc)
LOREM = ("تتابع الحكومة في أستانا خططها الاقتصادية الجديدة وسط نقاش واسع بين الخبراء حول أثرها على"
         " الأسواق المحلية والإقليمية وعلى العلاقات مع الجيران في آسيا الوسطى ")


def _ar(name: str, realdata):
    folder = realdata / "articles_ar"
    meta = json.loads((folder / f"{name}.meta.json").read_text(encoding="utf-8"))
    html = (folder / meta["file"]).read_bytes()
    return meta, extract_article(html, url=meta["url"]["value"], fetched_at=FETCHED)


def _norm(text):
    return " ".join((text or "").split())


DISTINCT = ["ar_akhbarelyom.com_2020-10-07", "ar_albayan.ae_2020-06-03", "ar_almadenahnews.com_2020-04-24",
            "ar_arabic.cnn.com_2013-08-03__newspaper4k", "ar_assabah.com.tn_2019-02-08",
            "ar_elbaladtv.net_2020-12-25", "ar_sputniknews-arabic_2020-03-17"]


def _expected_author(value):
    if not value or "not a person" in value or "agency" in value:
        return None
    return value.split(" (")[0].strip()


@pytest.mark.parametrize("name", DISTINCT)
def test_real_arabic_page(realdata, name):
    meta, got = _ar(name, realdata)
    text = _norm(got.text)
    assert _norm(got.title) == _norm(meta["title"]["value"])
    assert (got.published_at or "")[:10] == meta["date"]["value"]
    assert got.author == _expected_author(meta["author"]["value"])
    assert _norm(meta["first_sentence"]["value"]) in text
    assert text.endswith(_norm(meta["last_sentence"]["value"]))  # nothing after the last sentence
    assert got.date_source


@pytest.mark.parametrize("copy", ["goose3", "newspaper3k", "newspaper4k"])
def test_cnn_arabic_copies_url_date_and_no_comment_policy(realdata, copy):
    meta, got = _ar(f"ar_arabic.cnn.com_2013-08-03__{copy}", realdata)
    assert got.published_at == "2013-08-03" and got.date_source == "url"  # not htmldate's 2013-01-01
    assert "التعليقات" not in got.text and got.author is None  # "(CNN)" dateline is not a person


def test_akhbarelyom_prose_meta_date_and_h5_byline(realdata):
    _, got = _ar("ar_akhbarelyom.com_2020-10-07", realdata)
    assert got.date_source.startswith("meta:article:published_time")  # Arabic prose, parsed
    assert got.author_bio is None and got.author != "akhbarelyom"
    assert "Heba" not in (got.author or "")  # <meta name=DC.Creator> is the site's developer


def test_albayan_modified_before_published_and_hijri_header(realdata):
    _, got = _ar("ar_albayan.ae_2020-06-03", realdata)
    assert got.published_at.startswith("2020-06-03")  # not dateModified (2020-03-15), not Hijri
    assert got.author is None  # "(أبوظبي - البيان)" is a desk credit


def test_almadenahnews_site_prefix_and_agency_tail(realdata):
    meta, got = _ar("ar_almadenahnews.com_2020-04-24", realdata)
    assert not got.title.startswith("المدينة نيوز")
    assert "(بترا)" not in got.text and got.author is None


def test_assabah_interview_byline_snippets_and_maghrebi_month(realdata):
    meta, got = _ar("ar_assabah.com.tn_2019-02-08", realdata)
    snippets = meta["trafilatura_eval_snippets"]
    assert all(s in got.text for s in snippets["must_contain"])
    assert not any(s in got.text for s in snippets["must_not_contain"])
    assert not got.text.startswith("حوار")  # the byline line left the body for the author field
    assert got.published_at == "2019-02-08"  # not the crawl-day date in the site header


def test_elbaladtv_read_also_box_sidebar_authors_and_timezone(realdata):
    _, got = _ar("ar_elbaladtv.net_2020-12-25", realdata)
    assert "إقرأ أيضا" not in got.text and "اقرأ أيضا" not in got.text
    assert got.published_at.startswith("2020-12-25")  # JSON-LD local time, not 2020-12-24 UTC
    assert got.author == "ضحى عرفة"  # not the columnist listed in the sidebar


def test_sputnik_lead_teaser_and_organization_author(realdata):
    _, got = _ar("ar_sputniknews-arabic_2020-03-17", realdata)
    assert got.text.startswith("أعلنت وزارة الصحة")  # the standfirst outside articleBody
    assert "REUTERS" not in got.text and got.author is None  # Sputnik is an Organization


# ----------------------------------------------------------------- synthetic pages (our own text)
def page(head: str = "", header: str = "", body: str = "", lang: str = "ar") -> bytes:
    paragraphs = body or "".join(f"<p>{LOREM}{i}.</p>" for i in range(4))
    return (f'<html lang="{lang}"><head><meta charset="utf-8">{head}</head><body>'
            f'<article><header><h1>عنوان المقال</h1>{header}</header>'
            f'<div class="entry-content">{paragraphs}</div></article></body></html>').encode("utf-8")


def run(html: bytes, **kw):
    return extract_article(html, url=kw.pop("url", "https://example.com/a/1"), fetched_at=kw.pop("fetched_at", FETCHED), **kw)


def jsonld(obj: dict) -> str:
    return f'<script type="application/ld+json">{json.dumps(obj, ensure_ascii=False)}</script>'


def test_jsonld_opinion_article_beats_meta_tags():
    head = jsonld({"@type": "OpinionNewsArticle", "headline": "رأي في آسيا الوسطى",
                   "author": [{"@type": "Person", "name": "د. سالم الراشد"}, {"@type": "Person", "name": "ليلى حسن"}],
                   "datePublished": "2023-05-02T09:00:00+03:00", "dateModified": "2023-06-01T09:00:00+03:00",
                   "articleSection": "مقالات", "inLanguage": "ar"}) + \
        '<meta property="article:published_time" content="2023-04-01"><meta name="author" content="غيره">'
    got = run(page(head))
    assert got.title == "رأي في آسيا الوسطى" and got.article_type == "OpinionNewsArticle"
    assert got.author == "سالم الراشد، ليلى حسن"
    assert got.published_at == "2023-05-02T09:00:00+03:00" and got.date_source == "json-ld"
    assert got.section == "مقالات"


def test_published_never_modified_never_after_fetch():
    head = ('<meta property="article:published_time" content="2030-01-01T00:00:00Z">'
            '<meta property="article:modified_time" content="2023-03-03T00:00:00Z">')
    got = run(page(head, header="<time>الثلاثاء 10 يناير/ كانون الثاني 2023</time>"))
    assert got.published_at == "2023-01-10" and got.date_source == "visible"


@pytest.mark.parametrize("line, expected", [
    ("السبت، ١٤ كانون الأول ٢٠٢٠", "2020-12-14"),
    ("نشر في 3 أيار 2021 - 10:30", "2021-05-03"),
    ("الخميس ۲۵ مارس ۲۰۲۱", "2021-03-25"),
    ("منذ ساعتين", "2024-01-01T10:00:00+00:00"),
    ("11 شوال 1441هـ", None),  # Hijri only: never read as a Gregorian date
])
def test_visible_arabic_date_forms(line, expected):
    got = run(page(header=f'<div class="date">{line}</div>'))
    if expected is None:
        assert got.published_at is None or not got.published_at.startswith("1441")
    else:
        assert got.published_at == expected


@pytest.mark.parametrize("byline, author", [
    ("بقلم: د. أحمد الخطيب", "أحمد الخطيب"),
    ("كتب - محمود سعيد", "محمود سعيد"),
    ("القاهرة - منى فؤاد", "منى فؤاد"),
    ("(أبوظبي - البيان)", None),
    ("وكالات", None),
])
def test_header_byline_forms(byline, author):
    assert run(page(header=f'<div class="byline">{byline}</div>')).author == author


def test_organization_author_and_site_name_are_not_people():
    head = jsonld({"@type": "NewsArticle", "headline": "خبر", "author": {"@type": "Organization", "name": "وكالة"}}) + \
        '<meta property="og:site_name" content="صحيفة المرصد"><meta name="author" content="صحيفة المرصد">'
    assert run(page(head)).author is None


def test_body_byline_signature_bio_and_closing_credit():
    body = ("<p>كتب: يوسف العلي</p>" + "".join(f"<p>{LOREM}{i}.</p>" for i in range(3))
            + "<p>باحث في الشؤون الدولية</p>")
    got = run(page(body=body))
    assert got.author == "يوسف العلي" and got.author_bio == "باحث في الشؤون الدولية"
    assert "يوسف" not in got.text and "باحث في" not in got.text


def test_title_site_prefix_and_suffix_removed():
    head = '<meta property="og:site_name" content="المرصد"><title>المرصد - عنوان المقال</title>'
    assert run(page(head)).title == "عنوان المقال"
    head = '<meta property="og:title" content="عنوان المقال | المرصد"><meta property="og:site_name" content="المرصد">'
    assert run(page(head)).title == "عنوان المقال"


def test_read_also_and_comment_policy_removed():
    paragraphs = [f"{LOREM}1.", "اقرأ أيضا: خبر آخر لا علاقة له", f"{LOREM}2.",
                  "ترحب الصحيفة بتعليقاتكم، ننصحك بمراجعة شروط الاستخدام قبل النشر.", "--(وكالات)"]
    assert clean_paragraphs(paragraphs) == [f"{LOREM}1.", f"{LOREM}2."]
    assert is_policy("جميع الحقوق محفوظة © 2024") and not is_policy(LOREM)
    assert is_closing_credit("--(بترا)") and not is_closing_credit("محمد علي")
    assert leading_byline(["حوار: آسيا علي", LOREM]) == ([LOREM], "حوار: آسيا علي")


def test_url_dates():
    assert url_date("http://arabic.cnn.com/2013/middle_east/8/3/syria.clashes/index.html") == "2013-08-03"
    assert url_date("https://www.albayan.ae/x/2020-06-03-1.3874341") == "2020-06-03"
    assert url_date("https://example.com/2020/13/45/a") is None
    assert url_date("https://example.com/article/825076") is None


def test_source_overrides_for_body_author_date():
    html = page(header='<span class="who">رامي منصور</span><span class="when">2022-02-02</span>',
                body="<div class='x'>" + "".join(f"<p>{LOREM}{i}.</p>" for i in range(3)) + "</div><p>تذييل الموقع</p>")
    got = run(html, overrides={"body": "//div[@class='x']/p", "author": "//span[@class='who']",
                               "date": "//span[@class='when']"})
    assert got.author == "رامي منصور" and got.published_at == "2022-02-02" and got.date_source == "override"
    assert "تذييل" not in got.text


def test_a_fragment_trafilatura_refuses_still_yields_its_override_body():
    """A bare fragment (no <html>, one block) is refused by trafilatura's loader: lxml's parse
    still serves the metadata and a source's override body."""
    import trafilatura

    html = "<div class='x'><p>" + " ".join(f"{LOREM}{i}." for i in range(3)) + "</p></div>"
    assert trafilatura.load_html(html) is None
    got = run(html.encode(), overrides={"body": "//div[@class='x']/p"})
    assert got.text.startswith(LOREM.strip()) and got.word_count > 50


def test_gates_short_boilerplate_and_mojibake():
    with pytest.raises(Rejected) as exc:
        run(page(body="<p>نص قصير جدا.</p>"))
    assert exc.value.reason == "too_short"
    # a CMS that stored UTF-8 Arabic read as cp1252: the page is declared Arabic, its text is not
    garbled = (LOREM * 3).encode("utf-8").decode("cp1252", "replace")
    with pytest.raises(Rejected) as exc:
        run(page(body=f"<p>{garbled}</p>"))
    assert exc.value.reason == "mojibake"


def test_other_languages_are_not_failures():
    body = "".join(f"<p>The government in Astana announced a new economic plan number {i}, "
                   "and experts across Central Asia debated its effect on regional trade.</p>" for i in range(4))
    got = run(page(body=body, lang="en"))
    assert got.declared_language == "en" and got.word_count > 50


def test_huge_page_and_pathological_dom_are_bounded_failures():
    huge = b"<html><body>" + b"<p>" + b"x" * (50 * 1024 * 1024) + b"</p></body></html>"
    start = time.perf_counter()
    with pytest.raises(Rejected) as exc:
        run(huge)
    assert exc.value.reason == "too_large" and time.perf_counter() - start < 2
    wide = ("<html><body>" + "<div><span>ن</span></div>" * 100_000 + "</body></html>").encode()
    start = time.perf_counter()
    with pytest.raises(Rejected) as exc:
        run(wide)
    assert exc.value.reason == "tree_too_large" and time.perf_counter() - start < 10
    deep = ("<html><body>" + "<div><span>ن</span>" * 40_000 + "</div>" * 40_000 + "</body></html>").encode()
    start = time.perf_counter()
    try:  # the parser caps nesting depth: a deep page ends quickly, whatever the verdict
        run(deep)
    except Rejected:
        pass
    assert time.perf_counter() - start < 10


def test_cli_extract_json_fields(tmp_path):
    from marsad import cli

    path = tmp_path / "p.html"
    path.write_bytes(page(header='<div class="date">منذ 3 ساعات</div><div class="author">بقلم سامي نور</div>'))
    result = CliRunner().invoke(cli, ["extract", str(path), "--url", "https://example.com/a",
                                      "--fetched-at", "2024-01-01T12:00:00+00:00"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    for key in ("url", "title", "text", "author", "author_bio", "published_at", "date_source", "language",
                "countries", "genre", "canonical_url", "content_hash", "evidence"):
        assert key in record
    assert record["published_at"] == "2024-01-01T09:00:00+00:00" and record["date_source"] == "visible"
    assert record["author"] == "سامي نور"


def test_bot_challenge_page_is_a_counted_rejection():
    page = (b"<html><head><title>Just a moment...</title></head><body>"
            b"<script src='/cdn-cgi/challenge-platform/h/b/orchestrate/jsch/v1'></script>"
            b"<p>Checking if the site connection is secure</p></body></html>")
    with pytest.raises(Rejected) as caught:
        extract_article(page, url="http://x.test/2026/a.html", fetched_at=datetime.now(timezone.utc))
    assert caught.value.reason == "bot_challenge"


# What the vendors inject into every ordinary page they serve (our renditions): Cloudflare's
# JavaScript Detections (Bot Fight Mode) and Imperva's classification script.
CLOUDFLARE_JSD = ("<script>(function(){var s=document.createElement('script');window.__CF$cv$params={r:'1'};"
                  "s.src='/cdn-cgi/challenge-platform/scripts/jsd/main.js';document.head.appendChild(s);})();</script>")
IMPERVA_SCRIPT = "<script src='/_Incapsula_Resource?SWJIYLWA=5074a744e2e3d891'></script>"


def test_vendor_scripts_on_an_ordinary_small_page_are_not_a_challenge():
    html = page(head=CLOUDFLARE_JSD + IMPERVA_SCRIPT)
    assert len(html) < 5000
    result = run(html)
    assert result.word_count < CHALLENGE_MAX_WORDS and "أستانا" in result.text


def test_a_page_with_an_article_s_worth_of_text_is_an_article_whatever_its_scripts():
    body = "".join(f"<p>{LOREM}{i}.</p>" for i in range(14))
    result = run(page(head="<script>window._cf_chl_opt={cType:'managed'};</script>", body=body))
    assert result.word_count >= CHALLENGE_MAX_WORDS


def test_a_comment_form_captcha_on_a_short_article_is_not_a_challenge_but_a_captcha_page_is():
    form = "<form class='comment-form'><textarea></textarea><div class='g-recaptcha' data-sitekey='k'></div></form>"
    html = page(body="".join(f"<p>{LOREM}{i}.</p>" for i in range(4)) + form)
    assert len(html) < 15_000 and "أستانا" in run(html).text
    captcha = ("<html><head><title>Security check</title></head><body><p>Please tick the box below to go on."
               f"</p>{form}</body></html>").encode()
    with pytest.raises(Rejected) as caught:
        run(captcha)
    assert caught.value.reason == "bot_challenge" and caught.value.detail == "captcha"


def test_a_block_page_with_a_paragraph_of_explanation_is_a_challenge():
    explanation = ("Access to this website has been denied by its firewall because your request looked "
                   "automated to the protection service. If you operate this website and think the block "
                   "is a mistake, open a ticket with the block reason, the time and your address shown "
                   "below, and the support team will look at the request and lift the block if it was "
                   "wrongly applied. Block reason: access from your area has been temporarily limited.")
    html = (f"<html><head><title>Access Denied - Sucuri Website Firewall</title></head><body>"
            f"<h1>Access Denied</h1><p>{explanation}</p><p>{explanation}</p></body></html>").encode()
    assert ExtractSettings.min_words < len(explanation.split()) * 2 < CHALLENGE_MAX_WORDS
    with pytest.raises(Rejected) as caught:
        run(html)
    assert caught.value.reason == "bot_challenge" and caught.value.detail == "sucuri"


def test_comment_and_related_boxes_are_pruned_but_not_a_no_share_body():
    paragraphs = "".join(f"<p>{'تتنافس القوى الكبرى على النفوذ في آسيا الوسطى وتبحث كازاخستان عن توازن دقيق. ' * 3}{n}</p>"
                         for n in range(5))
    page = (f"<html lang='ar'><head><meta charset='utf-8'><title>عنوان</title></head><body><h1>عنوان المقال</h1>"
            f"<div class='entry-content no-share'>{paragraphs}</div>"
            "<section class='hr-comments'><h2>التعليقات</h2><p>تعليق قارئ لا ينتمي إلى المقال أبدا.</p></section>"
            "<div class='jnews_inline_related_post'><p>اقرأ خبرا آخر لا علاقة له بالموضوع هنا.</p></div>"
            "</body></html>").encode()
    result = extract_article(page, url="http://x.test/2026/a.html", fetched_at=datetime.now(timezone.utc))
    assert "تعليق قارئ" not in result.text and "خبرا آخر" not in result.text
    assert result.text.count("آسيا الوسطى") == 15


@pytest.mark.parametrize("page, listing", [
    ("alwaha/opinion/index.html", True), ("alwaha/tag/central-asia/index.html", True),
    ("alsuhub/index.html", True), ("alwaha/2026/10/bishkek-ballot-boxes.html", False),
    ("hareer/opinion/2026/aral-sea-lesson.html", False)])
def test_section_and_tag_pages_are_listings_not_articles(page, listing):
    from pipelines.config import SAMPLE_OUTLETS

    body = (SAMPLE_OUTLETS / page).read_bytes()
    if listing:
        with pytest.raises(Rejected) as caught:
            extract_article(body, url="http://x.test/p", fetched_at=datetime.now(timezone.utc))
        assert caught.value.reason == "listing"
    else:
        assert extract_article(body, url="http://x.test/p", fetched_at=datetime.now(timezone.utc)).word_count > 300


def test_real_articles_are_never_listings(realdata):
    for page in sorted((realdata / "articles_ar").glob("*.html")) + sorted((realdata / "articles_fa").glob("*.html")):
        try:
            extract_article(page.read_bytes(), url="http://x.test/a", fetched_at=datetime.now(timezone.utc))
        except Rejected as exc:
            assert exc.reason != "listing", page.name


RULE_PAGE = ("<html><body><h1>t</h1><div class='Share-box'>a</div><div class='share_box'>b</div>"
             "<ul id='related-links'>c</ul><section class='comments no-share'>d</section>"
             "<aside class='x-comment'><h1>h</h1></aside><form id='disqus_thread'>e</form>"
             "<div class='sharebox'>f</div><span class='comment'>g</span>"
             "<div><p class='byline'>x</p><i itemprop='author'>y</i><b class='postAUTHOR'>z</b>"
             "<a rel='author'>w</a><em class='Kateb-name'>v</em><!-- author --><u class='writers'>u</u></div>"
             "</body></html>")


def test_python_prune_selects_exactly_what_prune_xpath_selects(realdata):
    """`unwanted_blocks` is PRUNE_XPATH applied in Python: the same nodes on every page."""
    import trafilatura
    from lxml import etree

    from pipelines.extract import PRUNE_XPATH, unwanted_blocks

    rule = etree.XPath(PRUNE_XPATH)
    compared = selected = 0
    for html in [RULE_PAGE, *html_pages(realdata)]:
        tree = trafilatura.load_html(html)
        if tree is None:
            continue
        expected = rule(tree)
        assert unwanted_blocks(tree) == expected
        compared, selected = compared + 1, selected + len(expected)
    assert compared > 50 and selected > 20  # the rule did select blocks on these pages
    picked = [(n.get("class") or n.get("id")) for n in unwanted_blocks(trafilatura.load_html(RULE_PAGE))]
    # whole lower-case words only ("Share-box" and "sharebox" stay), never a "no-" block, one
    # holding the headline, or an inline element
    assert picked == ["share_box", "related-links", "disqus_thread"]


def test_drop_navigation_removes_nav_and_footer_and_keeps_their_tails():
    from lxml import html as lxml_html

    from pipelines.extract import drop_navigation

    tree = lxml_html.document_fromstring(
        "<html><body><nav><ul><li>menu</li></ul></nav>after nav <p>body <footer>f<nav>n</nav></footer>"
        "tail</p></body></html>")
    drop_navigation(tree)
    assert tree.find(".//nav") is None and tree.find(".//footer") is None
    assert " ".join(tree.body.text_content().split()) == "after nav body tail"


def test_trafilatura_gives_the_same_body_without_nav_and_footer(realdata):
    """`drop_navigation` only saves work: with favor_precision, trafilatura's result on a real
    article page is the same with and without its <nav> and <footer> (a trafilatura upgrade that
    starts reading them fails here). Not asserted on the sample listing pages, where readability
    can pick a tighter block once the menu is gone."""
    import trafilatura

    from pipelines.extract import drop_navigation, prune_blocks

    def body(html, drop):
        tree = trafilatura.load_html(html)
        prune_blocks(tree)
        if drop:
            drop_navigation(tree)
        doc = trafilatura.bare_extraction(tree, with_metadata=False, include_comments=False,
                                          include_tables=True, favor_precision=True)
        return doc.text if doc else None

    compared = with_navigation = 0
    for html in html_pages(realdata, samples=False):
        if trafilatura.load_html(html) is None:
            continue
        assert body(html, drop=False) == body(html, drop=True)
        compared += 1
        with_navigation += "<nav" in html or "<footer" in html
    assert compared > 50 and with_navigation > 30  # the check did see pages with navigation


def test_trafilatura_options_are_those_bare_extraction_builds_from_keywords():
    """The shared, copied options equal the ones `bare_extraction` builds from the keyword
    arguments Marsad used to pass, for every setting, and a page's URL never leaks into the
    next page's options."""
    from trafilatura.settings import Extractor

    from pipelines.extract import trafilatura_options

    url = "https://example.org/مقال/1"
    for settings in (ExtractSettings(), ExtractSettings(favor_precision=False, fast=True, include_tables=False)):
        built = Extractor(output_format="python", comments=False, tables=settings.include_tables,
                          precision=settings.favor_precision, fast=settings.fast, url=url)
        shared = trafilatura_options(settings, url)
        for slot in Extractor.__slots__:
            if slot != "date_params":  # carries today's date; read only with metadata
                assert getattr(shared, slot) == getattr(built, slot), slot
        assert trafilatura_options(settings, "https://example.org/2").url == "https://example.org/2"
        assert shared.url == url


def test_python_byline_rule_selects_exactly_what_byline_xpath_selects(realdata):
    from lxml import etree
    from lxml import html as lxml_html

    from pipelines.metadata import BYLINE_XPATH, byline_nodes

    rule = etree.XPath(BYLINE_XPATH)
    compared = selected = 0
    for html in [RULE_PAGE, *html_pages(realdata)]:
        tree = lxml_html.document_fromstring(html)
        for node in tree.iter("body", "div", "article", "header", "section"):
            expected = rule(node)
            assert byline_nodes(node) == expected
            compared, selected = compared + 1, selected + len(expected)
    assert compared > 500 and selected > 50
    names = [n.text for n in byline_nodes(lxml_html.document_fromstring(RULE_PAGE).body)]
    assert names == ["x", "y", "z", "w", "v", "u"]


@pytest.mark.parametrize("arabic_words, latin_words, rejected", [
    (60, 0, False), (20, 40, False), (10, 60, False), (5, 60, True), (0, 60, True), (0, 15, False)])
def test_script_gate_counts_arabic_share_of_letters(arabic_words, latin_words, rejected):
    """Declared Arabic, the share of Arabic letters among all letters decides (< 30%: mojibake;
    10 Arabic words of 9 letters beside 60 of 3 Latin letters is 33%); fewer than 50 letters
    (15 x 3) are not judged."""
    from pipelines.extract import _check_script

    text = " ".join(["كازاخستان"] * arabic_words + ["Ã©tÃ©"] * latin_words) + " 1234 ... ، ؟"
    if rejected:
        with pytest.raises(Rejected) as caught:
            _check_script(text, "ar")
        assert caught.value.reason == "mojibake"
    else:
        _check_script(text, "ar")
    _check_script(text, "en")  # other declared languages are never judged

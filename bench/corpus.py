"""Benchmark corpus: N article pages across M outlets, built from the bundled sample outlets.

Each generated outlet borrows one sample outlet's templates (article page, opinion listing,
feed format: alwaha RSS 2.0 + sitemap index, alsuhub Atom, hareer RSS) and gets its own
loopback address (127.0.0.2, .3, ...; Scrapy keys its slots by host name). Article texts are
varied: each sentence splices thirds of three sentences of the sample articles (seeded), so
no two originals share their text; a share of the pages are republished copies of another outlet's
article, ending with a "نقلا عن <outlet>" credit line. Every page is linked from its outlet's
sitemap (an index with child sitemaps) and from its paginated opinion listing; the feed
carries the newest entries.

`generate(root, port=...)` writes `root/<outlet id>/...`, `root/sources.toml` (a registry for
`crawler.crawl`), `root/urls.txt` (every article URL) and `root/corpus.json` (the ground
truth). Generated into a temp dir by the benchmarks; never committed.

Usage: python -m bench.corpus OUT_DIR [--pages 5000] [--outlets 10] [--port 8480] [--light]
"""

from __future__ import annotations

import argparse
import json
import random
import re
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from xml.sax.saxutils import escape

from lxml import html as lxml_html

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "sample_outlets"

# Which sample page serves as each template's article, and how its URLs and feed look.
TEMPLATES: dict[str, dict[str, str]] = {
    "alwaha": {"article": "/2026/09/tashkent-water-and-reform.html", "feed": "rss", "name": "صحيفة الواحة",
               "path": "/{year}/{month}/maqal-{n}.html", "pattern": r"^/\d{4}/\d{2}/[a-z0-9-]+\.html$"},
    "alsuhub": {"article": "/maqalat/1052-kazakhstan-uranium-and-wind.html", "feed": "atom", "name": "مجلة السهوب",
                "path": "/maqalat/{n}-maqal.html", "pattern": r"^/maqalat/\d+-[a-z0-9-]+\.html$"},
    "hareer": {"article": "/opinion/2026/aral-sea-lesson.html", "feed": "rss", "name": "طريق الحرير",
               "path": "/opinion/{year}/maqal-{n}.html", "pattern": r"^/opinion/\d{4}/[a-z0-9-]+\.html$"},
}
# Fictional outlet names (written for this benchmark) and authors.
OUTLET_NAMES = ["صحيفة المرصد الآسيوي", "مجلة الأفق", "صحيفة النهار الجديد", "موقع القافلة",
                "صحيفة الضفاف", "مجلة المدار", "صحيفة البوصلة", "موقع السنابل", "صحيفة المنارة",
                "مجلة الجسور", "صحيفة الرواق", "موقع الحوار"]
AUTHORS = ["سامر الحداد", "منى العلي", "خالد الزين", "ريم السعدي", "طارق النجار", "هدى الخطيب",
           "وليد الشريف", "نور الهدى سالم", "عادل المصري", "ليلى الفارس", "باسل عيسى", "سارة الكبيسي"]
CREDIT = "نقلا عن {name}"
_SENTENCE_END = re.compile(r"(?<=[.؟!])\s+")

# Page furniture around the story, so that pages weigh what real ones do: the Arabic article
# pages in ../shared/realdata weigh 29-113 KB (median 70 KB), most of it scripts, styles,
# menus and link lists; the sample outlets' pages weigh about 10 KB. Section names are written
# for this benchmark.
SECTIONS = ["الرئيسية", "أخبار", "سياسة", "اقتصاد", "رياضة", "ثقافة", "فنون", "تكنولوجيا", "صحة",
            "مقالات", "رأي", "تحقيقات", "منوعات", "العالم", "الخليج", "مصر", "الشام", "المغرب العربي",
            "آسيا", "أوروبا", "أمريكا", "أفريقيا", "فيديو", "صور", "بودكاست", "كاريكاتير", "حوارات",
            "ملفات خاصة", "طقس", "أسواق", "عملات", "سيارات", "سفر", "مطبخ", "شباب", "المرأة", "تعليم",
            "علوم", "بيئة", "تراث", "من نحن", "اتصل بنا", "أعلن معنا", "سياسة الخصوصية", "شروط الاستخدام"]
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class Chrome:
    """One outlet's furniture: head scripts and styles, masthead and menu, footer."""

    head: str
    header: str
    footer: str


def _name(rng: random.Random) -> str:
    return "".join(rng.choice(_LETTERS) for _ in range(rng.randint(3, 9)))


def _script(rng: random.Random, size: int) -> str:
    """About `size` characters of minified-looking JavaScript (an ads or analytics loader)."""
    parts: list[str] = []
    while sum(map(len, parts)) < size:
        f, values = _name(rng), ",".join(str(rng.randint(0, 99999)) for _ in range(rng.randint(4, 12)))
        parts.append(f"function {f}(e,t){{var n=[{values}];for(var r=0;r<n.length;r++){{if(n[r]===e)"
                     f"return t?n[r]:r}}return-1}}window.{f}={f};")
    return "".join(parts)


def _style(rng: random.Random, prefix: str, size: int) -> str:
    parts: list[str] = []
    while sum(map(len, parts)) < size:
        parts.append(f".{prefix}-{_name(rng)}{{margin:{rng.randint(0, 40)}px {rng.randint(0, 40)}px;"
                     f"color:#{rng.randrange(16**6):06x};font-size:{rng.randint(11, 32)}px}}")
    return "".join(parts)


def _link_list(links: list[tuple[str, str]], cls: str) -> str:
    return f'<ul class="{cls}">' + "".join(f'<li><a href="{href}">{escape(text)}</a></li>'
                                           for href, text in links) + "</ul>"


def make_chrome(rng: random.Random, outlet: "Outlet") -> Chrome:
    """An outlet's furniture, 35-75 KB: scripts, a style sheet, a config blob, menu, footer."""
    p = outlet.id
    menu = [(f"/section/{_name(rng)}/", name) for name in rng.sample(SECTIONS, k=rng.randint(25, 40))]
    config = {"site": outlet.name, "sections": {href: name for href, name in menu},
              "ads": [{"slot": _name(rng), "size": [rng.choice([300, 728]), rng.choice([90, 250])]}
                      for _ in range(12)]}
    head = (f"<style>{_style(rng, p, rng.randint(6000, 14000))}</style>"
            f"<script>{_script(rng, rng.randint(10000, 25000))}</script>"
            f"<script>window.__{p}__={json.dumps(config, ensure_ascii=False)};</script>")
    header = (f'<div class="{p}-masthead"><a class="{p}-logo" href="/">{escape(outlet.name)}</a>'
              f'<nav class="{p}-menu" role="navigation">{_link_list(menu, p + "-menu-list")}</nav></div>')
    footer_links = [(f"/section/{_name(rng)}/", name) for name in rng.sample(SECTIONS, k=20)]
    footer = (f'<footer class="{p}-footer">{_link_list(footer_links, p + "-footer-links")}'
              f'<p class="{p}-copyright">© 2026 {escape(outlet.name)}. جميع الحقوق محفوظة.</p></footer>'
              f"<script>{_script(rng, rng.randint(8000, 20000))}</script>")
    return Chrome(head, header, footer)


def page_lists(rng: random.Random, outlet: "Outlet", pool: list[str], others: list["Page"]) -> str:
    """The per-page furniture: a news ticker, most-read and latest lists, related articles."""
    p = outlet.id

    def headline() -> str:
        return " ".join(make_sentence(rng, pool).split()[:rng.randint(6, 11)])

    ticker = "".join(f'<a href="/news/{rng.randint(10000, 99999)}.html">{escape(headline())}</a>'
                     for _ in range(8))
    most_read = [(f"/news/{rng.randint(10000, 99999)}.html", headline()) for _ in range(10)]
    related = "".join(f'<div class="{p}-card"><a href="{o.path}">{escape(o.title)}</a>'
                      f'<span class="{p}-card-author">{escape(o.author)}</span></div>' for o in others)
    return (f'<div class="{p}-ticker">{ticker}</div>'
            f'<aside class="{p}-sidebar"><h3>الأكثر قراءة</h3>{_link_list(most_read, p + "-most-read")}</aside>'
            f'<section class="{p}-related"><h3>اقرأ أيضا</h3>{related}</section>'
            f'<div class="{p}-share"><a href="#">فيسبوك</a><a href="#">تويتر</a><a href="#">واتساب</a></div>')



@dataclass(frozen=True)
class Outlet:
    id: str
    name: str
    template: str
    host: str  # address:port

    @property
    def base(self) -> str:
        return f"http://{self.host}"


@dataclass(frozen=True)
class Page:
    outlet: str
    path: str
    url: str
    file: str  # relative to the corpus root
    title: str
    author: str
    published: str  # ISO 8601 with offset
    copy_of: str | None  # URL of the original when this page republishes it
    credit: str | None  # outlet named in the reprint credit


@dataclass
class Corpus:
    root: Path
    outlets: list[Outlet]
    pages: list[Page]

    @property
    def sources_file(self) -> Path:
        return self.root / "sources.toml"

    @property
    def urls_file(self) -> Path:
        return self.root / "urls.txt"

    def urls(self, outlets: set[str] | None = None) -> list[str]:
        return [p.url for p in self.pages if outlets is None or p.outlet in outlets]


def _manifest_entry(template: str, path: str) -> dict:
    pages = json.loads((SAMPLES / "manifest.json").read_text(encoding="utf-8"))["pages"]
    return next(p for p in pages if p["outlet"] == template and p["path"] == path)


def sentence_pool(samples: Path = SAMPLES) -> list[str]:
    """Sentences of the sample outlets' Arabic articles (paragraphs of their story bodies)."""
    pages = json.loads((samples / "manifest.json").read_text(encoding="utf-8"))["pages"]
    pool: list[str] = []
    for page in pages:
        if page["kind"] != "article" or page["language"] != "ar" or page["encoding"] != "utf-8":
            continue
        tree = lxml_html.fromstring((samples / page["outlet"] / page["path"].lstrip("/")).read_bytes())
        body = _body_node(tree)
        for p in body.findall("p"):
            text = " ".join(p.text_content().split())
            if len(text.split()) >= 12 and "نقلا عن" not in text:
                pool.extend(s for s in _SENTENCE_END.split(text) if len(s.split()) >= 5)
    return sorted(set(pool))


def _body_node(tree):
    """The element with the most direct <p> children: the story body."""
    return max(tree.iter(), key=lambda el: sum(1 for c in el if c.tag == "p"))


def make_sentence(rng: random.Random, pool: list[str]) -> str:
    """A new sentence: the first, middle and last thirds of three pool sentences spliced, so
    that two generated texts rarely share a whole sentence (as unrelated articles do not)."""
    parts = []
    for third in range(3):
        words = rng.choice(pool).split()
        size = len(words) // 3
        parts.extend(words[third * size: None if third == 2 else (third + 1) * size])
    return " ".join(parts)


def make_text(rng: random.Random, pool: list[str]) -> list[str]:
    """6-10 paragraphs of 2-5 generated sentences."""
    return [" ".join(make_sentence(rng, pool) for _ in range(rng.randint(2, 5)))
            for _ in range(rng.randint(6, 10))]


class _Templates:
    """One sample outlet's article and listing pages, as strings with placeholders."""

    def __init__(self, template: str):
        spec = TEMPLATES[template]
        self.entry = _manifest_entry(template, spec["article"])
        root = SAMPLES / template
        self.article = (root / spec["article"].lstrip("/")).read_text(encoding="utf-8")
        self.listing = (root / "opinion" / "index.html").read_text(encoding="utf-8")
        self.name = spec["name"]

    def article_page(self, outlet: Outlet, page: Page, paragraphs: list[str],
                     furniture: tuple[Chrome, str] | None = None) -> str:
        e = self.entry
        text = (self.article.replace(f"{{{{{outlet.template}}}}}", outlet.host)
                .replace(e["path"], page.path).replace(e["title"], page.title)
                .replace(e["author"], page.author).replace(self.name, outlet.name)
                .replace(e["published"], page.published[:10]))
        tree = lxml_html.document_fromstring(text)
        for aside in tree.xpath("//aside"):  # "read also" boxes point to sample pages
            aside.drop_tree()
        body = _body_node(tree)
        first = next(c for c in body if c.tag == "p")
        anchor = first.getprevious()
        for p in [c for c in body if c.tag == "p"]:
            body.remove(p)
        for offset, paragraph in enumerate(paragraphs):
            node = lxml_html.Element("p")
            node.text = paragraph
            if anchor is None:
                body.insert(offset, node)
            else:
                anchor.addnext(node)
                anchor = node
        if furniture is not None:
            chrome, lists = furniture
            tree.find("head").extend(lxml_html.fragments_fromstring(chrome.head))
            page_body = tree.find("body")
            for k, node in enumerate(lxml_html.fragments_fromstring(chrome.header)):
                page_body.insert(k, node)
            page_body.extend(lxml_html.fragments_fromstring(lists + chrome.footer))
        return "<!DOCTYPE html>\n" + lxml_html.tostring(tree, encoding="unicode")

    def listing_page(self, outlet: Outlet, cards: list[Page], next_path: str | None) -> str:
        text = self.listing.replace(f"{{{{{outlet.template}}}}}", outlet.host).replace(self.name, outlet.name)
        tree = lxml_html.document_fromstring(text)
        for node in tree.xpath('//*[@rel="next"] | //a[contains(@href, "/page/")]'):
            node.drop_tree()  # the sample's own pagination
        container = max(tree.iter(), key=lambda el: sum(
            1 for c in el if any(a.get("href", "").endswith(".html") for a in c.iter("a"))))
        for child in list(container):
            container.remove(child)
        for link in tree.xpath('//a[contains(@href, ".html")]'):
            link.drop_tree()  # sample articles linked from sidebars
        for page in cards:
            card = lxml_html.fragment_fromstring(
                f'<div class="card"><h2 class="card-title"><a href="{page.path}">{escape(page.title)}</a></h2>'
                f'<span class="card-author">بقلم: {escape(page.author)}</span></div>')
            container.append(card)
        if next_path:
            head = tree.find("head")
            head.append(lxml_html.fragment_fromstring(f'<link rel="next" href="{outlet.base}{next_path}">'))
            container.addnext(lxml_html.fragment_fromstring(
                f'<div class="pager"><a rel="next" href="{next_path}">الصفحة التالية</a></div>'))
        return "<!DOCTYPE html>\n" + lxml_html.tostring(tree, encoding="unicode")


def feed_xml(outlet: Outlet, kind: str, pages: list[Page]) -> str:
    """An RSS 2.0 or Atom feed of `pages`."""
    if kind == "atom":
        entries = "".join(
            f"<entry><title>{escape(p.title)}</title><link href=\"{p.url}\" rel=\"alternate\"/>"
            f"<id>{p.url}</id><published>{p.published}</published><updated>{p.published}</updated>"
            f"<author><name>{escape(p.author)}</name></author></entry>\n" for p in pages)
        return (f'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ar">\n'
                f"<title>{escape(outlet.name)}</title><link href=\"{outlet.base}/\"/><id>{outlet.base}/</id>\n"
                f"<updated>{pages[0].published if pages else ''}</updated>\n{entries}</feed>\n")
    items = "".join(
        f"<item><title>{escape(p.title)}</title><link>{p.url}</link><guid>{p.url}</guid>"
        f"<pubDate>{datetime.fromisoformat(p.published).strftime('%a, %d %b %Y %H:%M:%S %z')}</pubDate>"
        f"<dc:creator>{escape(p.author)}</dc:creator></item>\n" for p in pages)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<channel><title>{escape(outlet.name)}</title><link>{outlet.base}/</link><language>ar</language>\n"
            f"{items}</channel></rss>\n")


def sitemap_xml(outlet: Outlet, pages: list[Page]) -> str:
    """A Google News sitemap of `pages`."""
    urls = "".join(
        f"<url><loc>{p.url}</loc><lastmod>{p.published}</lastmod><news:news><news:publication>"
        f"<news:name>{escape(outlet.name)}</news:name><news:language>ar</news:language></news:publication>"
        f"<news:publication_date>{p.published}</news:publication_date><news:title>{escape(p.title)}</news:title>"
        "</news:news></url>\n" for p in pages)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
            f' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n{urls}</urlset>\n')


def sitemap_index_xml(urls: list[str]) -> str:
    entries = "".join(f"<sitemap><loc>{u}</loc></sitemap>\n" for u in urls)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            f"{entries}</sitemapindex>\n")


def sources_toml(outlets: list[Outlet], listing_depth: int) -> str:
    """A registry for the generated outlets (no sitemap age window: a fixed archive)."""
    blocks = []
    for o in outlets:
        pattern = TEMPLATES[o.template]["pattern"]
        blocks.append(
            f'[[source]]\nid = "{o.id}"\nname = "{o.name}"\nbase_url = "{o.base}/"\nlanguage = "ar"\n'
            f'feeds = ["{o.base}/feed.xml"]\nsitemaps = ["{o.base}/sitemap.xml"]\n'
            f'listings = ["{o.base}/opinion/"]\nlisting_depth = {listing_depth}\nsitemap_window_days = 0\n'
            f"article_patterns = ['{pattern}']\nschedule = \"interval:2h\"\nverified = true\n")
    return "# Generated benchmark registry (bench/corpus.py)\n\n" + "\n".join(blocks)


def _plan(outlets: list[Outlet], pages: int, copy_share: float, rng: random.Random,
          start: datetime) -> list[Page]:
    """Which page goes where: originals round-robin, then copies of other outlets' originals."""
    copies = int(round(pages * copy_share)) if len(outlets) > 1 else 0
    planned: list[Page] = []
    counters = {o.id: 0 for o in outlets}

    def new_page(outlet: Outlet, when: datetime, title: str, author: str, copy_of=None, credit=None) -> Page:
        counters[outlet.id] += 1
        n = 1000 + counters[outlet.id]
        path = TEMPLATES[outlet.template]["path"].format(year=when.year, month=f"{when.month:02d}", n=n)
        return Page(outlet.id, path, outlet.base + path, f"{outlet.id}{path}", title, author,
                    when.isoformat(timespec="seconds"), copy_of, credit)

    for i in range(pages - copies):
        outlet = outlets[i % len(outlets)]
        when = start - timedelta(hours=3 * i + rng.randint(0, 2), minutes=rng.randint(0, 59))
        title = f"{rng.choice(['قراءة في', 'حول', 'ملاحظات على', 'سؤال', 'دروس من'])} " \
                f"{rng.choice(['الطاقة', 'المياه', 'الحدود', 'الإصلاح', 'الاقتصاد', 'اللغة', 'الهجرة'])} ({i + 1})"
        planned.append(new_page(outlet, when, title, rng.choice(AUTHORS)))
    originals = list(planned)
    by_id = {o.id: o for o in outlets}
    for i in range(copies):
        original = originals[(i * 7919) % len(originals)]
        others = [o for o in outlets if o.id != original.outlet]
        outlet = others[i % len(others)]
        when = datetime.fromisoformat(original.published) + timedelta(days=rng.randint(1, 3))
        planned.append(new_page(outlet, when, original.title, original.author, original.url,
                                by_id[original.outlet].name))
    return planned


def generate(root: Path, *, pages: int = 5000, outlets: int = 10, port: int = 8480,
             first_address: int = 2, copy_share: float = 0.05, feed_size: int = 50,
             per_listing: int = 25, per_sitemap: int = 250, seed: int = 0, light: bool = False) -> Corpus:
    """Write the corpus under `root`; return what was written (the ground truth). `light`: the
    sample templates' pages alone (~10 KB), without the furniture that real pages carry."""
    if not 1 <= outlets <= len(OUTLET_NAMES) or pages < outlets:
        raise ValueError(f"need 1..{len(OUTLET_NAMES)} outlets and at least one page each")
    rng = random.Random(seed)
    pool = sentence_pool()
    names = list(TEMPLATES)
    outlet_list = [Outlet(f"o{k + 1:02d}", OUTLET_NAMES[k], names[k % len(names)],
                          f"127.0.0.{first_address + k}:{port}") for k in range(outlets)]
    start = datetime(2026, 11, 20, 9, 0, tzinfo=timezone(timedelta(hours=3)))
    planned = _plan(outlet_list, pages, copy_share, rng, start)
    texts: dict[str, list[str]] = {}
    templates = {name: _Templates(name) for name in names}
    root.mkdir(parents=True, exist_ok=True)
    furniture_rng = random.Random(seed + 1)  # apart from `rng`: light and real corpora share their texts
    chrome = {o.id: make_chrome(furniture_rng, o) for o in outlet_list}
    by_outlet = {o.id: [p for p in planned if p.outlet == o.id] for o in outlet_list}
    for page in planned:  # originals come first, so a copy finds its original's text
        outlet = next(o for o in outlet_list if o.id == page.outlet)
        if page.copy_of:
            paragraphs = texts[page.copy_of] + [CREDIT.format(name=page.credit)]
        else:
            paragraphs = texts[page.url] = make_text(rng, pool)
        target = root / page.file
        target.parent.mkdir(parents=True, exist_ok=True)
        furniture = None if light else (chrome[outlet.id], page_lists(
            furniture_rng, outlet, pool, furniture_rng.sample(by_outlet[outlet.id], k=min(6, len(by_outlet[outlet.id])))))
        target.write_text(templates[outlet.template].article_page(outlet, page, paragraphs, furniture),
                          encoding="utf-8")
    depth = 1
    for outlet in outlet_list:
        own = sorted((p for p in planned if p.outlet == outlet.id), key=lambda p: p.published, reverse=True)
        base = root / outlet.id
        (base / "robots.txt").write_text(
            f"User-agent: *\nDisallow: /private/\n\nSitemap: {outlet.base}/sitemap.xml\n", encoding="utf-8")
        (base / "feed.xml").write_text(feed_xml(outlet, TEMPLATES[outlet.template]["feed"], own[:feed_size]),
                                       encoding="utf-8")
        children = []
        for k in range(0, len(own), per_sitemap):
            name = f"sitemap-{k // per_sitemap + 1}.xml"
            (base / name).write_text(sitemap_xml(outlet, own[k:k + per_sitemap]), encoding="utf-8")
            children.append(f"{outlet.base}/{name}")
        (base / "sitemap.xml").write_text(sitemap_index_xml(children), encoding="utf-8")
        chunks = [own[k:k + per_listing] for k in range(0, len(own), per_listing)]
        depth = max(depth, len(chunks))
        for number, chunk in enumerate(chunks, start=1):
            path = "/opinion/" if number == 1 else f"/opinion/page/{number}/"
            following = f"/opinion/page/{number + 1}/" if number < len(chunks) else None
            target = base / path.strip("/") / "index.html"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(templates[outlet.template].listing_page(outlet, chunk, following), encoding="utf-8")
    corpus = Corpus(root, outlet_list, planned)
    corpus.sources_file.write_text(sources_toml(outlet_list, depth), encoding="utf-8")
    corpus.urls_file.write_text("".join(p.url + "\n" for p in planned), encoding="utf-8")
    (root / "corpus.json").write_text(json.dumps(
        {"outlets": [asdict(o) for o in outlet_list], "pages": [asdict(p) for p in planned]},
        ensure_ascii=False, indent=1), encoding="utf-8")
    return corpus


def load(root: Path) -> Corpus:
    """A corpus generated before, from its corpus.json."""
    data = json.loads((root / "corpus.json").read_text(encoding="utf-8"))
    return Corpus(root, [Outlet(**o) for o in data["outlets"]], [Page(**p) for p in data["pages"]])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.corpus")
    parser.add_argument("out", type=Path)
    parser.add_argument("--pages", type=int, default=5000)
    parser.add_argument("--outlets", type=int, default=10)
    parser.add_argument("--port", type=int, default=8480)
    parser.add_argument("--light", action="store_true", help="pages without site furniture (~10 KB)")
    args = parser.parse_args(argv)
    corpus = generate(args.out, pages=args.pages, outlets=args.outlets, port=args.port, light=args.light)
    copies = sum(1 for p in corpus.pages if p.copy_of)
    print(f"{len(corpus.pages)} pages ({copies} republished copies) across {len(corpus.outlets)} outlets in {args.out}")


if __name__ == "__main__":
    main()

"""Bylines and closing signature lines of Arabic articles (pure functions, no Scrapy).

`clean_author` turns a raw byline, a `<meta name=author>` value or a JSON-LD author name into
the person name(s) analysts want, several joined with "، ", and None when the value only credits
a desk, a dateline, an outlet or a news agency. Decisions:

* byline verbs and labels are dropped: بقلم، كتب/كتبت، إعداد، حوار، تحرير، By ...;
* honorifics and titles in front of a name are dropped (د.، الدكتور، أ.، الأستاذ، المهندس،
  السفير، اللواء، الكاتب، الصحفي، Dr., Prof. ...): analysts get the bare name. السيد/الشيخ/
  الأمير are dropped only when two words of name remain (السيد is also a family name);
* desk credits are not people: المحرر السياسي، هيئة التحرير، مراسلنا، خاص، رأي القدس ... -> None;
* a segment naming only a place (dateline), an outlet or an agency is dropped; so are
  parenthesised credits, e-mail addresses, URLs, social handles and "| صحيفة ..." suffixes;
* a one-word value beginning with ال ("البيان") or a one-word lower-case Latin value
  ("akhbarelyom", "admin") is taken for a site or desk name, not a person;
* photo, translation and proof-reading credits (تصوير، ترجمة، تدقيق) are not authors.

`split_signature` removes the author's bio line that closes many op-eds ("كاتب وباحث في ...",
"* صحفي مصري") and, around it, reprint credits and site chrome that are not body text.
"""

from __future__ import annotations

import re
import unicodedata

from pipelines.arabic import normalize
from pipelines.credits import parse_credit_line

# --------------------------------------------------------------------------- lexicons
# Every lexicon is written in ordinary spelling and compared after `normalize`.


def _norm_set(words: str) -> frozenset[str]:
    return frozenset(normalize(w) for w in words.split())


def _strip_al(token: str) -> str:
    """`token` without a leading article ال (normalised input), keeping at least 2 letters."""
    return token[2:] if token.startswith("ال") and len(token) > 3 else token


# Byline labels in front of a name (longest first), each optionally followed by ":" or a dash.
_LABELS = sorted(
    (
        normalize(s)
        for s in (
            "بقلم الكاتب الصحفي", "بقلم الكاتبة الصحفية", "بقلم الكاتب", "بقلم الكاتبة",
            "بقلم الدكتور", "بقلم الدكتورة", "بقلم", "كتب المقال", "كتبه", "كتبها", "كتبت",
            "كتب", "إعداد وتقديم", "إعداد", "اعداد", "أجرى الحوار", "حاوره", "حاورها", "حوار",
            "تحرير", "تقرير", "متابعة", "تحقيق", "رصد", "الكاتب", "الكاتبة", "المؤلف", "الكاتب الصحفي",
            "نوشته", "نویسنده", "به قلم", "نوشتهٔ",  # Persian: "written by", "author", "by the pen of"
            "written by", "posted by", "by", "author",
        )
    ),
    key=len,
    reverse=True,
)
# Labels of people who are not the author: the value after them is dropped.
_OTHER_ROLES = _norm_set("تصوير ترجمة ترجمه تدقيق مراجعة جرافيك إنفوجراف انفوجراف مونتاج photo photos translated")

# Titles in front of a name (compared without a final dot); dropped.
_HONORIFICS = _norm_set(
    "د د. دكتور دكتورة الدكتور الدكتورة أ أ. أ.د أ.د. ا.د م م. مهندس المهندس المهندسة "
    "الأستاذ الأستاذة أستاذ الاستاذ بروفيسور البروفيسور البروفسور بروف السفير السفيرة "
    "اللواء العميد العقيد الفريق المستشار المستشارة القاضي المحامي المحامية النائب "
    "الكاتب الكاتبة الصحفي الصحفية الصحافي الصحافية الإعلامي الإعلامية الباحث الباحثة "
    "الروائي الروائية الشاعر الشاعرة الأديب الأديبة الناشط الناشطة الخبير الخبيرة المحلل "
    "المحللة الأكاديمي الأكاديمية الدبلوماسي السياسي المفكر المؤرخ "
    "dr dr. prof prof. mr mr. mrs mrs. ms ms. eng eng. professor"
)
# Titles that are also family names: dropped only when two words of name remain.
_SOFT_HONORIFICS = _norm_set("السيد السيدة الشيخ الشيخة الأمير الأميرة الحاج")

# Words that make a segment a desk, an outlet or an institution, not a person
# (compared with the article ال removed).
_DESK_WORDS = frozenset(
    _strip_al(w)
    for w in _norm_set(
        "محرر المحرر محررو تحرير التحرير مراسل مراسلنا مراسلة مراسلو مراسلون مراسلي خاص "
        "مكتب قسم فريق وحدة هيئة أسرة إدارة افتتاحية صحيفة جريدة مجلة موقع وكالة قناة شبكة "
        "بوابة نيوز أونلاين اونلاين تلفزيون إذاعة مركز معهد منتدى ملحق الموقع خدمة "
        "staff editor editors newsroom desk admin administrator team agencies agency "
        "correspondent correspondents news online webmaster editorial"
    )
)
# Words that make a segment an editorial credit when they open it: "رأي القدس"، "كلمة الرياض".
_DESK_OPENERS = _norm_set("رأي كلمة افتتاحية الافتتاحية")

# News agencies, written as words (compared token by token) ...
_AGENCY_WORDS = _norm_set(
    "وكالات الوكالات رويترز الأناضول أناضول سبوتنيك شينخوا نوفوستي إنترفاكس انترفاكس "
    "كازينفورم برس reuters afp dpa anadolu sputnik xinhua tass interfax kazinform cnn bbc"
)
# ... and as initialisms and multi-word names (compared with spaces and dots removed).
_AGENCY_COMPACT = frozenset(
    re.sub(r"[\s.]", "", normalize(s))
    for s in (
        "أ ف ب", "ا ف ب", "أ.ف.ب", "د ب أ", "د.ب.أ", "أ ب", "يو بي آي", "فرانس برس",
        "فرانس بريس", "الفرنسية", "الوكالة الفرنسية", "الألمانية", "الوكالة الألمانية",
        "أسوشيتد برس", "اسوشيتدبرس", "بي بي سي", "سي إن إن", "روسيا اليوم", "ريا نوفوستي",
        "قدس برس", "آكي", "رويترز", "وكالات", "سكاي نيوز", "سكاي نيوز عربية", "الجزيرة نت",
        "يونايتد برس", "كيو بي", "كابار", "خوفار", "أوزا", "ترند", "تاس", "بترا", "سانا",
        "كونا", "واس", "وام", "قنا", "العمانية", "وفا", "معا", "إرنا", "ارنا", "إفي", "أكي", "ap",
    )
)
# Outlets whose names look like person names (two words, no outlet word in them).
_OUTLETS = frozenset(
    re.sub(r"\s", "", normalize(s))
    for s in (
        "القدس العربي", "العربي الجديد", "الشرق الأوسط", "المصري اليوم", "اليوم السابع",
        "الشرق القطرية", "الحياة الجديدة", "الرأي العام", "الأيام", "الوطن العربي",
        "الخليج الجديد", "عربي بوست", "عربي21", "نون بوست", "رأي اليوم", "المدن",
        "الجزيرة", "العربية", "الحرة", "فرانس 24", "دويتشه فيله",
    )
)

# Places that open or close datelines (capitals, big cities, countries), normalised.
_PLACES = frozenset(
    normalize(s)
    for s in (
        "القاهرة الإسكندرية الجيزة الرياض جدة مكة الدمام دبي أبوظبي الشارقة الدوحة الكويت "
        "المنامة مسقط صنعاء عدن بغداد البصرة أربيل الموصل دمشق حلب إدلب بيروت طرابلس عمان "
        "القدس غزة الخليل نابلس تونس الجزائر وهران الرباط نواكشوط الخرطوم بنغازي مصراتة "
        "إسطنبول اسطنبول أنقرة طهران كابول موسكو بكين واشنطن نيويورك لندن باريس برلين بروكسل "
        "جنيف فيينا روما مدريد طوكيو نيودلهي كييف مينسك أستانا ألماتي آلماتي طشقند سمرقند "
        "بخارى بيشكيك أوش دوشنبه عشق أباد آباد باكو تبليسي يريفان إسلام رام الله الدار البيضاء "
        "المدينة المنورة نور سلطان ظبي أبو "
        "مصر السعودية الإمارات قطر البحرين عمان اليمن العراق سوريا سورية لبنان الأردن فلسطين "
        "المغرب ليبيا السودان موريتانيا تركيا إيران روسيا الصين كازاخستان أوزبكستان "
        "قيرغيزستان قرغيزستان طاجيكستان تركمانستان أفغانستان باكستان الهند أمريكا أميركا "
        "الولايات المتحدة بريطانيا فرنسا ألمانيا"
    ).split()
)
# Place words that can also be parts of names: a segment needs another, certain place word.
_AMBIGUOUS_PLACE_WORDS = frozenset(normalize(s) for s in "نور سلطان الله أبو إسلام آباد أباد المدينة".split())

# Occupation nouns that open a bio line ("كاتب سوري"), indefinite, both genders.
_STRONG_OCCUPATIONS = _norm_set(
    "كاتب كاتبة باحث باحثة صحفي صحفية صحافي صحافية محلل محللة أكاديمي أكاديمية إعلامي "
    "إعلامية أديب أديبة روائي روائية شاعر شاعرة خبير خبيرة مستشار مستشارة محاضر محاضرة "
    "أستاذ أستاذة دبلوماسي دبلوماسية ناشط ناشطة مترجم مترجمة مؤرخ مؤرخة مفكر مفكرة "
    "اقتصادي اقتصادية ناقد ناقدة مدون مدونة تربوي تربوية معلم معلمة فنان فنانة "
    "writer journalist researcher analyst professor "
    # Persian and Urdu bios ("پژوهشگر زبان فارسی", "نویسنده و روزنامه‌نگار", "صحافی اور کالم نگار")
    "پژوهشگر نویسنده روزنامه‌نگار روزنامهنگار استاد کارشناس تحلیلگر صحافی کالم‌نگار"
)
# Occupation nouns that open a bio only with a qualifier ("رئيس تحرير", "سفير سابق").
_WEAK_OCCUPATIONS = _norm_set(
    "رئيس رئيسة مدير مديرة سفير سفيرة وزير وزيرة نائب عضو أمين مؤسس مؤسسة محام محامي محامية "
    "طبيب طبيبة مهندس مهندسة زميل زميلة ضابط لواء عميد"
)
_QUALIFIERS = _norm_set(
    "سابق سابقة تحرير مركز معهد قسم مجلس جمعية منظمة هيئة جامعة كلية اتحاد نقابة برنامج "
    "مؤسسة دراسات أبحاث متقاعد"
)
# Words of running prose that a bio line does not contain.
_PROSE_WORDS = _norm_set(
    "لا لم لن قد هل هذا هذه ذلك تلك هؤلاء كان كانت ليس ليست سوف إن أن لكن يجب إذا لو "
    "هو هي نحن أنا أنت هم بل ما ماذا لماذا كيف متى قال قالت يقول تقول يرى ترى أكد أكدت "
    "أعلن أعلنت يبدو يمكن سيكون ستكون يعني يجب"
)

# Site chrome that follows an article: share buttons, comment prompts, related links, tags.
_CHROME_OPENERS = tuple(
    normalize(s)
    for s in (
        "leave a comment", "leave a reply", "share", "tweet", "print", "comments", "related",
        "read more", "read also", "tags", "subscribe", "follow us", "like this", "loading",
        "شارك", "مشاركة", "اقرأ أيضا", "اقرأ ايضا", "إقرأ أيضا", "اقرأ المزيد", "تابعونا",
        "تابعنا", "أضف تعليق", "اضف تعليق", "إضافة تعليق", "التعليقات", "تعليقات", "لا توجد تعليقات",
        "الوسوم", "وسوم", "كلمات مفتاحية", "الكلمات المفتاحية", "الكلمات الدالة",
        "مواضيع ذات صلة", "مقالات ذات صلة", "أخبار ذات صلة", "مواضيع متعلقة", "طباعة",
        "جميع الحقوق محفوظة", "رابط مختصر", "انشر على", "نشر على",
        "المقالات المنشورة", "الآراء الواردة", "المقال يعبر", "المقالات تعبر",
    )
)
_CHROME_MAX_WORDS = 14

# --------------------------------------------------------------------------- text helpers
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\u00ad\u061c]")
_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670]")
_INNER_TATWEEL = re.compile(r"(?<=\w)\u0640+(?=\w)")
_SPACES = re.compile(r"\s+")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_HANDLE = re.compile(r"(?:(?:twitter|x|تويتر|انستغرام|instagram)\s*:?\s*)?@\w+", re.IGNORECASE)
_BRACKETS = re.compile(r"[(\[{]([^)\]}]*)[)\]}]")
_QUOTES = re.compile("[«»\"“”„‘’'‹›]")
# Segment separators: a dash with a space on one side (not "Jean-Pierre"), colon, slash, pipe.
_SEGMENT_SPLIT = re.compile(
    r"\s*\|\s*|\s*[:：]\s*|\s+/\s*|\s*/\s+|\s+[-–—\u0640]+\s*|\s*[-–—\u0640]+\s+|^[-–—\u0640]+|[-–—\u0640]+$"
)
_AUTHOR_SPLIT = re.compile(r"\s*(?:[،,;؛&+]|\s+(?:and|et)\s+|\s+و\s+)\s*", re.IGNORECASE)
_TRIM = " \t\n.,،;؛:!?؟*•·-–—_\u0640\"'«»()[]{}"
_SENTENCE_END = re.compile(r"[?!؟]\s*$")
_BIO_MARKER = re.compile(r"^\s*(?:\(\s*\*+\s*\)|\*+|[-–—\u0640•·]+)\s*")
_BIO_SPLIT = re.compile(r"\s*(?:[،,:]|\s[-–—]\s)\s*")
_HAS_LETTER = re.compile(r"[^\W\d_]")

# Given names that begin with و: never read as "و + name" when splitting authors.
_WAW_NAMES = _norm_set(
    "وليد وليدة وائل وسام وفاء وداد وجدي وجدان وديع وديعة وضاح وعد ولاء وئام وصال ورد وردة "
    "وسيم وسيمة وحيد وحيدة وهيب وهيبة وهبة وهبي وليم وليام ويليام وارد واصف وافي وكيل ودود "
    "ونيس ونوس وجيه وجيهة وفيق وفيقة وهدان وصفي وصفية وسيلة ولي ولد والي واكد وزير وزان "
    "وطفة وتار ورداني وهاب وحيد ويس وسن وعود وحي وديان ولاء وليام وئام"
)


def _clean_text(raw: str) -> str:
    """NFKC, no invisible characters, diacritics or in-word tatweel, one space between words."""
    text = unicodedata.normalize("NFKC", raw)
    text = _INVISIBLE.sub("", text)
    text = _DIACRITICS.sub("", text)
    if "\u0640" in text:  # the look-behind pattern is tried at every position: only when needed
        text = _INNER_TATWEEL.sub("", text)
    return _SPACES.sub(" ", text).strip()


def _norm_tokens(text: str) -> list[str]:
    """Normalised whitespace tokens with surrounding punctuation removed."""
    return [t for t in (tok.strip(_TRIM) for tok in normalize(text).split()) if t]


# --------------------------------------------------------------------------- bylines
def split_authors(raw: str) -> list[str]:
    """Split several authors ("و" between two full names, "،", ",", " and ", "&") without splitting names that contain و (e.g. "وليد", "وائل") or compound names (عبد الله، أبو بكر).

    A word glued to و ("ومحمد") starts a new author only when the current name already has two
    words, at least one word follows, and the word is not a given name that begins with و
    ("وليد", "ونوس"); a lone "و" between words always separates. Two one-word names joined by
    و ("أحمد ومحمد") stay one item: one word is too little evidence.
    """
    authors: list[str] = []
    for part in _AUTHOR_SPLIT.split(raw):
        words = part.split()
        current: list[str] = []
        for i, word in enumerate(words):
            glued = word.startswith("و") and len(word) >= 3 and normalize(word.strip(_TRIM)) not in _WAW_NAMES
            if glued and len(current) >= 2 and i + 1 < len(words):
                authors.append(" ".join(current))
                current = [word[1:]]
            else:
                current.append(word)
        if current:
            authors.append(" ".join(current))
    return [a.strip(_TRIM) for a in authors if a.strip(_TRIM)]


def _strip_label(segment: str) -> tuple[str, bool]:
    """`segment` without a leading byline label; second value True for a non-author role label."""
    text = segment.strip(_TRIM)
    norm = normalize(text)
    for role in _OTHER_ROLES:
        if norm == role or norm.startswith(role + " "):
            return text[len(role):].strip(_TRIM), True
    changed = True
    while changed and text:
        changed = False
        norm = normalize(text)
        for label in _LABELS:
            if norm == label or (norm.startswith(label) and norm[len(label):len(label) + 1] in " :-–—"):
                text = text[len(label):].strip(_TRIM)  # normalize() keeps length for these letters
                changed = True
                break
    return text, False


def _strip_honorifics(name: str) -> str:
    """`name` without leading titles ("د.", "الدكتور", "Dr.") and glued "د.محمد" forms."""
    words = re.sub(r"^((?:أ\.\s*)?د|أ|م|Dr|Prof)\.(?=\S)", r"\1. ", name).split()
    while len(words) > 1:
        head = normalize(words[0])
        if head in _HONORIFICS or head.rstrip(".") in _HONORIFICS:
            words = words[1:]
        elif head in _SOFT_HONORIFICS and len(words) > 2:
            words = words[1:]
        else:
            break
    return " ".join(words)


def _is_place(tokens: list[str]) -> bool:
    """True when every token is a place word and at least one is an unambiguous place."""
    bare = [t[1:] if t.startswith("و") and t[1:] in _PLACES else t for t in tokens]
    return all(t in _PLACES for t in bare) and any(t not in _AMBIGUOUS_PLACE_WORDS for t in bare)


def _opens_with_occupation(tokens: list[str], definite_ok: bool = False) -> bool:
    """True when the first token is an occupation noun that opens a bio ("كاتب", "رئيس تحرير")."""
    if not tokens:
        return False
    head = _strip_al(tokens[0]) if definite_ok else tokens[0]
    if head in _STRONG_OCCUPATIONS:
        return True
    if head in _WEAK_OCCUPATIONS:
        rest = {_strip_al(t) for t in tokens[1:]} | {_strip_al(t[1:]) for t in tokens[1:] if t[:1] in "بلو"}
        return bool(rest & {_strip_al(q) for q in _QUALIFIERS})
    return False


def _is_agency(text: str) -> bool:
    """True when `text` is an agency initialism or name ("أ ف ب", "د.ب.أ", "فرانس برس")."""
    return re.sub(r"[\s.]", "", normalize(text)) in _AGENCY_COMPACT


def _is_person(name: str) -> bool:
    """True when `name` (labels and titles removed) reads as a person's name."""
    if not _HAS_LETTER.search(name) or re.search(r"\d", name):
        return False
    tokens = _norm_tokens(name)
    if not tokens or len(tokens) > 8:
        return False
    if _is_agency(name) or "".join(tokens) in _OUTLETS:
        return False
    if any(t in _AGENCY_WORDS or _strip_al(t) in _DESK_WORDS for t in tokens):
        return False
    if tokens[0] in _DESK_OPENERS or _is_place(tokens) or _opens_with_occupation(tokens):
        return False
    if len(tokens) == 1 and (tokens[0].startswith("ال") or re.fullmatch(r"[a-z0-9_.]+", name.strip())):
        return False
    return True


def _segments(text: str) -> list[str]:
    """Dash/colon/slash/pipe-separated segments of a byline, parenthesised parts as their own."""
    text = _BRACKETS.sub(lambda m: f" | {m.group(1)} | ", text)
    return [s.strip(_TRIM) for s in _SEGMENT_SPLIT.split(text) if s and s.strip(_TRIM)]


def clean_author(raw: str | None) -> str | None:
    """Person name(s) from a raw byline/meta author/JSON-LD author value, several joined with "، ".

    None when the value only credits a desk, a dateline, an outlet or an agency (or is empty).
    Labels (بقلم، كتب، إعداد، حوار، By), titles (د.، الدكتور، أ.، الأستاذ، Dr.), datelines
    ("القاهرة -", "موسكو ـ"), trailing credits, e-mail addresses, URLs, "| صحيفة ..." suffixes
    and social handles are removed; see the module docstring for each decision.
    """
    if not raw or not raw.strip():
        return None
    text = _clean_text(raw)
    text = _HANDLE.sub(" ", _URL.sub(" ", _EMAIL.sub(" ", text)))
    text = _QUOTES.sub("", text)
    names: list[str] = []
    seen: set[str] = set()
    skip_next = False
    for segment in _segments(text):
        segment, other_role = _strip_label(segment)
        if other_role or skip_next:
            skip_next = other_role and not segment
            continue
        if _is_agency(segment):
            continue
        for author in split_authors(segment):
            name = _strip_label(author)[0]
            if _is_agency(name):
                continue
            name = _strip_honorifics(name).strip(_TRIM)
            key = normalize(name)
            if _is_person(name) and key not in seen:
                seen.add(key)
                names.append(name)
    return "، ".join(names) or None


# --------------------------------------------------------------------------- signatures
def _is_chrome(paragraph: str) -> bool:
    """True for share/comment/related-links/tag/disclaimer lines and bare separators."""
    text = normalize(_clean_text(paragraph)).strip(_TRIM)
    if not _HAS_LETTER.search(text):
        return True
    if len(text.split()) > _CHROME_MAX_WORDS and "تعبر عن راي" not in text:
        return False
    if "تعبر عن راي" in text or "لا تعبر عن" in text:
        return True
    return any(text == o or (text.startswith(o) and not text[len(o)].isalnum()) for o in _CHROME_OPENERS)


def _is_trailer(paragraph: str) -> bool:
    """True for what may follow an article's last line: blanks, chrome, reprint credits."""
    return not paragraph.strip() or _is_chrome(paragraph) or parse_credit_line(paragraph) is not None


# English signature ("Jane Doe is a writer on Central Asian affairs." and a translation note).
_ENGLISH_BIO = re.compile(
    r"^(?!(?:The|This|That|These|A|An|Our|His|Her|Its|Their|Every|No)\b)(?:[A-Z][\w.'-]*\s+){1,4}is an?\s+(?:[\w-]+\s+){0,3}"
    r"(?:writer|journalist|researcher|analyst|professor|columnist|lecturer|diplomat|scholar|fellow|editor)\b"
    r"[^.!?]{0,120}\.(?:\s+This (?:column|article|piece) was translated from [A-Z]?\w+(?: \w+)?\.)?$")


def _bio_text(paragraph: str) -> str | None:
    """The bio (leading marker removed) when `paragraph` looks like an author signature line."""
    if _ENGLISH_BIO.match(paragraph.strip()):
        return paragraph.strip()
    text = _clean_text(paragraph)
    marker = _BIO_MARKER.match(text)
    text = text[marker.end():] if marker else text
    text = text.strip(" \t*•·-–—\u0640")
    words = text.split()
    if not words or len(words) > 20 or _SENTENCE_END.search(text):
        return None
    tokens = _norm_tokens(text)
    if any(t in _PROSE_WORDS for t in tokens):
        return None
    parts = [p for p in _BIO_SPLIT.split(text) if p.strip()]
    first = _norm_tokens(parts[0]) if parts else []
    if _opens_with_occupation(first, definite_ok=bool(marker)):
        return text.rstrip(" .")
    if len(parts) > 1 and len(first) <= 4 and _opens_with_occupation(_norm_tokens(parts[1]), bool(marker)):
        return text.rstrip(" .")
    if marker and any(_opens_with_occupation(tokens[i:], definite_ok=True) for i in range(min(5, len(tokens)))):
        return text.rstrip(" .")
    return None


def split_signature(paragraphs: list[str]) -> tuple[list[str], str | None]:
    """Remove a closing author signature/bio line; return (body paragraphs, bio or None).

    Only a short final paragraph (<= 20 words) that opens with an occupation noun (كاتب، باحث،
    أستاذ، صحفي، محلل، أكاديمي، دبلوماسي، خبير; رئيس/مدير/سفير/وزير only with a qualifier such as
    تحرير، مركز، سابق), possibly after a short name and a comma or after a leading "*" or "-",
    and that contains no prose words (لا، هذا، كان، ...) or final "?"/"!" counts as a bio; the
    bio is returned without its leading marker. Trailing blank lines, site chrome ("Leave a
    Comment", "شارك", "اقرأ أيضا") and reprint credit lines are never body: they are removed
    whether or not a bio is found (find the credit with `credits.find_reprint_credit` first).
    """
    end = len(paragraphs)
    while end and _is_trailer(paragraphs[end - 1]):
        end -= 1
    bio = None
    if end > 1 and any(p.strip() for p in paragraphs[: end - 1]):
        bio = _bio_text(paragraphs[end - 1])
        if bio is not None:
            end -= 1
            while end and _is_trailer(paragraphs[end - 1]):
                end -= 1
    return list(paragraphs[:end]), bio

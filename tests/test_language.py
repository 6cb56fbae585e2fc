"""Tests for pipelines.language: own short texts per language, real pages, determinism, garbage."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pipelines.language import LanguageResult, _char_counts, detect_language
from tests.support.pages import REALDATA

ROOT = Path(__file__).resolve().parents[1]

# Texts written for these tests (2-4 sentences each), keyed by the expected code.
SAMPLES: dict[str, list[str]] = {
    "ar": [  # Modern Standard Arabic
        "تشهد العلاقات بين كازاخستان ودول الخليج تطوراً لافتاً في السنوات الأخيرة، إذ تتزايد "
        "الاستثمارات المشتركة في قطاعي الطاقة والزراعة. ويرى مراقبون أن أستانا تسعى إلى تنويع "
        "شركائها بعيداً عن الاعتماد التقليدي على موسكو وبكين.",
        "لم تعد أوزبكستان ذلك البلد المنغلق الذي عرفه العالم قبل عقد من الزمن. فقد فتحت الحكومة "
        "أبواب الاقتصاد أمام المستثمرين الأجانب، وخففت القيود المفروضة على صرف العملة، مما أعاد "
        "الحياة إلى أسواق طشقند وسمرقند.",
        "يطرح الجفاف المتكرر في آسيا الوسطى أسئلة صعبة حول مستقبل المياه في المنطقة. فنهرا سيحون "
        "وجيحون يغذيان ملايين الهكتارات من الأراضي الزراعية، غير أن سوء الإدارة أدى إلى جفاف بحر "
        "آرال بصورة شبه كاملة.",
        "في مقاله الأسبوعي، يرى الكاتب أن قرغيزستان تقف عند مفترق طرق حقيقي بين الاستقرار "
        "والاضطراب. ويشير إلى أن الاحتجاجات الشعبية أطاحت بعدة حكومات منذ الاستقلال، وأن الإصلاح "
        "الدستوري وحده لن يكفي لبناء الثقة.",
        "تحتفظ طاجيكستان بحدود طويلة مع أفغانستان، وهو ما يجعلها في قلب الحسابات الأمنية "
        "الإقليمية. وتخشى دوشنبه من تسلل المسلحين عبر الجبال الوعرة، بينما تعاني القرى الحدودية "
        "من الفقر والبطالة.",
    ],
    "ar-dialect": [  # Egyptian, Levantine, Gulf, Moroccan, Iraqi (with a گ)
        "بصراحة أنا مش فاهم ليه الناس بتتكلم عن كازاخستان كأنها آخر الدنيا. دي بلد كبيرة جداً "
        "وفيها بترول وغاز، واللي راح هناك بيقول إن الناس طيبين قوي. لازم نعرف عنهم أكتر من كده.",
        "شو بدك تحكي عن أوزبكستان؟ والله البلد حلوة كتير وأكلها طيب، بس الطريق لهونيك طويل. "
        "رفيقي راح على سمرقند السنة الماضية وما بطّل يحكي عن الجوامع القديمة هونيك.",
        "والله يا خوي الشغل في طشقند زين، بس لازم تعرف وش تبي قبل لا تسافر. أنا رحت هناك مع "
        "ربعي العام اللي طاف، وحصلنا الناس وايد متعاونين ويحبون العرب.",
        "بصح هاد الشي اللي كيقولو على قرغيزستان ماشي صحيح. الناس تما كيخدمو بزاف وكيعيشو "
        "فالجبال، والسياحة عندهم بدات كتكبر شوية بشوية. خاصنا نعرفو عليهم كثر.",
        "شكو ماكو بطاجيكستان؟ هواية ناس ما يعرفون وين هي، بس هي بلد حلوة وجبالها عالية. أخويه "
        "اشتغل هناك سنتين وگال إن الأكل يشبه أكلنا هواية.",
    ],
    "fa": [  # Persian (Iran)
        "اقتصاد قزاقستان در سال‌های اخیر به شدت به صادرات نفت و گاز وابسته بوده است. کارشناسان "
        "می‌گویند که دولت باید برای تنوع‌بخشی به اقتصاد برنامه‌ای جدی داشته باشد. این کشور "
        "بزرگ‌ترین کشور آسیای مرکزی است.",
        "سفر رئیس‌جمهور ازبکستان به تهران نشان داد که دو کشور به گسترش روابط تجاری علاقه دارند. در "
        "این دیدار چند سند همکاری در زمینه حمل‌ونقل و انرژی امضا شد. به گفته مقامات، حجم تجارت "
        "دوجانبه باید در سه سال آینده دو برابر شود.",
        "تاجیکستان تنها کشور فارسی‌زبان آسیای مرکزی است و پیوندهای فرهنگی عمیقی با ایران دارد. "
        "شاعران بزرگی مانند رودکی در این سرزمین زاده شده‌اند. با این حال، روابط سیاسی دو کشور "
        "همیشه آرام نبوده است.",
        "کمبود آب یکی از مهم‌ترین چالش‌های منطقه است. خشک شدن دریاچه آرال را می‌توان بزرگ‌ترین "
        "فاجعه زیست‌محیطی قرن گذشته دانست. کشاورزان پنبه هنوز هم از آب رودخانه‌ها به شکل گسترده "
        "استفاده می‌کنند.",
    ],
    "fa-dari": [  # Dari (Afghanistan): ISO 639-1 "fa"
        "حکومت افغانستان با ازبکستان توافق کرده است تا خط آهن مزار شریف را تا هرات امتداد دهد. "
        "مقام‌های وزارت فواید عامه می‌گویند که این پروژه زمینه کار را برای هزاران جوان فراهم "
        "می‌سازد.",
        "باشندگان ولسوالی‌های شمالی از کمبود آب آشامیدنی شکایت دارند. یک تن از بزرگان قوم گفت که "
        "تا هنوز هیچ نهاد دولتی به داد آنها نرسیده است و مردم مجبور اند آب را از دریا بیاورند.",
        "ترکمنستان برق مورد نیاز چندین ولایت افغانستان را تأمین می‌کند. به گفته مسوولان شرکت "
        "برشنا، قرارداد تازه برای پنج سال دیگر امضا شده و نرخ برق تغییری نکرده است.",
        "دانشجویان دانشگاه کابل امروز در یک گردهمایی خواستار بازگشایی دوباره صنف‌ها شدند. آنان "
        "می‌گویند که درس خواندن حق هر انسان است و نباید قربانی سیاست شود.",
    ],
    "ur": [
        "قازقستان وسطی ایشیا کا سب سے بڑا ملک ہے اور اس کی معیشت تیل اور گیس پر منحصر ہے۔ ماہرین "
        "کا کہنا ہے کہ حکومت کو زراعت اور صنعت میں بھی سرمایہ کاری کرنی چاہیے۔",
        "پاکستان اور ازبکستان کے درمیان تجارت میں گزشتہ برس نمایاں اضافہ ہوا ہے۔ دونوں ممالک "
        "افغانستان کے راستے ریلوے لائن بچھانے پر بھی بات چیت کر رہے ہیں، جس سے کراچی کی بندرگاہ "
        "تک رسائی آسان ہو جائے گی۔",
        "تاجکستان میں پانی کے بڑے منصوبے پورے خطے کے لیے اہمیت رکھتے ہیں۔ روغون ڈیم مکمل ہونے کے "
        "بعد بجلی کی پیداوار کئی گنا بڑھ جائے گی، لیکن نیچے کے ممالک کو پانی کی کمی کا خدشہ ہے۔",
        "کرغزستان کے پہاڑ سیاحوں کو اپنی طرف کھینچتے ہیں۔ ہر سال ہزاروں لوگ یہاں کی جھیلوں اور "
        "چراگاہوں کو دیکھنے آتے ہیں، اور مقامی لوگ ان کی مہمان نوازی میں کوئی کسر نہیں چھوڑتے۔",
    ],
    "ps": [
        "قزاقستان د منځنۍ اسیا تر ټولو لوی هېواد دی. د دې هېواد اقتصاد تر ډېره حده د تېلو او ګازو "
        "په صادراتو پورې تړلی دی، او حکومت غواړي چې کرنه هم پراخه کړي.",
        "د افغانستان او ازبکستان ترمنځ سوداګري په تېر کال کې زیاته شوې ده. دواړه هېوادونه غواړي چې "
        "د اورګاډي نوې لیکه جوړه کړي، څو توکي په اسانۍ سره پاکستان ته ورسېږي.",
        "ترکمنستان د افغانستان څو ولایتونو ته برېښنا ورکوي. د برېښنا شرکت چارواکو ویلي چې نوی "
        "تړون د پنځو کلونو لپاره لاسلیک شوی دی او بیه یې نه ده بدله شوې.",
        "د تاجکستان په غرونو کې ډېر کلي شته چې خلک یې په کرنه او مالدارۍ بوخت دي. ژمی هلته ډېر "
        "سوړ وي او لارې د واورې له امله تړل کېږي.",
    ],
    "ckb": [  # Sorani Kurdish
        "کازاخستان گەورەترین وڵاتی ئاسیای ناوەڕاستە. ئابووری ئەم وڵاتە زۆر پشت بە نەوت و گاز "
        "دەبەستێت، بۆیە حکوومەت هەوڵ دەدات کشتوکاڵ و پیشەسازی پەرە پێبدات.",
        "پەیوەندییەکانی نێوان هەرێمی کوردستان و ئوزبەکستان لە ساڵانی دواییدا باشتر بووە. چەند "
        "کۆمپانیایەک لە بواری وزە و بازرگانیدا کار دەکەن و بەرپرسان دەڵێن ئەم هاوکارییە بەردەوام "
        "دەبێت.",
        "لە تاجیکستان زۆربەی خەڵک بە زمانی فارسی قسە دەکەن. ئەو وڵاتە چیای بەرز و ڕووباری زۆری "
        "هەیە، بەڵام هێشتا هەژاری لە گوندەکاندا کێشەیەکی گەورەیە.",
        "ئاوی دەریاچەی ئارال بە شێوەیەکی ترسناک کەم بووەتەوە. زانایان دەڵێن کە ئەمە یەکێکە لە "
        "گەورەترین کارەساتە ژینگەییەکانی جیهان و پێویستە وڵاتانی ناوچەکە پێکەوە کار بکەن.",
    ],
    "az": [  # South Azerbaijani, Arabic script
        "قازاقیستان اورتا آسیانین ان بؤیوک اؤلکه‌سیدیر. بو اؤلکه‌نین اقتصادی چوخ زامان نفت و قاز "
        "ساتیشینا باغلیدیر. دولت ایندی اکینچیلیگی ده گلیشدیرمک ایسته‌ییر.",
        "تبریزده یاشایان شاعیرلر آنا دیلینده یازماغی چوخ سئویرلر. اونلارین شعرلری خالق آراسیندا "
        "گئنیش یاییلیب و گنج‌لر بو شعرلری ازبر اوخویورلار.",
        "اؤزبکیستان ایله تورکمنیستان آراسیندا یئنی بیر یول آچیلیب. بو یول ایکی اؤلکه‌نین "
        "تیجارتینی آرتیراجاق و کندلی‌لر اوچون ده فایدالی اولاجاق.",
        "بیزیم کندیمیزده قیش چوخ سویوق کئچیر. اوشاقلار قاردا اویناییرلار، بؤیوکلر ایسه اوجاغین "
        "باشیندا اوتوروب ناغیل دانیشیرلار.",
    ],
    "ug": [  # Uyghur, Arabic script
        "قازاقىستان ئوتتۇرا ئاسىيادىكى ئەڭ چوڭ دۆلەت. بۇ دۆلەتنىڭ ئىقتىسادى ئاساسەن نېفىت ۋە "
        "تەبىئىي گازغا تايىنىدۇ. ھۆكۈمەت يېزا ئىگىلىكىنى تەرەققىي قىلدۇرۇشقا تىرىشىۋاتىدۇ.",
        "ئۆزبېكىستان بىلەن قازاقىستان ئوتتۇرىسىدىكى سودا يىلدىن-يىلغا كۆپىيىۋاتىدۇ. ئىككى دۆلەت "
        "يېڭى تۆمۈر يول قۇرۇلۇشى ئۈچۈن كېلىشىم ئىمزالىدى.",
        "ئالمۇتا شەھىرىدە نۇرغۇن ئۇيغۇرلار ياشايدۇ. ئۇلار ئۆز تىلى ۋە مەدەنىيىتىنى ساقلاپ قېلىش "
        "ئۈچۈن مەكتەپ ۋە گېزىت ئاچقان بولۇپ، ھەر يىلى مەشرەپ ئۆتكۈزىدۇ.",
        "قىرغىزىستاننىڭ تاغلىرى ناھايىتى ئېگىز ۋە گۈزەل. يازدا نۇرغۇن ساياھەتچىلەر ئىسسىق كۆلنى "
        "كۆرگىلى كېلىدۇ، يەرلىك خەلق ئۇلارنى قىزغىن كۈتۈۋالىدۇ.",
    ],
    "en": [
        "Kazakhstan has spent the last decade trying to reduce its dependence on oil exports. "
        "Officials in Astana say new investment in agriculture and logistics is beginning to pay "
        "off, although critics remain sceptical.",
        "The water crisis in Central Asia is often described as a slow-motion disaster. Upstream "
        "countries want to build dams for electricity, while downstream farmers worry about their "
        "cotton fields.",
        "Uzbekistan opened its borders to tourists after years of isolation. Visitors now crowd "
        "the old madrasas of Samarkand and Bukhara, and hotels are being built at a remarkable "
        "pace.",
        "Many analysts believe that political instability in Kyrgyzstan stems from weak "
        "institutions rather than from its people. Three presidents have been forced out by "
        "street protests since independence.",
    ],
    "ru": [
        "Казахстан в последние годы активно развивает транспортные коридоры между Китаем и "
        "Европой. По словам экспертов, это может изменить экономику всего региона.",
        "В Ташкенте прошла встреча министров иностранных дел стран Центральной Азии. Участники "
        "обсудили вопросы водных ресурсов и торговли, а также ситуацию в Афганистане.",
        "Жители Бишкека жалуются на загрязнение воздуха зимой. Городские власти обещают перевести "
        "котельные на газ, однако сроки пока не названы.",
        "Таджикистан строит Рогунскую ГЭС уже несколько десятилетий. Правительство считает, что "
        "станция обеспечит страну электроэнергией и позволит экспортировать её соседям.",
    ],
}
CASES = [
    pytest.param(text, label.split("-")[0], id=f"{label}-{i}")
    for label, texts in SAMPLES.items()
    for i, text in enumerate(texts)
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_own_texts_get_their_language(text: str, expected: str) -> None:
    result = detect_language(text)
    assert result.code == expected, result.evidence
    assert 0.0 < result.confidence <= 1.0
    json.dumps(result.evidence, ensure_ascii=False)


def test_evidence_records_the_decision() -> None:
    result = detect_language(SAMPLES["fa"][0], declared="fa-IR")
    evidence = result.evidence
    assert evidence["rule"] == "arabic-script-scores"
    assert evidence["declared"] == "fa-IR"
    assert evidence["scripts"]["arabic"] > 0.9
    assert evidence["distinctive_letters"]["ی"] > 5
    assert "است" in evidence["function_words"]["fa"]
    assert evidence["langdetect"] and evidence["langdetect"][0][0] == "fa"
    assert evidence["non_arabic_per_1000"] > 25
    assert max(evidence["scores"], key=evidence["scores"].get) == "fa"


@pytest.mark.parametrize("text", SAMPLES["ug"] + SAMPLES["ps"] + SAMPLES["ckb"] + SAMPLES["az"])
def test_languages_langdetect_lacks_are_never_arabic(text: str) -> None:
    assert detect_language(text, declared="ar").code != "ar"


@pytest.mark.parametrize("text", SAMPLES["ar"] + SAMPLES["ar-dialect"][:4])
def test_arabic_typed_on_a_persian_keyboard_is_arabic(text: str) -> None:
    keyboard = text.replace("ي", "ی").replace("ك", "ک").replace("ى", "ی")
    result = detect_language(keyboard)
    assert result.code == "ar", result.evidence
    assert result.evidence["keyboard_spelling"]


@pytest.mark.parametrize("text", SAMPLES["fa"] + SAMPLES["fa-dari"])
def test_persian_in_arabic_code_points_is_persian(text: str) -> None:
    result = detect_language(text.replace("ی", "ي").replace("ک", "ك"))
    assert result.code == "fa", result.evidence


def test_arabic_with_latin_names_and_digits_is_arabic() -> None:
    text = SAMPLES["ar"][0] + " (Reuters, 2024) Astana International Forum 15/06/2024."
    assert detect_language(text).code == "ar"


def test_arabic_with_harakat_and_tatweel_is_arabic() -> None:
    text = "إِنَّ العَلاقـــاتِ بَيْنَ البَلَدَيْنِ قَدْ شَهِدَتْ تَطَوُّراً كَبِيراً فِي السَّنَواتِ الأَخِيرَةِ."
    assert detect_language(text).code == "ar"


# ---------------------------------------------------------------- real pages (read, not copied)
def _realdata_texts(folder: str) -> list[tuple[str, str]]:
    if not (REALDATA / folder).is_dir():
        pytest.skip(f"real pages not available: {REALDATA / folder} is absent")
    trafilatura = pytest.importorskip("trafilatura")
    pages = []
    for path in sorted((REALDATA / folder).glob("*.html")):
        html = path.read_bytes().decode("utf-8", errors="replace")
        pages.append((path.name, trafilatura.extract(html) or ""))
    assert pages, f"no pages in {REALDATA / folder}"
    return pages


def test_real_persian_pages_are_persian_never_arabic() -> None:
    for name, text in _realdata_texts("articles_fa"):
        result = detect_language(text)
        assert result.code != "ar", name
        assert result.code == "fa", (name, result.evidence)


def test_real_arabic_pages_are_arabic() -> None:
    for name, text in _realdata_texts("articles_ar"):
        result = detect_language(text)
        assert result.code == "ar", (name, result.evidence)
        assert result.confidence >= 0.8, name


# ---------------------------------------------------------------- determinism
_PROBE = """
import json, sys
from pipelines.language import detect_language
texts = json.loads(sys.stdin.read())
print(json.dumps([[r.code, r.confidence, r.evidence] for r in map(detect_language, texts)]))
"""


def test_same_result_in_two_separate_processes() -> None:
    texts = [SAMPLES[label][0] for label in SAMPLES] + [SAMPLES["ar"][1][:60]]
    outputs = []
    for hash_seed in ("1", "2"):
        env = {"PYTHONHASHSEED": hash_seed, "PATH": "/usr/bin:/bin"}
        proc = subprocess.run(
            [sys.executable, "-c", _PROBE], input=json.dumps(texts), capture_output=True,
            text=True, cwd=ROOT, env=env, timeout=120, check=True,
        )
        outputs.append(json.loads(proc.stdout))
    assert outputs[0] == outputs[1]
    here = [[r.code, r.confidence, r.evidence] for r in map(detect_language, texts)]
    assert json.loads(json.dumps(here)) == outputs[0]


# ---------------------------------------------------------------- short, empty, garbage
@pytest.mark.parametrize(
    "text",
    [
        "", " ", "\n\t", "12345 67890", "٣٤٥ ١٢٣ ۴۵۶", "!!! ??? ... ،،، ؛؛", "\u200f\u200e\u202b\u202c",
        "\u200b\u200c\u200d\ufeff", "😀🔥🇰🇿 👍", "مرحبا", "سلام دوستان", "Hello there",
        "\u0640\u0640\u0640\u064b\u064e", "\ud800 \udfff", "a" * 5000, "ـ" * 100,
    ],
)
def test_short_or_garbage_is_undetermined(text: str) -> None:
    result = detect_language(text)
    assert isinstance(result, LanguageResult)
    assert result.code == "und"
    assert result.confidence == 0.0
    json.dumps(result.evidence, ensure_ascii=False)


def test_non_string_input_is_undetermined() -> None:
    assert detect_language(None).code == "und"  # type: ignore[arg-type]


def test_short_text_takes_a_declared_language_of_the_same_script() -> None:
    result = detect_language("أهلا بكم جميعا", declared="ar-EG")
    assert (result.code, result.evidence["rule"]) == ("ar", "short-declared")
    assert 0 < result.confidence < 0.5
    assert detect_language("خوش آمدید", declared="fa_IR").code == "fa"
    assert detect_language("Welcome to Almaty", declared="en-US").code == "en"


def test_short_text_ignores_a_declared_language_of_another_script() -> None:
    assert detect_language("أهلا بكم جميعا", declared="en").code == "und"
    assert detect_language("Welcome to Almaty", declared="ar").code == "und"
    assert detect_language("أهلا بكم جميعا", declared="xx-YY").code == "und"
    assert detect_language("أهلا بكم جميعا", declared="").code == "und"


@settings(max_examples=300, deadline=None)
@given(st.text(), st.one_of(st.none(), st.text(max_size=12), st.sampled_from(["ar", "fa-IR", "ku"])))
def test_any_text_gives_a_bounded_result(text: str, declared: str | None) -> None:
    result = detect_language(text, declared)
    assert isinstance(result.code, str) and result.code
    assert 0.0 <= result.confidence <= 1.0
    json.dumps(result.evidence)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0x0600, max_codepoint=0x06FF), min_size=1))
def test_any_arabic_block_text_gives_a_bounded_result(text: str) -> None:
    result = detect_language(text)
    assert result.code in {"und", "ar", "fa", "ur", "ps", "ckb", "ug", "az"}
    assert 0.0 <= result.confidence <= 1.0


@settings(max_examples=300, deadline=None)
@given(st.text())
@example("كازاخستان 😀 x\udc80y ﻻ")  # an astral character, a lone surrogate, a presentation form
def test_character_counts_are_counters(text: str) -> None:
    assert _char_counts(text) == Counter(text)

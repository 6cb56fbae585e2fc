import json
import re

import pytest

from pipelines.charset import FEW_LATIN1, MojibakeError, _try, decode_html, looks_like_mojibake

ARABIC = re.compile("[\u0600-\u06ff]")
TEXT = "<html><body><p>" + "هل تنجح الدبلوماسية في آسيا الوسطى؟ " * 20 + "</p></body></html>"


def test_undeclared_windows_1256_is_not_read_as_cp1252():
    text, encoding = decode_html(TEXT.encode("cp1256"))
    assert encoding == "cp1256"
    assert "آسيا الوسطى" in text


def test_lying_declaration_is_overruled():
    body = TEXT.replace("<html>", '<html><head><meta charset="windows-1252"></head>').encode("cp1256")
    text, _ = decode_html(body, header_charset="windows-1252")
    assert "آسيا الوسطى" in text


def test_bom_wins():
    text, encoding = decode_html(b"\xef\xbb\xbf" + TEXT.encode("utf-8"), header_charset="cp1256")
    assert encoding == "utf-8" and "آسيا" in text


def test_mojibake_detector():
    assert looks_like_mojibake(TEXT.encode("cp1256").decode("cp1252", "replace"))
    assert not looks_like_mojibake(TEXT)


def test_decoding_never_returns_mojibake():
    """UTF-8 Arabic once misread as cp1252 and saved as UTF-8: every decoding is mojibake."""
    garbled = TEXT.encode("utf-8").decode("cp1252", "replace").encode("utf-8")
    with pytest.raises(MojibakeError):
        decode_html(garbled)


@pytest.mark.parametrize("folder", ["encoding", "encoding_derived"])
def test_real_legacy_arabic_pages_decode(realdata, folder):
    pages = sorted((realdata / folder).glob("*.html"))
    assert pages
    for page in pages:
        text, encoding = decode_html(page.read_bytes())
        assert encoding in {"cp1256", "iso8859-6"}, page.name
        non_ascii = [c for c in text if c.isalpha() and not c.isascii()]
        assert len(ARABIC.findall(text)) / len(non_ascii) > 0.95, page.name


def test_derived_pages_keep_their_titles(realdata):
    for page in sorted((realdata / "encoding_derived").glob("*.html")):
        original = page.name.rsplit(".", 2)[0]
        meta = json.loads((realdata / "articles_ar" / f"{original}.meta.json").read_text("utf-8"))
        text, _ = decode_html(page.read_bytes())
        assert meta["title"]["value"] in text, page.name


@pytest.mark.parametrize("page", [
    TEXT, "é" * FEW_LATIN1 + TEXT, "é" * (FEW_LATIN1 + 1) + TEXT,  # around the byte-count threshold
    TEXT.encode("cp1256").decode("cp1252", "replace"),  # Arabic misread, then saved as UTF-8
])
def test_utf8_byte_count_gives_the_text_scans_answer(page):
    """A UTF-8 page with few C3 bytes is not scanned for Latin-1 letters: same verdict."""
    assert (_try(page.encode("utf-8"), "utf-8") is None) == looks_like_mojibake(page)

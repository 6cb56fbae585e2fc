"""Decode fetched HTML bytes to text without silent mojibake.

Order: a byte-order mark; then the declared charset (HTTP header, then HTML meta) if the bytes
decode strictly with it and the result does not look like mojibake; then detection
(charset-normalizer). An undeclared windows-1256 page therefore decodes to Arabic, not cp1252.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer
from w3lib.encoding import html_body_declared_encoding, read_bom, resolve_encoding

# Latin-1 supplement letters: what Arabic single-byte text turns into when read as cp1252.
_LATIN1_LETTERS = re.compile("[\u00c0-\u00ff]")
LETTER = re.compile(r"[^\W\d_]")  # any letter, of any script
_SNIFF_BYTES = 4096


class UndecodableError(ValueError):
    """No encoding decodes the page into plausible text."""


class MojibakeError(UndecodableError):
    """The best decoding found is mojibake (`looks_like_mojibake`)."""


FEW_LATIN1 = 15  # this many Latin-1 letters or fewer cannot be 30% of the 50 letters judged


def looks_like_mojibake(text: str) -> bool:
    """Many accented Latin-1 letters and almost no other letters: an 8-bit Arabic page misread."""
    sample = text[:20_000]
    latin1 = len(_LATIN1_LETTERS.findall(sample))
    if latin1 <= FEW_LATIN1:  # the usual, fast answer
        return False
    letters = len(LETTER.findall(sample))
    return letters >= 50 and latin1 / letters > 0.3


def _try(body: bytes, encoding: str | None) -> str | None:
    name = resolve_encoding(encoding) if encoding else None
    if not name:
        return None
    try:
        text = codecs.decode(body, name, errors="strict")
    except (UnicodeDecodeError, LookupError):
        return None
    # In UTF-8 every Latin-1 letter (U+00C0-U+00FF) starts with the byte C3: counting that byte
    # (memchr speed) settles most pages without scanning the text for them.
    if name == "utf-8" and body.count(b"\xc3") <= FEW_LATIN1:
        return text
    return None if looks_like_mojibake(text) else text


def decode_html(body: bytes, header_charset: str | None = None) -> tuple[str, str]:
    """Return (text, encoding name) for an HTML body, never mojibake; raise UndecodableError when
    nothing fits (MojibakeError when the best guess is mojibake)."""
    bom_encoding, bom = read_bom(body)
    if bom_encoding:
        text = _try(body[len(bom):], bom_encoding)
        if text is not None:
            return text, resolve_encoding(bom_encoding)
    for declared in (header_charset, html_body_declared_encoding(body[:_SNIFF_BYTES])):
        text = _try(body, declared)
        if text is not None:
            return text, resolve_encoding(declared)
    text = _try(body, "utf-8")
    if text is not None:
        return text, "utf-8"
    best = charset_normalizer.from_bytes(body).best()
    if best is None or best.encoding is None:
        raise UndecodableError("no encoding decodes this page")
    text = str(best)
    if looks_like_mojibake(text):
        raise MojibakeError("text decodes to mojibake")
    return text, resolve_encoding(best.encoding) or best.encoding

"""Recognise bot-challenge and block pages (Cloudflare, DDoS-Guard, Sucuri, Imperva, captchas).

A page like this is not an article and not a site redesign: the crawler is being refused. The
extraction stage can reject it as `bot_challenge`; health counts those per source.
"""

from __future__ import annotations

import re

# Markers that a normal article page does not carry; each names the vendor or mechanism.
_MARKERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("cloudflare", re.compile(r"cdn-cgi/challenge-platform|cf-chl-|cf_chl_|__cf_chl|"
                              r"<title>\s*(just a moment|attention required! \| cloudflare)")),
    ("ddos-guard", re.compile(r"<title>\s*ddos-guard")),
    ("sucuri", re.compile(r"sucuri website firewall|sucuri_cloudproxy")),
    ("imperva", re.compile(r"_incapsula_resource|incapsula incident id")),
    ("perimeterx", re.compile(r"px-captcha|_pxhd")),
    ("browser-check", re.compile(r"checking (if the site connection is secure|your browser before accessing)"
                                 r"|enable javascript and cookies to continue")),
)
# A captcha widget also sits in comment forms of real articles: it counts only on a small page.
_CAPTCHA = re.compile(r"g-recaptcha|h-captcha|hcaptcha\.com/1/api|challenges\.cloudflare\.com/turnstile")
_SMALL = 15_000
_HEAD = 20_000  # challenge pages are small; look at the start of big pages only


def bot_challenge(html: str | bytes) -> str | None:
    """The mechanism's name when the page is a bot challenge or block page, else None."""
    if isinstance(html, bytes):
        html = html[:_HEAD].decode("utf-8", "replace")
    head = html[:_HEAD].lower()  # one lower-casing; the patterns are lower-case, without re.I
    for name, pattern in _MARKERS:
        if pattern.search(head):
            return name
    if len(html) < _SMALL and _CAPTCHA.search(head):
        return "captcha"
    return None

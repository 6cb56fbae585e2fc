"""Recognise bot-challenge and block pages (Cloudflare, DDoS-Guard, Sucuri, Imperva, captchas).

A page like this is not an article and not a site redesign: the crawler is being refused. The
extraction stage rejects a page with little text (under `CHALLENGE_MAX_WORDS`) that carries one
of these markers as `bot_challenge`; health counts those per source. The vendors also inject
scripts into the ordinary pages they serve (Cloudflare's JavaScript Detections,
`/cdn-cgi/challenge-platform/scripts/jsd/main.js`, on every page of a site in Bot Fight Mode;
Imperva's `/_Incapsula_Resource?SWJIYLWA=`): those are not markers, and a page with an
article's worth of text is an article whatever it carries.
"""

from __future__ import annotations

import re

# Markers that a normal article page does not carry; each names the vendor or mechanism. One
# pattern per alternative: a pattern that opens with a literal is found by a fast substring
# scan, where an alternation is tried at every position (measured: 6x slower over a page).
_MARKERS: tuple[tuple[str, tuple[re.Pattern[bytes], ...]], ...] = tuple(
    (name, tuple(re.compile(p.encode()) for p in patterns)) for name, patterns in (
        ("cloudflare", (r"cdn-cgi/challenge-platform/(?:h/\w/)?orchestrate/", r"cf-chl-", r"cf_chl_",
                        r"__cf_chl", r"<title>\s*(just a moment|attention required! \| cloudflare)")),
        ("ddos-guard", (r"<title>\s*ddos-guard",)),
        ("sucuri", (r"sucuri website firewall", r"sucuri_cloudproxy")),
        ("imperva", (r"_incapsula_resource\?cwudnsai=", r"incapsula incident id")),
        ("perimeterx", (r"px-captcha", r"_pxhd")),
        ("browser-check", (r"checking (if the site connection is secure|your browser before accessing)",
                           r"enable javascript and cookies to continue")),
    )
)
# A captcha widget also sits in comment forms of real articles: it counts only on a small page
# with almost no text.
_CAPTCHA = tuple(re.compile(p.encode()) for p in (
    r"g-recaptcha", r"h-captcha", r"hcaptcha\.com/1/api", r"challenges\.cloudflare\.com/turnstile"))
CHALLENGE_MAX_WORDS = 300  # block and challenge pages say a few dozen words, at most about 150
CAPTCHA_MAX_WORDS = 50  # a captcha page asks a line or two; a short article with a comment form says more
_SMALL = 15_000
_HEAD = 20_000  # challenge pages are small; look at the start of big pages only


def bot_challenge(html: str | bytes, words: int | None = None) -> str | None:
    """The mechanism's name when the page is a bot challenge or block page, else None. `words`:
    the number of words extracted from the page, when known (a captcha widget then counts only
    on a page with almost no text)."""
    if isinstance(html, bytes):
        html = html[:_HEAD].decode("utf-8", "replace")
    # The markers are ASCII: searched in ASCII bytes (other characters become "?"), lower-cased
    # once (the patterns are lower-case, without re.I); 2.5x faster than in the text.
    head = html[:_HEAD].encode("ascii", "replace").lower()
    for name, patterns in _MARKERS:
        if any(pattern.search(head) for pattern in patterns):
            return name
    if len(html) < _SMALL and (words is None or words < CAPTCHA_MAX_WORDS) and any(
            pattern.search(head) for pattern in _CAPTCHA):
        return "captcha"
    return None

"""The minimal peer, benchmark (b): a bare Scrapy spider calling `trafilatura.extract` in its
callback, on a list of article URLs, with the benchmark profile's settings.

Usage: python bench/peer_spider.py URLS_FILE [--concurrency 16]
Prints one JSON line: {"requested": N, "extracted": N, "failed": N}.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import scrapy
import trafilatura
from scrapy.crawler import CrawlerProcess


def profile_settings(concurrency: int = 16) -> dict:
    """The one benchmark profile: politeness off on loopback, same concurrency as Marsad's runs."""
    return {
        "CONCURRENT_REQUESTS": concurrency, "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
        "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "ROBOTSTXT_OBEY": True,
        "COOKIES_ENABLED": False, "TELNETCONSOLE_ENABLED": False, "LOG_LEVEL": "WARNING",
        "USER_AGENT": "marsad-bench-peer/0.1",
    }


class PeerSpider(scrapy.Spider):
    name = "peer"

    def __init__(self, urls: list[str], **kwargs):
        super().__init__(**kwargs)
        self.urls = urls
        self.counts = {"requested": len(urls), "extracted": 0, "failed": 0}

    async def start(self):
        for url in self.urls:
            yield scrapy.Request(url, callback=self.parse, errback=self.failed)

    def parse(self, response):
        if trafilatura.extract(response.text, url=response.url):
            self.counts["extracted"] += 1

    def failed(self, failure):
        self.counts["failed"] += 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python bench/peer_spider.py")
    parser.add_argument("urls", type=Path)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args(argv)
    urls = [line.strip() for line in args.urls.read_text(encoding="utf-8").splitlines() if line.strip()]
    process = CrawlerProcess(profile_settings(args.concurrency))
    crawler = process.create_crawler(PeerSpider)
    process.crawl(crawler, urls=urls)
    process.start()
    print(json.dumps(crawler.spider.counts))
    return 0


if __name__ == "__main__":
    sys.exit(main())

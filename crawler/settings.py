"""Scrapy settings for Marsad crawls. Run-time values come from pipelines.config."""

from scrapy.settings import default_settings as _scrapy_defaults

from pipelines.config import RELEVANCE_THRESHOLD, ExtractSettings, load_config

_config = load_config()

BOT_NAME = "marsad"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

USER_AGENT = _config.user_agent
ROBOTSTXT_OBEY = True
# No control ports: Scrapy's telnet console, and its remote control (2.19: an HTTP server on
# localhost that runs the Python code sent to it, its token in a file under ~/.local/state).
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
# Politeness: at most 2 requests at once per site, AutoThrottle adapting to the site's latency.
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
# Safety: bounded downloads, bounded redirects, no cookies carried between sites.
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 5 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
REDIRECT_MAX_TIMES = 5
COOKIES_ENABLED = False
RETRY_ENABLED = True
RETRY_TIMES = 2
HTTPCACHE_ENABLED = False
LOG_LEVEL = "INFO"
LOG_FORMATTER = "crawler.middlewares.QuietLogFormatter"
STATS_CLASS = "crawler.stats.PlainStatsCollector"
# Scrapy checks each callback for a generator returning a value by parsing its source again for
# every response (its cache is keyed on the bound method, a new object each request): ~2% of the
# crawl process. A test runs the same check on the spider's callbacks once.
WARN_ON_GENERATOR_RETURN_VALUE = False

TWISTED_DNS_RESOLVER = "crawler.middlewares.GuardedResolver"
DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.PrivateHostGuard": 50,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.politeness.RobotsPolicy": 100,
    "crawler.politeness.RetryAfterMiddleware": 560,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.middlewares.MetaRefreshPrefilter": 580,
}
# The control ports are left out of Scrapy's base list, not set to None in EXTENSIONS: Scrapy
# imports every EXTENSIONS key to normalise it, and the remote control's import is aiohttp's
# (0.1 s at the start of every crawl).
_control_ports = ("scrapy.extensions.telnet.TelnetConsole", "scrapy.extensions.remote_control.RemoteControl")
EXTENSIONS_BASE = {path: order for path, order in _scrapy_defaults.EXTENSIONS_BASE.items()
                   if path not in _control_ports}
EXTENSIONS = {"crawler.progress.Progress": 500}
# Extraction, classification and dedupe keys run in MARSAD_WORKERS processes (pipelines.workers);
# the store writes on the reactor thread.
ITEM_PIPELINES = {
    "pipelines.workers.StagesPipeline": 100,
    "pipelines.store.StorePipeline": 900,
}
MARSAD_WORKERS = _config.workers
# Items processed at once per response: an article page yields one item, and Scrapy starts this
# many asyncio tasks for every response whatever it yields (the default, 100, cost ~15% of the
# crawl process's time).
CONCURRENT_ITEMS = 4

MARSAD_DB = str(_config.db)
MARSAD_SOURCES = str(_config.sources)
MARSAD_ALLOW_PRIVATE_HOSTS = sorted(_config.allow_private_hosts)
MARSAD_SOURCE_IDS: list[str] = []
MARSAD_REFETCH = False
MARSAD_SITEMAP_WINDOW_DAYS = 3
MARSAD_MIN_WORDS = ExtractSettings.min_words
MARSAD_RELEVANCE_THRESHOLD = RELEVANCE_THRESHOLD
MARSAD_OVERRIDES: dict = {}
MARSAD_OUTLET_ALIASES: dict = {}
MARSAD_CRAWL_DELAYS: dict = {}  # host -> seconds, from the registry's crawl_delay
MARSAD_MAX_CRAWL_DELAY = 60.0
MARSAD_MAX_RETRY_AFTER = 60.0
MARSAD_PROGRESS_INTERVAL = 10.0  # seconds between progress lines on stderr; 0: none

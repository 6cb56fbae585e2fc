"""Imported once by the stage workers' forkserver (`pipelines.stage_server.PRELOAD`): what every
stage worker needs is loaded and compiled here, and the workers fork from it ready, as do the
workers that replace them. The crawl process itself never imports this module."""

# Every stage, imported here (`pipelines.archive` imports extraction, classification and dedupe
# only when it first runs one).
from pipelines.classify import classify
from pipelines.dates import compile_patterns
from pipelines.dedupe import dedupe_keys  # noqa: F401
from pipelines.extract import extract_article  # noqa: F401
from pipelines.neardup import lsh_scheme
from pipelines.workers import prepare  # noqa: F401

compile_patterns()  # the date scanner (~0.4 s)
lsh_scheme()  # from data/lsh-scheme.json (datasketch and scipy only if it is stale)
classify("كازاخستان", title="")  # the gazetteer and the language profiles

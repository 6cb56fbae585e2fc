"""Arabic full-text search: normalisation, clitics, gazetteer spellings, filters, clusters, errors."""

from __future__ import annotations

import json
import time

import pytest
from click.testing import CliRunner

from marsad import cli
from pipelines.config import GAZETTEER
from pipelines.fts import QuerySyntaxError, index_document, parse_query, snippet
from pipelines.gazetteer import load_gazetteer
from pipelines.read import make_filters, search
from pipelines.store import open_db, upsert_article
from tests.support.read_corpus import build_corpus, record


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    path = tmp_path_factory.mktemp("search") / "read.db"
    return path, build_corpus(path)


def ids_for(corpus, query: str, **filters) -> set[int]:
    path, _ = corpus
    db = open_db(path, readonly=True)
    try:
        rows = search(db, parse_query(query, load_gazetteer(str(GAZETTEER))), make_filters(**filters), limit=100)
    finally:
        db.close()
    return {row["id"] for row in rows}


@pytest.mark.parametrize("query, name", [
    ("كازاخستان", "diacritics"),          # text written with full harakat
    ("كازاخستان", "clitic_wa"),           # وكازاخستان
    ("كازاخستان", "nisba"),               # الكازاخستانية
    ("قرغيزستان", "kyrgyz_spelling"),     # gazetteer: قيرغيزستان
    ("استراتيجيه", "variants"),           # إستراتيجيّة: hamza alef, shadda, ta marbuta
    ("إستراتيجيّة", "variants"),
    ("مستوي", "variants"),                # alef maqsura مستوى
    ("اوزبكستان", "variants"),            # أوزبكستان without hamza
    ('"الطاقه"', "variants"),             # exact phrase, ta marbuta folded
])
def test_variant_queries_find_the_article(corpus, query, name):
    assert corpus[1][name] in ids_for(corpus, query)


def test_unrelated_word_finds_nothing_and_exact_phrase_is_exact(corpus):
    assert ids_for(corpus, "البرازيل") == set()
    assert corpus[1]["nisba"] not in ids_for(corpus, '"كازاخستان"')  # exact: no nisba form
    assert corpus[1]["diacritics"] in ids_for(corpus, '"كازاخستان تريد"')


def test_operators(corpus):
    ids = corpus[1]
    assert ids_for(corpus, "قيرغيزستان OR إستراتيجية") == {ids["kyrgyz_spelling"], ids["variants"]}
    both = ids_for(corpus, "كازاخستان")
    assert ids["clitic_wa"] in both and ids["clitic_wa"] not in ids_for(corpus, "كازاخستان -أستانا")
    assert ids_for(corpus, "(أستانا OR بيشكيك) كازاخستان") == {ids["clitic_wa"]}


def test_default_hides_non_relevant_and_non_arabic_rows(corpus):
    ids = corpus[1]
    default = ids_for(corpus, "كازاخستان")
    assert ids["not_relevant"] not in default and ids["persian"] not in default
    everything = ids_for(corpus, "كازاخستان", include_all=True)
    assert {ids["not_relevant"], ids["persian"]} <= everything
    assert ids_for(corpus, "كازاخستان", include_all=True, lang="fa") == {ids["persian"]}


def test_filters_country_source_dates_genre(corpus):
    ids = corpus[1]
    assert ids_for(corpus, "كازاخستان OR قيرغيزستان", countries=["kg"]) == {ids["kyrgyz_spelling"]}
    assert ids_for(corpus, "كازاخستان", sources=["hareer"]) == {ids["nisba"]}
    assert ids_for(corpus, "كازاخستان", since="2026-10-06", until="2026-10-19") == {ids["clitic_wa"], ids["nisba"]}
    assert ids_for(corpus, "تركمانستان", genre="news") == {ids["plus_title"]}
    assert ids_for(corpus, "تركمانستان", genre="opinion") == set()


def test_one_row_per_cluster_with_its_outlets(corpus):
    path, ids = corpus
    db = open_db(path, readonly=True)
    rows = search(db, parse_query("قطارات"), make_filters(), limit=10)
    copies = search(db, parse_query("قطارات"), make_filters(all_copies=True), limit=10)
    db.close()
    assert [r["id"] for r in rows] == [ids["original"]]
    assert rows[0]["outlets"] == ["alwaha", "hareer"]
    assert {r["id"] for r in copies} == {ids["original"], ids["copy"]}


def test_title_matches_rank_above_body_matches(tmp_path):
    db = open_db(tmp_path / "rank.db")
    body = upsert_article(db, record("body", "alwaha", "مقال عن المياه", "نهر سمرقند والمياه في الوادي الكبير",
                                     True, "ar", ["UZ"], "opinion", "2026-11-01"))[0]
    title = upsert_article(db, record("title", "hareer", "سمرقند اليوم", "المياه في النهر والوادي الكبير هنا",
                                      True, "ar", ["UZ"], "opinion", "2026-11-01"))[0]
    rows = search(db, parse_query("سمرقند"), make_filters(), limit=10)
    db.close()
    assert [r["id"] for r in rows] == [title, body]
    assert rows[0]["score"] > rows[1]["score"]


def test_snippet_highlights_original_spelling():
    terms = parse_query("كازاخستان").terms
    text = "مقدمة قصيرة. " + "كلام " * 50 + "وقالت وكازاخستانُ إنها تريد. " + "كلام " * 50
    result = snippet(text, terms)
    assert "[وكازاخستانُ]" in result and result.startswith("…") and result.endswith("…")
    assert snippet("لا شيء هنا", terms) == "لا شيء هنا"


def test_index_document_adds_clitic_free_readings():
    title, body, title_stems, body_stems = index_document("وكازاخستان", "بالغاز الطبيعي")
    assert title == "وكازاخستان" and "كازاخستان" in title_stems.split()
    assert body == "بالغاز الطبيعي" and {"غاز", "طبيعي"} <= set(body_stems.split())


@pytest.mark.parametrize("query", ['"unbalanced', "(غاز", "غاز)", "OR غاز", "غاز OR", "-غاز", "NOT", "", "  "])
def test_malformed_queries_raise(query):
    with pytest.raises(QuerySyntaxError):
        parse_query(query)


@pytest.mark.parametrize("query", ["x'; drop table articles; --", "title:غاز", "NEAR(غاز نفط)", "غاز*", "^غاز"])
def test_hostile_input_is_only_ever_a_parameter(corpus, query):
    ids_for(corpus, query)  # no SQL or FTS5 syntax error
    path, _ = corpus
    db = open_db(path, readonly=True)
    assert db.execute("select count(*) from articles").fetchone()[0] == 12
    db.close()


def test_cli_unbalanced_quote_exits_non_zero_with_one_line(corpus):
    result = CliRunner().invoke(cli, ["search", '"unbalanced', "--db", str(corpus[0])])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error:") and "quote" in lines[0]


def test_cli_json_contract(corpus):
    result = CliRunner().invoke(cli, ["search", "قرغيزستان", "--db", str(corpus[0]), "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert isinstance(rows, list) and len(rows) == 1
    keys = {"id", "url", "title", "source_id", "author", "published_at", "countries", "genre", "snippet"}
    assert keys <= rows[0].keys()
    assert rows[0]["countries"] == ["KG"] and "[قيرغيزستان]" in rows[0]["snippet"]


def test_cli_rejects_bad_filters(corpus):
    result = CliRunner().invoke(cli, ["search", "غاز", "--db", str(corpus[0]), "--country", "RU"])
    assert result.exit_code == 1 and "unknown country" in result.output
    result = CliRunner().invoke(cli, ["search", "غاز", "--db", str(corpus[0]), "--since", "last week"])
    assert result.exit_code == 1 and "YYYY-MM-DD" in result.output


def test_new_articles_are_searchable_at_once_and_deleted_ones_vanish(tmp_path):
    db = open_db(tmp_path / "live.db")
    article_id = upsert_article(db, record("fresh", "alwaha", "عنوان", "طشقند تستضيف قمة إقليمية",
                                           True, "ar", ["UZ"], "opinion", "2026-11-20"))[0]
    match = parse_query("طشقند").match
    query = "select rowid from articles_fts where articles_fts match ?"
    assert [r[0] for r in db.execute(query, [match])] == [article_id]
    with db.atomic():
        db.execute("delete from articles where id = ?", [article_id])
    assert list(db.execute(query, [match])) == []
    db.close()


def test_a_long_read_does_not_block_the_crawl(tmp_path):
    """WAL: a reader in the middle of a query holds a snapshot; the writer commits meanwhile."""
    path = tmp_path / "wal.db"
    build_corpus(path)
    reader = open_db(path, readonly=True)
    cursor = reader.execute("select id from articles")
    cursor.fetchone()  # the read transaction is open now
    writer = open_db(path)
    writer.conn.execute("PRAGMA busy_timeout = 0")  # fail at once instead of waiting
    started = time.monotonic()
    upsert_article(writer, record("during_read", "alwaha", "عنوان", "دوشنبه تبني سدا",
                                  True, "ar", ["TJ"], "opinion", "2026-11-21"))
    assert time.monotonic() - started < 2
    assert writer.execute("select count(*) from articles").fetchone()[0] == 13
    cursor.fetchall()
    writer.close()
    reader.close()


def test_migration_indexes_articles_stored_before_it(tmp_path):
    """A database from before the search index: the migration fills the index from the rows."""
    path = tmp_path / "old.db"
    build_corpus(path)
    db = open_db(path)
    with db.atomic():
        db.execute("drop table articles_fts")
        db.execute("drop table labels")
        db.execute("delete from _sqlite_migrations where name = 'm020_search_index_and_labels'")
    db.close()
    result = CliRunner().invoke(cli, ["search", "قرغيزستان", "--db", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert [row["title"] for row in json.loads(result.stdout)] == ["انتخابات في بيشكيك"]
    db = open_db(path, readonly=True)
    assert db.execute("select count(*) from articles_fts").fetchone()[0] == 12
    db.close()

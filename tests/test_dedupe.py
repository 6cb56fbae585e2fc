"""Dedupe and syndication: canonical URLs, exact and near-duplicate clusters, reprint credits,
the cluster's original — on real captures (../shared), the sample outlets and built variants."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import zlib
from datetime import datetime, timezone

import numpy as np
import pytest
from click.testing import CliRunner
from datasketch import MinHash

from crawler.sources import load_sources, outlet_aliases
from pipelines.config import PROJECT_ROOT, SAMPLE_OUTLETS, SAMPLE_SOURCES, load_config
from pipelines.arabic import normalize, strip_proclitics, tokens
from pipelines.dedupe import ClusterOriginal, Copy, cluster_original, content_hash, dedupe_keys
from pipelines.extract import extract_article
from pipelines.fts import index_document
from pipelines.neardup import (MAX_PASSAGES, MIN_JACCARD, NUM_PERM, PASSAGE_MIN_WORDS,
                               fingerprint, is_copy, lsh_bands, lsh_scheme, match_copy, minhash, pack,
                               passages, shingles, similarity)
from pipelines.store import (NEAR_KEY_CAP, cluster_copies, cluster_summary, index_near_keys,
                             near_duplicate_candidates, open_db, upsert_article)
from pipelines.textwords import analyse
from pipelines.urls import canonical_url

FETCHED = datetime(2026, 11, 29, 10, 0, tzinfo=timezone.utc)
INTRO = ("تنشر هذه الصفحة مقالات الرأي كما وصلتها من كتابها، وهي لا تعبر بالضرورة عن رأي التحرير، "
         "ويسعدنا أن نتلقى ردود القراء وتعليقاتهم على ما ينشر فيها من آراء ومواقف.")


@pytest.fixture
def db(tmp_path):
    database = open_db(tmp_path / "d.db")
    yield database
    database.close()


def store(db, url, text, source_id, *, published_at=None, credit=None, aliases=None, hint=None):
    """The dedupe stage then the store, as a crawl runs them; returns (id, cluster id, created)."""
    record = {"url": url, "source_id": source_id, "text": text, "title": "عنوان",
              "published_at": published_at, "fetched_at": FETCHED.isoformat()}
    record.update(dedupe_keys(url, text, hint, credit, aliases or {}))
    return upsert_article(db, record)


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.splitlines() if len(p.split()) > 3]


# ---------------------------------------------------------------- real captures and the seed

def _cnn_texts(realdata) -> list[tuple[str, object]]:
    """The three CNN Arabic captures, each under its own URL, rel=canonical and og:url removed."""
    pages = sorted((realdata / "articles_ar").glob("ar_arabic.cnn.com_*.html"))
    assert len(pages) == 3
    out = []
    for i, page in enumerate(pages):
        html = page.read_bytes()
        html = re.sub(rb"<link[^>]+rel=[\"']canonical[\"'][^>]*>", b"", html, flags=re.I)
        html = re.sub(rb"<meta[^>]+property=[\"']og:url[\"'][^>]*>", b"", html, flags=re.I)
        url = f"https://mirror{i}.example/news/{i}/syria.html"
        out.append((url, extract_article(html, url=url, fetched_at=FETCHED)))
    return out


def test_cnn_captures_form_one_cluster(db, realdata):
    captures = _cnn_texts(realdata)
    assert all(result.canonical_hint is None for _, result in captures)  # URL dedupe cannot pass
    assert len({canonical_url(url) for url, _ in captures}) == 3
    stored = [store(db, url, result.text, f"mirror{i}") for i, (url, result) in enumerate(captures)]
    assert all(created for _, _, created in stored)
    assert len({article_id for article_id, _, _ in stored}) == 3
    assert len({cluster for _, cluster, _ in stored}) == 1
    summary = cluster_summary(db, stored[0][1])
    assert summary["copies"] == 3 and summary["outlets"] == ["mirror0", "mirror1", "mirror2"]
    assert summary["representative_id"] == summary["id"] == stored[0][0]


def _variants(text: str) -> dict[str, str]:
    """Copies as outlets make them: truncated, re-headed and trimmed, lightly edited."""
    paras = paragraphs(text)
    words = "\n".join(paras).split()
    edited = [("وأيضا" if i % 40 == 7 else w) for i, w in enumerate(words) if i % 55 != 3]
    spelled = " ".join(edited).replace("أ", "ا").replace("ة ", "ه ")
    return {
        "truncated": "\n".join(paras[: len(paras) // 2]),
        "reheaded": "\n".join([INTRO, *paras[:-1]]),
        "edited": spelled,
        "mixed": "\n".join([INTRO, *spelled.split()[: len(edited) * 7 // 10]]),
    }


def test_seed_variants_join_the_original_cluster_by_near_duplicate(db, seed_text):
    original, cluster, _ = store(db, "https://www.alquds.co.uk/2026/10/kz.html", seed_text, "alquds",
                                 published_at="2026-10-01")
    members = {original}
    for i, (kind, text) in enumerate(_variants(seed_text).items()):
        article_id, joined, created = store(db, f"https://copy{i}.example/{kind}", text, f"copy{i}",
                                            published_at="2026-10-03")
        assert created and article_id not in members, kind
        assert joined == cluster == original, kind
        evidence = json.loads(db["articles"].get(article_id)["evidence"])
        assert evidence["dedupe"]["method"] == "near" and evidence["dedupe"]["copy_of"] in members, kind
        members.add(article_id)
    assert cluster_summary(db, original)["copies"] == 5
    half = _variants(seed_text)["truncated"]
    assert similarity(shingles(seed_text), shingles(half))[0] < 0.6  # below the LSH threshold


def test_same_topic_texts_stay_apart(db, seed_text, realdata):
    """Independent texts (same region, same genre, other real pages) are not copies."""
    store(db, "https://www.alquds.co.uk/kz.html", seed_text, "alquds")
    others = [path for path in sorted((realdata / "articles_ar").glob("ar_*.html")) if "cnn" not in path.name]
    assert others
    clusters = set()
    for i, path in enumerate(others):
        result = extract_article(path.read_bytes(), url=f"https://o{i}.example/a", fetched_at=FETCHED)
        article_id, cluster, _ = store(db, f"https://o{i}.example/a", result.text, f"o{i}")
        assert cluster == article_id, path.name
        clusters.add(cluster)
    assert len(clusters) == len(others)


def test_a_piece_quoting_much_of_a_short_one_is_not_its_copy(seed_text, realdata):
    """A long text quoting 60% of the op-ed: contained enough, but not similar enough overall."""
    others = []
    for i, path in enumerate(sorted((realdata / "articles_ar").glob("ar_*.html"))):
        if "cnn" not in path.name or "goose3" in path.name:
            others.append(extract_article(path.read_bytes(), url=f"https://o{i}.example/a", fetched_at=FETCHED).text)
    paras = paragraphs(seed_text)
    rebuttal = "\n".join([*others, *paras[: len(paras) * 6 // 10]])
    jaccard, containment = similarity(shingles(seed_text), shingles(rebuttal))
    assert containment >= 0.45 and jaccard < 0.3
    assert not is_copy(shingles(seed_text), shingles(rebuttal))


def test_seed_credit_resolves_to_alquds(seed_text):
    aliases = outlet_aliases(load_sources(load_config().sources))
    keys = dedupe_keys("https://x.example/a", seed_text, None, "القدس العربي", aliases)
    assert keys["syndicated_from"] == "alquds"
    from marsad import cli

    result = CliRunner().invoke(cli, ["classify", "-"], input=seed_text)
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert record["reprint_credit"] == "القدس العربي" and record["syndicated_from"] == "alquds"


@pytest.mark.parametrize("line", [
    "نقلا عن صحيفة القدس العربي",
    "المصدر: القدس العربي",
    "عن صحيفة «القدس العربي»",
    "بالتزامن مع صحيفة القدس العربي",
    "ينشر بالاتفاق مع القدس العربي",
])
def test_credit_phrases_become_syndicated_from(line):
    from pipelines.credits import find_reprint_credit

    aliases = outlet_aliases(load_sources(load_config().sources))
    credit = find_reprint_credit(["فقرة أولى من المقال عن كازاخستان وسياستها الخارجية.", line])
    assert credit is not None, line
    assert dedupe_keys("https://x.example/a", "نص", None, credit.name, aliases)["syndicated_from"] == "alquds"


# ---------------------------------------------------------------- the sample outlets

def _sample(outlet: str, path: str) -> tuple[str, object]:
    host = {"alwaha": "127.0.0.2:8001", "alsuhub": "127.0.0.3:8002", "hareer": "127.0.0.4:8003"}[outlet]
    html = (SAMPLE_OUTLETS / outlet / path.lstrip("/")).read_bytes()
    html = html.replace(b"{{" + outlet.encode() + b"}}", host.encode())
    url = f"http://{host}{path}"
    return url, extract_article(html, url=url, fetched_at=FETCHED)


@pytest.mark.parametrize("copy_first", [False, True])
def test_sample_republished_oped_is_one_cluster_with_its_original(db, manifest, copy_first):
    aliases = outlet_aliases(load_sources(SAMPLE_SOURCES))
    copies = [p for p in manifest if p["kind"] == "article" and p.get("copy_of")]
    assert copies
    for page in copies:
        outlet, path = page["copy_of"].split(":", 1)
        pair = [(outlet, path), (page["outlet"], page["path"])]
        ids = {}
        for source_id, page_path in (pair[::-1] if copy_first else pair):
            url, result = _sample(source_id, page_path)
            ids[source_id] = store(db, url, result.text, source_id, published_at=result.published_at,
                                   credit=result.reprint_credit, aliases=aliases, hint=result.canonical_hint)
        original = db["articles"].get(ids[outlet][0])
        copy = db["articles"].get(ids[page["outlet"]][0])
        assert copy["syndicated_from"] == page["syndicated_from"] == outlet
        assert copy["cluster_id"] == original["cluster_id"] == original["id"]
        assert (original["is_original"], copy["is_original"]) == (1, 0)
        summary = cluster_summary(db, original["id"])
        assert summary["original_id"] == original["id"] and summary["original_source"] == outlet
        assert summary["outlets"] == [outlet, page["outlet"]] and summary["copies"] == 2
        assert [c["id"] for c in cluster_copies(db, original["id"])] == [original["id"], copy["id"]]


# ---------------------------------------------------------------- URLs and rows

def test_article_under_two_urls_is_one_row(db, seed_text):
    first = store(db, "https://www.alquds.co.uk/2026/10/kz/?utm_source=rss&fbclid=9#comments", seed_text, "alquds")
    again = store(db, "https://alquds.co.uk/2026/10/kz", seed_text, "alquds")
    amp = store(db, "https://m.alquds.co.uk/2026/10/kz/amp", seed_text, "alquds")
    assert first[2] and not again[2] and not amp[2] and first[0] == again[0] == amp[0]
    # the same text under another path of the same site, without canonical hints: still one row
    other_path = store(db, "https://www.alquds.co.uk/?p=4711", seed_text, "alquds")
    assert other_path[0] == first[0] and not other_path[2]
    pages = {row["url"]: row["article_id"] for row in db.query("select url, article_id from fetched_pages")}
    assert pages == {"https://alquds.co.uk/2026/10/kz": first[0], "https://alquds.co.uk/?p=4711": first[0]}
    # on another outlet it is a copy: its own row, in the same cluster
    elsewhere = store(db, "https://copy.example/kz", seed_text, "copy")
    assert elsewhere[2] and elsewhere[0] != first[0] and elsewhere[1] == first[1]
    assert db["articles"].count == 2


# ---------------------------------------------------------------- the index

def test_index_survives_a_restart(tmp_path, seed_text):
    path = tmp_path / "r.db"
    first = open_db(path)
    original = store(first, "https://www.alquds.co.uk/kz", seed_text, "alquds")[0]
    first.close()
    again = open_db(path)
    half = _variants(seed_text)["truncated"]
    article_id, cluster, created = store(again, "https://copy.example/kz", half, "copy")
    assert created and cluster == original != article_id
    again.close()


def test_fingerprints_do_not_depend_on_the_process(seed_text):
    """Band and passage keys are stored: they must be the same in every process."""
    code = ("import sys, json; from pipelines.neardup import fingerprint; "
            "f = fingerprint(sys.stdin.read()); print(json.dumps([f.bands, f.passages]))")
    env = {**os.environ, "PYTHONHASHSEED": "4242"}
    out = subprocess.run([sys.executable, "-c", code], input=seed_text, capture_output=True, text=True,
                         cwd=PROJECT_ROOT, env=env, check=True).stdout
    here = fingerprint(seed_text)
    assert json.loads(out) == [list(here.bands), list(here.passages)]
    assert len(here.bands) > 5 and len(here.passages) > 5


def _datasketch_bands(found: np.ndarray) -> tuple[int, ...]:
    """The band keys as first defined: datasketch's MinHash updated with the shingle hashes."""
    sketch = MinHash(num_perm=NUM_PERM, seed=1, scheme="affine32", hashfunc=int)
    sketch.update_batch(np.asarray(found, dtype=np.uint64))
    digest = sketch.digest().astype("<u8")
    return tuple(int.from_bytes(hashlib.blake2b(bytes([i]) + digest[start:end].tobytes(),
                                                digest_size=8).digest(), "little", signed=True)
                 for i, (start, end) in enumerate(lsh_scheme()[0]))


def test_saved_lsh_scheme_is_datasketchs():
    """data/lsh-scheme.json holds datasketch's scheme for the current constants, and is the one
    used (after changing a constant: `python -c "from pipelines.neardup import write_lsh_scheme;
    write_lsh_scheme()"`)."""
    from pipelines.config import LSH_SCHEME
    from pipelines.neardup import _scheme_constants, datasketch_scheme

    assert json.loads(LSH_SCHEME.read_text(encoding="utf-8"))["constants"] == _scheme_constants()
    (bands, multipliers, offsets), expected = lsh_scheme(), datasketch_scheme()
    assert bands == expected[0] and len(bands) == 18
    assert multipliers.dtype == offsets.dtype == np.uint32
    assert np.array_equal(multipliers, expected[1]) and np.array_equal(offsets, expected[2])


@pytest.mark.parametrize("size", [1, 3, 700, 5000, 9000])  # 5000, 9000: several permutation steps
def test_minhash_is_datasketch_affine32(size):
    values = np.random.default_rng(size).integers(0, 2**32, size, dtype=np.uint64).astype(np.uint32)
    sketch = MinHash(num_perm=NUM_PERM, seed=1, scheme="affine32", hashfunc=int)
    sketch.update_batch(values.astype(np.uint64))
    assert np.array_equal(minhash(values), sketch.digest())
    assert lsh_bands(values) == _datasketch_bands(values) and len(lsh_bands(values)) == len(lsh_scheme()[0])
    with pytest.raises(ValueError):
        minhash(np.array([2**32], dtype=np.uint64))


def test_one_analysis_gives_the_keys_of_each_stage(seed_text):
    """The content hash, fingerprint and search document read one shared analysis of the text;
    each equals its definition computed from `tokens` and the sentence split directly."""
    text = seed_text + "\nسطر: آخر؛ فيه؟ علامات... و«اقتباس» ١٢٣!"
    words = tokens(text)
    assert list(analyse(text).words) == words
    assert content_hash(text) == hashlib.sha1(" ".join(words).encode("utf-8")).hexdigest()
    title, body, _, body_stems = index_document("عنوان", text)
    assert body == " ".join(words) and title == "عنوان"
    assert body_stems.split() == [s for w in words for s in strip_proclitics(w)[1:]]
    print_ = fingerprint(text)
    windows = {zlib.crc32(" ".join(words[i:i + 3]).encode("utf-8")) for i in range(len(words) - 2)}
    assert print_.shingles.dtype == np.uint32 and print_.shingles.tolist() == sorted(windows)
    assert print_.bands == _datasketch_bands(print_.shingles)
    sentences = [re.findall(r"\w+", part) for part in re.split(r"[.!?؟\n\r]+|[:;؛](?=\s)", normalize(text))]
    expected = sorted({int.from_bytes(hashlib.blake2b(b"p" + " ".join(s).encode("utf-8"), digest_size=8)
                                      .digest(), "little", signed=True)
                       for s in sentences if len(s) >= PASSAGE_MIN_WORDS})[:MAX_PASSAGES]
    assert print_.passages == tuple(expected) and len(expected) > 5
    assert shingles("كلمتان فقط").tolist() == sorted(zlib.crc32(w.encode()) for w in ("كلمتان", "فقط"))
    assert content_hash(text + " ") == content_hash(text)  # the cache is keyed on the exact text
    assert fingerprint("").shingles.size == 0 and fingerprint("").bands == ()


def test_a_frequent_key_is_capped(db):
    for article_id in range(1, NEAR_KEY_CAP + 15):
        index_near_keys(db, article_id, [77, article_id * 1000])
    counts = dict(db.execute("select key, count(*) from near_keys group by key having key in (77, 1000)").fetchall())
    assert counts == {77: NEAR_KEY_CAP, 1000: 1}
    ends = [-(2**63), -1, 2**63 - 1]  # keys are signed 64-bit: exact through the JSON hand-over
    index_near_keys(db, 999, ends + ends)
    assert [k for (k,) in db.execute("select key from near_keys where article_id = 999 order by key")] == ends


def test_truncated_copy_shares_passages(seed_text):
    half = _variants(seed_text)["truncated"]
    assert set(passages(seed_text)) & set(passages(half))


def test_confirmation_thresholds(seed_text):
    full = shingles(seed_text)
    edited = shingles(_variants(seed_text)["edited"])
    assert similarity(full, edited)[0] < MIN_JACCARD and is_copy(full, edited)  # by containment
    light = shingles(seed_text.replace("روسيا", "موسكو", 3))
    assert similarity(full, light)[0] >= MIN_JACCARD and is_copy(full, light)
    assert is_copy(full, shingles(_variants(seed_text)["truncated"]))
    excerpt = shingles(paragraphs(seed_text)[4])  # one quoted paragraph: too small a share
    assert 25 <= len(excerpt) < 0.2 * len(full) and similarity(full, excerpt)[1] == 1.0
    assert not is_copy(full, excerpt)
    tiny = shingles("نص قصير جدا من بضع كلمات")
    assert not is_copy(tiny, tiny)  # tiny texts: left to the exact hash
    print_ = fingerprint(seed_text)
    unrelated = pack(shingles("نص آخر لا علاقة له بالموضوع " * 20))
    assert match_copy(print_, [(5, 9, unrelated), (6, 2, pack(shingles(seed_text)))]).cluster_id == 2
    assert match_copy(print_, [(5, 9, unrelated)]) is None


# ---------------------------------------------------------------- the cluster's original

def test_original_is_the_credited_outlet_else_the_earliest():
    copies = [Copy(1, "a", None, "2026-10-05", None), Copy(2, "b", "c", "2026-10-01T08:00:00+03:00", None),
              Copy(3, "c", None, "2026-10-03T10:00:00+00:00", None)]
    assert cluster_original(copies) == ClusterOriginal(3, "c", 3)
    uncredited = [Copy(1, "a", None, "2026-10-05", None), Copy(2, "b", None, "2026-10-01T23:00:00-05:00", None),
                  Copy(3, "c", None, "2026-10-02T02:00:00+00:00", None)]
    assert cluster_original(uncredited) == ClusterOriginal(3, "c", 3)  # 02:00Z is before 04:00Z
    absent = [Copy(4, "b", "القدس العربي", "2026-10-02", None), Copy(7, "d", None, None, "2026-10-01T00:00:00+00:00")]
    assert cluster_original(absent) == ClusterOriginal(None, "القدس العربي", 7)
    chain = [Copy(1, "b", "a", "2026-10-02", None), Copy(2, "c", "b", "2026-10-03", None),
             Copy(3, "a", None, "2026-10-04", None)]
    assert cluster_original(chain).original_id == 3


def test_a_later_original_renumbers_the_cluster(db, seed_text):
    copy, cluster, _ = store(db, "https://copy.example/kz", seed_text, "copy", published_at="2026-10-05",
                             credit="القدس العربي", aliases={"القدس العربي": "alquds"})
    assert cluster == copy
    summary = cluster_summary(db, copy)
    assert summary["original_id"] is None and summary["original_source"] == "alquds"
    original, cluster, _ = store(db, "https://www.alquds.co.uk/kz", seed_text, "alquds", published_at="2026-10-01")
    assert cluster == original
    assert db["articles"].get(copy)["cluster_id"] == original
    assert cluster_summary(db, copy) is None
    assert cluster_summary(db, original)["outlets"] == ["alquds", "copy"]


def test_migration_indexes_articles_stored_before_it(tmp_path, seed_text):
    from sqlite_utils import Database

    from pipelines.store import migrations

    db = Database(tmp_path / "old.db")
    migrations.apply(db, stop_before="m010_dedupe_clusters")
    for i, (source, cluster) in enumerate([("alquds", 1), ("copy", 1)], start=1):
        db["articles"].insert({"id": i, "url": f"https://{source}.example/kz", "canonical_url": f"https://{source}.example/kz",
                               "source_id": source, "text": seed_text, "content_hash": "h", "cluster_id": cluster,
                               "first_seen_at": "2026-10-01T00:00:00+00:00"})
    migrations.apply(db)
    assert cluster_summary(db, 1) == {"id": 1, "original_id": 1, "original_source": "alquds",
                                      "representative_id": 1, "copies": 2, "outlets": ["alquds", "copy"]}
    assert [r["is_original"] for r in db.query("select is_original from articles order by id")] == [1, 0]
    half = _variants(seed_text)["truncated"]
    assert store(db, "https://third.example/kz", half, "third")[1] == 1  # found through the backfilled keys


def test_unindex_and_reindex_near_keys(db, seed_text):
    from pipelines.store import reindex_near_keys, unindex_near_keys

    original = store(db, "https://www.alquds.co.uk/kz", seed_text, "alquds")[0]
    held = db.execute("select count(*) from near_keys where article_id = ?", [original]).fetchone()[0]
    assert held == len(set(fingerprint(seed_text).bands + fingerprint(seed_text).passages))
    unindex_near_keys(db, original)
    assert db.execute("select count(*) from near_keys").fetchone()[0] == 0
    assert db.execute("select count(*) from near_shingles").fetchone()[0] == 0
    half = _variants(seed_text)["truncated"]
    assert store(db, "https://copy.example/kz", half, "copy")[1] != original  # no longer found
    reindex_near_keys(db, original)
    assert db.execute("select count(*) from near_keys where article_id = ?", [original]).fetchone()[0] == held
    print_ = fingerprint(seed_text)
    found = near_duplicate_candidates(db, print_.bands + print_.passages)
    assert found[0][0] == original and match_copy(print_, found).article_id == original

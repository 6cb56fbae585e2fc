"""Near-duplicate detection of republished articles (pure functions, no Scrapy, no SQL).

A text's `Fingerprint` holds three things:
- `shingles`: hashed 3-word shingles of the Arabic-normalised text, for the exact check (the
  store keeps them packed, 4 bytes a shingle, so that confirming a candidate reads no text);
- `bands`: MinHash (datasketch's affine32 scheme, 128 permutations; `minhash` computes it on
  the whole array at once) cut into LSH bands, one 64-bit key per band;
  two texts with shingle Jaccard >= about 0.6 share a band key with high probability;
- `passages`: 64-bit hashes of the text's longer sentences (bottom-k sample), so that a truncated
  copy (the first half of an op-ed: Jaccard about 0.5, below the LSH threshold) still shares keys
  with its original.

The store keeps band and passage keys in indexed tables and asks for the stored articles sharing
a key (a bounded list, whatever the number stored); `match_copy` confirms each candidate by
exact shingle Jaccard or containment. Changing the constants below changes the keys: existing
databases then need re-indexing.
"""

from __future__ import annotations

import functools
import hashlib
import json
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from pipelines.config import LSH_SCHEME
from pipelines.textwords import analyse

SHINGLE_WORDS = 3
NUM_PERM = 128
MINHASH_SEED = 1
LSH_THRESHOLD = 0.6
MIN_JACCARD = 0.8  # a candidate this similar is a copy
MIN_CONTAINMENT = 0.8  # ... or this much of the shorter text is inside the longer one
MIN_SIZE_RATIO = 0.2  # ... when the shorter text is at least this fraction of the longer one
MIN_SHINGLES = 25  # ... and long enough (about 25 words) for containment to mean something
EDITED_CONTAINMENT = 0.6  # or: re-headed, trimmed and edited at once, this much contained ...
EDITED_JACCARD = 0.3  # ... and this similar overall (a piece quoting much of a short one is not)
PASSAGE_MIN_WORDS = 8
MAX_PASSAGES = 16


Scheme = tuple[tuple[tuple[int, int], ...], np.ndarray, np.ndarray]


@functools.cache
def lsh_scheme() -> Scheme:
    """(the (start, end) of each LSH band, permutation multipliers, offsets): datasketch's, read
    from `config.LSH_SCHEME` when that file holds them for these constants, else computed by
    `datasketch_scheme`. The file spares each crawl's stage workers datasketch's import (it
    imports scipy) and its search for the best bands: ~0.5 s of CPU at the start of every crawl.
    tests/test_dedupe.py checks the file against datasketch."""
    saved = json.loads(LSH_SCHEME.read_text(encoding="utf-8")) if LSH_SCHEME.exists() else {}
    if saved.get("constants") != _scheme_constants():
        return datasketch_scheme()
    return (tuple((start, end) for start, end in saved["bands"]),
            np.asarray(saved["multipliers"], dtype=np.uint32), np.asarray(saved["offsets"], dtype=np.uint32))


def datasketch_scheme() -> Scheme:
    """The scheme as datasketch computes it (its import loads scipy: ~0.5 s). `minhash` applies
    its affine32 permutations to the whole shingle array at once."""
    from datasketch import MinHash, MinHashLSH

    bands = tuple(MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM).hashranges)
    template = MinHash(num_perm=NUM_PERM, seed=MINHASH_SEED, scheme="affine32", hashfunc=int)
    multipliers, offsets = (np.asarray(p, dtype=np.uint32) for p in template.permutations)
    return bands, multipliers, offsets


def _scheme_constants() -> dict:
    return {"threshold": LSH_THRESHOLD, "num_perm": NUM_PERM, "seed": MINHASH_SEED, "scheme": "affine32"}


def write_lsh_scheme() -> None:
    """Save `datasketch_scheme()` for the current constants to `config.LSH_SCHEME`."""
    bands, multipliers, offsets = datasketch_scheme()
    LSH_SCHEME.write_text(json.dumps({"constants": _scheme_constants(), "bands": bands,
                                      "multipliers": multipliers.tolist(), "offsets": offsets.tolist()})
                          + "\n", encoding="utf-8")


_FMIX32 = (16, np.uint32(0x85EBCA6B), 13, np.uint32(0xC2B2AE35), 16)
_MINHASH_ROWS = 4096  # shingles permuted per step: bounds the temporary matrix at 2 MB


@dataclass(frozen=True, eq=False)
class Fingerprint:
    shingles: np.ndarray  # sorted distinct uint32 shingle hashes
    bands: tuple[int, ...]
    passages: tuple[int, ...]


@dataclass(frozen=True)
class Match:
    article_id: int
    cluster_id: int
    jaccard: float
    containment: float


def _key64(data: bytes) -> int:
    """A signed 64-bit key (fits an SQLite INTEGER), stable across processes."""
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little", signed=True)


def _shingle_set(words: Sequence[str], k: int = SHINGLE_WORDS) -> np.ndarray:
    encoded = list(map(str.encode, words))  # UTF-8, each word once
    # the k-word windows joined by single spaces (the words themselves when there are fewer)
    found = map(b" ".join, zip(*(encoded[i:] for i in range(k)))) if len(encoded) >= k else encoded
    return _distinct(np.array(list(map(zlib.crc32, found)), dtype=np.uint32))


def _distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (`np.unique`, without its overhead on small arrays)."""
    values = np.sort(values)
    return values[np.concatenate(([True], values[1:] != values[:-1]))] if values.size else values


def shingles(text: str, k: int = SHINGLE_WORDS) -> np.ndarray:
    """Sorted distinct 32-bit CRC hashes of the k-word shingles of the normalised text (of the
    words themselves when the text has fewer than k words)."""
    return _shingle_set(analyse(text).words, k)


def pack(shingle_hashes: np.ndarray) -> bytes:
    """Shingles as stored (4 bytes each, little-endian), for the confirmation of later copies."""
    return shingle_hashes.astype("<u4").tobytes()


def unpack(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<u4").astype(np.uint32)


def _fmix32(values: np.ndarray) -> np.ndarray:
    """The MurmurHash3 32-bit finalizer (an avalanching bijection), element-wise."""
    s1, m1, s2, m2, s3 = _FMIX32
    values = values ^ (values >> s1)
    values = values * m1
    values = values ^ (values >> s2)
    values = values * m2
    return values ^ (values >> s3)


def minhash(shingle_hashes: np.ndarray) -> np.ndarray:
    """The NUM_PERM uint32 MinHash values of an array of 32-bit shingle hashes: equal to the
    digest of `datasketch.MinHash(num_perm=NUM_PERM, seed=1, scheme="affine32", hashfunc=int)`
    updated with them."""
    values = np.asarray(shingle_hashes, dtype=np.uint64).ravel()
    if values.size and values.max() > 0xFFFFFFFF:
        raise ValueError("shingle hashes are 32-bit values")
    mixed = _fmix32(values.astype(np.uint32))
    _, multipliers, offsets = lsh_scheme()
    result = np.full(NUM_PERM, 0xFFFFFFFF, dtype=np.uint32)
    for start in range(0, mixed.size, _MINHASH_ROWS):
        # uint32 products wrap mod 2**32, as the scheme wants
        permuted = np.multiply(mixed[start:start + _MINHASH_ROWS, None], multipliers)
        permuted += offsets
        np.minimum(result, permuted.min(axis=0), out=result)
    return result


def lsh_bands(shingle_hashes: np.ndarray) -> tuple[int, ...]:
    """One key per LSH band of the MinHash of `shingle_hashes` (empty for an empty set)."""
    if not np.size(shingle_hashes):
        return ()
    digest = minhash(shingle_hashes).astype("<u8").tobytes()
    bands = lsh_scheme()[0]
    return tuple(_key64(bytes([i]) + digest[8 * start:8 * end]) for i, (start, end) in enumerate(bands))


def _passage_keys(sentences: Iterable[Sequence[str]], limit: int) -> tuple[int, ...]:
    keys = {_key64(b"p" + " ".join(words).encode("utf-8"))
            for words in sentences if len(words) >= PASSAGE_MIN_WORDS}
    return tuple(sorted(keys)[:limit])


def passages(text: str, limit: int = MAX_PASSAGES) -> tuple[int, ...]:
    """Keys of the text's sentences of >= PASSAGE_MIN_WORDS words: the `limit` smallest, so that
    two texts sharing sentences tend to keep the same ones (bottom-k sampling)."""
    return _passage_keys(analyse(text).sentences, limit)


def fingerprint(text: str) -> Fingerprint:
    """Shingles, LSH band keys and passage keys of `text`."""
    analysed = analyse(text)
    found = _shingle_set(analysed.words)
    return Fingerprint(shingles=found, bands=lsh_bands(found),
                       passages=_passage_keys(analysed.sentences, MAX_PASSAGES))


def similarity(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """(Jaccard, containment of the smaller set in the larger) of two shingle sets (sorted
    distinct arrays, as `shingles` returns them)."""
    if not len(a) or not len(b):
        return 0.0, 0.0
    shared = np.intersect1d(a, b, assume_unique=True).size
    return shared / (len(a) + len(b) - shared), shared / min(len(a), len(b))


def is_copy(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two shingle sets are copies of one text. Both need >= MIN_SHINGLES shingles (shorter
    texts are left to the exact hash); then Jaccard >= MIN_JACCARD (republished, lightly edited),
    or the shorter (>= MIN_SIZE_RATIO of the longer) mostly inside the longer (truncated,
    re-headed), or fairly contained and fairly similar at once (re-headed + trimmed + edited)."""
    small, large = sorted((len(a), len(b)))
    if small < MIN_SHINGLES:
        return False
    jaccard, containment = similarity(a, b)
    return (jaccard >= MIN_JACCARD
            or (containment >= MIN_CONTAINMENT and small >= MIN_SIZE_RATIO * large)
            or (containment >= EDITED_CONTAINMENT and jaccard >= EDITED_JACCARD))


def match_copy(print_: Fingerprint, candidates: Iterable[tuple[int, int, bytes]]) -> Match | None:
    """The first candidate `(article id, cluster id, packed shingles)` confirmed as a copy of
    the text with fingerprint `print_` (candidates come best first), else None."""
    for article_id, cluster_id, blob in candidates:
        other = unpack(blob or b"")
        if is_copy(print_.shingles, other):
            jaccard, containment = similarity(print_.shingles, other)
            return Match(article_id, cluster_id, round(jaccard, 3), round(containment, 3))
    return None

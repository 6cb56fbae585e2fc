"""Near-duplicate detection of republished articles (pure functions, no Scrapy, no SQL).

A text's `Fingerprint` holds three things:
- `shingles`: hashed 3-word shingles of the Arabic-normalised text, for the exact check (the
  store keeps them packed, 4 bytes a shingle, so that confirming a candidate reads no text);
- `bands`: MinHash (datasketch, 128 permutations) cut into LSH bands, one 64-bit key per band;
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

import hashlib
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from datasketch import MinHash, MinHashLSH

from pipelines.arabic import normalize, tokens

SHINGLE_WORDS = 3
NUM_PERM = 128
LSH_THRESHOLD = 0.6
MIN_JACCARD = 0.8  # a candidate this similar is a copy
MIN_CONTAINMENT = 0.8  # ... or this much of the shorter text is inside the longer one
MIN_SIZE_RATIO = 0.2  # ... when the shorter text is at least this fraction of the longer one
MIN_SHINGLES = 25  # ... and long enough (about 25 words) for containment to mean something
EDITED_CONTAINMENT = 0.6  # or: re-headed, trimmed and edited at once, this much contained ...
EDITED_JACCARD = 0.3  # ... and this similar overall (a piece quoting much of a short one is not)
PASSAGE_MIN_WORDS = 8
MAX_PASSAGES = 16

_WORD = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"[.!?؟\n\r]+|[:;؛](?=\s)")
_LSH = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
BANDS: tuple[tuple[int, int], ...] = tuple(_LSH.hashranges)  # (start, end) of each band
_TEMPLATE = MinHash(num_perm=NUM_PERM, seed=1, scheme="affine32", hashfunc=int)


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


def _sentences(text: str) -> list[list[str]]:
    """Normalised word tokens of each sentence of `text` (one normalisation pass)."""
    return [_WORD.findall(part) for part in _SENTENCE_END.split(normalize(text))]


def _shingle_set(words: list[str], k: int = SHINGLE_WORDS) -> np.ndarray:
    if len(words) < k:
        found = (zlib.crc32(w.encode("utf-8")) for w in words)
    else:
        found = (zlib.crc32(" ".join(words[i:i + k]).encode("utf-8")) for i in range(len(words) - k + 1))
    return np.unique(np.fromiter(found, dtype=np.uint32))


def shingles(text: str, k: int = SHINGLE_WORDS) -> np.ndarray:
    """Sorted distinct 32-bit CRC hashes of the k-word shingles of the normalised text (of the
    words themselves when the text has fewer than k words)."""
    return _shingle_set(tokens(text), k)


def pack(shingle_hashes: np.ndarray) -> bytes:
    """Shingles as stored (4 bytes each, little-endian), for the confirmation of later copies."""
    return shingle_hashes.astype("<u4").tobytes()


def unpack(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<u4").astype(np.uint32)


def lsh_bands(shingle_hashes: np.ndarray) -> tuple[int, ...]:
    """One key per LSH band of the MinHash of `shingle_hashes` (empty for an empty set)."""
    values = np.asarray(shingle_hashes, dtype=np.uint64)
    if not values.size:
        return ()
    minhash = MinHash(num_perm=NUM_PERM, seed=1, scheme="affine32", hashfunc=int,
                      permutations=_TEMPLATE.permutations)
    minhash.update_batch(values)
    digest = minhash.digest().astype("<u8")
    return tuple(_key64(bytes([i]) + digest[start:end].tobytes())
                 for i, (start, end) in enumerate(BANDS))


def _passage_keys(sentences: list[list[str]], limit: int) -> tuple[int, ...]:
    keys = {_key64(b"p" + " ".join(words).encode("utf-8"))
            for words in sentences if len(words) >= PASSAGE_MIN_WORDS}
    return tuple(sorted(keys)[:limit])


def passages(text: str, limit: int = MAX_PASSAGES) -> tuple[int, ...]:
    """Keys of the text's sentences of >= PASSAGE_MIN_WORDS words: the `limit` smallest, so that
    two texts sharing sentences tend to keep the same ones (bottom-k sampling)."""
    return _passage_keys(_sentences(text), limit)


def fingerprint(text: str) -> Fingerprint:
    """Shingles, LSH band keys and passage keys of `text`."""
    sentences = _sentences(text)
    found = _shingle_set([word for sentence in sentences for word in sentence])
    return Fingerprint(shingles=found, bands=lsh_bands(found),
                       passages=_passage_keys(sentences, MAX_PASSAGES))


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

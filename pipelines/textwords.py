"""The normalised words of an article's text, sentence by sentence, computed once per text.

The content hash (`pipelines.dedupe`), the near-duplicate fingerprint (`pipelines.neardup`) and
the search-index document (`pipelines.fts`) all read the Arabic-normalised word sequence of the
same text, one after the other. `analyse` normalises and tokenises a text once and keeps the last
few results (a small LRU cache keyed on the text), so the three share one pass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain

from pipelines.arabic import normalize

CACHED_TEXTS = 4  # texts whose analysis is kept: the stages of one page run back to back

_WORD = re.compile(r"\w+")  # the same tokens as `pipelines.arabic.tokens`
# Sentence ends (after normalisation): runs of . ! ? and line breaks, or : ; followed by a space.
# None of them is a word character, so splitting at them first and tokenising each sentence
# yields the same word sequence as tokenising the whole text. (The leading look-ahead only lets
# the regex engine skip quickly to the characters that can start a match.)
_SENTENCE_END = re.compile(r"(?=[.!?؟\n\r:;؛])(?:[.!?؟\n\r]+|[:;؛](?=\s))")


@dataclass(frozen=True)
class Analysed:
    """`sentences`: the normalised words of each sentence; `words`: all of them in order (equal
    to `pipelines.arabic.tokens(text)`); `joined`: the words separated by single spaces."""

    sentences: tuple[tuple[str, ...], ...]
    words: tuple[str, ...]
    joined: str


@lru_cache(maxsize=CACHED_TEXTS)
def analyse(text: str) -> Analysed:
    """Normalise `text` once (`pipelines.arabic.normalize`) and split it into sentences of words."""
    findall = _WORD.findall
    sentences = tuple(tuple(findall(part)) for part in _SENTENCE_END.split(normalize(text)))
    words = tuple(chain.from_iterable(sentences))
    return Analysed(sentences, words, " ".join(words))

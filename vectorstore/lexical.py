"""BM25 over whole units, with a tokenizer that keeps UN references intact.

"A/69/981", "S/2015/500", "60/1", "2171 (2014)" and "para. 139" are single tokens (the
bare number is also kept, so "resolution 2171" still matches "2171 (2014)"); other
words are lowercased, stop words dropped and stemmed (Snowball English).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import bm25s
import numpy as np
import snowballstemmer

_STOP = frozenset(
    """a an and are as at be been but by can could did do does for from had has have how
    i if in into is it its may might more most must no not of on or our over shall should
    so such than that the their them then there these they this those to under upon was
    we were what when where which while who whom why will with would you your about also
    any each other own same very report reports say says said does did secretary general
    sg according""".split()
)
_SYMBOL = r"(?:[A-Z]{1,2}(?:/[A-Z]+)?/\d+(?:/\d+)+|[A-Z]+/RES/\d+/\d+|\d{1,3}/\d{1,4})"
_RESOLUTION = r"\d{2,4}\s\(\d{4}\)"
_PARA_REF = r"paras?\.\s?\d{1,3}(?:[-–]\d{1,3})?|paragraphs?\s\d{1,3}"
_TOKEN = re.compile(rf"{_SYMBOL}|{_RESOLUTION}|{_PARA_REF}|[\w’'-]+", re.I)


@lru_cache(maxsize=1)
def _stemmer():
    return snowballstemmer.stemmer("english")


def tokenize(text: str) -> list[str]:
    """Tokens for BM25: UN references whole (plus their bare numbers), stemmed words."""
    tokens: list[str] = []
    for match in _TOKEN.finditer(text):
        raw = match.group(0)
        if "/" in raw or "(" in raw or raw.lower().startswith("para"):
            ref = re.sub(r"\s+", "", raw.lower()).replace("paragraphs", "para").replace("paragraph", "para")
            ref = ref.replace("paras.", "para").replace("para.", "para")
            tokens.append(ref)
            tokens.extend(re.findall(r"\d+", ref)[:1] if "(" in ref or ref.startswith("para") else [])
            continue
        word = raw.lower().strip("'’-")
        if word and word not in _STOP and not (len(word) == 1 and not word.isdigit()):
            tokens.append(_stemmer().stemWord(word))
    return tokens


class LexicalIndex:
    """BM25 over a fixed list of unit texts (rebuilt when the corpus changes)."""

    def __init__(self, texts: Sequence[str]) -> None:
        corpus_tokens = [tokenize(t) or ["∅"] for t in texts]
        self._df: dict[str, int] = {}
        for tokens in corpus_tokens:
            for token in set(tokens):
                self._df[token] = self._df.get(token, 0) + 1
        self._size = len(texts)
        self._retriever = bm25s.BM25(k1=1.2, b=0.75)
        if corpus_tokens:
            self._retriever.index(corpus_tokens, show_progress=False)

    def document_frequency(self, token: str) -> int:
        """Number of units containing the (tokenized) term."""
        return self._df.get(token, 0)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every unit for `query` (zeros for unknown terms)."""
        tokens = [t for t in tokenize(query) if t in self._df]
        if not tokens:
            return np.zeros(self._size, dtype=np.float32)
        return np.asarray(self._retriever.get_scores(tokens), dtype=np.float32)

"""BM25 over whole units, with a tokenizer that keeps UN references intact.

"A/69/981", "S/2015/500", "60/1", "2171 (2014)" and "para. 139" are single tokens (the
bare number is also kept, so "resolution 2171" still matches "2171 (2014)"); other
words are lowercased, stop words dropped and stemmed (Snowball English).

An index can be saved to a folder and loaded back (start-up at 100k units takes a
second instead of minutes of tokenizing), and keeps each unit's tokens so that the next
index, after a few documents changed, only tokenizes the new units.
"""

from __future__ import annotations

import json
import re
import threading
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import bm25s
import numpy as np
import snowballstemmer

# Bump when `tokenize` changes: saved indexes are keyed by it and rebuilt when it differs.
# 2: accents, curly apostrophes and elided articles folded; 3: parts of hyphenated words; 4: -ise as -ize;
# 5: negative contractions ("haven't") are stop words
TOKENIZER_VERSION = 5
EMPTY = "∅"  # the token of a unit with no indexable word
# Number words of a count of items ("five prerequisites", "which three countries").
COUNT_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}

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
_STEMMER = snowballstemmer.stemmer("english")
_STEMMER_LOCK = threading.Lock()  # a Snowball stemmer keeps per-word state: one word at a time


@lru_cache(maxsize=1 << 18)
def _stem(word: str) -> str:
    # Stemming is 90% of tokenizing; a corpus has far fewer distinct words than words.
    with _STEMMER_LOCK:
        return _STEMMER.stemWord(word)


def tokenize(text: str) -> list[str]:
    """Tokens for BM25: UN references whole (plus their bare numbers), stemmed words of the folded text."""
    tokens: list[str] = []
    for match in _TOKEN.finditer(fold(text)):
        raw = match.group(0)
        if "/" in raw or "(" in raw or raw.lower().startswith("para"):
            ref = re.sub(r"\s+", "", raw.lower()).replace("paragraphs", "para").replace("paragraph", "para")
            ref = ref.replace("paras.", "para").replace("para.", "para")
            tokens.append(ref)
            tokens.extend(re.findall(r"\d+", ref)[:1] if "(" in ref or ref.startswith("para") else [])
            continue
        word = _oxford(raw.lower().strip("'’-"))
        if word and word not in _STOP and not word.endswith("n't") and not (len(word) == 1 and not word.isdigit()):
            tokens.append(_stem(word))
            if "-" in word:  # "lessons-learned" also matches "lessons learned"
                tokens.extend(_stem(part) for part in word.split("-") if len(part) > 1 and part not in _STOP)
    return tokens


def _oxford(word: str) -> str:
    """"Organisation", "recognised", "analyze" spelt as the UN does: "organization", "recognized", "analyse"."""
    return _YZE.sub(r"ys\1", _ISE.sub(r"iz\1", word))


_ISE = re.compile(r"(?<=[a-z]{3})is(e|es|ed|ing|ation|ations)$")
_YZE = re.compile(r"(?<=[a-z]{3})yz(e|es|ed|ing)$")


def straighten(text: str) -> str:
    """Curly apostrophes and quotation marks made straight, as most keyboards type them."""
    return text.translate(_STRAIGHT)


_STRAIGHT = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})


def fold(text: str) -> str:
    """Text with accents removed, apostrophes straightened and elided articles split off.

    "Côte d’Ivoire" and "Cote d'Ivoire" both become "Cote d' Ivoire", so a name is matched
    the way the reports write it whatever the keyboard.
    """
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text))
    text = straighten("".join(c for c in text if not unicodedata.combining(c)))
    return re.sub(r"\b([dlDL]|qu|Qu)'(?=\w)", r"\1' ", text)


MIN_RESPELLED = 6


def _one_letter_away(word: str) -> set[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return ({a + b[1:] for a, b in splits if b}
            | {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
            | {a + c + b[1:] for a, b in splits if b for c in letters}
            | {a + c + b for a, b in splits for c in letters})


class LexicalIndex:
    """BM25 over a fixed list of unit texts (rebuilt when the corpus changes)."""

    def __init__(self, texts: Sequence[str]) -> None:
        self._build([tokenize(t) or [EMPTY] for t in texts])

    @classmethod
    def from_tokens(cls, corpus_tokens: list[list[str]]) -> LexicalIndex:
        """An index over already tokenized units (see `tokens_of`)."""
        index = cls.__new__(cls)
        index._build(corpus_tokens)
        return index

    def _build(self, corpus_tokens: list[list[str]]) -> None:
        self._size = len(corpus_tokens)
        self._tokens: list[list[str]] | None = corpus_tokens
        self._token_ids: tuple[np.ndarray, np.ndarray] | None = None
        self._retriever = bm25s.BM25(k1=1.2, b=0.75)
        if corpus_tokens:
            self._retriever.index(corpus_tokens, show_progress=False)
        self._df = self._frequencies()

    def _frequencies(self) -> dict[str, int]:
        # A unit's term has one entry in the (term-major) score matrix: entries per term = df.
        if not self._size:
            return {}
        counts = np.diff(np.asarray(self._retriever.scores["indptr"]))
        return {t: int(counts[i]) for t, i in self._retriever.vocab_dict.items() if i < len(counts) and counts[i]}

    def __len__(self) -> int:
        return self._size

    def document_frequency(self, token: str) -> int:
        """Number of units containing the (tokenized) term."""
        return self._df.get(token, 0)

    def scores(self, query: str, respell: bool = False) -> np.ndarray:
        """BM25 score of every unit for `query` (zeros for unknown terms).

        With `respell`, a term no unit has that is one letter away from exactly one term
        of the index ("recieved", "civilans") is read as that term.
        """
        tokens = [t if t in self._df or not respell else self.respelled(t) for t in tokenize(query)]
        tokens = [t for t in tokens if t in self._df]
        if not tokens:
            return np.zeros(self._size, dtype=np.float32)
        return np.asarray(self._retriever.get_scores(tokens), dtype=np.float32)

    def respelled(self, token: str) -> str:
        """The one indexed term a letter away from `token` (dropped, added, changed or swapped), else `token`.

        Only for words of six letters or more: shorter ones have too many neighbours
        ("wiser", "wider").
        """
        if len(token) < MIN_RESPELLED or not token.isalpha():
            return token
        near = {t for t in _one_letter_away(token) if t in self._df}
        return near.pop() if len(near) == 1 else token

    def tokens_of(self) -> list[list[str]]:
        """Each unit's tokens, in index order (read from disk on first use after `load`)."""
        if self._tokens is None:
            assert self._token_ids is not None  # set by `load`
            ids, offsets = self._token_ids
            names = [""] * (max(self._retriever.vocab_dict.values(), default=-1) + 1)
            for token, i in self._retriever.vocab_dict.items():
                names[i] = token
            flat = [names[i] for i in ids.tolist()]
            bounds = offsets.tolist()
            self._tokens = [flat[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]
            self._token_ids = None
        return self._tokens

    def save(self, folder: Path, keys: Sequence[str]) -> None:
        """Write the index, its units' tokens and the unit `keys` (in index order) to `folder`."""
        folder.mkdir(parents=True, exist_ok=True)
        if self._size:
            self._retriever.save(str(folder), show_progress=False)
        vocab = self._retriever.vocab_dict if self._size else {}
        tokens = self.tokens_of()
        ids = np.fromiter((vocab[t] for unit in tokens for t in unit), dtype=np.int32)
        offsets = np.cumsum([0, *map(len, tokens)], dtype=np.int64)
        with (folder / "tokens.npz").open("wb") as handle:
            np.savez(handle, ids=ids, offsets=offsets)
        meta = {"tokenizer": TOKENIZER_VERSION, "size": self._size, "keys": list(keys)}
        (folder / "lexical.json").write_text(json.dumps(meta), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path, keys: Sequence[str]) -> LexicalIndex | None:
        """The index saved in `folder`, or None when it is missing or was built for other units."""
        try:
            meta = json.loads((folder / "lexical.json").read_text(encoding="utf-8"))
            if meta["tokenizer"] != TOKENIZER_VERSION or meta["keys"] != list(keys):
                return None
            index = cls.__new__(cls)
            index._size = int(meta["size"])
            with np.load(folder / "tokens.npz") as data:  # kept as arrays until `tokens_of` needs lists
                index._token_ids = (data["ids"], data["offsets"])
            index._tokens = None
            index._retriever = (
                bm25s.BM25.load(str(folder), show_progress=False) if index._size else bm25s.BM25(k1=1.2, b=0.75)
            )
            index._df = index._frequencies()
            return index
        except (OSError, ValueError, KeyError):
            return None



def coverage(text: str, unit_text: str, index: LexicalIndex) -> float:
    """Share of the words of `text` that the corpus uses which `unit_text` holds (1.0 if none)."""
    terms = {t for t in tokenize(text) if index.document_frequency(t)}
    return len(terms & set(tokenize(unit_text))) / len(terms) if terms else 1.0

"""Sentence windows: what the embedder sees of a paragraph.

MiniLM reads 256 word pieces; many report paragraphs are longer. Each paragraph is
embedded as overlapping windows of a few sentences, and a paragraph's dense score is
the best score of its windows: retrieval and citation stay at paragraph level.
"""

from __future__ import annotations

import re

# A full stop ends a sentence unless it follows a common abbreviation or an initial.
_ABBREVIATIONS = (
    "para", "paras", "e.g", "i.e", "No", "Nos", "Art", "art", "arts", "Mr", "Ms", "Mrs", "Dr",
    "St", "vol", "p", "pp", "cf", "etc", "U.N", "U.S", "Corr", "Add", "Rev", "Res", "Ser", "viz",
)
_BOUNDARY = re.compile(r"(?<=[.!?…])[”’\")\]]*\s+(?=[“\"‘(\[]?[A-Z0-9•\-])|\n+")


def split_sentences(text: str) -> list[str]:
    """Split paragraph text into sentences (bullets and list items count as sentences)."""
    sentences: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        candidate = text[start : match.start()].strip()
        last_word = candidate.rsplit(" ", 1)[-1].rstrip(".")
        if candidate.endswith(".") and (last_word in _ABBREVIATIONS or re.fullmatch(r"[A-Z]", last_word)):
            continue
        if candidate:
            sentences.append(text[start : match.end()].strip())
        start = match.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def sentence_windows(text: str, size: int = 3, max_chars: int = 900) -> list[str]:
    """Overlapping windows of `size` sentences (stride 1), each at most ~`max_chars`.

    A paragraph of up to `size` sentences is one window; a single overlong sentence
    is kept whole (the embedder truncates it).
    """
    sentences = split_sentences(text) or [text]
    if len(sentences) <= size:
        return [" ".join(sentences)]
    windows = []
    for i in range(len(sentences) - size + 1):
        chunk = sentences[i : i + size]
        while len(chunk) > 1 and sum(len(s) for s in chunk) > max_chars:
            chunk = chunk[:-1]
        windows.append(" ".join(chunk))
    return list(dict.fromkeys(windows))

"""Numbers written in digits or in words: the reports spell many out ("forty-nine").

Used by the citation verifier (is this number in the cited paragraph?) and by the
evaluation's must-include matching (`49` = `forty-nine`).
"""

from __future__ import annotations

import re

_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_WORD_VALUES = {w: i for i, w in enumerate(_ONES)} | {w: 20 + 10 * i for i, w in enumerate(_TENS)}
_NUMBER_WORD = "|".join(sorted([*_WORD_VALUES, "hundred", "thousand"], key=len, reverse=True))
_WORD_RUN = re.compile(rf"\b(?:{_NUMBER_WORD})(?:(?:[\s-]+and)?[\s-]+(?:{_NUMBER_WORD}))*\b")
_DIGITS = re.compile(r"\d{1,3}(?:,\d{3})+(?!\d)|\d+")
_SEPARATOR = r"(?:[\s-]+and)?[\s-]+"


def number_to_words(n: int) -> str:
    """Spell 0..999,999 in English, e.g. 49 -> "forty-nine", 1000 -> "one thousand"."""
    if not 0 <= n < 1_000_000:
        raise ValueError(f"cannot spell {n}: only 0..999999")
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10 - 2] + (f"-{_ONES[n % 10]}" if n % 10 else "")
    scale, word = (1000, "thousand") if n >= 1000 else (100, "hundred")
    rest = n % scale
    return f"{number_to_words(n // scale)} {word}" + (f" {number_to_words(rest)}" if rest else "")


def words_to_number(text: str) -> int | None:
    """Read a spelled number ("forty-nine", "one hundred and eighteen thousand"), else None."""
    words = [w for w in re.split(r"[\s-]+", text.strip().lower()) if w and w != "and"]
    total, current = 0, 0
    for word in words:
        if word == "thousand":
            total, current = total + (current or 1) * 1000, 0
        elif word == "hundred":
            current = (current or 1) * 100
        elif word in _WORD_VALUES:
            current += _WORD_VALUES[word]
        else:
            return None
    value = total + current
    if not words or value >= 1_000_000 or number_to_words(value).replace("-", " ").split() != words:
        return None  # not a well-formed spelling, e.g. "six seven"
    return value


def number_pattern(n: int) -> str:
    """Regex matching `n` as digits (with or without thousands commas) or spelled out."""
    digits = rf"(?<!\d)(?<!\d[.,])(?:{n}|{n:,})(?![.,]?\d)"
    if n >= 1_000_000:
        return digits
    spelled = _SEPARATOR.join(number_to_words(n).replace("-", " ").split())
    return rf"(?:{digits}|\b{spelled}\b)"


def numbers_in(term: str) -> list[tuple[int, int, int]]:
    """(start, end, value) of every number in a term, written in digits or in words."""
    found = [(m.start(), m.end(), int(m.group().replace(",", ""))) for m in _DIGITS.finditer(term)]
    for match in _WORD_RUN.finditer(term):
        value = words_to_number(match.group())
        if value is not None:
            found.append((match.start(), match.end(), value))
    return sorted(found)

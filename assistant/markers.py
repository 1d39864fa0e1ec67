"""The `[n]` source marker: how an answer points at its numbered sources, in one place.

Models write one marker (`[3]`), groups (`[1, 2]`, `[1; 3]`) and ranges (`[1-3]`); after
verification the assistant writes only single markers, one after another (`[1][3]`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

_NUMBER = r"\d{1,3}"
# One marker as the assistant writes it: "[3]".
MARKER = re.compile(rf"\[({_NUMBER})\]")
# One marker as a model may write it: "[3]", "[1, 2]", "[1; 3]", "[1-3]".
MARKER_GROUP = re.compile(rf"\[({_NUMBER}(?:\s*[,;–-]\s*{_NUMBER})*)\]")
# A run of single markers with the spaces before them: " [1] [2]".
MARKER_RUN = re.compile(rf"(?:\s*\[{_NUMBER}\])+")
_MAX_RANGE = 10  # "[1-300]" is a typo, not three hundred sources


def marker(n: int) -> str:
    """The marker for source `n`."""
    return f"[{n}]"


def group_numbers(group: str) -> list[int]:
    """The source numbers in the inside of a marker group: "1, 3-5" -> [1, 3, 4, 5]."""
    numbers: list[int] = []
    for part in re.split(r"\s*[,;]\s*", group):
        if re.fullmatch(r"\d+\s*[–-]\s*\d+", part):
            low, high = (int(x) for x in re.split(r"\s*[–-]\s*", part))
            numbers.extend(range(low, min(high, low + _MAX_RANGE) + 1))
        elif part.strip().isdigit():
            numbers.append(int(part))
    return numbers


def cited_numbers(text: str) -> list[int]:
    """Every source number `text` cites, in order, repeats removed."""
    return list(dict.fromkeys(n for group in MARKER_GROUP.findall(text) for n in group_numbers(group)))


def strip_markers(text: str) -> str:
    """`text` without its markers (and the spaces that led to them)."""
    return re.sub(rf"\s*{MARKER_GROUP.pattern}", "", text)


def replace_runs(text: str, replace: Callable[[list[int]], str]) -> str:
    """Replace each run of markers by `replace(numbers in the run)`."""
    return MARKER_RUN.sub(lambda m: replace([int(n) for n in MARKER.findall(m.group(0))]), text)


def split_at_runs(text: str) -> list[str]:
    """Text, run of markers, text, run, ..., text (the runs kept, as `re.split` with a group)."""
    return re.split(f"({MARKER_RUN.pattern})", text)

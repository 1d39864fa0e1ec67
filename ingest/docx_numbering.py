"""Word's automatic list numbering: the number each numbered paragraph shows.

UN Word files number paragraphs either as literal text or with `w:numPr` lists
(counted per abstract list, with level restarts and start overrides); this module
replays the counters in document order.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def xml_val(element: Any, tag: str) -> str | None:
    """The `w:val` of the child `tag` of `element` (None when either is missing)."""
    child = element.find(f"{W}{tag}") if element is not None else None
    return None if child is None else child.get(f"{W}val")


def xml_int(value: str | None, default: int = 0) -> int:
    """An attribute value as an integer, `default` when it is missing or not a number."""
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _roman(n: int) -> str:
    out = ""
    for value, letters in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                           (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        count, n = divmod(n, value)
        out += letters * count
    return out


def _letters(n: int) -> str:
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


_FORMATS: dict[str, Callable[[int], str]] = {
    "decimal": str,
    "lowerLetter": _letters,
    "upperLetter": lambda n: _letters(n).upper(),
    "lowerRoman": _roman,
    "upperRoman": lambda n: _roman(n).upper(),
    "decimalZero": lambda n: f"{n:02d}",
}


@dataclass
class WordNumbering:
    """Word's list numbering: what number each numbered paragraph shows."""

    # abstractNumId -> ilvl -> (start, numFmt, lvlText); numId -> (abstractNumId, {ilvl: restart value})
    levels: dict[str, dict[int, tuple[int, str, str]]] = field(default_factory=dict)
    nums: dict[str, tuple[str, dict[int, int]]] = field(default_factory=dict)
    counters: dict[str, dict[int, int]] = field(default_factory=dict)
    started: set[str] = field(default_factory=set)

    @classmethod
    def from_part(cls, root: Any) -> WordNumbering:
        """Read the definitions in word/numbering.xml (`root` may be None: no lists)."""
        numbering = cls()
        for abstract in root.iter(f"{W}abstractNum") if root is not None else ():
            levels = numbering.levels.setdefault(abstract.get(f"{W}abstractNumId", ""), {})
            for lvl in abstract.iter(f"{W}lvl"):
                start = xml_int(xml_val(lvl, "start"), 1)
                fmt, text = xml_val(lvl, "numFmt") or "decimal", xml_val(lvl, "lvlText") or ""
                levels[xml_int(lvl.get(f"{W}ilvl"))] = (start, fmt, text)
        for num in root.iter(f"{W}num") if root is not None else ():
            restarts = {
                xml_int(o.get(f"{W}ilvl")): xml_int(xml_val(o, "startOverride"), 1)
                for o in num.iter(f"{W}lvlOverride") if o.find(f"{W}startOverride") is not None
            }
            numbering.nums[num.get(f"{W}numId", "")] = (xml_val(num, "abstractNumId") or "", restarts)
        return numbering

    def label(self, num_id: str, ilvl: int) -> str | None:
        """Advance the list's counter and return the label ("12.", "(a)", "-" for bullets)."""
        if num_id not in self.nums:
            return None
        abstract, restarts = self.nums[num_id]
        levels = self.levels.get(abstract, {})
        if ilvl not in levels:
            return None
        counters = self.counters.setdefault(abstract, {})
        if num_id not in self.started:  # a w:num with a start override restarts the list
            self.started.add(num_id)
            for level, start in restarts.items():
                counters[level] = start - 1
        counters[ilvl] = counters.get(ilvl, levels[ilvl][0] - 1) + 1
        for deeper in [level for level in counters if level > ilvl]:
            del counters[deeper]
        start, fmt, text = levels[ilvl]
        if fmt == "bullet":
            return "-"
        if fmt == "none":
            return ""

        def number(match: re.Match[str]) -> str:
            level = int(match.group(1)) - 1
            level_start, level_fmt, _ = levels.get(level, (1, "decimal", ""))
            return _FORMATS.get(level_fmt, str)(counters.get(level, level_start))

        return re.sub(r"%(\d)", number, text)

"""From positioned text runs to the lines and blocks a PDF page shows.

Pure functions over `Span`s (text, position, font size, weight), whatever library read
them. Font size does the work a reader's eye does: footnote markers are digits set
smaller than their line, footnotes are the small lines at the foot of the page, and a
larger vertical gap or a change to bold starts a new block.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, field

TABLE_ROW = "| "  # how a line of a table is written for the structure parser (a Markdown table row)
_DIGITS = re.compile(r"^\s*(\d{1,3})\s*$")
_NO_SPACE_BEFORE = re.compile(r"^[,.;:!?)\]}”’%]")
_NO_SPACE_AFTER = re.compile(r"[(\[{“‘/]$")


@dataclass(frozen=True)
class Span:
    """A run of text drawn at one place in one font."""

    text: str
    x: float
    y: float
    size: float
    bold: bool = False
    italic: bool = False
    end: float = -1.0  # right edge of the last character, when the reader knows it


@dataclass
class TextLine:
    """The spans on one baseline, left to right."""

    spans: list[Span] = field(default_factory=list)

    @property
    def y(self) -> float:
        """The baseline: that of the line's largest text (superscripts sit higher)."""
        return max(self.spans, key=lambda s: (s.size, -s.y)).y

    @property
    def size(self) -> float:
        """The font size of most of the line's characters."""
        weights: Counter[float] = Counter()
        for span in self.spans:
            weights[round(span.size * 2) / 2] += len(span.text.strip())
        return weights.most_common(1)[0][0] if weights else 0.0

    @property
    def bold(self) -> bool:
        """Every visible character is bold."""
        return all(s.bold for s in self.spans if s.text.strip())

    @property
    def italic(self) -> bool:
        """Every visible character is italic."""
        return all(s.italic for s in self.spans if s.text.strip())

    def is_marker(self, span: Span) -> bool:
        """A footnote marker: a number set clearly smaller than the line's text."""
        return bool(_DIGITS.match(span.text)) and span.size < 0.8 * self.size

    def text(self, markers: bool = True) -> str:
        """The line's text; superscript numbers become `<sup>N</sup>` when `markers`."""
        out = ""
        previous: Span | None = None
        for span in self.spans:
            piece = span.text
            if markers and self.is_marker(span):
                out = out.rstrip(" ") + f"<sup>{piece.strip()}</sup>"
            else:
                separate = previous is not None and _gap(previous, span)
                if separate and out and not out.endswith(" ") and not piece.startswith(" "):
                    if not _NO_SPACE_BEFORE.match(piece) and not _NO_SPACE_AFTER.search(out):
                        out += " "
                out += piece
            previous = span
        return " ".join(out.split())


def _gap(previous: Span, span: Span) -> bool:
    """Is there room for a space between two spans? (Without glyph extents: do they start apart?)."""
    if previous.end >= 0:
        return span.x - previous.end > 0.15 * max(span.size, previous.size)
    return abs(span.x - previous.x) > 0.5


def group_lines(spans: list[Span]) -> list[TextLine]:
    """Lines top to bottom: spans drawn one after another on (nearly) one baseline."""
    lines: list[TextLine] = []
    for span in spans:
        if not span.text.strip() and not lines:
            continue
        current = lines[-1] if lines else None
        if current is not None and abs(span.y - current.y) <= 0.45 * max(current.size, span.size, 1.0):
            current.spans.append(span)
        elif span.text.strip():
            lines.append(TextLine([span]))
    lines.sort(key=lambda line: -line.y)
    merged: list[TextLine] = []
    for line in lines:  # a line drawn in pieces at different moments (a number, then its text)
        if merged and abs(merged[-1].y - line.y) < 1.0:
            merged[-1].spans = sorted(merged[-1].spans + line.spans, key=lambda s: s.x)
        else:
            merged.append(line)
    return merged


def body_size(pages: list[list[TextLine]]) -> float:
    """The font size of most of the document's text."""
    weights: Counter[float] = Counter()
    for page in pages:
        for line in page:
            weights[line.size] += len(line.text(markers=False))
    return weights.most_common(1)[0][0] if weights else 10.0


def split_foot(lines: list[TextLine], body: float) -> tuple[list[TextLine], list[TextLine]]:
    """Body lines and footnote lines: the run of small lines at the foot of the page."""
    cut = len(lines)
    while cut > 0 and lines[cut - 1].size < 0.92 * body:
        cut -= 1
    if cut == 0:  # a page of small text only (an annex table, say) has no footnotes
        return lines, []
    return lines[:cut], lines[cut:]


def line_pitch(pages: list[list[TextLine]], body: float) -> float:
    """The usual distance between two lines of a paragraph."""
    gaps = [
        round(a.y - b.y, 1)
        for page in pages
        for a, b in zip(page, page[1:], strict=False)
        if a.size == b.size == body and 0 < a.y - b.y < 2.5 * body
    ]
    return statistics.median(gaps) if gaps else 1.2 * body


def blocks(lines: list[TextLine], pitch: float, body: float) -> list[list[TextLine]]:
    """Group lines into blocks: a gap wider than a line, or a change of size or weight.

    `pitch` is the line distance of `body`-sized text; larger type has a larger one. A
    change of weight at line distance is emphasis inside a paragraph (UN reports set
    recommendations in bold mid-paragraph), except after a bold block: a heading.
    """
    out: list[list[TextLine]] = []
    for line in lines:
        if out:
            prev = out[-1][-1]
            gap = prev.y - line.y
            near = 0 < gap <= 1.3 * pitch * max(1.0, line.size / body) and abs(prev.size - line.size) < 1.0
            if near and (prev.bold == line.bold or _emphasis(out[-1], line)):
                out[-1].append(line)
                continue
        out.append([line])
    return out


def _emphasis(block: list[TextLine], line: TextLine) -> bool:
    """Does `line`, in another weight than the end of `block`, continue the same paragraph?"""
    if not all(line.bold for line in block):
        return True
    first = line.text(markers=False)[:1]
    return first.islower()


def is_heading(block: list[TextLine], body: float) -> bool:
    """A block set all in bold, or short and all italic or larger than the body text."""
    text = " ".join(line.text(markers=False) for line in block)
    unfinished = not re.search(r"[.;:,]$", text)
    numbered = re.match(r"\d{1,3}\.\s", text)
    section = re.match(r"[IVXL]{1,6}\.\s", text) and all(line.bold for line in block)  # "V. Summary of ..."
    if (len(text) > 250 and not section) or (numbered and not (unfinished and len(text) < 100)):
        return False  # a numbered paragraph set in bold is still one; "1. Military personnel" is a heading
    if all(line.bold for line in block):
        return True
    styled = all(line.italic for line in block) or block[0].size > body + 0.5
    return styled and unfinished and len(text) < 150


def _columns(line: TextLine) -> int:
    """How many column gaps (two ems or more of empty space) the line has."""
    return sum(
        1 for a, b in zip(line.spans, line.spans[1:], strict=False) if a.end >= 0 and b.x - a.end > 2 * line.size
    )


def is_table(block: list[TextLine], body: float) -> bool:
    """A table (or its notes) amid the text: set smaller than the body, or in columns."""
    if block[0].size < 0.92 * body:
        return True
    return sum(1 for line in block if _columns(line) >= 2) * 2 >= len(block)

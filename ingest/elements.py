"""Split report text into typed elements: headings, numbered items, bullets, footnotes, prose.

The first pass of the structure parser. It only looks at one element at a time; the
decisions that need context (is "3." a report paragraph or a list item? does this prose
continue a paragraph broken by a page?) are made in `ingest.structure`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import StrEnum

SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUPER_TO_ASCII = str.maketrans(SUPERSCRIPT_DIGITS, "0123456789")


class Kind(StrEnum):
    """What one element of the text is."""

    RULE = "rule"  # '---': in the converted reports, the line above a footnote block
    HEADING = "heading"
    NUMBERED = "numbered"  # "12. text": a report paragraph or a numbered list item
    BULLET = "bullet"
    FOOTNOTE = "footnote"
    PROSE = "prose"
    TABLE = "table"  # rows of a table ("| ..."), or its notes: not part of any paragraph


@dataclass(frozen=True)
class Element:
    """One element: its kind, text without the leading marker, and marker value."""

    kind: Kind
    text: str
    number: int | None = None  # paragraph/list/footnote number
    level: int = 0  # heading level: 1 Roman section, 2 lettered, 3 other
    plain_marker: bool = False  # a footnote written as "12 text" (no superscript)
    offset: int = 0  # where the element starts in the (newline-normalised) text


_RULE = re.compile(r"^(?:-{3,}|\*{3,}|_{3,}|(?:\* ){2,}\*)$")
_MD_HEADING = re.compile(r"^#{1,6}\s+(.*)$")
_NUMBERED = re.compile(r"^(\d{1,3})\.\s+(\S.*)$", re.S)
_BULLET = re.compile(r"^(?:[-•▪◦]|\*(?!\*))\s+(\S.*)$", re.S)
_FN_SUP_TAG = re.compile(r"^<sup>\s*(\d{1,3})\s*</sup>\s*(\S.*)$", re.S)
_FN_SUPERSCRIPT = re.compile(rf"^([{SUPERSCRIPT_DIGITS}]{{1,3}})\s*(\S.*)$", re.S)
_FN_PLAIN = re.compile(r"^(\d{1,3})\s+(?![A-Z][a-z]+ \d{4}\b)(\S.*)$", re.S)
_ROMAN_HEADING = re.compile(r"^(?:SECTIONS?\s+)?([IVXL]{1,6})(?:\.|:|\s+AND\s+[IVXL]+:?)\s+\S", re.I)
_LETTER_HEADING = re.compile(r"^[A-Z]\.\s+[A-Z“\"]")
_NAMED = re.compile(r"^(?:Summary|Contents|Introduction|Annex(?:es)?|Enclosure|Appendix)(?:\s+[IVX\d]+)?:?$")
_SENTENCE_END = re.compile(r"[.;:]$")
_EMPHASIS = re.compile(r"(\*{1,3}|_{2})(?=\S)(.+?)(?<=\S)\1", re.S)
_LINE_START = re.compile(
    rf"^(?:#{{1,6}}\s|\d{{1,3}}\.\s|(?:[-•▪◦]|\*(?!\*))\s|<sup>|[{SUPERSCRIPT_DIGITS}])"
)


def strip_emphasis(text: str) -> str:
    """Remove Markdown emphasis markers (bold, italics) but keep the words."""
    previous = None
    while previous != text:
        previous, text = text, _EMPHASIS.sub(r"\2", text)
    return text.replace("****", " ").strip()


def _join(lines: list[str]) -> str:
    """One raw element from its lines: wrapped text is one line, a table keeps its rows."""
    return "\n".join(lines) if lines[0].startswith("|") else " ".join(lines)


def split_lines(text: str) -> list[str]:
    """Group lines into raw elements (blank lines or a line starting a new item separate).

    A new item is a heading, number, bullet or footnote marker; other lines are wraps.
    """
    return [raw for raw, _ in split_lines_at(text)]


def split_lines_at(text: str) -> list[tuple[str, int]]:
    """`split_lines`, with the offset where each raw element starts (in the text with CRLF as LF)."""
    raws: list[tuple[str, int]] = []
    current: list[str] = []
    start = offset = 0
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        stripped = line.strip()
        line_start, offset = offset, offset + len(line) + 1
        if not stripped:
            if current:
                raws.append((_join(current), start))
                current = []
            continue
        row = stripped.startswith("|")
        if current and (_LINE_START.match(stripped) or _RULE.match(stripped) or row != current[0].startswith("|")):
            raws.append((_join(current), start))
            current = []
        if not current:
            start = line_start
        current.append(stripped)
    if current:
        raws.append((_join(current), start))
    return raws


def _heading_level(text: str) -> int:
    if _ROMAN_HEADING.match(text):
        return 1
    if _LETTER_HEADING.match(text):
        return 2
    return 3


def _looks_like_heading(text: str) -> bool:
    """Plain-text headings: "III. Tools available" or "A. Pillar I: ..." (short, no full stop)."""
    if len(text) > 160 or text.endswith((".", ";", ",")):
        return False
    return bool(_ROMAN_HEADING.match(text) or _LETTER_HEADING.match(text))


def _markdown_heading(title: str) -> Element:
    """A Markdown heading; "## 12. The Council ..." (long, or a sentence) is paragraph 12 as a converter wrote it."""
    if (n := _NUMBERED.match(title)) and (len(title) > 100 or _SENTENCE_END.search(title)):
        return Element(Kind.NUMBERED, n.group(2), number=int(n.group(1)))
    return Element(Kind.HEADING, title, level=_heading_level(title))


def _bullet(text: str) -> Element:
    """A bullet; "- 1. The Secretary-General ..." is paragraph 1 written as a list item (Docling and others)."""
    if n := _NUMBERED.match(text):
        return Element(Kind.NUMBERED, n.group(2), number=int(n.group(1)))
    return Element(Kind.BULLET, text)


def classify(raw: str, after_footnote: bool) -> Element:
    """Classify one raw element. `after_footnote` enables plain "12 text" footnotes."""
    if _RULE.match(raw):
        return Element(Kind.RULE, raw)
    if raw.startswith("|"):
        return Element(Kind.TABLE, raw)
    if m := _MD_HEADING.match(raw):
        return _markdown_heading(strip_emphasis(m.group(1)))
    if m := _FN_SUP_TAG.match(raw):
        return Element(Kind.FOOTNOTE, m.group(2), number=int(m.group(1)))
    if m := _FN_SUPERSCRIPT.match(raw):
        return Element(Kind.FOOTNOTE, m.group(2), number=int(m.group(1).translate(_SUPER_TO_ASCII)))
    if m := _NUMBERED.match(raw):
        return Element(Kind.NUMBERED, m.group(2), number=int(m.group(1)))
    if m := _BULLET.match(raw):
        return _bullet(m.group(1))
    if after_footnote and (m := _FN_PLAIN.match(raw)):
        return Element(Kind.FOOTNOTE, m.group(2), number=int(m.group(1)), plain_marker=True)
    bold = raw.startswith("**") and raw.endswith("**") and raw.count("**") >= 2
    plain = strip_emphasis(raw)
    bold_heading = bold and (len(plain) < 250 or _ROMAN_HEADING.match(plain))
    if bold_heading or _looks_like_heading(plain) or _NAMED.match(plain):
        return Element(Kind.HEADING, plain, level=_heading_level(plain))
    return Element(Kind.PROSE, raw)


def elements(text: str) -> list[Element]:
    """All elements of a text, in order."""
    out: list[Element] = []
    for raw, offset in split_lines_at(text):
        for part in _ADJACENT_BOLD.split(raw):
            after_footnote = bool(out) and out[-1].kind in (Kind.RULE, Kind.FOOTNOTE)
            out.append(replace(classify(part, after_footnote), offset=offset))
    return out


# Bold runs a converter wrote back to back ("**Security Council****Advanced copy**", a masthead
# and title block as one line): each is its own element, so the last heading before paragraph 1
# ("Summary") is its section, not the first ("General Assembly Security Council").
_ADJACENT_BOLD = re.compile(r"(?<=\S\*\*)(?=\*\*\S)")

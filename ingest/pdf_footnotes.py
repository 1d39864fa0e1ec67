"""Footnotes at the foot of PDF pages: which small lines start, continue or are not footnotes.

A footnote starts with its number (set as a superscript, or plain when it is the next
number); other lines continue the note read last, also over a page break when that note
is unfinished. Numbering may restart (an annex has its own footnotes 1, 2, ...): notes
are keyed by series and number, `printed_number` gives back the number as printed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.pdf_layout import TextLine

SERIES = 1000  # key = series * SERIES + number
_RULE_LINE = re.compile(r"^[_\s]{5,}$")  # the footnote separator, where it is drawn as text
_ENDS_SENTENCE = re.compile(r"[.!?]['\"”’)\]]*\s*$")


@dataclass
class FootReading:
    """What the foot of one page held."""

    body: list[TextLine] = field(default_factory=list)  # lines that are not footnotes after all
    started: list[int] = field(default_factory=list)  # keys of the footnotes that start on the page
    has_foot: bool = False  # footnote text at its foot (new or continued)


def printed_number(key: int) -> int:
    """The number a footnote key stands for, as the page prints it."""
    return key % SERIES


def read_footnotes(foot: list[TextLine], notes: dict[int, list[str]], may_continue: bool) -> FootReading:
    """Read a page's foot lines into `notes` (key -> lines).

    Small text ending a page with no footnote number stays in the body; where the
    separator rule is drawn as text, small text above it (a table) is body, and an
    unnumbered note under it takes the next number.
    """
    current = next(reversed(notes)) if notes else None  # the footnote read last
    rules = [i for i, line in enumerate(foot) if _RULE_LINE.match(line.text(markers=False))]
    above, foot = (foot[: rules[-1]], foot[rules[-1] + 1 :]) if rules else ([], foot)
    if not rules and foot and _label(foot[0], current) is None:  # small text (a table) above the notes
        first = next((i for i, line in enumerate(foot) if _superscript_label(line)), None)
        if first is not None:
            above, foot = foot[:first], foot[first:]
    reading = FootReading(body=above)
    if not foot:
        return reading
    # a footnote goes on over the page under a separator rule, or if it is unfinished (a table is not part of it)
    unfinished = current is not None and not _ENDS_SENTENCE.search(" ".join(notes[current]))
    may_continue = may_continue and current is not None and (bool(rules) or unfinished)
    if _label(foot[0], current) is None and not may_continue:
        if not rules or not notes:
            reading.body += foot
            return reading
        current = current + 1 if current is not None else 1
        notes[current] = []
        reading.started.append(current)
    reading.has_foot = True
    for line in foot:
        current = _take_line(line, notes, current, reading)
    return reading


def _take_line(line: TextLine, notes: dict[int, list[str]], current: int | None, reading: FootReading) -> int | None:
    """File one foot line; return the key of the note read last."""
    label = _label(line, current)
    if label is None:
        if current is not None:
            notes[current].append(line.text(markers=False))
        return current
    number, text = label
    base = (current // SERIES) * SERIES if current is not None else 0
    key = base + number
    if key == current and current in reading.started:  # its number after an unnumbered lead-in
        notes[key].append(text)
        return key
    if key in notes:  # a number already used: the numbering restarted (an annex)
        key += SERIES
    notes[key] = [text]
    reading.started.append(key)
    return key


def _superscript_label(line: TextLine) -> bool:
    spans = [s for s in line.spans if s.text.strip()]
    return len(spans) > 1 and line.is_marker(spans[0])


def _label(line: TextLine, current: int | None) -> tuple[int, str] | None:
    """(number, text) if the line starts a footnote: a superscript number, or the next number."""
    spans = [s for s in line.spans if s.text.strip()]
    if spans and line.is_marker(spans[0]):
        rest = TextLine(spans[1:]).text(markers=False) if len(spans) > 1 else ""
        return int(spans[0].text), rest
    m = re.match(r"^(\d{1,3})\s+(\S.*)$", line.text(markers=False))
    if m and int(m.group(1)) == printed_number(current or 0) + 1:
        return int(m.group(1)), m.group(2)
    return None

"""Recover the citable structure of a report: numbered paragraphs, footnotes, blocks.

Pure functions over text. The rules follow what converted UN reports contain:
- report paragraphs are "N. " with N increasing by one; a numbered list inside a
  section (restarting at 1, or in a document without numbered paragraphs) is not;
- a page break puts a footnote block in the middle of a paragraph, and the paragraph
  resumes after it mid-sentence: any prose after footnotes joins the open paragraph;
- footnote markers (`<sup>12</sup>`, `¹²`, or plain digits) are removed from the text
  users see and recorded as the paragraph's footnotes;
- unnumbered text (a Summary before paragraph 1, a document with no numbered
  paragraphs) becomes labelled blocks ("Summary, ¶2", "Section III, bullet 2");
  other text before paragraph 1 is the document header and is not a citation unit.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from ingest.elements import Element, Kind, elements
from ingest.inline import clean_inline as _clean_inline
from ingest.inline import extract_markers
from ingest.records import Unit, UnitKind

MIN_NUMBERED_PARAGRAPHS = 5  # fewer than this in sequence: a list, unless they read as paragraphs
MIN_PARAGRAPH_CHARS = 80  # a numbered item this long (each of them) reads as a paragraph
_FRONT_SECTIONS = ("summary", "abstract", "introduction", "foreword", "executive summary")

_TABLE_RULE = re.compile(r"^[\s|:-]+$")  # a Markdown table's header separator
_TERMINAL = re.compile(r"[.!?:;…]['\"”’)\]]*$")


@dataclass
class _Open:
    """A unit being assembled."""

    label: str
    kind: UnitKind
    parts: list[str]
    section: tuple[str, ...]
    order: int
    start: int = 0  # offset of its first element in the text (for the page number)

    def text(self) -> str:
        return "".join(self.parts).strip()


@dataclass
class _State:
    """Mutable parser state (kept out of the pure entry point)."""

    numbered_mode: bool
    units: list[_Open] = field(default_factory=list)
    footnotes: dict[int, _Open] = field(default_factory=dict)
    section: list[tuple[int, str]] = field(default_factory=list)
    open_unit: _Open | None = None  # the paragraph or block that prose may continue
    last_number: int = 0
    counters: dict[tuple[str, str], int] = field(default_factory=dict)
    list_index: dict[str, int] = field(default_factory=dict)
    after_heading: bool = False
    part_break: bool = False  # a section or annex heading came after the open unit
    series: int = 1  # footnote numbering series (an annex may restart at 1)
    last_note: int = 0
    note_numbers: set[int] = field(default_factory=set)
    in_annex: bool = False
    annex_since_note: bool = False
    last_table: _Open | None = None  # the table read last, which a table element right after extends

    def path(self) -> tuple[str, ...]:
        return tuple(title for _, title in self.section)


def _section_label(state: _State) -> str:
    """A short label for the current section: "Section III", "Summary", "Key points"."""
    if not state.section:
        return "Introduction"
    title = state.section[-1][1]
    roman = re.match(r"^(SECTIONS?)\s+([IVXL]+(?:\s+AND\s+[IVXL]+)?)\b", title, re.I)
    if roman:
        return f"{roman.group(1).capitalize()} {roman.group(2).upper().replace(' AND ', ' and ')}"
    roman = re.match(r"^([IVXL]+)\.\s", title)
    if roman:
        return f"Section {roman.group(1)}"
    if len(state.section) == 1 and len(title) > 50:
        return "Introduction"
    if title.isupper():
        title = title.capitalize()
    return title.rstrip(":")


def _block_label(state: _State, what: str, number: int | None = None) -> str:
    section = _section_label(state)
    if what == "item":
        lists = state.list_index.get(section, 1)
        prefix = f"{section}, list {lists}" if lists > 1 else section
        return f"{prefix}, item {number}"
    key = (section, what)
    state.counters[key] = state.counters.get(key, 0) + 1
    sign = "¶" if what == "para" else f"{what} "
    return f"{section}, {sign}{state.counters[key]}"


def _is_complete(unit: _Open) -> bool:
    text, _ = extract_markers(_clean_inline(unit.text()))
    return bool(_TERMINAL.search(text))


def _continues(state: _State, element: Element) -> bool:
    """Does this prose (or bullet) continue the open unit across a page break?"""
    unit = state.open_unit
    if unit is None:
        return False
    if state.numbered_mode and unit.kind is UnitKind.NUMBERED and not state.after_heading:
        return True
    if state.part_break:
        return False  # nothing continues across "V. Summary ..." or "Annex"
    first = _clean_inline(element.text)[:1]
    return first.islower() or not _is_complete(unit)


def _ends_part(heading: tuple[int, str]) -> bool:
    level, title = heading
    return level == 1 or title.lower().startswith(("annex", "appendix", "enclosure"))


def _open_unit(state: _State, label: str, kind: UnitKind, element: Element) -> None:
    unit = _Open(label, kind, [element.text], state.path(), len(state.units), element.offset)
    state.units.append(unit)
    state.open_unit = unit
    state.after_heading = state.part_break = False


def _on_heading(state: _State, element: Element) -> None:
    while state.section and state.section[-1][0] >= element.level:
        state.section.pop()
    state.section.append((element.level, element.text))
    state.after_heading = True
    state.part_break = state.part_break or _ends_part((element.level, element.text))
    if element.text.lower().startswith("annex"):
        state.in_annex = state.annex_since_note = True
    if not state.numbered_mode:
        state.open_unit = None


def _on_footnote(state: _State, element: Element) -> None:
    number = element.number or 0
    seen = number in state.footnotes
    if seen and number == state.last_note and not state.annex_since_note:  # continued on the next page
        state.footnotes[number].parts.append(" " + element.text)
        return
    if seen:  # the numbering restarted: an annex's own footnotes
        state.series += 1
        state.footnotes = {}
    label = f"fn{number}" if state.series == 1 else f"fn{number} ({'annex' if state.in_annex else state.series})"
    unit = _Open(label, UnitKind.FOOTNOTE, [element.text], state.path(), len(state.units), element.offset)
    state.footnotes[number] = unit
    state.note_numbers.add(number)
    state.units.append(unit)
    state.last_note, state.annex_since_note = number, False


def _is_report_paragraph(state: _State, element: Element) -> bool:
    return state.numbered_mode and element.number == state.last_number + 1


def _on_numbered(state: _State, element: Element) -> None:
    if _is_report_paragraph(state, element):
        state.last_number = element.number or 0
        _open_unit(state, str(element.number), UnitKind.NUMBERED, element)
        return
    # A numbered list item: inside a report paragraph it stays part of it.
    if state.numbered_mode and state.last_number > 0 and state.open_unit is not None and not state.part_break:
        state.open_unit.parts.append(f"\n{element.number}. {element.text}")
        return
    section = _section_label(state)
    last_item = state.counters.get((section, "last-item"), 0)
    if element.number != last_item + 1 and last_item:  # a new list in the same section
        state.list_index[section] = state.list_index.get(section, 1) + 1
    state.counters[(section, "last-item")] = element.number or 0
    _open_unit(state, _block_label(state, "item", element.number), UnitKind.BLOCK, element)


def _on_table(state: _State, element: Element) -> None:
    """A table is a block of its own; the paragraph it interrupts stays open for what follows."""
    rows = [row.strip().strip("|").strip() for row in element.text.splitlines()]
    cells = (" | ".join(c.strip() for c in row.split("|")) for row in rows if row and not _TABLE_RULE.match(row))
    text = "\n".join(cells)
    if not text or (state.numbered_mode and state.last_number == 0 and not _in_front_section(state)):
        return  # a table on the cover page belongs to the header
    last = state.units[-1] if state.units else None
    if last is not None and last.kind is UnitKind.BLOCK and state.last_table is last:
        last.parts.append("\n" + text)
        return
    unit = _Open(_block_label(state, "table"), UnitKind.BLOCK, [text], state.path(), len(state.units), element.offset)
    state.units.append(unit)
    state.last_table = unit


def _in_front_section(state: _State) -> bool:
    return any(t.lower().strip(" :") in _FRONT_SECTIONS for _, t in state.section)


def _is_sentence(element: Element) -> bool:
    text, _ = extract_markers(_clean_inline(element.text))
    return len(text) >= 80 and bool(_TERMINAL.search(text)) and text[:1].isupper()


def _on_text(state: _State, element: Element) -> None:
    is_bullet = element.kind is Kind.BULLET
    if state.open_unit is not None and _continues(state, element):
        joiner = "\n- " if is_bullet else (" " if state.open_unit.parts else "")
        state.open_unit.parts.append(joiner + element.text)
        return
    if state.numbered_mode and state.last_number == 0 and not _in_front_section(state) and not _is_sentence(element):
        return  # the document header: symbols, dates, agenda items, title (a covering letter's sentences stay)
    _open_unit(state, _block_label(state, "bullet" if is_bullet else "para"), UnitKind.BLOCK, element)


def detect_numbered(elems: list[Element]) -> bool:
    """True when the document numbers its paragraphs 1, 2, 3, ...

    At least five in sequence; or, in a short document, two or more that read as
    paragraphs (sentences of some length, not items announced by a "...:" lead-in).
    """
    expected, first, lengths = 1, None, []
    for i, element in enumerate(elems):
        if element.kind is Kind.NUMBERED and element.number == expected:
            first = i if expected == 1 else first
            expected += 1
            lengths.append(len(_clean_inline(element.text)))
    count = expected - 1
    if count >= MIN_NUMBERED_PARAGRAPHS:
        return True
    if count < 2 or first is None:
        return False
    before = next((e for e in reversed(elems[:first]) if e.kind in (Kind.PROSE, Kind.BULLET)), None)
    lead_in = before is not None and _clean_inline(before.text).rstrip().endswith(":")
    return not lead_in and min(lengths) >= MIN_PARAGRAPH_CHARS


def parse_units(text: str, numbered: bool | None = None, page_starts: tuple[int, ...] = ()) -> list[Unit]:
    """Parse report text into citation units (numbered paragraphs, blocks, footnotes).

    Args:
        text: the document text (Markdown or plain text converted from a PDF).
        numbered: whether the document numbers its paragraphs; detected when None.
        page_starts: offsets where pages start in `text` (from a paged reader); each
            unit then records the page it starts on.
    """
    elems = elements(text)
    state = _State(numbered_mode=detect_numbered(elems) if numbered is None else numbered)
    for element in elems:
        if element.kind is Kind.HEADING:
            _on_heading(state, element)
        elif element.kind is Kind.FOOTNOTE:
            _on_footnote(state, element)
        elif element.kind is Kind.NUMBERED:
            _on_numbered(state, element)
        elif element.kind in (Kind.BULLET, Kind.PROSE):
            _on_text(state, element)
        elif element.kind is Kind.TABLE:
            _on_table(state, element)
        if element.kind is not Kind.TABLE:
            state.last_table = None
    plain = frozenset(n for n in state.note_numbers if _is_plain(elems, n))
    return [_finish(unit, plain, page_starts) for unit in state.units]


def _is_plain(elems: list[Element], number: int) -> bool:
    return any(e.kind is Kind.FOOTNOTE and e.number == number and e.plain_marker for e in elems)


def _finish(unit: _Open, plain_numbers: frozenset[int], page_starts: tuple[int, ...] = ()) -> Unit:
    text, markers = extract_markers(_clean_inline(unit.text()), plain_numbers)
    text = re.sub(r"[ \t]+", " ", text).replace(" \n", "\n").strip()
    text = re.sub(r"\s+([,.;:])", r"\1", text) if unit.kind is UnitKind.FOOTNOTE else text
    return Unit(
        label=unit.label,
        kind=unit.kind,
        text=text,
        section=unit.section,
        footnotes=markers if unit.kind is not UnitKind.FOOTNOTE else (),
        order=unit.order,
        page=bisect_right(page_starts, unit.start) if page_starts else None,
    )

"""Read a DOCX report into text the structure parser understands.

Word keeps two things the parser needs outside the paragraph text: automatic paragraph
numbers (`w:numPr` on the paragraph or its style, counted per list definition, with
restarts) and footnotes (word/footnotes.xml, referenced by `w:footnoteReference`).
Numbers are written as "N. text"; reference marks become superscript digits numbered
in order of appearance, as Word prints them; the footnotes follow the body after a
`---` rule as "¹² text" lines.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.errors import IngestError
from ingest.records import RawText

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_SUPER = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_SKIP = {f"{W}pPr", f"{W}rPr", f"{W}del", f"{W}moveFrom", f"{W}commentRangeStart"}
# Word's built-in headings, and the UN templates' HCh, H1, H23, H4 ... (Geneva: HCh_G, H1_G).
_HEADING_STYLE = re.compile(r"^(?:heading\s*\d|title|hch|h\d+)(?:_g)?$", re.I)
_TYPED_NUMBER = re.compile(r"^\d{1,3}\.\s")


def _val(element: Any, tag: str) -> str | None:
    child = element.find(f"{W}{tag}") if element is not None else None
    return None if child is None else child.get(f"{W}val")


def _int(value: str | None, default: int = 0) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _on(element: Any, tag: str) -> bool:
    """A toggle property such as <w:b/> or <w:b w:val="0"/>."""
    child = element.find(f"{W}{tag}") if element is not None else None
    return child is not None and child.get(f"{W}val", "1") not in ("0", "false", "off")


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
                start = _int(_val(lvl, "start"), 1)
                fmt, text = _val(lvl, "numFmt") or "decimal", _val(lvl, "lvlText") or ""
                levels[_int(lvl.get(f"{W}ilvl"))] = (start, fmt, text)
        for num in root.iter(f"{W}num") if root is not None else ():
            restarts = {
                _int(o.get(f"{W}ilvl")): _int(_val(o, "startOverride"), 1)
                for o in num.iter(f"{W}lvlOverride") if o.find(f"{W}startOverride") is not None
            }
            numbering.nums[num.get(f"{W}numId", "")] = (_val(num, "abstractNumId") or "", restarts)
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


class _Styles:
    """What a paragraph inherits from its style: numbering, heading level, bold."""

    def __init__(self, document: Any) -> None:
        self.by_id = {s.style_id: s for s in document.styles if s.type is not None and s.style_id}

    def _chain(self, style_id: str | None) -> Iterator[Any]:
        seen = set()
        while style_id and style_id in self.by_id and style_id not in seen:
            seen.add(style_id)
            style = self.by_id[style_id]
            yield style
            style_id = style.base_style.style_id if style.base_style is not None else None

    def num_pr(self, style_id: str | None) -> tuple[str, int] | None:
        for style in self._chain(style_id):
            num_pr = style.element.find(f"{W}pPr/{W}numPr")
            if num_pr is not None:
                return _val(num_pr, "numId") or "0", _int(_val(num_pr, "ilvl"))
        return None

    def heading(self, style_id: str | None) -> bool:
        for style in self._chain(style_id):
            outline = _val(style.element.find(f"{W}pPr"), "outlineLvl")
            if _HEADING_STYLE.match(style.name or "") or _int(outline, 9) < 9:  # level 9 is body text
                return True
        return False

    def bold(self, style_id: str | None) -> bool:
        return any(_on(style.element.find(f"{W}rPr"), "b") for style in self._chain(style_id))


def _runs(element: Any) -> Iterator[Any]:
    """The runs of a paragraph in reading order, inside links, insertions and content controls."""
    for child in element:
        if child.tag == f"{W}r":
            yield child
        elif child.tag not in _SKIP:
            yield from _runs(child)


@dataclass
class _Text:
    """A paragraph's text, and whether all of it is bold."""

    text: str
    bold: bool


class _Body:
    """Text of paragraphs, with footnote reference marks numbered as Word prints them."""

    def __init__(self, styles: _Styles) -> None:
        self.styles = styles
        self.footnote_order: dict[str, int] = {}

    def paragraph(self, p: Any, style_id: str | None) -> _Text:
        """The text of paragraph `p` (whitespace collapsed) and whether it is all bold."""
        pieces: list[str] = []
        all_bold, style_bold = True, self.styles.bold(style_id)
        for run in _runs(p):
            rpr = run.find(f"{W}rPr")
            superscript = _val(rpr, "vertAlign") == "superscript"
            bold = _on(rpr, "b") if rpr is not None and rpr.find(f"{W}b") is not None else style_bold
            for child in run:
                text = self._piece(child, superscript)
                if text.strip() and child.tag != f"{W}footnoteReference":
                    all_bold = all_bold and bold
                pieces.append(text)
        text = " ".join("".join(pieces).split())
        return _Text(text, all_bold and bool(text))

    def _piece(self, child: Any, superscript: bool) -> str:
        tag = child.tag
        if tag == f"{W}t":
            text = child.text or ""
            return text.translate(_SUPER) if superscript and text.strip().isdigit() else text
        if tag in (f"{W}tab", f"{W}br", f"{W}cr"):
            return " "
        if tag == f"{W}noBreakHyphen":
            return "-"
        if tag == f"{W}footnoteReference" and child.get(f"{W}customMarkFollows") not in ("1", "true"):
            number = self.footnote_order.setdefault(child.get(f"{W}id", ""), len(self.footnote_order) + 1)
            return str(number).translate(_SUPER)
        return ""


def _blocks(container: Any) -> Iterator[Any]:
    """Paragraphs in reading order, including those in tables and content controls."""
    for child in container:
        if child.tag == f"{W}p":
            yield child
        elif child.tag in (f"{W}tbl", f"{W}tr", f"{W}tc", f"{W}sdt", f"{W}sdtContent", f"{W}customXml"):
            yield from _blocks(child)


def _footnotes(document: Any, body: _Body) -> dict[str, str]:
    """Footnote id -> text, from word/footnotes.xml (separators skipped)."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from lxml import etree

    part = next((rel.target_part for rel in document.part.rels.values()
                 if rel.reltype == RT.FOOTNOTES and not rel.is_external), None)
    if part is None:
        return {}
    root = etree.fromstring(part.blob)
    notes = {}
    for note in root.iter(f"{W}footnote"):
        if note.get(f"{W}type") in (None, "normal"):
            texts = [body.paragraph(p, _val(p.find(f"{W}pPr"), "pStyle")).text for p in _blocks(note)]
            notes[note.get(f"{W}id", "")] = " ".join(t for t in texts if t)
    return notes


def _header_text(document: Any) -> str:
    """The first section's page headers (UN templates print the symbol there)."""
    lines: list[str] = []
    section = document.sections[0] if document.sections else None
    for header in (section.first_page_header, section.header) if section is not None else ():
        if not header.is_linked_to_previous:
            texts = (" ".join("".join(t.text or "" for t in p.iter(f"{W}t")).split()) for p in _blocks(header._element))
            lines.extend(text for text in texts if text)
    return "\n".join(lines)


class DocxReader:
    """Word documents (.docx); old .doc files and damaged archives raise `IngestError`."""

    def read(self, path: Path) -> RawText:
        """Read body paragraphs (numbered as Word shows them) and footnotes."""
        import zipfile

        import docx
        from lxml.etree import XMLSyntaxError

        if not zipfile.is_zipfile(path):
            raise IngestError(path, "is not a DOCX file (a .docx is a zip package; an old .doc or another "
                                    "format renamed? save it from Word as .docx)")
        try:
            document = docx.Document(str(path))
        except Exception as exc:  # zip, package and XML errors of a damaged file all mean the same here
            reason = " ".join(str(exc).split())[:160] or type(exc).__name__
            raise IngestError(path, f"cannot be read as a DOCX (damaged file?): {reason}") from None
        try:
            return _read_document(document)
        except XMLSyntaxError as exc:  # a damaged footnotes part
            raise IngestError(path, f"cannot be read as a DOCX (damaged XML part): {exc}") from None


def _read_document(document: Any) -> RawText:
    styles = _Styles(document)
    try:
        numbering_root = document.part.numbering_part.element
    except (KeyError, NotImplementedError):
        numbering_root = None
    numbering = WordNumbering.from_part(numbering_root)
    body = _Body(styles)
    out: list[str] = []
    for p in _blocks(document.element.body):
        ppr = p.find(f"{W}pPr")
        style_id = _val(ppr, "pStyle")
        num_pr = ppr.find(f"{W}numPr") if ppr is not None else None
        where = (_val(num_pr, "numId") or "0", _int(_val(num_pr, "ilvl"))) if num_pr is not None else None
        where = where or styles.num_pr(style_id)
        para = body.paragraph(p, style_id)
        label = numbering.label(*where) if where and where[0] != "0" else None
        if not para.text:
            continue
        text = f"{label} {para.text}" if label else para.text
        if styles.heading(style_id):
            text = f"## {text}"
        elif para.bold and not label and not _TYPED_NUMBER.match(text):  # a bold numbered paragraph stays one
            text = f"**{text}**"
        out.append(text)
    notes = _footnotes(document, body)
    if body.footnote_order:
        out.append("---")
        for note_id, number in sorted(body.footnote_order.items(), key=lambda item: item[1]):
            if notes.get(note_id):  # a missing one is reported by the loader's marker check
                out.append(f"{str(number).translate(_SUPER)} {notes[note_id]}")
    header = _header_text(document)
    text = "\n\n".join(out) + "\n"
    return RawText(text, header=f"{header}\n{text}" if header else "")

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
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.docx_numbering import W, WordNumbering, xml_int, xml_val
from ingest.errors import IngestError
from ingest.records import RawText

_SUPER = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_SKIP = {f"{W}pPr", f"{W}rPr", f"{W}del", f"{W}moveFrom", f"{W}commentRangeStart"}
# Word's built-in headings, and the UN templates' HCh, H1, H23, H4 ... (Geneva: HCh_G, H1_G).
_HEADING_STYLE = re.compile(r"^(?:heading\s*\d|title|hch|h\d+)(?:_g)?$", re.I)
_CAPTION = re.compile(r"^\([^()]{3,100}\)$")
_TYPED_NUMBER = re.compile(r"^\d{1,3}\.\s")


def _on(element: Any, tag: str) -> bool:
    """A toggle property such as <w:b/> or <w:b w:val="0"/>."""
    child = element.find(f"{W}{tag}") if element is not None else None
    return child is not None and child.get(f"{W}val", "1") not in ("0", "false", "off")


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
                return xml_val(num_pr, "numId") or "0", xml_int(xml_val(num_pr, "ilvl"))
        return None

    def heading(self, style_id: str | None) -> bool:
        for style in self._chain(style_id):
            outline = xml_val(style.element.find(f"{W}pPr"), "outlineLvl")
            if _HEADING_STYLE.match(style.name or "") or xml_int(outline, 9) < 9:  # level 9 is body text
                return True
        return False

    def table_note(self, style_id: str | None) -> bool:
        """UN Word files set the notes of a table in the body with the style "footnote text"."""
        style = self.by_id.get(style_id or "")
        return style is not None and (style.name or "").lower() == "footnote text"

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
            superscript = xml_val(rpr, "vertAlign") == "superscript"
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
            texts = [body.paragraph(p, xml_val(p.find(f"{W}pPr"), "pStyle")).text for p in _blocks(note)]
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


def _items(container: Any) -> Iterator[Any]:
    """Top-level paragraphs and tables in reading order (inside content controls too)."""
    for child in container:
        if child.tag in (f"{W}p", f"{W}tbl"):
            yield child
        elif child.tag in (f"{W}sdt", f"{W}sdtContent", f"{W}customXml"):
            yield from _items(child)


@dataclass
class _Writer:
    """Turns Word paragraphs and tables into the parser's text, keeping list counters and footnote order."""

    styles: _Styles
    numbering: WordNumbering
    body: _Body

    def paragraph(self, p: Any) -> tuple[str, bool]:
        """(text as the parser reads it, whether it is a table note), "" for an empty paragraph."""
        ppr = p.find(f"{W}pPr")
        style_id = xml_val(ppr, "pStyle")
        num_pr = ppr.find(f"{W}numPr") if ppr is not None else None
        where = (xml_val(num_pr, "numId") or "0", xml_int(xml_val(num_pr, "ilvl"))) if num_pr is not None else None
        where = where or self.styles.num_pr(style_id)
        para = self.body.paragraph(p, style_id)
        label = self.numbering.label(*where) if where and where[0] != "0" else None
        if not para.text:
            return "", False
        text = f"{label} {para.text}" if label else para.text
        if self.styles.heading(style_id):
            return f"## {text}", False
        if self.styles.table_note(style_id):  # "a Estimates as at ...": notes under a table, in the body
            return f"| {text}", True
        if para.bold and not label and not _TYPED_NUMBER.match(text):  # a bold numbered paragraph stays one
            return f"**{text}**", False
        return text, False

    def table(self, tbl: Any) -> str:
        """A table as Markdown rows, one per Word row, cells separated by `|`.

        A table of one column is a box drawn around text (the Summary on a report's first
        page): its paragraphs are read as paragraphs.
        """
        rows = tbl.findall(f"{W}tr")
        if all(len(tr.findall(f"{W}tc")) <= 1 for tr in rows):
            items = (item for tr in rows for tc in tr.findall(f"{W}tc") for item in _items(tc))
            texts = (self.table(item) if item.tag == f"{W}tbl" else self.paragraph(item)[0] for item in items)
            return "\n\n".join(t for t in texts if t)
        rows = []
        for tr in tbl.iter(f"{W}tr"):
            cells = [" ".join(t for t in (self.paragraph(p)[0] for p in _blocks(tc)) if t) for tc in tr.iter(f"{W}tc")]
            if any(cells):
                rows.append("| " + " | ".join(cell.replace("|", "/") for cell in cells) + " |")
        return "\n".join(rows)


def _read_document(document: Any) -> RawText:
    styles = _Styles(document)
    try:
        numbering_root = document.part.numbering_part.element
    except (KeyError, NotImplementedError):
        numbering_root = None
    writer = _Writer(styles, WordNumbering.from_part(numbering_root), _Body(styles))
    out: list[str] = []
    for item in _items(document.element.body):
        if item.tag == f"{W}tbl":
            captions: list[str] = []
            while out and _CAPTION.match(out[-1]):  # "(Thousands of United States dollars)" heads the table
                captions.insert(0, f"| {out.pop()}")
            text = "\n".join([*captions, writer.table(item)])
        else:
            text = writer.paragraph(item)[0]
        if text:
            out.append(text)
    body = writer.body
    notes = _footnotes(document, body)
    if body.footnote_order:
        out.append("---")
        for note_id, number in sorted(body.footnote_order.items(), key=lambda item: item[1]):
            if notes.get(note_id):  # a missing one is reported by the loader's marker check
                out.append(f"{str(number).translate(_SUPER)} {notes[note_id]}")
    header = _header_text(document)
    text = "\n\n".join(out) + "\n"
    return RawText(text, header=f"{header}\n{text}" if header else "")

"""Build DOCX files the way Word saves them: automatic numbering, real footnotes, links.

python-docx writes paragraphs and runs but neither numbering definitions nor footnotes,
so this builder adds the `w:abstractNum`/`w:num` entries and a word/footnotes.xml part
itself. Footnote ids deliberately do not equal the printed numbers (Word numbers
footnotes by the order of their references, not by id).
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

import docx
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_LEVEL = (
    '<w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>'
    '<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/></w:lvl>'
)
_ABSTRACT = {  # abstractNumId: levels (format, level text) for ilvl 0 and 1
    10: [("decimal", "%1."), ("lowerLetter", "(%2)")],
    11: [("bullet", "•"), ("bullet", "-")],
    12: [("lowerLetter", "(%1)"), ("lowerRoman", "(%2)")],
}


class DocxBuilder:
    """A DOCX under construction; `save` writes it."""

    PARAGRAPHS = 1  # numId: report paragraphs "1.", "2.", ...; level 1 "(a)"
    BULLETS = 2  # numId: bullets
    LETTERS = 3  # numId: "(a)", "(b)" lists
    LETTERS_RESTART = 4  # numId: the same list definition, restarting at (a)

    def __init__(self) -> None:
        self.document = docx.Document()
        self._footnotes: list[str] = []
        self._define_numbering()

    def _define_numbering(self) -> None:
        numbering = self.document.part.numbering_part.element
        first_num = numbering.find(qn("w:num"))
        for abstract_id, levels in _ABSTRACT.items():
            xml = "".join(
                _LEVEL.format(ilvl=i, start=1, fmt=fmt, text=escape(text)) for i, (fmt, text) in enumerate(levels)
            )
            element = parse_xml(f'<w:abstractNum {W_NS} w:abstractNumId="{abstract_id}">{xml}</w:abstractNum>')
            if first_num is not None:
                first_num.addprevious(element)
            else:
                numbering.append(element)
        nums = {self.PARAGRAPHS: (10, ""), self.BULLETS: (11, ""), self.LETTERS: (12, ""),
                self.LETTERS_RESTART: (12, '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride>')}
        for num_id, (abstract_id, override) in nums.items():
            numbering.append(parse_xml(
                f'<w:num {W_NS} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/>{override}</w:num>'
            ))

    def restart(self, abstract_id: int) -> int:
        """A new list instance of `abstract_id` that starts again at 1; returns its numId."""
        numbering = self.document.part.numbering_part.element
        num_id = 100 + len(numbering.findall(qn("w:num")))
        numbering.append(parse_xml(
            f'<w:num {W_NS} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/>'
            '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>'
        ))
        return num_id

    def first_page_header(self, lines: tuple[str, ...]) -> None:
        """Print `lines` in the first page's header only (where UN templates put the symbol)."""
        section = self.document.sections[0]
        section.different_first_page_header_footer = True
        header = section.first_page_header
        header.paragraphs[0].text = lines[0] if lines else ""
        for line in lines[1:]:
            header.add_paragraph(line)

    def paragraph(self, style: str | None = None, num: tuple[int, int] | None = None):
        """A new body paragraph, optionally numbered with (numId, ilvl)."""
        para = self.document.add_paragraph(style=style)
        if num is not None:
            ppr = para._p.get_or_add_pPr()
            ppr.append(parse_xml(
                f'<w:numPr {W_NS}><w:ilvl w:val="{num[1]}"/><w:numId w:val="{num[0]}"/></w:numPr>'
            ))
        return para

    def run(self, para, text: str, bold: bool = False, italic: bool = False, superscript: bool = False) -> None:
        """Append a run of text."""
        run = para.add_run(text)
        run.bold = bold or None
        run.italic = italic or None
        if superscript:
            run.font.superscript = True

    def hyperlink(self, para, text: str, url: str) -> None:
        """Append an external link (its runs sit inside w:hyperlink, not directly in w:p)."""
        rid = self.document.part.relate_to(url, RT.HYPERLINK, is_external=True)
        para._p.append(parse_xml(
            f'<w:hyperlink {nsdecls("w", "r")} r:id="{rid}"><w:r><w:rPr><w:rStyle w:val="Hyperlink"/></w:rPr>'
            f"<w:t xml:space=\"preserve\">{escape(text)}</w:t></w:r></w:hyperlink>"
        ))

    def add_footnote(self, text: str) -> int:
        """Register a footnote; returns its w:id (printed numbers follow reference order)."""
        self._footnotes.append(text)
        return len(self._footnotes) + 7  # ids 0/1 are the separators; leave a gap on purpose

    def footnote_reference(self, para, footnote_id: int) -> None:
        """Append a superscript footnote reference mark."""
        para._p.append(parse_xml(
            f'<w:r {W_NS}><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
            f'<w:footnoteReference w:id="{footnote_id}"/></w:r>'
        ))

    def _footnotes_part(self) -> Part:
        notes = [
            '<w:footnote w:type="separator" w:id="0"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>',
            '<w:footnote w:type="continuationSeparator" w:id="1"><w:p><w:r><w:continuationSeparator/>'
            "</w:r></w:p></w:footnote>",
        ]
        for i, text in enumerate(self._footnotes):
            notes.append(
                f'<w:footnote w:id="{i + 8}"><w:p><w:pPr><w:pStyle w:val="FootnoteText"/></w:pPr>'
                '<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:footnoteRef/></w:r>'
                f'<w:r><w:t xml:space="preserve"> {escape(text)}</w:t></w:r></w:p></w:footnote>'
            )
        declaration = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        blob = f'{declaration}<w:footnotes {W_NS}>{"".join(notes)}</w:footnotes>'
        return Part(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, blob.encode("utf-8"), self.document.part.package)

    def save(self, path: Path) -> Path:
        """Write the document (with its footnotes part, if any) to `path`."""
        if self._footnotes:
            self.document.part.relate_to(self._footnotes_part(), RT.FOOTNOTES)
        self.document.save(str(path))
        return path

"""Write a numbered briefing as a .docx with real Word footnotes.

python-docx has no footnote API, so the footnotes part is written here: a
`word/footnotes.xml` part (the two separator notes Word expects, then one note per
reference), `w:footnoteReference` runs in the body, the "Footnote Text" and "Footnote
Reference" styles, and `w:footnotePr` in the settings. Word and LibreOffice open it as
native footnotes.
"""

from __future__ import annotations

import io
from datetime import date

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.oxml.parser import OxmlElement
from docx.shared import Pt, RGBColor
from lxml import etree

from assistant.outputs.briefing import Briefing, NumberedBriefing, item_notice, number_notes, source_line
from assistant.outputs.render import un_date

_SEPARATORS = (
    f'<w:footnotes {nsdecls("w")}>'
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
    'w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0" '
    'w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
    "</w:footnotes>"
)


def briefing_docx(briefing: Briefing, today: date | None = None) -> bytes:
    """The briefing as a Word document whose references are real footnotes."""
    numbered = number_notes(briefing)
    return write_docx(numbered, un_date((today or date.today()).isoformat()))


def write_docx(numbered: NumberedBriefing, today: str) -> bytes:
    """Render `numbered` (see `assistant.outputs.briefing.number_notes`) to .docx bytes."""
    document = Document()
    _add_styles(document)
    document.add_heading(numbered.title, level=0)
    intro = document.add_paragraph(f"Prepared on {today} from the Secretary-General's reports on the "
                                   "responsibility to protect.")
    intro.runs[0].italic = True
    for item, paragraphs in numbered.items:
        document.add_heading(item.question, level=1)
        for pieces in paragraphs:
            paragraph = document.add_paragraph()
            for piece in pieces:
                if piece.text:
                    paragraph.add_run(piece.text)
                if piece.note:
                    paragraph._p.append(_reference_run(piece.note))
        if text := item_notice(item):
            document.add_paragraph(text, style="Intense Quote")
    if numbered.documents:
        document.add_heading("Sources", level=1)
        for ref in numbered.documents:
            document.add_paragraph(source_line(ref), style="List Bullet")
    _add_footnotes(document, numbered.notes)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _add_styles(document) -> None:
    styles = document.styles
    normal = styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(11)
    text = styles.add_style("Footnote Text", WD_STYLE_TYPE.PARAGRAPH)
    text.base_style = normal
    text.font.size = Pt(9)
    text.paragraph_format.space_after = Pt(0)
    mark = styles.add_style("Footnote Reference", WD_STYLE_TYPE.CHARACTER)
    mark.font.superscript = True
    for name in ("Title", "Heading 1"):  # UN documents: black Times headings, not the theme's blue
        style = styles[name]
        style.font.name = "Times New Roman"
        style.font.color.rgb = RGBColor(0, 0, 0)
        fonts = style.element.rPr.rFonts
        for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(attribute), None)


def _style_props(kind: str, name: str):
    """`<w:rPr><w:rStyle w:val=name/></w:rPr>` for a run (kind "r"), or the `pPr`/`pStyle` pair for a paragraph."""
    props = OxmlElement(f"w:{kind}Pr")
    style = OxmlElement(f"w:{kind}Style")
    style.set(qn("w:val"), name)
    props.append(style)
    return props


def _reference_run(number: int):
    run = OxmlElement("w:r")
    run.append(_style_props("r", "FootnoteReference"))
    ref = OxmlElement("w:footnoteReference")
    ref.set(qn("w:id"), str(number))
    run.append(ref)
    return run


def _footnote(number: int, text: str):
    note = OxmlElement("w:footnote")
    note.set(qn("w:id"), str(number))
    para = OxmlElement("w:p")
    para.append(_style_props("p", "FootnoteText"))
    mark = _reference_run(number)
    mark.remove(mark[-1])
    mark.append(OxmlElement("w:footnoteRef"))
    para.append(mark)
    run = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    t.text = " " + text  # lxml escapes markup: document text stays text
    run.append(t)
    para.append(run)
    note.append(para)
    return note


def _add_footnotes(document, notes: tuple[str, ...]) -> None:
    root = parse_xml(_SEPARATORS)
    for number, text in enumerate(notes, 1):
        root.append(_footnote(number, text))
    blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    part = Part(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, blob, document.part.package)
    document.part.relate_to(part, RT.FOOTNOTES)
    settings = document.settings.element
    pr = parse_xml(f'<w:footnotePr {nsdecls("w")}><w:footnote w:id="-1"/><w:footnote w:id="0"/></w:footnotePr>')
    compat = settings.find(qn("w:compat"))
    if compat is not None:
        compat.addprevious(pr)
    else:
        settings.append(pr)

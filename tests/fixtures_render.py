"""Turn a bundled text report into the files users really have (see also fixtures_pdf).

`outline` reads a report into blocks (headings, numbered paragraphs with `<sup>N</sup>`
footnote markers, bullets, prose) and its footnotes; `render_docx` writes them as Word
does, with automatic numbering and real footnotes in word/footnotes.xml; `render_text`
writes them in the shape of the bundled conversions. Everything is built here: the
tests download nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ingest.elements import Kind, elements
from ingest.inline import clean_inline as _clean_inline
from tests.fixtures_docx import DocxBuilder

SUP_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")


@dataclass
class Block:
    """One body block of the report: heading, numbered paragraph, bullet or prose."""

    kind: str  # heading | numbered | bullet | prose
    text: str  # with <sup>N</sup> footnote markers
    number: int | None = None
    level: int = 0


@dataclass
class Outline:
    """The report as a layout engine needs it."""

    front: list[Block] = field(default_factory=list)  # the header before "Summary"
    body: list[Block] = field(default_factory=list)
    footnotes: dict[int, str] = field(default_factory=dict)


def up_to(report: Outline, last: int, footnotes: bool = True) -> Outline:
    """The report cut after numbered paragraph `last`, with the footnotes it still cites
    (or none, markers removed: fewer units to embed in tests that only need paragraphs).
    """
    body: list[Block] = []
    for block in report.body:
        if block.kind == "numbered" and (block.number or 0) > last:
            break
        text = block.text if footnotes else re.sub(r"<sup>\d+</sup>", "", block.text)
        body.append(Block(block.kind, text, block.number, block.level))
    cited = {int(n) for block in body for n in re.findall(r"<sup>(\d+)</sup>", block.text)}
    return Outline(report.front, body, {n: t for n, t in report.footnotes.items() if n in cited})


def render_text(report: Outline, out: Path) -> Path:
    """Write `report` in the shape of the bundled conversions (footnotes after a rule)."""
    parts = [f"**{b.text}**" for b in report.front]
    for block in report.body:
        prefix = {"numbered": f"{block.number}. ", "bullet": "- ", "heading": "## "}.get(block.kind, "")
        parts.append(prefix + block.text)
    parts += ["---"] + [f"<sup>{n}</sup> {text}" for n, text in sorted(report.footnotes.items())]
    out.write_text("\n\n".join(parts) + "\n", encoding="utf-8")
    return out


def _markers_as_tags(text: str) -> str:
    text = re.sub(r"\s?<sup>\s*(\d+)\s*</sup>", r"<sup>\1</sup>", text)
    return re.sub(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]+", lambda m: f"<sup>{m.group(0).translate(SUP_DIGITS)}</sup>", text)


def outline(path: Path) -> Outline:
    """Read a bundled report into blocks, re-joining paragraphs that its page breaks split."""
    out = Outline()
    in_front, after_footnotes = True, False
    for element in elements(path.read_text(encoding="utf-8")):
        text = _markers_as_tags(_clean_inline(element.text)).strip()
        if element.kind is Kind.RULE:
            after_footnotes = True
            continue
        if element.kind is Kind.FOOTNOTE:
            out.footnotes[element.number or 0] = text
            after_footnotes = True
            continue
        if in_front and (element.kind is Kind.NUMBERED or (element.kind is Kind.HEADING and (
                text.lower() == "summary" or element.level == 1))):
            in_front = False
        target = out.front if in_front else out.body
        if element.kind is Kind.PROSE and after_footnotes and target:
            target[-1].text += " " + text  # the paragraph resumes after the page's footnotes
        elif element.kind is Kind.HEADING:
            target.append(Block("heading", text, level=element.level))
        elif element.kind is Kind.NUMBERED:
            target.append(Block("numbered", text, number=element.number))
        else:
            target.append(Block("bullet" if element.kind is Kind.BULLET else "prose", text))
        after_footnotes = False
    return out


_SYMBOL_LINK = re.compile(r"\b([AS]/(?:RES/)?\d{2,4}/\d{1,4}(?:-S/\d{4}/\d{1,4})?)")


def _add_text(builder: DocxBuilder, para, text: str, footnote_ids: dict[int, int], **style) -> None:
    """Runs for `text`: <sup>N</sup> becomes a real footnote reference, symbols become links."""
    for piece in re.split(r"(<sup>\d+</sup>)", text):
        if m := re.fullmatch(r"<sup>(\d+)</sup>", piece):
            builder.footnote_reference(para, footnote_ids[int(m.group(1))])
            continue
        for i, part in enumerate(_SYMBOL_LINK.split(piece)):
            if i % 2:
                builder.hyperlink(para, part, f"https://undocs.org/{part}")
            elif part:
                builder.run(para, part, **style)


def render_docx(report: Outline, out: Path, symbols: tuple[str, ...] = ("A/69/981", "S/2015/500")) -> Path:
    """Write `report` as a DOCX: symbols in the first-page header, automatic numbering
    (a list starting again at 1 restarts, as Word does with a new list instance), real
    footnotes, Heading styles for sections I./A. and bold paragraphs for the rest.
    """
    builder = DocxBuilder()
    builder.first_page_header(symbols)
    footnote_ids = {n: builder.add_footnote(text) for n, text in sorted(report.footnotes.items())}
    paragraphs, last_number = builder.PARAGRAPHS, 0
    for block in [*report.front, *report.body]:
        in_front = any(block is b for b in report.front)
        if block.kind == "heading" and block.level in (1, 2) and not in_front:
            builder.run(builder.paragraph(style=f"Heading {block.level}"), block.text)
            continue
        if block.kind == "heading":
            builder.run(builder.paragraph(), block.text, bold=True, italic=block.text.lower() == "summary")
            continue
        num = None
        if block.kind == "numbered":
            if block.number == 1 and last_number:
                paragraphs = builder.restart(10)
            last_number, num = block.number or 0, (paragraphs, 0)
        elif block.kind == "bullet":
            num = (builder.BULLETS, 0)
        para = builder.paragraph(num=num)
        _add_text(builder, para, block.text, footnote_ids)
    return builder.save(out)

"""Render a report outline as a PDF laid out like a document from the UN's document system.

Running header with the symbol on two lines (alternating sides), footer with the job
number and a `3/21` page counter, job number with date stamp, barcode and "Please
recycle" on page 1, justified paragraphs that break across pages, superscript footnote
markers, footnotes at the page foot under a short rule, and line-end hyphenation (soft
breaks in long words and breaks after real hyphens). Also a scanned (image-only) PDF
and a password-protected copy, for the rejection tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from tests.fixtures_render import Block, Outline

PAGE_W, PAGE_H = 595.28, 841.89
LEFT, TEXT_X, RIGHT = 72.0, 100.0, 523.0
TOP, BOTTOM, BOTTOM_FIRST = 770.0, 72.0, 110.0
BODY, BOLD, BOLD_ITALIC = "Times-Roman", "Times-Bold", "Times-BoldItalic"
SUP_SIZE, NOTE_SIZE, NOTE_LEADING = 6.5, 8.0, 9.5
VOWELS = set("aeiouy")


@dataclass
class Seg:
    """A run of text in one font; `rise` lifts superscript markers."""

    text: str
    font: str
    size: float
    rise: float = 0.0


@dataclass
class Line:
    """One laid-out line: where it starts, its runs, and whether it is justified."""

    x: float
    segs: list[Seg]
    leading: float
    justify: float | None = None  # the width to justify to
    label: tuple[float, Seg] | None = None  # paragraph number or bullet, drawn at its own x
    markers: list[int] = field(default_factory=list)


def _words(text: str, font: str, size: float, sup_size: float) -> list[list[Seg]]:
    words: list[list[Seg]] = [[]]
    for piece in re.split(r"(<sup>\d+</sup>)", text):
        if m := re.fullmatch(r"<sup>(\d+)</sup>", piece):
            words[-1].append(Seg(m.group(1), font, sup_size, rise=size * 0.35))
            continue
        for i, word in enumerate(piece.split(" ")):
            if i:
                words.append([])
            if word:
                words[-1].append(Seg(word, font, size))
    return [w for w in words if w]


def _width(segs: list[Seg]) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return sum(stringWidth(s.text, s.font, s.size) for s in segs)


def _split_word(word: list[Seg], room: float) -> tuple[list[Seg], list[Seg]] | None:
    """Break a word at a real hyphen, or hyphenate a long lowercase word, to fit `room`."""
    if len(word) != 1:
        return None
    seg, text = word[0], word[0].text
    cuts = [i + 1 for i, ch in enumerate(text[:-2]) if ch == "-" and i > 1]
    core = text.rstrip(".,;:)”’")
    if not cuts and len(core) >= 9 and core.isalpha() and core.islower():
        cuts = [p for p in range(4, len(core) - 3)  # between two consonants after a vowel: "protec-tion"
                if core[p - 2] in VOWELS and not {core[p - 1], core[p]} & VOWELS]
        cuts = [-p for p in cuts]  # negative: a soft break that adds a hyphen
    for cut in sorted(cuts, key=abs, reverse=True):
        head = text[: abs(cut)] + ("-" if cut < 0 else "")
        if _width([Seg(head, seg.font, seg.size)]) <= room:
            return [Seg(head, seg.font, seg.size)], [Seg(text[abs(cut):], seg.font, seg.size)]
    return None


def wrap(text: str, font: str, size: float, first: float, rest: float) -> list[list[Seg]]:
    """Greedy line breaking into widths `first` then `rest`, hyphenating where needed."""
    space = _width([Seg(" ", font, size)])
    lines: list[list[Seg]] = [[]]
    used = 0.0
    words = _words(text, font, size, SUP_SIZE if size >= 9 else 5.0)
    while words:
        word = words.pop(0)
        room = (first if len(lines) == 1 else rest) - used - (space if lines[-1] else 0)
        if _width(word) <= room:
            if lines[-1]:
                lines[-1].append(Seg(" ", font, size))
            lines[-1].extend(word)
            used += _width(word) + (space if used else 0)
            continue
        split = _split_word(word, room) if lines[-1] else None
        if split:
            lines[-1].extend([Seg(" ", font, size), *split[0]])
            words.insert(0, split[1])
        else:
            words.insert(0, word)
        lines.append([])
        used = 0.0
    return [merge_segs(line) for line in lines if line]


def merge_segs(segs: list[Seg]) -> list[Seg]:
    """Join neighbouring runs of the same font, size and rise."""
    out: list[Seg] = []
    for seg in segs:
        if out and (out[-1].font, out[-1].size, out[-1].rise) == (seg.font, seg.size, seg.rise):
            out[-1] = Seg(out[-1].text + seg.text, seg.font, seg.size, seg.rise)
        else:
            out.append(seg)
    return out


def _markers(segs: list[Seg]) -> list[int]:
    return [int(s.text) for s in segs if s.rise]


def block_lines(block: Block) -> tuple[list[Line], float]:
    """Lay out one block; returns its lines and the space above it."""
    if block.kind == "heading":
        size = {0: 14.0, 1: 11.0}.get(block.level, 10.0)  # level 0: the document title
        font = BOLD_ITALIC if block.text.lower() == "summary" else BOLD
        m = re.match(r"^([IVXL]+\.|[A-H]\.)\s+(.*)$", block.text)
        label, text = (m.group(1), m.group(2)) if m else (None, block.text)
        x = LEFT if block.level == 0 else TEXT_X
        rows = wrap(text, font, size, RIGHT - x, RIGHT - x)
        lines = [Line(x, segs, size * 1.25) for segs in rows]
        if label:
            lines[0].label = (LEFT + (14 if block.level == 2 else 0), Seg(label, font, size))
        return lines, 12.0
    label_x, text_x, first_x, label = TEXT_X, TEXT_X, TEXT_X, None
    if block.kind == "numbered":
        first_x, label = TEXT_X + 28, f"{block.number}."
    elif block.kind == "bullet":
        label_x, text_x, first_x, label = TEXT_X + 10, TEXT_X + 24, TEXT_X + 24, "•"
    rows = wrap(block.text, BODY, 10.0, RIGHT - first_x, RIGHT - text_x)
    lines = [
        Line(first_x if i == 0 else text_x, segs, 12.0, justify=(RIGHT - (first_x if i == 0 else text_x))
             if i < len(rows) - 1 else None, markers=_markers(segs))
        for i, segs in enumerate(rows)
    ]
    if label:
        lines[0].label = (label_x, Seg(label, BODY, 10.0))
    return lines, 6.0


@dataclass
class Page:
    """What one page holds: body lines at their positions, and the footnotes it prints."""

    lines: list[tuple[float, Line]] = field(default_factory=list)
    footnotes: list[int] = field(default_factory=list)


def note_lines(number: int, text: str) -> list[Line]:
    """A footnote at the page foot: superscript number, 8-point justified text."""
    rows = wrap(text, BODY, NOTE_SIZE, RIGHT - TEXT_X, RIGHT - TEXT_X)
    lines = [Line(TEXT_X, segs, NOTE_LEADING, justify=(RIGHT - TEXT_X) if i < len(rows) - 1 else None)
             for i, segs in enumerate(rows)]
    mark = Seg(str(number), BODY, 5.5, rise=3.0)
    lines[0].label = (TEXT_X - 2 - _width([mark]), mark)
    return lines


def _notes_height(notes: dict[int, list[Line]], numbers: list[int]) -> float:
    return 14 + sum(len(notes[n]) * NOTE_LEADING + 2 for n in numbers) if numbers else 0.0


def paginate(report: Outline) -> tuple[list[Page], dict[int, list[Line]]]:
    """Flow the blocks into pages, keeping each footnote on the page of its marker."""
    notes = {n: note_lines(n, text) for n, text in report.footnotes.items()}
    pages, placed = [Page()], set()
    y, bottom = TOP - 40, BOTTOM_FIRST
    blocks = list(report.front) + list(report.body)
    for i, block in enumerate(blocks):
        if block.kind == "heading" and i + 1 < len(blocks) and blocks[i + 1].text.startswith("Report of the"):
            block = Block("heading", block.text, level=0)
        lines, before = block_lines(block)
        if pages[-1].lines:
            y -= before
        keep = sum(line.leading for line in lines) + (26 if block.kind == "heading" else 0)
        if block.kind == "heading" and y - keep < bottom + _notes_height(notes, pages[-1].footnotes):
            pages.append(Page())
            y, bottom = TOP, BOTTOM
        for line in lines:
            new = [n for n in line.markers if n not in placed]
            if y - line.leading < bottom + _notes_height(notes, pages[-1].footnotes + new):
                pages.append(Page())
                y, bottom = TOP, BOTTOM
            y -= line.leading
            pages[-1].lines.append((y + 2, line))
            pages[-1].footnotes.extend(new)
            placed.update(new)
    return pages, notes


def _draw_line_word_style(c, baseline: float, line: Line) -> None:
    """As Word's PDF export draws: font size 1 scaled by the text matrix, superscripts moved
    up by a new text matrix instead of a text rise, no word-spacing operator.
    """
    text = c.beginText()
    runs = ([line.label] if line.label else []) + [(None, seg) for seg in line.segs]
    x = line.x
    for at, seg in runs:
        x = at if at is not None else x
        text.setTextTransform(seg.size, 0, 0, seg.size, x, baseline + seg.rise)
        text.setFont(seg.font, 1)
        text.textOut(seg.text)
        x = line.x if at is not None else x + _width([seg])
    c.drawText(text)


def _draw_line(c, baseline: float, line: Line, word_style: bool = False) -> None:
    if word_style:
        _draw_line_word_style(c, baseline, line)
        return
    if line.label:
        x, seg = line.label
        text = c.beginText(x, baseline)
        text.setFont(seg.font, seg.size)
        text.setRise(seg.rise)
        text.textOut(seg.text)
        c.drawText(text)
    text = c.beginText(line.x, baseline)
    spaces = sum(s.text.count(" ") for s in line.segs)
    if line.justify and spaces:
        text.setWordSpace((line.justify - _width(line.segs)) / spaces)
    for seg in line.segs:
        text.setFont(seg.font, seg.size)
        text.setRise(seg.rise)
        text.textOut(seg.text)
    c.drawText(text)


def _draw_furniture(c, number: int, total: int, symbols: tuple[str, ...], job: str, stamp: str) -> None:
    """What UN documents repeat on pages: symbol header, job number, counter, barcode."""
    if number == 1:
        c.setFont("Helvetica-Bold", 12)
        c.drawString(LEFT, 800, "United Nations")
        for i, symbol in enumerate(symbols):
            c.drawRightString(RIGHT, 800 - 14 * i, symbol)
        c.setFont("Helvetica", 8)
        c.drawString(LEFT, 64, f"{job} (E)    {stamp}")
        c.setFont("Courier", 12)
        c.drawString(LEFT, 46, f"*{job.replace('-', '')}*")
        c.setFont("Helvetica", 7)
        c.drawRightString(RIGHT, 46, "Please recycle")
        return
    c.setFont("Helvetica-Bold", 8.5)
    for i, symbol in enumerate(symbols):
        if number % 2:
            c.drawRightString(RIGHT, 806 - 10 * i, symbol)
        else:
            c.drawString(LEFT, 806 - 10 * i, symbol)
    c.setFont("Helvetica", 8)
    left, right = (job, f"{number}/{total}") if number % 2 else (f"{number}/{total}", job)
    c.drawString(LEFT, 40, left)
    c.drawRightString(RIGHT, 40, right)


def render_pdf(report: Outline, out: Path, symbols: tuple[str, ...] = ("A/69/981", "S/2015/500"),
               job: str = "15-11846", stamp: str = "140715", word_style: bool = False) -> Path:
    """Write `report` as a UN-style PDF; returns `out`.

    `word_style` draws text the way Word's PDF export does (scaled size-1 fonts,
    superscripts placed by their own text matrix, header and footer drawn last).
    """
    from reportlab.pdfgen import canvas

    pages, notes = paginate(report)
    c = canvas.Canvas(str(out), pagesize=(PAGE_W, PAGE_H), invariant=1)
    for number, page in enumerate(pages, 1):
        if not word_style:
            _draw_furniture(c, number, len(pages), symbols, job, stamp)
        for baseline, line in page.lines:
            _draw_line(c, baseline, line, word_style)
        if page.footnotes:
            bottom = BOTTOM_FIRST if number == 1 else BOTTOM
            y = bottom + _notes_height(notes, page.footnotes)
            c.setLineWidth(0.5)
            c.line(LEFT, y - 4, LEFT + 72, y - 4)
            y -= 12
            for n in page.footnotes:
                for line in notes[n]:
                    y -= NOTE_LEADING
                    _draw_line(c, y + 2, line, word_style)
                y -= 2
        if word_style:
            _draw_furniture(c, number, len(pages), symbols, job, stamp)
        c.showPage()
    c.save()
    return out


def render_scanned_pdf(out: Path) -> Path:
    """A PDF whose only page is an image of text, as a scanner makes it: no text layer."""
    from PIL import Image, ImageDraw
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    image = Image.new("L", (600, 800), 255)
    draw = ImageDraw.Draw(image)
    for row in range(60, 760, 18):
        draw.rectangle((60, row, 540 - (row * 7) % 90, row + 8), fill=30)  # lines of "text"
    c = canvas.Canvas(str(out), pagesize=(PAGE_W, PAGE_H))
    c.drawImage(ImageReader(image), 0, 0, PAGE_W, PAGE_H)
    c.showPage()
    c.save()
    return out


def encrypt_pdf(source: Path, out: Path, password: str = "secret") -> Path:
    """A password-protected copy of `source` (RC4, which pypdf writes without extras)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(source))
    writer.encrypt(user_password=password, owner_password=password + "-owner", algorithm="RC4-128")
    with out.open("wb") as fh:
        writer.write(fh)
    return out


def render_ocr_pdf(out: Path, lines: list[str], invisible: bool = True) -> Path:
    """A scanned page with an OCR text layer: the image, and `lines` over it (invisibly, as ocrmypdf draws them)."""
    from PIL import Image
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(out), pagesize=(PAGE_W, PAGE_H))
    c.drawImage(ImageReader(Image.new("L", (600, 800), 235)), 0, 0, PAGE_W, PAGE_H)
    text = c.beginText(72, 770)
    text.setTextRenderMode(3 if invisible else 0)
    text.setFont(BODY, 10)
    for line in lines:
        text.textLine(line)
    c.drawText(text)
    c.showPage()
    c.save()
    return out

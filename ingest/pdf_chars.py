"""Positioned text runs of a PDF's pages, read character by character with PDFium.

PDFium (through pypdfium2, Apache-2.0/BSD) places every character with its font, size
and weight and writes the spaces a reader sees, so words come out whole ("South", not
"So uth") where a run-based reader must guess spaces from gaps. Characters are grouped
into `Span`s of one style on one baseline; `ingest.pdf_layout` does the rest.
"""

from __future__ import annotations

import ctypes
import math
from dataclasses import dataclass, field
from pathlib import Path

from ingest.pdf_layout import Span

_HYPHEN_MARK = "\ufffe"  # PDFium's mark for a hyphen that ends a line (\x02 in some fonts)
_BULLETS = str.maketrans({"\x7f": "•", "\uf0b7": "•", "\uf076": "•", "\uf0d8": "•", "\uf0a7": "▪", "\uf0fc": "•",
                          _HYPHEN_MARK: "-", "\x02": "-", "\u00ad": "-", "\u00a0": " "})
# PDFium adds spaces where it sees a gap; Word's justified lines have real spaces down to
# 0.15 em, and PDFium's own below 0.22 em split words ("pri ce", "drone -").
_MIN_SPACE = 0.22
_ITALIC_FLAG = 1 << 6  # PDF font descriptor flag "Italic"


@dataclass
class PageText:
    """One page's spans, its box, and how many of its spans are drawn invisibly (an OCR layer)."""

    spans: list[Span]
    bottom: float
    height: float
    chars: int = 0  # spans with visible characters, counted at their first character
    invisible: int = 0  # of those, spans in render mode "invisible" (OCR text over a scan)
    scanned: bool = False  # most of the page is one image


@dataclass
class _Run:
    """A span being assembled."""

    chars: list[str] = field(default_factory=list)
    x: float = 0.0
    y: float = 0.0
    end: float = 0.0
    style: tuple[float, bool, bool] = (0.0, False, False)

    def span(self) -> Span:
        size, bold, italic = self.style
        return Span("".join(self.chars).translate(_BULLETS), self.x, self.y, size, bold, italic, self.end)


class _CharReader:
    """Reads one text page's characters through PDFium's C API (one call per property)."""

    def __init__(self, textpage) -> None:  # noqa: ANN001 - a pypdfium2 PdfTextPage
        import pypdfium2.raw as pdfium_c

        self.c = pdfium_c
        self.textpage = textpage  # keeps the page's text alive while `tp` is used
        self.tp = textpage.raw
        self.count = pdfium_c.FPDFText_CountChars(self.tp)
        self._x, self._y = ctypes.c_double(), ctypes.c_double()
        self._box = [ctypes.c_double() for _ in range(4)]
        self._flags = ctypes.c_int()
        self._name = ctypes.create_string_buffer(96)
        self._matrix = pdfium_c.FS_MATRIX()

    def char(self, i: int) -> str:
        return chr(self.c.FPDFText_GetUnicode(self.tp, i))

    def generated(self, i: int) -> bool:
        return bool(self.c.FPDFText_IsGenerated(self.tp, i))

    def origin(self, i: int) -> tuple[float, float]:
        self.c.FPDFText_GetCharOrigin(self.tp, i, self._x, self._y)
        return self._x.value, self._y.value

    def box(self, i: int) -> tuple[float, float]:
        left, right, bottom, top = self._box
        self.c.FPDFText_GetCharBox(self.tp, i, left, right, bottom, top)
        return left.value, right.value

    def style(self, i: int) -> tuple[float, bool, bool]:
        self.c.FPDFText_GetFontInfo(self.tp, i, self._name, len(self._name), self._flags)
        name = self._name.value.decode("latin-1").lower()
        weight = self.c.FPDFText_GetFontWeight(self.tp, i)
        bold = weight >= 600 or any(w in name for w in ("bold", "black", "heavy", "semibold", "demi"))
        italic = bool(self._flags.value & _ITALIC_FLAG) or "italic" in name or "oblique" in name
        self.c.FPDFText_GetMatrix(self.tp, i, self._matrix)  # Word draws size-1 fonts scaled by the matrix
        scale = math.hypot(self._matrix.c, self._matrix.d) or 1.0
        return round(self.c.FPDFText_GetFontSize(self.tp, i) * scale, 2), bold, italic

    def upright(self, i: int) -> bool:
        return abs(self.c.FPDFText_GetCharAngle(self.tp, i)) < 0.01

    def invisible(self, i: int) -> bool:
        obj = self.c.FPDFText_GetTextObject(self.tp, i)
        return bool(obj) and self.c.FPDFTextObj_GetTextRenderMode(obj) == self.c.FPDF_TEXTRENDERMODE_INVISIBLE


class _SpanBuilder:
    """Collects characters into spans: one style, one baseline, no column gap."""

    def __init__(self, page: PageText) -> None:
        self.page = page
        self.run: _Run | None = None
        self.space = False  # PDFium put a space of its own here; kept only if there is room for one

    def close(self) -> None:
        if self.run is not None:
            self.page.spans.append(self.run.span())
        self.run, self.space = None, False

    def add(self, ch: str, x: float, y: float, style: tuple[float, bool, bool], box: tuple[float, float]) -> bool:
        """Add a character; True if it starts a new span."""
        run, size = self.run, max(style[0], 1.0)
        same_line = run is not None and abs(y - run.y) < 0.3 * size and run.end - size < x < run.end + size
        if run is None or style != run.style or not same_line:
            self.close()
            run = self.run = _Run(x=x, y=y, style=style)
        elif self.space and box[0] - run.end >= _MIN_SPACE * size:
            run.chars.append(" ")
        self.space = False
        run.chars.append(ch)
        if ch.strip():
            run.end = max(run.end, box[1])
        return len(run.chars) == 1


def page_spans(page) -> PageText:  # noqa: ANN001 - a pypdfium2 PdfPage
    """The spans of one page, in PDFium's reading order."""
    left, bottom, right, top = page.get_bbox()
    reader = _CharReader(page.get_textpage())
    out = PageText([], bottom, top - bottom)
    builder = _SpanBuilder(out)
    for i in range(reader.count):
        ch = reader.char(i)
        if ch in "\r\n":
            builder.close()
        elif reader.generated(i):
            builder.space = builder.space or ch == " "
        elif reader.upright(i):  # not a rotated margin note or stamp
            x, y = reader.origin(i)
            if builder.add(ch, x, y, reader.style(i), reader.box(i)) and ch.strip():
                out.chars += 1
                out.invisible += reader.invisible(i)
    builder.close()
    out.scanned = _has_page_image(page, (right - left) * (top - bottom))
    return out


def _has_page_image(page, area: float) -> bool:  # noqa: ANN001 - a pypdfium2 PdfPage
    """Is most of the page one image (a scan, whatever text may be laid over it)?"""
    import pypdfium2.raw as pdfium_c

    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2):
        left, bottom, right, top = obj.get_bounds()
        if (right - left) * (top - bottom) > 0.6 * area:
            return True
    return False


def read_pages(path: Path) -> list[PageText]:
    """Spans of every page of the PDF at `path` (opened and checked by the caller first)."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    try:
        return [page_spans(pdf[i]) for i in range(len(pdf))]
    finally:
        pdf.close()

"""Read a PDF report (as the UN document system serves it) into text the parser understands.

pypdf reports every run of text with its font and position; `ingest.pdf_layout` turns
runs into lines and blocks, `ingest.page_cleaning` drops page furniture and repairs
hyphenation. Each page is written as its body blocks, then a `---` rule and the
footnotes that start on it (`<sup>N</sup> text`), which is the shape of the bundled
text conversions, so the structure parser needs no PDF-specific rules.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from ingest.errors import IngestError
from ingest.page_cleaning import WordStats, is_furniture, is_repeated, join_broken_lines, repeated_margin_lines
from ingest.pdf_chars import read_pages
from ingest.pdf_footnotes import printed_number, read_footnotes
from ingest.pdf_layout import (
    TABLE_ROW,
    TextLine,
    blocks,
    body_size,
    group_lines,
    is_heading,
    is_table,
    line_pitch,
    split_foot,
)
from ingest.records import RawText

MARGIN = 0.12  # share of the page height at top and bottom where headers and footers live
OCR_WARNING = (
    "the text comes from an OCR layer over a scan: words and numbers may be misread, check quotations "
    "against the original; the symbol, title and date were read from the OCR text"
)
NO_TEXT = (
    "has no text layer (a scanned PDF?); OCR is not supported: get the text PDF from the UN "
    "document system, or add a text layer with an OCR tool (e.g. `ocrmypdf in.pdf out.pdf`) and retry"
)


@dataclass
class PageLines:
    """One page's lines, and the part of them that is page body."""

    lines: list[TextLine]
    bottom: float
    height: float
    body: list[tuple[bool, list[str]]] = field(default_factory=list)  # (is heading, lines with markers)
    notes: list[int] = field(default_factory=list)  # footnotes that start on this page
    has_foot: bool = False  # footnote text at its foot (new or continued)


@contextmanager
def _quiet_pypdf() -> Iterator[None]:
    """Silence pypdf's warnings (it logs every oddity of a PDF); users get one-line errors."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _open(path: Path):  # noqa: ANN202 - pypdf.PdfReader, imported lazily
    import pypdf
    from pypdf.errors import DependencyError

    with path.open("rb") as fh:
        head = fh.read(1024)
    if b"%PDF-" not in head:
        shown = " ".join(head[:40].decode("latin-1").split())
        raise IngestError(path, f"is not a PDF (it starts with {shown!r}; an error page saved as .pdf?)")
    try:
        pdf = pypdf.PdfReader(path, strict=False)
        if pdf.is_encrypted:
            try:
                opened = pdf.decrypt("")  # owner-password-only PDFs open without a password
            except DependencyError:
                raise IngestError(path, "is encrypted with AES, which needs the `cryptography` package: "
                                        "`pip install cryptography`, or save an unprotected copy") from None
            if not opened:
                raise IngestError(path, "is encrypted (password-protected); save an unprotected copy and retry")
        if len(pdf.pages) == 0:
            raise IngestError(path, "the PDF has no pages")
        return pdf
    except IngestError:
        raise
    except Exception as exc:  # pypdf raises many types on damaged input; all mean the same to users
        raise IngestError(path, f"cannot be read as a PDF (damaged or incomplete file?): {_reason(exc)}") from None


def _reason(exc: Exception) -> str:
    return " ".join(str(exc).split())[:160] or type(exc).__name__


class PdfReader:
    """PDF files with a text layer; scanned, encrypted or damaged files raise `IngestError`."""

    def read(self, path: Path) -> RawText:
        """Read every page, clean it, and lay the text out for the structure parser."""
        with _quiet_pypdf():
            _open(path)
        try:
            texts = read_pages(path)
        except Exception as exc:  # damaged content streams, bad fonts
            raise IngestError(path, f"cannot be read as a PDF (damaged page?): {_reason(exc)}") from None
        pages = [PageLines(group_lines(t.spans), t.bottom, t.height) for t in texts]
        _check_text_layer(path, pages)
        blank = [str(i) for i, page in enumerate(pages, 1) if not page.lines]
        raw = layout_text(pages)
        warnings = []
        if blank:  # a partly scanned file: say which pages are missing
            warnings.append(f"pages without a text layer (scanned?), their text is missing: {', '.join(blank)}")
        invisible = sum(t.invisible for t in texts) > 0.5 * max(1, sum(t.chars for t in texts))  # text drawn invisibly
        ocr = invisible or sum(t.scanned for t in texts if t.chars) > 0.5 * max(1, sum(1 for t in texts if t.chars))
        if ocr:
            warnings.append(OCR_WARNING)
        return replace(raw, warnings=(*raw.warnings, *warnings), ocr=ocr)


def _check_text_layer(path: Path, pages: list[PageLines]) -> None:
    chars = "".join(line.text(markers=False) for page in pages for line in page.lines)
    visible = [ch for ch in chars if not ch.isspace()]
    if len(visible) < 20:
        raise IngestError(path, NO_TEXT)
    readable = sum(1 for ch in visible if ch.isalnum() or ch in ".,;:()'’“”\"-–—/%")
    if readable < 0.7 * len(visible):
        raise IngestError(path, "its text layer cannot be decoded (fonts without a Unicode map); "
                                "export the PDF again or use the DOCX version")


def _in_margin(line: TextLine, page: PageLines) -> bool:
    share = (line.y - page.bottom) / page.height if page.height else 0.5
    return share < MARGIN or share > 1 - MARGIN


def _strip_furniture(pages: list[PageLines]) -> None:
    margins = [[(line.text(), line.y) for line in page.lines if _in_margin(line, page)] for page in pages]
    repeated = repeated_margin_lines(margins)

    def furniture(line: TextLine, page: PageLines) -> bool:
        text = line.text()
        return _in_margin(line, page) and (is_furniture(text) or is_repeated(text, line.y, repeated))

    for page in pages:
        page.lines = [line for line in page.lines if not furniture(line, page)]


def _header_text(lines: list[TextLine], pitch: float, body: float) -> str:
    """The first page as one line per block (furniture included): what metadata detection reads."""
    texts = [[line.text(markers=False) for line in block] for block in blocks(lines, pitch, body)]
    stats = WordStats(line for block in texts for line in block)
    return "\n".join(" ".join(join_broken_lines(block, stats)) for block in texts)


def layout_text(pages: list[PageLines]) -> RawText:
    """Text for the structure parser, with page starts and the first page for metadata."""
    first_page = list(pages[0].lines)
    _strip_furniture(pages)
    body = body_size([page.lines for page in pages])
    pitch = line_pitch([page.lines for page in pages], body)
    header = _header_text(first_page, pitch, body)
    notes: dict[int, list[str]] = {}
    markers_seen = False
    for index, page in enumerate(pages):
        main, foot = split_foot(page.lines, body)
        reading = read_footnotes(foot, notes, may_continue=index > 0 and pages[index - 1].has_foot)
        main += reading.body
        page.notes, page.has_foot = reading.started, reading.has_foot
        for heading, table, block in _page_blocks(blocks(main, pitch, body), body):
            lines = [line.text() for line in block]
            lines = [f"{TABLE_ROW}{line}" for line in lines] if table else lines
            markers_seen = markers_seen or any("<sup>" in line for line in lines)
            page.body.append((heading, lines))
    stats = WordStats(
        [*(ln for page in pages for _, block in page.body for ln in block), *(ln for n in notes.values() for ln in n)]
    )
    _join_across_pages(pages, stats)
    return _emit(pages, notes, stats, plain=not markers_seen, header=header)


def _page_blocks(page_blocks: list[list[TextLine]], body: float) -> list[tuple[bool, bool, list[TextLine]]]:
    """(is heading, is table, block) for a page's blocks.

    A table's caption, stub headings and label rows have no columns of their own: short
    unpunctuated blocks next to a table are taken into it.
    """
    kinds = [(is_heading(b, body), False, b) for b in page_blocks]
    kinds = [(h, not h and is_table(b, body), b) for h, _, b in kinds]
    changed = True
    while changed:
        changed = False
        for i, (heading, table, block) in enumerate(kinds):
            near = any(0 <= j < len(kinds) and kinds[j][1] for j in (i - 1, i + 1))
            if not heading and not table and near and all(_label_like(line) for line in block):
                kinds[i] = (False, True, block)
                changed = True
    return kinds


def _label_like(line: TextLine) -> bool:
    text = line.text(markers=False)
    return len(text) < 60 and not re.search(r"[.;:]$", text) and not re.match(r"\d{1,3}\.\s", text)


def _join_across_pages(pages: list[PageLines], stats: WordStats) -> None:
    """A word hyphenated over a page break: move the end of the word back to its start."""
    with_body = [page for page in pages if page.body]
    for page, following in zip(with_body, with_body[1:], strict=False):
        (heading, last), (_, first) = page.body[-1], following.body[0]
        if last[-1].endswith("-") and not heading and first[0][:1].islower():
            word, _, rest = first[0].partition(" ")
            joined = join_broken_lines([last[-1], word], stats)
            if len(joined) == 1:
                last[-1] = joined[0]
                first[0] = rest
                if not rest:
                    first.pop(0)
                    if not first:
                        following.body.pop(0)


def _emit(pages: list[PageLines], notes: dict[int, list[str]], stats: WordStats, plain: bool,
          header: str) -> RawText:
    """Each page's body blocks, then a rule and the footnotes that start on the page.

    Footnotes are written "N text" if the body carried no superscript markers, so that the
    parser's rules for plain markers apply.
    """
    parts: list[str] = []
    starts: list[int] = []
    offset = 0
    for page in pages:
        starts.append(offset)
        chunks = [
            f"**{' '.join(lines)}**" if heading else "\n".join(lines)
            for heading, lines in ((h, join_broken_lines(block, stats)) for h, block in page.body)
        ]
        if page.notes:
            chunks.append("---")
            for n in page.notes:
                text, shown = " ".join(join_broken_lines(notes[n], stats)), printed_number(n)
                chunks.append(f"{shown} {text}" if plain else f"<sup>{shown}</sup> {text}")
        page_text = "\n\n".join(chunk for chunk in chunks if chunk) + "\n\n"
        parts.append(page_text)
        offset += len(page_text)
    return RawText("".join(parts), tuple(starts), header=header)

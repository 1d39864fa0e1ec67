"""Readers turn a file into text (plus page starts where the format has pages).

One reader per format behind a one-method protocol: text and Markdown here, PDF in
`ingest.pdf_reader`, DOCX in `ingest.docx_reader`. Each writes the shape of the bundled
text conversions (numbered paragraphs, footnotes after a `---` rule), so the structure
parser has no format-specific rules.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from charset_normalizer import from_bytes

from ingest.docx_reader import DocxReader
from ingest.errors import IngestError
from ingest.page_cleaning import drop_text_furniture
from ingest.pdf_reader import PdfReader
from ingest.records import RawText

__all__ = ["READERS", "RawText", "Reader", "read_file", "supported_suffixes"]


class Reader(Protocol):
    """Reads one file format into `RawText`; raises `IngestError` for bad input."""

    def read(self, path: Path) -> RawText:
        """Return the text of `path`."""
        ...


def decode_text(data: bytes, path: Path) -> str:
    """Decode UTF-8 (with or without BOM), falling back to a detected legacy encoding."""
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise IngestError(path, "looks like a binary file, not text; give a .txt, .md, .pdf or .docx report")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise IngestError(path, "cannot detect the text encoding; save the file as UTF-8 and retry")
    text = str(best)
    if sum(1 for ch in text if ch.isprintable() or ch.isspace()) < 0.95 * len(text):
        raise IngestError(path, "does not decode to readable text; save the file as UTF-8 and retry")
    return text


class TextReader:
    """Plain text and Markdown (the bundled reports are Markdown-ish conversions of PDFs)."""

    def read(self, path: Path) -> RawText:
        """Read and decode a text file; page furniture a converter kept is dropped (the header keeps it)."""
        text = decode_text(path.read_bytes(), path)
        return RawText(drop_text_furniture(text), header=text)


READERS: dict[str, Reader] = {
    ".txt": TextReader(),
    ".md": TextReader(),
    ".markdown": TextReader(),
    ".pdf": PdfReader(),
    ".docx": DocxReader(),
}


def supported_suffixes() -> tuple[str, ...]:
    """File suffixes that ingestion accepts."""
    return tuple(sorted(READERS))


def read_file(path: Path) -> RawText:
    """Read `path` with the reader for its suffix, or raise a one-line `IngestError`."""
    if not path.exists():
        raise IngestError(path, "no such file or directory")
    if path.is_dir():
        raise IngestError(path, "is a directory; pass the files inside it or the folder to ingest")
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise IngestError(
            path, f"unsupported file type '{path.suffix or '(none)'}'; supported: {', '.join(supported_suffixes())}"
        )
    if path.stat().st_size == 0:
        raise IngestError(path, "the file is empty")
    raw = reader.read(path)
    if not raw.text.strip():
        raise IngestError(path, "the file contains no text")
    return raw

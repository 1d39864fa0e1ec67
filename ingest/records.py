"""Typed records that flow out of ingestion: one `Unit` per citable paragraph."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum


class UnitKind(StrEnum):
    """What a citation unit is: how it is labelled and cited."""

    NUMBERED = "numbered"  # "12" -> "A/69/981, para. 12"
    FOOTNOTE = "footnote"  # "fn20" -> "A/69/981, footnote 20"
    BLOCK = "block"  # "Summary, ¶2" -> "A/69/981, Summary, ¶2"


@dataclass(frozen=True)
class Unit:
    """One citable unit of a document, with its text as shown to users.

    `label` is the paragraph as printed ("12"), a footnote ("fn3") or a block label
    ("Section III, bullet 2"). `footnotes` lists the numbers of footnotes whose markers
    the text carried (markers themselves are removed from `text`).
    """

    label: str
    kind: UnitKind
    text: str
    section: tuple[str, ...] = ()
    footnotes: tuple[int, ...] = ()
    order: int = 0
    page: int | None = None

    @property
    def number(self) -> int | None:
        """The printed paragraph number, for numbered paragraphs."""
        return int(self.label) if self.kind is UnitKind.NUMBERED else None


@dataclass(frozen=True)
class DocumentMeta:
    """Bibliographic facts about one document (from the manifest or detected)."""

    doc_id: str
    symbol: str
    short_symbol: str
    title: str
    date: str = ""
    author: str = ""
    kind: str = ""
    source: str = "manifest"  # manifest | sidecar | detected | filename

    @property
    def year(self) -> int | None:
        """The year of the document, if its date carries one."""
        return int(self.date[:4]) if self.date[:4].isdigit() else None


@dataclass(frozen=True)
class Document:
    """A parsed document: its metadata, units in reading order, and source file."""

    meta: DocumentMeta
    units: tuple[Unit, ...]
    file: str
    content_hash: str = ""
    warnings: tuple[str, ...] = field(default=())

    def count(self, kind: UnitKind) -> int:
        """Number of units of one kind."""
        return sum(1 for unit in self.units if unit.kind is kind)

    def unit(self, label: str) -> Unit | None:
        """The unit with this label, if any."""
        return next((u for u in self.units if u.label == label), None)


def content_hash(text: str) -> str:
    """Short stable hash of a text, used in ids and change detection."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class RawText:
    """The text of a file, and the character offsets where pages start (if paged).

    `header` is what identifies the document without being part of its text (a PDF's
    first page before cleaning, a DOCX's page header): metadata detection reads it.
    `warnings` are problems worth telling the user that did not stop the reading.
    """

    text: str
    page_starts: tuple[int, ...] = ()
    header: str = ""
    warnings: tuple[str, ...] = ()
    ocr: bool = False  # the text is an OCR layer over scanned pages

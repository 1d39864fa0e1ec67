"""Records that vectorstore hands to the assistant: stored units and scored passages."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from ingest.records import Document, Unit, UnitKind


@dataclass(frozen=True)
class DocInfo:
    """What the store knows about one ingested document."""

    doc_id: str
    symbol: str
    short_symbol: str
    title: str
    date: str
    file: str
    author: str = ""
    kind: str = ""
    numbered_paragraphs: int = 0
    footnotes: int = 0
    blocks: int = 0
    content_hash: str = ""
    source: str = ""  # where the metadata came from: manifest | sidecar | detected | filename
    pages: int = 0  # for paged formats (PDF), else 0

    @property
    def year(self) -> int | None:
        """Year of the document, if known."""
        return int(self.date[:4]) if self.date[:4].isdigit() else None


@dataclass(frozen=True)
class StoredUnit:
    """A citation unit as stored: enough to display, cite and filter it."""

    unit_id: str
    doc_id: str
    label: str
    kind: UnitKind
    text: str
    section: tuple[str, ...] = ()
    footnotes: tuple[int, ...] = ()
    order: int = 0
    year: int | None = None
    page: int | None = None

    @property
    def citation(self) -> str:
        """UN-style reference: "A/69/981, para. 12", "A/69/981, footnote 20", or a block label."""
        if self.kind is UnitKind.NUMBERED:
            return f"{self.doc_id}, para. {self.label}"
        if self.kind is UnitKind.FOOTNOTE:
            return f"{self.doc_id}, footnote {self.label.removeprefix('fn')}"
        return f"{self.doc_id}, {self.label}"


@dataclass(frozen=True)
class Passage:
    """A retrieved unit with its score and the text of its attached footnotes."""

    unit: StoredUnit
    score: float
    footnote_texts: tuple[tuple[int, str], ...] = ()


def unit_id(doc_id: str, unit: Unit) -> str:
    """Deterministic id: document, label and a hash of everything stored for the unit."""
    payload = "\x1f".join([unit.text, " › ".join(unit.section), ",".join(map(str, unit.footnotes))])
    digest = hashlib.sha256(payload.encode("utf-8")).hexdigest()[:12]
    return f"{doc_id}|{unit.label}|{digest}"


def doc_info(document: Document) -> DocInfo:
    """Summary of a parsed document for the store's document records."""
    meta = document.meta
    return DocInfo(
        doc_id=meta.doc_id,
        symbol=meta.symbol,
        short_symbol=meta.short_symbol,
        title=meta.title,
        date=meta.date,
        file=document.file,
        author=meta.author,
        kind=meta.kind,
        numbered_paragraphs=document.count(UnitKind.NUMBERED),
        footnotes=document.count(UnitKind.FOOTNOTE),
        blocks=document.count(UnitKind.BLOCK),
        content_hash=document.content_hash,
        source=meta.source,
        pages=max((u.page or 0 for u in document.units), default=0),
    )

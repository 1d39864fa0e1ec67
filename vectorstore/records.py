"""Records that vectorstore hands to the assistant: stored units and scored passages."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from typing import NamedTuple

from ingest.records import Document, DocumentMeta, Unit, UnitKind


@dataclass(frozen=True)
class DocInfo(DocumentMeta):
    """What the store knows about one ingested document: its metadata, file and unit counts."""

    file: str = ""
    numbered_paragraphs: int = 0
    footnotes: int = 0
    blocks: int = 0
    content_hash: str = ""
    pages: int = 0  # for paged formats (PDF), else 0


class Window(NamedTuple):
    """A few sentences of a unit, the piece the embedder reads: its id, its unit's id, its text."""

    window_id: str
    unit_id: str
    text: str


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
    return DocInfo(
        **asdict(document.meta),
        file=document.file,
        numbered_paragraphs=document.count(UnitKind.NUMBERED),
        footnotes=document.count(UnitKind.FOOTNOTE),
        blocks=document.count(UnitKind.BLOCK),
        content_hash=document.content_hash,
        pages=max((u.page or 0 for u in document.units), default=0),
    )

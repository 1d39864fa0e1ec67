"""What the Streamlit app keeps and shows, as plain Python tested without Streamlit.

The chat session (questions, answers, the history sent with a follow-up), the sidebar's
filters, the model status line, the full-paragraph view of a citation, and saving an
uploaded report before ingestion. `app.py` only lays these out.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from assistant.records import Answer, Turn
from assistant.render import markdown_escape, un_date
from ingest.errors import IngestError
from ingest.loader import load_document
from ingest.readers import supported_suffixes
from ingest.records import UnitKind
from vectorstore.indexer import Indexer, IngestReport, write_manifest
from vectorstore.records import DocInfo, StoredUnit
from vectorstore.retriever import CorpusSnapshot, Filters

# -- chat ---------------------------------------------------------------------------------


@dataclass
class Exchange:
    """One question and its answer, plus what the user did with it."""

    question: str
    answer: Answer
    rating: str = ""  # "up" | "down" once rated
    in_briefing: bool = False
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:10])

    @property
    def rephrased(self) -> str:
        """The standalone question when the assistant reworded a follow-up, else ""."""
        standalone = self.answer.standalone_question.strip()
        return standalone if standalone and standalone != self.question.strip() else ""


@dataclass
class ChatSession:
    """The conversation of one browser session."""

    exchanges: list[Exchange] = field(default_factory=list)

    def history(self) -> list[Turn]:
        """Prior turns, as the assistant takes them for condensing a follow-up."""
        turns = []
        for ex in self.exchanges:
            turns += [Turn("user", ex.question), Turn("assistant", ex.answer.text)]
        return turns

    def add(self, question: str, answer: Answer) -> Exchange:
        """Record an answered question."""
        exchange = Exchange(question, answer)
        self.exchanges.append(exchange)
        return exchange

    def find(self, exchange_id: str) -> Exchange:
        """The exchange with this id."""
        return next(ex for ex in self.exchanges if ex.id == exchange_id)

    def clear(self) -> None:
        """Start a new chat."""
        self.exchanges.clear()


# -- sidebar ------------------------------------------------------------------------------


def doc_label(info: DocInfo) -> str:
    """How a document is named in pickers: "2015 · A/69/981 · A vital and enduring…"."""
    title = info.title if len(info.title) <= 60 else info.title[:59].rsplit(" ", 1)[0] + "…"
    return f"{info.year or '—'} · {info.doc_id} · {title}"


def year_options(docs: Sequence[DocInfo]) -> list[int]:
    """The years that documents in the corpus carry."""
    return sorted({d.year for d in docs if d.year})


def make_filters(doc_ids: Sequence[str] = (), years: Sequence[int] = ()) -> Filters:
    """Sidebar selections as retrieval filters (nothing selected: the whole corpus)."""
    return Filters(tuple(doc_ids), tuple(sorted(years)))


def docs_in_scope(docs: Sequence[DocInfo], filters: Filters) -> list[DocInfo]:
    """The documents a question will be searched in."""
    return [d for d in docs
            if (not filters.doc_ids or d.doc_id in filters.doc_ids) and (not filters.years or d.year in filters.years)]


@dataclass(frozen=True)
class ModelStatus:
    """The chat model in use and whether it can answer."""

    spec: str
    description: str
    error: str = ""  # why it is unavailable, with how to fix it

    @property
    def available(self) -> bool:
        """True when the model loaded."""
        return not self.error


def model_status(spec: str, error: Exception | None = None) -> ModelStatus:
    """Status line of model `spec`, loaded or failed with `error`."""
    from assistant.models import describe_model

    try:
        description = describe_model(spec)
    except Exception as exc:  # an unknown spec: its error says which specs exist
        return ModelStatus(spec, spec, str(error or exc))
    return ModelStatus(spec, description, str(error) if error else "")


# -- paragraph view ------------------------------------------------------------------------


def document_line(info: DocInfo | None, doc_id: str) -> str:
    """The header of a paragraph: "Title (A/69/981–S/2015/500, 13 July 2015)"."""
    if info is None:
        return doc_id
    when = f", {un_date(info.date)}" if info.date else ""
    return f"{info.title} ({info.symbol}{when})"


def paragraph_markdown(unit: StoredUnit, snapshot: CorpusSnapshot | None,
                       footnotes: Sequence[tuple[int, str]] = ()) -> str:
    """The full paragraph: document, section path, text and footnotes (all escaped)."""
    info = snapshot.docs.get(unit.doc_id) if snapshot else None
    notes = footnotes or (snapshot.footnote_texts(unit) if snapshot else ())
    lines = [f"**{markdown_escape(unit.citation)}** · {markdown_escape(document_line(info, unit.doc_id))}"]
    if unit.section:
        lines.append(f"*{markdown_escape(' › '.join(unit.section))}*")
    lines.append(markdown_escape(unit.text))
    if notes:
        lines.append("\n".join(f"- Footnote {n}: {markdown_escape(text)}" for n, text in notes))
    return "\n\n".join(lines)


def neighbours_markdown(unit: StoredUnit, snapshot: CorpusSnapshot, around: int = 1) -> str:
    """The paragraph between the ones just before and after it, each with its reference."""
    parts = []
    for other in sorted([*snapshot.neighbours(unit, around, around), unit], key=lambda u: u.order):
        where = "this paragraph" if other is unit else "before" if other.order < unit.order else "after"
        parts.append(f"**{markdown_escape(other.citation)}** ({where})\n\n{markdown_escape(other.text)}")
    return "\n\n---\n\n".join(parts)


def document_blocks(snapshot: CorpusSnapshot, doc_id: str) -> list[str]:
    """A document paragraph by paragraph, as Markdown blocks.

    A heading where the section changes, then each unit with its reference and its footnotes.
    """
    blocks: list[str] = []
    section: tuple[str, ...] = ()
    for unit in (u for u in snapshot.units if u.doc_id == doc_id and u.kind is not UnitKind.FOOTNOTE):
        if unit.section and unit.section != section:
            blocks.append(f"#### {markdown_escape(unit.section[-1])}")
        section = unit.section or section
        text = f"**{markdown_escape(unit.citation)}**  \n{markdown_escape(unit.text)}"
        notes = snapshot.footnote_texts(unit)
        if notes:
            text += "\n\n" + "\n>\n".join(f"> *Footnote {n}:* {markdown_escape(t)}" for n, t in notes)
        blocks.append(text)
    return blocks


# -- uploads ------------------------------------------------------------------------------


def save_upload(name: str, data: bytes, uploads_dir: Path, symbol: str = "", date: str = "",
                title: str = "") -> Path:
    """Save an uploaded report under `uploads_dir` (with a NAME.toml when metadata is given).

    Raises `IngestError` for a file type ingestion cannot read, with the CLI's message.
    """
    safe = re.sub(r"[^\w.\- ]+", "_", Path(name).name).strip(" .") or "report.txt"
    path = uploads_dir / safe
    if path.suffix.lower() not in supported_suffixes():
        raise IngestError(safe, f"unsupported file type '{path.suffix or '(none)'}'; "
                                f"supported: {', '.join(supported_suffixes())}")
    uploads_dir.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    sidecar = path.with_suffix(".toml")
    fields = {"id": symbol.split("–")[0].strip(), "symbol": symbol.strip(), "date": date.strip(),
              "title": title.strip()}
    if symbol.strip():
        sidecar.write_text("".join(f"{k} = {_toml_string(v)}\n" for k, v in fields.items() if v), encoding="utf-8")
    elif sidecar.exists():
        sidecar.unlink()
    return path


def ingest_saved(indexer: Indexer, paths: Sequence[Path], manifest: Path,
                 progress: Callable[[float, str], None] = lambda _done, _text: None) -> IngestReport:
    """Ingest saved files as `r2p ingest` does (manifest included), reporting (share done, what)."""
    total, embedded = max(1, sum(_unit_count(p) for p in paths)), 0

    def on_batch(doc_id: str, n: int) -> None:
        nonlocal embedded
        embedded += n
        progress(min(0.99, embedded / total), f"{doc_id}: {embedded} of about {total} units embedded")

    report = indexer.ingest_files(paths, on_batch=on_batch,
                                  on_file=lambda p: progress(min(0.99, embedded / total), f"Reading {p.name}"))
    write_manifest(manifest, indexer.store.document_records())
    progress(1.0, report.summary())
    return report


def _unit_count(path: Path) -> int:
    try:
        return len(load_document(path).units)
    except IngestError:
        return 0  # ingest_files reports the error


def _toml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + re.sub(r"[\x00-\x1f]", " ", escaped) + '"'

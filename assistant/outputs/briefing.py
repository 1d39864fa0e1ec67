"""Briefing notes: answers collected from the chat, edited, exported with UN-style references.

An item keeps its text with the answer's `[n]` markers, so a trainer can edit the wording
freely; on export every marker becomes a numbered footnote naming the document symbol,
its date and the paragraph ("A/66/874–S/2012/578 (25 July 2012), para. 12."), with
"Ibid." for a repeat, as the UN Editorial Manual does. Pure functions, no Streamlit.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from assistant.markers import MARKER
from assistant.outputs.render import collapse_repeated_markers, markdown_escape, un_date
from assistant.records import Answer
from vectorstore.records import DocInfo, StoredUnit

_SPACED_MARKER = re.compile(rf"\s*{MARKER.pattern}")  # a note mark replaces the space before it
DEFAULT_TITLE = "Briefing note: the responsibility to protect"


@dataclass(frozen=True)
class Reference:
    """Where a statement comes from: one paragraph of one document."""

    doc_id: str
    locator: str  # "para. 12", "footnote 3", "Summary, ¶2"
    symbol: str = ""  # full symbol, e.g. "A/66/874–S/2012/578"
    date: str = ""
    title: str = ""

    @property
    def short(self) -> str:
        """The reference as the chat shows it: "A/66/874, para. 12"."""
        return f"{self.doc_id}, {self.locator}"

    @property
    def full_symbol(self) -> str:
        """The full symbol ("A/66/874–S/2012/578"); a summary keeps its own key, not the report's."""
        return self.symbol if self.symbol and self.doc_id == self.symbol.split("–")[0] else self.doc_id

    def note(self) -> str:
        """Footnote text: symbol, date and paragraph, then the title."""
        when = f" ({un_date(self.date)})" if self.date else ""
        title = f", “{self.title}”" if self.title else ""
        return f"{self.full_symbol}{when}, {self.locator}{title}."


def reference_for(unit: StoredUnit, docs: Mapping[str, DocInfo]) -> Reference:
    """The `Reference` of a stored unit, with document details when the corpus knows them."""
    locator = unit.citation.removeprefix(f"{unit.doc_id}, ")
    info = docs.get(unit.doc_id)
    if info is None:
        return Reference(unit.doc_id, locator)
    return Reference(unit.doc_id, locator, info.symbol, info.date, info.title)


@dataclass(frozen=True)
class BriefingItem:
    """One answer in a briefing: heading, text with `[n]` markers, and what the markers cite."""

    question: str
    text: str
    references: tuple[tuple[int, Reference], ...] = ()
    unverified: tuple[str, ...] = ()  # sentences the assistant could not verify
    abstained: bool = False
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:10])

    def reference(self, marker: int) -> Reference | None:
        """The reference behind marker `[marker]`, if any."""
        return dict(self.references).get(marker)


def item_from_answer(answer: Answer, docs: Mapping[str, DocInfo]) -> BriefingItem:
    """A briefing item from a chat answer (the standalone question becomes the heading)."""
    refs = tuple((c.marker, reference_for(c.passage.unit, docs)) for c in answer.citations)
    text = collapse_repeated_markers(answer.text)
    others = "; ".join(p.unit.citation for p in answer.related)
    if answer.abstained and others:
        text += f" Related: {others}."
    elif answer.caution:  # kept in the editable text: the trainer checks, then deletes it
        text += f" (Check before use: {answer.caution}.{f' Other close paragraphs: {others}.' if others else ''})"
    return BriefingItem(answer.standalone_question or answer.question, text, refs, answer.flagged, answer.abstained)


@dataclass
class Briefing:
    """An ordered, editable list of items under a title."""

    title: str = DEFAULT_TITLE
    items: list[BriefingItem] = field(default_factory=list)

    def add(self, item: BriefingItem) -> None:
        """Append an item."""
        self.items.append(item)

    def index(self, item_id: str) -> int:
        """Position of an item; KeyError when it is not in the briefing."""
        for i, item in enumerate(self.items):
            if item.id == item_id:
                return i
        raise KeyError(item_id)

    def move(self, item_id: str, offset: int) -> None:
        """Move an item up (negative offset) or down, staying within the list."""
        i = self.index(item_id)
        j = min(max(i + offset, 0), len(self.items) - 1)
        self.items.insert(j, self.items.pop(i))

    def remove(self, item_id: str) -> None:
        """Drop an item."""
        del self.items[self.index(item_id)]

    def edit(self, item_id: str, question: str | None = None, text: str | None = None) -> None:
        """Change an item's heading and/or text."""
        i = self.index(item_id)
        item = self.items[i]
        self.items[i] = replace(item, question=item.question if question is None else question,
                                text=item.text if text is None else text)


@dataclass(frozen=True)
class Piece:
    """A run of item text, followed by footnote `note` (0: none)."""

    text: str
    note: int = 0


@dataclass(frozen=True)
class NumberedBriefing:
    """A briefing laid out for export: per item, paragraphs of pieces; the footnote texts."""

    title: str
    items: tuple[tuple[BriefingItem, tuple[tuple[Piece, ...], ...]], ...]
    notes: tuple[str, ...]
    documents: tuple[Reference, ...]  # one per document cited, for the source list


def number_notes(briefing: Briefing) -> NumberedBriefing:
    """Turn markers into footnotes numbered through the whole briefing ("Ibid." for repeats)."""
    notes: list[str] = []
    documents: dict[str, Reference] = {}
    last: Reference | None = None
    items = []
    for item in briefing.items:
        paragraphs = []
        for para in re.split(r"\n\s*\n", item.text.strip()):
            pieces: list[Piece] = []
            pos = 0
            for match in _SPACED_MARKER.finditer(para):
                ref = item.reference(int(match.group(1)))
                pieces.append(Piece(para[pos : match.start()]))
                pos = match.end()
                if ref is None:  # a marker the user typed or one that lost its source
                    continue
                notes.append(_note(ref, last))
                documents.setdefault(ref.doc_id, ref)
                last = ref
                pieces.append(Piece("", len(notes)))
            pieces.append(Piece(para[pos:]))
            paragraphs.append(tuple(p for p in pieces if p.text or p.note))
        items.append((item, tuple(paragraphs)))
    ordered = tuple(sorted(documents.values(), key=lambda r: (r.date, r.doc_id)))
    return NumberedBriefing(briefing.title, tuple(items), tuple(notes), ordered)


def _note(ref: Reference, previous: Reference | None) -> str:
    """UN Editorial Manual style: "Ibid." when the previous footnote cites the same source."""
    if previous == ref:
        return "Ibid."
    if previous is not None and previous.doc_id == ref.doc_id:
        return f"Ibid., {ref.locator}."
    return ref.note()


def item_notice(item: BriefingItem) -> str:
    """The caution printed under an item, if any."""
    if item.unverified and not item.abstained:
        return "Check before use: some statements could not be verified against the cited paragraphs."
    return ""


def briefing_markdown(briefing: Briefing, today: date | None = None) -> str:
    """The briefing as Markdown with footnotes (`[^n]`) carrying the UN-style references."""
    numbered = number_notes(briefing)
    today = today or date.today()
    lines = [f"# {markdown_escape(numbered.title)}", "",
             f"*Prepared on {un_date(today.isoformat())} from the Secretary-General's reports on the "
             "responsibility to protect.*", ""]
    for item, paragraphs in numbered.items:
        lines += [f"## {markdown_escape(item.question)}", ""]
        lines += [_markdown_paragraph(pieces) + "\n" for pieces in paragraphs]
        if notice := item_notice(item):
            lines += [f"> {notice}", ""]
    if numbered.documents:
        lines += ["## Sources", ""]
        lines += [f"- {markdown_escape(source_line(ref))}" for ref in numbered.documents]
        lines.append("")
    lines += [f"[^{n}]: {markdown_escape(text)}" for n, text in enumerate(numbered.notes, 1)]
    return "\n".join(lines).rstrip() + "\n"


def _markdown_paragraph(pieces: tuple[Piece, ...]) -> str:
    # Escape the paragraph as a whole (a piece starting with "." is not a line start),
    # with plain-letter placeholders where the footnote marks go.
    text = "".join(p.text + (f"\x02{p.note}\x03" if p.note else "") for p in pieces)
    return re.sub(r"\x02(\d+)\x03", r"[^\1]", markdown_escape(text))


def source_line(ref: Reference) -> str:
    """A source document as listed under "Sources": symbol, date and title."""
    symbol = ref.full_symbol
    when = f", {un_date(ref.date)}" if ref.date else ""
    return f"{symbol}{when}: {ref.title}" if ref.title else f"{symbol}{when}"

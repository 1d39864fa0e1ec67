"""Compare view: one question asked of each report separately, one row per report.

Each row is a full assistant answer restricted to one document (`Filters(doc_ids=...)`),
so every row has verified citations, and a report that does not address the question
says so instead of borrowing another report's paragraphs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from assistant.markers import MARKER, marker
from assistant.outputs.briefing import BriefingItem, Reference, reference_for
from assistant.outputs.render import collapse_repeated_markers, markdown_escape, un_date, with_references
from assistant.records import Answer
from vectorstore.records import DocInfo
from vectorstore.retriever import Filters

NOT_ADDRESSED = "Not addressed in this report."
WEAK_MATCH = ("few of the question's words are in the paragraph cited and nothing in the report is close to the "
              "question in meaning; read the paragraph before quoting it")


@dataclass(frozen=True)
class CompareRow:
    """What one report says about the question."""

    doc: DocInfo
    answer: Answer

    @property
    def year(self) -> str:
        """The report's year (or its date as recorded when the year is unknown)."""
        return str(self.doc.year or self.doc.date or "")

    @property
    def says(self) -> str:
        """The answer with its paragraph references ("(para. 12)"), or a plain "not addressed"."""
        if self.answer.abstained:
            return NOT_ADDRESSED
        text = collapse_repeated_markers(self.answer.text)
        return with_references(text, self.answer).replace(f"({self.doc.doc_id}, ", "(")

    @property
    def references(self) -> tuple[str, ...]:
        """The paragraphs this row cites."""
        return tuple(dict.fromkeys(c.reference for c in self.answer.citations))


def compare(ask: Callable[..., Answer], question: str, docs: Sequence[DocInfo],
            on_row: Callable[[CompareRow], None] | None = None) -> list[CompareRow]:
    """Ask `question` once per document (oldest first); `ask` is `Assistant.ask`."""
    rows = []
    for doc in sorted(docs, key=lambda d: (d.date, d.doc_id)):
        row = CompareRow(doc, ask(question, (), Filters(doc_ids=(doc.doc_id,))))
        rows.append(row)
        if on_row:
            on_row(row)
    return rows


def _cell(text: str) -> str:
    return markdown_escape(" ".join(text.split()))


def compare_markdown(rows: Sequence[CompareRow]) -> str:
    """The comparison as a Markdown table (document text escaped, so it stays text).

    A row whose answer rests on a weak match (`Answer.caution`) is marked ⚠, explained under the table.
    """
    lines = ["| Year | Report | What it says | Citations |", "| --- | --- | --- | --- |"]
    for row in rows:
        says = f"*{_cell(row.says)}*" if row.answer.abstained else _cell(row.says)
        says = f"⚠ {says}" if row.answer.caution else says
        cites = "; ".join(_cell(r.removeprefix(f"{row.doc.doc_id}, ")) for r in row.references) or "–"
        lines.append(f"| {row.year} | {_cell(row.doc.doc_id)} | {says} | {cites} |")
    if any(row.answer.caution for row in rows):
        lines.append(f"\n⚠ Weak match: {WEAK_MATCH}.")
    return "\n".join(lines)


def _renumbered(text: str, renumber: dict[int, int]) -> str:
    return MARKER.sub(lambda m: marker(renumber.get(int(m.group(1)), 0)), text)


def comparison_item(question: str, rows: Sequence[CompareRow], docs: Mapping[str, DocInfo]) -> BriefingItem:
    """A briefing item holding the comparison: one paragraph per report, markers renumbered."""
    paragraphs: list[str] = []
    references: list[tuple[int, Reference]] = []
    for row in rows:
        lead = f"{row.doc.doc_id} ({un_date(row.doc.date) or 'undated'}):"
        if row.answer.abstained:
            paragraphs.append(f"{lead} {NOT_ADDRESSED}")
            continue
        offset = len(references)
        renumber = {c.marker: offset + i for i, c in enumerate(row.answer.citations, 1)}
        references += [(renumber[c.marker], reference_for(c.passage.unit, docs)) for c in row.answer.citations]
        check = f" (Check before use, weak match: {WEAK_MATCH}.)" if row.answer.caution else ""
        paragraphs.append(f"{lead} {_renumbered(collapse_repeated_markers(row.answer.text), renumber)}{check}")
    return BriefingItem(f"Across the reports: {question}", "\n\n".join(paragraphs), tuple(references))

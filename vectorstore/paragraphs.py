"""A paragraph or footnote asked for by its number: which report has it, or why none can be quoted."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vectorstore.snapshot import CorpusSnapshot


def no_such_paragraph(lookup: tuple[str, str], snap: CorpusSnapshot) -> str:
    """'A/69/981 has no paragraph 120; its numbered paragraphs run from 1 to 75'."""
    doc_id, label = lookup
    doc = snap.docs[doc_id]
    if label.startswith("fn"):
        return f"{doc.short_symbol} has no {_label_name(label)}; it has {doc.footnotes} footnotes"
    return (f"{doc.short_symbol} has no {_label_name(label)}; its numbered paragraphs run from 1 to "
            f"{doc.numbered_paragraphs}")


def place_paragraph(label: str, scope: tuple[str, ...], snap: CorpusSnapshot) -> tuple[list, str, str]:
    """A paragraph (or footnote, "fn3") asked for by its number without naming one report.

    Returns the units of the reports in scope that have it (oldest first), or of each
    the one numbered closest when none has it; and, unless exactly one report has it,
    why it cannot be quoted: several do (which is meant?), or none does.
    """
    docs = snap.in_date_order(scope)
    units = [u for d in docs if (u := snap.by_label.get((d.doc_id, label))) is not None]
    what = _label_name(label)
    if len(units) == 1:
        return units, "", ""
    if not units:
        closest = [u for d in docs for u in snap.nearest(d.doc_id, label, 1)]
        symbols = [d.short_symbol for d in docs]
        searched = ("no report in the collection" if not scope else symbols[0] if len(symbols) == 1 else
                    f"neither {symbols[0]} nor {symbols[1]}" if len(symbols) == 2 else f"none of {_listed(symbols)}")
        return closest, "", f"{searched} has a {what}"
    holders = [snap.docs[u.doc_id] for u in units]
    ask = "ask for one at a time" if scope else "name the report"
    example = f"; {ask}, as in “{what} of the {holders[-1].year} report”" if holders[-1].year else ""
    return units, f"{_listed([d.short_symbol for d in holders])} each have a {what}{example}", ""


def _label_name(label: str) -> str:
    """'fn3' as 'footnote 3', '12' as 'paragraph 12'."""
    return f"footnote {label[2:]}" if label.startswith("fn") else f"paragraph {label}"


def _listed(names: list[str]) -> str:
    """"A, B and C"."""
    return ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else "".join(names)

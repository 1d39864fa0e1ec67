"""Questions about a report itself (its title, symbol, date, author, length), answered from the catalogue.

No paragraph of a report gives its own title or date: those are the collection's record of
it (the manifest, or what ingestion detected), and the answer says so instead of citing a
paragraph. "When was the 2015 report published?" is such a question; "When was the World
Summit held, according to the 2015 report?" is not (the report is its source, not its subject).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date

from vectorstore.query import QueryPlan
from vectorstore.records import DocInfo

SOURCE_NOTE = "from the collection's record of the reports (title, symbol, date, author), not from a paragraph"

# A report as the object of the question: "the 2015 report", "A/69/981", "each report", "it".
_REPORT = (r"(?:(?:the|this|that|each|every)\s+)?(?:(?:19|20)\d{2}(?:'s|’s)?\s+)?(?:(?:R2P|RtoP|SG|SG's|"
           r"Secretary-General(?:'s|’s)?|UN|annual)\s+)*(?:reports?|summary|documents?)|[AS]/\d{2,3}/\d{2,4}")
_ASKS = re.compile(
    rf"\b(?:title|symbol|document symbol|date|publication date|authors?)\s+of\s+(?:{_REPORT})\b|"
    rf"\bwho\s+(?:wrote|authored|issued|published|signed|is the author of)\s+(?:{_REPORT})\b|"
    rf"\bwhen\s+(?:was|were|is)\s+(?:{_REPORT})\s+(?:published|issued|released|dated|written|submitted|"
    rf"circulated|out)\b|"
    rf"\bhow many\s+(?:numbered\s+)?(?:paragraphs|footnotes|pages)\s+(?:does|do|did|are (?:there )?in|in)\s+"
    rf"(?:{_REPORT})\b|"
    rf"\b(?:what|which)\s+(?:is|are)\s+(?:{_REPORT})(?:'s|’s)\s+(?:title|symbol|date|authors?)\b",
    re.I,
)
_EVERY = re.compile(r"\b(?:each|every|all)\s+(?:of\s+the\s+)?(?:reports?|documents?)\b|\bthe\s+reports\b", re.I)


def catalogue_answer(question: str, plan: QueryPlan, documents: Callable[[], Sequence[DocInfo]]) -> str:
    """The catalogue's facts for the reports a question about reports themselves names ('' if it is not one).

    `documents` is called only for such a question (it reads the store).
    """
    if plan.unknown_years or not _ASKS.search(question) or not (plan.doc_ids or _EVERY.search(question)):
        return ""
    docs = [d for d in documents() if not plan.doc_ids or d.doc_id in plan.doc_ids]
    return "From the collection's record of the reports (no paragraph states this): " + " ".join(
        describe(d) for d in docs)


def describe(doc: DocInfo) -> str:
    """One sentence on a document as the collection records it."""
    parts = [f"{doc.symbol or doc.doc_id}: “{doc.title}”"]
    if doc.kind:
        parts.append(doc.kind)
    if doc.author:
        parts.append(f"author: {doc.author}")
    if doc.date:
        parts.append(f"dated {_day(doc.date)}")
    length = [f"{doc.numbered_paragraphs} numbered paragraphs" if doc.numbered_paragraphs else "",
              f"{doc.footnotes} footnotes" if doc.footnotes else "", f"{doc.pages} pages" if doc.pages else ""]
    text = ", ".join(parts)
    if any(length):
        text += "; " + ", ".join(filter(None, length))
    return text + "."


def _day(value: str) -> str:
    """'2015-07-13' as '13 July 2015' (the UN's style); anything else as given."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return value
    return f"{day.day} {day.strftime('%B')} {day.year}"

"""Query understanding: which reports a question is about, and direct paragraph lookups.

"the 2015 report", "the 2015 and 2017 reports", "A/69/981", "the latest report" become
document filters; "paragraph 12 of the 2015 report" is a direct lookup; questions that
compare reports or ask how something evolved are answered from every report in scope.
Years that name a report the corpus does not hold ("the 2018 report") are kept, so the
assistant can say that report is not in its collection.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from vectorstore.lexical import tokenize
from vectorstore.records import DocInfo
from vectorstore.titles import REPORT_WORD as _REPORT_WORD
from vectorstore.titles import titled

_YEAR = r"(?:19|20)\d{2}"
_YEAR_LIST = rf"{_YEAR}(?:\s*(?:,|and|or|to|-|–|&)\s*(?:the\s+)?{_YEAR})*"
_LEAD = r"(?:\b(?:in|of|from|across|between|by)\s+)?(?:\bthe\s+)?"  # dropped with the report's name
_YEAR_REPORT = re.compile(rf"{_LEAD}\b({_YEAR_LIST})(?:'s)?\s+{_REPORT_WORD}", re.I)
_REPORT_YEAR = re.compile(rf"\b{_REPORT_WORD}\s+(?:of|from|in|issued in|published in)\s+({_YEAR_LIST})", re.I)
# "between 2015 and 2017", "from the 2012 report to 2017", "from 2012 through 2017"
_RANGE = re.compile(rf"\b(?:between|from)\s+(?:the\s+)?({_YEAR})(?:\s+(?:report|one|document|summary))?"
                    rf"\s+(?:and|to|through|until)\s+(?:the\s+)?({_YEAR})\b", re.I)
_SPAN = re.compile(r"\bfrom\b.*\b(?:to|through|until)\b", re.I)
_DASHED = re.compile(rf"\b({_YEAR})\s*[-–]\s*({_YEAR})\b")  # "over 2015-2017", "2012–2017": a span
_IN_YEAR = re.compile(rf"\bin\s+({_YEAR})\b", re.I)
_SYMBOL = re.compile(r"\b([AS]/\d{2,3}/\d{2,4})\b")
_PARA_OF = re.compile(
    rf"\b(?:paragraph|para\.?)\s*(\d{{1,3}})\s+(?:of|in)\s+(?:the\s+|this\s+|that\s+)?"
    rf"(?:{_YEAR}\s+|latest\s+|most recent\s+)?(?:R2P\s+|SG\s+)?(?:report|[AS]/\d)",
    re.I,
)
_DOC_PARA = re.compile(r"(?:report|[AS]/\d{2,3}/\d{2,4}),?\s+(?:paragraph|para\.?)\s*(\d{1,3})\b", re.I)
_FOOTNOTE_OF = re.compile(r"\bfootnote\s+(\d{1,3})\b", re.I)
_LATEST = re.compile(r"\b(?:latest|most recent|newest|last)\s+(?:R2P\s+)?report\b", re.I)
_EARLIEST = re.compile(r"\b(?:earliest|oldest|first)\s+(?:of\s+(?:these|the)\s+)?(?:R2P\s+)?report\b", re.I)
_COMPARE = re.compile(
    r"\b(?:compare|comparison|differ|difference|change[sd]?|evolv\w*|evolution|shift\w*|"
    r"across|consistent\w*|agree\w*|over time|since|grow\w*|develop\w*)\b",
    re.I,
)
# Change over the years is about every report, whether or not the question says "reports".
_EVOLUTION = re.compile(r"\b(?:evolv\w*|evolution|over time|over the years|over the past|trace how)\b", re.I)
# The frame of a compare question ("How do the ... reports describe", "Compare how the ... put
# it"): what each report is searched with is the topic alone.
_FRAME = re.compile(
    r"\b(?:compare|contrast|trace)\b(?:\s+how)?|"
    r"\b(?:how|what)\s+(?:do|does|did|have|has|is|are|was|were)\s+(?:the\s+)?(?:reports?|documents?|they)?\s*"
    r"(?:describe|say|characteri[sz]e|put it|deal with|treat|handle|discuss|present|frame|approach)?\b|"
    r"\b(?:the\s+)?(?:reports|documents)\b(?:\s+(?:describe|say|characteri[sz]e|put it|deal with|treat))?|"
    r"\b(?:across|between|in|from)\s+the\s*(?=[?.,]|$)|\bput it\b",
    re.I,
)


def topic_text(text: str) -> str:
    """The subject of a compare question without its frame ("How do the reports describe X?" -> "X")."""
    topic = re.sub(r"\s+", " ", _FRAME.sub(" ", text)).strip(" ,.;:")
    return topic if len(topic.split()) >= 2 else text


@dataclass(frozen=True)
class QueryPlan:
    """What retrieval should do for one question."""

    text: str  # what retrieval searches for (see `search_text`)
    doc_ids: tuple[str, ...] = ()  # restrict to these documents (empty: all)
    compare: bool = False  # retrieve per document so each report is represented
    lookup: tuple[str, str] | None = None  # (doc_id, label): a direct paragraph lookup
    summary: bool = False  # asks for an overview of the reports in `doc_ids` (none: of every report)
    unknown_years: tuple[int, ...] = ()  # report years asked about that the corpus lacks
    notes: tuple[str, ...] = field(default=())


_ALIASES = (
    (re.compile(r"\b(?:R2P|RtoP|R to P)\b", re.I), "responsibility to protect"),
    (re.compile(r"\bSG\b"), "Secretary-General"),
    (re.compile(r"\bUNSC\b"), "Security Council"),
    (re.compile(r"\bUNGA\b"), "General Assembly"),
)


# A request for wording rather than content: "Give me the sentence where ...", "I need a quotable line."
_WORDING = re.compile(
    r"\b(?:I need|I'd like|I want|give me|find me|show me|quote me|I'm looking for)\s+(?:a|an|the|some)?\s*"
    r"(?:(?:good|short|quotable|exact|single)\s+)*(?:quote|quotation|line|sentence|passage|wording)s?\b"
    r"(?:\s+(?:where|in which|that|saying|on|about))?|\b(?:a\s+)?quotable\s+(?:line|sentence|quote)\b",
    re.I,
)


def without_wording_request(question: str) -> str:
    """The question without a request for quotable wording, which says nothing of the subject."""
    return re.sub(r"\s+", " ", _WORDING.sub(" ", question)).strip() or question


def search_text(question: str, corpus_years: set[int] | frozenset[int] = frozenset()) -> str:
    """The question as retrieval should see it.

    Aliases are spelled out as the reports write them, and phrases that only name a
    report of the corpus ("in the 2015 report") are removed: the plan already turned
    them into filters.
    """

    def drop_if_corpus(match: re.Match[str]) -> str:
        return " " if all(y in corpus_years for y in _years(match.group(0))) else match.group(0)

    text = without_wording_request(question)
    for pattern in (_RANGE, _YEAR_REPORT, _REPORT_YEAR):  # a range first: "from the 2012 report to 2017"
        text = pattern.sub(drop_if_corpus, text)
    return re.sub(r"\s+", " ", spell_out(text)).strip() or question


_REFERENCE = re.compile(r"\b(paragraph|para\.?|footnote)\s*(\d{1,3})\b", re.I)
# What a question asking for a paragraph as a whole says besides the reference: "What does
# paragraph 12 of A/69/981 say?", "Quote footnote 3 of the 2017 report."
_WHOLE = frozenset(tokenize(
    "say says said state states stated mean means contain contains refer refers read reads text quote cite "
    "cites show give word wording exactly full"))


# A phrase in quotation marks: "the 'narrow but deep' approach", "“national inhibitors”".
_QUOTED = re.compile(r"(?:^|(?<=[\s(]))[\"'‘“]([^\"'’”]{3,80})[\"'’”]")


def quoted_phrases(question: str) -> tuple[str, ...]:
    """The phrases of two words or more that a question puts in quotation marks."""
    return tuple(p for p in _QUOTED.findall(question) if len(p.split()) >= 2)


def asks_for_the_paragraph(question: str) -> str | None:
    """The label of the paragraph ("12") or footnote ("fn3") the question names, if it asks what it says and no more."""
    label = paragraph_reference(question)
    if label is None and (bare := _REFERENCE.search(question)):  # "What does paragraph 12 say?"
        label = f"fn{bare.group(2)}" if bare.group(1).lower() == "footnote" else bare.group(2)
    if label is None or not set(tokenize(_REFERENCE.sub(" ", _without_report_names(question)))) <= _WHOLE:
        return None
    return label


def paragraph_reference(question: str) -> str | None:
    """The paragraph ("12") or footnote ("fn3") a question names in a report, if any."""
    for pattern in (_PARA_OF, _DOC_PARA):
        if match := pattern.search(question):
            return match.group(1)
    if match := _FOOTNOTE_OF.search(question):
        return f"fn{match.group(1)}"
    return None


def _without_report_names(text: str) -> str:
    """`text` without the words that name a report ("the 2015 report", "A/69/981", "summary")."""
    text = _YEAR_REPORT.sub(" ", _SYMBOL.sub(" report ", text))
    return re.sub(rf"\b{_REPORT_WORD}", " ", text, flags=re.I)


_SUMMARY = re.compile(
    r"\b(?:summari[sz]e|sum up|(?:a|an|the|brief|short|quick)\s+(?:summary|overview)|overview of|gist of|"
    r"main (?:points|messages|findings|arguments?|themes)|key (?:points|messages|findings|takeaways)|"
    r"in a nutshell|what is (?:the\s+)?(?:(?:19|20)\d{2}\s+)?(?:report|summary|document|[AS]/\d[\d/]*)\s+about)\b",
    re.I,
)


_HOW_LONG = frozenset(tokenize("give me tell us please short brief quick few one two three four five sentence "
                               "sentences line lines word words paragraph bullet bullets point points whole main"))


def asks_for_summary(question: str) -> bool:
    """Whether the question asks for an overview of a whole report ("Summarise the 2017 report").

    Not when it names a topic besides ("the main findings of the 2015 report on early warning").
    """
    if not _SUMMARY.search(question):
        return False
    return set(tokenize(_without_report_names(_SUMMARY.sub(" ", question)))) <= _HOW_LONG


def spell_out(text: str) -> str:
    """Aliases ("R2P", "SG", "UNSC") spelled out as the reports write them."""
    for pattern, replacement in _ALIASES:
        text = pattern.sub(replacement, text)
    return text


def _years(text: str) -> list[int]:
    return [int(y) for y in re.findall(_YEAR, text)]


def _report_years(question: str, corpus_years: set[int]) -> tuple[list[int], list[int]]:
    """Years the question uses to name reports: (in the corpus, not in the corpus)."""
    named: list[int] = []
    for pattern in (_YEAR_REPORT, _REPORT_YEAR):
        for match in pattern.finditer(question):
            named.extend(_years(match.group(1)))
    # "from 2012 to 2017" and "2012-2017" span the reports in between; "between the 2015 and 2017
    # reports" names two.
    ranges = [(m, bool(_SPAN.search(m.group(0)))) for m in _RANGE.finditer(question)]
    for match, spans in ranges + [(m, True) for m in _DASHED.finditer(question)]:
        low, high = sorted(int(y) for y in match.groups())
        inside = [y for y in sorted(corpus_years) if low < y < high] if spans else []
        named.extend([low, *inside, high])
    for match in _IN_YEAR.finditer(question):
        if int(match.group(1)) in corpus_years and re.search(r"\breports?\b", question, re.I):
            named.append(int(match.group(1)))
    named = list(dict.fromkeys(named))
    return [y for y in named if y in corpus_years], [y for y in named if y not in corpus_years]


def mentions_several_reports(question: str) -> bool:
    """A compare/evolution question: two or more reports named by year or symbol, or compare wording.

    Years of events do not count: "In the 2015 report, on the 2011 Libya intervention"
    names one report.
    """
    known, unknown = _report_years(question, set())
    named = len({*known, *unknown}) + len(set(_SYMBOL.findall(question)))
    return named >= 2 or bool(_COMPARE.search(question) and re.search(r"\breports\b", question, re.I))


def traces_evolution(question: str) -> bool:
    """Whether the question asks how something changed over the reports ("over the years", "trace how")."""
    return bool(_EVOLUTION.search(question))


def plan_query(question: str, docs: Sequence[DocInfo]) -> QueryPlan:
    """Turn a question into filters, a lookup or a compare plan, given the corpus."""
    by_year: dict[int, list[str]] = {}
    for doc in docs:
        if doc.year:
            by_year.setdefault(doc.year, []).append(doc.doc_id)
    known, unknown = _report_years(question, set(by_year))
    doc_ids = [d for y in known for d in by_year[y]]
    symbols = {d.short_symbol: d.doc_id for d in docs} | {d.doc_id: d.doc_id for d in docs}
    doc_ids += [symbols[s] for s in _SYMBOL.findall(question) if s in symbols]
    for doc_id, words in titled(question, docs):
        doc_ids.append(doc_id)
        question = question.replace(words, " the report ")
    dated = sorted((d for d in docs if d.year), key=lambda d: d.date)
    if dated and _LATEST.search(question):
        doc_ids.append(dated[-1].doc_id)
    if dated and _EARLIEST.search(question) and not known:
        doc_ids.append(dated[0].doc_id)
    doc_ids = list(dict.fromkeys(doc_ids))
    compare = len(doc_ids) >= 2 or bool(
        not doc_ids and (traces_evolution(question) or (_COMPARE.search(question) and "report" in question.lower()))
    )
    lookup = _lookup(question, doc_ids)
    text = search_text(question, frozenset(by_year))
    return QueryPlan(
        text=topic_text(text) if compare else text,
        doc_ids=tuple(doc_ids),
        compare=compare,
        lookup=lookup,
        summary=asks_for_summary(question),
        unknown_years=tuple(unknown) if not known else (),
    )


def _lookup(question: str, doc_ids: list[str]) -> tuple[str, str] | None:
    if len(doc_ids) != 1 or (label := paragraph_reference(question)) is None:
        return None
    return doc_ids[0], label

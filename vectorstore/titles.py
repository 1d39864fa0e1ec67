"""Reports named by their titles: "the accountability report", "In 'A vital and enduring commitment'"."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from vectorstore.lexical import tokenize
from vectorstore.records import DocInfo

# How a question says "report" after a report's name: "report", "R2P report", "summary", "one".
REPORT_WORD = (
    r"(?:(?:R2P|RtoP|SG|SG's|Secretary-General(?:'s|’s)?|annual|UN)\s+)*(?:reports?|summary|documents?|one)\b"
)

# Title words that do not tell one report from another.
_GENERIC_TITLE = frozenset(tokenize("responsibility protect implementing report Secretary-General summary next decade"))


def titled(question: str, docs: Sequence[DocInfo]) -> list[tuple[str, str]]:
    """(doc id, the words naming it) for the reports a question names by their title.

    A distinctive part of a title counts when the question quotes it ("In 'A vital and
    enduring commitment', ..."), capitalises it ("the Mobilizing collective action
    summary"), or follows it with "report" or "summary"; so does "the accountability
    report", a word of one title only. "a timely and decisive response" in lower case is
    the reports' own phrase for pillar three, not the 2012 title.
    """
    found = []
    for doc_id, patterns in _title_patterns(tuple((d.doc_id, d.title) for d in docs)):
        if match := next((m for p in patterns if (m := p.search(question))), None):
            found.append((doc_id, match.group(0)))
    return found


def reports_by_year(question: str, docs: Sequence[DocInfo]) -> str:
    """`question` with a report named by its title named by its year ("the 2017 report") instead.

    What the answer is composed for: a title's words ("timely and decisive response",
    "accountability for prevention") say which report, not what is asked.
    """
    for doc_id, words in titled(question, docs):
        doc = next(d for d in docs if d.doc_id == doc_id)
        plain = f"the {doc.year} report" if doc.year else doc.short_symbol
        title = re.escape(words)
        in_a_name = (re.search(rf"{title}\s+(?:report|summary)\b", question, re.I)  # "the <title> report"
                     or re.search(rf"\b(?:the|its|this)\s+(?:\d{{4}}\s+)?{title}", question, re.I))
        if words.lower().startswith("the ") or not in_a_name:  # "the accountability report", "In '<title>', ..."
            replacement = plain
        else:  # the rest of the name stays: "the 2012 report", "the report"
            noun = re.search(r"\b(?:report|summary)\s*$", words, re.I)
            replacement = noun.group(0) if noun else ""
        question = re.sub(r"\s{2,}", " ", question.replace(words, replacement, 1))
    return question


@functools.lru_cache(maxsize=8)
def _title_patterns(titles: tuple[tuple[str, str], ...]) -> list[tuple[str, list[re.Pattern[str]]]]:
    """For each (doc id, title), the patterns of `titled`: built once per collection, not per question."""
    parts = {doc_id: [p.strip() for p in title.split(":")] for doc_id, title in titles}
    counts: dict[str, int] = {}
    for doc_parts in parts.values():
        for word in {w for p in doc_parts for w in tokenize(p)} - _GENERIC_TITLE:
            counts[word] = counts.get(word, 0) + 1
    out = []
    for doc_id, doc_parts in parts.items():
        patterns = []
        for part in doc_parts:
            words = re.findall(r"[\w'-]+", re.sub(r"^(?:a|an|the)\s+", "", part, flags=re.I))
            own = [w for w in words if set(tokenize(w)) - _GENERIC_TITLE]
            if len(words) < 2 or not own:
                continue
            phrase = r"\s+".join(map(re.escape, words))
            pattern = (rf"[\"'‘“]\s*(?:an?\s+|the\s+)?{phrase}\s*[\"'’”]|\b(?-i:[A-Z]){phrase[1:]}\b|"
                       rf"\b{phrase}\s+{REPORT_WORD}")
            if unique := [w for w in own if counts.get(tokenize(w)[0]) == 1]:
                pattern += rf"|\bthe\s+{re.escape(unique[0])}\s+{REPORT_WORD}"
            patterns.append(re.compile(pattern, re.I))
        out.append((doc_id, patterns))
    return out

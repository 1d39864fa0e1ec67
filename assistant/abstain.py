"""Decide from retrieval evidence whether the reports can answer a question at all.

The local models answer from sources but also invent answers to questions the sources
do not cover, so the decision is not left to them. The rules, calibrated on the dev
set's unanswerable questions (see the README's evaluation section):
- the question names a report the corpus does not hold ("the 2018 report");
- it names something (a person, a country, a group) that no document mentions;
- nothing in the corpus is even close (best window similarity below a floor);
- it asks for a figure, sum, date, vote or person's name that none of the paragraphs
  about its subject contains (the retriever's `Evidence.facts_missing`);
- it presupposes that a report says something the report never speaks of (a false
  premise: the closest paragraph is offered as related reading).
Names are matched the way the reports write them: accents, curly or straight apostrophes
and elided articles ("Côte d'Ivoire", "Cote d’Ivoire") do not matter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vectorstore.evidence import fold
from vectorstore.retriever import CorpusSnapshot, RetrievalResult

DENSE_FLOOR = 0.30  # the weakest answerable dev question scores 0.36
_ENTITY = re.compile(r"\b(?:[A-Z][a-zA-Z']+|[A-Z]{2,})(?:\s+(?:[A-Z][a-zA-Z']+|[A-Z]{2,}))*")
_IGNORED = {"R2P", "RtoP", "SG", "UN", "UNSC", "UNGA", "I", "What", "Which", "How", "Who", "When", "Why", "Is",
            "Are", "Do", "Does", "Did", "And", "Secretary-General", "Secretary", "General"}


@dataclass(frozen=True)
class Decision:
    """Answer or abstain, and why (shown to the user when abstaining)."""

    abstain: bool
    reason: str = ""
    rule: str = ""  # which check decided: unknown_report | unknown_name | far | fact_missing | false_premise


def unknown_names(question: str, vocabulary: set[str]) -> list[str]:
    """Capitalised names in the question (not at a sentence start) that no document uses.

    Words are looked up one by one (possessives stripped), so "the Refugee Convention"
    passes when the reports speak of refugees and conventions. A lone acronym is skipped
    (reports often spell out what a question abbreviates), but an acronym inside a
    longer name ("ACT Group") must appear as written.
    """
    missing = []
    question = fold(question)
    for match in _ENTITY.finditer(question):
        before = question[: match.start()].rstrip()
        words = match.group(0).split()
        if not before or before.endswith((".", "?", "!", ":", "“", '"')):
            words = words[1:]  # a capital at a sentence start says nothing
        words = [re.sub(r"'s?$", "", w) for w in words if w not in _IGNORED]  # Adviser's, Advisers'
        words = [w[:-1] if len(w) > 2 and w[-1] == "s" and w[:-1].isupper() else w for w in words]  # "NGOs"
        if len(words) == 1 and words[0].isupper():
            continue
        absent = [w for w in words if (w if w.isupper() else w.lower()) not in vocabulary]
        if absent:
            missing.append(" ".join(absent))
    return missing


def corpus_vocabulary(snapshot: CorpusSnapshot) -> set[str]:
    """Words of every unit and document description: lowercased, plus acronyms as written."""
    texts = [u.text for u in snapshot.units] + [f"{d.title} {d.author} {d.symbol}" for d in snapshot.docs.values()]
    vocabulary: set[str] = set()
    for text in texts:
        for word in re.findall(r"[A-Za-z][\w'-]*", fold(text)):
            word = re.sub(r"'s?$", "", word)
            vocabulary.add(word.lower())
            vocabulary.update(part.lower() for part in word.split("-"))
            if word.isupper():
                vocabulary.add(word)
    return vocabulary


def decide(question: str, result: RetrievalResult, vocabulary: set[str], corpus_years: list[int]) -> Decision:
    """Abstain when the evidence says the reports cannot answer `question`."""
    evidence = result.evidence
    if result.plan.unknown_years:
        years = ", ".join(map(str, result.plan.unknown_years))
        held = ", ".join(map(str, sorted(set(corpus_years))))
        return Decision(True, f"the collection has no report from {years} (it holds reports from {held})",
                        "unknown_report")
    names = unknown_names(question, vocabulary)
    if names:
        return Decision(True, f"no report in the collection mentions {', '.join(names)}", "unknown_name")
    if not result.passages or evidence.dense_top < DENSE_FLOOR:
        return Decision(True, "no paragraph in the collection is close to this question", "far")
    if evidence.premise_missing:
        words = ", ".join(f"“{w}”" for w in evidence.premise_missing)
        return Decision(True, f"the question assumes something the report does not say (it never speaks of {words}); "
                        "the paragraph closest to the question says what the report does say", "false_premise")
    if evidence.facts_missing:
        return Decision(True, f"the question asks for {' and '.join(evidence.facts_missing)}, and none of the "
                        "paragraphs about its subject gives one", "fact_missing")
    return Decision(False)

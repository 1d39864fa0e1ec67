"""Decide from retrieval evidence whether the reports can answer a question at all.

The local models answer from sources but also invent answers to questions the sources
do not cover, so the decision is not left to them. The rules, calibrated on the dev
set's unanswerable questions (see the README's evaluation section):
- the question names a report the corpus does not hold ("the 2018 report");
- it names something (a person, a country, a group) that no document mentions;
- nothing in the corpus is even close (best window similarity below the floor of the
  embedder that measured it, `vectorstore.calibration`);
- it asks for a figure, sum, date, vote, person's name, resolution, court's sentence or
  a number of countries ("which five countries") that none of the paragraphs about its
  subject contains (the retriever's
  `Evidence.facts_missing`);
- it presupposes that a report says something the report never speaks of (a false
  premise: the closest paragraph is offered as related reading).
Names are matched the way the reports write them: accents, curly or straight apostrophes
and elided articles ("Côte d'Ivoire", "Cote d’Ivoire") do not matter.

An answer that is given may still carry a caution (`caution`): when no passage is close to
the question and the paragraphs it cites hold few of the question's words, the citation
is as likely wrong as right, and the user is told to check it against the other close
paragraphs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assistant.support import coverage
from vectorstore.calibration import calibration
from vectorstore.lexical import tokenize
from vectorstore.records import Passage
from vectorstore.retriever import Evidence, RetrievalResult

# An answer is cautioned when its best window similarity is under the embedder's
# `caution_similarity` and no cited paragraph holds this share of the question's words. On
# dev and dev2, 8 of the 16 answers this marks cite no gold paragraph, against 9 of the 101
# it does not mark; on the four probe sets, 13 of 23 against 17 of 107 (packaged MiniLM:
# 8 of 16 against 13 of 101, 12 of 21 against 22 of 108; evals/HISTORY.md, sixteenth round).
CAUTION_SHARE = 0.4
CAUTION = ("few of the question's words are in the cited paragraphs and no passage is close to it in meaning; "
           "in the evaluation sets about half of such answers cited the wrong paragraph, so read it and the other "
           "close paragraphs first")


@dataclass(frozen=True)
class Decision:
    """Answer or abstain, and why (shown to the user when abstaining)."""

    abstain: bool
    reason: str = ""
    # which check decided: unknown_report | unknown_paragraph | which_report | unknown_name | name_not_in_report | far |
    # fact_missing | false_premise
    rule: str = ""


def decide(result: RetrievalResult) -> Decision:
    """Abstain when the retrieval evidence says the reports cannot answer the question."""
    evidence = result.evidence
    if result.plan.unknown_years:
        years = ", ".join(map(str, result.plan.unknown_years))
        held = ", ".join(map(str, evidence.corpus_years))
        return Decision(True, f"the collection has no report from {years} (it holds reports from {held})",
                        "unknown_report")
    if evidence.unknown_names:
        names = ", ".join(evidence.unknown_names)
        return Decision(True, f"no report in the collection mentions {names}", "unknown_name")
    if evidence.names_outside_scope:
        return Decision(True, _not_mentioned(evidence), "name_not_in_report")
    lookup = result.plan.lookup  # a paragraph asked for by its number: retrieval puts it first
    found = lookup is not None and bool(result.passages) and (
        result.passages[0].unit.doc_id, result.passages[0].unit.label) == lookup
    if evidence.which_report:
        return Decision(True, evidence.which_report, "which_report")
    if (lookup is not None and not found) or evidence.no_such_paragraph:
        return Decision(True, evidence.no_such_paragraph or f"{lookup[0]} has no such paragraph", "unknown_paragraph")
    asked_by_name = found or (result.plan.summary and bool(result.passages))  # a paragraph, or an overview
    if not asked_by_name and (not result.passages or evidence.dense_top < calibration(evidence.embedder).dense_floor):
        return Decision(True, "no paragraph in the collection is close to this question", "far")
    if evidence.premise_missing:
        words = ", ".join(f"“{w}”" for w in evidence.premise_missing)
        return Decision(True, f"the question assumes something the report does not say (it never speaks of {words}); "
                        "the paragraph closest to the question says what the report does say", "false_premise")
    if evidence.facts_missing:
        return Decision(True, f"the question asks for {' and '.join(evidence.facts_missing)}, and none of the "
                        "paragraphs about its subject gives one", "fact_missing")
    return Decision(False)


def _not_mentioned(evidence: Evidence) -> str:
    """The reason, as in: A/71/1016 never mentions Libya; A/66/874 and A/69/981 do."""
    searched, named_in = evidence.searched, evidence.named_in
    text = f"{' and '.join(searched)} never {'mentions' if len(searched) == 1 else 'mention'} "
    text += ", ".join(evidence.names_outside_scope)
    if named_in:
        text += f"; {' and '.join(named_in)} {'does' if len(named_in) == 1 else 'do'}"
    return text


def caution(result: RetrievalResult, cited: Sequence[Passage]) -> str:
    """Why the citations of an answer from `cited` may be wrong, or "" when the match is close."""
    evidence = result.evidence
    if not cited or evidence.dense_top >= calibration(evidence.embedder).caution_similarity:
        return ""
    if not tokenize(result.plan.text):
        return ""
    share = max(coverage(result.plan.text, passage.unit.text) for passage in cited)
    return CAUTION if share < CAUTION_SHARE else ""

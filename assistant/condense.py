"""Condense a follow-up and the chat history into a standalone question.

Two condensers share one method. The contextual one needs no model: a follow-up
("What should the national strategies backing them contain?") is led by the report and
the subject of the previous question ("In the 2015 report, on national R2P focal points:
what should ...?"), so retrieval sees them and the user reads a real question. The LLM
one asks the chat model to rewrite the follow-up, and falls back to the contextual form
when the rewrite loses the report years the conversation named, or fails.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import HumanMessage

from assistant.markers import strip_markers
from assistant.prompts import CONDENSE_PROMPT
from assistant.records import Turn
from vectorstore.lexical import COUNT_WORDS, tokenize

_ACKNOWLEDGE = r"ok(?:ay)?|right|thanks|great|well"  # what a follow-up may open with: "ok and ...", "thanks. And ..."
_FOLLOW_UP = re.compile(
    rf"^(?:(?:{_ACKNOWLEDGE})\W+)?(?:and|but|also|so|what about|how about|why|then)\b|"
    r"\b(?:it|its|they|them|their|this|that|these|those|he|she|his|her|the same|there|such)\b|"
    r"\bones?\W*$|"  # "... appointed one?"
    r"\bthe (?:first|second|third|fourth|fifth|last|other) ones?\b|\bthe (?:latter|former)\b",
    re.I,
)
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_MAX_CONTEXT = 300
_LOOKBACK = 3  # user turns a chain of follow-ups is read back through
# How a question names a report: "the 2015 report", "the 2016 R2P report", "A/69/981", "the latest report".
_REPORT = re.compile(
    r"\b(?:the\s+)?(?:(?:19|20)\d{2}(?:'s)?|latest|most recent|earliest|first)\s+(?:(?:R2P|RtoP|SG|SG's|"
    r"Secretary-General(?:'s|’s)?|annual|UN)\s+)*(?:report|summary|document)\b|\b[AS]/\d{2,3}/\d{2,4}\b",
    re.I,
)
# The subject of a question: what follows "say about", "describe", "talks about", ...
_SUBJECT = re.compile(
    r"\b(?:about|regarding|concerning|on the subject of|describes?|explains?|treats?|discuss(?:es)?)\s+"
    r"(.+?)\s*(?:[?.!]|$)",
    re.I,
)
_LEADING = re.compile(rf"^(?:(?:and|but|also|so|then|{_ACKNOWLEDGE})\b[\s,.!]*)+", re.I)
# "the 2015 one": a report named by its year in reply to a question about several.
_YEAR_ONE = re.compile(r"\b(?:the\s+)?((?:19|20)\d{2})\s+one\b", re.I)
_BARE_YEAR = re.compile(r"\b((?:19|20)\d{2})\b")
_FILLER = frozenset(tokenize("please same question one"))
_REPORT_LEAD = re.compile(r"^(?:according to|in)\s+$", re.I)
# "the second one" of a list the assistant's previous answer set out.
_ORDINAL = re.compile(r"\bthe (first|second|third|fourth|fifth|last) (?:one|item|point|of them)\b", re.I)
_PLACE = {"first": 0, "second": 1, "third": 2, "fourth": 3, "fifth": 4, "last": -1}
_BULLET = re.compile(r"^\s*(?:[-•*]|\(?[a-z0-9]{1,2}[.)])\s+(.+)$", re.M)
_REFERENCE = re.compile(r"\s*\([AS]/[^)]*\)")  # "(A/69/981, para. 45)", as the chat shows a marker
_COUNTED_LIST = re.compile(r"\b(two|three|four|five|six)\b[^:.]*:\s*([^.]+)", re.I)
# A question condensed by ContextCondenser: "In <report>, on <subject>: ...", "In <report>: ...",
# "On <subject>: ..." or "After “<previous question>”: ...".
CONTEXT_LEAD = re.compile(r"^(?:In [^:]+?(?:, on .+?)?|On .+?|After “.+?”): (?=[a-z])", re.S)


class Condenser(Protocol):
    """Turns (question, history) into a question that stands alone."""

    def condense(self, question: str, history: Sequence[Turn]) -> str:
        """The standalone question."""
        ...


def _last_user_turn(history: Sequence[Turn]) -> str:
    return next((t.content for t in reversed(history) if t.role == "user"), "")


def is_follow_up(question: str, history: Sequence[Turn]) -> bool:
    """A question that leans on the conversation: pronouns, "and ...", or very short."""
    return bool(history) and _leans(question)


def _leans(question: str) -> bool:
    return bool(_FOLLOW_UP.search(question) or len(question.split()) <= 4 or _only_a_report(question))


def _only_a_report(question: str, years_too: bool = False) -> str:
    """The report a question names when it says nothing else ("In the 2017 report, please."), else "".

    With `years_too`, a year alone names the report of that year ("And in 2017?").
    """
    patterns = (_REPORT, _YEAR_ONE, _BARE_YEAR) if years_too else (_REPORT, _YEAR_ONE)
    named = next((m for p in patterns if (m := p.search(question))), None)
    if not named or set(tokenize(question[: named.start()] + question[named.end():])) - _FILLER:
        return ""
    return named.group(0) if named.re is _REPORT else f"the {named.group(1)} report"


def _conversation_context(history: Sequence[Turn]) -> tuple[str, str]:
    """The report and the subject a follow-up leans on, from the latest user turns that name them.

    Looks back through earlier follow-ups ("And the 2017 report?" after "What does the 2015
    report say about national focal points?"), never past the question that began the thread.
    """
    report = subject = ""
    asked = [t.content for t in history if t.role == "user"]
    for text in reversed(asked[-_LOOKBACK:]):
        named, about = _report_and_subject(text)
        report, subject = report or named, subject or about
        if (report and subject) or not _leans(text):
            break
    return report, subject


def _report_and_subject(previous: str) -> tuple[str, str]:
    """The report a question names ("the 2015 report") and its subject ("national R2P focal points")."""
    report = _REPORT.search(previous)
    rest = previous
    if report:
        head = _REPORT_LEAD.sub("", previous[: report.start()])
        rest = f"{head} {previous[report.end():]}".strip(" ,")
    subjects = [re.sub(r"\s+", " ", m.group(1)).strip(" ,;:?.!") for m in _SUBJECT.finditer(rest)]
    named = re.sub(r"^The\b", "the", report.group(0)) if report else ""
    return named, (subjects[0][:_MAX_CONTEXT] if subjects else "")


def split_context(question: str) -> tuple[str, str]:
    """(the follow-up's own words, the context the condenser led it with); no context: ("question", "")."""
    match = CONTEXT_LEAD.match(question)
    if not match:
        return question, ""
    return question[match.end():], question[: match.end()]


class ContextCondenser:
    """No model: a follow-up is led by the report and the subject of the previous question."""

    def condense(self, question: str, history: Sequence[Turn]) -> str:
        """`question` alone, or led by the previous question's report and subject ("In <report>, on <subject>: ...").

        Without a subject to name ("Which treaties does the 2017 report urge States to ratify?"), the
        previous question itself leads: "After “<previous>”: <follow-up>".
        """
        previous = _last_user_turn(history)
        if not previous or not is_follow_up(question, history):
            return question
        if asked_of := _asked_of_another_report(question, previous):
            return asked_of
        report, subject = _conversation_context(history)
        if _REPORT.search(question):  # the follow-up names its own report: the previous one is not asked about
            report = ""
            previous = _REPORT.sub("the report", previous)
        own = _LEADING.sub("", question.strip()) or question.strip()
        own = own[0].lower() + own[1:] if own[:2] != own[:2].upper() else own
        own = _named_item(own, history)
        if report and subject:
            return f"In {report}, on {subject}: {own}"
        if subject:
            return f"On {subject}: {own}"
        return f"After “{previous[:_MAX_CONTEXT].strip()}”: {own}"


def _named_item(question: str, history: Sequence[Turn]) -> str:
    """`question` with "the second one" replaced by that item of the list the previous answer set out."""
    match = _ORDINAL.search(question)
    answer = next((t.content for t in reversed(history) if t.role == "assistant"), "")
    items = _listed(answer) if match else []
    place = _PLACE[match.group(1).lower()] if match else 0
    if not items or place >= len(items):
        return question
    return f"{question[: match.start()]}“{items[place]}”{question[match.end():]}"


def _listed(answer: str) -> list[str]:
    """The items of a list an answer sets out: its bullet lines, or "two: A, and B" after a count."""
    answer = strip_markers(_REFERENCE.sub("", answer))
    items = [m.group(1).strip(" .;") for m in _BULLET.finditer(answer)]
    if len(items) > 1:
        return items
    for match in _COUNTED_LIST.finditer(answer):
        text = match.group(2)
        for separator in (r";\s*(?:and\s+)?", r",\s+and\s+", r",\s*(?:and\s+)?|\s+and\s+"):
            parts = [p.strip(" .") for p in re.split(separator, text) if p.strip(" .")]
            if len(parts) == COUNT_WORDS[match.group(1).lower()]:
                return parts
    return []


def _asked_of_another_report(question: str, previous: str) -> str:
    """The previous question asked of the report a follow-up names and nothing more, else "".

    "And the 2017 report?" after "What does the 2015 report say about focal points?" is
    "What does the 2017 report say about focal points?"; "The 2015 one" after "What does
    paragraph 12 say?" is "What does paragraph 12 say in the 2015 report?".
    """
    report = _only_a_report(question, years_too=bool(_REPORT.search(previous)))  # a thread about reports
    if not report or _leans(previous):  # a chain keeps its subject another way
        return ""
    if _REPORT.search(previous):
        return _REPORT.sub(report, previous, count=1)
    return f"{previous.strip().rstrip('?.!')} in {report}?"


class LLMCondenser:
    """Asks the chat model for a rewrite; the contextual form is the safety net."""

    def __init__(self, model: BaseChatModel) -> None:
        self.model = model
        self.fallback = ContextCondenser()

    def condense(self, question: str, history: Sequence[Turn]) -> str:
        """The model's standalone rewrite, if it keeps the conversation's report years."""
        if not is_follow_up(question, history):
            return question
        transcript = "\n".join(f"{t.role}: {t.content[:_MAX_CONTEXT]}" for t in history[-4:])
        try:
            reply = self.model.invoke([HumanMessage(CONDENSE_PROMPT.format(history=transcript, question=question))])
        except Exception:  # noqa: BLE001 - any model failure falls back to the contextual form
            return self.fallback.condense(question, history)
        rewrite = str(reply.content).strip().strip('"').splitlines()[0] if str(reply.content).strip() else ""
        # The years of the report the follow-up names, else of the one the previous question named.
        years = set(_YEAR.findall(question if _REPORT.search(question) else _last_user_turn(history)))
        if not rewrite or len(rewrite) > 400 or not years <= set(_YEAR.findall(rewrite)):
            return self.fallback.condense(question, history)
        return rewrite

"""Lists that span units: an announcing paragraph and the paragraphs or items that hold the list.

Reports announce lists ("There are five prerequisites for the success of this approach.",
"Three challenges ... are identified:") and put the items in the following paragraphs or
bullets, or enumerate them over consecutive paragraphs ("First, ...", "Second, ...").
A question about the list matches the announcement best; the items are what answers it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ingest.records import UnitKind
from vectorstore.lexical import COUNT_WORDS, tokenize
from vectorstore.records import StoredUnit
from vectorstore.snapshot import CorpusSnapshot
from vectorstore.windows import split_sentences

# A count that points forward ("six priorities are", "There are five prerequisites"), not back to
# something already named ("the three pillars", "my two Special Advisers", "pillar three").
_ANNOUNCED = re.compile(
    r"(?<!\bthe )(?<!\bmy )(?<!\bthese )(?<!\bthose )(?<!\bits )(?<!\btheir )(?<!\bour )(?<!\bpast )"
    r"(?<!\bpillar )(?<!\blast )(?<!\bnext )"
    rf"\b({'|'.join(COUNT_WORDS)}|[2-9])\s+(?:[“\"]?[\w-]+[”\"]?\s+){{0,2}}?([a-z]+s)\b",
    re.I,
)
_ORDINAL_OPENER = re.compile(
    r"^\s*(?:\(?[a-h1-9]\)|first(?:ly)?|second(?:ly)?|third(?:ly)?|fourth(?:ly)?|fifth(?:ly)?|sixth(?:ly)?|"
    r"seventh|eighth|finally|lastly)\b[,:.)]?",
    re.I,
)
_FIRST_ORDINAL = re.compile(r"^\s*(?:\(?[a1]\)|first(?:ly)?)\b[,:.)]?", re.I)
_ITEM_LABEL = re.compile(r"^(.*?\b(?:item|bullet))\s+\d+$")
MAX_ITEMS = 6
LIST_TRIGGER_RANKS = 3  # a list announced by one of the top units brings its items
_ASKS_FOR_LIST = re.compile(
    rf"\b(?:(?:{'|'.join(COUNT_WORDS)}|[2-9])\s+(?:[\w-]+\s+){{0,2}}?[a-z]+s|list(?:s|ed|ing)?|enumerat\w*)\b", re.I
)


def asks_for_list(question: str) -> bool:
    """Whether the question asks for several items ("the five prerequisites", "list their functions")."""
    return bool(_ASKS_FOR_LIST.search(question))


def asked_count(question: str) -> int | None:
    """The number of items a question asks for ("What three reasons ..." -> 3), if it says."""
    match = _ASKS_FOR_LIST.search(question)
    word = match.group(0).split()[0].lower() if match else ""
    return COUNT_WORDS.get(word) or (int(word) if word.isdigit() else None)


def asked_noun(question: str) -> str:
    """What a question counts ("What three reasons ..." -> "reasons"), or ''."""
    match = _ASKS_FOR_LIST.search(question)
    words = match.group(0).split() if match else []
    return words[-1].lower() if len(words) > 1 else ""


def announced_noun(unit: StoredUnit | str) -> str:
    """What a unit (or its text) announces a count of ("... five prerequisites." -> "prerequisites"), or ''."""
    match = _announcement(split_sentences(unit if isinstance(unit, str) else unit.text))
    return match.group(2).lower() if match else ""


def list_of_size(unit: StoredUnit, body: Sequence[StoredUnit], count: int, noun: str = "") -> list[StoredUnit]:
    """The whole list `unit` belongs to (announcement and items, in order) if it has `count` items, else [].

    An announcement must count the `noun` asked for, when both name one ("three
    challenges" is no list of "three reviews"). A paragraph that leads into `count`
    enumerated paragraphs ("First, ...") comes after them: they hold the answer.
    """
    items = list_items(unit, body)
    whole = sorted({u.unit_id: u for u in [unit, *items]}.values(), key=lambda u: u.order)
    enumerated = [u for u in whole if is_enumerated(u)]
    announced = announced_noun(unit)
    same_noun = not noun or not announced or tokenize(noun) == tokenize(announced)
    if announced_count(unit) == count and same_noun or (is_enumerated(unit) and len(enumerated) == count):
        return whole
    if len(enumerated) == count and len(whole) == count + 1:  # a lead into "First, ...": the items first
        return [*enumerated, unit]
    return []


def announced_count(unit: StoredUnit | str) -> int | None:
    """How many items a unit (or its text) announces in its closing sentence (0: a count-less colon), else None."""
    sentences = split_sentences(unit if isinstance(unit, str) else unit.text)
    if match := _announcement(sentences):
        word = match.group(1).lower()
        return COUNT_WORDS.get(word) or int(word)
    return 0 if sentences and sentences[-1].strip().endswith(":") else None


def _announcement(sentences: Sequence[str]) -> re.Match[str] | None:
    """The count a unit announces in its closing sentence.

    A short unit (an introduction to a section's list) may announce it in any sentence.
    """
    text = " ".join(sentences) if len(sentences) <= 2 else sentences[-1].strip()
    return _ANNOUNCED.search(text)


def is_enumerated(unit: StoredUnit) -> bool:
    """Whether the unit opens with an ordinal ("First,", "Secondly", "(a)")."""
    return opens_with_ordinal(unit.text)


def opens_with_ordinal(text: str) -> bool:
    """Whether a text opens with an ordinal ("First,", "Secondly", "(a)")."""
    return bool(_ORDINAL_OPENER.match(text))


def opens_a_list(text: str) -> bool:
    """Whether a text opens with the first ordinal of a list ("First,", "Firstly", "(a)", "1)")."""
    return bool(_FIRST_ORDINAL.match(text))


def list_items(unit: StoredUnit, body: Sequence[StoredUnit]) -> list[StoredUnit]:
    """The units that hold the list `unit` announces or belongs to, in reading order.

    `body` is the unit's document without footnotes. An announcement brings the units
    after it (the labelled items of one list where labels say so, up to the count it
    gives); an enumerated paragraph brings its run of enumerated siblings.
    """
    index = next((i for i, u in enumerate(body) if u.unit_id == unit.unit_id), None)
    if index is None:
        return []
    count = announced_count(unit)
    if count is not None:
        return _following_items(body, index, count or MAX_ITEMS, bounded=bool(count))
    if not is_enumerated(unit) and index + 1 < len(body) and opens_a_list(body[index + 1].text):
        return [body[index + 1], *list_items(body[index + 1], body)]  # the lead of "First, ..." paragraphs
    if is_enumerated(unit):
        start = index
        while start > 0 and is_enumerated(body[start - 1]):
            start -= 1
        if start > 0 and announced_count(body[start - 1]) is not None:
            start -= 1
        end = index + 1
        while end < len(body) and is_enumerated(body[end]) and end - start <= MAX_ITEMS:
            end += 1
        return [u for u in body[start:end] if u.unit_id != unit.unit_id]
    return []


def _following_items(body: Sequence[StoredUnit], index: int, count: int, bounded: bool) -> list[StoredUnit]:
    """Up to `count` items after `body[index]`, within its section."""
    section = body[index].section
    after = [u for u in body[index + 1 : index + 1 + 3 * count] if u.section == section]
    labelled = [u for u in after if _ITEM_LABEL.match(u.label)]
    if labelled:
        family = _ITEM_LABEL.match(labelled[0].label).group(1)
        same = [u for u in labelled if _ITEM_LABEL.match(u.label).group(1) == family]
        return same[:count]
    if not bounded:  # a colon with no count: only units that look like items
        return [u for u in after[:count] if u.kind is UnitKind.BLOCK or is_enumerated(u)][:count]
    return list(after[:count])


def with_list_items(order: list[str], snap: CorpusSnapshot, count: int | None, noun: str = "") -> list[str]:
    """Bring the items of a list announced (or enumerated) by a top unit right after it.

    A list of exactly as many items as the question asks for ("three reasons") comes first
    when it starts among the first ten units.
    """
    out: list[str] = []
    for uid in order[:10] if count else []:
        unit = snap.units[snap.by_id[uid]]
        body = [u for u in snap.units_of(unit.doc_id) if u.kind is not UnitKind.FOOTNOTE]
        if whole := list_of_size(unit, body, count, noun):
            out = [u.unit_id for u in whole]
            break
    for position, uid in enumerate(order):
        if uid in out:
            continue
        out.append(uid)
        if position < LIST_TRIGGER_RANKS:
            unit = snap.units[snap.by_id[uid]]
            body = [u for u in snap.units_of(unit.doc_id) if u.kind is not UnitKind.FOOTNOTE]
            out.extend(u.unit_id for u in list_items(unit, body) if u.unit_id not in out)
    return out

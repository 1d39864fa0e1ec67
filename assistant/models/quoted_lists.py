"""How the extractive answer quotes lists: whole, item by item, as the reports set them out.

A list is announced by a sentence ("All Member States can:", "... five prerequisites.") and
held by the bullets after it in its paragraph, or by the paragraphs retrieval puts after it
("First, ...", "Second, ..."). Candidates are `(score, source number, document, sentence)`;
sources are `(number, citation, text)` as the prompt numbers them.
"""

from __future__ import annotations

import re

from assistant.prompts import own_text
from vectorstore.lexical import tokenize
from vectorstore.lists import (
    announced_count,
    announced_noun,
    asked_count,
    asked_noun,
    asks_for_list,
    opens_with_ordinal,
)
from vectorstore.windows import split_sentences

MAX_ITEMS = 8  # items quoted after a sentence that announces a list
ITEM_SCORE = -1.0  # the score of an item of a list quoted whole: it is set out as a bullet
_ITEM = re.compile(r"^(?:[-•]\s|\(?[a-z0-9]{1,2}[.)]\s)")  # "- Appoint ...", "1. Strengthen ...", "(a) ..."


def doc_of(citation: str) -> str:
    """The document of a source's citation ("A/69/981, para. 12" -> "A/69/981")."""
    return citation.split(",")[0]


def leading_list(question: str, sources: list[tuple[int, str, str]]) -> list[tuple[int, str]]:
    """The list the sources open with when it has as many items as the question asks for, else [].

    A list question whose first paragraph holds a list of its own ("All Member States can:"
    and its bullets) is answered with that list, if it has as many items as the question
    asks for (when it says).

    Retrieval puts a list of the size asked for ("What three reasons ...") first: its
    announcement ("... five prerequisites.") and its items, or a run of enumerated
    paragraphs ("First, ...", "Second, ..."), all from one report. An announcement counts
    only if it names what the question counts ("three challenges" is no list of "three
    reviews"). The answer is then the announcement and the opening sentence of each item,
    whatever words the question shares with other paragraphs.
    """
    if not sources or not asks_for_list(question):
        return []
    bodies = [own_text(text) for _, _, text in sources]
    count = asked_count(question)
    if (own := _own_list(bodies[0])) and len(own[1]) == (count or len(own[1])):
        head, bullets = own  # the first paragraph announces the list and holds it: "All Member States can:"
        return [(sources[0][0], head)] + [(sources[0][0], "- " + item) for item in bullets]
    if not count or len(sources) < count:
        return []
    same_noun = tokenize(announced_noun(bodies[0])) == tokenize(asked_noun(question))
    if announced_count(bodies[0]) == count and same_noun and len(sources) > count:
        head, items = [(sources[0][0], split_sentences(bodies[0])[-1])], range(1, count + 1)
    elif all(opens_with_ordinal(body) for body in bodies[:count]):
        head, items = [], range(count)
    else:
        return []
    if len({doc_of(sources[i][1]) for i in [0, *items]}) > 1:
        return []
    openings = [(sources[i][0], split_sentences(bodies[i])) for i in items]
    return head + [(n, "- " + sentences[0].lstrip("- ").strip()) for n, sentences in openings if sentences]


def _own_list(body: str) -> tuple[str, list[str]] | None:
    """A paragraph's own list: its sentence ending in ":" and the bulleted items after it (two or more)."""
    sentences = split_sentences(body)
    for i, sentence in enumerate(sentences):
        if sentence.rstrip().endswith(":"):
            items = _items(sentences[i + 1:])
            if len(items) >= 2:
                return sentence.lstrip("- ").strip(), items
    return None


def own_items(cand: tuple, sources: list[tuple[int, str, str]]) -> list[str]:
    """The items after a sentence that announces a list ("All Member States can:") in its own paragraph.

    The bulleted or numbered lines that follow it; [] when the sentence announces nothing.
    """
    body = body_of(cand, sources)
    tail = cand[3][-40:]
    if (end := body.find(tail)) < 0:
        return []
    after = split_sentences(body[end + len(tail):])
    return _items(after) if cand[3].endswith(":") else _enumerated(cand[3], after)


def _enumerated(sentence: str, after: list[str]) -> list[str]:
    """The sentences after one announcing how many things follow that open with an ordinal, if all are there.

    "I will act on this imperative in four main ways. First, I will ... Second, ...": the
    list is set out in the paragraph's running text.
    """
    count = announced_count(sentence)
    items = [s for s in after if opens_with_ordinal(s)]
    return items if count and len(items) == count else []


def _items(sentences: list[str]) -> list[str]:
    """The bulleted or numbered items among `sentences`, without their bullets."""
    return [s.lstrip("- ").strip() for s in sentences if _ITEM.match(s)]


def says_something(cand: tuple, sources: list[tuple[int, str, str]], listed: bool) -> bool:
    """False for a sentence that announces a list whose items are not in its paragraph.

    Alone it says nothing, unless the question asks for a list and the items may be the
    paragraphs retrieval put after it (`list_items`).
    """
    if not cand[3].endswith(":") or own_items(cand, sources):
        return True
    return listed and bool(announced_count(body_of(cand, sources)))


def body_of(cand: tuple, sources: list[tuple[int, str, str]]) -> str:
    """The own text of the source a candidate sentence comes from."""
    return own_text(next(text for n, _, text in sources if n == cand[1]))


def with_own_items(chosen: list[tuple], sources: list[tuple[int, str, str]]) -> list[tuple]:
    """`chosen` with each sentence that announces a list followed by its items (`own_items`).

    An item also chosen on its own is quoted once, as an item.
    """
    out: list[tuple] = []
    for cand in chosen:
        out += [cand, *((ITEM_SCORE, cand[1], cand[2], item) for item in own_items(cand, sources)[:MAX_ITEMS])]
    items = {(c[1], c[3]) for c in out if c[0] == ITEM_SCORE}
    kept = [c for c in out if c[0] == ITEM_SCORE or (c[1], c[3]) not in items]
    return list(dict.fromkeys(kept))


def list_items(chosen: list[tuple], sources: list[tuple[int, str, str]]) -> list[tuple]:
    """The opening sentence of each item of a list that a chosen source announces ("three challenges:").

    Retrieval puts a list's items right after the paragraph that announces them.
    """
    numbers = [n for n, _, _ in sources]
    extra: list[tuple] = []
    for n in dict.fromkeys(c[1] for c in chosen):
        index = numbers.index(n)
        count = announced_count(own_text(sources[index][2]))
        for item_n, citation, text in sources[index + 1 : index + 1 + (count or 0)]:
            first = split_sentences(own_text(text))
            if first and item_n not in {c[1] for c in chosen + extra}:
                extra.append((ITEM_SCORE, item_n, doc_of(citation), first[0].lstrip("- ").strip()))
    return extra

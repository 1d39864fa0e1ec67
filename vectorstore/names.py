"""Names in a question that no document uses, matched the way the reports write them.

Accents, curly or straight apostrophes and elided articles ("Côte d'Ivoire", "Cote
d’Ivoire") do not matter; possessives and acronym plurals ("NGOs") are reduced.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from vectorstore.lexical import fold

_ENTITY = re.compile(r"\b(?:[A-Z][a-zA-Z']+|[A-Z]{2,})(?:\s+(?:[A-Z][a-zA-Z']+|[A-Z]{2,}))*")
_IGNORED = {"R2P", "RtoP", "SG", "UN", "UNSC", "UNGA", "I", "What", "Which", "How", "Who", "When", "Why", "Is",
            "Are", "Do", "Does", "Did", "And", "Secretary-General", "Secretary", "General"}


def unknown_names(question: str, vocabulary: set[str], every_word: bool = False) -> list[str]:
    """Capitalised names in the question (not at a sentence start) that no document uses.

    Words are looked up one by one (possessives stripped), so "the Refugee Convention"
    passes when the reports speak of refugees and conventions. A lone acronym is skipped
    (reports often spell out what a question abbreviates), but an acronym inside a
    longer name ("ACT Group") must appear as written. With `every_word`, a name is
    unknown only when none of its words is used ("North Korea" is known to a report
    that says "Democratic People's Republic of Korea").
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
        absent = [w for w in words if not _known(w, vocabulary)]
        if absent and (not every_word or len(absent) == len(words)):
            missing.append(" ".join(absent))
    return missing


def uses_name(name: str, vocabulary: set[str]) -> bool:
    """Whether some word of `name` (as `unknown_names` returns it) is in `vocabulary`."""
    return any(_known(word, vocabulary) for word in name.split())


def _known(word: str, vocabulary: set[str]) -> bool:
    """In `vocabulary` as written, or as the place's or its people's name ("Syria", "Syrian")."""
    if word.isupper():
        return word in vocabulary
    word = word.lower()
    forms = {word + end for end in _DEMONYM} | {word[: -len(end)] for end in _DEMONYM if word.endswith(end)}
    return word in vocabulary or any(form in vocabulary for form in forms if len(form) >= 5)


_DEMONYM = ("n", "an", "ian", "i", "ese")  # Syria(n), Iraq(i), Sudan(ese)


def vocabulary_of(texts: Iterable[str]) -> set[str]:
    """Words of `texts` as names are looked up: lowercased, plus acronyms as written."""
    vocabulary: set[str] = set()
    for text in texts:
        for word in re.findall(r"[A-Za-z][\w'-]*", fold(text)):
            word = re.sub(r"'s?$", "", word)
            vocabulary.add(word.lower())
            vocabulary.update(part.lower() for part in word.split("-"))
            if word.isupper():
                vocabulary.add(word)
    return vocabulary

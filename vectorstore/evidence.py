"""Evidence for the abstention decision, computed from what retrieval found.

Two checks that need the retrieved paragraphs and the corpus, not a model:
- the question asks for a particular kind of fact (a figure, a percentage, a sum of money, a date, a
  vote, a person's name, a resolution, a court's sentence) and the paragraphs about its
  subject contain none (a Security Council resolution must be cited as the Council's are,
  "1973 (2011)": the Assembly's "66/253" does not answer it);
- the question presupposes what a report does ("Why does the 2017 report recommend
  abolishing the veto?") and a word of that premise occurs nowhere in that report.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from vectorstore.countries import countries_named
from vectorstore.lexical import COUNT_WORDS, fold, tokenize
from vectorstore.names import unknown_names, uses_name
from vectorstore.query import spell_out
from vectorstore.records import Passage
from vectorstore.windows import split_sentences

if TYPE_CHECKING:
    from vectorstore.snapshot import CorpusSnapshot

_NUMBER_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\w+teen|twenty|thirty|forty|fifty|sixty|"
    r"seventy|eighty|ninety|hundred|thousand|million|billion|dozens?|several|a quarter|half"
)
_NUMBER = re.compile(rf"\b(?:\d[\d,.]*|(?:{_NUMBER_WORDS})(?:-\w+)?)\b", re.I)
_MONTHS = r"January|February|March|April|May|June|July|August|September|October|November|December"
_DATE = re.compile(rf"\b(?:{_MONTHS})\b|\b(?:19|20)\d{{2}}\b|\b(?:[Bb]y the end of|[Nn]ext year|[Tt]his year)\b")
_CURRENCY = re.compile(r"(?:US)?\$\s?\d|\b\d[\d,.]*\s*(?:million|billion)?\s*(?:dollars|euros|francs)\b|\bUSD\b")
# Resolutions as the reports cite them: the Council's "1973 (2011)", the Assembly's "66/253".
_COUNCIL_RESOLUTION = re.compile(r"\bresolutions?\s+\d{3,4}\s*\(\d{4}\)|\bS/RES/\d+")
_ASSEMBLY_RESOLUTION = re.compile(r"\bresolutions?\s+\d{2,3}/\d{1,3}|\bA/RES/\d+")
_PENALTY = re.compile(
    r"\bsentenced\b|\b(?:life|\w+[- ]years?'?)\s+(?:imprisonment|in prison)\b|\bprison (?:term|sentence)\b", re.I
)
# A share of a whole: a percentage, a fraction, "10 out of 16", "the vast majority".
_SHARE = re.compile(r"\d\s?%|\bper ?cent\b|\bpercentage\b|\bhalf\b|\b(?:one|two)[- ]thirds?\b|"
                    r"\b(?:one|three)[- ]quarters?\b|\bout of\b|\bmajority\b|\bminority\b", re.I)
_VOTE_RECORD = re.compile(r"\b(?:voted|vetoed|recorded vote|votes? (?:in favour|against)|in favour,|abstentions?)\b",
                          re.I)

# A number of countries asked for ("which five countries"): only names answer it. Without a
# number, "which countries bear the primary responsibility" is answered by "each State".
_ASKS_COUNTRIES = re.compile(
    rf"\b(?:which|what|name the)\s+({_NUMBER_WORDS}|\d+)\s+(?:countries|nations|States|Member States)\b", re.I)
# What a question asks for, by the words that ask for it. Checked in this order.
_ASKS = (
    ("a vote", re.compile(r"\b(?:vot(?:e|es|ed|ing)|vetoed|vetoes|cast (?:a|their|its) veto)\b", re.I)),
    ("a sum of money", re.compile(
        r"\b(?:budgets?|how much (?:money|funding)|sum of money|amount of (?:money|funding)|costs? of|"
        r"funding (?:level|amount)|dollars?|USD|euros?|price)\b|\$\s?\d", re.I)),
    ("a person's name", re.compile(
        r"\b(?:name of (?:the|a|an|this|that)|who (?:chair(?:s|ed)?|led|leads|heads|headed|wrote|drafted|"
        r"is drafting|was appointed|appointed|signed)\b|"
        r"who (?:is|was) (?:the|its|their) (?:[\w'’-]+ ){0,4}?(?:Advis[eo]r|Secretary-General|President|"
        r"Chair(?:person|man)?|Prosecutor|Envoy|Representative|High Commissioner|Ambassador|Minister)\b)", re.I)),
    ("a date", re.compile(
        r"^\s*when (?:\w+ly )?(?:is|was|are|were|did|does|do|will|has|had)\b|\bby when\b|"
        r"\b(?:what|which) (?:date|year)\b|\bin (?:what|which) year\b|"
        r"\bwhen (?:is|was) (?:it|the \w+) (?:due|expected|held|published)\b", re.I)),
    ("a percentage or share", re.compile(r"\bwhat (?:percentage|proportion|share|fraction|per ?cent) of\b|"
                           r"\bwhat per ?cent(?:age)?\b", re.I)),
    ("a figure", re.compile(r"\bhow many\b", re.I)),
    ("the countries' names", _ASKS_COUNTRIES),
    ("a resolution", re.compile(r"\b(?:which|what) (?:(?:Security Council|General Assembly|Council|Assembly)\s+)?"
                                r"resolutions?\b", re.I)),
    ("a court's sentence", re.compile(
        r"\b(?:what|which) (?:prison )?(?:sentence|penalty|punishment)\b|\bsentenced to\b", re.I)),
)
_COUNTED = re.compile(r"\bhow many\s+(.*)", re.I)
# Verbs that say what a report does, not what happened: "how many ... does the report refer to".
_REPORTING = frozenset(tokenize("refer mention cite note give list state describe count record identify"))
_PREMISE = re.compile(
    r"\bwhy (?:does|did|do) (?:the |this |that |(?:[\w.-]+ ){0,2}[\w.-]+(?:'s|’s) )?(?:(?:19|20)\d{2}\s+)?"
    r"(?:report|reports|document|it|they)\s+([^?.!]+)",
    re.I,
)
# Kinds of fact a paragraph holds when it has words of this form anywhere.
_SAID_AS = {"a vote": _VOTE_RECORD, "a sum of money": _CURRENCY, "a percentage or share": _SHARE,
            "a court's sentence": _PENALTY}
ANCHORS = 3  # the paragraphs about the question's subject: the first few retrieved


def asked_facts(question: str) -> tuple[str, ...]:
    """The kinds of fact the question asks for ("a figure", "a date", ...), if any."""
    return tuple(name for name, pattern in _ASKS if pattern.search(question))


def question_names(question: str) -> list[str]:
    """Capitalised words of the question that are not its first word, report names or stop words."""
    words = re.findall(r"[^\W\d_][\w'-]*", fold(question))
    return [w for w in words[1:] if w[:1].isupper() and tokenize(w) and not re.fullmatch(r"R2P|RtoP|SG|UN", w)]


def fact_found(kind: str, question: str, passages: Sequence[Passage], names: Sequence[str], lexical) -> bool:
    """Whether a paragraph about the question's subject holds the kind of fact it asks for.

    Paragraphs about the subject are the first retrieved ones that name every name of
    the question (a figure for South Sudan must come from a paragraph about South Sudan).
    """
    seen = {t for p in passages for t in tokenize(_text(p))}
    wanted = {t for name in names for t in tokenize(name)} & seen  # a name no paragraph uses (the author)
    texts = [_text(p) for p in passages[:ANCHORS]]
    texts = [t for t in texts if wanted <= set(tokenize(t))]
    if (pattern := _SAID_AS.get(kind)) is not None:
        return any(pattern.search(t) for t in texts)
    if kind == "a resolution":  # of the body the question names, if it names one
        council, assembly = re.search(r"\bCouncil\b", question), re.search(r"\bAssembly\b", question)
        patterns = [p for p, named in ((_COUNCIL_RESOLUTION, council), (_ASSEMBLY_RESOLUTION, assembly))
                    if named or not (council or assembly)]
        return any(p.search(t) for p in patterns for t in texts)
    if kind in ("a date", "a person's name", "the countries' names"):
        # In a sentence about the subject: one with the question's rarest words, or with all the
        # names it asks about ("Kofi Annan" in a paragraph on the Special Advisers' office does
        # not name the adviser asked about).
        rare = _rarest(question, lexical)
        about = [s for t in texts for s in split_sentences(t)
                 if rare & set(tokenize(s)) or (wanted and wanted <= set(tokenize(s)))]
        if kind == "a date":
            return any(_DATE.search(_without_references(sentence)) for sentence in about)
        if kind == "a person's name":
            return any(_person_names(sentence) for sentence in about)
        wanted_count = _asked_number(_ASKS_COUNTRIES.search(question).group(1))  # "which five countries"
        return any(len(countries_named(fold(sentence))) >= wanted_count for sentence in about)
    if kind == "a figure":
        nouns, verb = _counted(question)
        # A common noun ("people") is pinned down by its verb ("killed"); a specific one is not.
        if nouns and min(lexical.document_frequency(n) for n in nouns) <= _specific(lexical):
            verb = set()
        return any(_counts(nouns, verb, sentence, wanted) for t in texts for sentence in split_sentences(t))
    return True


def premise_terms_missing(question: str, scope_indices: np.ndarray | None, lexical) -> tuple[str, ...]:
    """Words of a "why does the report ..." premise that the reports in scope never use.

    Only when they are fewer than half its words: a claim made in the report's own terms
    but for a word or two ("propose folding the post into OHCHR") is one the report does
    not make; a premise mostly in other words ("treat smartphones as cutting both ways")
    is a paraphrase, which the other checks judge.
    """
    match = _PREMISE.search(question)
    if not match:
        return ()
    missing, checked = [], 0
    for word in re.findall(r"[\w'-]+", match.group(1)):
        tokens = tokenize(word)
        if not tokens or lexical.document_frequency(tokens[0]) == 0 and word[:1].isupper():
            continue  # names are the name check's business
        checked += 1
        scores = lexical.scores(word)  # the word, not its stem: stemming a stem can change it
        present = scores > 0 if scope_indices is None else scores[scope_indices] > 0
        if not present.any():
            missing.append(word)
    return tuple(missing) if 2 * len(missing) < checked else ()


def _asked_number(word: str) -> int:
    """The number a question asks for: "five" -> 5, "12" -> 12; two for "several" and the like."""
    if word.isdigit():
        return int(word)
    return {"one": 1, **COUNT_WORDS}.get(word.lower(), 2)


def _text(passage: Passage) -> str:
    return " ".join([passage.unit.text, *(t for _, t in passage.footnote_texts)])


def _without_references(text: str) -> str:
    """Text without resolution and document references, whose years are not dates of events."""
    return re.sub(r"\(\d{4}\)|[AS]/\d+/\d+|resolution \d+/\d+", " ", text)


def _counted(question: str) -> tuple[set[str], set[str]]:
    """What "how many" counts (the words up to the next stop word) and the verb that follows.

    "how many people had been killed in ..." -> ({"peopl"}, {"kill"}); names and numbers are
    left out (the name check covers names), and so are verbs about the report itself.
    """
    match = _COUNTED.search(question)
    words = re.findall(r"[\w'-]+", match.group(1)) if match else []
    nouns: set[str] = set()
    position = 0
    for position, word in enumerate(words):  # noqa: B007 - the counted phrase: content words up to a stop word
        tokens = [t for t in tokenize(word) if not t.isdigit()]
        if not tokens and not word.isupper():
            break
        if not word.isupper():  # acronyms ("UN") are names, not what is counted
            nouns.add(tokens[0])
    for word in words[position : position + 4] if nouns else []:  # the verb after it
        tokens = [t for t in tokenize(word) if not t.isdigit()]
        if tokens and not word[:1].isupper():
            return nouns, set(tokens[:1]) - _REPORTING
    return nouns, set()


def _specific(lexical) -> int:
    """Document frequency up to which a term is specific to a few paragraphs."""
    return max(3, len(lexical) // 50)


def _rarest(question: str, lexical, n: int = 2) -> set[str]:
    """The question's `n` rarest words that the corpus uses."""
    terms = [t for t in dict.fromkeys(tokenize(question)) if lexical.document_frequency(t) and not t.isdigit()]
    return set(sorted(terms, key=lexical.document_frequency)[:n])


def _counts(nouns: set[str], verb: set[str], sentence: str, names: set[str]) -> bool:
    """A sentence with a number right before (within three words) what the question counts."""
    words = re.findall(r"[\w,.-]+", _without_references(sentence))
    tokens = set(tokenize(sentence))
    if not (names | verb) <= tokens:
        return False
    if not nouns or nouns <= {"time"}:
        return bool(_NUMBER.search(_without_references(sentence)))
    if nouns & _COUNTRIES:  # the reports count countries as "States"
        nouns = nouns | _COUNTRIES
    for i, word in enumerate(words):
        if set(tokenize(word)) & nouns and any(_NUMBER.fullmatch(w.strip(",.")) for w in words[max(0, i - 3) : i]):
            return True
    return False


_COUNTRIES = frozenset(tokenize("countries nations States"))


_PERSON = re.compile(r"(?<!\bthe )(?<!\bThe )(?<!\bin )(?<!\bat )(?<!\bfor )"
                     r"\b([A-Z][a-z]+(?:-[A-Za-z]+)?(?:\s+[A-Z][a-z]+(?:-[a-z]+)?){1,2})")


def _person_names(text: str) -> list[str]:
    """Personal names: two or three capitalised words not preceded by "the" and not a title.

    Nor by "in", "at" or "for": "in New York", "Parliamentarians for Global Action".
    """
    found = []
    for match in _PERSON.finditer(fold(text)):
        words = match.group(1).split()
        if not any(w.lower() in _INSTITUTIONAL or not tokenize(w) for w in words):
            found.append(match.group(1))
    return found


# Words that make a capitalised phrase an office, body or place rather than a person.
_INSTITUTIONAL = frozenset(
    """united nations council assembly general secretary special adviser advisers office court commission
    committee panel group republic union states state member members security human rights international
    high commissioner representative conference summit world outcome charter convention protocol
    declaration framework network centre center responsibility protect protection prevention genocide
    pillar report reports mission missions force african european arab league organization
    peace peacebuilding government governments national regional""".split()
)


def fact_evidence(question: str, passages: Sequence[Passage], snap: CorpusSnapshot, scope: tuple[str, ...]) -> dict:
    """Whether the paragraphs found hold the fact asked for, and whether the question's premise holds."""
    kinds = asked_facts(question)
    names = question_names(question)
    missing = tuple(k for k in kinds if not fact_found(k, question, passages, names, snap.lexical))
    premise = premise_terms_missing(spell_out(question), snap.scope_indices(scope), snap.lexical)
    return {"asks_for": kinds, "facts_missing": missing, "premise_missing": premise}


def names_outside(question: str, scope: tuple[str, ...],
                   snap: CorpusSnapshot) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Names of the question that the reports searched never use (no word of them), and the reports that do.

    Leniently, because a report may write a name another way: "North Korea" passes a
    report that says "Democratic People's Republic of Korea".
    """
    searched = set().union(*(snap.document_vocabulary(d) for d in scope))
    missing = tuple(unknown_names(question, searched, every_word=True))
    if not missing:
        return (), ()
    others = tuple(d for d in snap.docs if d not in scope
                   and all(uses_name(name, snap.document_vocabulary(d)) for name in missing))
    return missing, others

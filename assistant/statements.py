"""From a model's structured reply to checked statements, and the key sentences shown first.

Each statement is checked against the sentences it cites (`assistant.support`); repeated
statements, headings and statements past the limit are dropped; what is left is rendered
with the source markers of its sentences, so its citation is the paragraph the sentences
come from, by construction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from assistant.markers import marker
from assistant.models.extractive import NOT_ADDRESSED, compose
from assistant.prompts import source_body
from assistant.records import CheckedStatement
from assistant.structured import MAX_LIST_STATEMENTS, MAX_STATEMENTS, Sentence, Statement
from assistant.support import Embed, check, coverage
from vectorstore.lexical import tokenize
from vectorstore.lists import asks_for_list
from vectorstore.records import Passage

REPEAT_OVERLAP = 0.8  # share of content words two statements have in common to count as a repeat
# A statement with at least this share of its content words in one given sentence restates that
# sentence, and is shown as the sentence itself. Small models copying a sentence change who did
# what, or split a count differently ("three panels in New York and one in Geneva" for "three
# panels, two in New York and one in Geneva"), in ways no support check sees.
QUOTE_COVERAGE = 0.8


def key_sentences(question: str, passages: Sequence[Passage]) -> str:
    """The reports' own best sentences for the question, each with its source marker ('' if none)."""
    sources = [(n, p.unit.citation, source_body(p)) for n, p in enumerate(passages, start=1)]
    text = compose(question, sources)
    return "" if text == NOT_ADDRESSED else text


def check_statement(statement: Statement, sentences: dict[int, Sentence], passages: Sequence[Passage],
                    embed: Embed) -> CheckedStatement:
    """One statement checked against the sentences it cites.

    Small models often say something a given sentence says and cite the wrong one. When the
    cited sentences do not support a statement, the given sentence that shares most of its
    words is checked instead; if that one supports it, the statement cites it (`recited`).
    A supported statement that restates the sentence it rests on is shown as that sentence
    (`quoted`): what the check cannot see (a count split differently, a deed given to the wrong
    actor) is then not shown.
    """
    cited = [sentences[i] for i in statement.sentence_ids if i in sentences]
    checked = _checked(statement.text, cited, passages, embed)
    if checked.supported:
        return _quoted(checked, cited, passages)
    if not sentences:
        return checked
    best = max(sentences.values(), key=lambda s: coverage(statement.text, s.text))
    if best in cited:
        return checked
    other = _checked(statement.text, [best], passages, embed)
    if not other.supported:
        return checked
    return replace(_quoted(other, [best], passages), recited=True)


def restated(text: str, cited: Sequence[Sentence]) -> Sentence | None:
    """The cited sentence `text` restates, if it restates one (`_quoted` decides what it is cited to).

    A statement citing sentences of several paragraphs is quoted too when one sentence holds
    80% of its words: the rest is a frame ("The 2012 and 2015 reports say that ...") the
    other paragraph may not bear out (evals/HISTORY.md, eleventh round).
    """
    if not cited:
        return None
    best = max(cited, key=lambda s: coverage(text, s.text))
    return best if coverage(text, best.text) >= QUOTE_COVERAGE and not is_heading(best.text) else None


def _quoted(checked: CheckedStatement, cited: Sequence[Sentence], passages: Sequence[Passage]) -> CheckedStatement:
    """A supported statement, shown as the sentence it restates if it restates one.

    The sentence is cited to its paragraph and to any other cited paragraph that holds it word
    for word (two reports' footnotes defining ethnic cleansing alike).
    """
    if (sentence := restated(checked.text, cited)) is None:
        return checked
    sources = tuple(dict.fromkeys(s.source for s in cited if s.source == sentence.source
                                  or sentence.text in passages[s.source - 1].unit.text))
    return replace(checked, text=sentence.text, sources=sources, evidence=(sentence.text,), quoted=True)


def _checked(text: str, cited: Sequence[Sentence], passages: Sequence[Passage], embed: Embed) -> CheckedStatement:
    if not cited:
        return CheckedStatement(text, (), (), False, "it cites no sentence that was given")
    sources = tuple(dict.fromkeys(s.source for s in cited))
    context = report_context([passages[n - 1].unit.citation for n in sources],
                             [passages[n - 1].unit.year for n in sources])
    support = check(text, [s.text for s in cited], context, embed)
    return CheckedStatement(text, sources, tuple(s.text for s in cited), support.supported,
                            support.why_not, round(support.coverage, 3), round(support.similarity, 3))


def report_context(citations: Sequence[str], years: Sequence[int | None]) -> str:
    """What a statement may name besides its sentences: the reports' references, years and author."""
    refs = " ".join(f"{c} {y or ''}" for c, y in zip(citations, years, strict=True))
    return f"{refs} Secretary-General United Nations"


def is_heading(text: str) -> bool:
    """A heading copied from the sources rather than a statement."""
    return text.rstrip().endswith(":") or len(text.split()) < 4


def is_repeat(text: str, earlier: Sequence[str]) -> bool:
    """Whether `text` says again what one of the `earlier` statements said."""
    words = set(tokenize(text))
    for other in earlier:
        other_words = set(tokenize(other))
        if words and other_words and len(words & other_words) / min(len(words), len(other_words)) >= REPEAT_OVERLAP:
            return True
    return False


def statement_limit(question: str) -> int:
    """At most five statements, more when the question asks for a list."""
    return MAX_LIST_STATEMENTS if asks_for_list(question) else MAX_STATEMENTS


def admit(statement: Statement, kept: Sequence[str], question: str) -> bool:
    """Whether a statement is new, not a heading, and within the limit."""
    return (bool(statement.text) and not is_heading(statement.text) and not is_repeat(statement.text, kept)
            and len(kept) < statement_limit(question))


def render(statement: CheckedStatement) -> str:
    """A statement as answer text: its sentence, then its source markers."""
    text = statement.text if statement.text.endswith((".", "?", "!", ")", "”")) else statement.text + "."
    return f"{text} {''.join(marker(n) for n in statement.sources)}"

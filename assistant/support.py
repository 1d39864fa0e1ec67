"""Is a statement supported by the sentences it cites? Not only its figures and names: what it says.

Signals, computed for each statement against exactly the sentences it cites:
- claims: every number, quoted phrase and name of the statement is in those sentences
  (`assistant.verify.claims`; the paragraphs' references and years count too, so "the 2015
  report" is supported by a sentence of A/69/981);
- coverage: the share of the statement's content words (stemmed) that those sentences use;
- similarity: cosine similarity of the MiniLM embeddings (the retrieval embedder, already loaded);
- polarity: a negation ("not", "never", "without", ...) in the statement and none in the
  sentences, or every cited sentence negated and the statement not;
- hedges: the sentence the statement rests on is qualified ("may", "should", "some",
  "most", "aspects of", "in some circumstances", or a finding reported as "found that") and
  the statement drops every qualifier of that kind, or says "must"/"will" where the sentence says "may"/"should";
- cause: the statement gives a cause or consequence ("because", "therefore", "as a result")
  and none of the sentences gives one: a reason the report does not state;
- form: a fragment (no verb, no full stop, or a bare "-ing" phrase) asserts nothing checkable;
- subject: the sentence opens with a pronoun ("They could ...") and the statement names a
  subject the sentence does not ("Parliaments could ..."): who is meant cannot be checked.
A statement is supported when none of these fails and coverage and similarity clear
thresholds calibrated on a labelled set of real statements written by the local models
(tests/data/support_labels.jsonl; see the README for precision and recall).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from assistant.verify import claims, normalize
from vectorstore.lexical import tokenize

# Calibrated on tests/data/support_labels.jsonl (`python -m benchmarks.support_calibration`).
MIN_COVERAGE = 0.6
MIN_SIMILARITY = 0.55

_NEGATION = re.compile(r"\b(?:not|no|never|none|neither|nor|without|cannot|lack(?:s|ed|ing)?|fail(?:s|ed)? to|"
                       r"\w+n['’]t)\b", re.I)
_STRONG = re.compile(r"\b(?:must|shall|will|is required to|are required to|always)\b", re.I)
_WEAK = re.compile(r"\b(?:may|might|could|should|can|would|some|often|sometimes)\b", re.I)
# Kinds of qualifier: a statement resting on a qualified sentence must keep one of the same kind.
_HEDGES = (
    re.compile(r"\b(?:may|might|could|can|should|would|ought|need(?:s|ed)? to|recommend\w*|urge\w*|encourag\w*|"
               r"call(?:s|ed)? (?:on|for|upon)|invit\w*)\b", re.I),
    re.compile(r"\b(?:some|most|many|several|certain|aspects? of|often|sometimes|partly|partially|in part|"
               r"a number of|in some|in certain|in particular cases)\b", re.I),
    re.compile(r"\b(?:found|finds|according to|stated|states that|said|says|noted|notes that|argued|reported|"
               r"considered|believes?|concluded)\b", re.I),  # reported findings stay reported
)
_CAUSE = re.compile(r"\b(?:because|since|therefore|thus|hence|as a result|due to|owing to|so that|in order to|"
                    r"which means|leads? to|led to|result(?:s|ed)? in)\b", re.I)
_PRONOUN_START = re.compile(r"^\W*(?:they|it|these|this|those|such|he|she|its|their)\b", re.I)
_VERB = re.compile(r"\b(?:is|are|was|were|be|been|has|have|had|will|would|can|could|should|must|may|might|shall|"
                   r"does|do|did|needs?|remains?|includes?|provides?|prohibits?|\w+ed|\w+es)\b", re.I)
_GERUND_START = re.compile(r"^\W*\w+ing\b")

Embed = Callable[[Sequence[str]], np.ndarray]


@dataclass(frozen=True)
class Support:
    """The signals for one statement and the decision drawn from them."""

    coverage: float
    similarity: float
    claims_missing: tuple[str, ...]
    negation_mismatch: bool
    modality_mismatch: bool
    fragment: bool = False
    cause_added: bool = False

    @property
    def supported(self) -> bool:
        """Whether the statement may be shown as cited fact."""
        return (not self.claims_missing and not self.negation_mismatch and not self.modality_mismatch
                and not self.fragment and not self.cause_added
                and self.coverage >= MIN_COVERAGE and self.similarity >= MIN_SIMILARITY)

    @property
    def why_not(self) -> str:
        """One line saying why a statement is not supported ('' when it is)."""
        if self.claims_missing:
            return f"the cited sentences do not contain {', '.join(self.claims_missing)}"
        if self.negation_mismatch:
            return "the statement and the cited sentences disagree on a negation"
        if self.modality_mismatch:
            return "the statement drops a qualifier of the cited sentence (may, should, some, most, ...)"
        if self.cause_added:
            return "the statement gives a cause or consequence the cited sentences do not"
        if self.fragment:
            return "it is a fragment, not a statement"
        if not self.supported:
            return "the cited sentences do not say this"
        return ""


def coverage(statement: str, evidence: str) -> float:
    """Share of the statement's content words that occur in the evidence."""
    words = set(tokenize(statement))
    return len(words & set(tokenize(evidence))) / len(words) if words else 0.0


def check(statement: str, evidence: Sequence[str], context: str, embed: Embed) -> Support:
    """Support signals of `statement` against its cited sentences `evidence`.

    `context` is extra text that counts for names and figures only (the paragraphs' UN
    references and years: "the 2015 report" is supported by a sentence of A/69/981).
    """
    joined = " ".join(evidence)
    vectors = embed([statement, *evidence])
    similarity = float(max(vectors[1:] @ vectors[0])) if len(vectors) > 1 else 0.0
    if len(evidence) > 1:  # a statement that combines sentences is compared with all of them together
        similarity = max(similarity, float(embed([joined])[0] @ vectors[0]))
    haystack = normalize(f"{joined} {context}")
    missing = tuple(dict.fromkeys(c for c, pattern in claims(statement) if not pattern.search(haystack)))
    said_neg = bool(_NEGATION.search(statement))
    # A negation the sentences do not have, or every cited sentence negated and the statement not.
    negation = (said_neg and not _NEGATION.search(joined)) or (
        not said_neg and all(_NEGATION.search(s) for s in evidence))
    cause = bool(_CAUSE.search(statement)) and not _CAUSE.search(joined)
    return Support(coverage(statement, joined), similarity, missing, negation,
                   _drops_qualifier(statement, evidence), is_fragment(statement), cause)


def _drops_qualifier(statement: str, evidence: Sequence[str]) -> bool:
    """The sentence the statement rests on most is qualified, and the statement is not (or firmer)."""
    base = max(evidence, key=lambda sentence: coverage(statement, sentence))
    if _STRONG.search(statement) and not _STRONG.search(base) and _WEAK.search(base):
        return True
    if _PRONOUN_START.match(base) and not _PRONOUN_START.match(statement):
        subject = tokenize(statement)[:1]  # "They could ..." said as "Parliaments could ...": who is not given
        if subject and subject[0] not in tokenize(base):
            return True
    return any(kind.search(base) and not kind.search(statement) for kind in _HEDGES)


def is_fragment(statement: str) -> bool:
    """A phrase that is not a sentence (no verb, no full stop, or a bare "-ing" phrase): nothing to check."""
    ends = statement.rstrip().rstrip("”’'\")")
    return not _VERB.search(statement) or not ends.endswith((".", "!", "?")) or bool(_GERUND_START.match(statement))

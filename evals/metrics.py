"""Scoring for one eval question, per `evals/README` matching rules.

Everything here is pure: a runner builds `ScoredPassage`s for what it retrieved and
cited and calls `score_case` per question; `evals.summary` aggregates and compares runs.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from assistant.numbers import number_pattern, numbers_in
from evals.dataset import EvalCase, GoldEntry

K_VALUES = (1, 3, 5, 10)
_FOOTNOTE_LABEL = re.compile(r"fn(\d+)")


def normalize(text: str) -> str:
    """Normalise for matching: Unicode NFKC, whitespace collapsed to one space, lowercase."""
    return " ".join(unicodedata.normalize("NFKC", text).split()).lower()


@dataclass(frozen=True)
class ScoredPassage:
    """A retrieved or cited unit: document key, printed label, text and attached footnotes."""

    doc: str
    para: str
    text: str
    footnotes: tuple[tuple[int, str], ...] = ()

    @property
    def key(self) -> tuple[str, str]:
        """Identity of the unit, used to compare citations with retrieved passages."""
        return (self.doc.strip(), self.para.strip())


def _para_matches(passage: ScoredPassage, para: str | None) -> bool:
    """Rule 3: null matches any unit; `fnN` the footnote or a carrier; else label equality."""
    if para is None:
        return True
    label = passage.para.strip().lower()
    footnote = _FOOTNOTE_LABEL.fullmatch(para.strip().lower())
    if footnote is None:
        return label == para.strip().lower()
    number = int(footnote.group(1))
    return label == f"fn{number}" or any(n == number for n, _ in passage.footnotes)


def hits(passage: ScoredPassage, gold: GoldEntry) -> bool:
    """Whether a passage hits a gold entry: same doc, quote in its text or footnotes, para."""
    if passage.doc.strip() != gold.doc.strip() or not _para_matches(passage, gold.para):
        return False
    quote = normalize(gold.quote)
    texts = (passage.text, *(text for _, text in passage.footnotes))
    return any(quote in normalize(text) for text in texts)


@dataclass(frozen=True)
class RetrievalScores:
    """Retrieval quality of one answerable question (`all_gold_at_10` only if 2+ gold)."""

    recall_at_1: float
    recall_at_3: float
    recall_at_5: float
    recall_at_10: float
    reciprocal_rank: float
    all_gold_at_10: float | None


def _first_hit_rank(passages: Sequence[ScoredPassage], gold: GoldEntry) -> int | None:
    """1-based rank of the first passage hitting `gold`, or None."""
    return next((rank for rank, p in enumerate(passages, 1) if hits(p, gold)), None)


def retrieval_scores(
    passages: Sequence[ScoredPassage], gold: Sequence[GoldEntry]
) -> RetrievalScores | None:
    """Recall@k (share of gold hit in the top k), reciprocal rank of the first hit, all-gold@10.

    Returns None when there is no gold (unanswerable questions); ranks run over the whole list.
    """
    if not gold:
        return None
    ranks = [_first_hit_rank(passages, entry) for entry in gold]
    recall = {k: sum(r is not None and r <= k for r in ranks) / len(gold) for k in K_VALUES}
    found = [r for r in ranks if r is not None]
    all_gold = float(all(r is not None and r <= 10 for r in ranks)) if len(gold) > 1 else None
    return RetrievalScores(
        recall_at_1=recall[1],
        recall_at_3=recall[3],
        recall_at_5=recall[5],
        recall_at_10=recall[10],
        reciprocal_rank=1 / min(found) if found else 0.0,
        all_gold_at_10=all_gold,
    )


@dataclass(frozen=True)
class CitationScores:
    """Citation quality of one answer; precision/recall are None where undefined."""

    precision: float | None
    recall: float | None
    cites_outside_retrieved: bool


def citation_scores(
    cited: Sequence[ScoredPassage],
    retrieved: Sequence[ScoredPassage],
    gold: Sequence[GoldEntry],
) -> CitationScores:
    """Score citations (deduplicated by (doc, para)) against gold and the retrieved set.

    Precision is None when nothing is cited; precision and recall are None without gold.
    """
    unique = list({passage.key: passage for passage in reversed(cited)}.values())[::-1]
    retrieved_keys = {passage.key for passage in retrieved}
    outside = any(passage.key not in retrieved_keys for passage in unique)
    if not gold:
        return CitationScores(None, None, outside)
    precision = (
        sum(any(hits(p, g) for g in gold) for p in unique) / len(unique) if unique else None
    )
    recall = sum(any(hits(p, g) for p in unique) for g in gold) / len(gold)
    return CitationScores(precision, recall, outside)


def abstention_correct(answerable: bool, abstained: bool, n_citations: int) -> bool | None:
    """For unanswerable questions: abstained (structured flag) and cited nothing; else None."""
    if answerable:
        return None
    return abstained and n_citations == 0


def _term_pattern(term: str) -> re.Pattern[str]:
    """Compile a must-include term: literal text as a substring, numbers in either form."""
    parts, position = [], 0
    for start, end, value in numbers_in(term):
        parts += [re.escape(term[position:start]), number_pattern(value)]
        position = end
    parts.append(re.escape(term[position:]))
    return re.compile("".join(parts))


def must_include_coverage(answer: str, terms: Sequence[str]) -> tuple[float, bool] | None:
    """Share of terms found in the answer and whether all are; None when there are no terms.

    Matching is case-insensitive after NFKC; terms may be stems (substring match) and numbers
    match as whole numbers in digits or words (`49` = `forty-nine`, `1,000` = `one thousand`).
    """
    if not terms:
        return None
    text = normalize(answer)
    found = [bool(_term_pattern(normalize(term)).search(text)) for term in terms]
    return sum(found) / len(found), all(found)


@dataclass(frozen=True)
class QuestionResult:
    """Everything scored for one question; the unit that `summarize` aggregates."""

    case_id: str
    kind: str
    answerable: bool
    retrieval: RetrievalScores | None
    citations: CitationScores | None
    must_include: tuple[float, bool] | None
    abstained: bool
    abstention_correct: bool | None
    timings: Mapping[str, float] = field(default_factory=dict)
    gold_ranks: tuple[int | None, ...] = ()  # rank of the first hit of each gold entry
    cited_counts: tuple[int, int, int] = (0, 0, 0)  # (cited units, of them hitting gold, gold entries cited)
    cautioned: bool = False  # the answer carried a caution that its citations may not answer the question

    @property
    def cites_wrongly(self) -> bool | None:
        """Whether an answer with citations cites no gold paragraph; None without citations.

        Every citation of an answer to an unanswerable question is wrong; an abstention cites nothing.
        """
        if self.abstained or not self.cited_counts[0]:
            return None
        return not self.answerable or self.cited_counts[1] == 0


def score_case(
    case: EvalCase,
    *,
    retrieved: Sequence[ScoredPassage],
    cited: Sequence[ScoredPassage],
    answer: str,
    abstained: bool,
    timings: Mapping[str, float],
    cautioned: bool = False,
) -> QuestionResult:
    """Score one question from what the assistant retrieved (ranked), cited and answered."""
    return QuestionResult(
        case_id=case.id,
        kind=case.kind,
        answerable=case.answerable,
        retrieval=retrieval_scores(retrieved, case.gold),
        citations=citation_scores(cited, retrieved, case.gold),
        must_include=must_include_coverage(answer, case.must_include),
        abstained=abstained,
        abstention_correct=abstention_correct(case.answerable, abstained, len(cited)),
        timings=dict(timings),
        gold_ranks=tuple(_first_hit_rank(retrieved, entry) for entry in case.gold),
        cited_counts=_cited_counts(cited, case.gold),
        cautioned=cautioned,
    )


def _cited_counts(cited: Sequence[ScoredPassage], gold: Sequence[GoldEntry]) -> tuple[int, int, int]:
    """Cited units (deduplicated), those hitting some gold entry, and gold entries hit by a citation."""
    unique = list({passage.key: passage for passage in cited}.values())
    return (
        len(unique),
        sum(any(hits(p, g) for g in gold) for p in unique),
        sum(any(hits(p, g) for p in unique) for g in gold),
    )

"""Scoring for one eval question and for a whole run, per `evals/README` matching rules.

Everything here is pure: a runner builds `ScoredPassage`s for what it retrieved and
cited, calls `score_case` per question, then `summarize` and `compare` on the results.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field

from assistant.numbers import number_pattern, numbers_in
from evals.dataset import EvalCase, GoldEntry

K_VALUES = (1, 3, 5, 10)
LOWER_IS_BETTER = frozenset({"wrongly_abstained", "cites_outside_retrieved"})
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


def score_case(
    case: EvalCase,
    *,
    retrieved: Sequence[ScoredPassage],
    cited: Sequence[ScoredPassage],
    answer: str,
    abstained: bool,
    timings: Mapping[str, float],
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
    )


def _cited_counts(cited: Sequence[ScoredPassage], gold: Sequence[GoldEntry]) -> tuple[int, int, int]:
    """Cited units (deduplicated), those hitting some gold entry, and gold entries hit by a citation."""
    unique = list({passage.key: passage for passage in cited}.values())
    return (
        len(unique),
        sum(any(hits(p, g) for g in gold) for p in unique),
        sum(any(hits(p, g) for p in unique) for g in gold),
    )


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0..100) with linear interpolation between ranks; None if empty."""
    if not values:
        return None
    if not 0 <= q <= 100:
        raise ValueError(f"percentile must be within 0..100, got {q}")
    ordered = sorted(values)
    rank = q / 100 * (len(ordered) - 1)
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _mean(values: Sequence[float | bool | None]) -> float | None:
    """Mean of the defined values, or None if none is defined."""
    defined = [float(v) for v in values if v is not None]
    return sum(defined) / len(defined) if defined else None


def _quality(records: Sequence[QuestionResult]) -> dict[str, float | None]:
    """Retrieval/citation means over answerable questions; outside-share over all answers."""
    answerable = [r for r in records if r.answerable]
    retrieval = [asdict(r.retrieval) for r in answerable if r.retrieval is not None]
    cites = [r.citations for r in answerable if r.citations is not None]
    metrics = {f"recall@{k}": _mean([s[f"recall_at_{k}"] for s in retrieval]) for k in K_VALUES}
    metrics["mrr"] = _mean([s["reciprocal_rank"] for s in retrieval])
    metrics["all_gold@10"] = _mean([s["all_gold_at_10"] for s in retrieval])
    metrics["citation_precision"] = _mean([c.precision for c in cites])
    metrics["citation_recall"] = _mean([c.recall for c in cites])
    every = [r.citations.cites_outside_retrieved for r in records if r.citations is not None]
    metrics["cites_outside_retrieved"] = _mean(every)
    return metrics | _per_gold(answerable)


def _per_gold(answerable: Sequence[QuestionResult]) -> dict[str, float | None]:
    """Pooled metrics: each gold paragraph counts once, so multi-paragraph answers weigh more.

    Recall@k is the share of all gold entries hit in the top k; citation precision the
    share of all cited units that hit some gold entry; citation recall the share of all
    gold entries that some citation hits.
    """
    ranks = [rank for r in answerable for rank in r.gold_ranks]
    metrics: dict[str, float | None] = {
        f"recall@{k}_per_gold": (sum(rank is not None and rank <= k for rank in ranks) / len(ranks)
                                 if ranks else None)
        for k in K_VALUES
    }
    cited = sum(r.cited_counts[0] for r in answerable)
    metrics["citation_precision_per_gold"] = sum(r.cited_counts[1] for r in answerable) / cited if cited else None
    metrics["citation_recall_per_gold"] = (sum(r.cited_counts[2] for r in answerable) / len(ranks)
                                           if ranks else None)
    metrics["n_gold"] = len(ranks)
    return metrics


def _answers(records: Sequence[QuestionResult]) -> dict[str, float | None]:
    """must_include and abstention shares, plus p50/p95 latency for every timed stage."""
    covered = [r.must_include for r in records if r.must_include is not None]
    metrics = {
        "must_include_coverage": _mean([share for share, _ in covered]),
        "must_include_all": _mean([complete for _, complete in covered]),
        "abstention_correct": _mean([r.abstention_correct for r in records if not r.answerable]),
        "wrongly_abstained": _mean([r.abstained for r in records if r.answerable]),
    }
    for stage in sorted({stage for r in records for stage in r.timings}):
        seconds = [r.timings[stage] for r in records if stage in r.timings]
        metrics[f"latency_p50_{stage}"] = percentile(seconds, 50)
        metrics[f"latency_p95_{stage}"] = percentile(seconds, 95)
    return metrics


def _scope(records: Sequence[QuestionResult]) -> dict[str, float | int | None]:
    """All metrics of one group of questions, with its question counts."""
    counts = {"n": len(records), "n_answerable": sum(r.answerable for r in records)}
    return counts | _quality(records) | _answers(records)


def summarize(records: Sequence[QuestionResult]) -> dict[str, dict]:
    """Aggregate a run: `{"overall": {metric: value}, "by_kind": {kind: {metric: value}}}`.

    Retrieval and citation precision/recall are means over answerable questions (all-gold@10
    over multi-gold ones, precision over answers that cite); `cites_outside_retrieved` is the
    share of all answers; `abstention_correct` is the share of unanswerable questions,
    `wrongly_abstained` of answerable ones. A metric with no defined value is None.
    """
    kinds = sorted({r.kind for r in records})
    by_kind = {kind: _scope([r for r in records if r.kind == kind]) for kind in kinds}
    return {"overall": _scope(records), "by_kind": by_kind}


@dataclass(frozen=True)
class Regression:
    """A metric that moved the wrong way by more than its tolerance."""

    metric: str
    scope: str
    baseline: float
    current: float
    tolerance: float

    def describe(self) -> str:
        """One line for reports, e.g. "overall recall@5: 0.800 -> 0.750 (tolerance 0.020)"."""
        return (
            f"{self.scope} {self.metric}: {self.baseline:.3f} -> {self.current:.3f} "
            f"(tolerance {self.tolerance:.3f})"
        )


def lower_is_better(metric: str) -> bool:
    """Whether a smaller value of `metric` is an improvement (error shares and latencies)."""
    return metric in LOWER_IS_BETTER or metric.startswith("latency_")


def _scope_regressions(
    scope: str, current: Mapping, baseline: Mapping, tolerances: Mapping[str, float]
) -> list[Regression]:
    """Regressions of the metrics named in `tolerances` within one scope."""
    found = []
    for metric, tolerance in tolerances.items():
        now, before = current.get(metric), baseline.get(metric)
        if now is None or before is None:
            continue
        worsening = now - before if lower_is_better(metric) else before - now
        if worsening > tolerance + 1e-9:
            found.append(Regression(metric, scope, before, now, tolerance))
    return found


def compare(
    current: Mapping, baseline: Mapping, tolerances: Mapping[str, float], *, per_kind: bool = False
) -> list[Regression]:
    """Metrics of `summarize` output that got worse than `baseline` by more than their tolerance.

    Only metrics named in `tolerances` are checked, overall (and per kind if `per_kind`);
    metrics missing or None on either side are skipped.
    """
    found = _scope_regressions("overall", current["overall"], baseline["overall"], tolerances)
    if per_kind:
        kinds = sorted(set(current.get("by_kind", {})) & set(baseline.get("by_kind", {})))
        for kind in kinds:
            now, before = current["by_kind"][kind], baseline["by_kind"][kind]
            found += _scope_regressions(kind, now, before, tolerances)
    return found

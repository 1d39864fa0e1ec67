"""A whole run's figures from its scored questions, and regressions between two runs.

Pure functions over `QuestionResult`s: `summarize` gives the figures overall and per
kind; `compare` lists what got worse against a baseline summary.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

from evals.metrics import K_VALUES, QuestionResult

LOWER_IS_BETTER = frozenset({"wrongly_abstained", "cites_outside_retrieved", "caution_on_right"})


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
        # Of the answers citing no gold paragraph, and of those citing one, the share cautioned.
        "caution_on_wrong": _mean([r.cautioned for r in records if r.cites_wrongly is True]),
        "caution_on_right": _mean([r.cautioned for r in records if r.cites_wrongly is False]),
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
    `wrongly_abstained` of answerable ones; `caution_on_wrong` is the share of answers citing
    no gold paragraph (every answer to an unanswerable question that cites) that carried a
    caution, `caution_on_right` the share of those citing one. A metric with no defined value is None.
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

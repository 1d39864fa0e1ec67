"""Rank fusion: reciprocal rank fusion and a weighted fusion of normalised scores."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def reciprocal_rank_fusion(rankings: Sequence[Sequence[str]], k: int = 60,
                           weights: Sequence[float] | None = None) -> dict[str, float]:
    """RRF: each ranking adds weight / (k + rank) to the items it ranks (rank from 1)."""
    weights = weights or [1.0] * len(rankings)
    fused: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + weight / (k + rank)
    return fused


def weighted_fusion(score_maps: Sequence[Mapping[str, float]], weights: Sequence[float]) -> dict[str, float]:
    """Min-max normalise each score map to [0, 1] and add them with weights."""
    fused: dict[str, float] = {}
    for scores, weight in zip(score_maps, weights, strict=True):
        if not scores:
            continue
        low, high = min(scores.values()), max(scores.values())
        span = (high - low) or 1.0
        for item, score in scores.items():
            fused[item] = fused.get(item, 0.0) + weight * (score - low) / span
    return fused


def ranked(scores: Mapping[str, float]) -> list[str]:
    """Items by descending score (ties broken by item for determinism)."""
    return sorted(scores, key=lambda item: (-scores[item], item))

"""The regression gate: compare a run with a committed baseline within tolerances."""

from __future__ import annotations

import json
from pathlib import Path

from evals.dataset import EvalDataError
from evals.report import GATE_TOLERANCES
from evals.summary import Regression, compare


def check_against(summary: dict, baseline_path: Path, tolerances: dict[str, float] | None = None) -> list[Regression]:
    """Regressions of `summary` against the baseline report at `baseline_path`."""
    try:
        baseline = json.loads(baseline_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EvalDataError(
            baseline_path, "baseline not found; create it with `r2p eval FILE --json BASELINE`"
        ) from None
    except json.JSONDecodeError as exc:
        raise EvalDataError(baseline_path, f"not JSON ({exc})") from None
    return compare(summary, baseline.get("metrics", baseline), tolerances or GATE_TOLERANCES)

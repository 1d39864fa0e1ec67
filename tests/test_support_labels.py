"""The statement support check against statements of the local models that a reader labelled.

tests/data/support_labels.jsonl holds real statements written by `local` and `local-fast`
on the eval sets, each with the sentences it cited and a reader's label (supported or not).
The check was tuned on the `local-fast` statements ("calibration") and measured on the
`local` ones ("held-out"). The floors below are what it achieves now, so a change that lets
more unsupported statements through, or blocks more supported ones, fails here.
The "live" lines are different: the statements of later runs that the check let through in
the model's own words, labelled afterwards to count what users were shown unsupported
(README). Chosen because the check passed them, they say nothing of its recall and would
bias its precision, so the floors are measured without them.
"""

from __future__ import annotations

import json
from pathlib import Path

from assistant.support import check
from benchmarks.support_calibration import labelled_context

LABELS = Path(__file__).parent / "data" / "support_labels.jsonl"
MIN_PRECISION = 0.85  # of the statements shown as cited fact, at least 85% a reader found supported
MIN_RECALL = 0.85  # and at least 85% of the supported ones are shown


def test_the_check_shows_mostly_statements_a_reader_found_supported(embedder):
    rows = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [r for r in rows if r["split"] in ("calibration", "held-out")]
    assert len(rows) >= 200 and {r["label"] for r in rows} == {"supported", "not_supported"}
    passed = [check(r["statement"], r["evidence"], labelled_context(r), embedder.embed).supported for r in rows]
    truly = [r["label"] == "supported" for r in rows]
    shown_ok = sum(p and t for p, t in zip(passed, truly, strict=True))
    assert shown_ok / sum(passed) >= MIN_PRECISION
    assert shown_ok / sum(truly) >= MIN_RECALL

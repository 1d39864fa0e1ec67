"""The README's table of models: answer quality, unsupported statements shown, and waits.

    python -m benchmarks.model_table RUN.json [RUN.json ...] [--labels tests/data/support_labels.jsonl]

Each RUN.json is a `r2p eval --json` report (one model on one set). "unsupported shown" is
the share of the statements shown as cited fact that a reader labelled not supported
(statements without a label are counted apart). A statement shown as the report's own sentence
(`quoted`: the model restated it) is that sentence of the cited paragraph, so it is counted
with the supported ones, and the number of them is given.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from evals.report import model_row


def _labels(path: Path | None) -> dict[tuple[str, tuple[str, ...]], str]:
    if path is None or not path.exists():
        return {}
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {(r["statement"], tuple(r["evidence"])): r["label"] for r in rows}


def row(path: Path, labels: dict) -> str:
    """One Markdown row for one run."""
    report = json.loads(path.read_text(encoding="utf-8"))
    overall, meta, records = report["metrics"]["overall"], report["meta"], report["questions"]
    statements = [s for r in records if not r["abstained"] for s in r.get("statements", []) if s["supported"]]
    quoted = sum(bool(s.get("quoted")) for s in statements)
    shown = [(s["text"], tuple(s["evidence"])) for s in statements if not s.get("quoted")]
    judged = [labels[s] for s in shown if s in labels]
    unsupported = (f"{sum(j == 'not_supported' for j in judged)} of {len(judged) + quoted}" if judged or quoted
                   else "–")
    if judged and len(judged) < len(shown):  # statements no reader labelled are not counted either way
        unsupported += f" labelled ({len(shown) - len(judged)} unlabelled)"
    if quoted:
        unsupported += f", {quoted} of them quoted"
    model = model_row(records)
    unanswerable = [r for r in records if not r["gold"]]
    declined = sum(r["abstained"] for r in unanswerable)
    answerable = [r for r in records if r["gold"]]
    wrongly = sum(r["abstained"] for r in answerable)

    def f(value: float | None) -> str:
        return "–" if value is None else f"{value:.2f}"

    return (f"| {Path(meta['file']).name} | {meta['model']} | {f(overall['citation_precision_per_gold'])} | "
            f"{f(overall['citation_recall_per_gold'])} | {f(overall['must_include_coverage'])} | "
            f"{declined} of {len(unanswerable)} | {wrongly} of {len(answerable)} | "
            f"{f(overall['cites_outside_retrieved'])} | {unsupported} | {f(model['verified content p50 s'])} | "
            f"{f(model['answer p50 s'])} | {f(model['answer p95 s'])} | {f(model['prompt tokens p50'])} |")


HEAD = ("| set | model | cite P g | cite R g | terms | unanswerable declined | answerable wrongly declined | "
        "cites outside | unsupported shown as cited fact | verified content p50 s | answer p50 s | answer p95 s | "
        "prompt tokens p50 |\n" + "|---" * 13 + "|")


def main(argv: list[str] | None = None) -> int:
    """Print the table for the runs given."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", nargs="+", type=Path)
    parser.add_argument("--labels", type=Path, default=Path("tests/data/support_labels.jsonl"))
    args = parser.parse_args(argv)
    labels = _labels(args.labels)
    print(HEAD)
    for path in args.runs:
        print(row(path, labels))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Calibrate and measure the statement support check on labelled statements of the local models.

    python -m benchmarks.support_calibration export RUN.json [RUN.json ...] > candidates.jsonl
    python -m benchmarks.support_calibration measure tests/data/support_labels.jsonl [--grid]

`export` takes `r2p eval --json` reports of a generative model and writes one line per
statement the model wrote (the question, the statement, the sentences it cited), ready to
be labelled `"label": "supported"` or `"not_supported"` by a reader. A statement is
supported when everything it says stands in the sentences it cites.
`measure` re-runs the support check (`assistant.support.check`) on every labelled line
and prints its precision and recall for "supported", the share of unsupported statements
it would show as cited fact, and with `--grid` the same for other thresholds.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from assistant import support
from assistant.settings import Settings
from ingest.errors import R2PError


def export(reports: list[Path]) -> None:
    """Print one JSON line per statement of the reports' answers."""
    for path in reports:
        report = json.loads(path.read_text(encoding="utf-8"))
        model = report.get("meta", {}).get("model", path.stem)
        for record in report["questions"]:
            for statement in record.get("statements", []):
                cited = [record["retrieved"][n - 1] for n in statement["sources"]]
                line = {"set": path.stem, "id": record["id"], "model": model, "question": record["question"],
                        "statement": statement["text"], "evidence": statement["evidence"],
                        "cites": [p["citation"] for p in cited], "years": [p.get("year") for p in cited],
                        "label": None}
                print(json.dumps(line, ensure_ascii=False))


def _signals(rows: list[dict]) -> list[support.Support]:
    from assistant.factory import build_embedder

    embedder = build_embedder(Settings())
    return [support.check(r["statement"], r["evidence"], labelled_context(r), embedder.embed) for r in rows]


def labelled_context(row: dict) -> str:
    """The context the assistant gives the check for a labelled statement (`report_context`)."""
    from assistant.statements import report_context

    return report_context(row["cites"], row["years"])


def _rates(signals: list[support.Support], labels: list[bool]) -> tuple[float, float, float, int]:
    passed = [s.supported for s in signals]
    shown = sum(passed)
    true_pos = sum(p and lab for p, lab in zip(passed, labels, strict=True))
    precision = true_pos / shown if shown else 1.0
    recall = true_pos / sum(labels) if sum(labels) else 0.0
    return precision, recall, 1 - precision, shown


def _with_quotes(part: list[dict], signals: list[support.Support]) -> str:
    """Unsupported statements shown, before and after restatements are shown as their sentence.

    A statement the check lets through is quoted when it restates one of its cited sentences
    (`assistant.statements.restated`): what is shown is then that sentence, which the cited
    paragraph says by construction.
    """
    from assistant.statements import restated
    from assistant.structured import Sentence

    shown = before = after = quoted = 0
    for row, signal in zip(part, signals, strict=True):
        if not signal.supported:
            continue
        wrong = row["label"] != "supported"
        source = 1 if len(row["cites"]) == 1 else 0  # 0: several paragraphs, each sentence its own, never quoted
        cited = [Sentence(i, source or i + 1, text) for i, text in enumerate(row["evidence"])]
        is_quoted = restated(row["statement"], cited) is not None
        shown, before, quoted = shown + 1, before + wrong, quoted + is_quoted
        after += wrong and not is_quoted
    return (f"{len(part)} statements, {shown} shown: unsupported {before} of {shown}; with restatements "
            f"shown as their sentence {after} of {shown} ({quoted} quoted)")


def measure(path: Path, grid: bool) -> None:
    """Print the check's precision and recall on the labelled statements."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [r for r in rows if r.get("label") in ("supported", "not_supported")]
    labels = [r["label"] == "supported" for r in rows]
    signals = _signals(rows)
    precision, recall, unsupported_shown, shown = _rates(signals, labels)
    print(f"{len(rows)} labelled statements ({sum(labels)} supported, {len(rows) - sum(labels)} not)")
    print(f"thresholds: coverage >= {support.MIN_COVERAGE}, similarity >= {support.MIN_SIMILARITY} "
          f"(similarity by {Settings().embedding_model}; R2P_EMBEDDING_MODEL chooses)")
    print(f"precision {precision:.3f}  recall {recall:.3f}  unsupported shown as fact {unsupported_shown:.3f}"
          f" ({shown} shown)")
    for split in sorted({r.get("split", "") for r in rows}):
        part = [i for i, r in enumerate(rows) if r.get("split", "") == split]
        print(f"{split or 'all'}: {_with_quotes([rows[i] for i in part], [signals[i] for i in part])}")
    print(f"all: {_with_quotes(rows, signals)}")
    if not grid:
        return
    print("coverage similarity precision recall shown")
    for cov in (0.4, 0.5, 0.6, 0.7, 0.8):
        for sim in (0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75):
            support.MIN_COVERAGE, support.MIN_SIMILARITY = cov, sim
            p, r, _, n = _rates([replace(s) for s in signals], labels)
            print(f"{cov:.2f} {sim:.2f} {p:.3f} {r:.3f} {n}")


def main(argv: list[str] | None = None) -> int:
    """Command line: export or measure."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    ex = sub.add_parser("export")
    ex.add_argument("reports", nargs="+", type=Path)
    me = sub.add_parser("measure")
    me.add_argument("labels", type=Path)
    me.add_argument("--grid", action="store_true")
    args = parser.parse_args(argv)
    try:
        if args.command == "export":
            export(args.reports)
        else:
            measure(args.labels, args.grid)
    except R2PError as exc:  # the embedder not built, say: one line that says what to do
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

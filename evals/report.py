"""The readable evaluation report: tables, the worst questions, and a chart beside it."""

from __future__ import annotations

from pathlib import Path

from evals.runner import EvalRun

TABLE_METRICS = (
    ("n_gold", "gold"), ("recall@5_per_gold", "R@5 g"), ("recall@10_per_gold", "R@10 g"),
    ("recall@1", "R@1 q"), ("recall@5", "R@5 q"), ("recall@10", "R@10 q"), ("mrr", "MRR"),
    ("citation_precision_per_gold", "cite P g"), ("citation_recall_per_gold", "cite R g"),
    ("citation_precision", "cite P q"), ("citation_recall", "cite R q"), ("must_include_coverage", "terms"),
    ("abstention_correct", "abstain ok"), ("wrongly_abstained", "wrong abst."),
    ("caution_on_wrong", "caution: wrong"), ("caution_on_right", "caution: right"),
    ("cites_outside_retrieved", "outside"), ("latency_p50_retrieve", "retr. p50 s"), ("latency_p50_total", "p50 s"),
    ("latency_p95_total", "p95 s"),
)
GATE_TOLERANCES = {
    "recall@5": 0.02, "recall@10": 0.02, "recall@5_per_gold": 0.02, "recall@10_per_gold": 0.02,
    "mrr": 0.03, "citation_precision": 0.03, "citation_recall": 0.03,
    "must_include_coverage": 0.03, "abstention_correct": 0.0, "wrongly_abstained": 0.02,
    "cites_outside_retrieved": 0.0,
}


def _cell(value: object) -> str:
    if value is None:
        return "–"
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def metrics_table(summary: dict, label: str = "run") -> str:
    """Markdown table: one row per scope (overall, then each kind)."""
    head = "| scope | n | " + " | ".join(short for _, short in TABLE_METRICS) + " |"
    rule = "|" + "---|" * (len(TABLE_METRICS) + 2)
    rows = [head, rule]
    scopes = [("**overall**", summary["overall"])] + sorted(summary["by_kind"].items())
    for name, metrics in scopes:
        cells = " | ".join(_cell(metrics.get(key)) for key, _ in TABLE_METRICS)
        rows.append(f"| {name} | {metrics.get('n', '')} | {cells} |")
    return "\n".join(rows)


def model_row(records: list[dict]) -> dict[str, float | int | None]:
    """The model's part of a run: prompt size, waits, and how many statements held."""
    from evals.summary import percentile

    answered = [r for r in records if not r["abstained"]]
    timing = {stage: [r["timings"][stage] for r in answered if stage in r["timings"]]
              for stage in ("verified_content", "first_token", "total")}
    statements = [s for r in answered for s in r.get("statements", [])]
    return {
        "answered": len(answered),
        "prompt tokens p50": percentile([r["prompt_tokens"] for r in answered if r.get("prompt_tokens")], 50),
        "verified content p50 s": percentile(timing["verified_content"], 50),
        "first token p50 s": percentile(timing["first_token"], 50),
        "first token p95 s": percentile(timing["first_token"], 95),
        "answer p50 s": percentile(timing["total"], 50),
        "answer p95 s": percentile(timing["total"], 95),
        "statements": len(statements),
        "not verified": sum(not s["supported"] for s in statements),
        "answers with none verified": sum(bool(r.get("statements")) and not any(s["supported"] for s in
                                          r["statements"]) for r in answered),
        "model declined": sum(bool(r.get("model_declined")) for r in answered),
    }


def model_table(records: list[dict]) -> str:
    """Markdown table of `model_row` (one row)."""
    row = model_row(records)
    return ("| " + " | ".join(row) + " |\n|" + "---|" * len(row) + "\n| "
            + " | ".join(_cell(v) for v in row.values()) + " |")


def worst_questions(run: EvalRun, limit: int = 8) -> str:
    """The questions with the lowest recall@5 / citation recall, retrieved vs gold."""
    pairs = list(zip(run.results, run.records, strict=True))
    ranked = sorted(
        (p for p in pairs if p[0].answerable),
        key=lambda p: ((p[0].retrieval.recall_at_5 if p[0].retrieval else 1.0)
                       + (p[0].citations.recall or 0.0 if p[0].citations else 0.0)),
    )
    wrong_abstention = [p for p in pairs if p[0].abstention_correct is False]
    lines = []
    for _result, record in ranked[:limit] + wrong_abstention[:limit]:
        gold = ", ".join(f"{g['doc']} {g['para'] or '(summary)'}" for g in record["gold"]) or "(none: unanswerable)"
        got = ", ".join(f"{p['doc']} {p['para']}" for p in record["retrieved"][:5])
        cited = ", ".join(f"{c['doc']} {c['para']}" for c in record["citations"]) or "–"
        lines.append(
            f"- **{record['id']}** ({record['kind']}) {record['question']}\n"
            f"  - gold: {gold}\n  - retrieved top 5: {got}\n  - cited: {cited}; abstained: {record['abstained']}"
        )
    return "\n".join(lines)


def write_chart(run: EvalRun, path: Path) -> None:
    """Bar chart of recall@5 and citation recall per kind (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    kinds = sorted(run.summary["by_kind"])
    series = {"recall@5": [], "citation_recall": [], "must_include_coverage": []}
    for kind in kinds:
        for key in series:
            series[key].append(run.summary["by_kind"][kind].get(key) or 0.0)
    fig, ax = plt.subplots(figsize=(10, 4))
    width = 0.27
    for i, (key, values) in enumerate(series.items()):
        ax.bar([x + (i - 1) * width for x in range(len(kinds))], values, width, label=key)
    ax.set_xticks(range(len(kinds)), kinds, rotation=20)
    ax.set_ylim(0, 1.05)
    ax.set_title(f"R2P Assistant eval: {run.meta.get('model', '')} on {run.meta.get('file', '')}")
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def write_markdown(run: EvalRun, path: Path) -> None:
    """The Markdown report, with its chart written beside it."""
    chart = path.with_suffix(".png")
    write_chart(run, chart)
    meta = run.meta
    text = (
        f"# Evaluation: {meta.get('model')} on {meta.get('file')}\n\n"
        f"{meta.get('questions')} questions, k={meta.get('k')}, pipeline {meta.get('pipeline')}, "
        f"{meta.get('seconds', 0):.0f} s.\n\n"
        f"{metrics_table(run.summary)}\n\n![per-kind scores]({chart.name})\n\n"
        f"## Worst questions\n\n{worst_questions(run)}\n"
    )
    path.write_text(text, encoding="utf-8")

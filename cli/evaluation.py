"""`r2p eval` and `r2p feedback-export`: the evaluation suite from the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from cli.app import app, fail, settings


@app.command("eval")
def eval_command(
    file: Annotated[Path, typer.Argument(help="JSONL evaluation set (see evals/README.md).")],
    model: Annotated[str, typer.Option("--model", help="Chat model to evaluate.")] = "extractive",
    k: Annotated[int, typer.Option("--k", help="Passages retrieved per question.")] = 10,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the full JSON report here.")] = None,
    markdown_out: Annotated[
        Path | None, typer.Option("--markdown", help="Write a Markdown report (+ PNG chart).")
    ] = None,
    against: Annotated[Path | None, typer.Option("--against", help="Baseline JSON: exit 1 on a regression.")] = None,
    pipeline: Annotated[
        str, typer.Option("--pipeline", help="assistant | naive (textbook LangChain recipe).")
    ] = "assistant",
    limit: Annotated[int | None, typer.Option("--limit", help="Only the first N questions.")] = None,
    sample: Annotated[
        int | None, typer.Option("--sample", help="Only N questions evenly spread over the file (all kinds).")
    ] = None,
    replay: Annotated[
        Path | None, typer.Option("--replay", help="A --json report of a model's run: re-score its recorded replies.")
    ] = None,
) -> None:
    """Evaluate retrieval, citations, answers and abstention on an eval set."""
    import time

    from tqdm import tqdm

    from evals.dataset import load_cases
    from evals.gate import check_against
    from evals.pipelines import build_asker
    from evals.report import metrics_table, model_table, write_markdown
    from evals.runner import run_cases

    cases = load_cases(file)[:limit]
    if sample and sample < len(cases):
        cases = [cases[round(i * len(cases) / sample)] for i in range(sample)]
    config = settings()
    config.retrieval.k = k
    if replay:
        from evals.replay import replay_asker

        ask_fn, model = replay_asker(replay, config)
    else:
        ask_fn = build_asker(pipeline, config, model)
    bar = tqdm(total=len(cases), unit="q", desc=f"eval {model}")
    started = time.perf_counter()
    meta = {"file": str(file), "model": model, "k": k, "pipeline": pipeline, "questions": len(cases)}
    run = run_cases(cases, ask_fn, on_done=lambda _c: bar.update(1), meta=meta)
    bar.close()
    run.meta["seconds"] = time.perf_counter() - started
    typer.echo(metrics_table(run.summary))
    if any(r.get("prompt_tokens") for r in run.records):  # a model wrote structured answers
        typer.echo("\n" + model_table(run.records))
    if json_out:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(run.report(), ensure_ascii=False, indent=2), encoding="utf-8")
    if markdown_out:
        markdown_out.parent.mkdir(parents=True, exist_ok=True)
        write_markdown(run, markdown_out)
    if against:
        regressions = check_against(run.summary, against)
        for r in regressions:
            typer.echo(f"REGRESSION {r.describe()}", err=True)
        if regressions:
            raise typer.Exit(1)
        typer.echo(f"no regression against {against}")


@app.command("feedback-export")
def feedback_export(
    out: Annotated[Path, typer.Argument(help="JSONL file to write (eval-set format).")],
    all_ratings: Annotated[
        bool, typer.Option("--all", help="Include thumbs-up too (default: thumbs-down only).")
    ] = False,
) -> None:
    """Turn UI feedback into candidate eval cases (fill in gold and must_include, then add to a set)."""
    from assistant.outputs.feedback import RATINGS, FeedbackStore
    from evals.cases import export_candidates

    config = settings()
    store = FeedbackStore(config.feedback_file)
    if not store.entries():
        fail(f"no feedback recorded yet in {config.feedback_file}")
    text = export_candidates(store.entries(), RATINGS if all_ratings else ("down",))
    out.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {len(text.splitlines())} candidate case(s) to {out}")


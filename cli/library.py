"""`r2p ingest`, `r2p corpus` and `r2p retrieve`: the reports in the store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from cli.app import DocOpt, YearOpt, app, fail, question_settings, require_corpus, settings


@app.command()
def ingest(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders (default: the bundled reports).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
) -> None:
    """Ingest reports (.txt, .md, .pdf, .docx) into the store; unchanged files cost nothing."""
    from tqdm import tqdm

    from assistant.factory import build_indexer
    from ingest.inputs import collect_inputs

    config = settings()
    inputs = collect_inputs(paths or [config.reports_dir])
    for skipped in inputs.skipped:
        typer.echo(f"skipped: {skipped.path}: {skipped.reason}", err=True)
    files = list(inputs.files)
    if not files:
        fail("no supported files found; give .txt, .md, .pdf or .docx reports or a folder holding them")
    indexer = build_indexer(config)
    file_bar = tqdm(total=len(files), unit="file", disable=quiet, position=0, leave=False)
    para_bar = tqdm(unit="para", disable=quiet, position=1, leave=False, desc="embedding")

    def on_file(path: Path) -> None:
        file_bar.set_description(path.name[:40])
        file_bar.update(1)

    report = indexer.ingest_and_record(files, config.ingest_manifest, on_file=on_file,
                                       on_batch=lambda _doc, n: para_bar.update(n))
    file_bar.close()
    para_bar.close()
    for result in report.files:
        if result.status == "failed":
            typer.echo(f"error: {result.error}", err=True)
        elif not quiet:
            typer.echo(f"{result.status:9} {result.doc_id:20} {result.units:4} units  {Path(result.path).name}")
        for warning in result.warnings:
            typer.echo(f"warning: {Path(result.path).name}: {warning}", err=True)
    typer.echo(report.summary())
    if report.failed:
        raise typer.Exit(1)


@app.command()
def corpus(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """List the ingested documents with their paragraph, footnote and block counts."""
    from assistant.factory import build_embedder, build_store

    config = settings()
    store = build_store(config, build_embedder(config))
    docs = sorted((info for info, _ in store.document_records().values()), key=lambda d: (d.date, d.doc_id))
    rows = [
        {
            "doc": d.doc_id,
            "symbol": d.symbol,
            "title": d.title,
            "date": d.date,
            "file": d.file,
            "numbered_paragraphs": d.numbered_paragraphs,
            "footnotes": d.footnotes,
            "blocks": d.blocks,
            "pages": d.pages,
            "metadata_source": d.source,
        }
        for d in docs
    ]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        typer.echo("The store is empty: run `r2p ingest`.")
        return
    typer.echo(f"{'doc':18} {'date':10} {'paras':>5} {'fns':>4} {'blocks':>6} {'meta':9} title")
    for r in rows:
        typer.echo(
            f"{r['doc']:18} {r['date']:10} {r['numbered_paragraphs']:5} {r['footnotes']:4} {r['blocks']:6} "
            f"{r['metadata_source']:9} {r['title'][:70]}"
        )


@app.command()
def retrieve(
    question: Annotated[str, typer.Argument(help="The question.")],
    k: Annotated[int, typer.Option("-k", help="How many passages.")] = 8,
    doc: DocOpt = None,
    year: YearOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show the paragraphs that best match a question (no answer is generated)."""
    from assistant.factory import build_retriever
    from vectorstore.retriever import Filters

    retriever = build_retriever(question_settings(question))
    require_corpus(retriever)
    result = retriever.retrieve(question, k=k, filters=Filters(tuple(doc or ()), tuple(year or ())))
    if as_json:
        from assistant.outputs.render import passage_json

        typer.echo(json.dumps({"passages": [passage_json(p) for p in result.passages]}, ensure_ascii=False, indent=2))
        return
    for p in result.passages:
        typer.echo(f"[{p.score:.4f}] {p.unit.citation}\n    {p.unit.text[:300]}\n")



@app.command()
def tune(
    force: Annotated[bool, typer.Option("--force", help="Train again even if it is built.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Build the collection-tuned embedder (the default) from questions about the bundled reports."""
    import time

    from tqdm import tqdm

    from assistant.settings import BUNDLED_REPORTS
    from ingest.inputs import collect_inputs
    from vectorstore.tuning import MIN_PAIRS, QUESTIONS, training_pairs, tuned_path
    from vectorstore.tuning import tune as train

    out = tuned_path(settings().model_cache)
    if out.is_dir() and not force:
        typer.echo(f"the tuned embedder is built: {out}")
        return
    pairs = training_pairs(collect_inputs([BUNDLED_REPORTS]).files)
    if len(pairs) < MIN_PAIRS:
        fail(f"only {len(pairs)} questions of {QUESTIONS} match a paragraph of {BUNDLED_REPORTS}; "
             "restore the bundled reports (git checkout data/reports)")
    out.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    bar = tqdm(unit="batch", disable=quiet, leave=False, desc="tuning the embedder")

    def on_step(step: int, total: int) -> None:
        bar.total = total
        bar.update(1)

    train(pairs, out, on_step)
    bar.close()
    typer.echo(f"tuned embedder saved to {out}: {len(pairs)} questions, {time.perf_counter() - started:.0f} s")

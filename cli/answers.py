"""`r2p ask` and `r2p chat`: answers with paragraph citations, streamed to the terminal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from cli.app import DocOpt, YearOpt, app, fail, question_settings, require_corpus, settings
from ingest.errors import R2PError


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
    """Print the standalone question, the key sentences, the streamed answer, then sources; return the Answer."""
    from assistant.events import AnswerEvent, KeySentencesEvent, NoticeEvent, SourcesEvent, TokenEvent
    from assistant.outputs.render import answer_markdown, with_passage_references

    passages, streamed, quoted = (), "", False
    for event in assistant.stream(question, turns, filters):
        if isinstance(event, SourcesEvent):
            passages = event.passages
            if event.standalone_question != question.strip():
                typer.echo(f"Answering: {event.standalone_question}\n")
        elif isinstance(event, KeySentencesEvent):
            quoted = True
            typer.echo(f"From the reports: {with_passage_references(event.text, passages)}\n")
            typer.echo(f"Answer ({assistant.model_name}): ", nl=False)
        elif isinstance(event, TokenEvent):
            streamed += event.text
            typer.echo(event.text, nl=False)
        elif isinstance(event, NoticeEvent):
            streamed = ""
            typer.echo("")
            typer.echo(f"notice: {event.text}", err=True)
        elif isinstance(event, AnswerEvent):
            answer = event.answer
            shown = bool(streamed) and not answer.abstained and answer.text.strip() == streamed.strip()
            repeats_quotes = quoted and answer.text == answer.key_sentences
            if shown or quoted or streamed:  # the verified answer starts on a line of its own
                typer.echo(f"({answer.reason})" if quoted and answer.reason and not shown else "")
            typer.echo(answer_markdown(answer, include_text=not shown and not repeats_quotes))
            return answer
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
    from assistant.outputs.render import answer_json
    from vectorstore.retriever import Filters

    config = question_settings(question)
    turns = _history(history)
    assistant = build_assistant(config, model)
    require_corpus(assistant.retriever)
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

    config = settings()
    assistant = build_assistant(config, model)
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


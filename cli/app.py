"""The `r2p` command line's shared parts: the Typer apps, common options, settings and `fail`.

Errors a user can cause or fix (`R2PError`) become one line on stderr and a non-zero
exit code (see `cli.main`); JSON output keeps the keys other tools rely on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from assistant.settings import Settings

if TYPE_CHECKING:
    from vectorstore.retriever import HybridRetriever

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



def settings(**overrides: object) -> Settings:
    """Settings from the environment, with the options given on the command line."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})


def question_settings(question: str) -> Settings:
    """The settings, once `question` is known to be askable (else a one-line error)."""
    from assistant.validation import check_question

    config = settings()
    check_question(question, config.max_question_chars)
    return config


def require_corpus(retriever: HybridRetriever) -> None:
    """Stop with the fix when nothing is ingested yet."""
    if not retriever.snapshot().units:
        fail("the store is empty: run `r2p ingest` first")

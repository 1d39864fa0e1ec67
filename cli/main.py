"""Entry point of the `r2p` console script: every command, and the one seam where errors become one line."""

from __future__ import annotations

import sys

import typer

from assistant.models.errors import ModelUnavailableError, UnknownModelSpecError
from cli import answers, evaluation, library, service  # noqa: F401 (each registers its commands)
from cli.app import app
from ingest.errors import R2PError


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

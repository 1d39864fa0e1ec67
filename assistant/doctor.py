"""`r2p doctor`: check each part the assistant needs and say, in one line each, what to fix."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from assistant.settings import Settings
from ingest.errors import R2PError


@dataclass(frozen=True)
class Check:
    """One part checked: `ok`, what was found, and the fix when it is not ok."""

    name: str
    ok: bool
    detail: str


def run_checks(settings: Settings, model: str) -> Iterator[Check]:
    """Embedder, store (the Chroma server when one is set), llama.cpp build, chat model (a real generation)."""
    yield _check("embedder", lambda: _embedder(settings))
    yield _check("Chroma server" if settings.chroma_url else "store", lambda: _store(settings))
    from assistant.models import backend_of

    if backend_of(model).name == "local":
        yield _check("llama.cpp", _llama_build)
    yield _check(f"model {model}", lambda: _model(settings, model))


def _check(name: str, probe: Callable[[], str]) -> Check:
    """Run `probe`; its return is the detail of a pass, an `R2PError` the fix of a failure."""
    try:
        return Check(name, True, probe())
    except R2PError as exc:
        return Check(name, False, str(exc))
    except Exception as exc:  # a doctor reports every failure as a line, never a traceback
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return Check(name, False, f"{type(exc).__name__}: {first[:200]}")


def _embedder(settings: Settings) -> str:
    from assistant.factory import build_embedder

    started = time.perf_counter()
    embedder = build_embedder(settings)
    try:
        vector = embedder.embed(["responsibility to protect"])[0]
    except OSError as exc:
        raise R2PError(f"cannot load {settings.embedding_model}: {exc}; reinstall with `make setup`") from exc
    return f"{settings.embedding_model}, {len(vector)}-d, ready in {time.perf_counter() - started:.1f} s"


def _store(settings: Settings) -> str:
    from assistant.factory import build_embedder, build_store

    store = build_store(settings, build_embedder(settings))
    docs = store.document_records()
    where = settings.chroma_url or str(settings.chroma_dir)
    if not docs:
        raise R2PError(f"the store at {where} holds no reports: run `r2p ingest`")
    units = sum(info.numbered_paragraphs + info.footnotes + info.blocks for info, _ in docs.values())
    return f"{len(docs)} reports, {units} units at {where}"


def llama_build_flags() -> list[str]:
    """The instruction sets the installed llama.cpp was built for, in its order, read in a child process."""
    code = "import llama_cpp; print(llama_cpp.llama_print_system_info().decode())"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60)
    if result.returncode != 0:
        raise R2PError("llama-cpp-python does not load: run `scripts/build-llama.sh` (or `make setup`)")
    parts = (p.partition("=") for p in result.stdout.split("|"))  # "CPU : SSE3 = 1 | AVX = 1 | ..."
    return [k.split(":")[-1].strip() for k, _, v in parts if v.strip() == "1"]


def _llama_build() -> str:
    """The build's instruction sets, or the fix when it has the AMX kernels that crash."""
    on = llama_build_flags()
    if any(k.startswith("AMX") for k in on):
        raise R2PError("llama.cpp was built with AMX kernels, which crash on virtualised Intel Xeons: "
                       "rebuild portably with `rm .venv/.llama-cpp-build && scripts/build-llama.sh`")
    return "built for " + (", ".join(on) or "the generic CPU")


def _model(settings: Settings, model: str) -> str:
    """Build the model (the local one starts its child process) and generate a few tokens."""
    from langchain_core.messages import HumanMessage

    from assistant.models import explain_error, make_chat_model

    quick = settings.model_copy(update={"llm": settings.llm.model_copy(update={"max_tokens": 8})})
    started = time.perf_counter()
    chat_model = make_chat_model(model, quick)
    loaded = time.perf_counter() - started
    try:
        reply = chat_model.invoke([HumanMessage("Say OK.")])
    except Exception as exc:
        raise explain_error(exc, model, quick) from exc
    finally:
        server = getattr(chat_model, "server", None)
        if server is not None:
            server.stop()
    text = " ".join(str(reply.content).split())[:40]
    return f"answered {text!r} (ready in {loaded:.1f} s, reply in {time.perf_counter() - started - loaded:.1f} s)"

"""The embedded models (`local`, `local-fast`, a `.gguf` path), served by a supervised child process.

`SupervisedChatModel` talks to the child over the OpenAI API (the `openai:` path serves
every backend) and turns a failure while the child is down into `ModelCrashedError`,
which the assistant answers by falling back to extractive mode.
"""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult

from assistant.models.errors import ModelCrashedError, ModelUnavailableError
from assistant.models.gguf import ModelNotInstalledError, resolve_gguf
from assistant.models.remote import openai_model
from assistant.models.server import LlamaServer, ServerConfig

if TYPE_CHECKING:
    from assistant.settings import Settings

# Prompt tokens evaluated per llama.cpp batch: a small batch (LangChain's ChatLlamaCpp used 8)
# made the time to first token of a 700-token prompt twice as long on 2 cores.
LLAMA_N_BATCH = 512


class SupervisedChatModel(BaseChatModel):
    """A chat model whose server is a child process this one supervises."""

    inner: BaseChatModel
    server: Any  # LlamaServer; Any keeps pydantic from validating it

    @property
    def _llm_type(self) -> str:
        return "r2p-llama-cpp-server"

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        self._check_up()
        try:
            result = self.inner._generate(messages, stop=stop, run_manager=run_manager, **kwargs)
        except Exception as exc:
            raise self._crash_or(exc) from exc
        self.server.answered()
        return result

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        self._check_up()
        try:
            yield from self.inner._stream(messages, stop=stop, run_manager=run_manager, **kwargs)
        except Exception as exc:
            raise self._crash_or(exc) from exc
        self.server.answered()

    def _check_up(self) -> None:
        """Fail at once, with the reason, while the child is restarting or has given up."""
        status = self.server.status()
        if status.state == "failed":
            raise ModelUnavailableError(
                f"the local model stopped {status.crashes} times ({status.last_exit}) and is not restarted: "
                f"{self.server.log_tail()}; run `r2p doctor`, or use --model extractive"
            )
        if status.state != "ready":
            raise ModelCrashedError(_crash_message(status.last_exit or "it is starting"))

    def _crash_or(self, exc: Exception) -> Exception:
        """`ModelCrashedError` when the child died during the call, else the error itself."""
        deadline = time.monotonic() + 2.0  # the watchdog needs a moment to reap the child
        while time.monotonic() < deadline:
            status = self.server.status()
            if status.state != "ready" or status.pid is None:
                return ModelCrashedError(_crash_message(status.last_exit or "its process ended"))
            time.sleep(0.05)
        return exc


def _crash_message(what: str) -> str:
    """One line for the user: what happened and what the assistant does meanwhile."""
    return (f"the local model stopped ({what}) and is being restarted; "
            "this answer uses extractive mode (the reports' own sentences)")


def build_local_model(spec: str, settings: Settings) -> BaseChatModel:
    """Start the GGUF named by `spec` in a supervised child process and connect to it."""
    if importlib.util.find_spec("llama_cpp") is None:
        raise ModelUnavailableError("llama-cpp-python is not installed: run `make setup` (or scripts/setup.sh)")
    try:
        path = resolve_gguf(spec, settings.model_cache)
    except ModelNotInstalledError as exc:
        raise ModelUnavailableError(str(exc)) from exc
    llm = settings.llm
    alias = spec if "/" not in spec else path.stem
    server = LlamaServer(ServerConfig(
        model_path=path, alias=alias, n_ctx=llm.n_ctx, n_threads=llm.n_threads,
        n_batch=min(LLAMA_N_BATCH, llm.n_ctx), flash_attn=llm.flash_attn,
        log_path=settings.data_dir / "logs" / f"llama-server-{alias}.log",
    )).start()
    inner = openai_model(alias, server.base_url, settings, api_key="local")
    return SupervisedChatModel(inner=inner, server=server)

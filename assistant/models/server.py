"""The local GGUF model in a child process: llama.cpp's OpenAI-compatible server on loopback.

A native crash in llama.cpp (a segfault in a CPU kernel, an out-of-memory kill) ends only
the child, never the chat UI or a CLI chat. A watchdog thread restarts the child after a
crash, on the same port; until it is ready again, calls fail and the assistant answers
in extractive mode. The child dies with its parent (PR_SET_PDEATHSIG on Linux, and an
`atexit` hook elsewhere).
"""

from __future__ import annotations

import atexit
import ctypes
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from assistant.models.errors import ModelUnavailableError

_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class ServerConfig:
    """How to run one GGUF model: llama.cpp's context, threads and batch, and where to log."""

    model_path: Path
    alias: str
    n_ctx: int
    n_threads: int
    n_batch: int
    log_path: Path
    flash_attn: bool  # llama.cpp's fused attention (`LLMSettings.flash_attn`)
    ready_timeout_s: float = 180.0
    max_restarts: int = 5  # in a row without a successful answer in between


@dataclass(frozen=True)
class ServerStatus:
    """What the supervisor knows: `state` is starting, ready, restarting, failed or stopped."""

    state: str
    pid: int | None
    crashes: int
    last_exit: str  # how the last child ended, e.g. "killed by SIGSEGV"


class LlamaServer:
    """Starts, watches and restarts one `llama_cpp.server` child process."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.port = _free_port()
        self._proc: subprocess.Popen | None = None
        self._state = "stopped"
        self._crashes = 0
        self._restarts_in_a_row = 0
        self._last_exit = ""
        self._lock = threading.Lock()
        self._ready = threading.Event()

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible endpoint, e.g. http://127.0.0.1:41234/v1."""
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def pid(self) -> int | None:
        """The child's process id while it runs."""
        proc = self._proc
        return proc.pid if proc and proc.poll() is None else None

    def status(self) -> ServerStatus:
        """A snapshot of the supervisor's state."""
        return ServerStatus(self._state, self.pid, self._crashes, self._last_exit)

    def start(self) -> LlamaServer:
        """Launch the child and wait until it answers; raise with the log's last line if it cannot."""
        with self._lock:
            if self._state in ("ready", "starting", "restarting"):
                return self
            self._state = "starting"
        atexit.register(self.stop)
        # One long-lived thread launches every child: Linux sends the parent-death signal when
        # the *thread* that forked the child ends, and a Streamlit script thread ends often.
        threading.Thread(target=self._watch, name=f"watch-{self.config.alias}", daemon=True).start()
        if not self.wait_ready(self.config.ready_timeout_s):
            self.stop()
            raise ModelUnavailableError(
                f"the local model {self.config.alias} did not start: {self.log_tail()} "
                f"(full log: {self.config.log_path}); run `r2p doctor`"
            )
        return self

    def wait_ready(self, timeout_s: float) -> bool:
        """Block until the child answers (True) or `timeout_s` passes or it failed (False)."""
        return self._ready.wait(timeout_s) and self._state == "ready"

    def answered(self) -> None:
        """Record a successful answer: crashes before it no longer count towards giving up."""
        self._restarts_in_a_row = 0

    def stop(self) -> None:
        """Terminate the child (TERM, then KILL after 5 s) and stop restarting it."""
        with self._lock:
            self._state = "stopped"
            proc = self._proc
        self._ready.clear()
        if proc and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def log_tail(self) -> str:
        """The last meaningful line the child wrote, for one-line error messages."""
        try:
            lines = self.config.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return "no log was written"
        useful = [line.strip() for line in lines if line.strip() and not line.startswith("INFO:")]
        return useful[-1][:200] if useful else "the server wrote nothing"

    # -- the child -----------------------------------------------------------------
    def _launch(self) -> None:
        """Start the child process (the caller holds the lock)."""
        c = self.config
        c.log_path.parent.mkdir(parents=True, exist_ok=True)
        command = [
            sys.executable, "-m", "llama_cpp.server", "--model", str(c.model_path), "--model_alias", c.alias,
            "--host", "127.0.0.1", "--port", str(self.port), "--n_ctx", str(c.n_ctx),
            "--n_threads", str(c.n_threads), "--n_threads_batch", str(c.n_threads),
            "--n_batch", str(c.n_batch), "--flash_attn", str(c.flash_attn).lower(), "--verbose", "false",
            # The server's default computes the logits of every prompt token (for `echo` logprobs, which
            # the assistant never asks for): through it the 0.5B model read prompts 1.3-1.6x slower,
            # answered 0.5-1.4 s later (p50 per question) and held 1.2 GB more (evals/HISTORY.md, fourteenth round).
            "--logits_all", "false",
        ]
        self._ready.clear()
        with c.log_path.open("ab") as log:
            self._proc = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True, preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )
        threading.Thread(target=self._poll_ready, args=(self._proc,), daemon=True).start()

    def _poll_ready(self, proc: subprocess.Popen) -> None:
        """Mark the server ready once `/v1/models` answers, unless the child exits first."""
        deadline = time.monotonic() + self.config.ready_timeout_s
        while time.monotonic() < deadline and proc.poll() is None and self._proc is proc:
            if _answers(f"{self.base_url}/models"):
                with self._lock:
                    if self._proc is proc and self._state in ("starting", "restarting"):
                        self._state = "ready"
                        self._ready.set()
                return
            time.sleep(0.2)
        if proc.poll() is None and self._proc is proc:  # hung while loading: treat as a crash
            proc.kill()

    def _watch(self) -> None:
        """Launch the child, then restart it whenever it exits unless stopped; give up after many crashes."""
        with self._lock:
            if self._state == "stopped":
                return
            self._launch()
        while True:
            proc = self._proc
            if proc is None:
                return
            code = proc.wait()
            with self._lock:
                if self._state == "stopped" or proc is not self._proc:
                    return
                self._crashes += 1
                self._restarts_in_a_row += 1
                self._last_exit = _describe_exit(code)
                self._ready.clear()
                if self._state == "starting" or self._restarts_in_a_row > self.config.max_restarts:
                    # never came up (a file llama.cpp cannot load), or keeps crashing: stop trying
                    self._state = "failed"
                    self._ready.set()  # wake waiters: wait_ready() then returns False
                    return
                self._state = "restarting"
                self._launch()


def _answers(url: str) -> bool:
    """Tell whether an HTTP GET of `url` returns 200 within a second."""
    try:
        with urllib.request.urlopen(url, timeout=1.0) as response:  # noqa: S310 (loopback only)
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _free_port() -> int:
    """A TCP port on loopback that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _describe_exit(code: int) -> str:
    """'killed by SIGSEGV' for a signal, 'exited with code N' otherwise."""
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exited with code {code}"


def _die_with_parent() -> None:
    """In the child, before exec: ask Linux to send SIGTERM when the parent process dies."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)

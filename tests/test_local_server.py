"""The local model in its own process: real generation, and recovery when that process crashes.

A native crash in llama.cpp (simulated with SIGSEGV, what the AMX kernels did on Intel
Xeons) must end only the child process: the answer in progress falls back to extractive
mode with a one-line notice, the child is restarted, and the next answer is the model's.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from assistant.events import AnswerEvent, KeySentencesEvent, NoticeEvent, SourcesEvent, TokenEvent
from assistant.factory import build_assistant
from assistant.models.gguf import model_path
from assistant.settings import LLMSettings, Settings

pytestmark = pytest.mark.slow

APP = Path(__file__).resolve().parents[1] / "app.py"
QUESTION = "What does the 2015 report say national focal points should be supported by?"
CACHE = Settings().model_cache


@pytest.fixture(scope="module")
def local_fast(ingested, embedder):
    if model_path("local-fast", CACHE) is None:
        pytest.fail(f"local-fast is not installed in {CACHE}: run `r2p models install local-fast` (make test does)")
    settings = ingested.model_copy(update={"models_dir": CACHE, "llm": LLMSettings(max_tokens=120, temperature=0.0)})
    assistant = build_assistant(settings, "local-fast", embedder)
    yield assistant
    assistant.chat_model.server.stop()


def test_the_model_runs_in_a_child_process_and_answers_with_a_citation(local_fast):
    server = local_fast.chat_model.server
    assert server.pid not in (None, os.getpid())
    answer = local_fast.ask(QUESTION)
    assert not answer.abstained, answer.text
    assert answer.notice == ""
    assert answer.citations and all(c.passage.unit.doc_id == "A/69/981" for c in answer.citations)
    assert answer.timings["generate"] > 0


def test_the_model_is_not_asked_when_the_reports_do_not_cover_the_question(local_fast):
    answer = local_fast.ask("What new priorities did the Secretary-General's 2018 report on R2P set out?")
    assert answer.abstained and answer.citations == () and "generate" not in answer.timings


def test_verified_key_sentences_come_first_then_the_model_s_checked_statements(local_fast):
    events = list(local_fast.stream("What does the 2017 report say parliaments should do?"))
    assert isinstance(events[0], SourcesEvent) and events[0].passages
    assert isinstance(events[1], KeySentencesEvent) and "[" in events[1].text  # before the model writes
    answer = events[-1].answer
    assert answer.statements, answer.text  # the model replied in the structure asked for
    for statement in answer.statements:  # every statement cites sentences of the sources it was given
        assert statement.sources and set(statement.sources) <= set(range(1, len(answer.passages) + 1))
    shown = [e.text for e in events if isinstance(e, TokenEvent)]
    assert "".join(shown).strip() == (answer.text if answer.text != answer.key_sentences else "")
    assert all(s.text not in answer.text for s in answer.unverified)
    assert 0 < answer.prompt_tokens < 1000 and answer.timings["first_token"] > 0


def test_a_segfault_mid_answer_falls_back_to_extractive_and_the_model_comes_back(local_fast):
    server = local_fast.chat_model.server
    crashed_pid = server.pid
    events = []
    for event in local_fast.stream(QUESTION):
        events.append(event)
        if isinstance(event, KeySentencesEvent):  # the crash, while the model reads its prompt
            threading.Timer(1.0, os.kill, (crashed_pid, signal.SIGSEGV)).start()
    notices = [e for e in events if isinstance(e, NoticeEvent)]
    answer = events[-1].answer
    assert isinstance(events[-1], AnswerEvent)
    assert len(notices) == 1 and "SIGSEGV" in notices[0].text and "\n" not in notices[0].text
    assert answer.notice == notices[0].text and "extractive" in answer.model
    assert answer.citations and not answer.abstained  # the user still gets a cited answer

    assert server.wait_ready(120), server.log_tail()
    assert server.pid not in (None, crashed_pid) and server.status().crashes == 1
    again = local_fast.ask(QUESTION)
    assert again.notice == "" and again.model == "local-fast" and again.citations


def _child_pids(pid: int) -> list[int]:
    """Processes whose parent is `pid` (read from /proc)."""
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                children.append(int(entry.name))
    return children


def _llama_servers(pid: int) -> list[int]:
    """The llama.cpp server processes started by process `pid`."""
    return [child for child in _child_pids(pid) if b"llama_cpp.server" in Path(f"/proc/{child}/cmdline").read_bytes()]


def test_cli_chat_survives_a_segfault_mid_answer_and_keeps_answering(ingested, tmp_path):
    env = {**os.environ, "R2P_DATA_DIR": str(ingested.data_dir), "R2P_MODELS_DIR": str(CACHE),
           "R2P_MODEL": "local-fast", "R2P_LLM__MAX_TOKENS": "120", "PYTHONUNBUFFERED": "1"}
    chat = subprocess.Popen([sys.executable, "-m", "cli", "chat"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    out: list[str] = []
    reader = threading.Thread(target=lambda: out.extend(iter(lambda: chat.stdout.read(1), "")), daemon=True)
    reader.start()
    deadline = time.monotonic() + 180
    while "empty line to quit" not in "".join(out) and time.monotonic() < deadline:
        time.sleep(0.2)
    chat.stdin.write(QUESTION + "\n")
    chat.stdin.flush()
    start = len("".join(out))
    while len("".join(out)) < start + 12 and time.monotonic() < deadline:  # the model is writing
        time.sleep(0.05)
    servers = _llama_servers(chat.pid)
    assert len(servers) == 1
    os.kill(servers[0], signal.SIGSEGV)
    stdout_tail, stderr = chat.communicate("Which report discusses national focal points?\n\n", timeout=240)
    text = "".join(out) + stdout_tail
    assert chat.returncode == 0, stderr
    assert "notice: the local model stopped (killed by SIGSEGV)" in stderr
    assert "Traceback" not in stderr
    assert text.count("Sources:") == 2  # both questions answered, with their paragraphs


def test_the_chat_ui_survives_a_segfault_mid_answer(ingested, monkeypatch):
    monkeypatch.setenv("R2P_DATA_DIR", str(ingested.data_dir))
    monkeypatch.setenv("R2P_MODELS_DIR", str(CACHE))
    monkeypatch.setenv("R2P_MODEL", "local-fast")
    monkeypatch.setenv("R2P_LLM__MAX_TOKENS", "120")
    others = set(_llama_servers(os.getpid()))  # e.g. the module fixture's model
    at = AppTest.from_file(str(APP), default_timeout=240)
    at.run()  # loads the app and starts its model
    assert not at.exception, at.exception
    servers = [pid for pid in _llama_servers(os.getpid()) if pid not in others]
    assert len(servers) == 1
    at.chat_input[0].set_value(QUESTION)
    answering = threading.Thread(target=at.run)
    answering.start()
    time.sleep(2.0)  # the prompt is being read: mid-answer
    os.kill(servers[0], signal.SIGSEGV)
    answering.join(240)
    assert not at.exception, at.exception
    warnings = [w.value for w in at.warning]
    assert any("SIGSEGV" in w and "extractive" in w for w in warnings), warnings
    assert "A/69/981" in " ".join(m.value for m in at.markdown)  # the fallback answer, cited

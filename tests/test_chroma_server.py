"""Server mode: a real `chroma run` on loopback answers as the embedded store does.

The server store is filled by the real indexer; its embedder serves the embedded
store's own window vectors (see benchmarks/recorded.py), so both stores hold the same
vectors and nothing is embedded twice.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from assistant.factory import build_assistant, build_indexer, build_store
from assistant.records import Turn
from assistant.settings import BUNDLED_REPORTS, Settings
from benchmarks.recorded import RecordedEmbedder
from tests.conftest import r2p
from vectorstore.indexer import expand_paths

CHROMA = Path(sys.executable).with_name("chroma")
QUESTIONS = [
    ("Which commission of inquiry does the 2012 report give as an example of pillar two and three?", ()),
    ("What does the 2017 report say about national focal points?", ()),
    ("How did the count of Security Council resolutions referring to R2P change between the 2015 and 2017 reports?",
     ()),
    ("What does paragraph 12 of the 2015 report say?", ()),
    ("Which Security Council resolutions on Libya does the 2012 report cite?", ()),
    ("What does the 2016 summary say about the next Secretary-General?", ()),
    ("What role can regional organizations play in prevention?", ()),
    ("What do the reports say about the Rohingya in Myanmar?", ()),
    ("What did it recommend?", (Turn("user", "What does the 2015 report say about ISIL and social media?"),
                                Turn("assistant", "It describes how ISIL uses the internet to recruit."))),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory):
    """A Chroma server on a free loopback port, stopped after the module."""
    port = _free_port()
    log = (tmp_path_factory.mktemp("chroma-log") / "server.log").open("w")
    server = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(tmp_path_factory.mktemp("chroma-server")), "--host", "127.0.0.1",
         "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the Chroma server did not start (exit code {server.poll()})")
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


@pytest.fixture(scope="module")
def server_settings(chroma_url, ingested, embedder, tmp_path_factory) -> Settings:
    """The bundled corpus ingested into the server store, by the real indexer."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("r2p-server-app"), chroma_url=chroma_url, model="extractive")
    recorded = RecordedEmbedder.from_store(embedder, build_store(ingested, embedder))
    report = build_indexer(settings, recorded).ingest_files(expand_paths([BUNDLED_REPORTS]))
    assert not report.failed and recorded.computed == 0
    return settings


def _refs(passages, n=None):
    return [p.unit.citation for p in passages[:n]]


def test_server_store_holds_what_the_embedded_store_holds(server_settings, ingested, embedder):
    server = build_store(server_settings, embedder).document_records()
    local = build_store(ingested, embedder).document_records()
    assert server == local
    again = build_indexer(server_settings, embedder).ingest_files(expand_paths([BUNDLED_REPORTS]))
    assert {f.status for f in again.files} == {"unchanged"}


def test_server_mode_answers_like_embedded_mode(server_settings, ingested, embedder):
    # Chroma's HNSW search is approximate and its graph is built per process, so the
    # 80th dense candidate can differ; every question must still agree on what a user
    # sees: the abstention, the first source, and nearly all of the top five.
    server = build_assistant(server_settings, "extractive", embedder)
    local = build_assistant(ingested, "extractive", embedder)
    identical = 0
    for question, history in QUESTIONS:
        a, b = server.ask(question, list(history)), local.ask(question, list(history))
        assert a.abstained == b.abstained, question
        assert _refs(a.retrieved, 1) == _refs(b.retrieved, 1), question
        assert len(set(_refs(a.retrieved, 5)) & set(_refs(b.retrieved, 5))) >= 4, question
        identical += (a.text, [c.reference for c in a.citations]) == (b.text, [c.reference for c in b.citations])
        assert all(1 <= c.marker <= len(a.passages) for c in a.citations)
    assert identical >= len(QUESTIONS) - 1


def test_another_process_sees_a_change_made_through_the_server(server_settings, ingested, embedder, tmp_path):
    # Two app processes behind a load balancer: this one keeps a retriever open while
    # the CLI, another process, ingests a revised report into the same server.
    retriever = build_assistant(server_settings, "extractive", embedder).retriever
    assert retriever.retrieve("zebra crossings in Atlantis").evidence.unknown_names == ("Atlantis",)
    name = "2016-A-70-999-summary-mobilizing-collective-action.txt"
    (tmp_path / name).write_text((BUNDLED_REPORTS / name).read_text(encoding="utf-8")
                                 + "\n\nZebra crossings in Atlantis were discussed.\n", encoding="utf-8")
    (tmp_path / "manifest.toml").write_text((BUNDLED_REPORTS / "manifest.toml").read_text(encoding="utf-8"))
    try:
        done = r2p("ingest", "-q", str(tmp_path / name), data_dir=server_settings.data_dir,
                   R2P_CHROMA_URL=server_settings.chroma_url, timeout=300)
        assert done.returncode == 0, done.stderr
        assert any("Zebra crossings" in u.text for u in retriever.snapshot().units_of("A/70/999-summary"))
        # Scoped to one report, dense search is exact; unscoped, Chroma's HNSW may miss a
        # single new window (upstream chroma-core/chroma#3113), so the check is scoped.
        result = retriever.retrieve("What does the 2016 summary say about zebra crossings in Atlantis?")
        assert result.evidence.unknown_names == ()
        assert "Zebra crossings" in result.passages[0].unit.text
    finally:
        recorded = RecordedEmbedder.from_store(embedder, build_store(ingested, embedder))
        restored = build_indexer(server_settings, recorded).ingest_files([BUNDLED_REPORTS / name])
        assert restored.files[0].status == "updated"


def test_unreachable_server_is_a_one_line_error(tmp_path):
    url = f"http://127.0.0.1:{_free_port()}"
    for command in (["corpus"], ["ask", "What is the responsibility to protect?", "--model", "extractive"]):
        done = r2p(*command, data_dir=tmp_path, R2P_CHROMA_URL=url, timeout=120)
        assert done.returncode == 2, done.stderr
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
        assert lines[0].startswith("error: cannot reach the Chroma server at http://127.0.0.1:")
        assert "chroma run" in lines[0]

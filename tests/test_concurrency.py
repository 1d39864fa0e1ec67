"""Thirty sessions on one assistant, and a report re-ingested while they ask.

Threads share one assistant, as Streamlit sessions in one app process do. Answers under
load must be the answers given one at a time (a race in a tokenizer or a snapshot
would show as a different answer or an exception), and every citation must point to a
source the answer was given.
"""

from __future__ import annotations

import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from assistant.factory import build_assistant, build_indexer, build_store
from assistant.records import Turn
from assistant.settings import BUNDLED_REPORTS, Settings
from benchmarks.recorded import RecordedEmbedder
from vectorstore.indexer import expand_paths

SESSIONS = 30
SECONDS = 8.0
REINGEST_CYCLES = 2  # each: the revised summary in, then the original back
SUMMARY = "2016-A-70-999-summary-mobilizing-collective-action.txt"
QUESTIONS = [
    ("Which commission of inquiry does the 2012 report give as an example of pillar two and three?",
     "What did it find?"),
    ("What does the 2017 report say about national focal points?", "And about regional organizations?"),
    ("How did the count of Security Council resolutions referring to R2P change between the 2015 and 2017 reports?",
     "Why does that matter?"),
    ("What does paragraph 12 of the 2015 report say?", "What comes before it?"),
    ("What does the 2016 summary say about the next Secretary-General?", "What about Article 99?"),
    ("What do the reports say about the Rohingya in Myanmar?", "And about prevention in general?"),
]


def _check_citations(answer) -> None:
    if answer.abstained:
        assert not answer.citations and answer.reason
        return
    assert answer.citations, answer.text
    for citation in answer.citations:
        assert 1 <= citation.marker <= len(answer.passages)
        assert answer.passages[citation.marker - 1] == citation.passage
        assert f"[{citation.marker}]" in answer.text


def _session(assistant, first: int, more) -> list[tuple[str, tuple, object]]:
    """Ask and follow up, round the question list, at least once and while `more()`."""
    done, i = [], first
    while not done or more():
        question, follow_up = QUESTIONS[i % len(QUESTIONS)]
        answer = assistant.ask(question)
        history = (Turn("user", question), Turn("assistant", answer.text))
        again = assistant.ask(follow_up, list(history))
        done += [(question, (), answer), (follow_up, history, again)]
        i += 1
    return done


def _run_sessions(assistant, seconds: float = 0.0, until: threading.Thread | None = None) -> list:
    """SESSIONS threads asking for `seconds`, or as long as thread `until` runs."""
    deadline = time.monotonic() + seconds
    more = until.is_alive if until is not None else (lambda: time.monotonic() < deadline)
    with ThreadPoolExecutor(max_workers=SESSIONS) as pool:
        futures = [pool.submit(_session, assistant, n, more) for n in range(SESSIONS)]
        return [item for future in futures for item in future.result(timeout=seconds + 300)]


def test_thirty_sessions_get_the_answers_a_single_user_gets(ingested, embedder):
    assistant = build_assistant(ingested, "extractive", embedder)
    alone = {}
    for question, follow_up in QUESTIONS:
        first = assistant.ask(question)
        history = (Turn("user", question), Turn("assistant", first.text))
        alone[(question, ())] = first
        alone[(follow_up, history)] = assistant.ask(follow_up, list(history))

    results = _run_sessions(assistant, seconds=SECONDS)

    assert len(results) >= SESSIONS * 2
    for question, history, answer in results:
        _check_citations(answer)
        expected = alone[(question, history)]
        assert (answer.text, answer.abstained) == (expected.text, expected.abstained), question
        assert [c.reference for c in answer.citations] == [c.reference for c in expected.citations]


@pytest.fixture
def changing_store(ingested, embedder, tmp_path) -> tuple[Settings, RecordedEmbedder, Path, Path]:
    """A store of its own holding the bundled corpus, and two versions of the 2016 summary."""
    recorded = RecordedEmbedder.from_store(embedder, build_store(ingested, embedder))
    settings = Settings(data_dir=tmp_path / "data", model="extractive")
    report = build_indexer(settings, recorded).ingest_files(expand_paths([BUNDLED_REPORTS]))
    assert not report.failed and recorded.computed == 0
    versions = []
    for name, edit in (("v1", lambda t: t), ("v2", _revise)):
        folder = tmp_path / name
        folder.mkdir()
        (folder / SUMMARY).write_text(edit((BUNDLED_REPORTS / SUMMARY).read_text(encoding="utf-8")), encoding="utf-8")
        shutil.copy(BUNDLED_REPORTS / "manifest.toml", folder / "manifest.toml")
        versions.append(folder / SUMMARY)
    return settings, recorded, versions[0], versions[1]


def _revise(text: str) -> str:
    """A second edition: one bullet reworded, one paragraph added."""
    revised = text.replace("Article 99 of the UN Charter", "Article 99 of the Charter of the United Nations")
    assert revised != text
    return revised + "\n\nThe revised summary adds that focal points met again in 2017 to review early warning.\n"


def test_reingesting_a_report_while_thirty_sessions_ask(changing_store):
    # Embedded Chroma holds the GIL while it writes, so every ingest stalls the readers of
    # this process for a moment: a few paced re-ingests keep the test short.
    settings, recorded, original, revised = changing_store
    assistant = build_assistant(settings, "extractive", recorded)
    assistant.ask("What is the responsibility to protect?")
    ingests: list[str] = []
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            for _ in range(REINGEST_CYCLES):
                for path in (revised, original):
                    time.sleep(0.5)
                    ingests.append(build_indexer(settings, recorded).ingest_files([path]).files[0].status)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    thread = threading.Thread(target=writer)
    thread.start()
    results = _run_sessions(assistant, until=thread)
    thread.join(timeout=120)

    assert not errors, errors
    assert ingests == ["updated"] * (2 * REINGEST_CYCLES)
    assert len(results) >= SESSIONS * 2
    for _question, _history, answer in results:
        _check_citations(answer)
    summary = assistant.retriever.snapshot().units_of("A/70/999-summary")  # the original is back
    assert len(summary) == 40 and not any("revised summary" in u.text for u in summary)


def test_app_processes_share_the_snapshot_cache(changing_store, monkeypatch):
    # A second app process on the machine (here: a second retriever) starts from the
    # snapshot the first saved, without reading units from the store or tokenizing;
    # a re-ingested report makes a new version, which is read from the store again.
    settings, recorded, _original, revised = changing_store
    first = build_assistant(settings, "extractive", recorded).retriever
    expected = [first.retrieve(q) for q, _ in QUESTIONS]
    second = build_assistant(settings, "extractive", recorded).retriever
    with monkeypatch.context() as patch:
        patch.setattr(second.store, "get_units", lambda ids: pytest.fail("read units from the store"))
        patch.setattr("vectorstore.snapshot.tokenize", lambda text: pytest.fail("tokenized a unit"))
        assert second.snapshot().units == first.snapshot().units
        got = [second.retrieve(q) for q, _ in QUESTIONS]
    assert [r.passages for r in got] == [r.passages for r in expected]
    assert [r.evidence for r in got] == [r.evidence for r in expected]
    build_indexer(settings, recorded).ingest_files([revised])
    assert any("revised summary" in u.text for u in second.snapshot().units_of("A/70/999-summary"))

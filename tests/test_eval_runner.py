"""`r2p eval`: the JSON report is recomputable, the Markdown is readable, the gate bites."""

from __future__ import annotations

import json

import pytest

from evals.dataset import EvalCase, load_cases
from evals.metrics import ScoredPassage, score_case
from evals.summary import summarize
from tests.conftest import REPO, r2p

IDS = {"q002", "q037", "q075", "q087", "q093", "q096", "q115"}


@pytest.fixture(scope="module")
def small_set(tmp_path_factory):
    lines = (REPO / "evals/data/dev.jsonl").read_text(encoding="utf-8").splitlines()
    chosen = [line for line in lines if json.loads(line)["id"] in IDS]
    path = tmp_path_factory.mktemp("evalset") / "small.jsonl"
    path.write_text("\n".join(chosen) + "\n", encoding="utf-8")
    return path


def _eval(data_dir, *args):
    return r2p("eval", *map(str, args), data_dir=data_dir, timeout=600)


@pytest.fixture(scope="module")
def report_run(ingested, small_set, tmp_path_factory):
    out = tmp_path_factory.mktemp("eval-out")
    result = _eval(ingested.data_dir, small_set, "--model", "extractive", "--json", out / "r.json",
                   "--markdown", out / "r.md")
    assert result.returncode == 0, result.stderr
    return out, json.loads((out / "r.json").read_text(encoding="utf-8")), result


def test_json_report_holds_one_recomputable_record_per_question(report_run, small_set):
    _, report, _ = report_run
    assert {q["id"] for q in report["questions"]} == IDS
    record = next(q for q in report["questions"] if q["id"] == "q002")
    assert set(record) >= {"id", "retrieved", "answer", "abstained", "citations", "standalone_question", "timings"}
    assert set(record["retrieved"][0]) >= {"doc", "para", "text", "footnotes"}
    # recompute the metrics from the records alone: they must agree with the report
    cases = {c.id: c for c in load_cases(small_set)}
    results = []
    for q in report["questions"]:
        as_passage = lambda p: ScoredPassage(  # noqa: E731
            p["doc"], p["para"], p["text"], tuple((f["n"], f["text"]) for f in p["footnotes"]))
        results.append(score_case(cases[q["id"]], retrieved=[as_passage(p) for p in q["retrieved"]],
                                  cited=[as_passage(c) for c in q["citations"]],
                                  answer="" if q["abstained"] else q["answer"], abstained=q["abstained"], timings={}))
    again = summarize(results)["overall"]
    for key in ("recall@5", "recall@10", "mrr", "citation_precision", "citation_recall", "abstention_correct"):
        assert again[key] == pytest.approx(report["metrics"]["overall"][key])


def test_report_scores_what_a_reviewer_expects(report_run):
    _, report, result = report_run
    overall = report["metrics"]["overall"]
    assert overall["recall@10"] >= 0.9 and overall["cites_outside_retrieved"] == 0
    assert report["metrics"]["by_kind"]["unanswerable"]["abstention_correct"] == 1.0
    assert "| **overall** |" in result.stdout


def test_markdown_report_has_tables_worst_questions_and_chart(report_run):
    out, _, _ = report_run
    text = (out / "r.md").read_text(encoding="utf-8")
    assert "| **overall** |" in text and "## Worst questions" in text and "![per-kind scores](r.png)" in text
    assert (out / "r.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_gate_names_each_regression_and_exits_nonzero(report_run, ingested, small_set, tmp_path):
    _, report, _ = report_run
    better = json.loads(json.dumps(report))
    better["metrics"]["overall"]["recall@5"] += 0.1
    better["metrics"]["overall"]["citation_precision"] += 0.1
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps(better), encoding="utf-8")
    result = _eval(ingested.data_dir, small_set, "--model", "extractive", "--against", baseline)
    assert result.returncode == 1
    assert "REGRESSION overall recall@5" in result.stderr and "citation_precision" in result.stderr
    same = tmp_path / "same.json"
    same.write_text(json.dumps(report), encoding="utf-8")
    assert _eval(ingested.data_dir, small_set, "--model", "extractive", "--against", same).returncode == 0


def test_naive_pipeline_runs_through_the_same_metrics(ingested, small_set, tmp_path):
    result = _eval(ingested.data_dir, small_set, "--pipeline", "naive", "--json", tmp_path / "n.json")
    assert result.returncode == 0, result.stderr
    naive = json.loads((tmp_path / "n.json").read_text(encoding="utf-8"))
    assert naive["meta"]["pipeline"] == "naive"
    assert naive["metrics"]["by_kind"]["unanswerable"]["abstention_correct"] == 0.0


def test_malformed_eval_file_gives_one_line(ingested, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x1", "question": "q"}\n', encoding="utf-8")
    result = _eval(ingested.data_dir, bad)
    assert result.returncode == 2 and "bad.jsonl:1" in result.stderr and "Traceback" not in result.stderr


def test_dev_cases_load():
    assert len(load_cases(REPO / "evals/data/dev.jsonl")) == 72
    assert EvalCase.model_fields.keys() >= {"id", "question", "kind", "gold"}

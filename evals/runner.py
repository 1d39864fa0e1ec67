"""Run an evaluation set through the assistant (models loaded once) and score it.

The JSON report holds the metrics and one record per question with everything needed
to recompute them: the ranked retrieved passages (with footnotes), the answer, the
structured abstention flag, the citations, the standalone question and the timings.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

from assistant.outputs.render import citation_json, passage_json
from assistant.records import Answer, Turn
from evals.dataset import EvalCase
from evals.metrics import QuestionResult, ScoredPassage, score_case
from evals.summary import summarize
from vectorstore.records import Passage


@dataclass
class EvalRun:
    """Scored results, per-question records and the summary of one run."""

    results: list[QuestionResult]
    records: list[dict]
    summary: dict
    meta: dict

    def report(self) -> dict:
        """The `--json` report."""
        return {"meta": self.meta, "metrics": self.summary, "questions": self.records}


def scored(passage: Passage) -> ScoredPassage:
    """A passage as the metric functions see it."""
    unit = passage.unit
    return ScoredPassage(unit.doc_id, unit.label, unit.text, tuple(passage.footnote_texts))


def question_record(case: EvalCase, answer: Answer) -> dict:
    """One question's record in the JSON report."""
    return {
        "id": case.id,
        "kind": case.kind,
        "question": case.question,
        "retrieved": [passage_json(p) for p in answer.retrieved],
        "answer": answer.text,
        "abstained": answer.abstained,
        "citations": [citation_json(c) for c in answer.citations],
        "standalone_question": answer.standalone_question,
        "flagged": list(answer.flagged),
        "caution": answer.caution,
        "timings": {k: round(v, 4) for k, v in answer.timings.items()},
        "key_sentences": answer.key_sentences,
        "statements": [asdict(s) for s in answer.statements],
        "model_declined": answer.model_declined,
        "prompt_tokens": answer.prompt_tokens,
        "model_reply": answer.model_reply,
        "gold": [g.model_dump() for g in case.gold],
    }


def run_cases(cases: Sequence[EvalCase], ask: Callable[[str, list[Turn]], Answer],
              on_done: Callable[[EvalCase], None] | None = None, meta: dict | None = None) -> EvalRun:
    """Ask every case (with its history) and score it."""
    results, records = [], []
    for case in cases:
        history = [Turn(t.role, t.content) for t in case.history]
        answer = ask(case.question, history)
        results.append(
            score_case(
                case,
                retrieved=[scored(p) for p in answer.retrieved],
                cited=[scored(c.passage) for c in answer.citations],
                answer=answer.text if not answer.abstained else "",
                abstained=answer.abstained,
                timings=answer.timings,
                cautioned=bool(answer.caution),
            )
        )
        records.append(question_record(case, answer))
        if on_done:
            on_done(case)
    return EvalRun(results, records, summarize(results), meta or {})

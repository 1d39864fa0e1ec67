"""Answer latency per stage on the dev set: retrieval, the extractive answer, a local model.

    python -m benchmarks.latency [--model local-fast] [--limit 8] [--data-dir DIR]
                                 [--models-dir DIR] [--json OUT]

Every dev question (with its chat history) is answered by the extractive model: p50/p95
of condense, retrieve, generate, verify and total. Then the first `--limit` questions
are streamed through the local model (`--model`, default local-fast; ~10-30 s each on
two cores): time to first token (from the question) and tokens per second. The local
part is skipped, saying so, when the model is not installed in `<data dir>/models`
(`r2p models install local-fast`, or point --models-dir at a folder that holds it).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from assistant.events import AnswerEvent, TokenEvent
from assistant.factory import build_assistant, build_embedder, build_indexer
from assistant.records import Turn
from assistant.settings import Settings
from benchmarks.measure import machine, markdown_table, percentiles, rss_mb, work_dir, write_json
from evals.dataset import EvalCase, load_cases
from ingest.errors import R2PError
from vectorstore.indexer import expand_paths

DEV_SET = Path(__file__).resolve().parents[1] / "evals" / "data" / "dev.jsonl"
STAGES = ("condense", "retrieve", "generate", "verify", "total")


def _history(case: EvalCase) -> list[Turn]:
    return [Turn(t.role, t.content) for t in case.history]


def extractive_latency(settings: Settings, embedder, cases: list[EvalCase]) -> dict:
    """p50/p95 per stage of the extractive answer over `cases`."""
    assistant = build_assistant(settings, "extractive", embedder)
    assistant.ask("What is the responsibility to protect?")  # first call loads the snapshot
    timings: dict[str, list[float]] = {stage: [] for stage in STAGES}
    for case in cases:
        answer = assistant.ask(case.question, _history(case))
        for stage in STAGES:
            timings[stage].append(answer.timings.get(stage, 0.0))
    return {stage: percentiles(values) for stage, values in timings.items()} | {"questions": len(cases)}


def local_latency(settings: Settings, embedder, model: str, cases: list[EvalCase]) -> dict:
    """Time to first token and tokens per second of a local model, streamed."""
    started = time.perf_counter()
    assistant = build_assistant(settings, model, embedder)
    load_s = time.perf_counter() - started
    first, rates, totals, abstained = [], [], [], 0
    for case in cases:
        asked = time.perf_counter()
        first_at, tokens = None, 0
        for event in assistant.stream(case.question, _history(case)):
            if isinstance(event, TokenEvent):
                tokens += 1
                first_at = first_at or time.perf_counter()
            elif isinstance(event, AnswerEvent):
                done = time.perf_counter()
                totals.append(done - asked)
                if first_at is None:
                    abstained += 1
                    continue
                first.append(first_at - asked)
                if tokens > 1 and done > first_at:
                    rates.append((tokens - 1) / (done - first_at))
        print(f"  {case.id}: {totals[-1]:.1f} s, {tokens} tokens", flush=True)
    return {
        "model": model,
        "questions": len(cases),
        "abstained_before_generation": abstained,
        "model_load_s": round(load_s, 2),
        "first_token": percentiles(first),
        "total": percentiles(totals),
        "tokens_per_s_p50": round(float(sorted(rates)[len(rates) // 2]), 1) if rates else None,
        "tokens_per_s_min": round(min(rates), 1) if rates else None,
    }


def _link_models(settings: Settings, models_dir: Path | None) -> None:
    if models_dir is not None and not settings.model_cache.exists():
        settings.model_cache.parent.mkdir(parents=True, exist_ok=True)
        settings.model_cache.symlink_to(models_dir.resolve(), target_is_directory=True)


def main(argv: list[str] | None = None) -> dict:
    """Run the benchmark; print tables; return (and optionally write) the JSON report."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.latency", description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="local-fast", help="local model to time (local, local-fast, a .gguf)")
    parser.add_argument("--limit", type=int, default=8, help="questions for the local model")
    parser.add_argument("--skip-local", action="store_true", help="only retrieval and the extractive answer")
    parser.add_argument("--data-dir", type=Path, help="data dir with (or to receive) the ingested reports")
    parser.add_argument("--models-dir", type=Path, default=Settings().model_cache,
                        help="folder holding installed GGUF models and the tuned embedder (default: the model cache)")
    parser.add_argument("--json", type=Path, help="write the JSON report here")
    args = parser.parse_args(argv)

    cases = load_cases(DEV_SET)
    with work_dir(args.data_dir, "r2p-bench-latency-") as data_dir:
        settings = Settings(data_dir=data_dir)
        _link_models(settings, args.models_dir)
        embedder = build_embedder(settings)
        embedder.warm_up()
        build_indexer(settings, embedder).ingest_files(expand_paths([settings.reports_dir]))
        result: dict = {"benchmark": "latency", "extractive": extractive_latency(settings, embedder, cases)}
        rows = [{"stage": s, **result["extractive"][s]} for s in STAGES]
        print(f"extractive model, {len(cases)} dev questions (seconds)")
        print(markdown_table(rows, ["stage", "p50_s", "p95_s", "max_s"]))
        if args.skip_local:
            result["local"] = {"skipped": "--skip-local"}
        else:
            try:
                print(f"{args.model}: streaming {args.limit} questions")
                result["local"] = local_latency(settings, embedder, args.model, cases[: args.limit])
                local = result["local"]
                print(markdown_table([{"model": args.model, "load_s": local["model_load_s"],
                                       "first_token_p50_s": local["first_token"]["p50_s"],
                                       "first_token_p95_s": local["first_token"]["p95_s"],
                                       "total_p50_s": local["total"]["p50_s"],
                                       "tokens_per_s": local["tokens_per_s_p50"]}],
                                     ["model", "load_s", "first_token_p50_s", "first_token_p95_s", "total_p50_s",
                                      "tokens_per_s"]))
            except R2PError as exc:
                print(f"{args.model}: skipped ({exc})")
                result["local"] = {"skipped": str(exc)}
    result |= {"rss_mb": rss_mb(), "machine": machine()}
    write_json(args.json, result)
    return result


if __name__ == "__main__":
    main()

"""Many users on one deployment: concurrent sessions asking and following up.

    python -m benchmarks.load [--sessions 30] [--seconds 30] [--data-dir DIR]
                              [--chroma-url http://127.0.0.1:8000] [--reingest] [--json OUT]

Each session is a thread on one shared assistant (as Streamlit sessions share one app
process), the extractive model, asking dev-set questions and a follow-up to each, for
`--seconds`. Reports answers, errors (must be 0), answer latency p50/p95 and answers
per second. --reingest re-ingests a revised report in a writer thread meanwhile (in an
embedded store this stalls readers: Chroma holds the GIL while writing; run ingestion
in another process, or use a Chroma server).
"""

from __future__ import annotations

import argparse
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from assistant.factory import build_assistant, build_embedder, build_indexer
from assistant.records import Turn
from assistant.settings import Settings
from benchmarks.measure import machine, markdown_table, percentiles, rss_mb, settings_in, work_dir, write_json
from evals.dataset import load_cases
from vectorstore.indexer import expand_paths

DEV_SET = Path(__file__).resolve().parents[1] / "evals" / "data" / "dev.jsonl"
FOLLOW_UPS = ("Can you say more about that?", "What does it recommend?", "Which report says so?")
SUMMARY = "2016-A-70-999-summary-mobilizing-collective-action.txt"


def session(assistant, questions: list[str], first: int, deadline: float) -> tuple[list[float], list[str]]:
    """Ask and follow up until the deadline: (latencies, errors)."""
    latencies, errors, i = [], [], first
    while time.monotonic() < deadline:
        question = questions[i % len(questions)]
        history: list[Turn] = []
        for text in (question, FOLLOW_UPS[i % len(FOLLOW_UPS)]):
            started = time.perf_counter()
            try:
                answer = assistant.ask(text, history)
                if not answer.abstained and not answer.citations:
                    errors.append(f"uncited answer to {text!r}")
                history = [Turn("user", text), Turn("assistant", answer.text)]
            except Exception as exc:  # noqa: BLE001 - every failure is counted and reported
                errors.append(f"{type(exc).__name__}: {exc}")
            latencies.append(time.perf_counter() - started)
        i += 1
    return latencies, errors


def reingest_loop(settings: Settings, embedder, folder: Path, stop: threading.Event, done: list) -> None:
    """Alternate a revised and the original 2016 summary until stopped."""
    original = (settings.reports_dir / SUMMARY).read_text(encoding="utf-8")
    (folder / "manifest.toml").write_text((settings.reports_dir / "manifest.toml").read_text(encoding="utf-8"))
    indexer = build_indexer(settings, embedder)
    while not stop.is_set():
        for text in (original + "\n\nA revised closing paragraph on early warning.\n", original):
            (folder / SUMMARY).write_text(text, encoding="utf-8")
            done.append(indexer.ingest_files([folder / SUMMARY]).files[0].status)


def main(argv: list[str] | None = None) -> dict:
    """Run the load; print a table; return (and optionally write) the JSON report."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--data-dir", type=Path, help="data dir with (or to receive) the ingested reports")
    parser.add_argument("--chroma-url", help="a Chroma server instead of the embedded store")
    parser.add_argument("--reingest", action="store_true", help="re-ingest a report while the sessions ask")
    parser.add_argument("--json", type=Path, help="write the JSON report here")
    args = parser.parse_args(argv)

    questions = [case.question for case in load_cases(DEV_SET) if not case.history]
    with work_dir(args.data_dir, "r2p-bench-load-") as data_dir:
        settings = settings_in(data_dir, chroma_url=args.chroma_url, model="extractive")
        embedder = build_embedder(settings)
        embedder.warm_up()
        build_indexer(settings, embedder).ingest_files(expand_paths([settings.reports_dir]))
        assistant = build_assistant(settings, "extractive", embedder)
        assistant.ask(questions[0])
        stop, ingests = threading.Event(), list[str]()
        folder = data_dir / "reingest"
        folder.mkdir(exist_ok=True)
        writer = threading.Thread(target=reingest_loop, args=(settings, embedder, folder, stop, ingests))
        if args.reingest:
            writer.start()
        started = time.perf_counter()
        deadline = time.monotonic() + args.seconds
        with ThreadPoolExecutor(max_workers=args.sessions) as pool:
            runs = list(pool.map(lambda n: session(assistant, questions, n, deadline), range(args.sessions)))
        elapsed = time.perf_counter() - started
        stop.set()
        if args.reingest:
            writer.join()
    latencies = [x for run, _ in runs for x in run]
    errors = [e for _, run in runs for e in run]
    row = {"sessions": args.sessions, "answers": len(latencies), "errors": len(errors),
           "answers_per_s": round(len(latencies) / elapsed, 2), **percentiles(latencies), "reingests": len(ingests)}
    print(markdown_table([row], list(row)))
    for error in sorted(set(errors))[:10]:
        print(f"  error: {error}")
    result = {"benchmark": "load", "store": "server" if args.chroma_url else "embedded", **row,
              "error_samples": sorted(set(errors))[:10], "rss_mb": rss_mb(), "machine": machine()}
    write_json(args.json, result)
    return result


if __name__ == "__main__":
    main()

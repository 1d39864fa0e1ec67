"""Ingestion throughput: paragraphs per second end to end and per stage, cold and re-ingest.

    python -m benchmarks.ingest [--reports DIR] [--data-dir DIR] [--json OUT]

Cold: an empty store (a temporary data dir unless --data-dir), the embedder already
loaded (its load time is reported apart). Re-ingest: the same files again, unchanged,
which must cost no embedding. Stages: read (read and parse the files), windows (split
paragraphs into sentence windows, average window vectors), embed (the model), write
(Chroma). The embedder's share of the cold run says whether our code or the model
bounds ingestion.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from assistant.factory import build_embedder, build_indexer
from assistant.settings import BUNDLED_REPORTS
from benchmarks.measure import machine, markdown_table, rss_mb, settings_in, work_dir, write_json
from vectorstore.indexer import STAGES, IngestReport, expand_paths


def run_row(name: str, report: IngestReport) -> dict:
    """One table row: paragraphs, windows embedded, seconds and rate per stage."""
    units = sum(f.units for f in report.files if f.status != "failed")
    row: dict = {"run": name, "paragraphs": units, "embedded": sum(f.embedded for f in report.files),
                 "total_s": round(report.seconds, 3), "paragraphs_per_s": round(units / report.seconds, 1)}
    for stage in STAGES:
        seconds = report.stages.get(stage, 0.0)
        row[f"{stage}_s"] = round(seconds, 3)
        row[f"{stage}_paragraphs_per_s"] = round(units / seconds, 1) if seconds else None
    row["embed_share"] = round(report.stages.get("embed", 0.0) / report.seconds, 3) if report.seconds else 0.0
    return row


def main(argv: list[str] | None = None) -> dict:
    """Run the benchmark; print a table; return (and optionally write) the JSON report."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ingest", description=__doc__.split("\n")[0])
    parser.add_argument("--reports", type=Path, default=BUNDLED_REPORTS, help="folder or file to ingest")
    parser.add_argument("--data-dir", type=Path, help="store folder (default: a temporary one)")
    parser.add_argument("--json", type=Path, help="write the JSON report here")
    args = parser.parse_args(argv)

    files = expand_paths([args.reports])
    with work_dir(args.data_dir, "r2p-bench-ingest-") as data_dir:
        settings = settings_in(data_dir)
        embedder = build_embedder(settings)
        started = time.perf_counter()
        embedder.warm_up()
        model_load = time.perf_counter() - started
        rows = []
        for name in ("cold", "re-ingest unchanged"):
            indexer = build_indexer(settings, embedder)
            report = indexer.ingest_files(files)
            rows.append(run_row(name, report))
        windows = indexer.store.windows.count()
    cold = rows[0]
    result = {
        "benchmark": "ingest",
        "files": len(files),
        "windows": windows,
        "model_load_s": round(model_load, 2),
        "embed_windows_per_s": round(windows / cold["embed_s"], 1) if cold["embed_s"] else None,
        "runs": rows,
        "rss_mb": rss_mb(),
        "machine": machine(),
    }
    print(f"{len(files)} files, {cold['paragraphs']} paragraphs, {windows} windows; model load {model_load:.1f} s")
    print(markdown_table(rows, ["run", "paragraphs", "embedded", "total_s", "paragraphs_per_s", "read_s",
                                "windows_s", "embed_s", "write_s", "embed_share"]))
    print(f"embedder: {result['embed_windows_per_s']} windows/s; the embedder is "
          f"{cold['embed_share']:.0%} of a cold ingest")
    write_json(args.json, result)
    return result


if __name__ == "__main__":
    main()

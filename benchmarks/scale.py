"""How cost grows with the corpus: ingest rate, start-up, retrieval latency and memory.

    python -m benchmarks.scale --sizes 1000,10000,100000 [--work-dir DIR] [--json OUT]

For each size, a store is filled with synthetic reports made from the real paragraphs
(see benchmarks/synthetic.py: real sentences, real sentence vectors, perturbed) through
the real indexer, whose embedder answers from those vectors; `ingest_per_s` is then
our code and Chroma alone, and `projected_ingest_per_s` adds what MiniLM would take
for the same windows at the rate measured here. Then two fresh processes open the
store: the first reads it from Chroma, builds the BM25 index and saves both in the
snapshot cache (`startup_cold_s`), the second loads them (`startup_s`), runs the dev
questions' retrieval twice (`cold_*`: first sight of each report; then the steady
state, with and without embedding the question: `retrieve_*`, `search_*`), reports its
memory, and times the refresh after one report changed. --reuse keeps stores built
by an earlier run in --work-dir (and their ingest numbers).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assistant.factory import build_embedder, build_retriever, build_store
from assistant.settings import BUNDLED_REPORTS, Settings
from benchmarks.measure import machine, markdown_table, percentiles, rss_mb, settings_in, work_dir, write_json
from benchmarks.recorded import RecordedEmbedder
from benchmarks.synthetic import SyntheticCorpus, real_material
from evals.dataset import load_cases
from vectorstore.embedder import Embedder
from vectorstore.indexer import Indexer

DEV_SET = Path(__file__).resolve().parents[1] / "evals" / "data" / "dev.jsonl"


def build(size: int, data_dir: Path, corpus: SyntheticCorpus, real) -> dict:
    """Fill a new store with `size` synthetic paragraphs through the indexer."""
    settings = settings_in(data_dir)
    indexer = Indexer(build_store(settings, real), RecordedEmbedder(real, corpus.vectors),
                      settings.retrieval.window_sentences)
    records: dict = {}
    seconds = 0.0
    for document in corpus.documents(size):
        started = time.perf_counter()
        indexer.ingest_document(document, records)
        seconds += time.perf_counter() - started
    windows = indexer.store.windows.count()
    return {"paragraphs": size, "documents": len(records), "windows": windows, "write_s": round(seconds, 2),
            "ingest_per_s": round(size / seconds, 1),
            "stages_s": {k: round(v, 2) for k, v in indexer.stage_seconds.items()}}


def probe(data_dir: Path, refresh: bool) -> dict:
    """In a fresh process: start-up, retrieval over the dev questions, memory, refresh."""
    started = time.perf_counter()
    settings = settings_in(data_dir)
    embedder = build_embedder(settings)
    embedder.warm_up()
    out: dict = {"model_load_s": round(time.perf_counter() - started, 2)}
    started = time.perf_counter()
    timed = TimedEmbedder(embedder)
    retriever = build_retriever(settings, timed)
    snapshot = retriever.snapshot()
    out["startup_s"] = round(time.perf_counter() - started, 2)
    out["units"] = len(snapshot.units)
    questions = [case.question for case in load_cases(DEV_SET)]
    # Pass 1 meets cold caches (Chroma's index pages, each report's window vectors);
    # pass 2 is the steady state; `search` is pass 2 without embedding the question.
    for prefix in ("cold_", ""):
        seconds, search = [], []
        for question in questions:
            timed.seconds = 0.0
            started = time.perf_counter()
            retriever.retrieve(question)
            seconds.append(time.perf_counter() - started)
            search.append(seconds[-1] - timed.seconds)
        out |= {f"{prefix}{k}": v for k, v in percentiles(seconds).items()}
    out |= {f"search_{k}": v for k, v in percentiles(search).items()}
    out["rss_mb"] = rss_mb()
    if refresh:
        started = time.perf_counter()
        _ = snapshot.vocabulary
        out["vocabulary_s"] = round(time.perf_counter() - started, 2)
        info, ids = next(iter(retriever.store.document_records().values()))
        retriever.store.commit_document(info, ids[:-1])  # one paragraph removed from one report
        retriever.store.delete_units(ids[-1:])
        started = time.perf_counter()
        retriever.snapshot()
        out["refresh_s"] = round(time.perf_counter() - started, 2)
    return out


class TimedEmbedder(Embedder):
    """The real embedder, adding up the time it spends."""

    def __init__(self, real: Embedder) -> None:
        super().__init__(real.model_name, real.batch_size)
        self.real = real
        self.seconds = 0.0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed with the real model, timed."""
        started = time.perf_counter()
        try:
            return self.real.embed(texts)
        finally:
            self.seconds += time.perf_counter() - started


def _run_probe(data_dir: Path, refresh: bool) -> dict:
    command = [sys.executable, "-m", "benchmarks.scale", "--probe", str(data_dir)] + (["--refresh"] if refresh else [])
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"probe failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(size: int, root: Path, corpus: SyntheticCorpus, real, embed_rate: float, reuse: bool) -> dict:
    """Build one size, then probe it cold (no saved BM25) and warm."""
    data_dir = root / f"n{size}"
    built = data_dir / "build.json"
    if reuse and built.exists():
        row = json.loads(built.read_text())
    else:
        shutil.rmtree(data_dir, ignore_errors=True)
        row = build(size, data_dir, corpus, real)
        built.write_text(json.dumps(row))
    shutil.rmtree(data_dir / "snapshot-cache", ignore_errors=True)  # the first probe starts cold
    embed_s = row["windows"] / embed_rate
    row["projected_ingest_per_s"] = round(size / (row["write_s"] + embed_s), 1)
    row["projected_embed_share"] = round(embed_s / (row["write_s"] + embed_s), 3)
    cold = _run_probe(data_dir, refresh=False)
    warm = _run_probe(data_dir, refresh=True)
    row |= {"startup_cold_s": cold["startup_s"], "startup_s": warm["startup_s"],
            "cold_p50_s": warm["cold_p50_s"], "cold_p95_s": warm["cold_p95_s"],
            "retrieve_p50_s": warm["p50_s"], "retrieve_p95_s": warm["p95_s"],
            "search_p50_s": warm["search_p50_s"], "search_p95_s": warm["search_p95_s"], "rss_mb": warm["rss_mb"],
            "refresh_s": warm["refresh_s"], "vocabulary_s": warm["vocabulary_s"],
            "disk_mb": round(sum(f.stat().st_size for f in data_dir.rglob("*") if f.is_file()) / 2**20, 1)}
    return row


def main(argv: list[str] | None = None) -> dict:
    """Run the benchmark (or, with --probe, one measuring process)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scale", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="paragraph counts, comma-separated")
    parser.add_argument("--work-dir", type=Path, help="keep stores and cached sentence vectors here")
    parser.add_argument("--json", type=Path, help="write the JSON report here")
    parser.add_argument("--reuse", action="store_true", help="keep stores built earlier in --work-dir")
    parser.add_argument("--probe", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--refresh", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.probe:
        result = probe(args.probe, args.refresh)
        print(json.dumps(result))
        return result

    sizes = [int(s) for s in args.sizes.split(",")]
    with work_dir(args.work_dir, "r2p-bench-scale-") as root:
        real = build_embedder(Settings())
        real.warm_up()
        material = real_material(BUNDLED_REPORTS, real, root / "cache")
        windows = SyntheticCorpus(material, seed=1)
        for _ in windows.documents(300):
            pass
        sample = list(windows.vectors)[:256]
        started = time.perf_counter()
        real.embed(sample)
        embed_rate = len(sample) / (time.perf_counter() - started)  # what MiniLM does with such windows
        rows = []
        for size in sizes:
            corpus = SyntheticCorpus(material)
            rows.append(measure(size, root, corpus, real, embed_rate, args.reuse))
            print(markdown_table(rows[-1:], ["paragraphs", "ingest_per_s", "startup_s", "retrieve_p50_s",
                                              "retrieve_p95_s", "rss_mb"]), flush=True)
    result = {"benchmark": "scale", "embedder_windows_per_s": round(embed_rate, 1),
              "sentence_embedding_s": round(material.embed_seconds, 1), "sizes": rows, "machine": machine(),
              "rss_mb_builder": rss_mb()}
    print(markdown_table(rows, ["paragraphs", "windows", "ingest_per_s", "projected_ingest_per_s",
                                "projected_embed_share", "startup_cold_s", "startup_s", "cold_p50_s", "cold_p95_s",
                                "retrieve_p50_s", "retrieve_p95_s", "search_p50_s", "search_p95_s", "rss_mb",
                                "refresh_s", "vocabulary_s"]))
    write_json(args.json, result)
    return result


if __name__ == "__main__":
    main()

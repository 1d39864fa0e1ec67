"""What every benchmark shares: percentiles, memory, a description of the machine, output.

Benchmarks print a table and write JSON; they assert nothing (numbers on a shared
2-core laptop vary with what else runs, so the machine's load is recorded beside them).
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path

import numpy as np

from assistant.settings import Settings


def percentiles(values: Sequence[float], prefix: str = "") -> dict[str, float]:
    """p50, p95 and max of `values` (seconds), rounded; zeros for no values."""
    data = np.asarray(values, dtype=float)
    if not len(data):
        return {f"{prefix}p50_s": 0.0, f"{prefix}p95_s": 0.0, f"{prefix}max_s": 0.0}
    return {
        f"{prefix}p50_s": round(float(np.percentile(data, 50)), 4),
        f"{prefix}p95_s": round(float(np.percentile(data, 95)), 4),
        f"{prefix}max_s": round(float(data.max()), 4),
    }


def rss_mb() -> float:
    """Resident memory of this process now, in MB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def machine() -> dict:
    """The machine and software the numbers were measured on."""
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gb = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    versions = {}
    for package in ("chromadb", "bm25s", "sentence-transformers", "torch", "llama_cpp_python"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": memory_gb,
        "python": platform.python_version(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "versions": versions,
    }


def markdown_table(rows: Sequence[dict], columns: Sequence[str]) -> str:
    """Rows as a Markdown table (numbers to 3 significant places)."""

    def cell(value: object) -> str:
        if isinstance(value, float):
            return f"{value:.3g}" if abs(value) < 1000 else f"{value:.0f}"
        return str(value)

    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(row.get(c, "")) for c in columns) + " |" for row in rows]
    return "\n".join(lines)


def write_json(path: Path | None, data: dict) -> None:
    """Write the benchmark's JSON report (when a path was given) and say where."""
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"wrote {path}")


@contextmanager
def work_dir(path: Path | None, prefix: str) -> Iterator[Path]:
    """`path` when given (kept), else a temporary folder removed afterwards."""
    if path is not None:
        path.mkdir(parents=True, exist_ok=True)
        yield path
        return
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def settings_in(data_dir: Path, **overrides) -> Settings:
    """Settings with a scratch data dir that still find the installed models (GGUF, the tuned embedder)."""
    return Settings(data_dir=data_dir, models_dir=Settings().model_cache, **overrides)

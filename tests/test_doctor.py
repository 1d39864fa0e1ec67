"""`r2p doctor` and a local model that cannot start, run as a user runs them."""

from __future__ import annotations

import platform
import subprocess

from assistant.doctor import llama_build_flags
from tests.conftest import r2p


def _r2p(*args: str, data_dir, **env: str) -> subprocess.CompletedProcess:
    return r2p(*args, data_dir=data_dir, timeout=300, **env)


def test_doctor_passes_on_a_working_setup(ingested):
    result = _r2p("doctor", "--model", "extractive", data_dir=ingested.data_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert [line.split()[:2] for line in lines] == [["ok", "embedder"], ["ok", "store"], ["ok", "model"]]
    assert "4 reports" in lines[1]


def test_doctor_names_what_to_fix(tmp_path):
    result = _r2p("doctor", "--model", "ollama:llama3", data_dir=tmp_path,
                  R2P_OLLAMA_BASE_URL="http://127.0.0.1:9")
    assert result.returncode == 1
    store, model = result.stdout.splitlines()[1:]
    assert store.startswith("FAIL  store") and store.endswith("holds no reports: run `r2p ingest`")
    assert model.startswith("FAIL  model ollama:llama3") and "cannot reach Ollama at http://127.0.0.1:9" in model


def test_a_gguf_llama_cpp_cannot_load_is_refused_in_one_line(ingested, tmp_path):
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + bytes(4096))  # the magic, then nothing llama.cpp can read
    result = _r2p("ask", "What is R2P?", "--model", str(broken), data_dir=ingested.data_dir)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: the local model {broken.stem} did not start:")
    assert "run `r2p doctor`" in lines[0]


def test_the_llama_cpp_build_is_portable():
    on = set(llama_build_flags())
    assert on and not any(flag.startswith("AMX") for flag in on)  # the kernels that crash on virtualised Xeons
    if platform.machine() in ("x86_64", "AMD64"):
        assert {"AVX2", "FMA", "F16C"} <= on

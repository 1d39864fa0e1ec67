"""Which files an ingest run takes from the paths a user gives, and which it skips and why."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ingest.readers import supported_suffixes

METADATA_SUFFIXES = (".toml",)  # manifest.toml and NAME.toml sidecars: read with their reports


@dataclass(frozen=True)
class Skipped:
    """A file found in a folder that will not be ingested, and the reason in a few words."""

    path: Path
    reason: str


@dataclass(frozen=True)
class Inputs:
    """The files to ingest (named files as given, folders walked) and the ones passed over."""

    files: tuple[Path, ...]
    skipped: tuple[Skipped, ...]


def collect_inputs(paths: Iterable[Path]) -> Inputs:
    """Expand folders (recursively, sorted) to the files ingestion reads; name every other file."""
    files: list[Path] = []
    skipped: list[Skipped] = []
    for path in paths:
        if not path.is_dir():
            files.append(path)  # a named file is tried as given: the reader explains what is wrong
            continue
        for found in sorted(p for p in path.rglob("*") if p.is_file()):
            reason = _skip_reason(found.relative_to(path))
            if reason is None:
                files.append(found)
            elif reason:
                skipped.append(Skipped(found, reason))
    return Inputs(tuple(files), tuple(skipped))


def _skip_reason(relative: Path) -> str | None:
    """None to ingest the file, "" to pass over it quietly (metadata), else why it is skipped."""
    if any(part.startswith(".") for part in relative.parts):
        return "hidden file"
    suffix = relative.suffix.lower()
    if suffix in METADATA_SUFFIXES:
        return ""
    if suffix in supported_suffixes():
        return None
    kinds = ", ".join(supported_suffixes())
    return f"{suffix or 'no extension'} is not a supported format ({kinds}); convert it to one of these"

"""Saving a report uploaded through the UI, with a sidecar when the user gives its metadata."""

from __future__ import annotations

import re
from pathlib import Path

from ingest.errors import IngestError
from ingest.readers import supported_suffixes


def save_upload(name: str, data: bytes, uploads_dir: Path, symbol: str = "", date: str = "",
                title: str = "") -> Path:
    """Save an uploaded report under `uploads_dir` (with a NAME.toml when metadata is given).

    Raises `IngestError` for a file type ingestion cannot read, with the CLI's message.
    """
    safe = re.sub(r"[^\w.\- ]+", "_", Path(name).name).strip(" .") or "report.txt"
    path = uploads_dir / safe
    if path.suffix.lower() not in supported_suffixes():
        raise IngestError(safe, f"unsupported file type '{path.suffix or '(none)'}'; "
                                f"supported: {', '.join(supported_suffixes())}")
    uploads_dir.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    sidecar = path.with_suffix(".toml")
    fields = {"id": symbol.split("–")[0].strip(), "symbol": symbol.strip(), "date": date.strip(),
              "title": title.strip()}
    if symbol.strip():
        sidecar.write_text("".join(f"{k} = {_toml_string(v)}\n" for k, v in fields.items() if v), encoding="utf-8")
    elif sidecar.exists():
        sidecar.unlink()
    return path


def _toml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + re.sub(r"[\x00-\x1f]", " ", escaped) + '"'

"""Evaluation rows (the public JSONL format of `evals/data/*.jsonl`) and their loader."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from ingest.errors import R2PError


class EvalDataError(R2PError):
    """An evaluation file is missing or one of its lines is malformed."""

    def __init__(self, path: object, reason: str, line: int | None = None) -> None:
        where = f"{path}:{line}" if line is not None else f"{path}"
        super().__init__(f"{where}: {reason}")
        self.path = path
        self.line = line
        self.reason = reason


class _Row(BaseModel):
    """Base of eval rows: immutable, and extra fields are tolerated and ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class GoldEntry(_Row):
    """One supporting paragraph: document key, printed label ("12", "fn3" or null), quote."""

    doc: str
    para: str | None = None
    quote: str

    @field_validator("para", mode="before")
    @classmethod
    def _para_as_label(cls, value: object) -> object:
        """Accept `12` as well as `"12"`, and strip stray whitespace."""
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if isinstance(value, str):
            return value.strip() or None
        return value

    @field_validator("doc", "quote")
    @classmethod
    def _non_empty(cls, value: str) -> str:
        """Reject empty document keys and quotes, which would match everything."""
        if not value.strip():
            raise ValueError("must not be empty")
        return value.strip()


class Turn(_Row):
    """A prior turn of the conversation, for follow-up questions."""

    role: Literal["user", "assistant"]
    content: str


class EvalCase(_Row):
    """One evaluation question with its gold evidence and reference answer."""

    id: str
    question: str
    kind: str
    history: list[Turn] = []
    answerable: bool
    gold: list[GoldEntry]
    answer: str = ""
    must_include: list[str] = []


def _one_line(error: ValidationError) -> str:
    """Condense a pydantic error into `field: message; field: message`."""
    parts = []
    for item in error.errors():
        loc = ".".join(str(part) for part in item["loc"]) or "row"
        parts.append(f"{loc}: {item['msg']}")
    return "; ".join(parts)


def _parse_line(path: Path, number: int, line: str) -> EvalCase:
    """Parse one JSONL line into a case, raising `EvalDataError` naming the line."""
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise EvalDataError(path, f"invalid JSON ({exc.msg}, column {exc.colno})", number) from None
    if not isinstance(row, dict):
        raise EvalDataError(path, "expected a JSON object", number)
    try:
        return EvalCase.model_validate(row)
    except ValidationError as exc:
        raise EvalDataError(path, _one_line(exc), number) from None


def load_cases(path: str | Path) -> list[EvalCase]:
    """Read every case of a JSONL eval file; blank lines are skipped, ids must be unique."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalDataError(path, f"cannot read eval file ({exc.__class__.__name__})") from None
    cases: list[EvalCase] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        case = _parse_line(path, number, line)
        if case.id in seen:
            reason = f"duplicate id {case.id!r} (first on line {seen[case.id]})"
            raise EvalDataError(path, reason, number)
        seen[case.id] = number
        cases.append(case)
    return cases

"""What can go wrong with a chat model, each error saying what to do about it."""

from __future__ import annotations

from ingest.errors import R2PError


class ModelUnavailableError(R2PError):
    """The chosen chat model cannot be used now: not installed, not loadable or not reachable."""


class UnknownModelSpecError(ModelUnavailableError):
    """The model spec names no known backend."""


class ModelCrashedError(ModelUnavailableError):
    """The local model's process died or is being restarted; answers fall back to extractive meanwhile."""

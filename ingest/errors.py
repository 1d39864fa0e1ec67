"""The error hierarchy: every message says what went wrong and what to do next."""


class R2PError(Exception):
    """Base of all errors a user can cause or fix; shown as one line, never a traceback."""


class IngestError(R2PError):
    """A file could not be ingested (unsupported, empty, undecodable, missing)."""

    def __init__(self, path: object, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason

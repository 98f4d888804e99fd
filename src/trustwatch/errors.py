"""One exception hierarchy: every message says what was wrong and what to do."""

from __future__ import annotations


class TrustwatchError(Exception):
    """Base class for every error trustwatch raises on purpose."""


class InvalidEventError(TrustwatchError):
    """An event could not be parsed or failed its schema; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class PackError(TrustwatchError):
    """A policy pack is invalid. Carries the file, line and field that were wrong."""

    def __init__(self, file: str, line: int | None, field: str, message: str) -> None:
        self.file = file
        self.line = line
        self.field = field
        self.message = message
        where = f"{file}:{line}" if line is not None else file
        super().__init__(f"{where}: {field}: {message}")


class PackErrors(TrustwatchError):
    """Several problems found while validating one pack."""

    def __init__(self, errors: list[PackError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


class UnknownDetectorError(TrustwatchError):
    """A policy names a detector that is not registered."""


class ConfigError(TrustwatchError):
    """A setting or resource is missing or malformed."""

"""The errors the service raises on purpose, each with a stable machine ``code``.

::

    DomainError                  base; never raised itself
    ├── NotAuthenticated         no token, or a token nobody holds          (code UNAUTHENTICATED)
    ├── Forbidden                known caller, action not allowed           (code FORBIDDEN)
    ├── NotFound                 missing, or outside the caller's scope     (code NOT_FOUND, ...)
    ├── Conflict                 would break uniqueness or a state rule     (DUPLICATE_SERIAL, ...)
    └── InvalidInput             well-formed but impossible values          (INVALID_DATES, ...)
        └── BatchRejected        some rows of a batch are bad; ``errors`` lists them

A database that cannot be reached is not a domain error: ``service/api/errors.py`` answers the
driver's own exceptions with 503 ``DB_UNAVAILABLE``.

The HTTP status of each lives in ``service/api/errors.py`` (one mapping, one handler); the
domain never speaks HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class FieldError:
    """One problem in one field (of one row, for batches)."""

    loc: list[str | int]
    code: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"loc": self.loc, "code": self.code, "message": self.message}


@dataclass
class DomainError(Exception):
    code: str
    detail: str
    errors: list[FieldError] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.code}: {self.detail}"


class NotAuthenticated(DomainError):
    def __init__(self, detail: str = "missing or unknown bearer token") -> None:
        super().__init__("UNAUTHENTICATED", detail)


class Forbidden(DomainError):
    def __init__(self, detail: str, code: str = "FORBIDDEN") -> None:
        super().__init__(code, detail)


class NotFound(DomainError):
    def __init__(self, detail: str, code: str = "NOT_FOUND") -> None:
        super().__init__(code, detail)


class Conflict(DomainError):
    pass


class InvalidInput(DomainError):
    pass


class BatchRejected(InvalidInput):
    def __init__(self, errors: list[FieldError], detail: str | None = None) -> None:
        super().__init__(
            "BATCH_REJECTED",
            detail or f"{len(errors)} problem(s) in the batch; nothing was stored",
            errors,
        )

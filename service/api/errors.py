"""One mapping from domain errors to HTTP, and the handlers that answer every failure as
``application/problem+json`` (RFC 9457) with a stable ``code``. Nothing a user can send ends
in a 500: validation, malformed JSON, oversized bodies, unknown routes and a database that is
down each have their own 4xx or 503."""

from __future__ import annotations

import logging
from typing import Any

import asyncpg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.domain.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    NotFound,
)

log = logging.getLogger("cylinders.api")

PROBLEM = "application/problem+json"

STATUS_BY_TYPE: list[tuple[type[DomainError], int]] = [
    (NotAuthenticated, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (InvalidInput, 422),
]
# Codes whose status differs from their class's.
STATUS_BY_CODE: dict[str, int] = {"MALFORMED_JSON": 400, "BODY_TOO_LARGE": 413}

TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Content Too Large",
    422: "Unprocessable Content",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def status_of(error: DomainError) -> int:
    if error.code in STATUS_BY_CODE:
        return STATUS_BY_CODE[error.code]
    for cls, status in STATUS_BY_TYPE:
        if isinstance(error, cls):
            return status
    return 400


def problem(
    status: int, code: str, detail: str, errors: list[dict[str, Any]] | None = None, **extra: Any
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"https://cylinders.example/problems/{code.lower().replace('_', '-')}",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "code": code,
    }
    if errors:
        body["errors"] = errors
    body.update(extra)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def _validation_errors(exc: RequestValidationError) -> tuple[str, list[dict[str, Any]]]:
    errors = []
    code = "VALIDATION_ERROR"
    for err in exc.errors():
        if err.get("type") == "json_invalid":
            code = "MALFORMED_JSON"
        elif err.get("type") == "nul_character":
            code = "NUL_CHARACTER"
        loc = [p for p in err.get("loc", ()) if p != "body"]
        errors.append(
            {
                "loc": loc,
                "code": str(err.get("type", "invalid")).upper(),
                "message": str(err.get("msg", "")),
            }
        )
    return code, errors


async def _on_domain_error(request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, DomainError):  # pragma: no cover - registered for DomainError only
        return await _on_unexpected(request, exc)
    return problem(
        status_of(exc), exc.code, exc.detail, [e.as_dict() for e in exc.errors], **exc.extra
    )


async def _on_validation(request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, RequestValidationError):  # pragma: no cover
        return await _on_unexpected(request, exc)
    code, errors = _validation_errors(exc)
    if code == "MALFORMED_JSON":
        return problem(400, code, "请求体不是合法的 JSON / the body is not valid JSON", errors)
    names = ", ".join(".".join(str(p) for p in e["loc"]) or "body" for e in errors[:5])
    return problem(422, code, f"输入有误 / invalid input: {names}", errors)


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, StarletteHTTPException):  # pragma: no cover
        return await _on_unexpected(request, exc)
    code = {
        400: "MALFORMED_JSON",
        404: "NOT_FOUND",
        405: "METHOD_NOT_ALLOWED",
        413: "BODY_TOO_LARGE",
    }.get(exc.status_code, "HTTP_ERROR")
    return problem(exc.status_code, code, str(exc.detail))


# The database is down, restarting, refusing connections or gone mid-query: on the raw
# driver pool of the hot path these arrive as asyncpg's own errors or as OS errors, through
# SQLAlchemy as OperationalError / InterfaceError. Each is registered as its own handler, so
# the answer is a 503 and never reaches Starlette's server-error middleware (which would log
# it as a crash).
DRIVER_UNAVAILABLE: tuple[type[Exception], ...] = (
    asyncpg.PostgresConnectionError,  # SQLSTATE 08: connection gone or refused
    asyncpg.OperatorInterventionError,  # 57: admin or crash shutdown, cannot connect now
    asyncpg.InsufficientResourcesError,  # 53: too many connections, disk full
    OSError,  # no socket to connect to, connection reset
    TimeoutError,  # connecting or a query took too long
)


def _is_closed_connection(exc: Exception) -> bool:
    # asyncpg raises a plain InterfaceError for a connection that died under the pool.
    return isinstance(exc, asyncpg.InterfaceError) and "closed" in str(exc)


def _unavailable(exc: Exception) -> JSONResponse:
    log.warning("database unavailable: %s", type(exc).__name__)
    return problem(
        503,
        "DB_UNAVAILABLE",
        "数据库暂时不可用，请稍后重试 / the database is unavailable; retry shortly",
    )


async def _on_database(_: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, (OperationalError, InterfaceError, *DRIVER_UNAVAILABLE)) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated
    ):
        return _unavailable(exc)
    log.exception("unexpected database error")
    return problem(500, "INTERNAL", "unexpected error; it has been logged")


async def _on_driver_interface(_: Request, exc: Exception) -> JSONResponse:
    if _is_closed_connection(exc):
        return _unavailable(exc)
    log.exception("unexpected driver error")
    return problem(500, "INTERNAL", "unexpected error; it has been logged")


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, DRIVER_UNAVAILABLE) or _is_closed_connection(exc):
        return _unavailable(exc)
    log.exception("unexpected error")
    return problem(500, "INTERNAL", "unexpected error; it has been logged")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _on_domain_error)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(DBAPIError, _on_database)
    for kind in DRIVER_UNAVAILABLE:
        app.add_exception_handler(kind, _on_database)
    app.add_exception_handler(asyncpg.InterfaceError, _on_driver_interface)
    app.add_exception_handler(Exception, _on_unexpected)

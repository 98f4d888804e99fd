"""Errors as RFC 9457 problem details (``application/problem+json``) that say what was wrong."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_BASE = "https://trustwatch.dev/problems/"
PROBLEM_MEDIA_TYPE = "application/problem+json"

log = logging.getLogger(__name__)

_TITLES = {
    400: "bad-request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    413: "request-too-large",
    415: "unsupported-media-type",
    422: "invalid-input",
    429: "rate-limited",
    503: "unavailable",
}


class Problem(Exception):
    """Raise from a use case to answer with a problem document."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        *,
        kind: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.kind = kind or _TITLES.get(status, "error")
        self.errors = errors
        self.headers = headers


def problem_response(
    status: int,
    title: str,
    detail: str,
    *,
    instance: str,
    kind: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + (kind or _TITLES.get(status, "error")),
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
    }
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {"location": ".".join(str(p) for p in err.get("loc", ())), "message": err.get("msg", "")}
        for err in exc.errors()
    ]


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(
            exc.status,
            exc.title,
            exc.detail,
            instance=request.url.path,
            kind=exc.kind,
            errors=exc.errors,
            headers=exc.headers,
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _validation_errors(exc)
        first = errors[0] if errors else {"location": "(request)", "message": "invalid"}
        return problem_response(
            422,
            "Invalid request",
            f"{first['location']}: {first['message']}",
            instance=request.url.path,
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"no route {request.method} {request.url.path}; see /docs for the API"
        if exc.status_code == 405:
            detail = f"{request.method} is not allowed on {request.url.path}; see /docs"
        return problem_response(
            exc.status_code,
            _TITLES.get(exc.status_code, "error").replace("-", " ").capitalize(),
            detail,
            instance=request.url.path,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        return internal_error(request.method, request.url.path)


def internal_error(method: str, path: str) -> JSONResponse:
    """Log the exception being handled; answer 500 without its details."""
    log.exception("unhandled error on %s %s", method, path)
    return problem_response(
        500,
        "Internal error",
        "the server failed to handle this request; the request id in the logs has details",
        instance=path,
        kind="internal",
    )

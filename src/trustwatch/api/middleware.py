"""One pure-ASGI middleware: request ids, the request size limit, latency metrics, access logs."""

from __future__ import annotations

import logging
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from trustwatch.api.problems import problem_response
from trustwatch.observability import REQUEST_ID, REQUEST_SECONDS, new_request_id

log = logging.getLogger("trustwatch.access")


class _TooLargeError(Exception):
    pass


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = _header(scope, b"x-request-id") or new_request_id()
        token = REQUEST_ID.set(request_id[:64])
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id[:64].encode("latin-1")),
                ]
            await send(message)

        limit = self.max_body_bytes
        declared = _header(scope, b"content-length")
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLargeError
            return message

        try:
            if declared is not None and declared.isdigit() and int(declared) > limit:
                raise _TooLargeError
            await self.app(scope, limited_receive, send_with_id)
        except _TooLargeError:
            if response_started:
                raise
            response = problem_response(
                413,
                "Request too large",
                f"the body is larger than {limit} bytes (TRUSTWATCH_MAX_REQUEST_BYTES); "
                "split batches into smaller requests",
                instance=scope.get("path", ""),
            )
            await response(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route: Any = scope.get("route")
            template = getattr(route, "path", None) or "(unmatched)"
            REQUEST_SECONDS.labels(template, scope.get("method", ""), str(status)).observe(elapsed)
            if log.isEnabledFor(logging.INFO):
                log.info(
                    "request",
                    extra={
                        "method": scope.get("method"),
                        "path": scope.get("path"),
                        "route": template,
                        "status": status,
                        "duration_ms": round(elapsed * 1000.0, 3),
                    },
                )
            REQUEST_ID.reset(token)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return None

"""One pure-ASGI middleware: request ids, the request size limit, latency metrics, access logs.

It also serves the hot endpoints it is given (``direct``) itself, as plain ASGI apps:
Starlette's routing, exception middleware and FastAPI's request machinery cost a
tenth of a millisecond per request, which at hundreds of checks a second is a share
of the core worth having back. The FastAPI routes stay declared for the OpenAPI.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

from prometheus_client.metrics import Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from trustwatch.api.problems import internal_error, problem_response
from trustwatch.observability import REQUEST_ID, REQUEST_SECONDS, new_request_id

log = logging.getLogger("trustwatch.access")


class _TooLargeError(Exception):
    pass


class RequestContextMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        direct: Mapping[tuple[str, str], ASGIApp] | None = None,
    ) -> None:
        """``direct``: (method, path) -> an ASGI app that answers it without the router."""
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.direct = dict(direct or {})
        # One histogram child per (route, method, status): labels() takes a lock each call.
        self._latency: dict[tuple[str, str, int], Histogram] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = (_header(scope, b"x-request-id") or new_request_id())[:64]
        token = REQUEST_ID.set(request_id)
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                message["headers"] = [
                    *message.get("headers", ()),
                    (b"x-request-id", request_id.encode("latin-1")),
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

        method: str = scope.get("method", "")
        path: str = scope.get("path", "")
        direct = self.direct.get((method, path))
        try:
            if declared is not None and declared.isdigit() and int(declared) > limit:
                raise _TooLargeError
            await (direct or self.app)(scope, limited_receive, send_with_id)
        except _TooLargeError:
            if response_started:
                raise
            response = problem_response(
                413,
                "Request too large",
                f"the body is larger than {limit} bytes (TRUSTWATCH_MAX_REQUEST_BYTES); "
                "split batches into smaller requests",
                instance=path,
            )
            await response(scope, receive, send_with_id)
        except Exception:
            if response_started:
                raise
            # Answered here rather than by the app's outermost handler, so that the 500
            # carries the request id its detail points to.
            await internal_error(method, path)(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            if direct is not None:
                template = path
            else:
                route: Any = scope.get("route")
                template = getattr(route, "path", None) or "(unmatched)"
            self._observe(template, method, status, elapsed)
            if log.isEnabledFor(logging.INFO):
                log.info(
                    "request",
                    extra={
                        "method": method,
                        "path": path,
                        "route": template,
                        "status": status,
                        "duration_ms": round(elapsed * 1000.0, 3),
                    },
                )
            REQUEST_ID.reset(token)

    def _observe(self, template: str, method: str, status: int, elapsed: float) -> None:
        key = (template, method, status)
        child = self._latency.get(key)
        if child is None:
            child = self._latency[key] = REQUEST_SECONDS.labels(template, method, str(status))
        child.observe(elapsed)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return None

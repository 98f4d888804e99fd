"""Deciding events: synchronously (/v1/check) or through the bus (/v1/events); reading verdicts."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from trustwatch.api.auth import Principal
from trustwatch.api.problems import Problem, problem_response
from trustwatch.api.routes.deps import principal, service
from trustwatch.api.schemas import PROBLEM_RESPONSES, Accepted, EntityHistoryOut, StoredVerdict
from trustwatch.api.service import CheckResponse, TrustService

router = APIRouter(prefix="/v1", tags=["decisions"])

_EVENT_BODY: dict[str, Any] = {
    "security": [{"HTTPBearer": []}, {"APIKeyHeader": []}],
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Event"}}},
    },
}
_EVENTS_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "oneOf": [
                        {"$ref": "#/components/schemas/Event"},
                        {"type": "array", "items": {"$ref": "#/components/schemas/Event"}},
                        {
                            "type": "object",
                            "required": ["events"],
                            "properties": {
                                "events": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/Event"},
                                }
                            },
                        },
                    ]
                }
            }
        },
    }
}


@router.post(
    "/check",
    summary="Decide one event now",
    description="The event in, its verdict and enforcement out. Idempotent by event id: a "
    "repeated id gets the verdict stored the first time. User reports are `report.filed` "
    "events. Needs the `check` scope.",
    response_model=CheckResponse,
    responses=PROBLEM_RESPONSES,
    openapi_extra=_EVENT_BODY,
)
async def check(request: Request) -> Response:
    # create_app serves POST /v1/check through direct_check (below); this route declares it
    # in the OpenAPI and answers where the app is assembled without that middleware.
    svc: TrustService = request.app.state.service
    headers = request.headers
    caller = svc.authenticate(headers.get("authorization"), headers.get("x-api-key"))
    body = await request.body()
    return Response(await svc.check(caller, body), media_type="application/json")


_JSON_HEADERS = [(b"content-type", b"application/json")]


def direct_check(svc: TrustService) -> ASGIApp:
    """POST /v1/check as a bare ASGI app: the same use case and errors, no router or
    dependency machinery on the hot path. Unexpected errors propagate to the request
    middleware, which answers them as it does for any route."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        authorization = api_key = None
        for name, value in scope["headers"]:
            if name == b"authorization" and authorization is None:
                authorization = value.decode("latin-1")
            elif name == b"x-api-key" and api_key is None:
                api_key = value.decode("latin-1")
        try:
            caller = svc.authenticate(authorization, api_key)
            body = await _body(receive)
            if body is None:
                return  # the client went away; nobody to answer
            verdict = await svc.check(caller, body)
        except Problem as exc:
            response = problem_response(
                exc.status,
                exc.title,
                exc.detail,
                instance=scope["path"],
                kind=exc.kind,
                errors=exc.errors,
                headers=exc.headers,
            )
            await response(scope, receive, send)
            return
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [*_JSON_HEADERS, (b"content-length", b"%d" % len(verdict))],
            }
        )
        await send({"type": "http.response.body", "body": verdict})

    return app


async def _body(receive: Receive) -> bytes | None:
    """The whole request body, or None if the client disconnected first."""
    chunks: list[bytes] = []
    while True:
        message: Message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


@router.post(
    "/events",
    status_code=202,
    summary="Accept events for asynchronous checking",
    description='One event, a list, or `{"events": [...]}`; all are validated first and '
    "none is accepted if any is invalid. They are decided by the worker; read the verdicts "
    "at /v1/verdicts/{event_id}. Needs the `ingest` scope.",
    response_model=Accepted,
    responses=PROBLEM_RESPONSES,
    openapi_extra=_EVENTS_BODY,
)
async def ingest(
    request: Request,
    caller: Annotated[Principal, Depends(principal)],
    svc: Annotated[TrustService, Depends(service)],
) -> JSONResponse:
    from starlette.concurrency import run_in_threadpool

    body = await request.body()
    result = await run_in_threadpool(svc.ingest, caller, body)
    return JSONResponse(result, status_code=202)


@router.get(
    "/verdicts/{event_id}",
    summary="The stored verdict of an event",
    description="With the verdicts of any pack versions in shadow mode. Needs `read`.",
    response_model=StoredVerdict,
    responses=PROBLEM_RESPONSES,
)
def get_verdict(
    event_id: Annotated[str, Path(min_length=1, max_length=200)],
    caller: Annotated[Principal, Depends(principal)],
    svc: Annotated[TrustService, Depends(service)],
) -> dict[str, Any]:
    return svc.verdict(caller, event_id)


@router.get(
    "/entities/{kind}/{entity_id}/history",
    summary="Verdicts and actions about a user or a listing",
    description="A user's history holds the events they sent and reports about them. Needs `read`.",
    response_model=EntityHistoryOut,
    responses=PROBLEM_RESPONSES,
)
def entity_history(
    kind: Literal["user", "listing"],
    entity_id: Annotated[str, Path(min_length=1, max_length=200)],
    caller: Annotated[Principal, Depends(principal)],
    svc: Annotated[TrustService, Depends(service)],
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    return svc.history(caller, kind, entity_id, limit)

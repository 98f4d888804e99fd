"""Health, readiness, Prometheus metrics and the published event JSON Schemas (no key needed)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response
from fastapi.responses import JSONResponse

from trustwatch.api.problems import Problem
from trustwatch.api.routes.deps import service
from trustwatch.api.schemas import PROBLEM_RESPONSES, Health, Readiness
from trustwatch.api.service import TrustService
from trustwatch.events import EVENT_TYPES, json_schemas

router = APIRouter(tags=["operations"])


@router.get("/healthz", response_model=Health)
async def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz", response_model=Readiness, responses={503: {"model": Readiness}})
def readyz(svc: Annotated[TrustService, Depends(service)]) -> JSONResponse:
    """The store answers and a pack is loaded; 503 otherwise."""
    state = svc.readiness()
    return JSONResponse(state, status_code=200 if state["ready"] else 503)


@router.get("/metrics", response_class=Response)
def metrics() -> Response:
    """Prometheus metrics (text exposition format)."""
    from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


@router.get("/v1/schemas", tags=["schemas"])
async def list_schemas() -> dict[str, list[str]]:
    """The event types that have a JSON Schema."""
    return {"types": list(EVENT_TYPES)}


@router.get("/v1/schemas/{event_type}", tags=["schemas"], responses=PROBLEM_RESPONSES)
async def get_schema(event_type: Annotated[str, Path(max_length=64)]) -> dict[str, Any]:
    """The JSON Schema of one event type, e.g. `message.sent`."""
    schemas = json_schemas()
    found = schemas.get(event_type)
    if found is None:
        raise Problem(
            404, "Unknown event type", f"no schema for {event_type!r}; one of {', '.join(schemas)}"
        )
    return found

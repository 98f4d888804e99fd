"""Policy packs: list, get, validate, upload (starts in shadow mode), promote; the audit log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse

from trustwatch.api.auth import Principal
from trustwatch.api.problems import Problem
from trustwatch.api.routes.deps import principal, service
from trustwatch.api.schemas import (
    PROBLEM_RESPONSES,
    AuditEntries,
    AuditVerification,
    PackDetail,
    PackList,
    PackSummary,
    PackUpload,
    PackValidation,
)
from trustwatch.api.service import MAX_INT, TrustService

router = APIRouter(prefix="/v1", tags=["policy packs"])

_PACK_NAME = Path(pattern=r"^[a-z][a-z0-9_\-]*$", max_length=100)
_PACK_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/PackUpload"}},
            "application/yaml": {"schema": {"type": "string"}},
        },
    }
}


async def _yaml_body(request: Request) -> str:
    """The pack text: raw YAML (application/yaml, text/*) or JSON `{"yaml": "..."}`."""
    body = await request.body()
    media = request.headers.get("content-type", "application/json").split(";")[0].strip()
    if media in ("application/yaml", "application/x-yaml", "text/yaml", "text/plain"):
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            raise Problem(422, "Invalid pack", "the YAML is not UTF-8 text") from None
    if media != "application/json":
        raise Problem(
            415,
            "Unsupported media type",
            f'send the pack as application/yaml or as JSON {{"yaml": ...}}, not {media}',
        )
    try:
        return PackUpload.model_validate_json(body).yaml
    except ValueError as exc:
        raise Problem(
            422, "Invalid request", f'expected JSON {{"yaml": "<pack>"}}: {exc}'
        ) from None


@router.get("/packs", response_model=PackList, responses=PROBLEM_RESPONSES)
def list_packs(
    caller: Annotated[Principal, Depends(principal)],
    svc: Annotated[TrustService, Depends(service)],
) -> dict[str, Any]:
    """The live pack, versions in shadow mode, and every uploaded version. Needs `read`."""
    return svc.list_packs(caller)


@router.get(
    "/packs/{pack}/versions/{version}", response_model=PackDetail, responses=PROBLEM_RESPONSES
)
def get_pack(
    pack: Annotated[str, _PACK_NAME],
    version: Annotated[int, Path(ge=1, le=MAX_INT)],
    caller: Annotated[Principal, Depends(principal)],
    svc: Annotated[TrustService, Depends(service)],
) -> dict[str, Any]:
    """One uploaded version with its YAML. Needs `read`."""
    return svc.get_pack(caller, pack, version)


@router.post(
    "/packs/validate",
    response_model=PackValidation,
    responses=PROBLEM_RESPONSES,
    openapi_extra=_PACK_BODY,
)
async def validate_pack(
    request: Request,
    caller: Annotated[Principal, Depends(principal)],
    svc: Annotated[TrustService, Depends(service)],
) -> dict[str, Any]:
    """Check a pack without storing it; errors name the line and field. Needs `read`."""
    return svc.validate_pack(caller, await _yaml_body(request))


@router.post(
    "/packs",
    status_code=201,
    response_model=PackSummary,
    responses=PROBLEM_RESPONSES,
    openapi_extra=_PACK_BODY,
)
async def upload_pack(
    request: Request,
    caller: Annotated[Principal, Depends(principal)],
    svc: Annotated[TrustService, Depends(service)],
) -> JSONResponse:
    """Store a new version; it runs in shadow mode until promoted. Audited. Needs `admin`."""
    from starlette.concurrency import run_in_threadpool

    text = await _yaml_body(request)
    return JSONResponse(await run_in_threadpool(svc.upload_pack, caller, text), status_code=201)


@router.post(
    "/packs/{pack}/versions/{version}/promote",
    response_model=PackSummary,
    responses=PROBLEM_RESPONSES,
)
def promote_pack(
    pack: Annotated[str, _PACK_NAME],
    version: Annotated[int, Path(ge=1, le=MAX_INT)],
    caller: Annotated[Principal, Depends(principal)],
    svc: Annotated[TrustService, Depends(service)],
) -> dict[str, Any]:
    """Make a version live; the engine is swapped atomically. Audited. Needs `admin`."""
    return svc.promote_pack(caller, pack, version)


@router.get("/audit", response_model=AuditEntries, responses=PROBLEM_RESPONSES, tags=["audit"])
def audit_log(
    caller: Annotated[Principal, Depends(principal)],
    svc: Annotated[TrustService, Depends(service)],
    after: Annotated[int, Query(ge=0, le=MAX_INT)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """Audit entries after sequence number `after`. Needs `admin`."""
    return svc.audit_log(caller, after, limit)


@router.get(
    "/audit/verify", response_model=AuditVerification, responses=PROBLEM_RESPONSES, tags=["audit"]
)
def verify_audit(
    caller: Annotated[Principal, Depends(principal)],
    svc: Annotated[TrustService, Depends(service)],
) -> dict[str, Any]:
    """Recompute the audit log's hash chain; says where it was tampered with. Needs `admin`."""
    return svc.verify_audit(caller)

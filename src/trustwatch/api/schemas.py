"""Response models: they document the API (OpenAPI) and shape what handlers return."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from trustwatch.enforcement import EnforcementAction
from trustwatch.verdicts import Verdict


class ProblemDoc(BaseModel):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    errors: list[dict[str, Any]] | None = None


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ProblemDoc, "content": {"application/problem+json": {}}, "description": d}
    for status, d in (
        (401, "no or unknown API key"),
        (403, "the key lacks the scope this needs"),
        (404, "not found"),
        (409, "conflict"),
        (413, "request too large"),
        (422, "invalid input"),
        (429, "rate limited"),
        (503, "overloaded or a dependency is down; retry"),
    )
}


class Accepted(BaseModel):
    accepted: int
    ids: list[str]


class StoredVerdict(Verdict):
    shadow: list[Verdict] = Field(
        default_factory=list, description="verdicts of pack versions in shadow mode"
    )


class HistoryVerdict(BaseModel):
    event_id: str
    event_type: str
    occurred_at: str
    verdict: Verdict


class EntityHistoryOut(BaseModel):
    kind: str
    id: str
    verdicts: list[HistoryVerdict]
    actions: list[EnforcementAction]


class PackSummary(BaseModel):
    pack: str
    version: int
    ref: str
    status: str = Field(description="shadow (uploaded), live or retired")
    created_at: str
    created_by: str
    promoted_at: str | None = None


class PackDetail(PackSummary):
    yaml: str


class LiveRef(BaseModel):
    ref: str
    origin: str = Field(description="builtin, a pack directory, or uploaded")


class PackList(BaseModel):
    live: LiveRef
    shadow: list[str]
    versions: list[PackSummary]


class PackValidation(BaseModel):
    valid: bool
    ref: str
    policies: list[str]


class PackUpload(BaseModel):
    yaml: str = Field(
        min_length=1,
        description="the whole pack as one YAML document (pack.yaml with its policies inline)",
    )


class AuditEntryOut(BaseModel):
    seq: int
    at: str
    actor: str
    action: str
    subject: str
    details: dict[str, Any]
    hash: str


class AuditEntries(BaseModel):
    entries: list[AuditEntryOut]


class AuditVerification(BaseModel):
    ok: bool
    checked: int
    first_bad_seq: int | None
    reason: str


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    ready: bool
    checks: dict[str, str]

"""``POST /v1/appeals``: the marketplace forwards a user's appeal of a reviewer's decision."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from trustwatch.api.auth import Principal
from trustwatch.api.problems import Problem
from trustwatch.api.routes.deps import principal
from trustwatch.api.schemas import PROBLEM_RESPONSES
from trustwatch.review.domain import CaseStateError, NotFoundError, ReviewError
from trustwatch.review.service import ReviewService

APPEAL_SCOPE = "ingest"


class AppealIn(BaseModel):
    event_id: str = Field(min_length=1, max_length=200, description="an event of the decided case")
    reason: str = Field(min_length=1, max_length=5000, description="the user's words")
    filed_by: str = Field(min_length=1, max_length=100, description="who appealed (a user id)")
    policy: str | None = Field(
        default=None, max_length=100, description="which decision, when the event had several"
    )


class AppealOut(BaseModel):
    case_id: int
    status: str = "open"


router = APIRouter(prefix="/v1", tags=["review"])


@router.post(
    "/appeals",
    summary="Appeal a reviewer's decision",
    description="Reopens the newest decided case holding the event, for a reviewer other "
    "than the one who decided it. Needs `ingest`.",
    status_code=202,
    response_model=AppealOut,
    responses=PROBLEM_RESPONSES,
)
def appeal(
    body: AppealIn, request: Request, caller: Annotated[Principal, Depends(principal)]
) -> dict[str, Any]:
    if APPEAL_SCOPE not in caller.scopes and "admin" not in caller.scopes:
        raise Problem(
            403,
            "Missing scope",
            f"this needs the `{APPEAL_SCOPE}` scope; key {caller.key_id} has "
            f"{', '.join(sorted(caller.scopes)) or 'none'}",
        )
    review: ReviewService = request.app.state.review
    try:
        case_id = review.appeal_event(
            caller.actor, body.event_id, body.reason, filed_by=body.filed_by, policy=body.policy
        )
    except NotFoundError as exc:
        raise Problem(404, "No decided case", str(exc)) from None
    except CaseStateError as exc:
        raise Problem(409, "Case not appealable now", str(exc)) from None
    except ReviewError as exc:
        raise Problem(422, "Invalid appeal", str(exc)) from None
    return {"case_id": case_id, "status": "open"}

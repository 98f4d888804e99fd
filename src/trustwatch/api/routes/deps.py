"""Request dependencies: the service and the authenticated caller."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from trustwatch.api.auth import Principal
from trustwatch.api.service import TrustService

_bearer = HTTPBearer(auto_error=False, description="an API key: `Authorization: Bearer tw_…`")
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="an API key")


async def service(request: Request) -> TrustService:
    found: TrustService = request.app.state.service
    return found


async def principal(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    api_key: Annotated[str | None, Depends(_api_key)],
) -> Principal:
    svc: TrustService = request.app.state.service
    authorization = f"Bearer {bearer.credentials}" if bearer is not None else None
    return svc.authenticate(authorization, api_key)

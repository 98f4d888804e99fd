"""The FastAPI app factory.

Extending the app (the review console does this):

* pass routers: ``create_app(settings, extra_routers=[router])``; handlers reach the
  use cases, the store and the settings through ``request.app.state.service``
  (a ``TrustService``: ``.store``, ``.settings``, ``.open_bus()``…);
* or name a module in ``Settings.app_extensions`` that defines
  ``mount(app: FastAPI, service: TrustService) -> None``; ``create_app`` calls it
  (a module that is not installed is skipped), so ``trustwatch serve`` picks it up
  with no change here.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.openapi.utils import get_openapi

from trustwatch import __version__
from trustwatch.api.embedded_worker import EmbeddedWorker
from trustwatch.api.middleware import RequestContextMiddleware
from trustwatch.api.problems import install_problem_handlers
from trustwatch.api.routes import decisions, operations, packs
from trustwatch.api.schemas import PackUpload
from trustwatch.api.service import TrustService
from trustwatch.events import Event
from trustwatch.observability import configure_tracing
from trustwatch.settings import Settings, get_settings
from trustwatch.store.sql import SqlStore

log = logging.getLogger(__name__)


def create_app(
    settings: Settings | None = None,
    *,
    store: SqlStore | None = None,
    extra_routers: Sequence[APIRouter] = (),
    embedded_worker: bool = False,
) -> FastAPI:
    """Build the API. ``embedded_worker``: also consume the bus in a thread (``serve`` does)."""
    settings = settings or get_settings()
    configure_tracing(settings.otel_enabled)
    service = TrustService(settings, store)
    worker = EmbeddedWorker(service) if embedded_worker else None

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        service.start()
        if worker is not None:
            worker.start()
        try:
            yield
        finally:
            if worker is not None:
                worker.stop()
            service.stop()

    app = FastAPI(
        title="trustwatch",
        version=__version__,
        summary="Trust detection for online marketplaces",
        description="Send events, get verdicts. Errors are application/problem+json.",
        lifespan=lifespan,
    )
    app.state.service = service
    app.state.settings = settings
    app.state.worker = worker
    install_problem_handlers(app)
    for router in (decisions.router, packs.router, operations.router, *extra_routers):
        app.include_router(router)
    for name in settings.app_extensions:
        _mount_extension(app, service, name)
    app.add_middleware(
        RequestContextMiddleware,
        max_body_bytes=settings.max_request_bytes,
        direct={("POST", "/v1/check"): decisions.direct_check(service)},
    )
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _mount_extension(app: FastAPI, service: TrustService, name: str) -> None:
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name is not None and name.startswith(exc.name):
            log.debug("app extension %s is not installed", name)
            return
        raise
    mount = getattr(module, "mount", None)
    if mount is None:
        log.warning("app extension %s has no mount(app, service); skipped", name)
        return
    mount(app, service)


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The generated schema plus the event models the raw-body endpoints read."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title,
        version=app.version,
        summary=app.summary,
        description=app.description,
        routes=app.routes,
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in (Event, PackUpload):
        body = model.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(body.pop("$defs", {}))
        components[model.__name__] = body
    app.openapi_schema = schema
    return schema

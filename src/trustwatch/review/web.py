"""The review console over HTTP: server-rendered pages, thin handlers over ``ReviewService``.

``mount_console(app, service)`` adds it to a FastAPI app under ``/console``. Handlers
only read the form, call one use case (which checks the role) and render or redirect.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from trustwatch.review import auth, charts
from trustwatch.review.domain import (
    ROLE_PERMISSIONS,
    DecisionInput,
    Outcome,
    Permission,
    PermissionDeniedError,
    ReviewError,
    Role,
)
from trustwatch.review.service import ReviewService
from trustwatch.review.views import SessionInfo
from trustwatch.verdicts import Action

if TYPE_CHECKING:
    from trustwatch.api.service import TrustService

_log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
STATIC_FILES = frozenset({"console.css", "console.js"})
SESSION_COOKIE = "tw_session"
LOGIN_CSRF_COOKIE = "tw_login_csrf"
_PUBLISH_EVERY_S = 1.0


def _age(seconds: float) -> str:
    seconds = int(max(0.0, seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if hours == 0:
        return f"{minutes}m"
    if days == 0:
        return f"{hours}h {minutes % 60}m"
    return f"{days}d {hours % 24}h"


def _when(epoch: float | datetime | None) -> str:
    if epoch is None:
        return "—"
    value = epoch if isinstance(epoch, datetime) else datetime.fromtimestamp(epoch, UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.0f}%"


def _templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.filters.update(age=_age, when=_when, pct=_pct)
    templates.env.globals.update(
        can=lambda role, perm: Permission(perm) in ROLE_PERMISSIONS[Role(role)],
        final_actions=[Action.WARN.value, Action.HOLD.value, Action.BLOCK.value],
        roles=[r.value for r in Role],
    )
    return templates


class CaseSync:
    """Opens cases for new verdicts in the background, and on demand at most twice a second.

    The background loop runs every ``interval_s`` (0.1 s): in a process that also answers
    /v1/check, a second's worth of verdicts opened in one go holds the interpreter for tens
    of milliseconds and shows up as the API's tail latency; ten small syncs do not.
    """

    def __init__(self, service: ReviewService, interval_s: float = 0.1) -> None:
        self.service = service
        self.interval_s = interval_s
        self._lock = threading.Lock()
        self._last = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def now(self) -> int:
        """Sync on demand (a reviewer's page), unless a sync ran in the last half second."""
        with self._lock:
            if time.monotonic() - self._last < 0.5:
                return 0
            return self._sync()

    def _sync(self, check_late: bool = True) -> int:
        linked = self.service.sync_cases(check_late=check_late)
        self._last = time.monotonic()
        return linked

    def _run(self) -> None:
        # The outbox is published as each decision is made; this is the retry path (a bus
        # that was down), so once a second is enough: each look at the outbox is a
        # transaction, ~0.7 ms of CPU taken from the requests served meanwhile.
        every = max(1, round(_PUBLISH_EVERY_S / self.interval_s))
        ticks = 0
        while not self._stop.wait(self.interval_s):
            ticks += 1
            try:
                with self._lock:
                    # Late commits (past the opener's rescan) are looked for once a second.
                    self._sync(check_late=ticks % every == 0)
                if ticks % every == 0:
                    self.service.publish_pending()
            except Exception:
                # A busy or briefly unreachable database must not end the loop.
                _log.warning("review case sync failed; retrying", exc_info=True)

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="review-case-sync", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None


def console_router(
    service: ReviewService,
    *,
    prefix: str = "/console",
    secure_cookies: bool = False,
    limiter: auth.LoginLimiter | None = None,
    sync: CaseSync | None = None,
) -> APIRouter:
    templates = _templates()
    limiter = limiter or auth.LoginLimiter()
    sync = sync or CaseSync(service)
    router = APIRouter(prefix=prefix, include_in_schema=False)

    def url(path: str = "/", msg: str | None = None) -> str:
        full = prefix + path
        return full if msg is None else f"{full}?msg={quote(msg)}"

    def session_of(request: Request) -> SessionInfo:
        info = service.session(request.cookies.get(SESSION_COOKIE))
        if info is None:
            raise HTTPException(status_code=303, headers={"Location": url("/login")})
        return info

    async def form_of(request: Request, info: SessionInfo) -> Any:
        form = await request.form()
        token = form.get("csrf_token")
        if not auth.tokens_match(info.csrf_token, token if isinstance(token, str) else None):
            raise HTTPException(403, detail="CSRF token missing or wrong; reload the page")
        return form

    def render(
        request: Request, name: str, info: SessionInfo | None, status: int = 200, **ctx: Any
    ) -> HTMLResponse:
        ctx.update(
            me=None if info is None else info.reviewer,
            csrf=None if info is None else info.csrf_token,
            msg=request.query_params.get("msg"),
            prefix=prefix,
            now=service.clock(),
        )
        return templates.TemplateResponse(request, name, ctx, status_code=status)

    def denied(request: Request, info: SessionInfo, exc: PermissionDeniedError) -> HTMLResponse:
        return render(request, "error.html", info, status=403, error=str(exc))

    @router.get("/static/{name}")
    def static(name: str) -> Response:
        if name not in STATIC_FILES:
            raise HTTPException(status_code=404)
        return FileResponse(HERE / "static" / name, headers={"Cache-Control": "max-age=300"})

    @router.get("/login")
    def login_page(request: Request) -> HTMLResponse:
        token = auth.new_token()
        response = render(request, "login.html", None, login_csrf=token)
        response.set_cookie(
            LOGIN_CSRF_COOKIE,
            token,
            httponly=True,
            samesite="lax",
            secure=secure_cookies,
            path=prefix,
        )
        return response

    @router.post("/login", response_model=None)
    async def login(request: Request) -> Response:
        form = await request.form()
        username = str(form.get("username", "")).strip()
        password = str(form.get("password", ""))
        cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
        given = form.get("csrf_token")
        keys = (f"user:{username}", f"ip:{request.client.host if request.client else '-'}")
        if not cookie or not auth.tokens_match(cookie, given if isinstance(given, str) else None):
            return RedirectResponse(url("/login", "Your sign-in form expired; try again"), 303)
        if limiter.blocked(*keys):
            token = auth.new_token()
            response = render(
                request,
                "login.html",
                None,
                status=429,
                login_csrf=token,
                error="Too many failed sign-ins; wait a few minutes and try again",
            )
            response.set_cookie(
                LOGIN_CSRF_COOKIE,
                token,
                httponly=True,
                samesite="lax",
                secure=secure_cookies,
                path=prefix,
            )
            return response
        reviewer = service.authenticate(username, password)
        if reviewer is None:
            limiter.failed(*keys)
            return RedirectResponse(url("/login", "Wrong username or password"), 303)
        limiter.succeeded(*keys)
        token, _ = service.start_session(reviewer)
        done = RedirectResponse(url("/"), 303)
        done.set_cookie(
            SESSION_COOKIE,
            token,
            httponly=True,
            samesite="lax",
            secure=secure_cookies,
            path=prefix,
            max_age=12 * 3600,
        )
        done.delete_cookie(LOGIN_CSRF_COOKIE, path=prefix)
        return done

    @router.post("/logout")
    async def logout(request: Request) -> RedirectResponse:
        info = session_of(request)
        await form_of(request, info)
        service.end_session(request.cookies.get(SESSION_COOKIE, ""))
        response = RedirectResponse(url("/login", "Signed out"), 303)
        response.delete_cookie(SESSION_COOKIE, path=prefix)
        return response

    @router.get("/")
    def queues(request: Request) -> HTMLResponse:
        info = session_of(request)
        sync.now()
        return render(request, "queues.html", info, queues=service.queues(info.reviewer))

    @router.get("/queue/{policy}")
    def queue(request: Request, policy: str) -> HTMLResponse:
        info = session_of(request)
        sync.now()
        cases = service.queue(info.reviewer, policy)
        return render(request, "queue.html", info, policy=policy, cases=cases)

    @router.get("/all")
    def all_cases(request: Request) -> HTMLResponse:
        info = session_of(request)
        sync.now()
        return render(request, "queue.html", info, policy=None, cases=service.queue(info.reviewer))

    @router.post("/claim-next", response_model=None)
    async def claim_next(request: Request) -> Response:
        info = session_of(request)
        form = await form_of(request, info)
        policy = str(form.get("policy") or "") or None
        # Off the event loop: a sync is milliseconds of work that /v1/check would wait on.
        await run_in_threadpool(sync.now)
        try:
            case_id = service.claim_next(info.reviewer, policy)
        except PermissionDeniedError as exc:
            return denied(request, info, exc)
        if case_id is None:
            back = f"/queue/{policy}" if policy else "/"
            return RedirectResponse(url(back, "Nothing left to claim here"), 303)
        return RedirectResponse(url(f"/cases/{case_id}"), 303)

    @router.get("/cases/{case_id}", response_model=None)
    def case_page(request: Request, case_id: int) -> Response:
        info = session_of(request)
        try:
            view = service.case_view(info.reviewer, case_id)
        except ReviewError as exc:
            return render(request, "error.html", info, status=404, error=str(exc))
        return render(request, "case.html", info, view=view, c=view.case)

    @router.post("/cases/{case_id}/claim", response_model=None)
    async def claim(request: Request, case_id: int) -> Response:
        info = session_of(request)
        await form_of(request, info)
        try:
            service.claim(info.reviewer, case_id)
        except PermissionDeniedError as exc:
            return denied(request, info, exc)
        except ReviewError as exc:
            return RedirectResponse(url(f"/cases/{case_id}", str(exc)), 303)
        return RedirectResponse(url(f"/cases/{case_id}"), 303)

    def decision_from(form: Any) -> DecisionInput:
        try:
            outcome = Outcome(str(form.get("outcome", "")))
        except ValueError:
            raise ReviewError("choose an outcome: violation, not a violation or escalate") from None
        action_text = str(form.get("action") or "")
        action = Action(action_text) if action_text in Action._value2member_map_ else None
        return DecisionInput(outcome, action, str(form.get("reason", "")))

    @router.post("/cases/{case_id}/decide", response_model=None)
    async def decide(request: Request, case_id: int) -> Response:
        info = session_of(request)
        form = await form_of(request, info)
        try:
            decision = decision_from(form)
            service.decide(info.reviewer, case_id, decision)
        except PermissionDeniedError as exc:
            return denied(request, info, exc)
        except ReviewError as exc:
            return RedirectResponse(url(f"/cases/{case_id}", str(exc)), 303)
        label = decision.outcome.value.replace("_", " ")
        if form.get("next") == "claim":
            await run_in_threadpool(sync.now)
            next_id = service.claim_next(info.reviewer, str(form.get("policy") or "") or None)
            if next_id is not None:
                return RedirectResponse(url(f"/cases/{next_id}", f"Case #{case_id}: {label}"), 303)
        return RedirectResponse(url(f"/cases/{case_id}", f"Decided: {label}"), 303)

    @router.post("/bulk-decide", response_model=None)
    async def bulk_decide(request: Request) -> Response:
        info = session_of(request)
        form = await form_of(request, info)
        back = str(form.get("back") or "/all")
        if not back.startswith("/"):
            back = "/all"
        ids = [int(v) for v in form.getlist("case_id") if str(v).isdigit()]
        if not ids:
            return RedirectResponse(url(back, "Select cases first (x or the checkboxes)"), 303)
        try:
            result = service.bulk_decide(info.reviewer, ids, decision_from(form))
        except PermissionDeniedError as exc:
            return denied(request, info, exc)
        except ReviewError as exc:
            return RedirectResponse(url(back, str(exc)), 303)
        msg = f"Decided {len(result.decided)} case(s)"
        if result.failed:
            msg += "; not decided: " + "; ".join(f"#{k}: {v}" for k, v in result.failed.items())
        return RedirectResponse(url(back, msg), 303)

    @router.post("/cases/{case_id}/appeal", response_model=None)
    async def appeal(request: Request, case_id: int) -> Response:
        info = session_of(request)
        form = await form_of(request, info)
        try:
            service.record_appeal(
                info.reviewer,
                case_id,
                str(form.get("reason", "")),
                filed_by=str(form.get("filed_by") or "user"),
            )
        except PermissionDeniedError as exc:
            return denied(request, info, exc)
        except ReviewError as exc:
            return RedirectResponse(url(f"/cases/{case_id}", str(exc)), 303)
        return RedirectResponse(
            url(f"/cases/{case_id}", "Appeal recorded; the case is open for another reviewer"), 303
        )

    @router.get("/dashboard")
    def dashboard(request: Request, hours: int = 24) -> HTMLResponse:
        info = session_of(request)
        sync.now()
        data = service.dashboard(info.reviewer, hours=max(1, min(hours, 24 * 14)))
        outcome_keys = [o.value for o in Outcome]
        svg = {
            "events": charts.line_chart(
                "Flagged events per policy per hour", data.buckets, data.events_by_policy
            ),
            "actions": charts.line_chart(
                "Enforcement actions per policy per hour", data.buckets, data.actions_by_policy
            ),
            "outcomes": charts.grouped_bar_chart(
                "Review outcomes per policy", data.outcomes_by_policy, outcome_keys
            ),
            "latency": charts.line_chart(
                "Engine latency per verdict (ms)", data.buckets, data.latency_ms
            ),
        }
        stats = service.detector_stats() if service.detector_stats is not None else None
        if stats is not None and stats[0]:
            svg["detectors"] = charts.detector_time_chart(*stats)
        return render(request, "dashboard.html", info, data=data, svg=svg, hours=hours)

    @router.get("/users", response_model=None)
    def users(request: Request) -> Response:
        info = session_of(request)
        try:
            listed = service.list_users(info.reviewer)
        except PermissionDeniedError as exc:
            return denied(request, info, exc)
        return render(request, "users.html", info, users=listed)

    @router.post("/users", response_model=None)
    async def create_user(request: Request) -> Response:
        info = session_of(request)
        form = await form_of(request, info)
        password = str(form.get("password") or "") or auth.generate_password()
        try:
            role = Role(str(form.get("role", "")))
            user = service.create_user(info.reviewer, str(form.get("username", "")), role, password)
        except PermissionDeniedError as exc:
            return denied(request, info, exc)
        except (ReviewError, ValueError) as exc:
            return RedirectResponse(url("/users", str(exc)), 303)
        shown = "" if form.get("password") else f" with password {password}"
        return RedirectResponse(url("/users", f"Created {user.username}{shown}"), 303)

    @router.post("/users/{username}/role", response_model=None)
    async def set_role(request: Request, username: str) -> Response:
        info = session_of(request)
        form = await form_of(request, info)
        try:
            service.set_role(info.reviewer, username, Role(str(form.get("role", ""))))
        except PermissionDeniedError as exc:
            return denied(request, info, exc)
        except (ReviewError, ValueError) as exc:
            return RedirectResponse(url("/users", str(exc)), 303)
        return RedirectResponse(url("/users", f"{username} is now {form.get('role')}"), 303)

    return router


def mount_console(
    app: FastAPI,
    service: ReviewService,
    *,
    prefix: str = "/console",
    secure_cookies: bool = False,
    background_sync: bool = True,
) -> CaseSync:
    """Add the console to ``app``. With ``background_sync`` the case sync (new verdicts to
    cases, outbox to the bus) runs while the app runs, inside the app's lifespan."""
    sync = CaseSync(service)
    app.include_router(
        console_router(service, prefix=prefix, secure_cookies=secure_cookies, sync=sync)
    )
    if background_sync:
        inner = app.router.lifespan_context

        @asynccontextmanager
        async def lifespan(inner_app: Any) -> AsyncIterator[Any]:
            sync.start()
            try:
                async with inner(inner_app) as state:
                    yield state
            finally:
                sync.stop()

        app.router.lifespan_context = lifespan
    return sync


def mount(app: FastAPI, trust: TrustService) -> None:
    """The ``Settings.app_extensions`` hook ``trustwatch serve`` calls: the console on the
    service's store, with the live pack's severities and the service's bus."""
    from trustwatch.review.service import severities_of

    service = ReviewService(
        trust.store,
        severities=lambda: severities_of(trust.live.engine.pack),
        bus=trust.open_bus,
    )
    # Case links are written by the API's verdict writer, between its group commits.
    service.opener.write_via = trust.writer.call
    # Per-detector time of the engine serving this process, for the dashboard.
    service.detector_stats = lambda: (
        dict(trust.live.engine.detector_calls),
        dict(trust.live.engine.detector_seconds),
    )
    from trustwatch.review.api import router as appeals_router

    app.state.review = service
    app.include_router(appeals_router)
    mount_console(app, service)

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from review_world import PASSWORD, World

from trustwatch.review.domain import Role
from trustwatch.review.web import mount_console

FF = "hey! pay me on paypal f&f and i'll ship today"


def _client(world: World) -> TestClient:
    app = FastAPI()
    mount_console(app, world.service, background_sync=False)
    return TestClient(app)


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def _login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    page = client.get("/console/login")
    response = client.post(
        "/console/login",
        data={"username": username, "password": password, "csrf_token": _csrf(page.text)},
    )
    return response.text


@pytest.fixture
def flagged(world: World) -> World:
    world.message("e1", FF)
    world.user("mo", Role.MODERATOR)
    world.user("ann", Role.ANALYST)
    return world


def test_pages_need_a_session_and_the_session_cookie_is_httponly_and_samesite(
    flagged: World,
) -> None:
    client = _client(flagged)
    assert client.get("/console/").url.path == "/console/login"
    page = client.get("/console/login")
    response = client.post(
        "/console/login",
        data={"username": "mo", "password": PASSWORD, "csrf_token": _csrf(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    cookie = next(v for k, v in response.headers.multi_items() if "tw_session=" in v)
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "SameSite=Lax" in cookie
    assert "off_platform" in client.get("/console/").text


def test_a_post_without_the_sessions_csrf_token_is_refused(flagged: World) -> None:
    client = _client(flagged)
    _login(client, "mo")
    assert client.post("/console/claim-next", data={}).status_code == 403
    assert client.post("/console/claim-next", data={"csrf_token": "forged"}).status_code == 403
    html = client.get("/console/").text
    ok = client.post("/console/claim-next", data={"csrf_token": _csrf(html)})
    assert ok.status_code == 200
    assert ok.url.path.startswith("/console/cases/")


def test_an_analyst_is_refused_decisions_on_the_server_even_with_a_valid_form(
    flagged: World,
) -> None:
    client = _client(flagged)
    html = _login(client, "ann")
    csrf = _csrf(html)
    assert "Claim next" not in html
    [case] = flagged.service.queue(flagged.user("ann", Role.ANALYST))
    response = client.post(
        f"/console/cases/{case.id}/decide",
        data={"csrf_token": csrf, "outcome": "not_violation", "reason": "fine"},
    )
    assert response.status_code == 403
    assert "analyst role may not decide" in response.text
    assert client.post("/console/claim-next", data={"csrf_token": csrf}).status_code == 403
    assert client.get("/console/users").status_code == 403
    [still_open] = flagged.service.queue(flagged.user("ann", Role.ANALYST))
    assert still_open.status.value == "open"


def test_sign_in_is_rate_limited_after_repeated_failures(flagged: World) -> None:
    client = _client(flagged)
    for _ in range(5):
        assert "Wrong username or password" in _login(client, "mo", "guess")
    page = client.get("/console/login")
    blocked = client.post(
        "/console/login",
        data={"username": "mo", "password": PASSWORD, "csrf_token": _csrf(page.text)},
    )
    assert blocked.status_code == 429
    assert "Too many failed sign-ins" in blocked.text


def test_the_dashboard_renders_svg_charts_from_the_store(flagged: World) -> None:
    client = _client(flagged)
    _login(client, "ann")
    html = client.get("/console/dashboard").text
    assert html.count("<svg") == 4
    assert "off_platform" in html


def test_an_admin_creates_users_and_changes_roles_from_the_console_and_both_are_audited(
    flagged: World,
) -> None:
    flagged.user("boss", Role.ADMIN)
    client = _client(flagged)
    csrf = _csrf(_login(client, "boss"))
    created = client.post(
        "/console/users", data={"csrf_token": csrf, "username": "newbie", "role": "analyst"}
    )
    assert "Created newbie with password" in created.text
    changed = client.post(
        "/console/users/newbie/role", data={"csrf_token": csrf, "role": "moderator"}
    )
    assert "newbie is now moderator" in changed.text
    entries = [
        (e.actor, e.action, e.subject)
        for e in flagged.store.audit_entries()
        if e.subject == "user:newbie"
    ]
    assert entries == [
        ("boss", "user.created", "user:newbie"),
        ("boss", "user.role_changed", "user:newbie"),
    ]


def test_event_text_is_escaped_in_the_case_view(world: World) -> None:
    world.message("e_x", "pay me on paypal f&f <script>alert(1)</script>")
    world.service.sync_cases()
    world.user("ann", Role.ANALYST)
    client = _client(world)
    _login(client, "ann")
    [case] = world.service.queue(world.user("ann", Role.ANALYST))
    html = client.get(f"/console/cases/{case.id}").text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html

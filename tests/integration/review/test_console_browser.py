"""The review console in a real browser: Debian chromium driven by Playwright, against a
real server (API + embedded worker + console) on a temporary SQLite store. Cases open
from verdicts the real API produced. Screenshots go to a temporary folder, or to
docs/screenshots/ with TRUSTWATCH_SCREENSHOTS=1 (a test run leaves tracked files alone)."""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DOCS_SCREENSHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where this run's screenshots go: docs/screenshots only when asked to retake them."""
    folder = DOCS_SCREENSHOTS if os.environ.get("TRUSTWATCH_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    return folder


PASSWORD = "correct horse battery staple"

MESSAGES = [
    ("u_ava", "hey! pay me on paypal f&f and i'll ship today"),
    ("u_ben", "cheaper if you pay direct, my paypal is paypal.me/janedoe"),
    ("u_cat", "text me on whatsapp and we can sort payment there"),
    ("u_dan", "pls check https://dpeop.com/item/8812 before i post"),
    ("u_eve", "I can do bank transfer instead, it's quicker"),
    ("u_fin", "add me on insta and i'll send more pics"),
    ("u_gus", "is the jacket still available? happy to pay through the app"),
    ("u_kit", "cheaper if you pay direct, my paypal is paypal.me/kitshop"),
]
LISTINGS = [
    ("u_hal", "l_100", "Gucci Marmont bag", "1:1 rep, mirror quality, no receipt", "Gucci", 25.0),
    (
        "u_ivy",
        "l_101",
        "Black jeans W30",
        "nike / adidas / gucci / prada / balenciaga / off white "
        "/ stone island / the north face / carhartt",
        "Topshop",
        12.0,
    ),
]


@dataclass
class Server:
    url: str
    app: Any


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    import uvicorn

    from trustwatch.api.app import create_app
    from trustwatch.api.bootstrap import ensure_bootstrap_key, read_bootstrap_key
    from trustwatch.review.domain import Role
    from trustwatch.settings import Settings

    settings = Settings(data_dir=tmp_path_factory.mktemp("tw"), log_level="WARNING")
    app = create_app(settings, embedded_worker=True)
    ensure_bootstrap_key(app.state.service.store, settings)
    key = read_bootstrap_key(settings)
    review = app.state.review
    for name, role in [
        ("alice", Role.ADMIN),
        ("mo", Role.MODERATOR),
        ("jo", Role.MODERATOR),
        ("ann", Role.ANALYST),
    ]:
        review.create_user(None, name, role, PASSWORD)
    port = _free_port()
    uv = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", log_config=None)
    )
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    url = f"http://127.0.0.1:{port}"
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}) as api:
        for i, (actor, text) in enumerate(MESSAGES):
            event = {
                "id": f"evt_m{i}",
                "type": "message.sent",
                "occurred_at": "2026-11-22T09:00:00Z",
                "actor": {"id": actor, "created_at": "2026-11-18T08:00:00Z"},
                "message": {"id": f"m_{i}", "recipient_id": "u_buyer", "text": text},
            }
            assert api.post("/v1/check", json=event).status_code == 200
        for actor, listing_id, title, description, brand, price in LISTINGS:
            event = {
                "id": f"evt_{listing_id}",
                "type": "listing.created",
                "occurred_at": "2026-11-22T09:30:00Z",
                "actor": {"id": actor, "created_at": "2025-01-02T08:00:00Z"},
                "listing": {
                    "id": listing_id,
                    "title": title,
                    "description": description,
                    "brand": brand,
                    "category": "bags",
                    "price": {"amount": price, "currency": "GBP"},
                },
            }
            assert api.post("/v1/check", json=event).status_code == 200
        report = {
            "id": "evt_r1",
            "type": "report.filed",
            "occurred_at": "2026-11-22T09:45:00Z",
            "actor": {"id": "u_buyer"},
            "report": {
                "id": "rp_1",
                "target_type": "message",
                "target_id": "m_1",
                "reason": "off_platform",
                "text": "seller keeps asking me to pay outside the app",
            },
        }
        assert api.post("/v1/check", json=report).status_code == 200
    yield Server(url, app)
    uv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _expect() -> Any:
    from playwright.sync_api import expect

    return expect


def _sign_in(browser: Any, server: Server, username: str) -> Any:
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.goto(f"{server.url}/console/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/console/$"))
    return page


def test_moderator_claims_decides_and_an_appeal_goes_to_another_reviewer(
    server: Server, browser: Any, shots: Path
) -> None:
    expect = _expect()
    mo = _sign_in(browser, server, "mo")
    assert mo.locator("text=off_platform").first.is_visible()
    mo.goto(f"{server.url}/console/queue/off_platform")
    rows = mo.locator("tr[data-row]")
    assert rows.count() >= 5
    mo.keyboard.press("j")
    assert "selected" in (rows.nth(0).get_attribute("class") or "")
    mo.screenshot(path=str(shots / "queue.png"))

    mo.keyboard.press("c")
    mo.wait_for_url(re.compile(r"/console/cases/\d+$"))
    first_case = mo.url.rsplit("/", 1)[-1]
    marks = mo.locator("article mark")
    assert marks.count() >= 1
    assert mo.locator("text=Account age").is_visible()
    assert "paypal.me/kitshop" in mo.locator(".similar").inner_text()
    mo.screenshot(path=str(shots / "case.png"), full_page=True)

    mo.keyboard.press("v")
    mo.select_option("#decide select[name=action]", "block")
    mo.fill("#decide textarea[name=reason]", "asks to pay outside the app")
    mo.keyboard.press("Control+Enter")
    mo.wait_for_url(re.compile(r"msg="))
    expect(mo.locator(".flash")).to_contain_text("violation")
    assert not mo.url.split("?")[0].endswith(f"/cases/{first_case}")

    mo.goto(f"{server.url}/console/cases/{first_case}")
    mo.fill("#appeal textarea[name=reason]", "I only wanted to say hi")
    mo.click("#appeal button[type=submit]")
    expect(mo.locator(".flash")).to_contain_text("Appeal recorded")
    expect(mo.locator(".case-head")).to_contain_text("appeal")

    mo.fill("#decide textarea[name=reason]", "my own call")
    mo.check("#decide input[value=not_violation]")
    mo.click("#decide button[type=submit]")
    expect(mo.locator(".flash")).to_contain_text("appeals your own decision")

    jo = _sign_in(browser, server, "jo")
    jo.goto(f"{server.url}/console/cases/{first_case}")
    jo.keyboard.press("n")
    jo.fill("#decide textarea[name=reason]", "greeting only, no off-app request")
    jo.uncheck("#decide input[name=next]")
    jo.keyboard.press("Control+Enter")
    jo.wait_for_url(re.compile(r"msg="))
    expect(jo.locator(".history")).to_contain_text("appeal: overturned")
    history = jo.locator(".history").inner_text()
    assert "by jo" in history and "by mo" in history


def test_bulk_decision_from_the_queue_and_read_only_analyst(server: Server, browser: Any) -> None:
    expect = _expect()
    alice = _sign_in(browser, server, "alice")
    alice.goto(f"{server.url}/console/all")
    before = alice.locator("tr[data-row]").count()
    assert before >= 3
    for _ in range(2):
        alice.keyboard.press("j")
        alice.keyboard.press("x")
    assert alice.locator("input[name=case_id]:checked").count() == 2
    alice.check("fieldset.bulk input[value=not_violation]")
    alice.fill("fieldset.bulk input[name=reason]", "checked: all within the rules")
    alice.click("fieldset.bulk button[type=submit]")
    expect(alice.locator(".flash")).to_contain_text("Decided 2 case(s)")
    expect(alice.locator("tr[data-row]")).to_have_count(before - 2)

    ann = _sign_in(browser, server, "ann")
    ann.goto(f"{server.url}/console/all")
    ann.locator("tr[data-row] a").first.click()
    ann.wait_for_url(re.compile(r"/console/cases/\d+"))
    assert ann.locator("#decide").count() == 0
    assert ann.locator("#claim-next").count() == 0


def test_dashboard_shows_charts_and_queue_precision(
    server: Server, browser: Any, shots: Path
) -> None:
    ann = _sign_in(browser, server, "ann")
    ann.goto(f"{server.url}/console/dashboard")
    assert ann.locator("svg.chart").count() == 5
    assert ann.locator("svg.chart polyline").count() >= 1
    assert ann.get_by_text("Detector time per call").count() == 1
    assert ann.locator("svg.chart rect title", has_text="µs per call").count() >= 3
    ann.screenshot(path=str(shots / "dashboard.png"), full_page=True)
    ann.goto(f"{server.url}/console/")
    precision = ann.locator("tr", has_text="off_platform").first.inner_text()
    assert "%" in precision

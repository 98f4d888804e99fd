"""Shared fixtures."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def make_message():
    def build(
        text: str,
        *,
        actor: str = "u_1",
        recipient: str = "u_2",
        event_id: str = "evt_t",
        at: str = "2026-11-02T10:15:00Z",
    ) -> dict[str, Any]:
        return {
            "id": event_id,
            "type": "message.sent",
            "occurred_at": at,
            "actor": {"id": actor},
            "message": {
                "id": "m_" + event_id,
                "recipient_id": recipient,
                "conversation_id": "c_1",
                "text": text,
            },
        }

    return build


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", help="rewrite golden files")

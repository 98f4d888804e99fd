"""Builders for the API tests: settings with a test-owned pack, events."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from trustwatch.settings import Settings

PACK_V1 = """
pack: testpack
version: 1
policies:
  spam:
    title: Spam
    text: No unsolicited bulk messages.
    detectors:
      - use: phrase_list
        params: {phrases: ["click here to win"], score: 0.9}
    actions:
      - {at: 0.8, action: block}
      - {at: 0.5, action: review}
"""

PACK_V2 = (
    PACK_V1.replace("version: 1", "version: 2")
    + """
  zebra:
    title: Zebra
    text: No zebra crossings.
    detectors:
      - use: phrase_list
        params: {phrases: ["zebra crossing"], score: 0.9}
    actions:
      - {at: 0.8, action: block}
"""
)


def api_settings(data_dir: Path, **overrides: Any) -> Settings:
    """Settings for a test app: its own data dir and a small pack the tests control."""
    pack = data_dir / "testpack.yaml"
    data_dir.mkdir(parents=True, exist_ok=True)
    pack.write_text(PACK_V1)
    return Settings(
        data_dir=data_dir, pack_dir=pack, app_extensions=[], log_json=False, **overrides
    )


def message(event_id: str, text: str, *, actor: str = "u_1") -> dict[str, Any]:
    return {
        "id": event_id,
        "type": "message.sent",
        "occurred_at": "2026-11-02T10:15:00Z",
        "actor": {"id": actor},
        "message": {"id": f"m_{event_id}", "conversation_id": "c_1", "text": text},
    }


def listing(event_id: str, listing_id: str, title: str) -> dict[str, Any]:
    return {
        "id": event_id,
        "type": "listing.created",
        "occurred_at": "2026-11-02T10:16:00Z",
        "actor": {"id": "u_seller"},
        "listing": {"id": listing_id, "title": title, "description": ""},
    }

"""Events: the input contract (DESIGN.md §2). Unknown fields are kept, not rejected."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from trustwatch.errors import InvalidEventError

EventType = Literal[
    "message.sent", "listing.created", "listing.updated", "profile.updated", "report.filed"
]
EVENT_TYPES: tuple[str, ...] = (
    "message.sent",
    "listing.created",
    "listing.updated",
    "profile.updated",
    "report.filed",
)


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class Actor(_Open):
    id: str = Field(min_length=1)
    created_at: datetime | None = None
    country: str | None = None


class Money(_Open):
    amount: float = Field(ge=0)
    currency: str = Field(min_length=3, max_length=3)


class Image(_Open):
    url: str | None = None
    sha256: str | None = None
    pdq: str | None = None


class Message(_Open):
    id: str = Field(min_length=1)
    conversation_id: str | None = None
    recipient_id: str | None = None
    text: str


class Listing(_Open):
    id: str = Field(min_length=1)
    title: str = ""
    description: str = ""
    brand: str | None = None
    category: str | None = None
    price: Money | None = None
    images: list[Image] = Field(default_factory=list)


class Profile(_Open):
    id: str | None = None
    username: str | None = None
    display_name: str | None = None
    bio: str = ""


class Report(_Open):
    id: str = Field(min_length=1)
    target_type: Literal["listing", "message", "user"]
    target_id: str = Field(min_length=1)
    reason: str | None = None
    text: str = ""


class Event(_Open):
    id: str = Field(min_length=1)
    type: EventType
    occurred_at: datetime
    actor: Actor
    message: Message | None = None
    listing: Listing | None = None
    profile: Profile | None = None
    report: Report | None = None

    def text_fields(self) -> dict[str, str]:
        """The text fields detectors read, keyed by their JSON path (empty ones left out)."""
        out: dict[str, str] = {}
        message = self.message
        if message is not None and message.text:
            out["message.text"] = message.text
        listing = self.listing
        if listing is not None:
            if listing.title:
                out["listing.title"] = listing.title
            if listing.description:
                out["listing.description"] = listing.description
            if listing.brand:
                out["listing.brand"] = listing.brand
        profile = self.profile
        if profile is not None:
            if profile.username:
                out["profile.username"] = profile.username
            if profile.display_name:
                out["profile.display_name"] = profile.display_name
            if profile.bio:
                out["profile.bio"] = profile.bio
        report = self.report
        if report is not None and report.text:
            out["report.text"] = report.text
        return out


_BODY_FOR_TYPE = {
    "message.sent": "message",
    "listing.created": "listing",
    "listing.updated": "listing",
    "profile.updated": "profile",
    "report.filed": "report",
}


def parse_event(raw: str | bytes | dict[str, Any]) -> Event:
    """Parse one event from JSON text or a dict; raise InvalidEventError naming the problem."""
    if isinstance(raw, str | bytes):
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise InvalidEventError(f"not valid JSON: {exc.msg} at column {exc.colno}") from None
    else:
        data = raw
    if not isinstance(data, dict):
        raise InvalidEventError(f"an event must be a JSON object, got {type(data).__name__}")
    try:
        event = Event.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"]) or "(root)"
        more = f" (+{exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise InvalidEventError(f"{loc}: {first['msg']}{more}") from None
    body = _BODY_FOR_TYPE[event.type]
    if getattr(event, body) is None:
        raise InvalidEventError(f"{body}: required for an event of type {event.type}")
    return event


def json_schemas() -> dict[str, dict[str, Any]]:
    """A JSON Schema per event type: the common envelope with that type's body required."""
    base = Event.model_json_schema()
    schemas: dict[str, dict[str, Any]] = {}
    for event_type, body in _BODY_FOR_TYPE.items():
        schema = json.loads(json.dumps(base))
        schema["title"] = f"trustwatch event {event_type}"
        schema["$id"] = f"https://trustwatch.dev/schemas/{event_type}.json"
        schema["properties"]["type"] = {"const": event_type, "type": "string"}
        schema["required"] = sorted({*schema.get("required", []), body})
        schemas[event_type] = schema
    return schemas

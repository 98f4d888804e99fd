import json
from pathlib import Path

import pytest

from trustwatch.errors import InvalidEventError
from trustwatch.events import EVENT_TYPES, json_schemas, parse_event

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"

LISTING = {
    "id": "evt_2",
    "type": "listing.created",
    "occurred_at": "2026-11-02T10:15:00Z",
    "actor": {"id": "u_5"},
    "listing": {
        "id": "l_1",
        "title": "Gucci bag",
        "price": {"amount": 25.0, "currency": "GBP"},
        "images": [{"url": "https://x/1.jpg", "sha256": "ab"}],
        "condition": "used",
    },
    "client": {"app_version": "9.1"},
}


def test_unknown_fields_are_kept_at_every_level():
    event = parse_event(LISTING)
    dumped = event.model_dump(mode="json")
    assert dumped["client"] == {"app_version": "9.1"}
    assert dumped["listing"]["condition"] == "used"


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "JSON object"),
        (json.dumps({**LISTING, "type": "listing.deleted"}), "type"),
        (json.dumps({k: v for k, v in LISTING.items() if k != "listing"}), "listing: required"),
        (json.dumps({**LISTING, "occurred_at": "yesterday"}), "occurred_at"),
        (
            json.dumps(
                {
                    **LISTING,
                    "listing": {**LISTING["listing"], "price": {"amount": -1, "currency": "GBP"}},
                }
            ),
            "listing.price.amount",
        ),
    ],
)
def test_malformed_events_name_what_is_wrong(raw, fragment):
    with pytest.raises(InvalidEventError) as caught:
        parse_event(raw)
    assert fragment in caught.value.reason


def test_published_schemas_match_the_code():
    generated = json_schemas()
    assert set(generated) == set(EVENT_TYPES)
    for event_type, schema in generated.items():
        published = json.loads((SCHEMAS / f"{event_type}.json").read_text())
        assert published == schema, (
            f"schemas/{event_type}.json is stale: run `trustwatch schemas -o schemas`"
        )


def test_every_type_requires_its_body():
    for event_type, schema in json_schemas().items():
        body = {
            "message.sent": "message",
            "report.filed": "report",
            "profile.updated": "profile",
        }.get(event_type, "listing")
        assert body in schema["required"]

"""JSON logs with request ids, optional trace spans."""

from __future__ import annotations

import json
import logging

from trustwatch.observability import REQUEST_ID, JsonFormatter, configure_tracing, span


def test_json_log_line_carries_request_id_and_extra_fields() -> None:
    token = REQUEST_ID.set("req-9")
    try:
        record = logging.LogRecord("trustwatch.x", logging.INFO, __file__, 1, "hello", None, None)
        record.status = 201
        line = json.loads(JsonFormatter().format(record))
    finally:
        REQUEST_ID.reset(token)
    assert line["request_id"] == "req-9"
    assert (line["msg"], line["level"], line["status"]) == ("hello", "INFO", 201)


def test_spans_are_optional() -> None:
    assert configure_tracing(False) is False
    with span("off"):
        pass
    assert configure_tracing(True) is True
    with span("on", event_type="message.sent"):
        pass
    configure_tracing(False)

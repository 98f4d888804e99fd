"""Human labels for training and evaluation: one line per labelled (event, policy).

Each record is the event JSON plus ``"label": {"policy", "value" (1 violation, 0 not),
"reviewer", "decided_at"}``. An event labelled for two policies appears twice.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from trustwatch.review.models import LabelRow
from trustwatch.store.models import EventRow
from trustwatch.store.sql import SqlStore


def labels_from(store: SqlStore) -> list[dict[str, Any]]:
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(
                EventRow.body,
                LabelRow.policy,
                LabelRow.value,
                LabelRow.reviewer,
                LabelRow.decided_at,
            )
            .join(EventRow, EventRow.id == LabelRow.event_id)
            .order_by(LabelRow.decided_at, LabelRow.event_id, LabelRow.policy)
        ).all()
    out: list[dict[str, Any]] = []
    for r in rows:
        record = json.loads(r.body)
        record["label"] = {
            "policy": r.policy,
            "value": int(r.value),
            "reviewer": r.reviewer,
            "decided_at": datetime.fromtimestamp(r.decided_at, UTC)
            .isoformat(timespec="seconds")
            .replace("+00:00", "Z"),
        }
        out.append(record)
    return out


def export_labels(store_url: str) -> list[dict[str, Any]]:
    """Every current human label in the store at ``store_url``, oldest decision first."""
    store = SqlStore(store_url)
    try:
        return labels_from(store)
    finally:
        store.close()


def write_labels(records: list[dict[str, Any]], path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
    return len(records)

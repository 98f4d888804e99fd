"""Dashboard series from the store: flagged events and enforcement per policy per hour,
review outcomes and engine latency."""

from __future__ import annotations

import json
import statistics
from datetime import UTC, datetime

from sqlalchemy import Connection, func, select

from trustwatch.review.domain import REPORTS_QUEUE
from trustwatch.review.models import DecisionRow
from trustwatch.review.transactions import utc
from trustwatch.review.views import Dashboard
from trustwatch.store.models import ActionRow, VerdictRow
from trustwatch.verdicts import Action, Verdict


def build_dashboard(conn: Connection, now: float, hours: int) -> Dashboard:
    """Hourly series over the last ``hours`` (the current hour last): events a live policy
    flagged and enforcement actions per policy, review outcomes, latency p50 and p95."""
    end = int(now // 3600 + 1) * 3600
    start = end - hours * 3600
    since = datetime.fromtimestamp(start, UTC)
    labels = [datetime.fromtimestamp(start + i * 3600, UTC).strftime("%H:00") for i in range(hours)]

    def bucket(at: datetime) -> int | None:
        i = int((utc(at).timestamp() - start) // 3600)
        return i if 0 <= i < hours else None

    data = Dashboard(buckets=labels)
    latencies: list[list[float]] = [[] for _ in range(hours)]
    for r in conn.execute(
        select(VerdictRow.created_at, VerdictRow.latency_ms, VerdictRow.body).where(
            VerdictRow.created_at >= since
        )
    ):
        i = bucket(r.created_at)
        if i is None:
            continue
        latencies[i].append(r.latency_ms)
        for p in Verdict.model_validate_json(r.body).policies:
            if p.mode == "live" and p.action != Action.ALLOW:
                data.events_by_policy.setdefault(p.policy, [0.0] * hours)[i] += 1
    for a in conn.execute(
        select(ActionRow.created_at, ActionRow.policies).where(ActionRow.created_at >= since)
    ):
        i = bucket(a.created_at)
        if i is None:
            continue
        for policy in json.loads(a.policies) or [REPORTS_QUEUE]:
            data.actions_by_policy.setdefault(policy, [0.0] * hours)[i] += 1
    for d in conn.execute(
        select(DecisionRow.policy, DecisionRow.outcome, func.count().label("n"))
        .where(DecisionRow.decided_at >= start)
        .group_by(DecisionRow.policy, DecisionRow.outcome)
    ):
        data.outcomes_by_policy.setdefault(d.policy, {})[d.outcome] = float(d.n)
    data.latency_ms = {
        "p50": [statistics.median(v) if v else 0.0 for v in latencies],
        "p95": [_percentile(v, 0.95) for v in latencies],
    }
    return data


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

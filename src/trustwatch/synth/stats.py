"""Describe a synthetic sample: label shares, evasions, event types, text lengths."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

_TEXT_FIELDS = {
    "message.sent": (("message", "text"),),
    "listing.created": (("listing", "title"), ("listing", "description")),
    "listing.updated": (("listing", "title"), ("listing", "description")),
    "profile.updated": (("profile", "bio"),),
    "report.filed": (("report", "text"),),
}


def template_family(template: str) -> str:
    """``off_platform.seller_pay.3`` -> ``off_platform.seller_pay``: the unit to hold out."""
    head, _, tail = template.rpartition(".")
    return head if head and tail.isdigit() else template


@dataclass
class Summary:
    events: int = 0
    positives: int = 0
    hard_negatives: int = 0
    evaded: int = 0
    types: Counter[str] = field(default_factory=Counter)
    labels: Counter[str] = field(default_factory=Counter)
    evasions: Counter[str] = field(default_factory=Counter)
    templates: set[str] = field(default_factory=set)
    families: Counter[str] = field(default_factory=Counter)
    lengths: dict[str, list[int]] = field(default_factory=dict)

    @property
    def positive_rate(self) -> float:
        return self.positives / self.events if self.events else 0.0

    def length_quantiles(self, name: str) -> dict[str, float]:
        """min, p10, median, p90, p99 and max characters of one text field."""
        values = sorted(self.lengths.get(name, []))
        if not values:
            return {}
        cuts = (
            statistics.quantiles(values, n=100, method="inclusive")
            if len(values) > 1
            else values * 99
        )
        return {
            "n": len(values),
            "min": values[0],
            "p10": cuts[9],
            "median": statistics.median(values),
            "p90": cuts[89],
            "p99": cuts[98],
            "max": values[-1],
        }


def describe(events: Iterable[dict[str, Any]]) -> Summary:
    summary = Summary()
    for event in events:
        truth = event["synthetic"]
        summary.events += 1
        summary.types[event["type"]] += 1
        summary.templates.add(truth["template"])
        summary.families[template_family(truth["template"])] += 1
        if truth["labels"]:
            summary.positives += 1
        summary.labels.update(truth["labels"])
        if truth["hard_negative"]:
            summary.hard_negatives += 1
        if truth["evasions"]:
            summary.evaded += 1
            summary.evasions.update(truth["evasions"])
        for body, key in _TEXT_FIELDS[event["type"]]:
            text = event[body].get(key, "")
            summary.lengths.setdefault(f"{body}.{key}", []).append(len(text))
    return summary

"""Evasion robustness: recall per policy on clean positives and on each mutated variant.

Each true positive the engine catches has the evidence it was caught on disguised with one
evasion from ``trustwatch.adversarial`` (leet, homoglyphs, zero-width, spacing…), and the
whole stream is scored again (letter-level rewrites spare links, addresses and handles;
spelled digits apply to phone numbers). Data: synthetic marketplace events
(``trustwatch.synth``), so these are figures on synthetic data. Baseline in the same run:
the same stream with no mutation.

    .venv/bin/python -m bench.evasion [--events 4000]
"""

from __future__ import annotations

import argparse
import copy
import random
import re
import zlib
from collections import defaultdict
from typing import Any

from bench.harness import table, write_results
from trustwatch.adversarial import MUTATIONS, mutate
from trustwatch.counters import InMemoryCounters
from trustwatch.engine import Engine
from trustwatch.policy.pack import load_pack
from trustwatch.synth import generate
from trustwatch.verdicts import Action, Verdict

POLICIES = ("off_platform", "phishing", "counterfeit", "prohibited", "spam")
# Links, addresses and handles ($cashtags too) are identifiers: letter-level rewrites
# (leet, spacing, dotting) would make a link nobody can follow or a cashtag nobody can pay,
# so those mutations disguise the words around them; link-level evasions (defanging,
# spelled dots, homoglyph hosts) apply.
_IDENTIFIER = re.compile(r"://|www\.|@|\$[a-z]|^\S*[a-z0-9]\.[a-z]{2,}\S*$", re.I)
_WORD_LEVEL = {"leet", "spaced", "dotted"}
# Spelled-out digits disguise phone numbers, not digits inside words or links.
_PHONE = re.compile(r"^[+(]?\d[\d ()\-.]{5,}\d$")


def _set_field(event: dict[str, Any], path: str, value: str) -> None:
    node = event
    parts = path.split(".")
    for part in parts[:-1]:
        node = node[part]
    node[parts[-1]] = value


def _get_field(event: dict[str, Any], path: str) -> str:
    node: Any = event
    for part in path.split("."):
        node = node[part]
    return str(node)


def _caught(verdict: Verdict, policy: str) -> bool:
    decision = verdict.decision(policy)
    return decision is not None and decision.action != Action.ALLOW


def _score(loaded: Any, events: list[dict[str, Any]]) -> list[Verdict]:
    engine = Engine(loaded, counters=InMemoryCounters())
    return [engine.evaluate(e) for e in events]


def _recall(events: list[dict[str, Any]], verdicts: list[Verdict]) -> dict[str, float]:
    hits: dict[str, int] = defaultdict(int)
    totals: dict[str, int] = defaultdict(int)
    for event, verdict in zip(events, verdicts, strict=True):
        for policy in event["synthetic"]["labels"]:
            totals[policy] += 1
            hits[policy] += _caught(verdict, policy)
    return {p: hits[p] / totals[p] for p in POLICIES if totals[p]}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=4000)
    args = parser.parse_args(argv)
    loaded = load_pack(None)
    events = [
        e
        for e in generate(args.events, seed=11, positive_rate=0.4, evasion_rate=0.0)
        if not e["synthetic"].get("evasions")
    ]
    clean = _score(loaded, events)
    recalls = {"clean": _recall(events, clean)}
    for name in MUTATIONS:
        rng = random.Random(zlib.crc32(name.encode()))
        mutated = []
        for event, verdict in zip(events, clean, strict=True):
            out = copy.deepcopy(event)
            for policy in event["synthetic"]["labels"]:
                decision = verdict.decision(policy)
                if decision is None:
                    continue
                spans: dict[str, list[str]] = defaultdict(list)
                for signal in decision.signals:
                    for ev in signal.evidence:
                        spans[ev.field].append(ev.text)
                for field, found in spans.items():
                    targets = [
                        t
                        for t in found
                        if (name not in _WORD_LEVEL or not _IDENTIFIER.search(t))
                        and (name != "spelled_digits" or _PHONE.match(t))
                    ]
                    try:
                        text = _get_field(out, field)
                    except (KeyError, TypeError):
                        continue
                    _set_field(out, field, mutate(name, text, rng, targets=targets))
            mutated.append(out)
        recalls[name] = _recall(mutated, _score(loaded, mutated))
    rows = []
    worst: dict[str, float] = {}
    for variant, by_policy in recalls.items():
        rows.append([variant, *(by_policy.get(p, float("nan")) for p in POLICIES)])
        if variant != "clean":
            for p in POLICIES:
                if p in by_policy:
                    drop = recalls["clean"][p] - by_policy[p]
                    worst[p] = max(worst.get(p, 0.0), drop)
    rows.append(["worst drop (points)", *(round(100 * worst.get(p, 0.0), 1) for p in POLICIES)])
    counts = {p: sum(p in e["synthetic"]["labels"] for e in events) for p in POLICIES}
    print(f"synthetic events {len(events)}; positives per policy {counts}")
    print(table(["variant", *POLICIES], rows))
    result = {
        "events": len(events),
        "positives": counts,
        "recall": recalls,
        "worst_drop_points": {p: 100 * v for p, v in worst.items()},
        "data": "synthetic (trustwatch.synth, seed 11)",
        "pack": loaded.pack.ref,
    }
    write_results("evasion", result)
    return result


if __name__ == "__main__":
    main()

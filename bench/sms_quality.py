"""Detection quality on real SMS data, through `trustwatch scan` itself.

Datasets (deduplicated by ``trustwatch.ml.datasets``): SMS Spam Collection v1 (UCI, CC BY
4.0) and the Mendeley SMS phishing set (Mishra & Soni 2022, CC BY 4.0). Each SMS becomes a
``message.sent`` event; an event counts as flagged when its action is not ``allow``.
Rows: the rules alone (every learned detector removed from the pack: the baseline) and the
default pack as shipped, both on each set's held-out test split; the rules alone also on
the whole deduplicated set.

    .venv/bin/python -m bench.sms_quality
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from bench.harness import rules_only_pack, table, write_results
from trustwatch.ml.datasets import Example, load
from trustwatch.policy.pack import load_pack

DATASETS = ("sms_spam_uci", "sms_phishing_mendeley")
TRUSTWATCH = Path(sys.executable).with_name("trustwatch")


def _events(examples: list[Example], dataset: str) -> list[dict[str, Any]]:
    return [
        {
            "id": f"{dataset}-{i}",
            "type": "message.sent",
            "occurred_at": f"2026-11-02T{10 + i // 3600 % 10:02d}:{i // 60 % 60:02d}:{i % 60:02d}Z",
            "actor": {"id": f"u_{dataset}_{i}"},
            "message": {"id": f"m_{i}", "recipient_id": "u_buyer", "text": ex.text},
        }
        for i, ex in enumerate(examples)
    ]


def _scan(events: list[dict[str, Any]], pack: Path | None, work: Path) -> dict[str, dict[str, Any]]:
    src = work / "events.jsonl"
    out = work / "verdicts.jsonl"
    src.write_text("".join(json.dumps(e) + "\n" for e in events))
    cmd = [str(TRUSTWATCH), "scan", str(src), "-o", str(out), "--quiet"]
    if pack is not None:
        cmd += ["--pack", str(pack)]
    subprocess.run(cmd, check=True)
    return {v["event_id"]: v for v in map(json.loads, out.read_text().splitlines())}


def _metrics(
    examples: list[Example], events: list[dict[str, Any]], verdicts: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    flagged: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    by_policy: dict[str, Counter[str]] = defaultdict(Counter)
    for ex, event in zip(examples, events, strict=True):
        verdict = verdicts[event["id"]]
        totals[ex.label] += 1
        hit = verdict["action"] != "allow"
        flagged[ex.label] += hit
        for p in verdict["policies"]:
            if p["action"] != "allow":
                by_policy[ex.label][p["policy"]] += 1
    out: dict[str, Any] = {"n": sum(totals.values())}
    for label in sorted(totals):
        rate = flagged[label] / totals[label]
        out["fpr" if label == "ham" else f"recall_{label}"] = rate
    out["flagged_by_policy"] = {k: dict(v) for k, v in by_policy.items()}
    return out


def main(argv: list[str] | None = None) -> dict[str, Any]:
    results: dict[str, Any] = {}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        rules = rules_only_pack(work)
        for name in DATASETS:
            ds = load(name)
            for label, pack, split in (
                ("rules only", rules, "test"),
                ("default pack", None, "test"),
                ("rules only", rules, "all"),
            ):
                examples = ds.split(("train", "val", "test") if split == "all" else split)
                events = _events(examples, name)
                m = _metrics(examples, events, _scan(events, pack, work))
                results[f"{name}/{label}/{split}"] = m
                recalls = {k: v for k, v in m.items() if k.startswith("recall_")}
                rows.append(
                    [
                        name,
                        label,
                        split,
                        m["n"],
                        ", ".join(f"{k[7:]} {v:.3f}" for k, v in recalls.items()),
                        m.get("fpr", float("nan")),
                    ]
                )
    print(table(["dataset", "pack", "split", "messages", "recall", "false-positive rate"], rows))
    write_results(
        "sms_quality",
        {"results": results, "pack": load_pack(None).pack.ref, "flagged": "event action != allow"},
    )
    return results


if __name__ == "__main__":
    main()

"""``trustwatch evaluate``: held-out splits run through the engine, metrics per policy.

Each task maps one dataset's labels onto one policy of the pack (the mapping is
``TASKS``, and it is printed in the report). Every test example becomes an event
(SMS, comments and mail: ``message.sent``; a phishing URL: a ``message.sent`` whose
text is the URL), the engine decides it, and the policy's score and action are
compared with the label. Only the test split is read; the holdout never is.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from trustwatch.engine import Engine
from trustwatch.ml import datasets
from trustwatch.ml.calibration import recall_at_precision
from trustwatch.ml.datasets import Example
from trustwatch.verdicts import Action


@dataclass(frozen=True)
class Task:
    dataset: str
    policy: str
    positives: frozenset[str]
    note: str = ""

    @property
    def key(self) -> str:
        return f"{self.dataset}:{self.policy}"


TASKS: tuple[Task, ...] = (
    Task("sms_spam_uci", "spam", frozenset({"spam"}), "UCI spam vs ham"),
    Task("sms_phishing_mendeley", "phishing", frozenset({"smishing"}), "smishing vs ham+spam"),
    Task("sms_phishing_mendeley", "spam", frozenset({"spam", "smishing"}), "spam+smishing vs ham"),
    Task("youtube_spam_uci", "spam", frozenset({"spam"}), "comment spam vs ham"),
    Task("email_spamassassin", "spam", frozenset({"spam"}), "mail spam vs ham, headers dropped"),
    Task("phishing_urls_hannousse", "phishing", frozenset({"phishing"}), "URL string only"),
)


# Mail is relayed into the app as messages that say so; the pack routes them to the mail model.
CHANNELS = {"email_spamassassin": "email"}


def event_for(example: Example, n: int, text: str | None = None) -> dict[str, Any]:
    body = text if text is not None else example.text
    base: dict[str, Any] = {
        "id": f"eval_{example.source}_{n}",
        "occurred_at": "2026-11-02T10:15:00Z",
        "actor": {"id": f"u_eval_{n}"},
    }
    if example.kind == "listing":
        base["type"] = "listing.created"
        base["listing"] = {"id": f"l_{n}", "title": body, "description": ""}
    else:
        base["type"] = "message.sent"
        base["message"] = {"id": f"m_{n}", "conversation_id": f"c_{n}", "text": body}
        if example.source in CHANNELS:
            base["message"]["channel"] = CHANNELS[example.source]
    return base


@dataclass
class Scored:
    scores: np.ndarray
    flagged: np.ndarray
    latency_ms: np.ndarray
    reached_expensive: int = 0


def run_engine(
    engine: Engine,
    examples: Sequence[Example],
    policy: str,
    flag_at: Action,
    texts: Sequence[str] | None = None,
) -> Scored:
    """Each event with fresh counters: the datasets have no senders or times, so velocity
    detectors must not read a shuffled test set as one blast."""
    from trustwatch.counters import InMemoryCounters

    scores = np.zeros(len(examples))
    flagged = np.zeros(len(examples), dtype=bool)
    latency = np.zeros(len(examples))
    expensive_before = _expensive_calls(engine)
    for i, ex in enumerate(examples):
        engine.counters = InMemoryCounters()
        verdict = engine.evaluate(event_for(ex, i, texts[i] if texts is not None else None))
        latency[i] = verdict.latency_ms
        for decision in verdict.policies:
            if decision.policy == policy:
                scores[i] = decision.score
                flagged[i] = decision.action.rank >= flag_at.rank
    return Scored(scores, flagged, latency, _expensive_calls(engine) - expensive_before)


def _expensive_calls(engine: Engine) -> int:
    from trustwatch.detectors.base import DETECTORS

    limit = engine.pack.settings.expensive_cost
    return sum(n for name, n in engine.detector_calls.items() if DETECTORS[name].cost >= limit)


def binary_metrics(y: np.ndarray, flagged: np.ndarray, scores: np.ndarray) -> dict[str, float]:
    from sklearn.metrics import average_precision_score

    tp = int((flagged & (y == 1)).sum())
    fp = int((flagged & (y == 0)).sum())
    fn = int((~flagged & (y == 1)).sum())
    tn = int((~flagged & (y == 0)).sum())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "n": len(y),
        "positives": int(y.sum()),
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "accuracy": round((tp + tn) / max(len(y), 1), 4),
        "pr_auc": round(float(average_precision_score(y, scores)), 4) if y.any() else 0.0,
        "recall@p95": round(recall_at_precision(scores, y, 0.95), 4),
        "recall@p99": round(recall_at_precision(scores, y, 0.99), 4),
    }


@dataclass
class TaskResult:
    task: Task
    metrics: dict[str, float]
    y: np.ndarray
    scores: np.ndarray
    flagged: np.ndarray
    latency_ms: np.ndarray
    evasion: dict[str, dict[str, float]] = field(default_factory=dict)


def evaluate_task(
    engine: Engine,
    task: Task,
    *,
    flag_at: Action = Action.WARN,
    limit: int | None = None,
    mutations: Sequence[str] = (),
    seed: int = 7,
) -> TaskResult:
    examples = datasets.load(task.dataset).split("test")
    if limit is not None and len(examples) > limit:
        rng = random.Random(seed)
        examples = sorted(rng.sample(examples, limit), key=lambda e: e.group)
    y = np.array([e.label in task.positives for e in examples], dtype=int)
    scored = run_engine(engine, examples, task.policy, flag_at)
    result = TaskResult(
        task,
        binary_metrics(y, scored.flagged, scored.scores),
        y,
        scored.scores,
        scored.flagged,
        scored.latency_ms,
    )
    positives = [e for e, label in zip(examples, y, strict=True) if label == 1]
    if positives and mutations and examples[0].kind != "url":
        result.evasion = evasion_recall(engine, positives, task.policy, flag_at, mutations, seed)
    return result


def evasion_recall(
    engine: Engine,
    positives: Sequence[Example],
    policy: str,
    flag_at: Action,
    mutations: Sequence[str],
    seed: int,
) -> dict[str, dict[str, float]]:
    """Recall on the positives as written, then under each evasion mutation of them."""
    from trustwatch.adversarial import mutate

    clean = run_engine(engine, positives, policy, flag_at).flagged.mean()
    out: dict[str, dict[str, float]] = {"none": {"recall": round(float(clean), 4), "cost": 0.0}}
    for name in mutations:
        rng = random.Random(f"{seed}:{name}")
        texts = [mutate(name, e.text, rng, share=0.5) for e in positives]
        recall = float(run_engine(engine, positives, policy, flag_at, texts).flagged.mean())
        out[name] = {"recall": round(recall, 4), "cost": round(100 * (clean - recall), 2)}
    return out


@dataclass
class Evaluation:
    pack: str
    flag_at: str
    results: list[TaskResult]
    models: dict[str, str]
    seconds: float
    extras: dict[str, Any] = field(default_factory=dict)


def evaluate(
    engine: Engine,
    tasks: Sequence[Task] = TASKS,
    *,
    flag_at: Action = Action.WARN,
    limit: int | None = None,
    mutations: Sequence[str] | None = None,
    log: Callable[[str], None] | None = None,
) -> Evaluation:
    """Every task whose policy the pack has, through ``engine``."""
    from trustwatch.adversarial import MUTATIONS

    say = log or (lambda _m: None)
    muts = list(MUTATIONS) if mutations is None else list(mutations)
    started = time.perf_counter()
    results = []
    for task in tasks:
        if task.policy not in engine.pack.policies:
            say(f"skip {task.key}: the pack has no {task.policy!r} policy")
            continue
        t0 = time.perf_counter()
        result = evaluate_task(engine, task, flag_at=flag_at, limit=limit, mutations=muts)
        m = result.metrics
        say(
            f"{task.key}: F1 {m['f1']:.4f} P {m['precision']:.4f} R {m['recall']:.4f} "
            f"acc {m['accuracy']:.4f} PR-AUC {m['pr_auc']:.4f} ({time.perf_counter() - t0:.0f}s)"
        )
        results.append(result)
    return Evaluation(
        engine.pack.ref,
        flag_at.value,
        results,
        engine.model_versions,
        time.perf_counter() - started,
    )


def evaluate_labelled(
    engine: Engine, events: Sequence[dict[str, Any]], *, flag_at: Action = Action.REVIEW
) -> dict[str, dict[str, float]]:
    """The pack on real labelled events (review decisions, labelled JSONL): metrics per policy.

    Each event runs as it was (its own actor, time and fields) in order, with one counter
    store, so velocity detectors see the stream as it happened.
    """
    from trustwatch.counters import InMemoryCounters

    engine.counters = InMemoryCounters()
    policies = list(engine.pack.policies)
    rows: dict[str, list[tuple[int, bool, float]]] = {p: [] for p in policies}
    for event in events:
        targets = datasets.labelled_targets(event, policies)
        if not targets:
            continue
        body = {k: v for k, v in event.items() if k not in ("label", "labels", "synthetic")}
        verdict = engine.evaluate(body)
        for decision in verdict.policies:
            if decision.policy in targets:
                rows[decision.policy].append(
                    (targets[decision.policy], decision.action.rank >= flag_at.rank, decision.score)
                )
    out: dict[str, dict[str, float]] = {}
    for policy, found in rows.items():
        if found:
            y = np.array([r[0] for r in found], dtype=int)
            flagged = np.array([r[1] for r in found], dtype=bool)
            scores = np.array([r[2] for r in found])
            out[policy] = binary_metrics(y, flagged, scores)
    return out

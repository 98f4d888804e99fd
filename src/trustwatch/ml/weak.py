"""Weak supervision for policies with no public labels (off_platform, counterfeit, prohibited).

Labelling functions come from the pack's rule detectors (and the entities they read);
snorkel's ``LabelModel`` turns their votes into probabilistic labels over an unlabelled
corpus, and the linear text model learns from those labels. The corpus here is
``trustwatch.synth`` (SYNTHETIC): its ground truth is never shown to the label model
or the classifier and is used only to measure them, on templates held out of training.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from trustwatch.counters import InMemoryCounters
from trustwatch.detectors.base import Context, Detector, Item, detector_factory
from trustwatch.events import Event, parse_event
from trustwatch.policy.pack import Pack, load_pack
from trustwatch.verdicts import Mode

ABSTAIN, CLEAN, VIOLATES = -1, 0, 1
WS_POLICIES = ("off_platform", "counterfeit", "prohibited")
# Entities that hint at a policy on their own (weak positive votes; abstain otherwise).
ENTITY_HINTS: dict[str, tuple[str, ...]] = {
    "off_platform": ("payment_handle", "social_handle", "phone", "email", "crypto_address"),
    "counterfeit": (),
    "prohibited": (),
}

LF = Callable[[Item, Context], int]


@dataclass(frozen=True)
class LabellingFunction:
    name: str
    fn: LF


def _detector_lf(key: str, det: Detector) -> LabellingFunction:
    def vote(item: Item, ctx: Context) -> int:
        score = max((s.score for s in det.detect(item, ctx)), default=0.0)
        return VIOLATES if score >= 0.5 else ABSTAIN

    return LabellingFunction(f"rule:{key}", vote)


def _quiet_lf(dets: Sequence[Detector]) -> LabellingFunction:
    """Votes clean when none of the policy's rules sees anything at all."""

    def vote(item: Item, ctx: Context) -> int:
        for det in dets:
            if any(s.score > 0.0 for s in det.detect(item, ctx)):
                return ABSTAIN
        return CLEAN

    return LabellingFunction("rules_quiet", vote)


def _entity_lf(kind: str) -> LabellingFunction:
    def vote(item: Item, ctx: Context) -> int:
        return VIOLATES if any(e.kind == kind for _, e in item.all_entities) else ABSTAIN

    return LabellingFunction(f"entity:{kind}", vote)


def _type_lf(applies_to: Sequence[str]) -> LabellingFunction:
    def vote(item: Item, ctx: Context) -> int:
        return CLEAN if item.event.type not in applies_to else ABSTAIN

    return LabellingFunction("type_not_covered", vote)


def labelling_functions(policy: str, pack: Pack | None = None) -> list[LabellingFunction]:
    """The policy's rule detectors as voters, plus entity hints and an event-type veto."""
    chosen = pack or load_pack().pack
    spec = chosen.policies[policy]
    lfs = [_type_lf(spec.applies_to)]
    dets: list[Detector] = []
    for use in spec.detectors:
        factory: Any = detector_factory(use.use)
        if factory is None or use.use in ("text_model", "url_model", "transformer_model"):
            continue
        det = factory(factory.Params.model_validate(use.params))
        dets.append(det)
        lfs.append(_detector_lf(use.key, det))
    lfs.append(_quiet_lf(dets))
    lfs += [_entity_lf(kind) for kind in ENTITY_HINTS.get(policy, ())]
    return lfs


def vote_matrix(events: Sequence[Event], lfs: Sequence[LabellingFunction]) -> np.ndarray:
    counters = InMemoryCounters()
    out = np.full((len(events), len(lfs)), ABSTAIN, dtype=int)
    for i, event in enumerate(events):
        item = Item(event)
        ctx = Context(mode=Mode.SHADOW, now=event.occurred_at, counters=counters)
        for j, lf in enumerate(lfs):
            out[i, j] = lf.fn(item, ctx)
    return out


def fit_label_model(votes: np.ndarray, seed: int = 13) -> Any:
    """snorkel's generative LabelModel over the LF votes (cardinality 2)."""
    from snorkel.labeling.model import LabelModel

    model = LabelModel(cardinality=2, verbose=False)
    model.fit(votes, n_epochs=300, seed=seed, log_freq=1000)
    return model


def majority_vote(votes: np.ndarray) -> np.ndarray:
    pos = (votes == VIOLATES).sum(1)
    neg = (votes == CLEAN).sum(1)
    return np.where(pos + neg == 0, 0.5, pos / np.maximum(pos + neg, 1))


def held_out(template: str, share: int = 25) -> bool:
    """Templates held out of training, so test texts come from templates never seen."""
    return int(hashlib.sha1(template.encode()).hexdigest()[:8], 16) % 100 < share


def event_text(event: Event) -> str:
    fields = event.text_fields()
    return "\n".join(fields[k] for k in sorted(fields))


@dataclass
class WeakCorpus:
    events: list[Event]
    truth: np.ndarray
    test: np.ndarray
    templates: list[str]


def corpus(n: int, seed: int, policy: str) -> WeakCorpus:
    """``n`` synthetic events; ``truth`` is read only for measuring, never for training."""
    from trustwatch.synth import generate

    raw = list(generate(n, seed=seed, positive_rate=0.4, evasion_rate=0.3))
    events = [parse_event(r) for r in raw]
    truth = np.array([policy in r["synthetic"]["labels"] for r in raw], dtype=int)
    templates = [str(r["synthetic"].get("template", "")) for r in raw]
    test = np.array([held_out(t) for t in templates], dtype=bool)
    return WeakCorpus(events, truth, test, templates)


@dataclass
class WeakResult:
    policy: str
    texts: list[str]
    labels: np.ndarray
    soft: np.ndarray
    corpus: WeakCorpus
    lf_names: list[str]
    metrics: dict[str, Any]


def weak_labels(policy: str, n: int = 6000, seed: int = 101) -> WeakResult:
    """Label-model labels for the training part of a synthetic corpus, and how good they are.

    Metrics compare against the generator's ground truth (SYNTHETIC) on held-out templates.
    """
    c = corpus(n, seed, policy)
    lfs = labelling_functions(policy)
    votes = vote_matrix(c.events, lfs)
    train = ~c.test
    model = fit_label_model(votes[train])
    soft = np.asarray(model.predict_proba(votes)[:, 1], dtype=float)
    texts = [event_text(e) for e in c.events]
    rules = (votes[:, [i for i, lf in enumerate(lfs) if lf.name.startswith("rule:")]] == 1).any(1)
    metrics: dict[str, Any] = {"synthetic": True, "lfs": [lf.name for lf in lfs]}
    for name, pred in (
        ("label_model", soft >= 0.5),
        ("majority_vote", majority_vote(votes) > 0.5),
        ("rules_any", rules),
    ):
        metrics[name] = prf(c.truth[c.test], pred[c.test])
    metrics["label_model_train_agreement"] = round(
        float(((soft[train] >= 0.5) == c.truth[train].astype(bool)).mean()), 4
    )
    metrics["coverage"] = round(float((votes != ABSTAIN).any(1).mean()), 4)
    return WeakResult(
        policy, texts, (soft >= 0.5).astype(int), soft, c, [lf.name for lf in lfs], metrics
    )


def prf(y: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    tp = int((pred & (y == 1)).sum())
    fp = int((pred & (y == 0)).sum())
    fn = int((~pred & (y == 1)).sum())
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
        "n": len(y),
        "positives": int(y.sum()),
    }

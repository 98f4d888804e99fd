"""MiniLM throughput: the int8 ONNX encoder (ONNX Runtime, one thread) vs torch fp32.

Texts: the first N messages of the Mendeley SMS test split. The ONNX path is what the
``transformer_model`` detector runs; the torch baseline (the same all-MiniLM-L6-v2 in
``transformers``, fp32, one thread) runs only when torch is installed (train extra).
The linear model is shown as the cheap tier for scale.

    .venv/bin/python -m bench.transformer [--texts 512] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from bench.harness import hardware, median_seconds, table, write_results


def _texts(n: int) -> list[str]:
    from trustwatch.ml import datasets

    return [e.text for e in datasets.load("sms_phishing_mendeley").split("test")][:n]


def _torch_embed(texts: list[str], batch: int) -> Any:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from transformers import AutoModel, AutoTokenizer

    from trustwatch.ml.transformer import MAX_TOKENS, minilm_dir

    torch.set_num_threads(1)
    tok = AutoTokenizer.from_pretrained(str(minilm_dir()))
    model = AutoModel.from_pretrained(str(minilm_dir())).eval()

    def run() -> None:
        with torch.inference_mode():
            for i in range(0, len(texts), batch):
                enc = tok(
                    texts[i : i + batch],
                    padding=True,
                    truncation=True,
                    max_length=MAX_TOKENS,
                    return_tensors="pt",
                )
                hidden = model(**enc)[0]
                mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                (hidden * mask).sum(1) / mask.sum(1)

    return run


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--texts", type=int, default=512)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=32)
    args = parser.parse_args(argv)

    from trustwatch.ml import serving
    from trustwatch.ml.features import model_text
    from trustwatch.ml.registry import Registry
    from trustwatch.ml.transformer import Encoder

    texts = _texts(args.texts)
    encoder = Encoder(Registry().get("minilm_encoder@promoted").path, threads=1)
    rows: list[list[Any]] = []
    results: dict[str, Any] = {}

    def record(name: str, seconds: float, times: list[float]) -> None:
        rate = len(texts) / seconds
        results[name] = {"texts_per_s": round(rate, 1), "median_s": seconds, "runs_s": times}
        rows.append([name, len(texts), round(seconds, 3), rate])

    sec, times = median_seconds(lambda: encoder.embed(texts, args.batch), runs=args.runs)
    record(f"onnxruntime int8, 1 thread, batch {args.batch}", sec, times)
    sec, times = median_seconds(lambda: [encoder.embed([t], 1) for t in texts], runs=args.runs)
    record("onnxruntime int8, 1 thread, one text per call", sec, times)
    try:
        run = _torch_embed(texts, args.batch)
    except ImportError:
        results["torch"] = "not installed (pip install torch==2.13.0 for the baseline)"
    else:
        sec, times = median_seconds(run, runs=args.runs)
        record(f"torch fp32 (baseline), 1 thread, batch {args.batch}", sec, times)
    linear, _ = serving.load("sms_spam@promoted", "linear")
    pairs = [model_text(t) for t in texts]
    sec, times = median_seconds(lambda: [linear.proba(p) for p in pairs], runs=args.runs)
    record("linear sms_spam (cheap tier), pre-folded", sec, times)

    print(table(["path", "texts", "median s", "texts/s"], rows))
    hw = hardware()
    print(f"\n{hw['cpu']} · {hw['cores']} cores · median of {args.runs} runs")
    path = write_results(
        "transformer", {"texts": len(texts), "runs": args.runs, "batch": args.batch, **results}
    )
    print(f"→ {path}")


if __name__ == "__main__":
    main()

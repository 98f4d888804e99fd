"""GPU sweep: fine-tune all-MiniLM-L6-v2 configs for smishing and phishing URLs.

Research tool, not part of the package (it runs on a lent GPU machine, where the
repository's tracked files travel but the fp32 MiniLM weights do not fit): the encoder's
fp32 weights are rebuilt from the shipped int8 ONNX encoder (``dequant.py``
cosine of
mean-pooled embeddings to the fp32 model 0.997), then each config is scored by grouped
3-fold out-of-fold logits on the training split and a final fit's logits on the test
split. The best config by OOF F1 (smishing) or OOF PR-AUC (URLs) keeps its weights
(fp16, word embeddings excluded: frozen, equal to the init).

    python scripts/gpu/export_data.py            # here: writes .gpu/ (git-ignored)
    python3 scripts/gpu/train.py sm_e4 url_e5    # there, with .gpu carried
    OUT=dir
    python scripts/gpu/analyse.py DIR...         # here: OOF-chosen stacks with the linear models
"""

import json
import math
import os
import re
import sys
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.metrics import average_precision_score, precision_recall_curve
from sklearn.model_selection import StratifiedGroupKFold
from tokenizers import Tokenizer
from transformers import BertConfig, BertModel

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dequant import state_dict_from_onnx

OUT = os.environ.get("OUT", "/tmp/out")
dev = torch.device(os.environ.get("DEV", "cuda"))
D = json.loads(Path(".gpu/data.json").read_text())
if os.environ.get("LIMIT"):
    n = int(os.environ["LIMIT"])
    D = {k: {f: v[f][:n] for f in v} for k, v in D.items()}
    for k in D:
        D[k]["y"][:5] = [1] * 5
INIT = {
    k: torch.tensor(v)
    for k, v in state_dict_from_onnx(
        "src/trustwatch/models/minilm_encoder/1/encoder.int8.onnx"
    ).items()
}
CFG = BertConfig.from_json_file(".gpu/config.json")
URLSEP = re.compile(r"([./\-_?=&:@~%+#])")


class Clf(torch.nn.Module):
    def __init__(self, dropout):
        super().__init__()
        self.encoder = BertModel(CFG, add_pooling_layer=False)
        self.encoder.load_state_dict(INIT, strict=False)
        self.dropout = torch.nn.Dropout(dropout)
        self.out = torch.nn.Linear(CFG.hidden_size, 1)

    def forward(self, ids, mask):
        h = self.encoder(input_ids=ids, attention_mask=mask)[0]
        m = mask.unsqueeze(-1).to(h.dtype)
        return self.out(self.dropout((h * m).sum(1) / m.sum(1).clamp(min=1e-9))).squeeze(-1)


def encode(texts, max_tokens):
    tok = Tokenizer.from_file(".gpu/tokenizer.json")
    tok.enable_truncation(max_tokens)
    tok.no_padding()
    return [e.ids for e in tok.encode_batch(list(texts))]


def batches(lengths, bs, rng):
    keys = lengths + (rng.uniform(0, 4, len(lengths)) if rng is not None else 0)
    order = np.argsort(keys, kind="stable")
    b = [order[i : i + bs] for i in range(0, len(order), bs)]
    if rng is not None:
        b = [b[i] for i in rng.permutation(len(b))]
    return b


def tensors(ids, rows):
    w = max(len(ids[i]) for i in rows)
    x = np.zeros((len(rows), w), dtype=np.int64)
    m = np.zeros((len(rows), w), dtype=np.int64)
    for r, i in enumerate(rows):
        x[r, : len(ids[i])] = ids[i]
        m[r, : len(ids[i])] = 1
    return torch.from_numpy(x).to(dev), torch.from_numpy(m).to(dev)


def fit(ids, y, c, seed):
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    lengths = np.array([len(i) for i in ids], float)
    model = Clf(c.get("dropout", 0.1)).to(dev)
    enc = model.encoder
    if c.get("freeze_emb", True):
        enc.embeddings.word_embeddings.weight.requires_grad_(False)
    decay, nodecay = [], []
    for n, p in enc.named_parameters():
        if p.requires_grad:
            (nodecay if n.endswith("bias") or "LayerNorm" in n else decay).append(p)
    opt = torch.optim.AdamW(
        [
            {"params": decay, "lr": c["lr"], "weight_decay": 0.01},
            {"params": nodecay, "lr": c["lr"], "weight_decay": 0.0},
            {
                "params": list(model.out.parameters()),
                "lr": c.get("head_lr", 1e-3),
                "weight_decay": 0.0,
            },
        ]
    )
    bs = c.get("bs", 16)
    total = math.ceil(len(ids) / bs) * c["epochs"]
    warm = max(1, int(0.06 * total))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / warm if s < warm else max(0.0, (total - s) / max(1, total - warm))
    )
    pos = y.sum()
    lossf = torch.nn.BCEWithLogitsLoss(
        pos_weight=torch.tensor(float(c.get("pw") or (len(y) - pos) / max(pos, 1)), device=dev)
    )
    target = torch.tensor(y, dtype=torch.float32, device=dev)
    model.train()
    step = 0
    while step < total:
        for rows in batches(lengths, bs, rng):
            if step >= total:
                break
            x, m = tensors(ids, rows)
            with torch.autocast(dev.type, dtype=torch.bfloat16):
                logit = model(x, m)
            loss = lossf(logit.float(), target[torch.from_numpy(rows).to(dev)])
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad(set_to_none=True)
            step += 1
    return model.eval()


@torch.inference_mode()
def logits(model, ids):
    out = np.zeros(len(ids), np.float32)
    lengths = np.array([len(i) for i in ids], float)
    for rows in batches(lengths, 128, None):
        x, m = tensors(ids, rows)
        out[rows] = model(x, m).float().cpu().numpy()
    return out


def best_f1(y, s):
    p, r, t = precision_recall_curve(y, s)
    f = 2 * p * r / np.maximum(p + r, 1e-9)
    i = int(np.nanargmax(f[:-1]))
    return float(f[i]), float(t[i])


LOGITS = {}


def run(task, name, c, tr, te, extra=None, folds=3, seed=13):
    t0 = time.time()
    prep = (lambda s: URLSEP.sub(r" \1 ", s)) if task == "url" else (lambda s: s)
    texts = [prep(t) for t in tr["text"]]
    y = np.array(tr["y"])
    g = tr["group"]
    ids = encode(texts, c["max"])
    eids, ey, _eg = [], np.zeros(0, int), []
    if extra is not None:
        eids = encode(extra["text"], c["max"])
        ey = np.array(extra["y"])
        extra["group"]
    oof = np.zeros(len(y), np.float32)
    for k, (a, b) in enumerate(
        StratifiedGroupKFold(folds, shuffle=True, random_state=seed).split(texts, y, g)
    ):
        fi = [ids[i] for i in a] + eids
        fy = np.concatenate([y[a], ey])
        m = fit(fi, fy, c, seed + k)
        oof[b] = logits(m, [ids[i] for i in b])
        del m
    final = fit(ids + eids, np.concatenate([y, ey]), c, seed)
    tl = logits(final, encode([prep(t) for t in te["text"]], c["max"]))
    ty = np.array(te["y"])
    of1, othr = best_f1(y, oof)
    res = dict(
        task=task,
        name=name,
        cfg=c,
        oof_pr_auc=float(average_precision_score(y, oof)),
        oof_best_f1=of1,
        oof_thr=othr,
        test_pr_auc=float(average_precision_score(ty, tl)),
        test_f1_at_oof_thr=float(
            2 * ((tl >= othr) & (ty == 1)).sum() / ((tl >= othr).sum() + ty.sum())
        ),
        test_acc_at_oof_thr=float(((tl >= othr) == (ty == 1)).mean()),
        test_acc_at_0=float(((tl >= 0) == (ty == 1)).mean()),
        test_best_f1=best_f1(ty, tl)[0],
        secs=round(time.time() - t0, 1),
    )
    print(json.dumps(res), flush=True)
    LOGITS[f"{name}__oof"] = oof
    LOGITS[f"{name}__test"] = tl
    np.savez(f"{OUT}/logits.npz", **LOGITS)
    return res, final


SM = {
    "sm_base": dict(max=64, epochs=2, lr=5e-5, bs=16),
    "sm_e4": dict(max=64, epochs=4, lr=5e-5, bs=16),
    "sm_e4_unfr": dict(max=64, epochs=4, lr=5e-5, bs=16, freeze_emb=False),
    "sm_e4_syn": dict(max=64, epochs=4, lr=5e-5, bs=16, synth=True),
    "sm_e6_lr3": dict(max=96, epochs=6, lr=3e-5, bs=16),
    "sm_e3_lr1e4": dict(max=64, epochs=3, lr=1e-4, bs=32),
}
URL = {
    "url_e3": dict(max=64, epochs=3, lr=5e-5, bs=32),
    "url_e5": dict(max=96, epochs=5, lr=5e-5, bs=32),
}


def main():
    global LOGITS
    which = sys.argv[1:] or list(SM) + list(URL)
    results = []
    best = {}
    LOGITS = {}
    T0 = time.time()
    BUDGET = float(os.environ.get("BUDGET", "430"))
    for name in which:
        if time.time() - T0 > BUDGET:
            print("skip (budget)", name, flush=True)
            continue
        if name in SM:
            c = SM[name]
            r, m = run(
                "sm",
                name,
                c,
                D["sm_train"],
                D["sm_test"],
                D["sm_synth"] if c.get("synth") else None,
            )
        else:
            c = URL[name]
            r, m = run("url", name, c, D["url_train"], D["url_test"])
        results.append(r)
        key = r["task"]
        score = r["oof_best_f1"] if key == "sm" else r["oof_pr_auc"]
        if c.get("freeze_emb", True) and (key not in best or score > best[key][0]):
            sd = {
                k: v.detach().to(torch.float16).cpu()
                for k, v in m.state_dict().items()
                if "word_embeddings" not in k
            }
            best[key] = (score, name, sd)
        del m
        Path(f"{OUT}/results.json").write_text(json.dumps(results, indent=1))
    for key, (score, name, sd) in best.items():
        keys = sorted(sd)
        half = [k for k in keys if any(f"layer.{i}." in k for i in (0, 1, 2))]
        torch.save({k: sd[k] for k in half}, f"{OUT}/best_{key}_a.pt")
        torch.save({k: sd[k] for k in keys if k not in half}, f"{OUT}/best_{key}_b.pt")
        results.append({"best": key, "name": name, "score": score})
    Path(f"{OUT}/results.json").write_text(json.dumps(results, indent=1))
    print("done", {k: v[1] for k, v in best.items()})


if __name__ == "__main__":
    main()

"""Seed spread of one smishing recipe (sm_e4_syn), their logit ensemble and weight soup.

The folds are fixed across seeds so that fold models can be averaged (a "soup").
    for s in 13 14 15 16
    do python3 scripts/gpu/train2.py worker $s & done
    wait
    python3 scripts/gpu/train2.py agg 13 14 15 16
"""

import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.model_selection import StratifiedGroupKFold

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train as T

C = T.SM["sm_e4_syn"]
TMP = "/tmp/soup"
os.makedirs(TMP, exist_ok=True)
D = T.D
tr, te, ex = D["sm_train"], D["sm_test"], D["sm_synth"]
y = np.array(tr["y"])
yt = np.array(te["y"])
ids = T.encode(tr["text"], C["max"])
eids = T.encode(ex["text"], C["max"])
ey = np.array(ex["y"])
tids = T.encode(te["text"], C["max"])
FOLDS = list(
    StratifiedGroupKFold(3, shuffle=True, random_state=13).split(tr["text"], y, tr["group"])
)


def keep(m):
    return {
        k: v.detach().float().cpu() for k, v in m.state_dict().items() if "word_embeddings" not in k
    }


def worker(seed):
    t0 = time.time()
    oof = np.zeros(len(y), np.float32)
    for k, (a, b) in enumerate(FOLDS):
        m = T.fit([ids[i] for i in a] + eids, np.concatenate([y[a], ey]), C, seed * 10 + k)
        oof[b] = T.logits(m, [ids[i] for i in b])
        torch.save(keep(m), f"{TMP}/s{seed}_f{k}.pt")
    m = T.fit(ids + eids, np.concatenate([y, ey]), C, seed * 10 + 9)
    torch.save(keep(m), f"{TMP}/s{seed}_final.pt")
    np.savez(f"{TMP}/s{seed}.npz", oof=oof, test=T.logits(m, tids))
    print("seed", seed, "done", round(time.time() - t0), flush=True)


def metrics(name, oof, tl):
    f, thr = T.best_f1(y, oof)
    r = dict(
        name=name,
        oof_best_f1=f,
        thr=thr,
        test_f1=float(2 * ((tl >= thr) & (yt == 1)).sum() / ((tl >= thr).sum() + yt.sum())),
        test_best=T.best_f1(yt, tl)[0],
    )
    print(json.dumps(r), flush=True)
    return r


def soup_model(paths):
    sds = [torch.load(p) for p in paths]
    avg = {k: sum(sd[k] for sd in sds) / len(sds) for k in sds[0]}
    m = T.Clf(0.1).to(T.dev)
    m.load_state_dict(avg, strict=False)
    return m.eval(), avg


def agg(seeds):
    out = os.environ["OUT"]
    res, logs = [], {}
    per = {s: np.load(f"{TMP}/s{s}.npz") for s in seeds}
    for s in seeds:
        res.append(metrics(f"seed{s}", per[s]["oof"], per[s]["test"]))
        logs[f"seed{s}__oof"], logs[f"seed{s}__test"] = per[s]["oof"], per[s]["test"]
    eo = np.mean([per[s]["oof"] for s in seeds], 0)
    et = np.mean([per[s]["test"] for s in seeds], 0)
    res.append(metrics("ensemble", eo, et))
    logs["ensemble__oof"], logs["ensemble__test"] = eo, et
    so = np.zeros(len(y), np.float32)
    for k, (_a, b) in enumerate(FOLDS):
        m, _ = soup_model([f"{TMP}/s{s}_f{k}.pt" for s in seeds])
        so[b] = T.logits(m, [ids[i] for i in b])
    m, avg = soup_model([f"{TMP}/s{s}_final.pt" for s in seeds])
    st = T.logits(m, tids)
    res.append(metrics("soup", so, st))
    logs["soup__oof"], logs["soup__test"] = so, st
    np.savez(f"{out}/logits2.npz", **logs)
    best_seed = max(seeds, key=lambda s: T.best_f1(y, per[s]["oof"])[0])
    soup_oof = T.best_f1(y, so)[0]
    if soup_oof >= T.best_f1(y, per[best_seed]["oof"])[0]:
        chosen, sd = "soup", avg
    else:
        chosen, sd = f"seed{best_seed}", torch.load(f"{TMP}/s{best_seed}_final.pt")
    sd = {k: v.to(torch.float16) for k, v in sd.items()}
    keys = sorted(sd)
    half = [k for k in keys if any(f"layer.{i}." in k for i in (0, 1, 2))]
    torch.save({k: sd[k] for k in half}, f"{out}/w_a.pt")
    torch.save({k: sd[k] for k in keys if k not in half}, f"{out}/w_b.pt")
    res.append({"chosen": chosen})
    Path(f"{out}/results2.json").write_text(json.dumps(res, indent=1))
    print("chosen", chosen)


if __name__ == "__main__":
    if sys.argv[1] == "worker":
        worker(int(sys.argv[2]))
    else:
        agg([int(s) for s in sys.argv[2:]])

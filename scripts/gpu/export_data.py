"""Export the splits the GPU sweep trains on to .gpu/ (git-ignored): folded SMS texts
and raw URLs with labels and near-duplicate groups, as the shipped models saw them."""

import json
import shutil
from pathlib import Path

from trustwatch.ml import datasets
from trustwatch.ml.finetune import folded
from trustwatch.ml.training import SPECS, training_set
from trustwatch.ml.transformer import minilm_dir

spec = SPECS
out = {}
ts = training_set(spec["smishing_minilm"])
out["sm_train"] = dict(
    text=folded([e.text for e in ts.examples]),
    y=ts.y.tolist(),
    group=[e.group for e in ts.examples],
)
ds = datasets.load("sms_phishing_mendeley")
te = ds.split("test")
out["sm_test"] = dict(
    text=folded([e.text for e in te]),
    y=[int(e.label == "smishing") for e in te],
    group=[e.group for e in te],
)
# synthetic marketplace chat as the linear smishing model sees it (phishing +, clean -)
ts2 = training_set(spec["smishing"])
syn = [(e, y) for e, y in zip(ts2.examples, ts2.y, strict=False) if e.source == "synth_marketplace"]
out["sm_synth"] = dict(
    text=folded([e.text for e, _ in syn]),
    y=[int(y) for _, y in syn],
    group=[e.group for e, _ in syn],
)
u = datasets.load("phishing_urls_hannousse")
for name, sp in (("url_train", ("train", "val")), ("url_test", ("test",))):
    ex = u.split(sp)
    out[name] = dict(
        text=[e.text for e in ex],
        y=[int(e.label == "phishing") for e in ex],
        group=[e.group for e in ex],
    )
for k, v in out.items():
    print(k, len(v["y"]), sum(v["y"]))
Path(".gpu/data.json").write_text(json.dumps(out))
shutil.copy(minilm_dir() / "config.json", ".gpu/config.json")
shutil.copy(minilm_dir() / "tokenizer.json", ".gpu/tokenizer.json")

"""Rebuild BertModel fp32 weights from the int8 ONNX encoder (per-channel dequantisation)."""

import sys

import numpy as np
import onnx
from onnx import numpy_helper


def state_dict_from_onnx(path):
    m = onnx.load(path)
    init = {i.name: numpy_helper.to_array(i) for i in m.graph.initializer}
    out = {}
    deq = {}
    for n in m.graph.node:
        if n.op_type == "DequantizeLinear" and n.input[0] in init:
            q, s, z = (init[x] for x in n.input[:3])
            axis = next((a.i for a in n.attribute if a.name == "axis"), 1)
            q = q.astype(np.float32)
            z = z.astype(np.float32)
            if s.ndim == 1:
                shape = [1] * q.ndim
                shape[axis] = -1
                s = s.reshape(shape)
                z = z.reshape(shape)
            deq[n.output[0]] = (q - z) * s
    producers = {o: n for n in m.graph.node for o in n.output}
    consumers = {}
    for n in m.graph.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    for name, arr in init.items():
        if name.startswith("inner.") and arr.dtype == np.float32 and not name.endswith(("_scale",)):
            out[name[len("inner.") :]] = arr
    for name in list(init):
        if name.startswith("inner.embeddings.") and name.endswith("_quantized"):
            b = name[: -len("_quantized")]
            q = init[name].astype(np.float32)
            out[b[len("inner.") :]] = (q - init[b + "_zero_point"].astype(np.float32)) * init[
                b + "_scale"
            ]
    for n in m.graph.node:
        if n.op_type == "MatMulInteger" and n.input[1] in init:
            w = init[n.input[1]].astype(np.float32)
            wz = init[n.input[3]].astype(np.float32)
            ws = init[n.input[1].replace("_quantized", "_scale")]
            mod = n.name.replace("/inner/", "").replace("/MatMul_quant", "").replace("/", ".")
            out[mod + ".weight"] = ((w - wz[None, :]) * ws[None, :]).T.copy()
    for qname, w in {}.items():
        base = None
        for c in consumers.get(qname, []):
            if c.op_type == "Gather":
                # embeddings: the quantized initializer name tells which
                src = producers[qname].input[0]
                base = src.replace("_quantized", "")[len("inner.") :]
                out[base] = w
            elif c.op_type == "MatMul":
                for add in consumers.get(c.output[0], []):
                    if add.op_type == "Add":
                        bias = next(
                            (
                                x
                                for x in add.input
                                if x.startswith("inner.") and x.endswith(".bias")
                            ),
                            None,
                        )
                        if bias:
                            base = bias[len("inner.") : -len(".bias")] + ".weight"
                            out[base] = w.T.copy()
        if base is None:
            print("unmapped", qname, [c.op_type for c in consumers.get(qname, [])], file=sys.stderr)
    return out


if __name__ == "__main__":
    sd = state_dict_from_onnx(sys.argv[1])
    print(len(sd))
    for k in sorted(sd):
        print(k, sd[k].shape)

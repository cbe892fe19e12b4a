#!/usr/bin/env python3
"""Prints where a graph entry begins in a binary ONNX model, as onnx-compile's diagnostics
give it (`model.onnx:@0x1a2b`), for lit tests:

  model_offset.py MODEL.onnx node|initializer|input|output INDEX [--decimal]

Found independently of the compiler's wire-format scan: the entry is serialized on its own
and looked up in the file's bytes (it must occur exactly once). Prints e.g. `0x1a2b`."""
import sys

import onnx

path, kind, index = sys.argv[1], sys.argv[2], int(sys.argv[3])
data = open(path, "rb").read()
model = onnx.load_from_string(data)
entry = {"node": model.graph.node, "initializer": model.graph.initializer,
         "input": model.graph.input, "output": model.graph.output}[kind][index]
needle = entry.SerializeToString()
if data.count(needle) != 1:
    sys.exit(f"model_offset.py: {kind} {index} occurs {data.count(needle)} times in {path}")
offset = data.find(needle)
print(offset if "--decimal" in sys.argv[4:] else hex(offset))

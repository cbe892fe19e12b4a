"""Writes a Conv (16 -> 36 channels, 3x3, random constant weights) + residual Add + Relu on an
N x N input: conv_residual.py N OUT.onnx"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

n, out = int(sys.argv[1]), sys.argv[2]
w = np.random.default_rng(0).standard_normal((36, 16, 3, 3)).astype(np.float32)
graph = helper.make_graph(
    [helper.make_node("Conv", ["X", "W"], ["C"]), helper.make_node("Add", ["C", "R"], ["A"]),
     helper.make_node("Relu", ["A"], ["Y"])], "g",
    [helper.make_tensor_value_info("X", TensorProto.FLOAT, [1, 16, n, n]),
     helper.make_tensor_value_info("R", TensorProto.FLOAT, [1, 36, n - 2, n - 2])],
    [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [1, 36, n - 2, n - 2])],
    [numpy_helper.from_array(w, "W")])
onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), out)

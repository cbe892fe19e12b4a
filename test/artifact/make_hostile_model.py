#!/usr/bin/python3
"""Writes a small model whose tensor names are not C identifiers (and collide once cleaned),
for the header test: hostile_model.py OUT.onnx"""
import sys

import onnx
from onnx import TensorProto, helper

inputs = ["input:0", "class", "1x", "input_0"]
nodes = [helper.make_node("Add", ["input:0", "class"], ["s1"]),
         helper.make_node("Mul", ["s1", "1x"], ["s2"]),
         helper.make_node("Sub", ["s2", "input_0"], ["out/put"]),
         helper.make_node("Relu", ["out/put"], ["int"])]
graph = helper.make_graph(
    nodes, "hostile",
    [helper.make_tensor_value_info(n, TensorProto.FLOAT, [2, 3]) for n in inputs],
    [helper.make_tensor_value_info("out/put", TensorProto.FLOAT, [2, 3]),
     helper.make_tensor_value_info("int", TensorProto.FLOAT, [2, 3])])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
onnx.checker.check_model(model)
onnx.save(model, sys.argv[1])

#!/usr/bin/python3
"""Writes the broken-model corpus: make_corpus.py OUT_DIR.

One sub-folder per case holding `model.onnx` (or whatever the case needs beside it) and
`expect.txt`: a substring the error message must contain. Every case must give a clean error
(exit 1) naming what is wrong; none may crash, hang or read outside the model's folder.
"""
import os
import random
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = sys.argv[1]
cases = {}


def model(nodes, inputs, outputs, inits=(), opset=13, ir=8, domains=()):
    g = helper.make_graph(nodes, "g", inputs, outputs, list(inits))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)] +
                          [helper.make_opsetid(d, 1) for d in domains])
    m.ir_version = ir
    return m


def vi(name, shape, dt=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, dt, shape)


def add(name, expect, data=None, m=None, extra=None, where=None):
    """`where`: ("node"|"initializer"|"input"|"output", index, description) when the error is
    about one graph entry: the message must then start `model.onnx:@0x<offset>: <description>`
    with the entry's byte offset, found here by looking up its serialized bytes in the file."""
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    if m is not None:
        data = m.SerializeToString()
    if data is not None:
        with open(os.path.join(d, "model.onnx"), "wb") as f:
            f.write(data)
    if extra:
        extra(d)
    with open(os.path.join(d, "expect.txt"), "w") as f:
        f.write(expect)
    if where:
        kind, index, description = where
        entry = getattr(m.graph, kind)[index].SerializeToString()
        assert data.count(entry) == 1, (name, kind, index)
        with open(os.path.join(d, "where.txt"), "w") as f:
            f.write(f"model.onnx:@{data.find(entry):#x}: {description}")


relu = model([helper.make_node("Relu", ["x"], ["y"], name="r")], [vi("x", [2, 3])], [vi("y", [2, 3])])
good = relu.SerializeToString()
for cut in (1, 7, len(good) // 2, len(good) - 1):
    add(f"truncated_{cut}", "not a valid ONNX model", good[:cut])
rng = random.Random(1234)
for n in (1, 16, 1000, 100000):
    add(f"random_{n}", "error:", bytes(rng.getrandbits(8) for _ in range(n)))
add("empty_file", "is empty", b"")
add("directory", "is a directory", extra=lambda d: os.makedirs(os.path.join(d, "model.onnx"), exist_ok=True))
for ir in (0, 2, 11, 1000):
    m = onnx.ModelProto(); m.CopyFrom(relu); m.ir_version = ir
    add(f"ir_version_{ir}", "IR version", m=m)
add("opset_too_new", "opset 99", m=model([helper.make_node("Relu", ["x"], ["y"])], [vi("x", [2])], [vi("y", [2])], opset=99))
add("cycle", "cycle", where=("node", 0, "node 'n1' (Relu, opset 13): error:"), m=model([helper.make_node("Relu", ["b"], ["a"], name="n1"),
                               helper.make_node("Relu", ["a"], ["b"], name="n2"),
                               helper.make_node("Add", ["x", "b"], ["y"], name="n3")],
                              [vi("x", [2])], [vi("y", [2])]))
add("input_never_produced", "is not a graph input, an initializer, or the output of any node",
    where=("node", 0, "node 'adder' (Add, opset 13): error:"), m=model([helper.make_node("Add", ["x", "ghost"], ["y"], name="adder")], [vi("x", [2])], [vi("y", [2])]))
add("duplicate_output_name", "defined more than once",
    where=("node", 1, "node 'b' (Neg, opset 13): error:"), m=model([helper.make_node("Relu", ["x"], ["y"], name="a"), helper.make_node("Neg", ["x"], ["y"], name="b")],
            [vi("x", [2])], [vi("y", [2])]))
add("output_never_produced", "is never produced", where=("output", 0, "error: graph output 'z'"),
    m=model([helper.make_node("Relu", ["x"], ["y"])], [vi("x", [2])], [vi("z", [2])]))
bad = numpy_helper.from_array(np.ones((4, 4), np.float32), "w")
bad.raw_data = bad.raw_data[:10]
add("initializer_size_mismatch", "raw_data holds 10 bytes",
    where=("initializer", 0, "error: initializer 'w'"), m=model([helper.make_node("MatMul", ["x", "w"], ["y"])], [vi("x", [2, 4])], [vi("y", [2, 4])], [bad]))
neg = helper.make_tensor("w", TensorProto.FLOAT, [2, 3], [0.0] * 6); neg.dims[0] = -2
add("initializer_negative_dim", "negative dimension", where=("initializer", 0, "error: initializer 'w'"),
    m=model([helper.make_node("Add", ["x", "w"], ["y"])], [vi("x", [2, 3])], [vi("y", [2, 3])], [neg]))
huge = helper.make_tensor("w", TensorProto.FLOAT, [1], [0.0]); del huge.dims[:]; huge.dims.extend([2**40, 2**40])
add("initializer_overflowing_dims", "overflows", where=("initializer", 0, "error: initializer 'w'"),
    m=model([helper.make_node("Add", ["x", "w"], ["y"])], [vi("x", [2])], [vi("y", [2])], [huge]))
typed = helper.make_tensor("w", TensorProto.FLOAT, [2], [1.0, 2.0]); typed.dims[0] = 3  # 2 values, 3 elements
add("initializer_typed_count", "has 2 values but its shape needs 3",
    where=("initializer", 0, "error: initializer 'w'"), m=model([helper.make_node("Add", ["x", "w"], ["y"])], [vi("x", [3])], [vi("y", [3])], [typed]))
add("input_negative_dim", "negative dimension", m=(lambda m: (m.graph.input[0].type.tensor_type.shape.dim[0].__setattr__("dim_value", -5), m)[1])(
    model([helper.make_node("Relu", ["x"], ["y"])], [vi("x", [2])], [vi("y", [2])])))
# A weight the node names but the model never provides (no initializer, no graph input).
add("missing_initializer", "input 'W' is not a graph input, an initializer",
    where=("node", 0, "node 'conv' (Conv, opset 13): error:"),
    m=model([helper.make_node("Conv", ["x", "W"], ["y"], name="conv")],
            [vi("x", [1, 1, 4, 4])], [vi("y", [1, 1, 2, 2])]))
# An initializer with a shape and no data at all.
empty_init = helper.make_tensor("w", TensorProto.FLOAT, [1], [0.0]); del empty_init.float_data[:]; empty_init.dims[0] = 4
add("initializer_without_data", "has 0 values but its shape needs 4",
    where=("initializer", 0, "error: initializer 'w'"),
    m=model([helper.make_node("Add", ["x", "w"], ["y"])], [vi("x", [4])], [vi("y", [4])], [empty_init]))
# A graph input whose element count does not fit in 64 bits (2^62 x 8 = 2^65).
add("input_overflowing_dims", "more elements than fit in 64 bits",
    where=("input", 0, "error: 'x'"),
    m=model([helper.make_node("Relu", ["x"], ["y"])], [vi("x", [2**62, 8])], [vi("y", [2**62, 8])]))
add("attribute_wrong_type", "alpha", where=("node", 0, "node 'lr' (LeakyRelu, opset 13): error:"),
    m=model([helper.make_node("LeakyRelu", ["x"], ["y"], name="lr", alpha="big")], [vi("x", [2])], [vi("y", [2])]))
add("conv_group_float", "group", where=("node", 0, "node 'c' (Conv, opset 13): error:"),
    m=model([helper.make_node("Conv", ["x", "w"], ["y"], name="c", group=2.0)],
            [vi("x", [1, 2, 4, 4]), vi("w", [2, 1, 3, 3])], [vi("y", [1, 2, 2, 2])]))
add("unknown_domain", "domain 'my.domain' is not imported",
    where=("node", 0, "node 'r' (Relu, domain 'my.domain'): note:"), m=model([helper.make_node("Relu", ["x"], ["y"], domain="my.domain", name="r")], [vi("x", [2])], [vi("y", [2])]))
add("too_few_inputs", "Conv", where=("node", 0, "node 'c' (Conv, opset 13): error:"),
    m=model([helper.make_node("Conv", ["x"], ["y"], name="c")], [vi("x", [1, 1, 4, 4])], [vi("y", [1, 1, 4, 4])]))
add("no_inputs_softmax", "input 0 is missing", where=("node", 0, "node 's' (Softmax, opset 13): error:"),
    m=model([helper.make_node("Softmax", [], ["y"], name="s")], [], [vi("y", [2])]))
add("constant_without_value", "Constant", where=("node", 0, "node 'k' (Constant, opset 13): error:"),
    m=model([helper.make_node("Constant", [], ["y"], name="k")], [], [vi("y", [2])]))
# Optional types (compiler/import/Optionals.cpp): malformed uses get a clean error.
def opt_vi(name, inner):
    return helper.make_value_info(name, helper.make_optional_type_proto(inner))
add("optional_of_optional_input", "only optionals of tensors are supported",
    where=("input", 0, "error: 'x'"),
    m=model([helper.make_node("OptionalHasElement", ["x"], ["h"])],
            [opt_vi("x", helper.make_optional_type_proto(helper.make_tensor_type_proto(TensorProto.FLOAT, [2])))],
            [vi("h", [], TensorProto.BOOL)], opset=18))
add("optional_undefined_dtype", "data type", where=("input", 0, "error: 'x'"),
    m=model([helper.make_node("OptionalHasElement", ["x"], ["h"])],
            [opt_vi("x", helper.make_tensor_type_proto(TensorProto.UNDEFINED, [2]))],
            [vi("h", [], TensorProto.BOOL)], opset=18))
add("optional_get_of_tensor_opset15", "is not an optional",
    where=("node", 0, "node 'g' (OptionalGetElement, opset 15): error:"),
    m=model([helper.make_node("OptionalGetElement", ["x"], ["y"], name="g")], [vi("x", [2])],
            [vi("y", [2])], opset=15))
add("optional_without_type", "needs the 'type' attribute",
    where=("node", 0, "node 'o' (Optional, opset 18): error:"),
    m=model([helper.make_node("Optional", [], ["o"], name="o"),
             helper.make_node("OptionalHasElement", ["o"], ["h"])], [],
            [vi("h", [], TensorProto.BOOL)], opset=18))
add("optional_huge_type", "more elements than a placeholder may have",
    where=("node", 0, "node 'o' (Optional, opset 18): error:"),
    m=model([helper.make_node("Optional", [], ["o"], name="o",
                              type=helper.make_tensor_type_proto(TensorProto.FLOAT, [2**40, 2**40])),
             helper.make_node("OptionalHasElement", ["o"], ["h"])], [],
            [vi("h", [], TensorProto.BOOL)], opset=18))
add("optional_two_inputs", "takes at most one input",
    where=("node", 0, "node 'h' (OptionalHasElement, opset 18): error:"),
    m=model([helper.make_node("OptionalHasElement", ["x", "x"], ["h"], name="h")],
            [opt_vi("x", helper.make_tensor_type_proto(TensorProto.FLOAT, [2]))],
            [vi("h", [], TensorProto.BOOL)], opset=18))
add("optional_output", "optional-typed graph outputs are not supported",
    where=("output", 0, "error: graph output 'o'"),
    m=model([helper.make_node("Optional", ["x"], ["o"])], [vi("x", [2])],
            [opt_vi("o", helper.make_tensor_type_proto(TensorProto.FLOAT, [2]))], opset=18))
# Sequence inputs and outputs (compiler/import: Sequences.cpp, SequenceMap.cpp).
def seq_vi(name, inner):
    return helper.make_value_info(name, helper.make_sequence_type_proto(inner))
F32_ANY = helper.make_tensor_type_proto(TensorProto.FLOAT, None)
add("sequence_of_sequences_input", "only sequences of tensors",
    where=("input", 0, "error: 'x'"),
    m=model([helper.make_node("Identity", ["x"], ["y"])],
            [seq_vi("x", helper.make_sequence_type_proto(F32_ANY))], [seq_vi("y", F32_ANY)],
            opset=17))
add("sequence_map_body_arity", "the body takes 1 inputs but the node has 2",
    where=("node", 0, "node 'm' (SequenceMap, opset 17): error:"),
    m=model([helper.make_node("SequenceMap", ["x", "x"], ["y"], name="m", body=helper.make_graph(
        [helper.make_node("Neg", ["a"], ["b"])], "b", [vi("a", [2])], [vi("b", [2])]))],
            [seq_vi("x", F32_ANY)], [seq_vi("y", F32_ANY)], opset=17))
add("sequence_map_unranked_body", "has no shape",
    where=("node", 0, "node 'm' (SequenceMap, opset 17): error:"),
    m=model([helper.make_node("SequenceMap", ["x"], ["y"], name="m", body=helper.make_graph(
        [helper.make_node("Neg", ["a"], ["b"])], "b",
        [helper.make_value_info("a", F32_ANY)], [vi("b", [2])]))],
            [seq_vi("x", F32_ANY)], [seq_vi("y", F32_ANY)], opset=17))
add("sequence_insert_float_position", "'position' must be an int32 or int64 scalar",
    where=("node", 0, "node 'i' (SequenceInsert, opset 17): error:"),
    m=model([helper.make_node("SequenceInsert", ["x", "t", "p"], ["y"], name="i")],
            [seq_vi("x", F32_ANY), vi("t", [2]), vi("p", [])], [seq_vi("y", F32_ANY)],
            opset=17))
add("sequence_length_loop_not_a_map", "loop-carried value 'z' is not an empty sequence",
    where=("node", 2, "node 'l' (Loop, opset 17): error:"),
    m=model([helper.make_node("SequenceLength", ["x"], ["n"]),
             helper.make_node("Constant", [], ["z"], value=helper.make_tensor("z", TensorProto.FLOAT, [], [0.0])),
             helper.make_node("Loop", ["n", "", "z"], ["s"], name="l", body=helper.make_graph(
                 [helper.make_node("Identity", ["c"], ["c2"]), helper.make_node("Identity", ["v"], ["v2"])],
                 "b", [vi("i", [], TensorProto.INT64), vi("c", [], TensorProto.BOOL), vi("v", [])],
                 [vi("c2", [], TensorProto.BOOL), vi("v2", [])]))],
            [seq_vi("x", F32_ANY)], [vi("s", [])], opset=17))
add("channel_mismatch", "channels", where=("node", 0, "node 'c' (Conv, opset 13): error:"),
    m=model([helper.make_node("Conv", ["x", "w"], ["y"], name="c")],
            [vi("x", [1, 3, 8, 8]), vi("w", [4, 2, 3, 3])], [vi("y", [1, 4, 6, 6])]))


def external(name, location, expect, length=None, offset=None, setup=None):
    w = numpy_helper.from_array(np.ones(4, np.float32), "w")
    w.data_location = TensorProto.EXTERNAL
    w.ClearField("raw_data")
    for k, v in (("location", location), ("offset", offset), ("length", length)):
        if v is not None:
            e = w.external_data.add(); e.key = k; e.value = str(v)
    m = model([helper.make_node("Add", ["x", "w"], ["y"])], [vi("x", [4])], [vi("y", [4])], [w])
    add(name, expect, m=m, extra=setup, where=("initializer", 0, "error: initializer 'w'"))


def symlinked_dir(d):
    """sub/ -> a folder outside the model's (its w.bin is a valid 16-byte file)."""
    outside = os.path.join(d, "..", "outside_dir")
    os.makedirs(outside, exist_ok=True)
    open(os.path.join(outside, "w.bin"), "wb").write(b"\0" * 16)
    if not os.path.lexists(os.path.join(d, "sub")):
        os.symlink(os.path.abspath(outside), os.path.join(d, "sub"))


external("external_parent_dir", "../secret.bin", "leaves the model's folder",
         setup=lambda d: open(os.path.join(d, "..", "secret.bin"), "wb").write(b"\0" * 16))
external("external_absolute", "/etc/passwd", "is absolute")
external("external_symlink_out", "link.bin", "leaves the model's folder",
         setup=lambda d: (os.path.lexists(os.path.join(d, "link.bin")) or
                          os.symlink("/etc/hostname", os.path.join(d, "link.bin"))))
external("external_past_eof", "w.bin", "past the end", offset=8, length=16,
         setup=lambda d: open(os.path.join(d, "w.bin"), "wb").write(b"\0" * 16))
external("external_missing_file", "nope.bin", "cannot be opened")
external("external_bad_offset", "w.bin", "not a valid number", offset="12abc",
         setup=lambda d: open(os.path.join(d, "w.bin"), "wb").write(b"\0" * 16))
external("external_symlinked_dir_out", "sub/w.bin", "leaves the model's folder", setup=symlinked_dir)
external("external_dotdot_inside", "sub2/../../secret.bin", "leaves the model's folder",
         setup=lambda d: (os.makedirs(os.path.join(d, "sub2"), exist_ok=True),
                          open(os.path.join(d, "..", "secret.bin"), "wb").write(b"\0" * 16)))
external("external_location_is_dir", "wdir", "is not a regular file",
         setup=lambda d: os.makedirs(os.path.join(d, "wdir"), exist_ok=True))
# offset + length would overflow a signed 64-bit sum.
external("external_length_overflow", "w.bin", "past the end", offset=8, length=2**63 - 1,
         setup=lambda d: open(os.path.join(d, "w.bin"), "wb").write(b"\0" * 16))
external("external_offset_huge", "w.bin", "past the end", offset=2**63 - 1, length=16,
         setup=lambda d: open(os.path.join(d, "w.bin"), "wb").write(b"\0" * 16))
external("external_number_too_big", "w.bin", "not a valid number", offset=2**64,
         setup=lambda d: open(os.path.join(d, "w.bin"), "wb").write(b"\0" * 16))
external("external_wrong_length", "w.bin", "holds 8 bytes but the shape needs 16", length=8,
         setup=lambda d: open(os.path.join(d, "w.bin"), "wb").write(b"\0" * 16))
# Range without a valid length: refused when the values are constants (a run with run-time
# values returns ONNXC_ERROR_DATA_SIZE instead: test/e2e/run_data_dependent.py).
def range_model(start, limit, delta, output_shape):
    inits, inputs = [], []
    for name, v in (("s", start), ("l", limit), ("d", delta)):
        if v is None:
            inputs.append(vi(name, []))
        else:
            inits.append(helper.make_tensor(name, TensorProto.FLOAT, [], [v]))
    return model([helper.make_node("Range", ["s", "l", "d"], ["y"], name="rg")], inputs,
                 [vi("y", output_shape)], inits=inits)
add("range_delta_zero", "delta is 0", m=range_model(None, None, 0.0, [None]),
    where=("node", 0, "node 'rg' (Range, opset 13): error:"))
add("range_constant_huge", "above 2^31 - 1", m=range_model(0.0, 1e12, 1.0, [None]),
    where=("node", 0, "node 'rg' (Range, opset 13): error:"))
add("range_constant_nan", "not finite", m=range_model(0.0, float("nan"), 1.0, [None]),
    where=("node", 0, "node 'rg' (Range, opset 13): error:"))
# (A graph output whose size comes from run-time values with no bound is allocated by the
# run through the caller's allocator: test/e2e/run_data_dependent.py.)
# Deep graphs must not exhaust the stack anywhere (import, passes, codegen).
chain = [helper.make_node("Relu", ["x" if i == 0 else f"t{i}"], [f"t{i + 1}"]) for i in range(5000)]
chain.append(helper.make_node("Foo", ["t5000"], ["y"], name="last"))
add("deep_chain_unsupported_tail", "operator Foo", m=model(chain, [vi("x", [2])], [vi("y", [2])]))
print(f"wrote {sum(os.path.isdir(os.path.join(OUT, c)) for c in os.listdir(OUT))} cases to {OUT}")

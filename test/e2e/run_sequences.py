#!/usr/bin/python3
"""Sequence-typed graph inputs and outputs, end to end (README "Sequences"; ABI 6,
onnxc_sequence): generated models compiled once each and run with onnx-run on sequences of
random length whose tensors have random dims, against numpy:

  - a sequence input passed through and edited: SequenceInsert at a run-time position (a
    graph input), SequenceErase, Identity; a position out of range ends the run with
    status 12; a tensor output beside the sequence output;
  - optional sequence inputs (OptionalProto files): Identity to an optional output (absent
    in, absent out), OptionalGetElement (absent: status 12);
  - SequenceMap over sequence inputs (the kernel runs once per element with its dims), its
    Loop expansion, Shape of each element; SequenceMap over a sequence built in the graph;
  - sequences built in the graph as outputs: SplitToSequence, an If with a run-time
    condition whose branches build sequences of one length;
  - a map whose tensor input shares the elements' run-time dim (the caller passes it);
  - a C program (seq_api.c) on the generated headers: onnxc_sequence in and out, the
    descriptor's flags, a caller's allocator, the status of bad sequences.

    run_sequences.py --onnx-compile BIN --onnx-run BIN --work DIR --cc CC --include DIR
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
from e2e_harness import Harness, run  # noqa: E402

STATUS_TEXT = "the inputs ask for something the model cannot compute"
F, I64 = TensorProto.FLOAT, TensorProto.INT64


def seq_info(name, elem, shape=None):
    return helper.make_value_info(
        name, helper.make_sequence_type_proto(helper.make_tensor_type_proto(elem, shape)))


def opt_seq_info(name, elem, shape=None):
    return helper.make_value_info(name, helper.make_optional_type_proto(
        helper.make_sequence_type_proto(helper.make_tensor_type_proto(elem, shape))))


def tensor_info(name, elem, shape):
    return helper.make_tensor_value_info(name, elem, shape)


def model_of(name, nodes, inputs, outputs, opset=17):
    graph = helper.make_graph(nodes, name, inputs, outputs)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def sequence_proto(name, arrays):
    s = onnx.SequenceProto()
    s.name = name
    s.elem_type = onnx.SequenceProto.TENSOR
    for a in arrays:
        s.tensor_values.append(numpy_helper.from_array(np.asarray(a)))
    return s


def value_proto(name, value, kind):
    """kind: tensor, sequence, optional (an OptionalProto of a sequence), absent."""
    if kind == "tensor":
        return numpy_helper.from_array(value, name)
    if kind == "sequence":
        return sequence_proto(name, value)
    o = onnx.OptionalProto()
    o.name = name
    if kind == "optional":
        o.elem_type = onnx.OptionalProto.SEQUENCE
        o.sequence_value.CopyFrom(sequence_proto(name, value))
    return o


def write_values(folder, values, prefix):
    os.makedirs(folder, exist_ok=True)
    for i, (name, value, kind) in enumerate(values):
        with open(os.path.join(folder, f"{prefix}_{i}.pb"), "wb") as fh:
            fh.write(value_proto(name, value, kind).SerializeToString())


def main():
    h = Harness(__doc__, rtol=1e-6, atol=1e-6)
    a = h.args
    rng = h.rng

    def compile_model(name, model, extra=()):
        path = os.path.join(a.work, name + ".onnx")
        onnx.save(model, path)
        lib = os.path.join(a.work, name + ".so")
        rc, out = run([a.onnx_compile, path, "-o", lib, *extra])
        h.report(rc == 0 and "warning" not in out, f"{name}: compiles (no warning)", out)
        return lib if rc == 0 else None

    def expect(lib, name, desc, inputs, outputs=None):
        """outputs None: the run must end with status 12, cleanly."""
        folder = os.path.join(a.work, f"{name}_{desc.replace(' ', '_')}")
        if os.path.isdir(folder):
            for f in os.listdir(folder):
                os.remove(os.path.join(folder, f))
        write_values(folder, inputs, "input")
        if outputs is None:
            rc, out = run([a.onnx_run, lib, "--inputs", folder])
            h.report(rc == 3 and STATUS_TEXT in out, f"{name} {desc}: status 12", out)
            return
        write_values(folder, outputs, "output")
        rc, out = run([a.onnx_run, lib, "--inputs", folder, "--expect", folder,
                       "--rtol", "1e-6", "--atol", "1e-6"])
        h.report(rc == 0, f"{name} {desc}", out)

    def random_sequence(n, rank=None, dtype=np.float32):
        out = []
        for _ in range(n):
            r = rank if rank is not None else int(rng.integers(0, 4))
            shape = tuple(int(d) for d in rng.integers(0, 4, size=r))
            out.append(rng.standard_normal(shape).astype(dtype))
        return out

    # SequenceInsert at a run-time position of a tensor computed in the graph, then
    # SequenceErase of the last tensor; a tensor output beside.
    lib = compile_model("seq_insert", model_of("seq_insert", [
        helper.make_node("Add", ["t", "t"], ["t2"]),
        helper.make_node("SequenceInsert", ["x", "t2", "pos"], ["y"]),
        helper.make_node("SequenceInsert", ["y", "t"], ["y2"]),
        helper.make_node("SequenceErase", ["y2"], ["z"]),
        helper.make_node("Mul", ["t", "t"], ["w"])],
        [seq_info("x", F), tensor_info("t", F, [2, 3]), tensor_info("pos", I64, [])],
        [seq_info("z", F), tensor_info("w", F, [2, 3])], opset=11))
    if lib:
        for r in range(a.runs + 1):
            n = 0 if r == 0 else int(rng.integers(1, 6))
            x = random_sequence(n)
            t = rng.standard_normal((2, 3)).astype(np.float32)
            pos = int(rng.integers(-n, n + 1))
            want = list(x)
            want.insert(pos if pos >= 0 else pos + n, t + t)
            expect(lib, "seq_insert", f"n={n} pos={pos}",
                   [("x", x, "sequence"), ("t", t, "tensor"),
                    ("pos", np.array(pos, np.int64), "tensor")],
                   [("z", want, "sequence"), ("w", t * t, "tensor")])
        expect(lib, "seq_insert", "pos out of range",
               [("x", random_sequence(2), "sequence"), ("t", t, "tensor"),
                ("pos", np.array(4, np.int64), "tensor")])

    # SequenceErase at a run-time position of an int64 sequence, then Identity.
    lib = compile_model("seq_erase", model_of("seq_erase", [
        helper.make_node("SequenceErase", ["x", "pos"], ["y"]),
        helper.make_node("Identity", ["y"], ["z"])],
        [seq_info("x", I64), tensor_info("pos", TensorProto.INT32, [])],
        [seq_info("z", I64)], opset=11))
    if lib:
        for r in range(a.runs):
            n = int(rng.integers(1, 6))
            x = [rng.integers(-9, 9, size=int(rng.integers(0, 5))).astype(np.int64)
                 for _ in range(n)]
            pos = int(rng.integers(-n, n))
            want = list(x)
            del want[pos]
            expect(lib, "seq_erase", f"n={n} pos={pos}",
                   [("x", x, "sequence"), ("pos", np.array(pos, np.int32), "tensor")],
                   [("z", want, "sequence")])
        expect(lib, "seq_erase", "empty", [("x", [], "sequence"),
                                           ("pos", np.array(0, np.int32), "tensor")])

    # Optional sequences: Identity keeps absence; OptionalGetElement of an absent one fails.
    lib = compile_model("seq_opt_identity", model_of("seq_opt_identity", [
        helper.make_node("Identity", ["x"], ["y"]),
        helper.make_node("OptionalHasElement", ["x"], ["has"])],
        [opt_seq_info("x", F, [2])], [opt_seq_info("y", F, [2]),
                                      tensor_info("has", TensorProto.BOOL, [])], opset=16))
    if lib:
        x = [rng.standard_normal(2).astype(np.float32) for _ in range(3)]
        expect(lib, "seq_opt_identity", "present", [("x", x, "optional")],
               [("y", x, "optional"), ("has", np.array(True), "tensor")])
        expect(lib, "seq_opt_identity", "absent", [("x", None, "absent")],
               [("y", None, "absent"), ("has", np.array(False), "tensor")])
    lib = compile_model("seq_opt_get", model_of("seq_opt_get", [
        helper.make_node("OptionalGetElement", ["x"], ["y"])],
        [opt_seq_info("x", I64)], [seq_info("y", I64)], opset=16))
    if lib:
        x = [np.arange(int(rng.integers(0, 5)), dtype=np.int64) for _ in range(2)]
        expect(lib, "seq_opt_get", "present", [("x", x, "optional")], [("y", x, "sequence")])
        expect(lib, "seq_opt_get", "absent", [("x", None, "absent")])

    # An If whose branches yield an optional sequence: absent (Optional with a sequence type)
    # in one, built in the other (node/test_if_opt's shape). The graph output is absent or
    # the sequence; OptionalHasElement reads the presence; OptionalGetElement of the absent
    # one ends the run with status 12.
    absent = helper.make_graph([helper.make_node(
        "Optional", [], ["o"], type=helper.make_sequence_type_proto(
            helper.make_tensor_type_proto(F, [2, 3])))], "absent", [], [opt_seq_info("o", F)])
    built = helper.make_graph([
        helper.make_node("Add", ["t", "t"], ["t2"]),
        helper.make_node("Transpose", ["t"], ["t3"]),
        helper.make_node("SequenceConstruct", ["t2", "t3"], ["sq"]),
        helper.make_node("Optional", ["sq"], ["o"])], "built", [], [opt_seq_info("o", F)])
    if_node = helper.make_node("If", ["c"], ["y"], then_branch=absent, else_branch=built)
    lib = compile_model("seq_if_opt", model_of("seq_if_opt", [
        if_node, helper.make_node("OptionalHasElement", ["y"], ["has"])],
        [tensor_info("c", TensorProto.BOOL, []), tensor_info("t", F, [2, 3])],
        [opt_seq_info("y", F), tensor_info("has", TensorProto.BOOL, [])], opset=16))
    if lib:
        t = rng.standard_normal((2, 3)).astype(np.float32)
        expect(lib, "seq_if_opt", "present",
               [("c", np.array(False), "tensor"), ("t", t, "tensor")],
               [("y", [t + t, t.T], "optional"), ("has", np.array(True), "tensor")])
        expect(lib, "seq_if_opt", "absent",
               [("c", np.array(True), "tensor"), ("t", t, "tensor")],
               [("y", None, "absent"), ("has", np.array(False), "tensor")])
    lib = compile_model("seq_if_opt_get", model_of("seq_if_opt_get", [
        if_node, helper.make_node("OptionalGetElement", ["y"], ["g"]),
        helper.make_node("Constant", [], ["one"], value=numpy_helper.from_array(
            np.array(1, np.int64))),
        helper.make_node("SequenceAt", ["g", "one"], ["z"])],
        [tensor_info("c", TensorProto.BOOL, []), tensor_info("t", F, [2, 3])],
        [tensor_info("z", F, [3, 2])], opset=16))
    if lib:
        t = rng.standard_normal((2, 3)).astype(np.float32)
        expect(lib, "seq_if_opt_get", "present",
               [("c", np.array(False), "tensor"), ("t", t, "tensor")], [("z", t.T, "tensor")])
        expect(lib, "seq_if_opt_get", "absent",
               [("c", np.array(True), "tensor"), ("t", t, "tensor")])

    # SequenceMap over two sequence inputs (elements of run-time length N each) and a static
    # tensor: y = in0 * w + in1 (w broadcast along the rows), s = Shape(in0).
    body = helper.make_graph([
        helper.make_node("Mul", ["in0", "w"], ["m"]),
        helper.make_node("Add", ["m", "in1"], ["o0"]),
        helper.make_node("Shape", ["in0"], ["o1"])], "body",
        [tensor_info("in0", F, ["N", 3]), tensor_info("in1", F, ["N", 3]),
         tensor_info("win", F, [3])],
        [tensor_info("o0", F, ["N", 3]), tensor_info("o1", I64, [2])])
    # (the body reads w from the outer graph; its third input is the map's w, unused)
    lib = compile_model("seq_map", model_of("seq_map", [
        helper.make_node("SequenceMap", ["x0", "x1", "w"], ["y", "s"], body=body)],
        [seq_info("x0", F, ["N", 3]), seq_info("x1", F, ["N", 3]), tensor_info("w", F, [3])],
        [seq_info("y", F), seq_info("s", I64)]))
    if lib:
        for r in range(a.runs + 1):
            n = 0 if r == 0 else int(rng.integers(1, 5))
            rows = [int(v) for v in rng.integers(0, 5, size=n)]
            x0 = [rng.standard_normal((k, 3)).astype(np.float32) for k in rows]
            x1 = [rng.standard_normal((k, 3)).astype(np.float32) for k in rows]
            w = rng.standard_normal(3).astype(np.float32)
            expect(lib, "seq_map", f"rows={rows}",
                   [("x0", x0, "sequence"), ("x1", x1, "sequence"), ("w", w, "tensor")],
                   [("y", [p * w + q for p, q in zip(x0, x1)], "sequence"),
                    ("s", [np.array(p.shape, np.int64) for p in x0], "sequence")])
    # The same map as SequenceMap's Loop expansion.
    loop_body = helper.make_graph([
        helper.make_node("Identity", ["cond_in"], ["cond_out"]),
        helper.make_node("SequenceAt", ["x0", "i"], ["e0"]),
        helper.make_node("SequenceAt", ["x1", "i"], ["e1"]),
        helper.make_node("Mul", ["e0", "w"], ["m"]),
        helper.make_node("Add", ["m", "e1"], ["o"]),
        helper.make_node("SequenceInsert", ["acc_in", "o"], ["acc_out"])], "loop_body",
        [tensor_info("i", I64, []), tensor_info("cond_in", TensorProto.BOOL, []),
         seq_info("acc_in", F)],
        [tensor_info("cond_out", TensorProto.BOOL, []), seq_info("acc_out", F)])
    lib = compile_model("seq_map_loop", model_of("seq_map_loop", [
        helper.make_node("SequenceLength", ["x0"], ["len"]),
        helper.make_node("Constant", [], ["true"],
                         value=numpy_helper.from_array(np.array(True))),
        helper.make_node("SequenceEmpty", [], ["empty"], dtype=F),
        helper.make_node("Loop", ["len", "true", "empty"], ["y"], body=loop_body)],
        [seq_info("x0", F, ["N", 3]), seq_info("x1", F, ["N", 3]), tensor_info("w", F, [3])],
        [seq_info("y", F)]))
    if lib:
        for r in range(a.runs):
            rows = [int(v) for v in rng.integers(0, 5, size=int(rng.integers(1, 5)))]
            x0 = [rng.standard_normal((k, 3)).astype(np.float32) for k in rows]
            x1 = [rng.standard_normal((k, 3)).astype(np.float32) for k in rows]
            w = rng.standard_normal(3).astype(np.float32)
            expect(lib, "seq_map_loop", f"rows={rows}",
                   [("x0", x0, "sequence"), ("x1", x1, "sequence"), ("w", w, "tensor")],
                   [("y", [p * w + q for p, q in zip(x0, x1)], "sequence")])

    # Sequences built in the graph as outputs: SplitToSequence, a SequenceMap over it
    # (unrolled at import), an If whose branches build one-tensor sequences.
    neg_body = helper.make_graph([helper.make_node("Neg", ["e"], ["ne"])], "neg",
                                 [tensor_info("e", F, [None, 4])], [tensor_info("ne", F, [None, 4])])
    # (one tensor per branch: an If with two results computed from one input hits a
    # bufferization conflict that plain tensor outputs hit too; not a sequence matter)
    then_g = helper.make_graph([helper.make_node("Relu", ["v"], ["rv"]),
                                helper.make_node("SequenceConstruct", ["rv"], ["ts"])],
                               "then", [], [seq_info("ts", F)])
    else_g = helper.make_graph([helper.make_node("Abs", ["v"], ["av"]),
                                helper.make_node("SequenceConstruct", ["av"], ["es"])],
                               "else", [], [seq_info("es", F)])
    # (split is a constant initializer)
    graph = helper.make_graph([
        helper.make_node("SplitToSequence", ["v", "split"], ["parts"], axis=0),
        helper.make_node("SequenceMap", ["parts"], ["negs"], body=neg_body),
        helper.make_node("If", ["c"], ["branch"], then_branch=then_g, else_branch=else_g)],
        "seq_built",
        [tensor_info("v", F, [5, 4]), tensor_info("c", TensorProto.BOOL, [])],
        [seq_info("parts", F), seq_info("negs", F), seq_info("branch", F)],
        initializer=[numpy_helper.from_array(np.array([2, 3], np.int64), "split")])
    lib = compile_model("seq_built", helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 17)]))
    if lib:
        for c in (True, False):
            v = rng.standard_normal((5, 4)).astype(np.float32)
            parts = [v[:2], v[2:]]
            branch = [np.maximum(v, 0)] if c else [np.abs(v)]
            expect(lib, "seq_built", f"c={c}",
                   [("v", v, "tensor"), ("c", np.array(c), "tensor")],
                   [("parts", parts, "sequence"), ("negs", [-p for p in parts], "sequence"),
                    ("branch", branch, "sequence")])

    # A Loop carrying a sequence its body only appends to (node/test_loop13_seq's shape,
    # generalized): run-time trip count and condition, a sequence input as the entry, two
    # appends per iteration of tensors whose dims change with the iteration (x[0:i+1, :] and
    # its transpose), a carried tensor beside (a model with sequences must otherwise be
    # static: no scan output of run-time length as a graph output). The
    # appended tensors are collected as the body runs (onnxc_rt_sequence_push).
    ci = helper.make_tensor_value_info
    body = helper.make_graph([
        helper.make_node("Identity", ["ci"], ["co"]),
        helper.make_node("Constant", [], ["one"], value=numpy_helper.from_array(
            np.array(1, np.int64))),
        helper.make_node("Constant", [], ["zero"], value=numpy_helper.from_array(
            np.array([0], np.int64))),
        helper.make_node("Add", ["i", "one"], ["end"]),
        helper.make_node("Unsqueeze", ["end", "zero"], ["ends"]),
        helper.make_node("Slice", ["x", "zero", "ends", "zero"], ["rows"]),
        helper.make_node("SequenceInsert", ["si", "rows"], ["s1"]),
        helper.make_node("Transpose", ["rows"], ["cols"], perm=[1, 0]),
        helper.make_node("SequenceInsert", ["s1", "cols"], ["so"]),
        helper.make_node("ReduceSum", ["rows"], ["rs"], keepdims=0),
        helper.make_node("Add", ["acc", "rs"], ["acco"])], "body",
        [ci("i", I64, []), ci("ci", TensorProto.BOOL, []), seq_info("si", F),
         ci("acc", F, [3])],
        [ci("co", TensorProto.BOOL, []), seq_info("so", F), ci("acco", F, [3])])
    lib = compile_model("seq_loop_append", model_of("seq_loop_append", [
        helper.make_node("Loop", ["n", "c", "s", "a0"], ["sout", "aout"], body=body)],
        [tensor_info("n", I64, []), tensor_info("c", TensorProto.BOOL, []), seq_info("s", F),
         tensor_info("a0", F, [3]), tensor_info("x", F, [5, 3])],
        [seq_info("sout", F), tensor_info("aout", F, [3])],
        opset=13))
    if lib:
        for n, c in ((0, True), (1, True), (3, False), (4, True), (7, True)):
            x = rng.standard_normal((5, 3)).astype(np.float32)
            a0 = rng.standard_normal(3).astype(np.float32)
            s = random_sequence(int(rng.integers(0, 3)))
            want, acc = list(s), a0.copy()
            for i in range(n if c else 0):
                rows = x[:i + 1]
                want += [rows, rows.T]
                acc = acc + rows.sum()  # ReduceSum without axes: all of them
            expect(lib, "seq_loop_append", f"n={n} c={c} entry={len(s)}",
                   [("n", np.array(n, np.int64), "tensor"), ("c", np.array(c), "tensor"),
                    ("s", s, "sequence"), ("a0", a0, "tensor"), ("x", x, "tensor")],
                   [("sout", want, "sequence"), ("aout", acc.astype(np.float32), "tensor")])

    # The entry sequence built in the graph (SequenceConstruct) and a condition computed in the
    # body: append i * v while the running sum stays below a limit (at most m times). (A
    # constant-true entry condition without a trip count fails to bufferize today: 'Condition
    # arg #1 is not equivalent to the corresponding iter bbArg', with or without sequences.)
    body = helper.make_graph([
        helper.make_node("Cast", ["i"], ["fi"], to=F),
        helper.make_node("Mul", ["fi", "v"], ["iv"]),
        helper.make_node("SequenceInsert", ["si", "iv"], ["so"]),
        helper.make_node("Add", ["tot", "fi"], ["toto"]),
        helper.make_node("Less", ["toto", "lim"], ["co"])], "body",
        [ci("i", I64, []), ci("ci", TensorProto.BOOL, []), seq_info("si", F),
         ci("tot", F, [])],
        [ci("co", TensorProto.BOOL, []), seq_info("so", F), ci("toto", F, [])])
    lib = compile_model("seq_loop_built", model_of("seq_loop_built", [
        helper.make_node("SequenceConstruct", ["v"], ["s0"]),
        helper.make_node("Constant", [], ["t0"], value=numpy_helper.from_array(
            np.array(0, np.float32))),
        helper.make_node("Loop", ["m", "go", "s0", "t0"], ["sout", "tout"], body=body)],
        [tensor_info("v", F, [2]), tensor_info("lim", F, []), tensor_info("m", I64, []),
         tensor_info("go", TensorProto.BOOL, [])],
        [seq_info("sout", F), tensor_info("tout", F, [])], opset=13))
    if lib:
        for lim, m in ((0.5, 9), (3.5, 9), (10.0, 9), (10.0, 2), (10.0, 0)):
            v = rng.standard_normal(2).astype(np.float32)
            want, tot, i, go = [v], 0.0, 0, True
            while go and i < m:
                want.append(np.float32(i) * v)
                tot += i
                i += 1
                go = tot < lim
            expect(lib, "seq_loop_built", f"lim={lim} m={m}",
                   [("v", v, "tensor"), ("lim", np.array(lim, np.float32), "tensor"),
                    ("m", np.array(m, np.int64), "tensor"), ("go", np.array(True), "tensor")],
                   [("sout", want, "sequence"), ("tout", np.array(tot, np.float32), "tensor")])

    # An optional carried sequence (node/test_loop16_seq_none's shape): the body replaces an
    # absent one by [0.0] in an If branch (OptionalHasElement, Not, If, OptionalGetElement),
    # then appends x[0:i+1]. Its presence is carried beside it; the replacement is a reset of
    # the collected list. Absent and no iteration: the output has no sequence: status 12.
    then_g = helper.make_graph([
        helper.make_node("Constant", [], ["z"], value=numpy_helper.from_array(
            np.array(0, np.float32))),
        helper.make_node("SequenceConstruct", ["z"], ["fresh"])], "then", [],
        [seq_info("fresh", F)])
    else_g = helper.make_graph([helper.make_node("OptionalGetElement", ["oi"], ["got"])], "else",
                               [], [seq_info("got", F)])
    body = helper.make_graph([
        helper.make_node("Identity", ["ci"], ["co"]),
        helper.make_node("OptionalHasElement", ["oi"], ["has"]),
        helper.make_node("Not", ["has"], ["none"]),
        helper.make_node("If", ["none"], ["cur"], then_branch=then_g, else_branch=else_g),
        helper.make_node("Constant", [], ["one"], value=numpy_helper.from_array(
            np.array(1, np.int64))),
        helper.make_node("Constant", [], ["zero"], value=numpy_helper.from_array(
            np.array([0], np.int64))),
        helper.make_node("Add", ["i", "one"], ["end"]),
        helper.make_node("Unsqueeze", ["end", "zero"], ["ends"]),
        helper.make_node("Slice", ["x", "zero", "ends"], ["sl"]),
        helper.make_node("SequenceInsert", ["cur", "sl"], ["so"])], "body",
        [ci("i", I64, []), ci("ci", TensorProto.BOOL, []), opt_seq_info("oi", F)],
        [ci("co", TensorProto.BOOL, []), seq_info("so", F)])
    lib = compile_model("seq_loop_opt", model_of("seq_loop_opt", [
        helper.make_node("Loop", ["n", "", "o"], ["sout"], body=body)],
        [tensor_info("n", I64, []), opt_seq_info("o", F), tensor_info("x", F, [4])],
        [seq_info("sout", F)], opset=16))
    if lib:
        x = rng.standard_normal(4).astype(np.float32)
        for n, present in ((3, True), (3, False), (1, False), (0, True), (6, True)):
            entry = random_sequence(int(rng.integers(0, 3)))
            want = list(entry) if present else [np.array(0, np.float32)]
            want += [x[:i + 1] for i in range(n)]
            expect(lib, "seq_loop_opt", f"n={n} present={present}",
                   [("n", np.array(n, np.int64), "tensor"),
                    ("o", entry, "optional") if present else ("o", None, "absent"),
                    ("x", x, "tensor")],
                   [("sout", want, "sequence")])
        expect(lib, "seq_loop_opt", "n=0 absent",
               [("n", np.array(0, np.int64), "tensor"), ("o", None, "absent"),
                ("x", x, "tensor")])

    # What a carried sequence's body may not do: erase from it (refused, naming the Loop).
    path = os.path.join(a.work, "seq_loop_erase.onnx")
    onnx.save(model_of("seq_loop_erase", [helper.make_node(
        "Loop", ["n", "", "s"], ["sout"], name="loop", body=helper.make_graph(
            [helper.make_node("SequenceErase", ["si"], ["so"]),
             helper.make_node("Identity", ["ci"], ["co"])], "body",
            [ci("i", I64, []), ci("ci", TensorProto.BOOL, []), seq_info("si", F)],
            [ci("co", TensorProto.BOOL, []), seq_info("so", F)]))],
        [tensor_info("n", I64, []), seq_info("s", F)], [seq_info("sout", F)], opset=13), path)
    rc, out = run([a.onnx_compile, path, "-o", os.path.join(a.work, "seq_loop_erase.so")])
    h.report(rc == 1 and "node 'loop' (Loop" in out and
             "erases from a Loop-carried sequence" in out, "seq_loop_erase: refused clearly", out)

    # A map whose tensor input shares the elements' run-time dim N: the caller passes N (the
    # model's only public dim), every element must agree with it (else status 8).
    lib = compile_model("seq_map_dims", model_of("seq_map_dims", [
        helper.make_node("SequenceMap", ["x", "w"], ["y"], body=helper.make_graph(
            [helper.make_node("Add", ["a", "b"], ["o"])], "b",
            [tensor_info("a", F, ["N"]), tensor_info("b", F, ["N"])],
            [tensor_info("o", F, ["N"])]))],
        [seq_info("x", F, ["N"]), tensor_info("w", F, ["N"])], [seq_info("y", F)]))
    if lib:
        for r in range(a.runs):
            n, count = int(rng.integers(1, 6)), int(rng.integers(0, 4))
            x = [rng.standard_normal(n).astype(np.float32) for _ in range(count)]
            w = rng.standard_normal(n).astype(np.float32)
            expect(lib, "seq_map_dims", f"N={n} count={count}",
                   [("x", x, "sequence"), ("w", w, "tensor")],
                   [("y", [e + w for e in x], "sequence")])
        folder = os.path.join(a.work, "seq_map_dims_disagree")
        write_values(folder, [("x", [np.zeros(3, np.float32)], "sequence"),
                              ("w", np.zeros(2, np.float32), "tensor")], "input")
        rc, out = run([a.onnx_run, lib, "--inputs", folder])
        h.report(rc == 3 and "dims" in out, "seq_map_dims: an element of another N: status 8",
                 out)
    # ... and with the tensor's dims fixed at compile time (the model is then static).
    lib = compile_model("seq_map_dims_fixed", onnx.load(
        os.path.join(a.work, "seq_map_dims.onnx")), ["--shape", "w=4"])
    if lib:
        x = [rng.standard_normal(4).astype(np.float32) for _ in range(3)]
        w = rng.standard_normal(4).astype(np.float32)
        expect(lib, "seq_map_dims_fixed", "n=3", [("x", x, "sequence"), ("w", w, "tensor")],
               [("y", [e + w for e in x], "sequence")])

    # What stays refused says why, naming the node or value: a sequence input read with
    # SequenceAt outside a map.
    path = os.path.join(a.work, "seq_at_refused.onnx")
    onnx.save(model_of("seq_at_refused", [helper.make_node("SequenceAt", ["x", "p"], ["y"])],
                       [seq_info("x", F), tensor_info("p", I64, [])],
                       [tensor_info("y", F, None)]), path)
    rc, out = run([a.onnx_compile, path, "-o", os.path.join(a.work, "seq_at_refused.so")])
    h.report(rc == 1 and "known only at run time" in out and "SequenceAt" in out,
             "seq_at_refused: refused clearly", out)

    # The C API (seq_insert, seq_map and seq_map_dims's headers).
    h.check_c_program(os.path.join(os.path.dirname(os.path.abspath(__file__)), "seq_api.c"),
                      [os.path.join(a.work, "seq_insert.so"),
                       os.path.join(a.work, "seq_map.so"),
                       os.path.join(a.work, "seq_map_dims.so")],
                      "seq_api (onnxc_sequence in and out, flags, allocator, bad sequences)")
    return h.finish()


if __name__ == "__main__":
    sys.exit(main())

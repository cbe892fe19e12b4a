#!/usr/bin/python3
"""Optional tensors and run-time checks, end to end (README "Optional inputs and run-time
checks"): models with ONNX optional tensor inputs (OptionalHasElement, OptionalGetElement,
Optional, an If guarded by the presence) and Dropout whose training_mode and ratio are graph
inputs, compiled once each and run with onnx-run on random data against numpy:

  - present optionals (OptionalProto files with a tensor) and absent ones (empty
    OptionalProto files, passed as NULL);
  - runs that must end with status 12 (ONNXC_ERROR_RUNTIME_CHECK): the element of an
    absent optional, training Dropout with a non-zero ratio; never a crash; one in a
    model that also allocates per run (a Range output the run allocates): nothing leaks;
  - a C program (opt_api.c) on the generated header: NULL for an absent optional input,
    the _OPTIONAL macro, the descriptor's input_flags, the status of a failed check.

    run_optional.py --onnx-compile BIN --onnx-run BIN --work DIR --cc CC --include DIR
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


def opt_input(name, elem, shape):
    return helper.make_value_info(
        name, helper.make_optional_type_proto(helper.make_tensor_type_proto(elem, shape)))


def model_of(name, nodes, inputs, outputs, opset=18):
    graph = helper.make_graph(nodes, name, inputs, outputs)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def write_inputs(folder, inputs):
    """[(name, array, kind)]: kind "tensor" (a TensorProto), "optional" (an OptionalProto
    holding the array) or "absent" (an empty OptionalProto)."""
    os.makedirs(folder, exist_ok=True)
    for f in os.listdir(folder):
        os.remove(os.path.join(folder, f))
    for i, (name, a, kind) in enumerate(inputs):
        if kind == "tensor":
            proto = numpy_helper.from_array(a, name)
        else:
            proto = onnx.OptionalProto()
            proto.name = name
            if kind == "optional":
                proto.elem_type = onnx.OptionalProto.TENSOR
                proto.tensor_value.CopyFrom(numpy_helper.from_array(a, name))
        with open(os.path.join(folder, f"input_{i}.pb"), "wb") as fh:
            fh.write(proto.SerializeToString())


def write_outputs(folder, outputs):
    for i, (name, a) in enumerate(outputs):
        with open(os.path.join(folder, f"output_{i}.pb"), "wb") as fh:
            fh.write(numpy_helper.from_array(a, name).SerializeToString())


def main():
    h = Harness(__doc__, rtol=1e-6, atol=1e-6)
    a = h.args
    rng = h.rng

    def compile_model(name, model):
        path = os.path.join(a.work, name + ".onnx")
        onnx.save(model, path)
        lib = os.path.join(a.work, name + ".so")
        rc, out = run([a.onnx_compile, path, "-o", lib])
        h.report(rc == 0 and "warning" not in out, f"{name}: compiles (no warning)", out)
        return lib if rc == 0 else None

    def expect(lib, name, desc, inputs, outputs=None):
        """outputs None: the run must end with status 12, cleanly."""
        folder = os.path.join(a.work, f"{name}_{desc.replace(' ', '_')}")
        write_inputs(folder, inputs)
        if outputs is None:
            rc, out = run([a.onnx_run, lib, "--inputs", folder])
            h.report(rc == 3 and STATUS_TEXT in out, f"{name} {desc}: status 12", out)
            return
        write_outputs(folder, outputs)
        rc, out = run([a.onnx_run, lib, "--inputs", folder, "--expect", folder,
                       "--rtol", "1e-6", "--atol", "1e-6"])
        h.report(rc == 0, f"{name} {desc}", out)

    F = TensorProto.FLOAT
    # HasElement and GetElement of an optional input, its element used by an Add.
    lib = compile_model("opt_get_add", model_of("opt_get_add", [
        helper.make_node("OptionalHasElement", ["x"], ["has"]),
        helper.make_node("OptionalGetElement", ["x"], ["xv"]),
        helper.make_node("Add", ["xv", "y"], ["z"])],
        [opt_input("x", F, [2, 3]), helper.make_tensor_value_info("y", F, [2, 3])],
        [helper.make_tensor_value_info("has", TensorProto.BOOL, []),
         helper.make_tensor_value_info("z", F, [2, 3])], opset=15))
    if lib:
        for r in range(a.runs):
            x = rng.standard_normal((2, 3)).astype(np.float32)
            y = rng.standard_normal((2, 3)).astype(np.float32)
            expect(lib, "opt_get_add", f"present {r}", [("x", x, "optional"), ("y", y, "tensor")],
                   [("has", np.array(True)), ("z", x + y)])
        expect(lib, "opt_get_add", "absent", [("x", None, "absent"), ("y", y, "tensor")])

    # Only HasElement: an absent input is fine (its NULL pointer is never read).
    lib = compile_model("opt_has", model_of("opt_has", [
        helper.make_node("OptionalHasElement", ["x"], ["has"])],
        [opt_input("x", TensorProto.INT32, [])],
        [helper.make_tensor_value_info("has", TensorProto.BOOL, [])], opset=15))
    if lib:
        expect(lib, "opt_has", "absent", [("x", None, "absent")], [("has", np.array(False))])
        expect(lib, "opt_has", "present", [("x", np.array(7, np.int32), "optional")],
               [("has", np.array(True))])

    # The usual pattern: If(HasElement(x)) then GetElement(x) * 2 else y. The check in the
    # branch not taken must not fire.
    then_g = helper.make_graph(
        [helper.make_node("OptionalGetElement", ["x"], ["xv"]),
         helper.make_node("Add", ["xv", "xv"], ["t"])], "then", [],
        [helper.make_tensor_value_info("t", F, [4])])
    else_g = helper.make_graph([helper.make_node("Identity", ["y"], ["e"])], "else", [],
                               [helper.make_tensor_value_info("e", F, [4])])
    lib = compile_model("opt_if", model_of("opt_if", [
        helper.make_node("OptionalHasElement", ["x"], ["has"]),
        helper.make_node("If", ["has"], ["z"], then_branch=then_g, else_branch=else_g)],
        [opt_input("x", F, [4]), helper.make_tensor_value_info("y", F, [4])],
        [helper.make_tensor_value_info("z", F, [4])]))
    if lib:
        x = rng.standard_normal(4).astype(np.float32)
        y = rng.standard_normal(4).astype(np.float32)
        expect(lib, "opt_if", "present", [("x", x, "optional"), ("y", y, "tensor")],
               [("z", x + x)])
        expect(lib, "opt_if", "absent", [("x", None, "absent"), ("y", y, "tensor")], [("z", y)])

    # An optional input with a run-time dim (docs/dynamic-shapes.md): the dims come from y.
    lib = compile_model("opt_dynamic", model_of("opt_dynamic", [
        helper.make_node("OptionalHasElement", ["x"], ["has"]),
        helper.make_node("OptionalGetElement", ["x"], ["xv"]),
        helper.make_node("Mul", ["xv", "y"], ["z"])],
        [opt_input("x", F, ["n"]), helper.make_tensor_value_info("y", F, ["n"])],
        [helper.make_tensor_value_info("has", TensorProto.BOOL, []),
         helper.make_tensor_value_info("z", F, ["n"])]))
    if lib:
        for r in range(a.runs):
            n = int(rng.integers(1, 40))
            x = rng.standard_normal(n).astype(np.float32)
            y = rng.standard_normal(n).astype(np.float32)
            expect(lib, "opt_dynamic", f"n={n}", [("x", x, "optional"), ("y", y, "tensor")],
                   [("has", np.array(True)), ("z", x * y)])
        expect(lib, "opt_dynamic", "absent", [("x", None, "absent"), ("y", y, "tensor")])

    # A run-time check in a model that allocates per run (a Range over run-time values,
    # here a graph output the run allocates): the check is a guard of the memory plan's
    # nesting, so an absent x gives status 12 and nothing leaks (onnx-run counts the
    # allocated outputs).
    lib = compile_model("opt_range", model_of("opt_range", [
        helper.make_node("Range", ["start", "limit", "delta"], ["r"]),
        helper.make_node("OptionalGetElement", ["x"], ["xv"]),
        helper.make_node("ReduceSum", ["xv"], ["s"], keepdims=1),
        helper.make_node("Add", ["r", "s"], ["z"])],
        [opt_input("x", F, [3])] + [helper.make_tensor_value_info(n, F, [])
                                    for n in ("start", "limit", "delta")],
        [helper.make_tensor_value_info("z", F, [None])]))
    if lib:
        start, delta = float(rng.integers(-5, 5)), float(rng.integers(1, 3))
        limit = start + delta * float(rng.integers(0, 12))
        x = rng.standard_normal(3).astype(np.float32)
        scalars = [(n, np.array(v, np.float32), "tensor")
                   for n, v in (("start", start), ("limit", limit), ("delta", delta))]
        want = (np.arange(start, limit, delta, dtype=np.float32) +
                np.sum(x, dtype=np.float32)).astype(np.float32)
        expect(lib, "opt_range", f"present n={len(want)}", [("x", x, "optional")] + scalars,
               [("z", want)])
        expect(lib, "opt_range", "absent", [("x", None, "absent")] + scalars)

    # Optional built in the graph: Optional(y) is present, Optional(type=...) absent;
    # GetElement of the absent one fails at run time, whatever the inputs.
    tp = helper.make_tensor_type_proto(F, [3])
    lib = compile_model("opt_construct", model_of("opt_construct", [
        helper.make_node("Optional", ["y"], ["oy"]),
        helper.make_node("Optional", [], ["oe"], type=tp),
        helper.make_node("OptionalHasElement", ["oy"], ["hy"]),
        helper.make_node("OptionalHasElement", ["oe"], ["he"]),
        helper.make_node("OptionalGetElement", ["oy"], ["vy"]),
        helper.make_node("Neg", ["vy"], ["z"])],
        [helper.make_tensor_value_info("y", F, [3])],
        [helper.make_tensor_value_info("hy", TensorProto.BOOL, []),
         helper.make_tensor_value_info("he", TensorProto.BOOL, []),
         helper.make_tensor_value_info("z", F, [3])]))
    if lib:
        y = rng.standard_normal(3).astype(np.float32)
        expect(lib, "opt_construct", "values", [("y", y, "tensor")],
               [("hy", np.array(True)), ("he", np.array(False)), ("z", -y)])
    lib = compile_model("opt_get_empty", model_of("opt_get_empty", [
        helper.make_node("Optional", [], ["oe"], type=tp),
        helper.make_node("OptionalGetElement", ["oe"], ["v"]),
        helper.make_node("Add", ["v", "y"], ["z"])],
        [helper.make_tensor_value_info("y", F, [3])],
        [helper.make_tensor_value_info("z", F, [3])]))
    if lib:
        expect(lib, "opt_get_empty", "run", [("y", rng.standard_normal(3).astype(np.float32), "tensor")])

    # Dropout with training_mode and ratio as graph inputs: identity (mask all true) when
    # training_mode is false or the ratio 0; status 12 otherwise (random masks).
    lib = compile_model("dropout_runtime", model_of("dropout_runtime", [
        helper.make_node("Dropout", ["x", "r", "t"], ["y", "mask"])],
        [helper.make_tensor_value_info("x", F, [3, 4]),
         helper.make_tensor_value_info("r", F, []),
         helper.make_tensor_value_info("t", TensorProto.BOOL, [])],
        [helper.make_tensor_value_info("y", F, [3, 4]),
         helper.make_tensor_value_info("mask", TensorProto.BOOL, [3, 4])], opset=13))
    if lib:
        x = rng.standard_normal((3, 4)).astype(np.float32)
        ones = np.ones((3, 4), dtype=bool)
        for r, t in [(0.5, False), (0.0, True), (0.0, False)]:
            expect(lib, "dropout_runtime", f"r={r} t={t}",
                   [("x", x, "tensor"), ("r", np.array(r, np.float32), "tensor"),
                    ("t", np.array(t), "tensor")], [("y", x), ("mask", ones)])
        expect(lib, "dropout_runtime", "r=0.5 t=True",
               [("x", x, "tensor"), ("r", np.array(0.5, np.float32), "tensor"),
                ("t", np.array(True), "tensor")])
    # training_mode a constant true, the ratio a graph input; only y requested.
    lib = compile_model("dropout_ratio_input", model_of("dropout_ratio_input", [
        helper.make_node("Constant", [], ["t"], value=numpy_helper.from_array(np.array(True))),
        helper.make_node("Dropout", ["x", "r", "t"], ["y"])],
        [helper.make_tensor_value_info("x", F, [5]), helper.make_tensor_value_info("r", F, [])],
        [helper.make_tensor_value_info("y", F, [5])], opset=13))
    if lib:
        x = rng.standard_normal(5).astype(np.float32)
        expect(lib, "dropout_ratio_input", "r=0", [("x", x, "tensor"),
               ("r", np.array(0.0, np.float32), "tensor")], [("y", x)])
        expect(lib, "dropout_ratio_input", "r=0.25", [("x", x, "tensor"),
               ("r", np.array(0.25, np.float32), "tensor")])

    # The C API of opt_get_add: NULL for an absent input, status 12, the descriptor's flags.
    h.check_c_program(os.path.join(os.path.dirname(os.path.abspath(__file__)), "opt_api.c"),
                      os.path.join(a.work, "opt_get_add.so"),
                      "opt_api (NULL optional input, status 12, input_flags)")
    return h.finish()


if __name__ == "__main__":
    sys.exit(main())

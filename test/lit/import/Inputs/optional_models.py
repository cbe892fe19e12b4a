"""Writes the models of optional.onnxtxt (ONNX's text syntax cannot spell optional types):
optional_models.py TAG OUT.onnx."""
import sys

import onnx
from onnx import TensorProto, helper

F = TensorProto.FLOAT


def opt_tensor(name, shape):
    return helper.make_value_info(
        name, helper.make_optional_type_proto(helper.make_tensor_type_proto(F, shape)))


def opt_seq(name):
    return helper.make_value_info(name, helper.make_optional_type_proto(
        helper.make_sequence_type_proto(helper.make_tensor_type_proto(F, [4]))))


def t(name, shape, elem=F):
    return helper.make_tensor_value_info(name, elem, shape)


node = helper.make_node
tp4 = helper.make_tensor_type_proto(F, [4])
then_g = helper.make_graph([node("Optional", ["y"], ["o"])], "then", [], [opt_tensor("o", [4])])
else_g = helper.make_graph([node("Optional", [], ["o2"], type=tp4)], "else", [],
                           [opt_tensor("o2", [4])])
MODELS = {
    # Has, Get and the element used by an Add.
    "GET": ([node("OptionalHasElement", ["x"], ["h"]), node("OptionalGetElement", ["x"], ["v"]),
             node("Add", ["v", "y"], ["z"])],
            [opt_tensor("x", [4]), t("y", [4])], [t("h", [], TensorProto.BOOL), t("z", [4])]),
    # Optional(y) is present, Optional(type=...) absent; Identity passes an optional on.
    "CONSTRUCT": ([node("Optional", ["y"], ["oy"]), node("Optional", [], ["oe"], type=tp4),
                   node("Identity", ["oe"], ["oe2"]),
                   node("OptionalHasElement", ["oy"], ["hy"]),
                   node("OptionalHasElement", ["oe2"], ["he"]),
                   node("OptionalGetElement", ["oy"], ["z"])],
                  [t("y", [4])], [t("hy", [], TensorProto.BOOL), t("he", [], TensorProto.BOOL),
                                  t("z", [4])]),
    "OUTPUT": ([node("Optional", ["y"], ["o"])], [t("y", [4])], [opt_tensor("o", [4])]),
    "SEQINPUT": ([node("OptionalHasElement", ["s"], ["h"])], [opt_seq("s")],
                 [t("h", [], TensorProto.BOOL)]),
    "TENSOROP": ([node("Relu", ["x"], ["z"], name="relu")], [opt_tensor("x", [4])],
                 [t("z", [4])]),
    "OPTSEQ": ([node("SequenceConstruct", ["y"], ["s"]), node("Optional", ["s"], ["o"], name="wrap"),
                node("OptionalHasElement", ["o"], ["h"])],
               [t("y", [4])], [t("h", [], TensorProto.BOOL)]),
    "IFOPT": ([node("If", ["c"], ["o"], name="branch", then_branch=then_g, else_branch=else_g),
               node("OptionalHasElement", ["o"], ["h"])],
              [t("c", [], TensorProto.BOOL), t("y", [4])], [t("h", [], TensorProto.BOOL)]),
    # node/test_if_opt's shape: an optional sequence absent in one branch, built in the other.
    "IFSEQ": ([node("If", ["c"], ["o"], name="branch", then_branch=helper.make_graph(
        [node("Optional", [], ["e"], type=helper.make_sequence_type_proto(tp4))], "then", [],
        [opt_seq("e")]), else_branch=helper.make_graph(
        [node("SequenceConstruct", ["y"], ["s"]), node("Optional", ["s"], ["p"])], "else", [],
        [opt_seq("p")]))], [t("c", [], TensorProto.BOOL), t("y", [4])], [opt_seq("o")]),
    # An optional in one branch, a tensor in the other.
    "IFMIX": ([node("If", ["c"], ["o"], name="branch", then_branch=then_g,
                    else_branch=helper.make_graph([node("Identity", ["y"], ["o3"])], "else", [],
                                                  [t("o3", [4])])),
               node("OptionalHasElement", ["o"], ["h"])],
              [t("c", [], TensorProto.BOOL), t("y", [4])], [t("h", [], TensorProto.BOOL)]),
    # A Loop body may not yield an optional.
    "LOOPOPT": ([node("Loop", ["n", "", "y"], ["o"], name="loop", body=helper.make_graph(
        [node("Optional", ["yi"], ["yo"]), node("Identity", ["ci"], ["co"])], "body",
        [t("i", [], TensorProto.INT64), t("ci", [], TensorProto.BOOL), t("yi", [4])],
        [t("co", [], TensorProto.BOOL), opt_tensor("yo", [4])]))],
        [t("n", [], TensorProto.INT64), t("y", [4])], [t("o", [4])]),
}

tag, out = sys.argv[1], sys.argv[2]
nodes, inputs, outputs = MODELS[tag]
graph = helper.make_graph(nodes, "g", inputs, outputs)
onnx.save(helper.make_model(graph, ir_version=8, opset_imports=[helper.make_opsetid("", 18)]),
          out)

"""Writes the models of sequence_io.onnxtxt (ONNX's text syntax cannot spell sequence types):
sequence_models.py TAG OUT.onnx."""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

F, I64, B = TensorProto.FLOAT, TensorProto.INT64, TensorProto.BOOL
node = helper.make_node


def seq(name, shape=None, elem=F):
    return helper.make_value_info(
        name, helper.make_sequence_type_proto(helper.make_tensor_type_proto(elem, shape)))


def opt_seq(name, shape=None):
    return helper.make_value_info(name, helper.make_optional_type_proto(
        helper.make_sequence_type_proto(helper.make_tensor_type_proto(F, shape))))


def t(name, shape, elem=F):
    return helper.make_tensor_value_info(name, elem, shape)


def const(name, value):
    return node("Constant", [], [name], value=numpy_helper.from_array(np.array(value)))


map_body = helper.make_graph([node("Add", ["a", "b"], ["o"]), node("Shape", ["a"], ["s"])],
                             "body", [t("a", ["N"]), t("b", ["N"])], [t("o", ["N"]),
                                                                      t("s", [1], I64)])
loop_body = helper.make_graph(
    [node("Identity", ["c_in"], ["c_out"]), node("SequenceAt", ["x", "i"], ["e"]),
     node("Neg", ["e"], ["n"]), node("SequenceInsert", ["acc", "n"], ["acc_out"])],
    "loop_body", [t("i", [], I64), t("c_in", [], B), seq("acc")],
    [t("c_out", [], B), seq("acc_out")])
neg_body = helper.make_graph([node("Neg", ["e"], ["o"])], "neg", [t("e", [3])], [t("o", [3])])
then_g = helper.make_graph([node("Relu", ["y"], ["r"]), node("SequenceConstruct", ["r"], ["ts"])],
                          "then", [], [seq("ts")])
else_g = helper.make_graph([node("Abs", ["y"], ["a"]), node("SequenceConstruct", ["a"], ["es"])],
                          "else", [], [seq("es")])
else2_g = helper.make_graph([node("SequenceConstruct", ["y", "y"], ["es"])], "else", [],
                            [seq("es")])
carry_body = helper.make_graph([node("Identity", ["c_in"], ["c_out"]),
                                node("Identity", ["acc"], ["acc_out"])], "carry",
                               [t("i", [], I64), t("c_in", [], B), seq("acc")],
                               [t("c_out", [], B), seq("acc_out")])
# Loop-carried sequences the body appends to (test_loop13_seq's shape): y[0:i+1].
append_body = helper.make_graph(
    [node("Identity", ["c_in"], ["c_out"]), const("one", np.int64(1)),
     const("zero", np.array([0], np.int64)), node("Add", ["i", "one"], ["end"]),
     node("Unsqueeze", ["end", "zero"], ["ends"]), node("Slice", ["y", "zero", "ends"], ["sl"]),
     node("SequenceInsert", ["acc", "sl"], ["acc_out"])],
    "append", [t("i", [], I64), t("c_in", [], B), seq("acc")],
    [t("c_out", [], B), seq("acc_out")])
erase_body = helper.make_graph([node("Identity", ["c_in"], ["c_out"]),
                                node("SequenceErase", ["acc"], ["acc_out"])], "erase",
                               [t("i", [], I64), t("c_in", [], B), seq("acc")],
                               [t("c_out", [], B), seq("acc_out")])
nested_then = helper.make_graph(
    [node("Loop", ["m", "", "x"], ["l"], body=append_body, name="inner")], "then", [],
    [seq("l")])
# An optional carried sequence replaced by [0.0] when absent (test_loop16_seq_none's shape).
opt_body = helper.make_graph(
    [node("Identity", ["c_in"], ["c_out"]), node("OptionalHasElement", ["acc"], ["has"]),
     node("Not", ["has"], ["none"]),
     node("If", ["none"], ["cur"], then_branch=helper.make_graph(
         [const("z", np.float32(0)), node("SequenceConstruct", ["z"], ["fresh"])], "then", [],
         [seq("fresh")]), else_branch=helper.make_graph(
         [node("OptionalGetElement", ["acc"], ["got"])], "else", [], [seq("got")])),
     const("one", np.int64(1)), const("zero", np.array([0], np.int64)),
     node("Add", ["i", "one"], ["end"]), node("Unsqueeze", ["end", "zero"], ["ends"]),
     node("Slice", ["y", "zero", "ends"], ["sl"]),
     node("SequenceInsert", ["cur", "sl"], ["acc_out"])],
    "opt", [t("i", [], I64), t("c_in", [], B), opt_seq("acc")],
    [t("c_out", [], B), seq("acc_out")])
MODELS = {
    # A sequence input edited at a run-time position, a tensor output beside.
    "INSERT": ([node("Neg", ["y"], ["n"]), node("SequenceInsert", ["x", "n", "p"], ["s1"]),
                node("SequenceErase", ["s1"], ["s2"]), node("Identity", ["s2"], ["z"])],
               [seq("x"), t("y", [4]), t("p", [], I64)], [seq("z"), t("n", [4])]),
    # Optional sequences: Identity to an optional output, OptionalGetElement.
    "OPT": ([node("Identity", ["x"], ["o"]), node("OptionalGetElement", ["x"], ["g"])],
            [opt_seq("x", [2])], [opt_seq("o", [2]), seq("g")]),
    # SequenceMap over sequence inputs: the kernel is the body.
    "MAP": ([node("SequenceMap", ["x0", "x1"], ["y", "s"], body=map_body)],
            [seq("x0", ["N"]), seq("x1", ["N"])], [seq("y"), seq("s", None, I64)]),
    # Its Loop expansion.
    "MAPLOOP": ([node("SequenceLength", ["x"], ["len"]), const("true", True),
                 node("SequenceEmpty", [], ["empty"]),
                 node("Loop", ["len", "true", "empty"], ["y"], body=loop_body)],
                [seq("x", ["K", 2])], [seq("y")]),
    # SequenceMap over a sequence built in the graph: unrolled.
    "MAPBUILT": ([node("SplitToSequence", ["y"], ["parts"], axis=0),
                  node("SequenceMap", ["parts"], ["negs"], body=neg_body)],
                 [t("y", [2, 3])], [seq("negs")]),
    # An If whose branches build one-tensor sequences.
    "IFSEQ": ([node("If", ["c"], ["s"], then_branch=then_g, else_branch=else_g)],
              [t("c", [], B), t("y", [4])], [seq("s")]),
    # Refused, naming the node: the tensors of a sequence input read outside a map.
    "AT": ([node("SequenceAt", ["x", "p"], ["y"], name="at")], [seq("x", [2]), t("p", [], I64)],
           [t("y", [2])]),
    # The length of a sequence input used otherwise than as a mapping Loop's trip count.
    "LENGTH": ([node("SequenceLength", ["x"], ["len"]), node("Neg", ["len"], ["y"], name="neg")],
               [seq("x")], [t("y", [], I64)]),
    # A sequence input carried by a Loop that is no map.
    "CARRY": ([node("Loop", ["m", "", "x"], ["y"], body=carry_body, name="loop")],
              [t("m", [], I64), seq("x")], [seq("y")]),
    # A Loop-carried sequence only appended to: the body pushes each appended tensor.
    "LOOPAPPEND": ([node("Loop", ["m", "", "x"], ["z"], body=append_body, name="loop")],
                   [t("m", [], I64), seq("x"), t("y", [5])], [seq("z")]),
    "LOOPOPT": ([node("Loop", ["m", "", "x"], ["z"], body=opt_body, name="loop")],
                [t("m", [], I64), opt_seq("x"), t("y", [5])], [seq("z")]),
    # Refused: a body that erases from its carried sequence, and a carrying Loop in an If.
    "LOOPERASE": ([node("Loop", ["m", "", "x"], ["z"], body=erase_body, name="loop")],
                  [t("m", [], I64), seq("x")], [seq("z")]),
    "LOOPNESTED": ([node("If", ["c"], ["z"], then_branch=nested_then,
                         else_branch=helper.make_graph([node("Identity", ["x"], ["e"])], "else",
                                                       [], [seq("e")]), name="if")],
                   [t("c", [], B), t("m", [], I64), seq("x"), t("y", [5])], [seq("z")]),
    # If branches whose sequences differ in length.
    "IFLEN": ([node("If", ["c"], ["s"], then_branch=then_g, else_branch=else2_g, name="if")],
              [t("c", [], B), t("y", [4])], [seq("s")]),
    # A map whose tensor input has a run-time dim not given with --shape.
    "MAPDIMS": ([node("SequenceMap", ["x0", "w"], ["y", "s"], body=map_body)],
                [seq("x0", ["N"]), t("w", ["N"])], [seq("y"), seq("s", None, I64)]),
}

tag, out = sys.argv[1], sys.argv[2]
nodes, inputs, outputs = MODELS[tag]
graph = helper.make_graph(nodes, "g", inputs, outputs)
onnx.save(helper.make_model(graph, ir_version=8, opset_imports=[helper.make_opsetid("", 17)]),
          out)

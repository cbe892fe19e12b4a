// ONNX optional values of tensors (Optional, OptionalHasElement, OptionalGetElement), resolved
// at import. An optional is a pair: its tensor (in `values`, as any tensor) and its presence,
// a bool scalar (in `optionals`). An optional tensor graph input is a function argument whose
// pointer may be NULL (onnx.InputPresent reads that); Optional(x) is present, Optional() with
// only a type is absent. Reading the element of an absent optional is an error the run
// reports with a status (onnx.Check), since whether it is absent may be known only then.
// An optional of a sequence built in the graph is the sequence (in `sequences`) and its
// presence; it may leave an If (GraphImporter::importIf) and be a graph output (the sequence
// plan's presence instruction). Optionals leaving a Loop or Scan body, and optional tensor
// graph outputs, are refused with a diagnostic that names them.
#include "compiler/import/ConverterUtils.h"
#include "compiler/import/GraphImporter.h"

#include "mlir/IR/Matchers.h"

#include <onnx/onnx-ml.pb.h>

using namespace mlir;

namespace onnxc {

/// Status 12 (ONNXC_ERROR_RUNTIME_CHECK in runtime-stub/include/onnxc/model.h).
constexpr int32_t kRuntimeCheckStatus = 12;

bool isOptionalOp(StringRef opType) {
  return opType == "Optional" || opType == "OptionalHasElement" ||
         opType == "OptionalGetElement";
}

Value buildRuntimeCheck(NodeContext &c, Value cond, Value value, StringRef message) {
  // The result has the value's type (AllTypesMatch), not the node's declared output type.
  if (!cond || !value)
    return Value();
  return onnx::CheckOp::create(c.b, c.loc, value.getType(), cond, value,
                               c.b.getI32IntegerAttr(kRuntimeCheckStatus),
                               c.b.getStringAttr(message));
}

static Value boolConstant(OpBuilder &b, Location loc, bool v) {
  auto type = RankedTensorType::get({}, b.getI1Type());
  return onnx::ConstantOp::create(b, loc, type,
                                  cast<ElementsAttr>(DenseElementsAttr::get(type, v)));
}

LogicalResult GraphImporter::importOptionalNode(NodeContext &c) {
  const auto &node = c.node;
  StringRef op = node.op_type();
  std::string in = node.input_size() > 0 ? node.input(0) : std::string();
  std::string out = node.output(0);
  if (node.input_size() > 1 || node.output_size() != 1)
    return c.emitError() << "takes at most one input and gives one output";
  bool isSequence = !in.empty() && sequences.count(in);
  bool isOptional = !in.empty() && optionals.count(in);
  if (op == "Optional") {
    if (isOptional)
      return c.emitError() << "input '" << in << "' is an optional: optionals of optionals are "
                           << "not supported";
    if (!in.empty()) {
      if (isSequence) {
        // An optional of a sequence built in the graph: the sequence and its presence.
        SequenceValue seq = sequences.lookup(in);
        if (seq.runtime)
          return c.emitError() << "input '" << in << "' is a sequence whose tensors are known "
                               << "only at run time: optionals of it are not supported";
        sequences[out] = std::move(seq);
      } else {
        values[out] = values.lookup(in);
      }
      optionals[out] = boolConstant(b, c.loc, true);
      return success();
    }
    // No input: an absent optional of the `type` attribute's tensor type. Its tensor is a
    // zero placeholder, never read (OptionalGetElement of it fails at run time).
    const ::onnx::AttributeProto *type = c.attr("type");
    if (!type || !type->has_tp())
      return c.emitError() << "without an input needs the 'type' attribute";
    if (type->tp().has_sequence_type()) {
      // An absent optional of a sequence: no tensors; an If pads them to the other
      // branch's (GraphImporter::importIf), nothing reads them.
      const auto &elem = type->tp().sequence_type().elem_type();
      Type et = elem.has_tensor_type() ? elementTypeFor(ctx, elem.tensor_type().elem_type())
                                       : Type();
      if (!et)
        return c.emitError() << "'type' is a sequence of a non-tensor type or of an "
                             << "unsupported data type";
      SequenceValue seq;
      seq.elementType = et;
      sequences[out] = std::move(seq);
      values.erase(out);
      optionals[out] = boolConstant(b, c.loc, false);
      return success();
    }
    if (!type->tp().has_tensor_type())
      return c.emitError() << "'type' is not a tensor or sequence type: optionals of maps "
                           << "are not supported";
    const auto &tt = type->tp().tensor_type();
    Type et = elementTypeFor(ctx, tt.elem_type());
    if (!et)
      return c.emitError() << "'type' has data type " << dataTypeName(tt.elem_type())
                           << ", which is not supported";
    SmallVector<int64_t> dims;
    bool known = tt.has_shape();
    int64_t count = 1;
    for (const auto &d : tt.shape().dim()) {
      known &= d.has_dim_value() && d.dim_value() >= 0;
      dims.push_back(d.has_dim_value() ? d.dim_value() : 0);
      count *= std::max<int64_t>(dims.back(), 1);
      if (count > kMaxGeneratedElements)
        return c.emitError() << "'type' has more elements than a placeholder may have";
    }
    auto t = RankedTensorType::get(known ? ArrayRef<int64_t>(dims) : ArrayRef<int64_t>{}, et);
    Attribute zero = isa<FloatType>(et) ? Attribute(b.getFloatAttr(et, 0.0))
                                        : Attribute(b.getIntegerAttr(et, 0));
    values[out] = onnx::ConstantOp::create(b, c.loc, t,
                                           cast<ElementsAttr>(DenseElementsAttr::get(t, zero)));
    optionals[out] = boolConstant(b, c.loc, false);
    return success();
  }
  if (op == "OptionalHasElement") {
    // Opset 18 also takes a tensor or a sequence (present) and no input (absent).
    if (!isOptional && c.opset < 18)
      return c.emitError() << (in.empty() ? std::string("has no input")
                                          : "input '" + in + "' is not an optional")
                           << "; opset " << c.opset << " needs an optional (opset 18 takes "
                           << "tensors and sequences too)";
    values[out] = isOptional ? optionals.lookup(in) : boolConstant(b, c.loc, !in.empty());
    return success();
  }
  // OptionalGetElement: the element, when present; opset 18 passes tensors and sequences on.
  if (in.empty())
    return c.emitError() << "has no input";
  if (!isOptional) {
    if (c.opset < 18)
      return c.emitError() << "input '" << in << "' is not an optional; opset " << c.opset
                           << " needs an optional (opset 18 takes tensors and sequences too)";
    if (isSequence)
      sequences[out] = sequences.lookup(in);
    else
      values[out] = values.lookup(in);
    return success();
  }
  if (isSequence && !sequences.lookup(in).runtime) {
    // An optional of a sequence built in the graph: its tensors, each guarded by the
    // presence (status 12 when absent); a constant presence needs no guard.
    SequenceValue seq = sequences.lookup(in);
    Value present = optionals.lookup(in);
    DenseIntElementsAttr known;
    if (matchPattern(present, m_Constant(&known)) && known.getNumElements() == 1) {
      if ((*known.begin()).isZero())
        return c.emitError() << "the optional '" << in << "' is always absent here";
      sequences[out] = std::move(seq);
      return success();
    }
    if (seq.elements.empty())
      return c.emitError() << "the optional '" << in << "' is a sequence with no tensors "
                           << "whose presence is known only at run time: not supported";
    std::string where = isa<NameLoc>(c.loc) ? cast<NameLoc>(c.loc).getName().str() : "";
    for (Value &e : seq.elements) {
      if (!e)
        return c.emitError() << "the optional '" << in << "' is a sequence whose tensors are "
                             << "not known: " << seq.unknownReason;
      e = buildRuntimeCheck(c, present, e, where + ": the optional '" + in + "' is absent");
      if (!e)
        return failure();
    }
    sequences[out] = std::move(seq);
    return success();
  }
  if (isSequence && sequences.lookup(in).runtime->loopCarried) {
    // A Loop-carried optional sequence (ControlFlow.cpp importLoop): passed on. Its absence
    // can only be that of the Loop's entry, which the sequence output's plan checks where it
    // starts from it (unless the body replaced the sequence).
    sequences[out] = sequences.lookup(in);
    return success();
  }
  if (isSequence) {
    // An optional sequence graph input: the run checks its presence where it builds the
    // sequence outputs (RuntimeSequence::required, runtime-stub/runtime.c).
    SequenceValue seq = sequences.lookup(in);
    if (!seq.runtime || seq.runtime->input < 0)
      return c.emitError() << "input '" << in << "' is an optional sequence that is no graph "
                           << "input: not supported";
    seq.runtime->required = true;
    sequences[out] = std::move(seq);
    return success();
  }
  std::string where = isa<NameLoc>(c.loc) ? cast<NameLoc>(c.loc).getName().str() : "";
  std::string message = where + ": the optional '" + in + "' is absent";
  Value v = buildRuntimeCheck(c, optionals.lookup(in), values.lookup(in), message);
  if (!v)
    return failure();
  values[out] = v;
  return success();
}

} // namespace onnxc

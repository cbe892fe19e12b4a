// Sequence ops whose structure is known at compile time. A sequence value never reaches the
// dialect: the importer keeps it as the list of its tensors (SequenceValue), positions are
// constants, and each op becomes list surgery plus at most one tensor op (Concat, Split,
// Unsqueeze, Squeeze). What depends on run-time data (a sequence-typed graph input, a
// position computed at run time) is refused naming the node.
#include "compiler/import/Sequences.h"

#include "compiler/import/ConverterUtils.h"
#include "compiler/import/TensorReader.h"

#include "mlir/IR/Matchers.h"

#include <onnx/onnx-ml.pb.h>

using namespace mlir;

namespace onnxc {

bool isSequenceOp(StringRef opType) {
  static constexpr StringRef kOps[] = {"SequenceConstruct",  "SequenceEmpty",  "SequenceInsert",
                                       "SequenceErase",      "SequenceAt",     "SequenceLength",
                                       "ConcatFromSequence", "SplitToSequence"};
  return llvm::is_contained(kOps, opType);
}

/// The sequence named by input `i`, or an error saying why it is not known.
static FailureOr<const SequenceValue *> sequenceInput(NodeContext &c, const SequenceMap &seqs,
                                                      int i) {
  if (i >= c.node.input_size() || c.node.input(i).empty())
    return c.emitError() << "input " << i << " (the sequence) is missing";
  auto it = seqs.find(c.node.input(i));
  if (it == seqs.end())
    return c.emitError() << "input '" << c.node.input(i)
                         << "' is not a sequence built in this graph: only sequences whose "
                            "structure is known at compile time are supported";
  return &it->second;
}

/// A constant integer scalar input (a position), or an error: a run-time position would make
/// the sequence's structure depend on data.
static FailureOr<int64_t> constantPosition(NodeContext &c, int i, StringRef what) {
  Value v = c.input(i);
  DenseIntElementsAttr attr;
  if (!v || !matchPattern(v, m_Constant(&attr)) || attr.getNumElements() != 1)
    return c.emitError() << "'" << what << "' must be a constant integer scalar (an "
                         << "initializer or a Constant node): a position computed at run time "
                            "makes the sequence's structure depend on data, which is not "
                            "supported";
  return (*attr.getValues<APInt>().begin()).getSExtValue();
}

/// Normalizes `pos` against [-size, size + extra) (extra is 1 where the end is allowed).
static FailureOr<int64_t> normPosition(NodeContext &c, int64_t pos, int64_t size, int64_t extra) {
  if (pos < -size || pos >= size + extra)
    return c.emitError() << "position " << pos << " is out of range for a sequence of " << size
                         << " tensors";
  return pos < 0 ? pos + size : pos;
}

/// An element's tensor, or an error when only the sequence's length is known.
static FailureOr<Value> element(NodeContext &c, const SequenceValue &s, int64_t i) {
  if (!s.elements[i])
    return c.emitError() << "tensor " << i
                         << " of the sequence is not known at compile time: " << s.unknownReason;
  return s.elements[i];
}

static FailureOr<Value> concatFromSequence(NodeContext &c, const SequenceValue &s) {
  auto axisAttr = c.intAttr("axis", INT64_MIN);
  auto newAxis = c.intAttr("new_axis", 0);
  if (failed(axisAttr) || failed(newAxis))
    return failure();
  if (*axisAttr == INT64_MIN)
    return c.emitError() << "attribute 'axis' is required";
  if (s.elements.empty())
    return c.emitError() << "the sequence is empty: there is nothing to concatenate";
  SmallVector<Value> parts;
  for (int64_t i = 0; i < static_cast<int64_t>(s.elements.size()); ++i) {
    auto e = element(c, s, i);
    if (failed(e))
      return failure();
    parts.push_back(*e);
  }
  auto t = dyn_cast<RankedTensorType>(parts[0].getType());
  if (!t)
    return c.emitError() << "needs ranked tensors in the sequence";
  int64_t rank = t.getRank() + (*newAxis ? 1 : 0);
  auto axis = normAxis(c, *axisAttr, rank);
  if (failed(axis))
    return failure();
  Decomposer d(c);
  if (*newAxis)
    for (Value &p : parts)
      p = d.op("Unsqueeze", {p, c.constI64({*axis})});
  if (d.failedAny)
    return failure();
  auto op = c.create("Concat", parts, {c.b.getNamedAttr("axis", c.b.getI64IntegerAttr(*axis))});
  if (failed(op))
    return failure();
  return (*op)->getResult(0);
}

static FailureOr<SequenceValue> splitToSequence(NodeContext &c) {
  auto axisAttr = c.intAttr("axis", 0);
  auto keepdims = c.intAttr("keepdims", 1);
  if (failed(axisAttr) || failed(keepdims))
    return failure();
  Value x = c.input(0);
  if (!x)
    return c.emitError() << "input 0 is missing";
  auto xt = dyn_cast<RankedTensorType>(x.getType());
  if (!xt)
    return c.emitError() << "needs a ranked input";
  auto axis = normAxis(c, *axisAttr, xt.getRank());
  if (failed(axis))
    return failure();
  int64_t dim = xt.getDimSize(*axis);
  SequenceValue out;
  Value split = c.input(1);
  DenseIntElementsAttr splitAttr;
  SmallVector<int64_t> sizes;
  if (split && !matchPattern(split, m_Constant(&splitAttr))) {
    // The count of tensors is split's length, known from its type; their sizes are not.
    auto st = dyn_cast<RankedTensorType>(split.getType());
    if (!st || st.getRank() != 1 || st.isDynamicDim(0))
      return c.emitError() << "'split' is computed at run time and is not a 1-D tensor of "
                              "known length: the sequence's length depends on data, which is "
                              "not supported";
    out.elements.assign(st.getDimSize(0), Value());
    out.unknownReason = "its size comes from 'split' values computed at run time";
    return out;
  }
  if (ShapedType::isDynamic(dim))
    return c.emitError() << "the split axis " << *axis
                         << " has a run-time size: the "
                            "sequence's length depends on data, which is not supported";
  if (!withinGeneratedLimit({dim}))
    return c.emitError() << "axis " << *axis << " has " << dim
                         << " elements: too many tensors for a sequence";
  if (!split) {
    sizes.assign(dim, 1);
  } else if (splitAttr.getType().getRank() == 0) {
    int64_t chunk = (*splitAttr.getValues<APInt>().begin()).getSExtValue();
    if (chunk <= 0)
      return c.emitError() << "'split' must be positive, got " << chunk;
    for (int64_t at = 0; at < dim; at += chunk)
      sizes.push_back(std::min(chunk, dim - at));
  } else {
    int64_t total = 0;
    for (APInt v : splitAttr.getValues<APInt>()) {
      sizes.push_back(v.getSExtValue());
      if (sizes.back() < 0)
        return c.emitError() << "'split' has a negative size";
      total += sizes.back();
    }
    if (total != dim)
      return c.emitError() << "'split' sums to " << total << " but axis " << *axis << " has size "
                           << dim;
  }
  if (sizes.empty())
    return out;
  NodeContext inner(c.b, c.loc, c.node, c.opset, {}, {});
  auto op = inner.create("Split", {x, c.constI64(sizes)},
                         {c.b.getNamedAttr("axis", c.b.getI64IntegerAttr(*axis))},
                         static_cast<unsigned>(sizes.size()));
  if (failed(op))
    return failure();
  Decomposer d(c);
  for (Value v : (*op)->getResults())
    out.elements.push_back(!split && !*keepdims ? d.op("Squeeze", {v, c.constI64({*axis})}) : v);
  if (d.failedAny)
    return failure();
  return out;
}

FailureOr<std::optional<Value>> importSequenceNode(NodeContext &c, SequenceMap &seqs) {
  StringRef op = c.node.op_type();
  auto define = [&](SequenceValue s) -> FailureOr<std::optional<Value>> {
    seqs[c.node.output(0)] = std::move(s);
    return std::optional<Value>();
  };
  auto tensorInput = [&](int i) -> FailureOr<Value> {
    if (i < c.node.input_size() && seqs.count(c.node.input(i)))
      return c.emitError() << "input " << i << " must be a tensor, got sequence '"
                           << c.node.input(i) << "'";
    if (!c.input(i))
      return c.emitError() << "input " << i << " is missing";
    return c.input(i);
  };
  if (op == "SequenceEmpty")
    return define({});
  if (op == "SequenceConstruct") {
    SequenceValue s;
    for (int i = 0; i < c.node.input_size(); ++i) {
      auto v = tensorInput(i);
      if (failed(v))
        return failure();
      s.elements.push_back(*v);
    }
    return define(std::move(s));
  }
  if (op == "SplitToSequence") {
    auto s = splitToSequence(c);
    if (failed(s))
      return failure();
    return define(std::move(*s));
  }
  auto in = sequenceInput(c, seqs, 0);
  if (failed(in))
    return failure();
  const SequenceValue &s = **in;
  int64_t size = static_cast<int64_t>(s.elements.size());
  // A position computed at run time turns a sequence built in the graph into a run-time one
  // (its tensors in order, then the edit), which only structural ops and outputs may take.
  auto runtimePosition = [&](int i) {
    DenseIntElementsAttr attr;
    return i < c.node.input_size() && c.input(i) && !matchPattern(c.input(i), m_Constant(&attr));
  };
  if (!s.runtime && (op == "SequenceInsert" || op == "SequenceErase") &&
      runtimePosition(op == "SequenceInsert" ? 2 : 1)) {
    SequenceValue promoted;
    promoted.runtime.emplace();
    for (int64_t i = 0; i < size; ++i) {
      auto e = element(c, s, i);
      if (failed(e))
        return failure();
      promoted.runtime->edits.push_back({true, *e, Value()});
    }
    promoted.elementType =
        size ? cast<ShapedType>(s.elements[0].getType()).getElementType() : Type();
    SmallVector<Value> inputs;
    for (int i = 0; i < c.node.input_size(); ++i)
      inputs.push_back(c.input(i));
    SequenceMap local;
    local[c.node.input(0)] = std::move(promoted);
    // Re-enter with the promoted sequence (the node's own input name maps to it).
    auto r = importSequenceNode(c, local);
    if (failed(r))
      return failure();
    seqs[c.node.output(0)] = std::move(local[c.node.output(0)]);
    return std::optional<Value>();
  }
  if (s.runtime) {
    auto scalarPosition = [&](int i) -> FailureOr<Value> {
      if (i >= c.node.input_size() || !c.input(i))
        return Value();
      auto t = dyn_cast<RankedTensorType>(c.input(i).getType());
      if (!t || !t.getElementType().isInteger() || t.getNumElements() != 1 ||
          !(t.getElementType().isInteger(32) || t.getElementType().isInteger(64)))
        return c.emitError() << "'position' must be an int32 or int64 scalar";
      return c.input(i);
    };
    if (op == "SequenceInsert" || op == "SequenceErase") {
      bool insert = op == "SequenceInsert";
      Value tensor;
      if (insert) {
        auto v = tensorInput(1);
        if (failed(v))
          return failure();
        tensor = *v;
        Type et = cast<ShapedType>(tensor.getType()).getElementType();
        if (s.elementType && et != s.elementType)
          return c.emitError() << "inserts a tensor of " << et << " into a sequence of "
                               << s.elementType;
      }
      auto pos = scalarPosition(insert ? 2 : 1);
      if (failed(pos))
        return failure();
      SequenceValue out = s;
      if (!out.elementType && tensor)
        out.elementType = cast<ShapedType>(tensor.getType()).getElementType();
      out.runtime->edits.push_back({insert, tensor, *pos});
      return define(std::move(out));
    }
    return c.emitError() << "input '" << c.node.input(0)
                         << "' is a sequence whose tensors are known only at run time (a "
                            "sequence-typed graph input, or a position computed at run time): "
                            "only Identity, SequenceInsert, SequenceErase, the Optional ops and "
                            "graph outputs take it, not "
                         << op;
  }
  if (op == "SequenceInsert") {
    auto v = tensorInput(1);
    if (failed(v))
      return failure();
    int64_t pos = size;
    if (c.input(2)) {
      auto p = constantPosition(c, 2, "position");
      if (failed(p))
        return failure();
      auto n = normPosition(c, *p, size, 1);
      if (failed(n))
        return failure();
      pos = *n;
    }
    SequenceValue out = s;
    out.elements.insert(out.elements.begin() + pos, *v);
    return define(std::move(out));
  }
  if (op == "SequenceErase") {
    if (size == 0)
      return c.emitError() << "cannot erase from an empty sequence";
    int64_t pos = size - 1;
    if (c.input(1)) {
      auto p = constantPosition(c, 1, "position");
      if (failed(p))
        return failure();
      auto n = normPosition(c, *p, size, 0);
      if (failed(n))
        return failure();
      pos = *n;
    }
    SequenceValue out = s;
    out.elements.erase(out.elements.begin() + pos);
    return define(std::move(out));
  }
  if (op == "SequenceAt") {
    auto p = constantPosition(c, 1, "position");
    if (failed(p))
      return failure();
    auto n = normPosition(c, *p, size, 0);
    if (failed(n))
      return failure();
    auto e = element(c, s, *n);
    if (failed(e))
      return failure();
    return std::optional<Value>(*e);
  }
  if (op == "SequenceLength") {
    auto type = RankedTensorType::get({}, c.b.getI64Type());
    Value len = onnx::ConstantOp::create(c.b, c.loc, type,
                                         cast<ElementsAttr>(DenseIntElementsAttr::get(type, size)));
    return std::optional<Value>(len);
  }
  assert(op == "ConcatFromSequence");
  auto v = concatFromSequence(c, s);
  if (failed(v))
    return failure();
  return std::optional<Value>(*v);
}

} // namespace onnxc

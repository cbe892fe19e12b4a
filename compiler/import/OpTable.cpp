// One entry per ONNX op type. Each converter emits the dialect's single form of the op; all
// opset-dependent rewriting (attributes that became inputs, legacy broadcasting, coerced-2D
// softmax) happens here and nowhere else.
#include "compiler/import/OpTable.h"
#include "compiler/import/ConverterUtils.h"
#include "compiler/import/TensorReader.h"

#include "dialects/onnx/OnnxDialect.h"
#include "dialects/onnx/ShapeOperands.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/bit.h"

#include <onnx/onnx-ml.pb.h>

#include <limits>

using namespace mlir;

namespace onnxc {


/// Attributes older opsets carried that mean nothing today.
static constexpr StringRef kLegacyAttrs[] = {"consumed_inputs", "is_test", "spatial"};

//===----------------------------------------------------------------------===//
// NodeContext
//===----------------------------------------------------------------------===//

const ::onnx::AttributeProto *NodeContext::attr(StringRef name) const {
  for (const auto &a : node.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

InFlightDiagnostic NodeContext::emitError() const { return mlir::emitError(loc); }

FailureOr<int64_t> NodeContext::intAttr(StringRef name, int64_t dflt) const {
  const auto *a = attr(name);
  if (!a)
    return dflt;
  if (a->type() != ::onnx::AttributeProto::INT && !(a->type() == 0 && a->has_i()))
    return emitError() << "attribute '" << name << "' must be an int";
  return a->i();
}

FailureOr<float> NodeContext::floatAttr(StringRef name, float dflt) const {
  const auto *a = attr(name);
  if (!a)
    return dflt;
  if (a->type() != ::onnx::AttributeProto::FLOAT && !(a->type() == 0 && a->has_f()))
    return emitError() << "attribute '" << name << "' must be a float";
  return a->f();
}

FailureOr<SmallVector<NamedAttribute>>
NodeContext::convertAttributes(ArrayRef<StringRef> skip) const {
  SmallVector<NamedAttribute> out;
  for (const auto &a : node.attribute()) {
    if (llvm::is_contained(skip, a.name()) || llvm::is_contained(kLegacyAttrs, a.name()))
      continue;
    Attribute value;
    switch (a.type()) {
    case ::onnx::AttributeProto::FLOAT: value = b.getF32FloatAttr(a.f()); break;
    case ::onnx::AttributeProto::INT: value = b.getI64IntegerAttr(a.i()); break;
    case ::onnx::AttributeProto::STRING: value = b.getStringAttr(a.s()); break;
    case ::onnx::AttributeProto::INTS:
      value = b.getDenseI64ArrayAttr(SmallVector<int64_t>(a.ints().begin(), a.ints().end()));
      break;
    case ::onnx::AttributeProto::FLOATS:
      value = b.getDenseF32ArrayAttr(SmallVector<float>(a.floats().begin(), a.floats().end()));
      break;
    default:
      return emitError() << "attribute '" << a.name() << "' has a kind this op does not take";
    }
    out.push_back(b.getNamedAttr(a.name(), value));
  }
  return out;
}

FailureOr<Operation *> NodeContext::create(StringRef opName, ValueRange operands,
                                           ArrayRef<NamedAttribute> attrs, unsigned numResults) {
  for (auto [i, v] : llvm::enumerate(operands))
    if (!v)
      return emitError() << "input " << i << " is missing";
  OperationState state(loc, ("onnx." + opName).str());
  state.addOperands(operands);
  state.addAttributes(attrs);
  // Creating from an OperationState silently drops an attribute of the wrong kind (and a
  // getter would then read null): check them against the op's declaration first.
  if (std::optional<RegisteredOperationName> name = state.name.getRegisteredInfo())
    if (failed(name->verifyInherentAttrs(state.attributes, [&] { return emitError(); })))
      return failure();
  for (unsigned i = 0; i < numResults; ++i) {
    Type t = i < resultTypes.size() ? resultTypes[i] : Type();
    if (!t) {
      Type et = operands.empty() ? b.getF32Type()
                                 : cast<ShapedType>(operands[0].getType()).getElementType();
      t = UnrankedTensorType::get(et);
    }
    state.addTypes(t);
  }
  Operation *op = b.create(state);
  if (failed(mlir::verify(op, /*verifyRecursively=*/false)))
    return failure();
  if (auto shaped = dyn_cast<onnx::ShapeInferenceOpInterface>(op))
    if (failed(shaped.inferShapes()))
      return failure();
  return op;
}

Value NodeContext::constI64(ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get({static_cast<int64_t>(values.size())}, b.getI64Type());
  return onnx::ConstantOp::create(b, loc, type, DenseIntElementsAttr::get(type, values));
}

Value NodeContext::constScalar(Type et, double value) {
  auto type = RankedTensorType::get({}, et);
  Attribute attr;
  if (auto ft = dyn_cast<FloatType>(et))
    attr = DenseElementsAttr::get(type, b.getFloatAttr(ft, value));
  else
    attr = DenseElementsAttr::get(type, b.getIntegerAttr(et, static_cast<int64_t>(value)));
  return onnx::ConstantOp::create(b, loc, type, cast<ElementsAttr>(attr));
}

//===----------------------------------------------------------------------===//
// Converters
//===----------------------------------------------------------------------===//

Result results(Operation *op) { return SmallVector<Value>(op->getResults()); }

/// Refuses optional outputs the dialect op does not produce.
LogicalResult onlyOutputs(NodeContext &c, int count) {
  for (int i = count; i < c.node.output_size(); ++i)
    if (!c.node.output(i).empty())
      return c.emitError() << "output " << i << " ('" << c.node.output(i)
                           << "') is not supported";
  return success();
}

/// Inputs in order; an omitted input is only allowed at the end.
static FailureOr<SmallVector<Value>> positionalInputs(NodeContext &c) {
  SmallVector<Value> ops;
  bool gap = false;
  for (Value v : c.inputs) {
    if (!v) {
      gap = true;
      continue;
    }
    if (gap)
      return c.emitError() << "omitted optional inputs are only supported at the end";
    ops.push_back(v);
  }
  return ops;
}

/// The op as it stands in the newest opset: inputs positional, attributes by kind.
static Converter generic(StringRef opName, int numOutputs = 1) {
  return [opName = opName.str(), numOutputs](NodeContext &c) -> Result {
    auto ops = positionalInputs(c);
    auto attrs = c.convertAttributes();
    if (failed(ops) || failed(attrs) || failed(onlyOutputs(c, numOutputs)))
      return failure();
    auto op = c.create(opName, *ops, *attrs, numOutputs);
    if (failed(op))
      return failure();
    return results(*op);
  };
}

/// Opsets < 7 broadcast only with `broadcast=1`, aligning B at `axis`: reshape B so that numpy
/// broadcasting gives the same result.
static FailureOr<Value> legacyBroadcastB(NodeContext &c, Value a, Value bv) {
  auto broadcast = c.intAttr("broadcast", 0);
  if (failed(broadcast))
    return failure();
  if (c.opset >= 7 || *broadcast == 0 || !c.attr("axis"))
    return bv;
  auto at = dyn_cast<RankedTensorType>(a.getType());
  auto bt = dyn_cast<RankedTensorType>(bv.getType());
  if (!at || !bt || !bt.hasStaticShape())
    return c.emitError() << "legacy broadcasting with 'axis' needs known shapes";
  int64_t axis = c.attr("axis")->i();
  if (axis < 0)
    axis += at.getRank();
  int64_t trailing = at.getRank() - axis - bt.getRank();
  if (axis < 0 || trailing < 0)
    return c.emitError() << "legacy broadcast axis " << axis << " is out of range";
  SmallVector<int64_t> shape(bt.getShape());
  shape.append(trailing, 1);
  NodeContext sub(c.b, c.loc, c.node, c.opset, {}, {});
  auto op = sub.create("Reshape", {bv, c.constI64(shape)}, {});
  if (failed(op))
    return failure();
  return (*op)->getResult(0);
}

static Converter binary(StringRef opName) {
  return [opName = opName.str()](NodeContext &c) -> Result {
    if (!c.input(0) || !c.input(1))
      return c.emitError() << "needs two inputs";
    auto bv = legacyBroadcastB(c, c.input(0), c.input(1));
    if (failed(bv))
      return failure();
    auto op = c.create(opName, {c.input(0), *bv}, {});
    if (failed(op))
      return failure();
    return results(*op);
  };
}

/// Sum/Max/Min/Mean take any number of inputs: a left fold of the binary op.
static Converter variadic(StringRef binaryName, bool mean = false) {
  return [binaryName = binaryName.str(), mean](NodeContext &c) -> Result {
    auto ops = positionalInputs(c);
    if (failed(ops))
      return failure();
    if (ops->empty())
      return c.emitError() << "needs at least one input";
    NodeContext inner(c.b, c.loc, c.node, c.opset, {}, {});
    Value acc = (*ops)[0];
    for (Value v : ArrayRef<Value>(*ops).drop_front()) {
      auto op = inner.create(binaryName, {acc, v}, {});
      if (failed(op))
        return failure();
      acc = (*op)->getResult(0);
    }
    if (mean && ops->size() > 1) {
      Type et = cast<ShapedType>(acc.getType()).getElementType();
      auto op = inner.create("Div", {acc, c.constScalar(et, ops->size())}, {});
      if (failed(op))
        return failure();
      acc = (*op)->getResult(0);
    }
    if (ops->size() == 1) {
      auto op = c.create("Identity", {acc}, {});
      if (failed(op))
        return failure();
      acc = (*op)->getResult(0);
    }
    return SmallVector<Value>{acc};
  };
}

static Result convertClip(NodeContext &c) {
  Value x = c.input(0), lo = c.input(1), hi = c.input(2);
  if (!x)
    return c.emitError() << "needs an input";
  if (c.opset < 11) {
    Type et = cast<ShapedType>(x.getType()).getElementType();
    if (c.attr("min")) {
      auto v = c.floatAttr("min", 0);
      if (failed(v))
        return failure();
      lo = c.constScalar(et, *v);
    }
    if (c.attr("max")) {
      auto v = c.floatAttr("max", 0);
      if (failed(v))
        return failure();
      hi = c.constScalar(et, *v);
    }
  }
  SmallVector<Value> operands{x};
  if (lo)
    operands.push_back(lo);
  if (hi)
    operands.push_back(hi);
  auto segments = c.b.getNamedAttr("operandSegmentSizes",
                                   c.b.getDenseI32ArrayAttr({1, lo ? 1 : 0, hi ? 1 : 0}));
  auto op = c.create("Clip", operands, {segments});
  if (failed(op))
    return failure();
  return results(*op);
}

static Result convertCast(NodeContext &c) {
  const auto *to = c.attr("to");
  if (!to)
    return c.emitError() << "attribute 'to' is required";
  int dt = 0;
  if (to->type() == ::onnx::AttributeProto::STRING) { // Opsets < 6 name the type.
    ::onnx::TensorProto_DataType parsed;
    if (!::onnx::TensorProto_DataType_Parse(to->s(), &parsed))
      return c.emitError() << "unknown type name '" << to->s() << "' in 'to'";
    dt = parsed;
  } else {
    dt = to->i();
  }
  Type et = elementTypeFor(*c.b.getContext(), dt);
  if (!et)
    return c.emitError() << "casting to data type " << dt << " is not supported";
  auto op = c.create("Cast", {c.input(0)}, {c.b.getNamedAttr("to", TypeAttr::get(et))});
  if (failed(op))
    return failure();
  return results(*op);
}

/// CastLike (opset 15) is Cast to the element type of its second input.
static Result convertCastLike(NodeContext &c) {
  if (!c.input(0) || !c.input(1))
    return c.emitError() << "needs two inputs";
  Type et = cast<ShapedType>(c.input(1).getType()).getElementType();
  auto op = c.create("Cast", {c.input(0)}, {c.b.getNamedAttr("to", TypeAttr::get(et))});
  if (failed(op))
    return failure();
  return results(*op);
}

static Result convertBatchNorm(NodeContext &c) {
  auto training = c.intAttr("training_mode", 0);
  if (failed(training))
    return failure();
  if (*training)
    return convertBatchNormTraining(c);
  if (failed(onlyOutputs(c, 1)))
    return failure();
  auto eps = c.floatAttr("epsilon", 1e-5f);
  if (failed(eps))
    return failure();
  for (int i = 0; i < 5; ++i)
    if (!c.input(i))
      return c.emitError() << "needs 5 inputs";
  auto op = c.create("BatchNormalization", ArrayRef<Value>(c.inputs).take_front(5),
                     {c.b.getNamedAttr("epsilon", c.b.getF32FloatAttr(*eps))});
  if (failed(op))
    return failure();
  return results(*op);
}

/// Opsets < 13 define (Log)Softmax on the input coerced to 2-D at `axis` (default 1); newer
/// opsets normalize along one axis (default -1). Rewrite the old form as Flatten + new form +
/// Reshape, or as the new form directly when the axis is the last one.
static Converter softmax(StringRef opName) {
  return [opName = opName.str()](NodeContext &c) -> Result {
    auto axisAttr = c.intAttr("axis", c.opset < 13 ? 1 : -1);
    if (failed(axisAttr))
      return failure();
    int64_t axis = *axisAttr;
    Value x = c.input(0);
    if (!x)
      return c.emitError() << "input 0 is missing";
    auto xt = dyn_cast<RankedTensorType>(x.getType());
    if (c.opset >= 13 || (xt && (axis == -1 || axis == xt.getRank() - 1))) {
      auto op = c.create(opName, {x}, {c.b.getNamedAttr("axis", c.b.getI64IntegerAttr(axis))});
      if (failed(op))
        return failure();
      return results(*op);
    }
    if (!xt || !xt.hasStaticShape())
      return c.emitError() << "opset " << c.opset << " " << opName
                           << " on a non-final axis needs a known input shape";
    NodeContext inner(c.b, c.loc, c.node, c.opset, {}, {});
    auto flat = inner.create("Flatten", {x}, {c.b.getNamedAttr("axis", c.b.getI64IntegerAttr(axis))});
    if (failed(flat))
      return failure();
    auto sm = inner.create(opName, {(*flat)->getResult(0)},
                           {c.b.getNamedAttr("axis", c.b.getI64IntegerAttr(1))});
    if (failed(sm))
      return failure();
    auto back = c.create("Reshape", {(*sm)->getResult(0), c.constI64(xt.getShape())}, {});
    if (failed(back))
      return failure();
    return results(*back);
  };
}

static Result convertReshape(NodeContext &c) {
  if (c.opset < 5) {
    const auto *shape = c.attr("shape");
    if (!shape)
      return c.emitError() << "attribute 'shape' is required";
    SmallVector<int64_t> dims(shape->ints().begin(), shape->ints().end());
    auto op = c.create("Reshape", {c.input(0), c.constI64(dims)}, {});
    if (failed(op))
      return failure();
    return results(*op);
  }
  return generic("Reshape")(c);
}

static Result convertConcat(NodeContext &c) {
  auto axis = c.intAttr("axis", c.opset < 4 ? 1 : INT64_MIN);
  if (failed(axis))
    return failure();
  if (*axis == INT64_MIN)
    return c.emitError() << "attribute 'axis' is required";
  auto ops = positionalInputs(c);
  if (failed(ops))
    return failure();
  auto op = c.create("Concat", *ops, {c.b.getNamedAttr("axis", c.b.getI64IntegerAttr(*axis))});
  if (failed(op))
    return failure();
  return results(*op);
}

/// Inference-mode Dropout is the identity; its mask, when requested, is all ones (bool from
/// opset 10, the input's type before). So is training-mode Dropout with a ratio of 0 (every
/// element kept, scale 1 / (1 - 0)); any other training-mode Dropout draws a random mask, so
/// its result is not a function of its inputs. When both training_mode and ratio are
/// constants that ask for a random mask the node is refused; when either is known only at run
/// time, the identity is guarded by a run-time check (onnx.Check) that ends the run with
/// status 12 when training_mode is true and the ratio is not 0.
static Result convertDropout(NodeContext &c) {
  Value randomMaskOk; // Null: identity at compile time; else the run-time condition.
  if (c.input(2)) {
    DenseElementsAttr training, ratio;
    bool constTraining = matchPattern(c.input(2), m_Constant(&training)) && training.isSplat();
    bool inference = constTraining && !training.getSplatValue<bool>();
    // The ratio defaults to 0.5 when the input is omitted.
    bool constRatio = !c.input(1) || (matchPattern(c.input(1), m_Constant(&ratio)) &&
                                      isa<FloatType>(ratio.getElementType()) && ratio.isSplat());
    bool zeroRatio = c.input(1) && constRatio && ratio.getSplatValue<APFloat>().isZero();
    if (!inference && !zeroRatio && constTraining && constRatio)
      return c.emitError() << "training-mode Dropout (training_mode is a constant true) "
                              "draws a random mask unless its ratio is 0; random "
                              "masks are not supported (the result would not be a function of "
                              "the inputs)";
    if (!inference && !zeroRatio) {
      auto scalarType = [](Value v) {
        auto t = dyn_cast<RankedTensorType>(v.getType());
        return t && t.getNumElements() == 1 && t.getRank() <= 1;
      };
      if (!scalarType(c.input(2)) ||
          !cast<ShapedType>(c.input(2).getType()).getElementType().isInteger(1))
        return c.emitError() << "'training_mode' must be a bool scalar, got "
                             << c.input(2).getType();
      if (c.input(1) && (!scalarType(c.input(1)) ||
                         !isa<FloatType>(cast<ShapedType>(c.input(1).getType()).getElementType())))
        return c.emitError() << "'ratio' must be a float scalar, got " << c.input(1).getType();
      // Identity exactly when !training_mode || ratio == 0.
      Decomposer d(c);
      Value notTraining = d.op("Not", {c.input(2)});
      randomMaskOk = c.input(1) ? d.op("Or", {notTraining, d.op("Equal", {c.input(1),
                                                                          d.scalar(c.input(1), 0.0)})})
                                : notTraining;
      if (randomMaskOk)
        randomMaskOk = d.reshape(randomMaskOk, {});
      if (!randomMaskOk)
        return failure();
    }
  }
  if (failed(onlyOutputs(c, 2)))
    return failure();
  std::string where = isa<NameLoc>(c.loc) ? cast<NameLoc>(c.loc).getName().str() : "Dropout";
  std::string message = where + ": training-mode Dropout with a non-zero ratio draws a random "
                                "mask, which is not supported";
  auto guard = [&](Value v) {
    return randomMaskOk ? buildRuntimeCheck(c, randomMaskOk, v, message) : v;
  };
  auto op = c.create("Identity", {c.input(0)}, {});
  if (failed(op))
    return failure();
  SmallVector<Value> outs{guard((*op)->getResult(0))};
  if (!outs[0])
    return failure();
  if (c.node.output_size() > 1 && !c.node.output(1).empty()) {
    auto t = dyn_cast<RankedTensorType>(c.input(0).getType());
    if (!t || !t.hasStaticShape())
      return c.emitError() << "the mask output needs a known static input shape";
    Type et = c.opset >= 10 ? Type(c.b.getI1Type()) : t.getElementType();
    auto type = RankedTensorType::get(t.getShape(), et);
    Attribute one = isa<FloatType>(et) ? Attribute(c.b.getFloatAttr(et, 1.0))
                                       : Attribute(c.b.getIntegerAttr(et, 1));
    outs.push_back(guard(onnx::ConstantOp::create(
        c.b, c.loc, type, cast<ElementsAttr>(DenseElementsAttr::get(type, one)))));
    if (!outs.back())
      return failure();
  }
  return outs;
}

/// PRelu before opset 7 (PRelu-1, PRelu-6) predates numpy broadcasting: a slope of size C is
/// per channel (axis 1, as in Caffe's PReLU that PyTorch exported), not aligned with the last
/// axis. Reshape it to [C, 1, ..., 1] so that the current op broadcasts it the same way.
static Result convertPRelu(NodeContext &c) {
  Value x = c.input(0), slope = c.input(1);
  if (c.opset < 7 && x && slope) {
    auto xt = dyn_cast<RankedTensorType>(x.getType());
    auto st = dyn_cast<RankedTensorType>(slope.getType());
    if (xt && st && xt.getRank() >= 2 && st.getRank() == 1 && st.getDimSize(0) != 1 &&
        st.getDimSize(0) == xt.getDimSize(1) && !xt.isDynamicDim(1)) {
      SmallVector<int64_t> shape(xt.getRank() - 1, 1);
      shape[0] = xt.getDimSize(1);
      NodeContext inner(c.b, c.loc, c.node, c.opset, {}, {});
      auto r = inner.create("Reshape", {slope, c.constI64(shape)}, {});
      if (failed(r))
        return failure();
      slope = (*r)->getResult(0);
    }
  }
  auto attrs = c.convertAttributes();
  if (failed(attrs) || failed(onlyOutputs(c, 1)))
    return failure();
  auto op = c.create("PRelu", {x, slope}, *attrs);
  if (failed(op))
    return failure();
  return results(*op);
}

static Result convertGemm(NodeContext &c) {
  auto ops = positionalInputs(c);
  auto attrs = c.convertAttributes({"broadcast"});
  if (failed(ops) || failed(attrs))
    return failure();
  auto op = c.create("Gemm", *ops, *attrs);
  if (failed(op))
    return failure();
  return results(*op);
}

/// The Indices output only when the node uses it: it costs a second output per window.
static Result convertMaxPool(NodeContext &c) {
  bool indices = c.node.output_size() > 1 && !c.node.output(1).empty();
  return generic("MaxPool", indices ? 2 : 1)(c);
}

/// The axes a reduction of `in` must have reduced to give `out` (keepdims or not), when the
/// shapes determine the result: dims of size 1 may be reduced or not without changing it, so
/// only the reduced dims of other sizes count. Nothing when no set of axes or several that
/// differ there fit.
static std::optional<SmallVector<int64_t>> axesFromShapes(ArrayRef<int64_t> in,
                                                         ArrayRef<int64_t> out, bool keepdims) {
  int64_t rank = in.size();
  if (keepdims) {
    if (static_cast<int64_t>(out.size()) != rank)
      return std::nullopt;
    SmallVector<int64_t> axes;
    for (int64_t i = 0; i < rank; ++i) {
      if (out[i] == in[i])
        continue;
      if (out[i] != 1)
        return std::nullopt;
      axes.push_back(i);
    }
    return axes;
  }
  // Every way to keep a subsequence of `in` equal to `out`; the dropped dims are the axes.
  std::optional<SmallVector<int64_t>> found;
  bool ambiguous = false;
  SmallVector<int64_t> dropped;
  std::function<void(int64_t, size_t)> match = [&](int64_t i, size_t o) {
    if (ambiguous)
      return;
    if (i == rank) {
      if (o != out.size())
        return;
      SmallVector<int64_t> key;
      for (int64_t d : dropped)
        if (in[d] != 1)
          key.push_back(d);
      if (!found) {
        found = dropped;
      } else {
        SmallVector<int64_t> foundKey;
        for (int64_t d : *found)
          if (in[d] != 1)
            foundKey.push_back(d);
        ambiguous = foundKey != key;
      }
      return;
    }
    if (o < out.size() && in[i] == out[o])
      match(i + 1, o + 1);
    dropped.push_back(i);
    match(i + 1, o);
    dropped.pop_back();
  };
  match(0, 0);
  if (ambiguous)
    return std::nullopt;
  return found;
}

/// Axes computed at run time whose declared output shape (keepdims = 0) fits several sets of
/// `k` axes ([3, 2, 2] -> [3, 2]: axis 1 or 2): each candidate is reduced with constant axes,
/// and the one whose set equals the run-time axes is selected (Where), counting matches of
/// the normalized axes against each candidate. Null when there are too many candidates.
static Value selectReductionAtRunTime(NodeContext &c, const std::string &opName, Value axes,
                                      ArrayRef<int64_t> in, ArrayRef<int64_t> out, int64_t k) {
  int64_t rank = in.size();
  if (k < 1 || k > rank || rank > 8 || static_cast<int64_t>(out.size()) != rank - k)
    return {};
  SmallVector<SmallVector<int64_t>> candidates;
  for (unsigned mask = 0; mask < (1u << rank); ++mask) {
    if (llvm::popcount(mask) != k)
      continue;
    SmallVector<int64_t> kept, set;
    for (int64_t d = 0; d < rank; ++d)
      (mask >> d & 1 ? set : kept).push_back(d);
    bool fits = true;
    for (size_t i = 0; i < kept.size(); ++i)
      fits &= in[kept[i]] == out[i];
    if (fits)
      candidates.push_back(set);
  }
  if (candidates.empty() || candidates.size() > 16)
    return {};
  Decomposer d(c);
  Type i64 = c.b.getI64Type();
  auto reduceWith = [&](ArrayRef<int64_t> set) {
    return d.op(opName, {c.input(0)},
                {c.b.getNamedAttr("axes", c.b.getDenseI64ArrayAttr(set)),
                 c.b.getNamedAttr("keepdims", c.b.getI64IntegerAttr(0)),
                 c.b.getNamedAttr("noop_with_empty_axes", c.b.getI64IntegerAttr(0))});
  };
  // Negative axes count from the end.
  Value normalized = d.op("Where", {d.op("Less", {axes, c.constI64({0})}),
                                    d.op("Add", {axes, c.constI64({rank})}), axes});
  Value result = reduceWith(candidates.back());
  for (size_t i = candidates.size() - 1; i-- > 0;) {
    Value matches;
    for (int64_t a : candidates[i]) {
      Value hits = d.castTo(d.op("Equal", {normalized, c.constI64({a})}), i64);
      Value n = d.op("ReduceSum", {hits},
                     {c.b.getNamedAttr("axes", c.b.getDenseI64ArrayAttr({0})),
                      c.b.getNamedAttr("keepdims", c.b.getI64IntegerAttr(0)),
                      c.b.getNamedAttr("noop_with_empty_axes", c.b.getI64IntegerAttr(0))});
      matches = matches ? d.op("Add", {matches, n}) : n;
    }
    Value same = d.op("Equal", {matches, c.constScalar(i64, static_cast<double>(k))});
    result = d.op("Where", {same, reduceWith(candidates[i]), result});
  }
  return d.failedAny ? Value() : result;
}

/// Reduce*: the axes come from the `axes` attribute before opset `axesInputSince` and from the
/// optional second input from then on (ReduceSum: 13, the others: 18). The dialect op holds
/// them as an attribute, so the input must be a constant, or have no elements at all: an
/// empty list is known whatever produces it. Axes computed at run time are taken from the
/// declared output shape when it determines them (as Reshape takes a run-time shape from it);
/// an empty set then reduces nothing.
static Converter reduction(StringRef opName, int64_t axesInputSince) {
  return [opName = opName.str(), axesInputSince](NodeContext &c) -> Result {
    if (!c.input(0))
      return c.emitError() << "input 0 is missing";
    auto keepdims = c.intAttr("keepdims", 1);
    auto noop = c.intAttr("noop_with_empty_axes", 0);
    if (failed(keepdims) || failed(noop) || failed(onlyOutputs(c, 1)))
      return failure();
    SmallVector<int64_t> axes;
    if (c.opset < axesInputSince) {
      if (c.input(1))
        return c.emitError() << opName << " takes 'axes' as an input only from opset "
                             << axesInputSince;
      if (const auto *a = c.attr("axes")) {
        if (a->type() != ::onnx::AttributeProto::INTS && !(a->type() == 0 && a->ints_size()))
          return c.emitError() << "attribute 'axes' must be a list of ints";
        axes.assign(a->ints().begin(), a->ints().end());
      }
    } else if (c.attr("axes")) {
      return c.emitError() << "attribute 'axes' is an input from opset " << axesInputSince;
    } else if (Value v = c.input(1)) {
      auto t = dyn_cast<RankedTensorType>(v.getType());
      if (t && (t.getRank() != 1 || !t.getElementType().isInteger(64)))
        return c.emitError() << "'axes' must be a 1-D int64 tensor, got " << t;
      DenseIntElementsAttr values;
      if (t && t.hasStaticShape() && t.getNumElements() == 0) {
        // Empty: every axis, or none with noop_with_empty_axes.
      } else if (matchPattern(v, m_Constant(&values))) {
        for (const APInt &a : values)
          axes.push_back(a.getSExtValue());
      } else {
        auto in = dyn_cast<RankedTensorType>(c.input(0).getType());
        auto out = c.resultTypes.empty() ? RankedTensorType()
                                         : dyn_cast_or_null<RankedTensorType>(c.resultTypes[0]);
        std::optional<SmallVector<int64_t>> fromShapes;
        if (in && out && in.hasStaticShape() && out.hasStaticShape())
          fromShapes = axesFromShapes(in.getShape(), out.getShape(), *keepdims != 0);
        if (!fromShapes && in && out && in.hasStaticShape() && out.hasStaticShape() && t &&
            t.hasStaticShape() && !*keepdims)
          if (Value selected = selectReductionAtRunTime(c, opName, v, in.getShape(),
                                                        out.getShape(), t.getNumElements()))
            return SmallVector<Value>{selected};
        if (!fromShapes)
          return c.emitError() << "'axes' must be a constant (an initializer or a Constant "
                                  "node), or follow from the declared input and output shapes: "
                                  "axes computed at run time are not supported otherwise";
        axes = *fromShapes;
        if (axes.empty())
          *noop = 1;
      }
    }
    auto op = c.create(opName, {c.input(0)},
                       {c.b.getNamedAttr("axes", c.b.getDenseI64ArrayAttr(axes)),
                        c.b.getNamedAttr("keepdims", c.b.getI64IntegerAttr(*keepdims)),
                        c.b.getNamedAttr("noop_with_empty_axes", c.b.getI64IntegerAttr(*noop))});
    if (failed(op))
      return failure();
    return results(*op);
  };
}

//===----------------------------------------------------------------------===//
// Shape and data movement
//===----------------------------------------------------------------------===//

/// An INTS attribute, for the shape attributes that later opsets made inputs; nothing when
/// absent.
static FailureOr<std::optional<SmallVector<int64_t>>> intsAttr(NodeContext &c, StringRef name) {
  const auto *a = c.attr(name);
  if (!a)
    return std::optional<SmallVector<int64_t>>();
  if (a->type() != ::onnx::AttributeProto::INTS && !(a->type() == 0 && a->ints_size()))
    return c.emitError() << "attribute '" << name << "' must be a list of ints";
  return std::optional<SmallVector<int64_t>>(SmallVector<int64_t>(a->ints().begin(),
                                                                  a->ints().end()));
}

/// Squeeze and Unsqueeze take `axes` as an attribute before opset 13 and as an input from
/// then on (optional for Squeeze: without it every dim of size 1 goes).
static Converter squeezeLike(StringRef opName) {
  return [opName = opName.str()](NodeContext &c) -> Result {
    if (!c.input(0))
      return c.emitError() << "input 0 is missing";
    if (failed(onlyOutputs(c, 1)))
      return failure();
    SmallVector<Value> operands{c.input(0)};
    if (c.opset < 13) {
      auto axes = intsAttr(c, "axes");
      if (failed(axes))
        return failure();
      if (*axes)
        operands.push_back(c.constI64(**axes));
    } else if (c.attr("axes")) {
      return c.emitError() << "attribute 'axes' is an input from opset 13";
    } else if (c.input(1)) {
      operands.push_back(c.input(1));
    }
    if (opName == "Unsqueeze" && operands.size() < 2)
      return c.emitError() << "'axes' is required";
    auto op = c.create(opName, operands, {});
    if (failed(op))
      return failure();
    return results(*op);
  };
}

/// Slice: starts/ends/axes attributes before opset 10; from then on inputs, with optional
/// axes and steps (steps may be given without axes).
static Result convertSlice(NodeContext &c) {
  if (!c.input(0))
    return c.emitError() << "input 0 is missing";
  if (failed(onlyOutputs(c, 1)))
    return failure();
  Value starts, ends, axes, steps;
  if (c.opset < 10) {
    auto s = intsAttr(c, "starts"), e = intsAttr(c, "ends"), a = intsAttr(c, "axes");
    if (failed(s) || failed(e) || failed(a))
      return failure();
    if (!*s || !*e)
      return c.emitError() << "attributes 'starts' and 'ends' are required";
    starts = c.constI64(**s);
    ends = c.constI64(**e);
    if (*a)
      axes = c.constI64(**a);
  } else {
    starts = c.input(1);
    ends = c.input(2);
    axes = c.input(3);
    steps = c.input(4);
    if (!starts || !ends)
      return c.emitError() << "inputs 'starts' and 'ends' are required";
  }
  SmallVector<Value> operands{c.input(0), starts, ends};
  if (axes)
    operands.push_back(axes);
  if (steps)
    operands.push_back(steps);
  auto segments = c.b.getNamedAttr(
      "operandSegmentSizes", c.b.getDenseI32ArrayAttr({1, 1, 1, axes ? 1 : 0, steps ? 1 : 0}));
  auto op = c.create("Slice", operands, {segments});
  if (failed(op))
    return failure();
  return results(*op);
}

/// Tile before opset 6 took `tiles` and `axis` inputs (one axis at a time).
static Result convertTile(NodeContext &c) {
  if (c.opset < 6)
    return c.emitError() << "Tile before opset 6 (tiles and axis inputs) is not supported";
  return generic("Tile")(c);
}

/// Pad: `pads` (`paddings` in opset 1) and a float `value` attribute before opset 11; from
/// then on a pads input, an optional constant_value input and (opset 18) optional axes.
static Result convertPad(NodeContext &c) {
  Value data = c.input(0);
  if (!data)
    return c.emitError() << "input 0 is missing";
  if (failed(onlyOutputs(c, 1)))
    return failure();
  std::string mode = "constant";
  if (const auto *m = c.attr("mode")) {
    if (m->type() != ::onnx::AttributeProto::STRING && !(m->type() == 0 && m->has_s()))
      return c.emitError() << "attribute 'mode' must be a string";
    mode = m->s();
  }
  Value pads, value, axes;
  if (c.opset < 11) {
    StringRef name = c.opset < 2 ? "paddings" : "pads";
    auto p = intsAttr(c, name);
    auto v = c.floatAttr("value", 0.0f);
    if (failed(p) || failed(v))
      return failure();
    if (!*p)
      return c.emitError() << "attribute '" << name << "' is required";
    pads = c.constI64(**p);
    if (mode == "constant" && *v != 0.0f)
      value = c.constScalar(cast<ShapedType>(data.getType()).getElementType(), *v);
  } else {
    pads = c.input(1);
    value = c.input(2);
    axes = c.input(3);
    if (!pads)
      return c.emitError() << "input 'pads' is required";
  }
  SmallVector<Value> operands{data, pads};
  if (value)
    operands.push_back(value);
  if (axes)
    operands.push_back(axes);
  auto op = c.create(
      "Pad", operands,
      {c.b.getNamedAttr("mode", c.b.getStringAttr(mode)),
       c.b.getNamedAttr("operandSegmentSizes",
                        c.b.getDenseI32ArrayAttr({1, 1, value ? 1 : 0, axes ? 1 : 0}))});
  if (failed(op))
    return failure();
  return results(*op);
}

/// ConstantOfShape's `value` is a one-element tensor attribute (default float 0).
static Result convertConstantOfShape(NodeContext &c) {
  if (!c.input(0))
    return c.emitError() << "input 0 is missing";
  SmallVector<NamedAttribute> attrs;
  if (const auto *a = c.attr("value")) {
    if (!a->has_t())
      return c.emitError() << "attribute 'value' must be a tensor";
    ::onnx::TensorProto t = a->t(); // readTensor may consume its raw data.
    std::string error;
    ElementsAttr value = readTensor(*c.b.getContext(), t, TensorReadContext(), error);
    if (!value)
      return c.emitError() << "attribute 'value': " << error;
    if (value.getNumElements() != 1)
      return c.emitError() << "attribute 'value' must have exactly one element";
    attrs.push_back(c.b.getNamedAttr("value", value));
  }
  auto op = c.create("ConstantOfShape", {c.input(0)}, attrs);
  if (failed(op))
    return failure();
  return results(*op);
}

/// Split: `split` is an attribute before opset 13 (opsets 1-2 also accept it as an input)
/// and an input from then on; opset 18's num_outputs must match the node's outputs, which
/// the dialect op carries as its result count.
static Result convertSplit(NodeContext &c) {
  if (!c.input(0))
    return c.emitError() << "input 0 is missing";
  auto axis = c.intAttr("axis", 0);
  if (failed(axis))
    return failure();
  Value split;
  if (c.opset < 13) {
    auto s = intsAttr(c, "split");
    if (failed(s))
      return failure();
    split = *s ? c.constI64(**s) : c.input(1);
  } else if (c.attr("split")) {
    return c.emitError() << "attribute 'split' is an input from opset 13";
  } else {
    split = c.input(1);
  }
  int numOutputs = c.node.output_size();
  if (c.attr("num_outputs")) {
    auto n = c.intAttr("num_outputs", 0);
    if (failed(n))
      return failure();
    if (*n != numOutputs)
      return c.emitError() << "num_outputs is " << *n << " but the node has " << numOutputs
                           << " outputs";
    if (split)
      return c.emitError() << "'split' and 'num_outputs' cannot both be given";
  }
  SmallVector<Value> operands{c.input(0)};
  if (split)
    operands.push_back(split);
  auto op = c.create("Split", operands, {c.b.getNamedAttr("axis", c.b.getI64IntegerAttr(*axis))},
                     numOutputs);
  if (failed(op))
    return failure();
  return results(*op);
}

//===----------------------------------------------------------------------===//
// Normalization
//===----------------------------------------------------------------------===//
// LayerNormalization, InstanceNormalization, GroupNormalization, MeanVarianceNormalization,
// LpNormalization, LRN and Hardmax are rewritten at import into the dialect's reductions and
// elementwise ops (each already lowered and fused), the way ONNX defines most of them as
// functions. Statistics are computed in two passes (mean, then the mean of squared
// deviations) so that they stay accurate for inputs with a large mean.


/// The input's ranked type with static dims, or an error naming what needs it.
FailureOr<RankedTensorType> staticInput(NodeContext &c, size_t i) {
  Value v = c.input(i);
  if (!v)
    return c.emitError() << "input " << i << " is missing";
  auto t = dyn_cast<RankedTensorType>(v.getType());
  if (!t || !t.hasStaticShape())
    return c.emitError() << "needs a known static shape for input " << i
                         << " (dims known only at run time are not supported here: fix the "
                            "graph inputs' dims with --shape NAME=DIMS)";
  if (!isa<FloatType>(t.getElementType()))
    return c.emitError() << "input " << i << " must be a float tensor, got " << t;
  return t;
}

/// Like staticInput for decompositions that take dims known only at run time.
static FailureOr<RankedTensorType> rankedInput(NodeContext &c, size_t i) {
  Value v = c.input(i);
  if (!v)
    return c.emitError() << "input " << i << " is missing";
  auto t = dyn_cast<RankedTensorType>(v.getType());
  if (!t)
    return c.emitError() << "needs a known rank for input " << i;
  if (!isa<FloatType>(t.getElementType()))
    return c.emitError() << "input " << i << " must be a float tensor, got " << t;
  return t;
}

FailureOr<int64_t> normAxis(NodeContext &c, int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    return c.emitError() << "axis " << axis << " is out of range for rank " << rank;
  return axis < 0 ? axis + rank : axis;
}

/// LayerNormalization (opset 17): normalize over axes [axis, rank); the optional Mean and
/// InvStdDev outputs keep those axes as 1. stash_type=1 computes in float32 for narrower
/// inputs.
static Result convertLayerNorm(NodeContext &c) {
  auto xt = rankedInput(c, 0); // Run-time dims before `axis` are fine.
  auto axisAttr = c.intAttr("axis", -1);
  auto eps = c.floatAttr("epsilon", 1e-5f);
  auto stash = c.intAttr("stash_type", 1);
  if (failed(xt) || failed(axisAttr) || failed(eps) || failed(stash))
    return failure();
  if (!c.input(1))
    return c.emitError() << "input 'Scale' is missing";
  auto axis = normAxis(c, *axisAttr, xt->getRank());
  if (failed(axis))
    return failure();
  Type et = xt->getElementType();
  Type ct = *stash == 1 ? Type(c.b.getF32Type()) : et;
  if (*stash != 1 && *stash != static_cast<int64_t>(::onnx::TensorProto::FLOAT) &&
      *stash != static_cast<int64_t>(::onnx::TensorProto::FLOAT16) &&
      *stash != static_cast<int64_t>(::onnx::TensorProto::DOUBLE))
    return c.emitError() << "stash_type " << *stash << " is not supported";
  if (*stash == ::onnx::TensorProto::DOUBLE)
    ct = c.b.getF64Type();
  else if (*stash == ::onnx::TensorProto::FLOAT16)
    ct = c.b.getF16Type();
  Decomposer d(c);
  SmallVector<int64_t> axes;
  for (int64_t i = *axis; i < xt->getRank(); ++i)
    axes.push_back(i);
  Value mean, invStd;
  Value y = d.standardize(d.castTo(c.input(0), ct), axes, *eps, &mean, &invStd);
  y = d.op("Mul", {y, d.castTo(c.input(1), ct)});
  if (c.input(2))
    y = d.op("Add", {y, d.castTo(c.input(2), ct)});
  y = d.castTo(y, et);
  SmallVector<Value> outs{y, mean, invStd};
  outs.truncate(std::clamp<int64_t>(c.node.output_size(), 1, 3));
  return d.done(outs);
}

/// InstanceNormalization: per (batch, channel) statistics over the spatial axes; scale and
/// B are per channel.
static Result convertInstanceNorm(NodeContext &c) {
  auto xt = staticInput(c, 0);
  auto eps = c.floatAttr("epsilon", 1e-5f);
  if (failed(xt) || failed(eps) || failed(onlyOutputs(c, 1)))
    return failure();
  if (!c.input(1) || !c.input(2))
    return c.emitError() << "needs 3 inputs";
  int64_t rank = xt->getRank();
  if (rank < 3)
    return c.emitError() << "input must have rank >= 3, got " << rank;
  SmallVector<int64_t> axes, cshape{xt->getDimSize(1)};
  for (int64_t i = 2; i < rank; ++i) {
    axes.push_back(i);
    cshape.push_back(1);
  }
  Decomposer d(c);
  Value y = d.standardize(c.input(0), axes, *eps);
  y = d.op("Mul", {y, d.reshape(c.input(1), cshape)});
  y = d.op("Add", {y, d.reshape(c.input(2), cshape)});
  return d.done({y});
}

/// GroupNormalization: statistics per (batch, group) over the group's channels and the
/// spatial axes. Opset 18 takes scale and bias per group; opset 21 per channel (and a
/// stash_type, float32 computation being what we do for float32 anyway).
static Result convertGroupNorm(NodeContext &c) {
  auto xt = staticInput(c, 0);
  auto eps = c.floatAttr("epsilon", 1e-5f);
  auto groups = c.intAttr("num_groups", 0);
  if (failed(xt) || failed(eps) || failed(groups) || failed(onlyOutputs(c, 1)))
    return failure();
  if (!c.input(1) || !c.input(2))
    return c.emitError() << "needs 3 inputs";
  int64_t rank = xt->getRank();
  if (rank < 2)
    return c.emitError() << "input must have rank >= 2, got " << rank;
  int64_t n = xt->getDimSize(0), ch = xt->getDimSize(1), g = *groups;
  if (g <= 0 || ch % g != 0)
    return c.emitError() << "num_groups " << g << " must be positive and divide the " << ch
                         << " channels";
  int64_t rest = xt->getNumElements() / std::max<int64_t>(n * g, 1);
  Decomposer d(c);
  Value y = d.standardize(d.reshape(c.input(0), {n, g, rest}), {2}, *eps);
  Value scale = c.input(1), bias = c.input(2);
  if (c.opset < 21) {
    // Per group: apply in the grouped view.
    y = d.op("Mul", {y, d.reshape(scale, {g, 1})});
    y = d.op("Add", {y, d.reshape(bias, {g, 1})});
    y = d.reshape(y, xt->getShape());
  } else {
    SmallVector<int64_t> cshape{ch};
    cshape.append(rank - 2, 1);
    y = d.reshape(y, xt->getShape());
    y = d.op("Mul", {y, d.reshape(scale, cshape)});
    y = d.op("Add", {y, d.reshape(bias, cshape)});
  }
  return d.done({y});
}

/// MeanVarianceNormalization: (X - mean) / (std + 1e-9) over `axes` (default [0, 2, 3]).
static Result convertMVN(NodeContext &c) {
  auto xt = staticInput(c, 0);
  auto axesAttr = intsAttr(c, "axes");
  if (failed(xt) || failed(axesAttr) || failed(onlyOutputs(c, 1)))
    return failure();
  SmallVector<int64_t> axes = *axesAttr ? **axesAttr : SmallVector<int64_t>{0, 2, 3};
  for (int64_t &a : axes) {
    auto n = normAxis(c, a, xt->getRank());
    if (failed(n))
      return failure();
    a = *n;
  }
  Decomposer d(c);
  Value mean = d.reduce("ReduceMean", c.input(0), axes);
  Value dev = d.op("Sub", {c.input(0), mean});
  Value var = d.reduce("ReduceMean", d.op("Mul", {dev, dev}), axes);
  Value std = d.op("Add", {d.op("Sqrt", var), d.scalar(var, 1e-9)});
  return d.done({d.op("Div", {dev, std})});
}

/// LpNormalization: x / ||x||_p along one axis, p = 1 or 2.
static Result convertLpNorm(NodeContext &c) {
  auto xt = staticInput(c, 0);
  auto axisAttr = c.intAttr("axis", -1);
  auto p = c.intAttr("p", 2);
  if (failed(xt) || failed(axisAttr) || failed(p) || failed(onlyOutputs(c, 1)))
    return failure();
  if (*p != 1 && *p != 2)
    return c.emitError() << "p must be 1 or 2, got " << *p;
  auto axis = normAxis(c, *axisAttr, xt->getRank());
  if (failed(axis))
    return failure();
  Decomposer d(c);
  Value norm = d.reduce(*p == 1 ? "ReduceL1" : "ReduceL2", c.input(0), {*axis});
  return d.done({d.op("Div", {c.input(0), norm})});
}

/// LRN: x / (bias + alpha / size * sum of x^2 over `size` neighbouring channels)^beta, the
/// window [c - floor((size-1)/2), c + ceil((size-1)/2)] clipped at the edges (zero padding).
static Result convertLRN(NodeContext &c) {
  auto xt = staticInput(c, 0);
  auto alpha = c.floatAttr("alpha", 1e-4f);
  auto beta = c.floatAttr("beta", 0.75f);
  auto bias = c.floatAttr("bias", 1.0f);
  auto size = c.intAttr("size", 0);
  if (failed(xt) || failed(alpha) || failed(beta) || failed(bias) || failed(size) ||
      failed(onlyOutputs(c, 1)))
    return failure();
  int64_t rank = xt->getRank();
  if (rank < 2)
    return c.emitError() << "input must have rank >= 2, got " << rank;
  if (*size <= 0)
    return c.emitError() << "attribute 'size' must be positive";
  if (*size > 64)
    return c.emitError() << "size " << *size << " is larger than this importer unrolls (64)";
  int64_t ch = xt->getDimSize(1), lo = (*size - 1) / 2, hi = *size - 1 - lo;
  Decomposer d(c);
  Value x = c.input(0);
  Value sq = d.op("Mul", {x, x});
  SmallVector<int64_t> pads(2 * rank, 0);
  pads[1] = lo;
  pads[rank + 1] = hi;
  Value padded;
  if (!d.failedAny)
    padded = d.op("Pad", {sq, c.constI64(pads)},
                  {c.b.getNamedAttr("operandSegmentSizes", c.b.getDenseI32ArrayAttr({1, 1, 0, 0}))});
  Value sum;
  for (int64_t i = 0; i < *size && !d.failedAny; ++i) {
    Value part = d.op("Slice", {padded, c.constI64({i}), c.constI64({i + ch}), c.constI64({1})},
                      {c.b.getNamedAttr("operandSegmentSizes",
                                        c.b.getDenseI32ArrayAttr({1, 1, 1, 1, 0}))});
    sum = sum ? d.op("Add", {sum, part}) : part;
  }
  Value denom = d.op("Add", {d.scalar(sum, *bias),
                             d.op("Mul", {sum, d.scalar(sum, double(*alpha) / double(*size))})});
  denom = d.op("Pow", {denom, d.scalar(denom, *beta)});
  return d.done({d.op("Div", {x, denom})});
}

/// Hardmax: one at the first maximum along the axis, zero elsewhere. Opsets < 13 work on the
/// input coerced to 2-D at `axis` (default 1): the same as the opset-13 form over the
/// flattened trailing dims.
static Result convertHardmax(NodeContext &c) {
  auto xt = staticInput(c, 0);
  auto axisAttr = c.intAttr("axis", c.opset < 13 ? 1 : -1);
  if (failed(xt) || failed(axisAttr) || failed(onlyOutputs(c, 1)))
    return failure();
  auto axisN = normAxis(c, *axisAttr, xt->getRank());
  if (failed(axisN))
    return failure();
  int64_t axis = *axisN;
  Decomposer d(c);
  Value x = c.input(0);
  SmallVector<int64_t> shape(xt->getShape());
  if (c.opset < 13 && axis != xt->getRank() - 1) {
    int64_t outer = 1, inner = 1;
    for (int64_t i = 0; i < xt->getRank(); ++i)
      (i < axis ? outer : inner) *= xt->getDimSize(i);
    x = d.reshape(x, {outer, inner});
    shape = {outer, inner};
    axis = 1;
  }
  int64_t rank = shape.size(), dim = shape[axis];
  Value idx = d.op("ArgMax", x,
                   {c.b.getNamedAttr("axis", c.b.getI64IntegerAttr(axis)),
                    c.b.getNamedAttr("keepdims", c.b.getI64IntegerAttr(1))});
  SmallVector<int64_t> iota, ishape{dim};
  for (int64_t i = 0; i < dim; ++i)
    iota.push_back(i);
  ishape.append(rank - axis - 1, 1);
  Value positions = d.failedAny ? Value() : d.reshape(c.constI64(iota), ishape);
  Value y = d.castTo(d.op("Equal", {positions, idx}), xt->getElementType());
  if (!d.failedAny && ArrayRef<int64_t>(shape) != xt->getShape())
    y = d.reshape(y, xt->getShape());
  return d.done({y});
}

//===----------------------------------------------------------------------===//
// Det
//===----------------------------------------------------------------------===//

/// Det of [..., M, M] as the Leibniz sum over the permutations of the columns, unrolled at
/// import: exact arithmetic order, no pivoting or division, for the small matrices it suits
/// (M <= 4: at most 24 products); larger ones are refused.
static Result convertDet(NodeContext &c) {
  auto xt = staticInput(c, 0);
  if (failed(xt) || failed(onlyOutputs(c, 1)))
    return failure();
  int64_t rank = xt->getRank();
  if (rank < 2 || xt->getDimSize(rank - 1) != xt->getDimSize(rank - 2))
    return c.emitError() << "input must be [..., M, M], got " << *xt;
  int64_t m = xt->getDimSize(rank - 1);
  if (m < 1 || m > 4)
    return c.emitError() << "Det of " << m << "x" << m
                         << " matrices is not supported (1x1 to 4x4)";
  Decomposer d(c);
  auto at = [&](Value v, int64_t index, int64_t axis) {
    return d.op("Gather", {v, c.constScalar(c.b.getI64Type(), index)},
                {c.b.getNamedAttr("axis", c.b.getI64IntegerAttr(axis))});
  };
  // element[i][j] = x[..., i, j], each of shape [...].
  SmallVector<SmallVector<Value>> element(m);
  for (int64_t j = 0; j < m; ++j) {
    Value column = at(c.input(0), j, rank - 1);
    for (int64_t i = 0; i < m; ++i)
      element[i].push_back(at(column, i, rank - 2));
  }
  SmallVector<int64_t> perm = llvm::to_vector(llvm::seq<int64_t>(0, m));
  Value sum;
  do {
    int64_t inversions = 0;
    for (int64_t a = 0; a < m; ++a)
      for (int64_t b = a + 1; b < m; ++b)
        inversions += perm[a] > perm[b];
    Value term = element[0][perm[0]];
    for (int64_t i = 1; i < m; ++i)
      term = d.op("Mul", {term, element[i][perm[i]]});
    if (!sum)
      sum = inversions % 2 ? d.op("Neg", term) : term;
    else
      sum = d.op(inversions % 2 ? "Sub" : "Add", {sum, term});
  } while (std::next_permutation(perm.begin(), perm.end()) && !d.failedAny);
  return d.done({sum});
}

//===----------------------------------------------------------------------===//
// Recurrent
//===----------------------------------------------------------------------===//
// RNN, GRU and LSTM: per direction, the input projection of every time step is one MatMul
// (X W^T, [seq, batch, input] x [input, gates * hidden]) plus the biases that can be added
// there, hoisted out of the recurrence; onnx.Recurrent is the loop over the time steps
// (passes/lowering/Recurrent.cpp). The sequence and batch dims may be known only at run time.

namespace {
enum class Cell { RNN, GRU, LSTM };

/// Helpers to build the node's dialect ops.
struct RecurrentBuilder {
  NodeContext &c;
  Decomposer &d;
  int64_t hidden;

  Value constI64(int64_t v) { return c.constScalar(c.b.getI64Type(), v); }
  /// x[index] along axis 0, the axis dropped.
  Value take(Value x, int64_t index) { return d.op("Gather", {x, constI64(index)}); }
  /// The slice [from, to) of a 1-D tensor.
  Value part(Value v, int64_t from, int64_t to) {
    if (d.failedAny || !v)
      return v;
    return d.op("Slice", {v, c.constI64({from}), c.constI64({to})},
                {c.b.getNamedAttr("operandSegmentSizes",
                                  c.b.getDenseI32ArrayAttr({1, 1, 1, 0, 0}))});
  }
  Value transpose(Value x, ArrayRef<int64_t> perm) {
    return d.op("Transpose", x, {c.b.getNamedAttr("perm", c.b.getDenseI64ArrayAttr(perm))});
  }
  Value unsqueeze(Value x, int64_t axis) {
    return d.op("Unsqueeze", {x, c.constI64({axis})});
  }
  Value concat(ArrayRef<Value> xs, int64_t axis) {
    if (xs.size() == 1)
      return xs[0];
    return d.op("Concat", xs, {c.b.getNamedAttr("axis", c.b.getI64IntegerAttr(axis))});
  }
};

/// Whether activation `name` reads alpha (and beta), with their defaults (ONNX's RNN
/// activation functions; ONNX Runtime's defaults where the spec gives none).
struct ActivationParams {
  bool alpha, beta;
  double alphaDefault, betaDefault;
};
std::optional<ActivationParams> activationParams(StringRef name) {
  if (name == "Sigmoid" || name == "Tanh" || name == "Relu" || name == "Softsign" ||
      name == "Softplus")
    return ActivationParams{false, false, 0, 0};
  if (name == "Affine")
    return ActivationParams{true, true, 1.0, 0.0};
  if (name == "LeakyRelu")
    return ActivationParams{true, false, 0.01, 0};
  if (name == "ThresholdedRelu")
    return ActivationParams{true, false, 1.0, 0};
  if (name == "ScaledTanh")
    return ActivationParams{true, true, 1.0, 1.0};
  if (name == "HardSigmoid")
    return ActivationParams{true, true, 0.2, 0.5};
  if (name == "Elu")
    return ActivationParams{true, false, 1.0, 0};
  return std::nullopt;
}
} // namespace

static Converter recurrent(Cell cell) {
  return [cell](NodeContext &c) -> Result {
    int64_t gates = cell == Cell::RNN ? 1 : cell == Cell::GRU ? 3 : 4;
    auto xt = rankedInput(c, 0);
    auto wt = staticInput(c, 1);
    auto hiddenAttr = c.intAttr("hidden_size", 0);
    auto layout = c.intAttr("layout", 0);
    auto inputForget = c.intAttr("input_forget", 0);
    auto linearBeforeReset = c.intAttr("linear_before_reset", 0);
    if (failed(xt) || failed(wt) || failed(staticInput(c, 2)) || failed(hiddenAttr) ||
        failed(layout) || failed(inputForget) || failed(linearBeforeReset))
      return failure();
    if (xt->getRank() != 3)
      return c.emitError() << "X must be 3-D, got " << *xt;
    int64_t hidden = *hiddenAttr;
    if (hidden <= 0 || wt->getRank() != 3 || wt->getDimSize(1) != gates * hidden)
      return c.emitError() << "hidden_size must be positive and W must be [directions, "
                           << gates << " * hidden_size, input_size]";
    std::optional<float> clip;
    if (c.attr("clip")) {
      auto v = c.floatAttr("clip", 0.0f);
      if (failed(v))
        return failure();
      if (!(*v > 0))
        return c.emitError() << "attribute 'clip' must be positive, got " << *v;
      clip = *v;
    }
    std::string direction = "forward";
    if (const auto *a = c.attr("direction"))
      direction = a->s();
    if (direction != "forward" && direction != "reverse" && direction != "bidirectional")
      return c.emitError() << "unknown direction '" << direction << "'";
    int64_t dirs = direction == "bidirectional" ? 2 : 1;
    if (wt->getDimSize(0) != dirs)
      return c.emitError() << "W has " << wt->getDimSize(0) << " directions, direction '"
                           << direction << "' needs " << dirs;
    // Per direction: RNN f; GRU f (gates), g (candidate); LSTM f, g, h.
    static const char *const kDefaults[] = {"Sigmoid", "Tanh", "Tanh"};
    int64_t perDir = cell == Cell::RNN ? 1 : cell == Cell::GRU ? 2 : 3;
    SmallVector<std::string> activations;
    if (const auto *a = c.attr("activations"))
      activations.assign(a->strings().begin(), a->strings().end());
    else
      for (int64_t i = 0; i < dirs; ++i)
        for (int64_t k = 0; k < perDir; ++k)
          activations.push_back(cell == Cell::RNN ? "Tanh" : kDefaults[k]);
    if (static_cast<int64_t>(activations.size()) != perDir * dirs)
      return c.emitError() << "expected " << perDir * dirs << " activations, got "
                           << activations.size();
    // activation_alpha/beta are consumed in the order of the activations that take them.
    SmallVector<float> alphaList, betaList;
    if (const auto *a = c.attr("activation_alpha"))
      alphaList.assign(a->floats().begin(), a->floats().end());
    if (const auto *a = c.attr("activation_beta"))
      betaList.assign(a->floats().begin(), a->floats().end());
    SmallVector<Attribute> alphas, betas;
    size_t nextAlpha = 0, nextBeta = 0;
    for (const std::string &a : activations) {
      auto params = activationParams(a);
      if (!params)
        return c.emitError() << "activation '" << a
                             << "' is not supported (Sigmoid, Tanh, Relu, Affine, LeakyRelu, "
                                "ThresholdedRelu, ScaledTanh, HardSigmoid, Elu, Softsign, "
                                "Softplus)";
      double alpha = params->alphaDefault, beta = params->betaDefault;
      if (params->alpha && nextAlpha < alphaList.size())
        alpha = alphaList[nextAlpha++];
      if (params->beta && nextBeta < betaList.size())
        beta = betaList[nextBeta++];
      alphas.push_back(c.b.getF32FloatAttr(alpha));
      betas.push_back(c.b.getF32FloatAttr(beta));
    }
    if (*inputForget && cell != Cell::LSTM)
      return c.emitError() << "input_forget is an LSTM attribute";
    int64_t outputs = std::min(c.node.output_size(), cell == Cell::LSTM ? 3 : 2);
    if (failed(onlyOutputs(c, outputs)))
      return failure();

    Decomposer d(c);
    RecurrentBuilder u{c, d, hidden};
    Value x = c.input(0), h0 = c.input(5), c0 = cell == Cell::LSTM ? c.input(6) : Value();
    if (*layout) { // [batch, seq, ...] -> [seq, batch, ...]; states [batch, dirs, ...].
      x = u.transpose(x, {1, 0, 2});
      if (h0)
        h0 = u.transpose(h0, {1, 0, 2});
      if (c0)
        c0 = u.transpose(c0, {1, 0, 2});
    }
    int64_t batch = *layout ? xt->getDimSize(0) : xt->getDimSize(1);
    // PyTorch builds the initial states with Expand(Shape(x) ...): at import their type may
    // not be static yet, and everything computed from them would inherit that (a second
    // layer then refuses its input). With a static batch their shape is fixed by X: say so.
    auto pinState = [&](Value s) -> Value {
      auto t = s ? dyn_cast<RankedTensorType>(s.getType()) : RankedTensorType();
      return s && !(t && t.hasStaticShape()) && !ShapedType::isDynamic(batch)
                 ? d.reshape(s, {dirs, batch, hidden})
                 : s;
    };
    h0 = pinState(h0);
    c0 = pinState(c0);
    Value lens = d.castTo(c.input(4), c.b.getI64Type());
    Type et = xt->getElementType();
    auto gatesType = RankedTensorType::get({gates * hidden}, et);

    SmallVector<Value> ys, hs, cs;
    for (int64_t dir = 0; dir < dirs && !d.failedAny; ++dir) {
      // The input projection of all time steps: one [seq * batch, input] GEMM.
      Value wT = u.transpose(u.take(c.input(1), dir), {1, 0}); // [input, gates * hidden]
      Value rT = u.transpose(u.take(c.input(2), dir), {1, 0}); // [hidden, gates * hidden]
      // With a static batch, as a 2-D GEMM [seq * batch, input] (the vector kernels tile
      // its rows); a run-time batch keeps the 3-D MatMul.
      Value projected;
      int64_t inputSize = wt->getDimSize(2);
      if (!ShapedType::isDynamic(batch))
        projected = d.reshape(d.op("MatMul", {d.reshape(x, {-1, inputSize}), wT}),
                              {-1, batch, gates * hidden});
      else
        projected = d.op("MatMul", {x, wT});
      Value rbias;
      if (c.input(3)) {
        Value bias = u.take(c.input(3), dir);
        Value wb = u.part(bias, 0, gates * hidden);
        Value rb = u.part(bias, gates * hidden, 2 * gates * hidden);
        if (cell == Cell::GRU && *linearBeforeReset && !d.failedAny) {
          // Rb_h is multiplied by r inside the loop; Rb_z and Rb_r add up front.
          rbias = u.part(rb, 2 * hidden, 3 * hidden);
          SmallVector<float> mask(gates * hidden, 1.0f);
          std::fill(mask.begin() + 2 * hidden, mask.end(), 0.0f);
          Value maskV = onnx::ConstantOp::create(
              c.b, c.loc, gatesType,
              cast<ElementsAttr>(DenseElementsAttr::get(gatesType, ArrayRef<float>(mask))));
          if (!et.isF32())
            maskV = d.castTo(maskV, et);
          rb = d.op("Mul", {rb, maskV});
        }
        projected = d.op("Add", {projected, d.op("Add", {wb, rb})});
      }
      Value p = cell == Cell::LSTM && c.input(7) ? u.take(c.input(7), dir) : Value();
      Value h0d = h0 ? u.take(h0, dir) : Value();
      Value c0d = c0 ? u.take(c0, dir) : Value();
      if (d.failedAny)
        return failure();
      SmallVector<Value> operands{projected, rT};
      for (Value v : {rbias, h0d, c0d, p, lens})
        if (v)
          operands.push_back(v);
      SmallVector<NamedAttribute> attrs{
          c.b.getNamedAttr("operandSegmentSizes",
                           c.b.getDenseI32ArrayAttr({1, 1, rbias ? 1 : 0, h0d ? 1 : 0,
                                                     c0d ? 1 : 0, p ? 1 : 0, lens ? 1 : 0})),
          c.b.getNamedAttr("cell", c.b.getStringAttr(cell == Cell::RNN   ? "RNN"
                                                     : cell == Cell::GRU ? "GRU"
                                                                         : "LSTM")),
          c.b.getNamedAttr("activations",
                           c.b.getStrArrayAttr(SmallVector<StringRef>(
                               ArrayRef<std::string>(activations).slice(dir * perDir, perDir)))),
          c.b.getNamedAttr("activation_alpha",
                           c.b.getArrayAttr(ArrayRef(alphas).slice(dir * perDir, perDir))),
          c.b.getNamedAttr("activation_beta",
                           c.b.getArrayAttr(ArrayRef(betas).slice(dir * perDir, perDir))),
          c.b.getNamedAttr("reverse", c.b.getBoolAttr(direction == "reverse" || dir == 1)),
          c.b.getNamedAttr("linear_before_reset", c.b.getBoolAttr(*linearBeforeReset != 0)),
          c.b.getNamedAttr("input_forget", c.b.getBoolAttr(*inputForget != 0))};
      if (clip)
        attrs.push_back(c.b.getNamedAttr("clip", c.b.getF32FloatAttr(*clip)));
      auto loop = d.inner.create("Recurrent", operands, attrs, cell == Cell::LSTM ? 3 : 2);
      if (failed(loop))
        return failure();
      ys.push_back(u.unsqueeze((*loop)->getResult(0), 1)); // [seq, 1, batch, hidden]
      hs.push_back(u.unsqueeze((*loop)->getResult(1), 0));
      if (cell == Cell::LSTM)
        cs.push_back(u.unsqueeze((*loop)->getResult(2), 0));
    }
    if (d.failedAny)
      return failure();
    Value yAll = u.concat(ys, 1), hAll = u.concat(hs, 0);
    Value cAll = cs.empty() ? Value() : u.concat(cs, 0);
    if (*layout) {
      yAll = u.transpose(yAll, {2, 0, 1, 3});
      hAll = u.transpose(hAll, {1, 0, 2});
      if (cAll)
        cAll = u.transpose(cAll, {1, 0, 2});
    }
    SmallVector<Value> outs{yAll, hAll};
    if (cAll)
      outs.push_back(cAll);
    outs.truncate(std::max<int64_t>(outputs, 1));
    return d.done(outs);
  };
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//
// QuantizeLinear, DequantizeLinear and DynamicQuantizeLinear are rewritten into elementwise
// ops and reductions, as ONNX defines them: q = saturate(round_half_even(x / scale) + zp),
// x = (q - zp) * scale, with a 1-D scale and zero point broadcast along `axis`.

/// A per-axis parameter (1-D) reshaped to broadcast along `axis` of a rank-`rank` input;
/// scalars as they are.
static Value alongAxis(Decomposer &d, Value v, int64_t axis, int64_t rank) {
  auto t = dyn_cast_or_null<RankedTensorType>(v ? v.getType() : Type());
  if (!t || t.getRank() == 0)
    return v;
  SmallVector<int64_t> shape{t.getDimSize(0)};
  shape.append(rank - axis - 1, 1);
  return d.reshape(v, shape);
}

/// Float `x`, already integral, clipped into the range of `qt` (uint8 or int8) and cast.
static Value saturate(Decomposer &d, NodeContext &c, Value x, Type qt) {
  bool isUnsigned = qt.isUnsignedInteger();
  Value clipped = d.op("Clip", {x, d.scalar(x, isUnsigned ? 0 : -128),
                                d.scalar(x, isUnsigned ? 255 : 127)},
                       {c.b.getNamedAttr("operandSegmentSizes",
                                         c.b.getDenseI32ArrayAttr({1, 1, 1}))});
  return d.castTo(clipped, qt);
}

/// The quantized type named by a zero point (uint8 when there is none).
static FailureOr<Type> quantizedType(NodeContext &c, Value zeroPoint) {
  Type qt = zeroPoint ? cast<ShapedType>(zeroPoint.getType()).getElementType()
                      : Type(IntegerType::get(c.b.getContext(), 8, IntegerType::Unsigned));
  if (!qt.isInteger(8))
    return c.emitError() << "zero point type " << qt
                         << " is not supported (uint8 and int8 only)";
  return qt;
}

/// The per-axis axis, when the scale is 1-D (default 1).
static FailureOr<int64_t> quantizationAxis(NodeContext &c, Value scale, int64_t rank) {
  auto axis = c.intAttr("axis", 1);
  if (failed(axis))
    return failure();
  auto st = dyn_cast<RankedTensorType>(scale.getType());
  if (!st || st.getRank() == 0)
    return 0;
  if (st.getRank() != 1)
    return c.emitError() << "scale must be a scalar or 1-D";
  return normAxis(c, *axis, rank);
}

static Result convertQuantizeLinear(NodeContext &c) {
  auto xt = staticInput(c, 0);
  if (failed(xt) || failed(onlyOutputs(c, 1)))
    return failure();
  Value scale = c.input(1), zp = c.input(2);
  if (!scale)
    return c.emitError() << "input 'y_scale' is required";
  auto qt = quantizedType(c, zp);
  auto axis = quantizationAxis(c, scale, xt->getRank());
  if (failed(qt) || failed(axis))
    return failure();
  if (const auto *s = c.attr("saturate"); s && s->i() == 0)
    return c.emitError() << "saturate=0 is only defined for float8 outputs";
  Decomposer d(c);
  int64_t rank = xt->getRank();
  Value y = d.op("Round", d.op("Div", {c.input(0), alongAxis(d, scale, *axis, rank)}));
  if (zp)
    y = d.op("Add", {y, d.castTo(alongAxis(d, zp, *axis, rank), xt->getElementType())});
  return d.done({saturate(d, c, y, *qt)});
}

static Result convertDequantizeLinear(NodeContext &c) {
  Value x = c.input(0), scale = c.input(1), zp = c.input(2);
  if (!x || !scale)
    return c.emitError() << "inputs 'x' and 'x_scale' are required";
  auto xt = dyn_cast<RankedTensorType>(x.getType());
  if (!xt || !xt.hasStaticShape())
    return c.emitError() << "needs a known static shape for input 0";
  Type et = xt.getElementType();
  if (!et.isInteger(8) && !et.isInteger(32))
    return c.emitError() << "input type " << et << " is not supported (uint8, int8, int32)";
  auto axis = quantizationAxis(c, scale, xt.getRank());
  if (failed(axis) || failed(onlyOutputs(c, 1)))
    return failure();
  Type ft = cast<ShapedType>(scale.getType()).getElementType();
  Decomposer d(c);
  Value y = d.castTo(x, ft);
  if (zp)
    y = d.op("Sub", {y, d.castTo(alongAxis(d, zp, *axis, xt.getRank()), ft)});
  return d.done({d.op("Mul", {y, alongAxis(d, scale, *axis, xt.getRank())})});
}

/// DynamicQuantizeLinear (uint8): scale = (max(x, 0) - min(x, 0)) / 255, zero point
/// saturate(round(-min / scale)), then QuantizeLinear with them.
static Result convertDynamicQuantizeLinear(NodeContext &c) {
  auto xt = staticInput(c, 0);
  if (failed(xt) || failed(onlyOutputs(c, 3)))
    return failure();
  Value x = c.input(0);
  Decomposer d(c);
  auto all = [&](StringRef name) {
    return d.op(name, x,
                {c.b.getNamedAttr("axes", c.b.getDenseI64ArrayAttr({})),
                 c.b.getNamedAttr("keepdims", c.b.getI64IntegerAttr(0))});
  };
  Value zero = d.scalar(x, 0);
  Value lo = d.op("Min", {all("ReduceMin"), zero});
  Value hi = d.op("Max", {all("ReduceMax"), zero});
  Value scale = d.op("Div", {d.op("Sub", {hi, lo}), d.scalar(x, 255)});
  Type u8 = IntegerType::get(c.b.getContext(), 8, IntegerType::Unsigned);
  Value zp = saturate(d, c, d.op("Round", d.op("Div", {d.op("Sub", {zero, lo}), scale})), u8);
  Value y = d.op("Add", {d.op("Round", d.op("Div", {x, scale})),
                         d.castTo(zp, xt->getElementType())});
  SmallVector<Value> outs{saturate(d, c, y, u8), scale, zp};
  outs.truncate(std::clamp(c.node.output_size(), 1, 3));
  return d.done(outs);
}

/// `v` (uint8 / int8) minus its zero point, widened to `to`; a 1-D zero point applies along
/// `axis` (rows of MatMul's A, output channels of Conv's W).
static Value centered(Decomposer &d, Value v, Value zp, Type to, int64_t axis) {
  Value w = d.castTo(v, to);
  if (!zp || !w)
    return w;
  int64_t rank = cast<RankedTensorType>(w.getType()).getRank();
  return d.op("Sub", {w, d.castTo(alongAxis(d, zp, axis, rank), to)});
}

/// MatMulInteger: int32 products of the centered inputs (A's zero point per row, B's per
/// column).
static Value matMulInteger(Decomposer &d, NodeContext &c, Value a, Value azp, Value b,
                           Value bzp) {
  Type i32 = c.b.getI32Type();
  auto rankOf = [](Value v) { return v ? cast<RankedTensorType>(v.getType()).getRank() : 1; };
  return d.op("MatMul", {centered(d, a, azp, i32, std::max<int64_t>(rankOf(a) - 2, 0)),
                         centered(d, b, bzp, i32, rankOf(b) - 1)});
}

/// ConvInteger: the convolution of the centered inputs, exact in f64 (every int8 product sum
/// fits its 53 bits), as int32. The node's attributes are Conv's.
static Value convInteger(Decomposer &d, NodeContext &c, ArrayRef<NamedAttribute> attrs, Value x,
                         Value xzp, Value w, Value wzp) {
  Type f64 = c.b.getF64Type();
  Value y = d.op("Conv", {centered(d, x, xzp, f64, 0), centered(d, w, wzp, f64, 0)}, attrs);
  return d.castTo(y, c.b.getI32Type());
}

/// QLinearMatMul / QLinearConv: the integer result rescaled by scale_a * scale_b / scale_y,
/// rounded, plus the output zero point, saturated.
static Value requantize(Decomposer &d, NodeContext &c, Value acc, Value aScale, Value bScale,
                        int64_t bAxis, Value yScale, Value yZp, Type qt) {
  if (!acc)
    return {};
  Type f32 = c.b.getF32Type();
  int64_t rank = cast<RankedTensorType>(acc.getType()).getRank();
  Value multiplier = d.op("Div", {d.op("Mul", {aScale, alongAxis(d, bScale, bAxis, rank)}),
                                  yScale});
  Value y = d.op("Round", d.op("Mul", {d.castTo(acc, f32), multiplier}));
  if (yZp)
    y = d.op("Add", {y, d.castTo(yZp, f32)});
  return saturate(d, c, y, qt);
}

static Result convertMatMulInteger(NodeContext &c) {
  if (!c.input(0) || !c.input(1))
    return c.emitError() << "inputs 'A' and 'B' are required";
  if (failed(onlyOutputs(c, 1)))
    return failure();
  Decomposer d(c);
  return d.done({matMulInteger(d, c, c.input(0), c.input(2), c.input(1), c.input(3))});
}

static Result convertConvInteger(NodeContext &c) {
  auto attrs = c.convertAttributes();
  if (!c.input(0) || !c.input(1))
    return c.emitError() << "inputs 'x' and 'w' are required";
  if (failed(attrs) || failed(onlyOutputs(c, 1)))
    return failure();
  Decomposer d(c);
  return d.done({convInteger(d, c, *attrs, c.input(0), c.input(2), c.input(1), c.input(3))});
}

static Result convertQLinearMatMul(NodeContext &c) {
  for (int i = 0; i < 8; ++i)
    if (!c.input(i))
      return c.emitError() << "needs 8 inputs";
  auto qt = quantizedType(c, c.input(7));
  if (failed(qt) || failed(onlyOutputs(c, 1)))
    return failure();
  Decomposer d(c);
  Value acc = matMulInteger(d, c, c.input(0), c.input(2), c.input(3), c.input(5));
  int64_t rank = acc ? cast<RankedTensorType>(acc.getType()).getRank() : 1;
  return d.done({requantize(d, c, acc, c.input(1), c.input(4), rank - 1, c.input(6),
                            c.input(7), *qt)});
}

static Result convertQLinearConv(NodeContext &c) {
  for (int i = 0; i < 8; ++i)
    if (!c.input(i))
      return c.emitError() << "needs at least 8 inputs";
  auto qt = quantizedType(c, c.input(7));
  auto attrs = c.convertAttributes();
  if (failed(qt) || failed(attrs) || failed(onlyOutputs(c, 1)))
    return failure();
  Decomposer d(c);
  Value acc = convInteger(d, c, *attrs, c.input(0), c.input(2), c.input(3), c.input(5));
  if (Value bias = c.input(8); bias && acc) // int32, in units of x_scale * w_scale.
    acc = d.op("Add", {acc, alongAxis(d, bias, 1, cast<RankedTensorType>(acc.getType()).getRank())});
  return d.done({requantize(d, c, acc, c.input(1), c.input(4), 1, c.input(6), c.input(7),
                            *qt)});
}

//===----------------------------------------------------------------------===//
// Losses, scans and selection
//===----------------------------------------------------------------------===//

/// SoftmaxCrossEntropyLoss is NegativeLogLikelihoodLoss of LogSoftmax over the class axis
/// (axis 1); the optional second output is that log-probability tensor.
static Result convertSoftmaxCrossEntropyLoss(NodeContext &c) {
  if (!c.input(0) || !c.input(1))
    return c.emitError() << "inputs 'scores' and 'labels' are required";
  auto attrs = c.convertAttributes();
  if (failed(attrs) || failed(onlyOutputs(c, 2)))
    return failure();
  Decomposer d(c);
  Value logProb =
      d.op("LogSoftmax", c.input(0), {c.b.getNamedAttr("axis", c.b.getI64IntegerAttr(1))});
  SmallVector<Value> operands{logProb, c.input(1)};
  if (c.input(2))
    operands.push_back(c.input(2));
  if (d.failedAny)
    return failure();
  auto loss = c.create("NegativeLogLikelihoodLoss", operands, *attrs);
  if (failed(loss))
    return failure();
  SmallVector<Value> outs{(*loss)->getResult(0), logProb};
  outs.truncate(std::clamp(c.node.output_size(), 1, 2));
  return outs;
}

/// TopK: `k` is an attribute before opset 10 and an input from then on.
static Result convertTopK(NodeContext &c) {
  if (c.opset >= 10)
    return generic("TopK", 2)(c);
  if (!c.input(0))
    return c.emitError() << "input 0 is missing";
  auto k = c.intAttr("k", -1);
  auto attrs = c.convertAttributes({"k"});
  if (failed(k) || failed(attrs) || failed(onlyOutputs(c, 2)))
    return failure();
  if (*k < 0)
    return c.emitError() << "attribute 'k' is required";
  auto op = c.create("TopK", {c.input(0), c.constI64({*k})}, *attrs, 2);
  if (failed(op))
    return failure();
  return results(*op);
}

//===----------------------------------------------------------------------===//
// Indexing
//===----------------------------------------------------------------------===//

/// EyeLike's `dtype` is a TensorProto data type number.
static Result convertEyeLike(NodeContext &c) {
  if (!c.input(0))
    return c.emitError() << "input 0 is missing";
  auto k = c.intAttr("k", 0);
  auto dtype = c.intAttr("dtype", 0);
  if (failed(k) || failed(dtype) || failed(onlyOutputs(c, 1)))
    return failure();
  SmallVector<NamedAttribute> attrs{c.b.getNamedAttr("k", c.b.getI64IntegerAttr(*k))};
  if (c.attr("dtype")) {
    Type et = elementTypeFor(*c.b.getContext(), *dtype);
    if (!et)
      return c.emitError() << "dtype " << *dtype << " is not supported";
    attrs.push_back(c.b.getNamedAttr("dtype", TypeAttr::get(et)));
  }
  auto op = c.create("EyeLike", {c.input(0)}, attrs);
  if (failed(op))
    return failure();
  return results(*op);
}

/// NonMaxSuppression with every input present: omitted trailing ones are filled with their
/// defaults (no box per class, IOU threshold 0, no score threshold).
static Result convertNonMaxSuppression(NodeContext &c) {
  if (!c.input(0) || !c.input(1))
    return c.emitError() << "inputs 'boxes' and 'scores' are required";
  auto attrs = c.convertAttributes();
  if (failed(attrs) || failed(onlyOutputs(c, 1)))
    return failure();
  Type f32 = c.b.getF32Type();
  auto orDefault = [&](size_t i, Value dflt) { return c.input(i) ? c.input(i) : dflt; };
  Value maxOut = orDefault(2, Value());
  if (!maxOut)
    maxOut = c.constI64({0});
  Value iou = orDefault(3, Value());
  if (!iou)
    iou = c.constScalar(f32, 0.0);
  Value score = orDefault(4, Value());
  if (!score)
    score = c.constScalar(f32, -std::numeric_limits<double>::infinity());
  auto op = c.create("NonMaxSuppression", {c.input(0), c.input(1), maxOut, iou, score}, *attrs);
  if (failed(op))
    return failure();
  return results(*op);
}

/// Compress with a constant condition is a Gather of the positions where it holds (of the
/// flattened input without `axis`). A condition computed at run time gives onnx.Compress,
/// whose result size depends on data (docs/dynamic-shapes.md).
static Result convertCompress(NodeContext &c) {
  Value input = c.input(0), condition = c.input(1);
  if (!input || !condition)
    return c.emitError() << "inputs 'input' and 'condition' are required";
  if (failed(onlyOutputs(c, 1)))
    return failure();
  DenseElementsAttr cond;
  if (!matchPattern(condition, m_Constant(&cond))) {
    // Known at run time: the result's size depends on data (docs/dynamic-shapes.md).
    auto attrs = c.convertAttributes();
    if (failed(attrs))
      return failure();
    auto op = c.create("Compress", {input, condition}, *attrs);
    if (failed(op))
      return failure();
    return results(*op);
  }
  auto it = dyn_cast<RankedTensorType>(input.getType());
  if (!it || !it.hasStaticShape())
    return c.emitError() << "needs a known static shape for input 0";
  if (cond.getType().getRank() != 1 || !cond.getElementType().isInteger(1))
    return c.emitError() << "condition must be a 1-D bool tensor";
  Decomposer d(c);
  int64_t axis = 0;
  if (c.attr("axis")) {
    auto a = c.intAttr("axis", 0);
    if (failed(a))
      return failure();
    auto n = normAxis(c, *a, it.getRank());
    if (failed(n))
      return failure();
    axis = *n;
  } else {
    input = d.reshape(input, {it.getNumElements()});
    if (!input)
      return failure();
  }
  int64_t dim = cast<RankedTensorType>(input.getType()).getDimSize(axis);
  // Entries past the axis' length select nothing; a shorter condition drops the rest.
  SmallVector<int64_t> positions;
  int64_t i = 0;
  for (const APInt &v : cond.getValues<APInt>()) {
    if (i >= dim)
      break;
    if (!v.isZero())
      positions.push_back(i);
    ++i;
  }
  auto op = c.create("Gather", {input, c.constI64(positions)},
                     {c.b.getNamedAttr("axis", c.b.getI64IntegerAttr(axis))});
  if (failed(op))
    return failure();
  return results(*op);
}

//===----------------------------------------------------------------------===//
// Resampling
//===----------------------------------------------------------------------===//

/// Resize and Upsample in the dialect's one form (Resize, opset 19). Upsample and Resize-10
/// take the input and scales only (Upsample-7 has scales as an attribute), with asymmetric
/// coordinates and nearest rounding down. Opset 11 requires roi and scales inputs and passes
/// empty tensors for the ones it does not use: an input without elements counts as omitted,
/// and roi is dropped unless tf_crop_and_resize reads it.
static Result convertResize(NodeContext &c) {
  Value x = c.input(0);
  if (!x)
    return c.emitError() << "input 0 is missing";
  if (failed(onlyOutputs(c, 1)))
    return failure();
  auto present = [](Value v) {
    auto t = v ? dyn_cast<RankedTensorType>(v.getType()) : RankedTensorType();
    return v && !(t && t.hasStaticShape() && t.getNumElements() == 0) ? v : Value();
  };
  Value roi, scales, sizes;
  SmallVector<NamedAttribute> attrs;
  if (c.node.op_type() == "Upsample" || c.opset < 11) {
    std::string mode = "nearest";
    if (const auto *m = c.attr("mode")) {
      if (m->type() != ::onnx::AttributeProto::STRING && !(m->type() == 0 && m->has_s()))
        return c.emitError() << "attribute 'mode' must be a string";
      mode = m->s();
    }
    if (mode == "bilinear") // Upsample-1's name for it.
      mode = "linear";
    if (mode != "nearest" && mode != "linear")
      return c.emitError() << "mode '" << mode << "' is not supported before opset 11";
    if (c.node.op_type() == "Upsample" && c.opset < 9) {
      const auto *s = c.attr("scales");
      if (!s || s->floats_size() == 0)
        return c.emitError() << "attribute 'scales' is required";
      SmallVector<float> values(s->floats().begin(), s->floats().end());
      auto type = RankedTensorType::get({static_cast<int64_t>(values.size())}, c.b.getF32Type());
      scales = onnx::ConstantOp::create(c.b, c.loc, type,
                                        DenseElementsAttr::get(type, ArrayRef<float>(values)));
    } else {
      scales = c.input(1);
      if (!scales)
        return c.emitError() << "input 'scales' is required";
    }
    attrs = {c.b.getNamedAttr("mode", c.b.getStringAttr(mode)),
             c.b.getNamedAttr("coordinate_transformation_mode", c.b.getStringAttr("asymmetric")),
             c.b.getNamedAttr("nearest_mode", c.b.getStringAttr("floor"))};
  } else {
    auto converted = c.convertAttributes();
    if (failed(converted))
      return failure();
    attrs = *converted;
    scales = present(c.input(2));
    sizes = present(c.input(3));
    const auto *coord = c.attr("coordinate_transformation_mode");
    if (coord && coord->s() == "tf_crop_and_resize")
      roi = present(c.input(1));
  }
  SmallVector<Value> operands{x};
  for (Value v : {roi, scales, sizes})
    if (v)
      operands.push_back(v);
  attrs.push_back(c.b.getNamedAttr(
      "operandSegmentSizes",
      c.b.getDenseI32ArrayAttr({1, roi ? 1 : 0, scales ? 1 : 0, sizes ? 1 : 0})));
  auto op = c.create("Resize", operands, attrs);
  if (failed(op))
    return failure();
  return results(*op);
}

/// GridSample: opset 20 renamed the modes bilinear and bicubic to linear and cubic.
static Result convertGridSample(NodeContext &c) {
  auto ops = positionalInputs(c);
  auto attrs = c.convertAttributes();
  if (failed(ops) || failed(attrs) || failed(onlyOutputs(c, 1)))
    return failure();
  for (NamedAttribute &a : *attrs) {
    auto s = dyn_cast<StringAttr>(a.getValue());
    if (a.getName() != "mode" || !s)
      continue;
    if (s.getValue() == "linear")
      a.setValue(c.b.getStringAttr("bilinear"));
    else if (s.getValue() == "cubic")
      a.setValue(c.b.getStringAttr("bicubic"));
  }
  auto op = c.create("GridSample", *ops, *attrs);
  if (failed(op))
    return failure();
  return results(*op);
}

/// RoiAlign-10 has no coordinate_transformation_mode: it behaves as output_half_pixel (opset
/// 16's default is half_pixel).
static Result convertRoiAlign(NodeContext &c) {
  auto ops = positionalInputs(c);
  auto attrs = c.convertAttributes();
  if (failed(ops) || failed(attrs) || failed(onlyOutputs(c, 1)))
    return failure();
  if (c.opset < 16)
    attrs->push_back(c.b.getNamedAttr("coordinate_transformation_mode",
                                      c.b.getStringAttr("output_half_pixel")));
  auto op = c.create("RoiAlign", *ops, *attrs);
  if (failed(op))
    return failure();
  return results(*op);
}

/// MaxUnpool is a scatter of X into zeros at the flat positions I (MaxPool's Indices, batch
/// and channel included), so it is built from ConstantOfShape, ScatterND and Reshape, as ONNX
/// defines functions. The scatter fills the size that inverts the window geometry; a larger
/// output_shape (a constant, else the declared output type) pads that with zeros at the end,
/// as ONNX's reference implementation does.
static Result convertMaxUnpool(NodeContext &c) {
  Value x = c.input(0), indices = c.input(1);
  if (!x || !indices)
    return c.emitError() << "inputs 'X' and 'I' are required";
  auto xt = dyn_cast<RankedTensorType>(x.getType());
  auto it = dyn_cast<RankedTensorType>(indices.getType());
  if (!xt || !xt.hasStaticShape() || !it || it.getShape() != xt.getShape())
    return c.emitError() << "X and I must have the same known static shape";
  auto kernel = intsAttr(c, "kernel_shape"), pads = intsAttr(c, "pads"),
       strides = intsAttr(c, "strides");
  if (failed(kernel) || failed(pads) || failed(strides) || failed(onlyOutputs(c, 1)))
    return failure();
  int64_t spatial = xt.getRank() - 2;
  if (spatial < 1 || !*kernel || static_cast<int64_t>((*kernel)->size()) != spatial)
    return c.emitError() << "kernel_shape with one entry per spatial dim is required";
  SmallVector<int64_t> shape(xt.getShape().begin(), xt.getShape().begin() + 2);
  for (int64_t i = 0; i < spatial; ++i) {
    int64_t s = *strides && !(*strides)->empty() ? (**strides)[i] : 1;
    int64_t p = *pads && !(*pads)->empty() ? (**pads)[i] + (**pads)[i + spatial] : 0;
    shape.push_back((xt.getDimSize(2 + i) - 1) * s + (**kernel)[i] - p);
  }
  if (llvm::any_of(shape, [](int64_t d) { return d < 0; }))
    return c.emitError() << "pads are larger than the unpooled output";
  SmallVector<int64_t> outShape = shape;
  if (Value outputShape = c.input(2)) {
    if (auto v = onnx::constantInts(outputShape))
      outShape = *v;
    else if (auto declared = dyn_cast_if_present<RankedTensorType>(
                 c.resultTypes.empty() ? Type() : c.resultTypes[0]);
             declared && declared.hasStaticShape())
      outShape.assign(declared.getShape().begin(), declared.getShape().end());
    else
      return c.emitError() << "output_shape must be a constant, or the output's shape declared";
  }
  SmallVector<int64_t> pad(xt.getRank(), 0);
  for (auto [i, d] : llvm::enumerate(outShape))
    if (i < shape.size())
      pad.push_back(d - shape[i]);
  if (outShape.size() != shape.size() || outShape[0] != shape[0] || outShape[1] != shape[1] ||
      llvm::any_of(pad, [](int64_t p) { return p < 0; }))
    return c.emitError() << "output_shape must keep N and C and be at least the unpooled size";
  int64_t total = 1;
  for (int64_t d : shape)
    total *= d;
  Decomposer d(c);
  Type et = xt.getElementType();
  ElementsAttr zero = cast<ElementsAttr>(DenseElementsAttr::get(
      RankedTensorType::get({1}, et),
      isa<FloatType>(et) ? Attribute(c.b.getFloatAttr(et, 0)) : c.b.getIntegerAttr(et, 0)));
  Value zeros = d.op("ConstantOfShape", c.constI64({total}),
                     {c.b.getNamedAttr("value", zero)});
  Value flat = d.op("ScatterND", {zeros, d.reshape(indices, {it.getNumElements(), 1}),
                                  d.reshape(x, {xt.getNumElements()})});
  Value y = d.reshape(flat, shape);
  if (outShape != shape && !d.failedAny)
    y = d.op("Pad", {y, c.constI64(pad)},
             {c.b.getNamedAttr("operandSegmentSizes", c.b.getDenseI32ArrayAttr({1, 1, 0, 0}))});
  return d.done({y});
}

/// The window functions' output_datatype is a TensorProto data type number (default float).
static Result convertWindow(NodeContext &c) {
  auto dtype = c.intAttr("output_datatype", ::onnx::TensorProto::FLOAT);
  auto periodic = c.intAttr("periodic", 1);
  if (failed(dtype) || failed(periodic) || failed(onlyOutputs(c, 1)))
    return failure();
  Type et = elementTypeFor(*c.b.getContext(), *dtype);
  if (!et)
    return c.emitError() << "output_datatype " << *dtype << " is not supported";
  auto op = c.create(c.node.op_type(), {c.input(0)},
                     {c.b.getNamedAttr("output_datatype", TypeAttr::get(et)),
                      c.b.getNamedAttr("periodic", c.b.getI64IntegerAttr(*periodic))});
  if (failed(op))
    return failure();
  return results(*op);
}

const llvm::StringMap<Converter> &defaultDomainConverters() {
  static const llvm::StringMap<Converter> table = [] {
    llvm::StringMap<Converter> t;
    for (StringRef name : {"Relu", "Sigmoid", "Tanh", "Exp", "Log", "Sqrt", "Neg", "Abs", "Erf",
                           "Reciprocal", "Floor", "Ceil", "Sin", "Cos", "Softsign", "Softplus",
                           "Sign", "Round", "Not", "HardSwish", "LeakyRelu", "Elu",
                           "HardSigmoid", "Identity", "MatMul", "Conv", "AveragePool",
                           "GlobalAveragePool", "GlobalMaxPool", "Flatten", "Transpose"})
      t[name] = generic(name);
    for (StringRef name : {"Add", "Sub", "Mul", "Div", "Pow", "Equal", "Less", "Greater",
                           "LessOrEqual", "GreaterOrEqual"})
      t[name] = binary(name);
    t["Where"] = generic("Where");
    for (StringRef name : {"Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Asinh", "Acosh",
                           "Atanh", "Mish", "Selu", "Celu", "ThresholdedRelu", "Shrink", "Gelu",
                           "IsNaN", "IsInf", "Mod", "BitShift"})
      t[name] = generic(name);
    t["PRelu"] = convertPRelu;
    for (StringRef name : {"And", "Or", "Xor"}) // Opsets < 7: legacy broadcast attributes.
      t[name] = binary(name);
    t["Sum"] = variadic("Add");
    t["Mean"] = variadic("Add", /*mean=*/true);
    t["Max"] = variadic("Max");
    t["Min"] = variadic("Min");
    t["Clip"] = convertClip;
    t["Cast"] = convertCast;
    t["CastLike"] = convertCastLike;
    t["BatchNormalization"] = convertBatchNorm;
    t["Softmax"] = softmax("Softmax");
    t["LogSoftmax"] = softmax("LogSoftmax");
    t["Reshape"] = convertReshape;
    t["Concat"] = convertConcat;
    t["Dropout"] = convertDropout;
    t["Gemm"] = convertGemm;
    t["MaxPool"] = convertMaxPool;
    // Reductions
    t["ReduceSum"] = reduction("ReduceSum", 13);
    for (StringRef name : {"ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1",
                           "ReduceL2", "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare"})
      t[name] = reduction(name, 18);
    t["ArgMax"] = generic("ArgMax");
    t["ArgMin"] = generic("ArgMin");
    // Shape and data movement
    t["Squeeze"] = squeezeLike("Squeeze");
    t["Unsqueeze"] = squeezeLike("Unsqueeze");
    for (StringRef name : {"Shape", "Size", "Gather", "GatherElements", "Expand", "Range",
                           "DepthToSpace", "SpaceToDepth"})
      t[name] = generic(name);
    t["Slice"] = convertSlice;
    t["Tile"] = convertTile;
    t["Pad"] = convertPad;
    t["ConstantOfShape"] = convertConstantOfShape;
    t["Split"] = convertSplit;
    // Resampling
    t["Resize"] = convertResize;
    t["Upsample"] = convertResize;
    t["GridSample"] = convertGridSample;
    t["RoiAlign"] = convertRoiAlign;
    t["ConvTranspose"] = generic("ConvTranspose");
    t["MaxUnpool"] = convertMaxUnpool;
    for (StringRef name : {"HannWindow", "HammingWindow", "BlackmanWindow"})
      t[name] = convertWindow;
    // Normalization
    t["LayerNormalization"] = convertLayerNorm;
    t["InstanceNormalization"] = convertInstanceNorm;
    t["GroupNormalization"] = convertGroupNorm;
    t["MeanVarianceNormalization"] = convertMVN;
    t["LpNormalization"] = convertLpNorm;
    t["LRN"] = convertLRN;
    t["Hardmax"] = convertHardmax;
    t["Det"] = convertDet;
    // Recurrent
    t["RNN"] = recurrent(Cell::RNN);
    t["GRU"] = recurrent(Cell::GRU);
    t["LSTM"] = recurrent(Cell::LSTM);
    // Quantization
    t["QuantizeLinear"] = convertQuantizeLinear;
    t["DequantizeLinear"] = convertDequantizeLinear;
    t["DynamicQuantizeLinear"] = convertDynamicQuantizeLinear;
    t["MatMulInteger"] = convertMatMulInteger;
    t["ConvInteger"] = convertConvInteger;
    t["QLinearMatMul"] = convertQLinearMatMul;
    t["QLinearConv"] = convertQLinearConv;
    // Losses, scans and selection
    t["NegativeLogLikelihoodLoss"] = generic("NegativeLogLikelihoodLoss");
    t["SoftmaxCrossEntropyLoss"] = convertSoftmaxCrossEntropyLoss;
    t["CumSum"] = generic("CumSum");
    t["TopK"] = convertTopK;
    // Indexing
    for (StringRef name : {"GatherND", "ScatterElements", "ScatterND", "ReverseSequence",
                           "OneHot", "Trilu"})
      t[name] = generic(name);
    t["Scatter"] = generic("ScatterElements"); // Deprecated in opset 11; no reduction.
    t["EyeLike"] = convertEyeLike;
    t["Compress"] = convertCompress;
    t["NonZero"] = generic("NonZero");
    t["Unique"] = generic("Unique", 4);
    t["NonMaxSuppression"] = convertNonMaxSuppression;
    t["Einsum"] = generic("Einsum");
    addTrainingModeConverters(t);
    addSpectralConverters(t);
    addTextConverters(t);
    return t;
  }();
  return table;
}

const Converter *findConverter(StringRef domain, StringRef opType) {
  const llvm::StringMap<Converter> *table = nullptr;
  if (domain.empty() || domain == "ai.onnx")
    table = &defaultDomainConverters();
  else if (domain == "ai.onnx.preview.training")
    table = &trainingDomainConverters();
  if (!table)
    return nullptr;
  auto it = table->find(opType);
  return it == table->end() ? nullptr : &it->second;
}

} // namespace onnxc

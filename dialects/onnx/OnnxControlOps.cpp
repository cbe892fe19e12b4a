// If and Loop: verifiers and shape inference. The regions' argument types are fixed at import
// (compiler/import/ControlFlow.cpp) from the operands' inferred types.
#include "dialects/onnx/OnnxDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/FunctionInterfaces.h"

using namespace mlir;
using namespace onnxc::onnx;

#define GET_OP_CLASSES
#include "dialects/onnx/OnnxControlOps.cpp.inc"

static bool isBoolScalar(Type t) {
  auto r = dyn_cast<RankedTensorType>(t);
  if (!r)
    return isa<UnrankedTensorType>(t) && cast<TensorType>(t).getElementType().isInteger(1);
  return r.getElementType().isInteger(1) && r.getNumElements() == 1 && r.getRank() <= 1;
}

static YieldOp terminatorOf(Region &r) { return cast<YieldOp>(r.front().getTerminator()); }

static Type elementTypeOf(Type t) { return cast<ShapedType>(t).getElementType(); }

/// The type both `a` and `b` fit: same element type and rank, a dim where they differ is
/// dynamic; unranked if their ranks differ.
static Type joinTypes(Type a, Type b) {
  auto ra = dyn_cast<RankedTensorType>(a), rb = dyn_cast<RankedTensorType>(b);
  if (!ra || !rb || ra.getRank() != rb.getRank())
    return UnrankedTensorType::get(elementTypeOf(a));
  SmallVector<int64_t> dims;
  for (auto [x, y] : llvm::zip(ra.getShape(), rb.getShape()))
    dims.push_back(x == y ? x : ShapedType::kDynamic);
  return RankedTensorType::get(dims, ra.getElementType());
}

/// Whether `out` is `in` with some static dims made dynamic (same element type and rank).
static bool lessPrecise(Type out, Type in) {
  auto o = dyn_cast<RankedTensorType>(out), i = dyn_cast<RankedTensorType>(in);
  if (!o || !i || o.getElementType() != i.getElementType() || o.getRank() != i.getRank())
    return false;
  for (auto [a, b] : llvm::zip(o.getShape(), i.getShape()))
    if (!ShapedType::isDynamic(a) && a != b)
      return false;
  return true;
}

/// Sets result `i` to `t` (ranked: merged with a declared type; unranked: kept as declared).
static LogicalResult setResult(Operation *op, unsigned i, Type t) {
  if (auto r = dyn_cast<RankedTensorType>(t))
    return refineResultType(op, i, r);
  return success();
}

//===----------------------------------------------------------------------===//
// If
//===----------------------------------------------------------------------===//

LogicalResult IfOp::verify() {
  if (!isBoolScalar(getCond().getType()))
    return emitOpError() << "cond must be a bool scalar, got " << getCond().getType();
  for (Region *r : {&getThenBranch(), &getElseBranch()}) {
    YieldOp y = terminatorOf(*r);
    const char *which = r == &getThenBranch() ? "then_branch" : "else_branch";
    if (y.getValues().size() != getNumResults())
      return emitOpError() << which << " yields " << y.getValues().size()
                           << " values but the op has " << getNumResults() << " results";
    for (auto [i, v] : llvm::enumerate(y.getValues()))
      if (elementTypeOf(v.getType()) != elementTypeOf(getResult(i).getType()))
        return emitOpError() << which << " output " << i << " has element type "
                             << elementTypeOf(v.getType()) << " but result " << i << " has "
                             << elementTypeOf(getResult(i).getType());
  }
  return success();
}

LogicalResult IfOp::inferShapes() {
  YieldOp thenY = terminatorOf(getThenBranch()), elseY = terminatorOf(getElseBranch());
  for (unsigned i = 0; i < getNumResults(); ++i)
    if (failed(setResult(*this, i,
                         joinTypes(thenY.getValues()[i].getType(),
                                   elseY.getValues()[i].getType()))))
      return failure();
  return success();
}

LogicalResult IfOp::canonicalize(IfOp op, PatternRewriter &rewriter) {
  DenseIntElementsAttr attr;
  if (!matchPattern(op.getCond(), m_Constant(&attr)) || attr.getNumElements() != 1)
    return failure();
  Region &taken = (*attr.begin()).isZero() ? op.getElseBranch() : op.getThenBranch();
  Block *block = &taken.front();
  auto yield = cast<YieldOp>(block->getTerminator());
  SmallVector<Value> values(yield.getValues());
  rewriter.eraseOp(yield);
  rewriter.inlineBlockBefore(block, op);
  // The branch's own types may be more precise than the joined result types; shape
  // inference runs again after canonicalization and refines the users.
  rewriter.replaceOp(op, values);
  return success();
}

//===----------------------------------------------------------------------===//
// Loop
//===----------------------------------------------------------------------===//

LogicalResult LoopOp::verify() {
  if (getMaxTripCount()) {
    auto t = dyn_cast<RankedTensorType>(getMaxTripCount().getType());
    if (t && (t.getNumElements() != 1 || !t.getElementType().isInteger(64)))
      return emitOpError() << "M must be an int64 scalar, got " << t;
  }
  if (getCond() && !isBoolScalar(getCond().getType()))
    return emitOpError() << "cond must be a bool scalar, got " << getCond().getType();
  Block &body = getBody().front();
  unsigned carried = getNumCarried();
  if (body.getNumArguments() != 2 + carried)
    return emitOpError() << "the body takes " << body.getNumArguments()
                         << " arguments; expected 2 + " << carried << " loop-carried values";
  if (getNumResults() < carried)
    return emitOpError() << "has fewer results than loop-carried values";
  YieldOp y = terminatorOf(getBody());
  if (y.getValues().size() != 1 + getNumResults())
    return emitOpError() << "the body yields " << y.getValues().size()
                         << " values; expected the condition and " << getNumResults();
  if (!isBoolScalar(y.getValues()[0].getType()))
    return emitOpError() << "the body's first output (the condition) must be a bool scalar";
  for (unsigned i = 0; i < carried; ++i) {
    Type init = getVInitial()[i].getType(), arg = body.getArgument(2 + i).getType(),
         out = y.getValues()[1 + i].getType();
    if (elementTypeOf(init) != elementTypeOf(arg) || elementTypeOf(init) != elementTypeOf(out))
      return emitOpError() << "loop-carried value " << i << " changes element type ("
                           << init << ", body argument " << arg << ", body output " << out
                           << ")";
  }
  return success();
}

std::optional<int64_t> LoopOp::staticTripCount() {
  auto constantInt = [](Value v) -> std::optional<int64_t> {
    DenseIntElementsAttr attr;
    if (!v || !matchPattern(v, m_Constant(&attr)) || attr.getNumElements() != 1)
      return std::nullopt;
    return (*attr.begin()).getSExtValue();
  };
  if (!getMaxTripCount())
    return std::nullopt;
  std::optional<int64_t> m = constantInt(getMaxTripCount());
  if (!m)
    return std::nullopt;
  if (getCond()) {
    std::optional<int64_t> c = constantInt(getCond());
    if (!c)
      return std::nullopt;
    if (*c == 0)
      return 0;
  }
  // Exporters pass the condition through an Identity (folded later by canonicalization).
  Value condOut = terminatorOf(getBody()).getValues()[0];
  while (auto id = condOut.getDefiningOp<IdentityOp>())
    condOut = id.getInput();
  std::optional<int64_t> out = constantInt(condOut);
  if (condOut != getBody().front().getArgument(1) && !(out && *out != 0))
    return std::nullopt;
  return std::max<int64_t>(*m, 0);
}

LogicalResult LoopOp::inferShapes() {
  YieldOp y = terminatorOf(getBody());
  unsigned carried = getNumCarried();
  // A yielded type less precise than the body argument's (`[?]` for `[1]`) keeps the
  // argument's: the lowering checks the yielded dims against it each iteration.
  Block &body = getBody().front();
  for (unsigned i = 0; i < carried; ++i) {
    Type arg = body.getArgument(2 + i).getType(), out = y.getValues()[1 + i].getType();
    Type t = lessPrecise(out, arg) ? joinTypes(getVInitial()[i].getType(), arg)
                                   : joinTypes(getVInitial()[i].getType(), out);
    if (failed(setResult(*this, i, t)))
      return failure();
  }
  std::optional<int64_t> trips = staticTripCount();
  for (unsigned i = carried; i < getNumResults(); ++i) {
    auto elem = dyn_cast<RankedTensorType>(y.getValues()[1 + i].getType());
    if (!elem)
      continue;
    SmallVector<int64_t> dims{trips ? *trips : ShapedType::kDynamic};
    llvm::append_range(dims, elem.getShape());
    if (failed(setResult(*this, i, RankedTensorType::get(dims, elem.getElementType()))))
      return failure();
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Recurrent
//===----------------------------------------------------------------------===//

LogicalResult RecurrentOp::verify() {
  StringRef cell = getCell();
  if (cell != "RNN" && cell != "GRU" && cell != "LSTM")
    return emitOpError() << "cell must be RNN, GRU or LSTM, got '" << cell << "'";
  size_t acts = cell == "RNN" ? 1 : cell == "GRU" ? 2 : 3;
  if (getActivations().size() != acts)
    return emitOpError() << cell << " takes " << acts << " activations, got "
                         << getActivations().size();
  bool lstm = cell == "LSTM";
  if (lstm != bool(getYC()) || (getC0() && !lstm))
    return emitOpError() << "c0 and Y_c go with LSTM, and only with it";
  if (getPeepholes() && !lstm)
    return emitOpError() << "peepholes are LSTM's";
  if (getRbias() && !(cell == "GRU" && getLinearBeforeReset()))
    return emitOpError() << "rbias is GRU's with linear_before_reset";
  if (getInputForget() && !lstm)
    return emitOpError() << "input_forget is LSTM's";
  auto g = dyn_cast<RankedTensorType>(getGates().getType());
  auto r = dyn_cast<RankedTensorType>(getRecurrence().getType());
  if (g && g.getRank() != 3)
    return emitOpError() << "gates must be [seq, batch, gates * hidden]";
  if (r && (r.getRank() != 2 || (!r.isDynamicDim(1) && !r.isDynamicDim(0) &&
                                 r.getDimSize(1) != numGates() * r.getDimSize(0))))
    return emitOpError() << "recurrence must be [hidden, " << numGates() << " * hidden]";
  if (g && r && !g.isDynamicDim(2) && !r.isDynamicDim(1) && g.getDimSize(2) != r.getDimSize(1))
    return emitOpError() << "gates and recurrence disagree on gates * hidden";
  return success();
}

LogicalResult RecurrentOp::inferShapes() {
  auto g = dyn_cast<RankedTensorType>(getGates().getType());
  auto r = dyn_cast<RankedTensorType>(getRecurrence().getType());
  if (!g || !r)
    return success();
  int64_t seq = g.getDimSize(0), batch = g.getDimSize(1), hidden = r.getDimSize(0);
  Type et = g.getElementType();
  if (failed(refineResultType(*this, 0, RankedTensorType::get({seq, batch, hidden}, et))) ||
      failed(refineResultType(*this, 1, RankedTensorType::get({batch, hidden}, et))))
    return failure();
  if (getYC() &&
      failed(refineResultType(*this, 2, RankedTensorType::get({batch, hidden}, et))))
    return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// Check, InputPresent
//===----------------------------------------------------------------------===//

LogicalResult CheckOp::verify() {
  if (!isBoolScalar(getCond().getType()))
    return emitOpError() << "cond must be a bool scalar, got " << getCond().getType();
  return success();
}

LogicalResult CheckOp::inferShapes() {
  if (getResult().getType() != getValue().getType())
    getResult().setType(getValue().getType());
  return success();
}

LogicalResult InputPresentOp::verify() {
  auto arg = dyn_cast<BlockArgument>(getInput());
  if (!arg || !isa_and_nonnull<FunctionOpInterface>(arg.getOwner()->getParentOp()))
    return emitOpError() << "input must be an argument of the function (a graph input)";
  if (!isBoolScalar(getPresent().getType()))
    return emitOpError() << "result must be a bool scalar, got " << getPresent().getType();
  return success();
}

LogicalResult InputPresentOp::inferShapes() { return success(); }

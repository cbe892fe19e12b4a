#include "dialects/onnx/OnnxDialect.h"
#include "passes/Passes.h"

#include "mlir/IR/Matchers.h"

namespace onnxc {
#define GEN_PASS_DEF_ONNXSHAPEINFERENCE
#include "passes/Passes.h.inc"
} // namespace onnxc

using namespace mlir;

namespace {

/// Replaces `op` by constants when its folder computes all its results from constant operands
/// (or, for Shape and Size, from its operand types). Done here, in the same walk as inference,
/// so that a shape computed from shapes (Shape -> Gather -> Concat -> Reshape -> Shape ...)
/// resolves in one pass: each op sees its operands already folded. Folds that return an
/// existing value (Identity) are left to canonicalization.
/// Integer comparisons, Not and Where on small constants. Exporters build Expand's shape
/// with them (torch's `expand(-1, ...)`: Where(Equal(shape, -1), ones, shape)); these ops
/// have no ODS folders, so they are evaluated here. Null if `op` is not one of them or its
/// operands are not small integer constants.
Attribute evaluatePredicate(Operation *op, ArrayRef<Attribute> operands) {
  auto rt = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!rt || !rt.hasStaticShape() || rt.getNumElements() > 1024 || op->getNumResults() != 1)
    return {};
  SmallVector<DenseIntElementsAttr> in;
  for (Attribute a : operands) {
    auto d = dyn_cast_or_null<DenseIntElementsAttr>(a);
    if (!d)
      return {};
    in.push_back(d);
  }
  StringRef name = op->getName().stripDialect();
  bool compare = name == "Equal" || name == "Less" || name == "Greater" ||
                 name == "LessOrEqual" || name == "GreaterOrEqual";
  if (!(compare && in.size() == 2) && !(name == "Where" && in.size() == 3) &&
      !(name == "Not" && in.size() == 1))
    return {};
  // The flat index of each result element in each operand (numpy broadcasting).
  ArrayRef<int64_t> shape = rt.getShape();
  SmallVector<SmallVector<APInt>> values;
  SmallVector<SmallVector<int64_t>> strides;
  for (DenseIntElementsAttr d : in) {
    values.emplace_back(d.getValues<APInt>());
    ArrayRef<int64_t> s = d.getType().getShape();
    if (s.size() > shape.size())
      return {};
    SmallVector<int64_t> st(shape.size(), 0);
    int64_t stride = 1;
    for (int64_t i = s.size() - 1, r = shape.size() - 1; i >= 0; --i, --r) {
      st[r] = s[i] == 1 ? 0 : stride;
      stride *= s[i];
    }
    strides.push_back(st);
  }
  SmallVector<APInt> out;
  SmallVector<int64_t> index(shape.size(), 0);
  for (int64_t n = 0; n < rt.getNumElements(); ++n) {
    SmallVector<APInt> e;
    for (auto [v, st] : llvm::zip(values, strides)) {
      int64_t flat = 0;
      for (size_t d = 0; d < shape.size(); ++d)
        flat += index[d] * st[d];
      e.push_back(v[flat]);
    }
    if (name == "Where") {
      out.push_back(e[0].isZero() ? e[2] : e[1]);
    } else if (name == "Not") {
      out.push_back(APInt(1, e[0].isZero() ? 1 : 0));
    } else {
      bool unsignedType =
          cast<ShapedType>(op->getOperand(0).getType()).getElementType().isUnsignedInteger();
      int c = unsignedType ? (e[0].ult(e[1]) ? -1 : e[0] == e[1] ? 0 : 1)
                           : (e[0].slt(e[1]) ? -1 : e[0] == e[1] ? 0 : 1);
      bool r = name == "Equal" ? c == 0 : name == "Less" ? c < 0 : name == "Greater" ? c > 0
             : name == "LessOrEqual" ? c <= 0 : c >= 0;
      out.push_back(APInt(1, r ? 1 : 0));
    }
    for (int64_t d = shape.size() - 1; d >= 0; --d) {
      if (++index[d] < shape[d])
        break;
      index[d] = 0;
    }
  }
  for (APInt &v : out)
    if (v.getBitWidth() != rt.getElementType().getIntOrFloatBitWidth())
      return {};
  return DenseIntElementsAttr::get(rt, out);
}

void foldToConstants(Operation *op) {
  if (op->hasTrait<OpTrait::ConstantLike>())
    return;
  SmallVector<Attribute> operands;
  for (Value v : op->getOperands()) {
    Attribute attr;
    matchPattern(v, m_Constant(&attr));
    operands.push_back(attr);
  }
  SmallVector<OpFoldResult> folded;
  if (Attribute evaluated = evaluatePredicate(op, operands))
    folded.push_back(evaluated);
  else if (failed(op->fold(operands, folded)) || folded.size() != op->getNumResults())
    return;
  OpBuilder b(op);
  SmallVector<Value> constants;
  for (auto [result, f] : llvm::zip(op->getResults(), folded)) {
    auto attr = dyn_cast_if_present<Attribute>(f);
    Operation *c = attr ? op->getDialect()->materializeConstant(b, attr, result.getType(),
                                                                  op->getLoc())
                        : nullptr;
    if (!c) {
      for (Value made : constants)
        made.getDefiningOp()->erase();
      return;
    }
    constants.push_back(c->getResult(0));
  }
  op->replaceAllUsesWith(constants);
  op->erase();
}

struct ShapeInferencePass : onnxc::impl::OnnxShapeInferenceBase<ShapeInferencePass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    SmallVector<onnxc::onnx::ShapeInferenceOpInterface> ops;
    func.walk([&](onnxc::onnx::ShapeInferenceOpInterface op) { ops.push_back(op); });
    for (auto op : ops) {
      if (failed(op.inferShapes()))
        return signalPassFailure();
      foldToConstants(op);
    }
    if (func.getBody().empty())
      return;
    auto ret = cast<func::ReturnOp>(func.getBody().back().getTerminator());
    func.setType(FunctionType::get(&getContext(), func.getArgumentTypes(),
                                   ret.getOperandTypes()));
  }
};
} // namespace

// Elementwise ops: one broadcasting linalg.generic each, with the scalar computation chosen
// from a table keyed by op name. Clip and Where take their extra operands as broadcast inputs.
#include "passes/lowering/LoweringUtils.h"

#include "mlir/IR/PatternMatch.h"

using namespace mlir;

namespace onnxc::lowering {
namespace {

/// Builds the scalar result from the operand scalars, or returns null if the element type is
/// not supported by this op.
using ScalarFn = std::function<Value(Operation *, OpBuilder &, Location, ValueRange)>;

Value cst(OpBuilder &b, Location loc, Value like, double v) {
  return scalarConstant(b, loc, like.getType(), v);
}
bool isF(Value v) { return isa<FloatType>(v.getType()); }
bool isI(Value v) { return v.getType().isSignlessInteger() && !v.getType().isInteger(1); }

float floatAttr(Operation *op, StringRef name) {
  return cast<FloatAttr>(op->getAttr(name)).getValueAsDouble();
}

/// Float-only unary op from a builder over the operand.
template <typename F> ScalarFn floatUnary(F f) {
  return [f](Operation *op, OpBuilder &b, Location loc, ValueRange a) -> Value {
    return isF(a[0]) ? f(op, b, loc, a[0]) : Value();
  };
}
template <typename MathOp> ScalarFn mathUnary() {
  return floatUnary([](Operation *, OpBuilder &b, Location loc, Value x) -> Value {
    return MathOp::create(b, loc, x);
  });
}
template <typename FOp, typename IOp> ScalarFn arithBinary() {
  return [](Operation *, OpBuilder &b, Location loc, ValueRange a) -> Value {
    if (isF(a[0]))
      return FOp::create(b, loc, a[0], a[1]);
    if (isI(a[0]))
      return IOp::create(b, loc, a[0], a[1]);
    return Value();
  };
}
ScalarFn compare(arith::CmpFPredicate fp, arith::CmpIPredicate ip) {
  return [=](Operation *, OpBuilder &b, Location loc, ValueRange a) -> Value {
    if (isF(a[0]))
      return arith::CmpFOp::create(b, loc, fp, a[0], a[1]);
    if (a[0].getType().isSignlessInteger())
      return arith::CmpIOp::create(b, loc, ip, a[0], a[1]);
    return Value();
  };
}

Value sigmoid(OpBuilder &b, Location loc, Value x) {
  Value one = cst(b, loc, x, 1.0);
  Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x));
  return arith::DivFOp::create(b, loc, one, arith::AddFOp::create(b, loc, one, e));
}

/// clamp(x, lo, hi) with float or signed-integer min/max.
Value clamp(OpBuilder &b, Location loc, Value x, Value lo, Value hi) {
  if (isF(x)) {
    if (lo)
      x = arith::MaximumFOp::create(b, loc, x, lo);
    if (hi)
      x = arith::MinimumFOp::create(b, loc, x, hi);
    return x;
  }
  if (lo)
    x = arith::MaxSIOp::create(b, loc, x, lo);
  if (hi)
    x = arith::MinSIOp::create(b, loc, x, hi);
  return x;
}

Value castScalar(OpBuilder &b, Location loc, Value x, Type to) {
  Type from = x.getType();
  if (from == to)
    return x;
  auto fromF = dyn_cast<FloatType>(from), toF = dyn_cast<FloatType>(to);
  if (fromF && toF)
    return fromF.getWidth() < toF.getWidth() ? Value(arith::ExtFOp::create(b, loc, to, x))
                                             : Value(arith::TruncFOp::create(b, loc, to, x));
  bool fromBool = from.isInteger(1), toBool = to.isInteger(1);
  if (fromF && toBool)
    return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, x, cst(b, loc, x, 0));
  if (fromF && to.isSignlessInteger())
    return arith::FPToSIOp::create(b, loc, to, x);
  if (from.isSignlessInteger() && toF)
    return fromBool ? Value(arith::UIToFPOp::create(b, loc, to, x))
                    : Value(arith::SIToFPOp::create(b, loc, to, x));
  if (from.isSignlessInteger() && toBool)
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, x, cst(b, loc, x, 0));
  if (from.isSignlessInteger() && to.isSignlessInteger()) {
    unsigned fw = from.getIntOrFloatBitWidth(), tw = to.getIntOrFloatBitWidth();
    if (fw < tw)
      return fromBool ? Value(arith::ExtUIOp::create(b, loc, to, x))
                      : Value(arith::ExtSIOp::create(b, loc, to, x));
    return arith::TruncIOp::create(b, loc, to, x);
  }
  return Value();
}

const llvm::StringMap<ScalarFn> &scalarTable() {
  static const llvm::StringMap<ScalarFn> table = [] {
    llvm::StringMap<ScalarFn> t;
    t["onnx.Relu"] = [](Operation *, OpBuilder &b, Location loc, ValueRange a) -> Value {
      if (isF(a[0]))
        return arith::MaximumFOp::create(b, loc, a[0], cst(b, loc, a[0], 0));
      if (isI(a[0]))
        return arith::MaxSIOp::create(b, loc, a[0], cst(b, loc, a[0], 0));
      return Value();
    };
    t["onnx.Sigmoid"] = floatUnary([](Operation *, OpBuilder &b, Location loc, Value x) {
      return sigmoid(b, loc, x);
    });
    t["onnx.Tanh"] = mathUnary<math::TanhOp>();
    t["onnx.Exp"] = mathUnary<math::ExpOp>();
    t["onnx.Log"] = mathUnary<math::LogOp>();
    t["onnx.Sqrt"] = mathUnary<math::SqrtOp>();
    t["onnx.Erf"] = mathUnary<math::ErfOp>();
    t["onnx.Floor"] = mathUnary<math::FloorOp>();
    t["onnx.Ceil"] = mathUnary<math::CeilOp>();
    t["onnx.Sin"] = mathUnary<math::SinOp>();
    t["onnx.Cos"] = mathUnary<math::CosOp>();
    t["onnx.Round"] = mathUnary<math::RoundEvenOp>();
    t["onnx.Neg"] = [](Operation *, OpBuilder &b, Location loc, ValueRange a) -> Value {
      if (isF(a[0]))
        return arith::NegFOp::create(b, loc, a[0]);
      if (isI(a[0]))
        return arith::SubIOp::create(b, loc, cst(b, loc, a[0], 0), a[0]);
      return Value();
    };
    t["onnx.Abs"] = [](Operation *, OpBuilder &b, Location loc, ValueRange a) -> Value {
      if (isF(a[0]))
        return math::AbsFOp::create(b, loc, a[0]);
      if (isI(a[0]))
        return math::AbsIOp::create(b, loc, a[0]);
      return Value();
    };
    t["onnx.Reciprocal"] = floatUnary([](Operation *, OpBuilder &b, Location loc, Value x) {
      return arith::DivFOp::create(b, loc, cst(b, loc, x, 1), x);
    });
    t["onnx.Softsign"] = floatUnary([](Operation *, OpBuilder &b, Location loc, Value x) {
      Value d = arith::AddFOp::create(b, loc, cst(b, loc, x, 1), math::AbsFOp::create(b, loc, x));
      return arith::DivFOp::create(b, loc, x, d);
    });
    t["onnx.Softplus"] = floatUnary([](Operation *, OpBuilder &b, Location loc, Value x) {
      // log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)): no overflow for large x.
      Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, math::AbsFOp::create(b, loc, x)));
      Value pos = arith::MaximumFOp::create(b, loc, x, cst(b, loc, x, 0));
      return arith::AddFOp::create(b, loc, pos, math::Log1pOp::create(b, loc, e));
    });
    t["onnx.Sign"] = floatUnary([](Operation *, OpBuilder &b, Location loc, Value x) {
      Value zero = cst(b, loc, x, 0), one = cst(b, loc, x, 1), m1 = cst(b, loc, x, -1);
      Value gt = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, zero);
      Value lt = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, zero);
      return arith::SelectOp::create(b, loc, gt, one, arith::SelectOp::create(b, loc, lt, m1, x));
    });
    t["onnx.Not"] = [](Operation *, OpBuilder &b, Location loc, ValueRange a) -> Value {
      if (!a[0].getType().isInteger(1))
        return Value();
      return arith::XOrIOp::create(b, loc, a[0], cst(b, loc, a[0], 1));
    };
    t["onnx.HardSwish"] = floatUnary([](Operation *, OpBuilder &b, Location loc, Value x) {
      Value hs = arith::AddFOp::create(b, loc, arith::MulFOp::create(b, loc, x, cst(b, loc, x, 1.0 / 6)),
                                       cst(b, loc, x, 0.5));
      return arith::MulFOp::create(b, loc, x, clamp(b, loc, hs, cst(b, loc, x, 0), cst(b, loc, x, 1)));
    });
    t["onnx.HardSigmoid"] = floatUnary([](Operation *op, OpBuilder &b, Location loc, Value x) {
      Value y = arith::AddFOp::create(
          b, loc, arith::MulFOp::create(b, loc, x, cst(b, loc, x, floatAttr(op, "alpha"))),
          cst(b, loc, x, floatAttr(op, "beta")));
      return clamp(b, loc, y, cst(b, loc, x, 0), cst(b, loc, x, 1));
    });
    t["onnx.LeakyRelu"] = floatUnary([](Operation *op, OpBuilder &b, Location loc, Value x) {
      Value neg = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, cst(b, loc, x, 0));
      Value scaled = arith::MulFOp::create(b, loc, x, cst(b, loc, x, floatAttr(op, "alpha")));
      return arith::SelectOp::create(b, loc, neg, scaled, x);
    });
    t["onnx.Elu"] = floatUnary([](Operation *op, OpBuilder &b, Location loc, Value x) {
      Value neg = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, cst(b, loc, x, 0));
      Value em1 = math::ExpM1Op::create(b, loc, x);
      Value scaled = arith::MulFOp::create(b, loc, em1, cst(b, loc, x, floatAttr(op, "alpha")));
      return arith::SelectOp::create(b, loc, neg, scaled, x);
    });
    t["onnx.Identity"] = [](Operation *, OpBuilder &, Location, ValueRange a) { return a[0]; };
    t["onnx.Add"] = arithBinary<arith::AddFOp, arith::AddIOp>();
    t["onnx.Sub"] = arithBinary<arith::SubFOp, arith::SubIOp>();
    t["onnx.Mul"] = arithBinary<arith::MulFOp, arith::MulIOp>();
    t["onnx.Div"] = arithBinary<arith::DivFOp, arith::DivSIOp>();
    t["onnx.Max"] = arithBinary<arith::MaximumFOp, arith::MaxSIOp>();
    t["onnx.Min"] = arithBinary<arith::MinimumFOp, arith::MinSIOp>();
    t["onnx.Pow"] = [](Operation *, OpBuilder &b, Location loc, ValueRange a) -> Value {
      if (!isF(a[0]))
        return Value();
      Value e = castScalar(b, loc, a[1], a[0].getType());
      return e ? Value(math::PowFOp::create(b, loc, a[0], e)) : Value();
    };
    t["onnx.Equal"] = compare(arith::CmpFPredicate::OEQ, arith::CmpIPredicate::eq);
    t["onnx.Less"] = compare(arith::CmpFPredicate::OLT, arith::CmpIPredicate::slt);
    t["onnx.Greater"] = compare(arith::CmpFPredicate::OGT, arith::CmpIPredicate::sgt);
    t["onnx.LessOrEqual"] = compare(arith::CmpFPredicate::OLE, arith::CmpIPredicate::sle);
    t["onnx.GreaterOrEqual"] = compare(arith::CmpFPredicate::OGE, arith::CmpIPredicate::sge);
    t["onnx.Where"] = [](Operation *, OpBuilder &b, Location loc, ValueRange a) -> Value {
      return arith::SelectOp::create(b, loc, a[0], a[1], a[2]);
    };
    t["onnx.Clip"] = [](Operation *op, OpBuilder &b, Location loc, ValueRange a) -> Value {
      if (!isF(a[0]) && !isI(a[0]))
        return Value();
      auto clip = cast<onnx::ClipOp>(op);
      Value lo = clip.getMin() ? a[1] : Value();
      Value hi = clip.getMax() ? a[clip.getMin() ? 2 : 1] : Value();
      return clamp(b, loc, a[0], lo, hi);
    };
    t["onnx.Cast"] = [](Operation *op, OpBuilder &b, Location loc, ValueRange a) -> Value {
      return castScalar(b, loc, a[0], cast<onnx::CastOp>(op).getTo());
    };
    return t;
  }();
  return table;
}

/// Matches any op in the scalar table.
struct ElementwiseLowering : ConversionPattern {
  ElementwiseLowering(MLIRContext *ctx, StringRef name, const ScalarFn &fn)
      : ConversionPattern(name, /*benefit=*/1, ctx), fn(fn) {}

  LogicalResult matchAndRewrite(Operation *op, ArrayRef<Value> operands,
                                ConversionPatternRewriter &rewriter) const override {
    if (failed(requireStaticShapes(op)))
      return failure();
    Type inType = cast<ShapedType>(operands[0].getType()).getElementType();
    if (isa<IntegerType>(inType) && !inType.isSignlessInteger())
      return op->emitError() << "unsigned element type " << inType << " is not supported yet";
    if (op->getName().getStringRef() == "onnx.Identity") {
      rewriter.replaceOp(op, operands[0]);
      return success();
    }
    // Probe the scalar builder in a detached block first: a pattern that fails must not have
    // changed the IR.
    {
      Block probe;
      SmallVector<Value> args;
      for (Value v : operands)
        args.push_back(probe.addArgument(cast<ShapedType>(v.getType()).getElementType(),
                                         op->getLoc()));
      OpBuilder pb(op->getContext());
      pb.setInsertionPointToEnd(&probe);
      if (!fn(op, pb, op->getLoc(), args)) {
        Type outType = cast<ShapedType>(op->getResult(0).getType()).getElementType();
        if (outType != inType && !outType.isInteger(1))
          return op->emitError() << "conversion from " << inType << " to " << outType
                                 << " is not supported";
        return op->emitError() << "element type " << inType << " is not supported for this op";
      }
    }
    auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
    Value result = buildElementwise(rewriter, op->getLoc(), resultType, operands,
                                    [&](OpBuilder &b, Location loc, ValueRange args) {
                                      return fn(op, b, loc, args);
                                    });
    rewriter.replaceOp(op, result);
    return success();
  }

  ScalarFn fn;
};

/// onnx.Constant becomes arith.constant with the same (possibly resource) elements.
struct ConstantLowering : OpConversionPattern<onnx::ConstantOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(onnx::ConstantOp op, OpAdaptor,
                                ConversionPatternRewriter &rewriter) const override {
    auto typed = dyn_cast<TypedAttr>(op.getValue());
    if (!typed)
      return op.emitError() << "constant kind is not supported";
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, op.getType(), typed);
    return success();
  }
};

} // namespace

void populateElementwisePatterns(RewritePatternSet &patterns) {
  for (const auto &entry : scalarTable())
    patterns.add<ElementwiseLowering>(patterns.getContext(), entry.getKey(), entry.getValue());
  patterns.add<ConstantLowering>(patterns.getContext());
}

} // namespace onnxc::lowering

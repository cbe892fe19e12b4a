// Elementwise ops: one broadcasting linalg.generic each, with the scalar computation chosen
// from a table keyed by op name. Clip and Where take their extra operands as broadcast inputs.
#include "passes/lowering/LoweringUtils.h"

#include "mlir/IR/PatternMatch.h"

#include <limits>

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

/// Whether operand `i` of the original op has an unsigned integer element type (the scalars
/// the builders see are signless: the lowering bitcasts unsigned tensors).
bool isU(Operation *op, unsigned i = 0) {
  return getElementTypeOrSelf(op->getOperand(i).getType()).isUnsignedInteger();
}
/// The signless type of the same width as an unsigned integer type; other types unchanged.
Type signless(Type t) {
  if (auto it = dyn_cast<IntegerType>(t); it && !it.isSignless())
    return IntegerType::get(t.getContext(), it.getWidth());
  return t;
}

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
/// Binary arithmetic: FOp on floats, SIOp on signed and UIOp on unsigned integers.
template <typename FOp, typename SIOp, typename UIOp = SIOp> ScalarFn arithBinary() {
  return [](Operation *op, OpBuilder &b, Location loc, ValueRange a) -> Value {
    if (isF(a[0]))
      return FOp::create(b, loc, a[0], a[1]);
    if (isI(a[0]))
      return isU(op) ? Value(UIOp::create(b, loc, a[0], a[1]))
                     : Value(SIOp::create(b, loc, a[0], a[1]));
    return Value();
  };
}
/// Boolean And/Or/Xor.
template <typename Op> ScalarFn logical() {
  return [](Operation *, OpBuilder &b, Location loc, ValueRange a) -> Value {
    if (!a[0].getType().isInteger(1))
      return Value();
    return Op::create(b, loc, a[0], a[1]);
  };
}
ScalarFn compare(arith::CmpFPredicate fp, arith::CmpIPredicate ip, arith::CmpIPredicate up) {
  return [=](Operation *op, OpBuilder &b, Location loc, ValueRange a) -> Value {
    if (isF(a[0]))
      return arith::CmpFOp::create(b, loc, fp, a[0], a[1]);
    if (a[0].getType().isSignlessInteger())
      return arith::CmpIOp::create(b, loc, isU(op) ? up : ip, a[0], a[1]);
    return Value();
  };
}

Value sigmoid(OpBuilder &b, Location loc, Value x) {
  Value one = cst(b, loc, x, 1.0);
  Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x));
  return arith::DivFOp::create(b, loc, one, arith::AddFOp::create(b, loc, one, e));
}

/// clamp(x, lo, hi) with float or (un)signed-integer min/max.
Value clamp(OpBuilder &b, Location loc, Value x, Value lo, Value hi, bool isUnsigned = false) {
  if (isF(x)) {
    if (lo)
      x = arith::MaximumFOp::create(b, loc, x, lo);
    if (hi)
      x = arith::MinimumFOp::create(b, loc, x, hi);
    return x;
  }
  if (isUnsigned) {
    if (lo)
      x = arith::MaxUIOp::create(b, loc, x, lo);
    if (hi)
      x = arith::MinUIOp::create(b, loc, x, hi);
    return x;
  }
  if (lo)
    x = arith::MaxSIOp::create(b, loc, x, lo);
  if (hi)
    x = arith::MinSIOp::create(b, loc, x, hi);
  return x;
}

/// f64 -> f32 rounded to odd: truncated toward zero, the last bit set when inexact. Rounding
/// that to a type of at most 11 significand bits (f16, bf16) gives the correctly rounded
/// result of the f64 (no double-rounding error), with only f32 conversions in hardware.
Value roundToOddF32(OpBuilder &b, Location loc, Value x) {
  Type f32 = b.getF32Type(), i32 = b.getI32Type();
  Value t = arith::TruncFOp::create(b, loc, f32, x);
  Value back = arith::ExtFOp::create(b, loc, x.getType(), t);
  Value inexact = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::ONE, back, x);
  Value away = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT,
                                     math::AbsFOp::create(b, loc, back),
                                     math::AbsFOp::create(b, loc, x));
  Value bits = arith::BitcastOp::create(b, loc, i32, t);
  Value one = arith::ConstantIntOp::create(b, loc, 1, 32);
  // One step toward zero in magnitude (sign-magnitude bits), then the sticky bit.
  bits = arith::SelectOp::create(b, loc, away, arith::SubIOp::create(b, loc, bits, one), bits);
  bits = arith::SelectOp::create(b, loc, inexact, arith::OrIOp::create(b, loc, bits, one), bits);
  return arith::BitcastOp::create(b, loc, f32, bits);
}

/// f32 -> bf16 rounded to nearest even on the bits (NaN stays a quiet NaN of its sign).
/// arith.truncf to bf16 becomes a call to compiler-rt's __truncsfbf2 on CPUs without
/// AVX512-BF16, which a model cannot link.
Value truncF32ToBF16(OpBuilder &b, Location loc, Value x) {
  Type i32 = b.getI32Type();
  auto c32 = [&](int64_t v) { return arith::ConstantIntOp::create(b, loc, v, 32); };
  Value bits = arith::BitcastOp::create(b, loc, i32, x);
  Value high = arith::ShRUIOp::create(b, loc, bits, c32(16));
  Value lsb = arith::AndIOp::create(b, loc, high, c32(1));
  Value rounded = arith::ShRUIOp::create(
      b, loc,
      arith::AddIOp::create(b, loc, bits, arith::AddIOp::create(b, loc, lsb, c32(0x7FFF))),
      c32(16));
  Value quietNaN = arith::OrIOp::create(b, loc, high, c32(0x40));
  Value isNaN = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, x, x);
  Value result = arith::SelectOp::create(b, loc, isNaN, quietNaN, rounded);
  result = arith::TruncIOp::create(b, loc, b.getI16Type(), result);
  return arith::BitcastOp::create(b, loc, b.getBF16Type(), result);
}

/// Float narrowing without compiler-rt: f64 -> f16 (__truncdfhf2) and anything -> bf16 go
/// through f32 in the arithmetic above, and so does f16 <-> bf16 (same width: truncf cannot);
/// the rest are plain truncf.
Value narrowFloat(OpBuilder &b, Location loc, Value x, FloatType to) {
  auto from = cast<FloatType>(x.getType());
  if (!to.isBF16() && !(to.isF16() && from.getWidth() > 32) && from.getWidth() != to.getWidth())
    return arith::TruncFOp::create(b, loc, to, x);
  if (from.getWidth() > 32)
    x = roundToOddF32(b, loc, x);
  else if (from.getWidth() < 32)
    x = arith::ExtFOp::create(b, loc, b.getF32Type(), x);
  return to.isBF16() ? truncF32ToBF16(b, loc, x)
                     : Value(arith::TruncFOp::create(b, loc, to, x));
}

/// ONNX Cast of one scalar between signless types; `fromUnsigned`/`toUnsigned` give the
/// signedness of integer source and target. Float to integer truncates toward zero, integer
/// narrowing wraps, widening extends by the source's signedness.
Value castScalar(OpBuilder &b, Location loc, Value x, Type to, bool fromUnsigned = false,
                 bool toUnsigned = false) {
  Type from = x.getType();
  if (from == to)
    return x;
  auto fromF = dyn_cast<FloatType>(from), toF = dyn_cast<FloatType>(to);
  if (fromF && toF)
    return fromF.getWidth() < toF.getWidth() ? Value(arith::ExtFOp::create(b, loc, to, x))
                                             : narrowFloat(b, loc, x, toF);
  bool fromBool = from.isInteger(1), toBool = to.isInteger(1);
  if (fromF && toBool)
    return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, x, cst(b, loc, x, 0));
  if (fromF && to.isSignlessInteger())
    return toUnsigned ? Value(arith::FPToUIOp::create(b, loc, to, x))
                      : Value(arith::FPToSIOp::create(b, loc, to, x));
  if (from.isSignlessInteger() && toF) {
    // To bf16 through f64 (exact up to 2^53) and the narrowing above: no libcall.
    Type via = toF.isBF16() ? b.getF64Type() : to;
    Value y = fromBool || fromUnsigned ? Value(arith::UIToFPOp::create(b, loc, via, x))
                                       : Value(arith::SIToFPOp::create(b, loc, via, x));
    return via == to ? y : narrowFloat(b, loc, y, toF);
  }
  if (from.isSignlessInteger() && toBool)
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, x, cst(b, loc, x, 0));
  if (from.isSignlessInteger() && to.isSignlessInteger()) {
    unsigned fw = from.getIntOrFloatBitWidth(), tw = to.getIntOrFloatBitWidth();
    if (fw < tw)
      return fromBool || fromUnsigned ? Value(arith::ExtUIOp::create(b, loc, to, x))
                                      : Value(arith::ExtSIOp::create(b, loc, to, x));
    return arith::TruncIOp::create(b, loc, to, x);
  }
  return Value();
}

const llvm::StringMap<ScalarFn> &scalarTable() {
  static const llvm::StringMap<ScalarFn> table = [] {
    llvm::StringMap<ScalarFn> t;
    t["onnx.Relu"] = [](Operation *op, OpBuilder &b, Location loc, ValueRange a) -> Value {
      if (isF(a[0]))
        return arith::MaximumFOp::create(b, loc, a[0], cst(b, loc, a[0], 0));
      if (isI(a[0]) && isU(op))
        return a[0];
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
    t["onnx.Abs"] = [](Operation *op, OpBuilder &b, Location loc, ValueRange a) -> Value {
      if (isF(a[0]))
        return math::AbsFOp::create(b, loc, a[0]);
      if (isI(a[0]) && isU(op))
        return a[0];
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
    t["onnx.Sign"] = [](Operation *op, OpBuilder &b, Location loc, ValueRange a) -> Value {
      Value x = a[0];
      if (isF(x)) {
        Value zero = cst(b, loc, x, 0), one = cst(b, loc, x, 1), m1 = cst(b, loc, x, -1);
        Value gt = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, zero);
        Value lt = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, zero);
        return arith::SelectOp::create(b, loc, gt, one, arith::SelectOp::create(b, loc, lt, m1, x));
      }
      if (!isI(x))
        return Value();
      Value zero = cst(b, loc, x, 0), one = cst(b, loc, x, 1);
      if (isU(op))
        return arith::ExtUIOp::create(
            b, loc, x.getType(), arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, x, zero));
      Value gt = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, x, zero);
      Value lt = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, x, zero);
      return arith::SelectOp::create(b, loc, gt, one,
                                     arith::SelectOp::create(b, loc, lt, cst(b, loc, x, -1), zero));
    };
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
    t["onnx.Tan"] = mathUnary<math::TanOp>();
    t["onnx.Asin"] = mathUnary<math::AsinOp>();
    t["onnx.Acos"] = mathUnary<math::AcosOp>();
    t["onnx.Atan"] = mathUnary<math::AtanOp>();
    t["onnx.Sinh"] = mathUnary<math::SinhOp>();
    t["onnx.Cosh"] = mathUnary<math::CoshOp>();
    t["onnx.Asinh"] = mathUnary<math::AsinhOp>();
    t["onnx.Acosh"] = mathUnary<math::AcoshOp>();
    t["onnx.Atanh"] = mathUnary<math::AtanhOp>();
    t["onnx.Mish"] = floatUnary([](Operation *op, OpBuilder &b, Location loc, Value x) {
      // x * tanh(softplus(x)), softplus without overflow as in Softplus.
      Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, math::AbsFOp::create(b, loc, x)));
      Value pos = arith::MaximumFOp::create(b, loc, x, cst(b, loc, x, 0));
      Value sp = arith::AddFOp::create(b, loc, pos, math::Log1pOp::create(b, loc, e));
      return arith::MulFOp::create(b, loc, x, math::TanhOp::create(b, loc, sp));
    });
    t["onnx.Selu"] = floatUnary([](Operation *op, OpBuilder &b, Location loc, Value x) {
      double alpha = floatAttr(op, "alpha"), gamma = floatAttr(op, "gamma");
      Value pos = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, cst(b, loc, x, 0));
      Value neg = arith::MulFOp::create(b, loc, math::ExpM1Op::create(b, loc, x),
                                        cst(b, loc, x, alpha * gamma));
      Value p = arith::MulFOp::create(b, loc, x, cst(b, loc, x, gamma));
      return arith::SelectOp::create(b, loc, pos, p, neg);
    });
    t["onnx.Celu"] = floatUnary([](Operation *op, OpBuilder &b, Location loc, Value x) {
      // max(0, x) + min(0, alpha * (exp(x / alpha) - 1))
      double alpha = floatAttr(op, "alpha");
      Value zero = cst(b, loc, x, 0);
      Value em1 = math::ExpM1Op::create(b, loc, arith::DivFOp::create(b, loc, x, cst(b, loc, x, alpha)));
      Value neg = arith::MinimumFOp::create(
          b, loc, zero, arith::MulFOp::create(b, loc, em1, cst(b, loc, x, alpha)));
      return arith::AddFOp::create(b, loc, arith::MaximumFOp::create(b, loc, x, zero), neg);
    });
    t["onnx.ThresholdedRelu"] = floatUnary([](Operation *op, OpBuilder &b, Location loc, Value x) {
      Value gt = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x,
                                       cst(b, loc, x, floatAttr(op, "alpha")));
      return arith::SelectOp::create(b, loc, gt, x, cst(b, loc, x, 0));
    });
    t["onnx.Shrink"] = floatUnary([](Operation *op, OpBuilder &b, Location loc, Value x) {
      double bias = floatAttr(op, "bias"), lambd = floatAttr(op, "lambd");
      Value lo = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, cst(b, loc, x, -lambd));
      Value hi = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, cst(b, loc, x, lambd));
      Value plus = arith::AddFOp::create(b, loc, x, cst(b, loc, x, bias));
      Value minus = arith::SubFOp::create(b, loc, x, cst(b, loc, x, bias));
      return arith::SelectOp::create(b, loc, lo, plus,
                                     arith::SelectOp::create(b, loc, hi, minus, cst(b, loc, x, 0)));
    });
    t["onnx.Gelu"] = floatUnary([](Operation *op, OpBuilder &b, Location loc, Value x) -> Value {
      StringRef approx = cast<onnx::GeluOp>(op).getApproximate();
      Value inner;
      if (approx == "tanh") {
        // tanh(sqrt(2 / pi) * (x + 0.044715 x^3))
        Value x3 = arith::MulFOp::create(b, loc, x, arith::MulFOp::create(b, loc, x, x));
        Value s = arith::AddFOp::create(b, loc, x,
                                        arith::MulFOp::create(b, loc, x3, cst(b, loc, x, 0.044715)));
        inner = math::TanhOp::create(
            b, loc, arith::MulFOp::create(b, loc, s, cst(b, loc, x, 0.7978845608028654)));
      } else if (approx == "none") {
        inner = math::ErfOp::create(
            b, loc, arith::MulFOp::create(b, loc, x, cst(b, loc, x, 0.7071067811865476)));
      } else {
        return Value();
      }
      Value half = arith::MulFOp::create(b, loc, x, cst(b, loc, x, 0.5));
      return arith::MulFOp::create(b, loc, half,
                                   arith::AddFOp::create(b, loc, inner, cst(b, loc, x, 1)));
    });
    t["onnx.IsNaN"] = floatUnary([](Operation *, OpBuilder &b, Location loc, Value x) {
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, x, x);
    });
    t["onnx.IsInf"] = floatUnary([](Operation *op, OpBuilder &b, Location loc, Value x) {
      auto isInf = cast<onnx::IsInfOp>(op);
      double inf = std::numeric_limits<double>::infinity();
      Value r = arith::ConstantOp::create(b, loc, b.getBoolAttr(false));
      if (isInf.getDetectPositive())
        r = arith::OrIOp::create(b, loc, r,
                                 arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, x,
                                                       cst(b, loc, x, inf)));
      if (isInf.getDetectNegative())
        r = arith::OrIOp::create(b, loc, r,
                                 arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, x,
                                                       cst(b, loc, x, -inf)));
      return r;
    });
    t["onnx.And"] = logical<arith::AndIOp>();
    t["onnx.Or"] = logical<arith::OrIOp>();
    t["onnx.Xor"] = logical<arith::XOrIOp>();
    t["onnx.PRelu"] = [](Operation *op, OpBuilder &b, Location loc, ValueRange a) -> Value {
      Value x = a[0], slope = a[1];
      if (isF(x)) {
        Value neg = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, cst(b, loc, x, 0));
        return arith::SelectOp::create(b, loc, neg, arith::MulFOp::create(b, loc, x, slope), x);
      }
      if (isI(x)) {
        if (isU(op))
          return x;
        Value neg = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, x, cst(b, loc, x, 0));
        return arith::SelectOp::create(b, loc, neg, arith::MulIOp::create(b, loc, x, slope), x);
      }
      return Value();
    };
    t["onnx.Mod"] = [](Operation *op, OpBuilder &b, Location loc, ValueRange a) -> Value {
      Value x = a[0], y = a[1];
      bool fmod = cast<onnx::ModOp>(op).getFmod() != 0;
      Value r;
      if (isF(x))
        r = arith::RemFOp::create(b, loc, x, y);
      else if (isI(x) && isU(op))
        return arith::RemUIOp::create(b, loc, x, y);
      else if (isI(x))
        r = arith::RemSIOp::create(b, loc, x, y);
      else
        return Value();
      if (fmod)
        return r; // C's fmod: the dividend's sign.
      // The divisor's sign: add the divisor to a nonzero remainder of the other sign.
      Value zero = cst(b, loc, x, 0), rNeg, yNeg, rNonzero, sum;
      if (isF(x)) {
        rNeg = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, r, zero);
        yNeg = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, y, zero);
        rNonzero = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, r, zero);
        sum = arith::AddFOp::create(b, loc, r, y);
      } else {
        rNeg = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, r, zero);
        yNeg = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, y, zero);
        rNonzero = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, r, zero);
        sum = arith::AddIOp::create(b, loc, r, y);
      }
      Value differ = arith::XOrIOp::create(b, loc, rNeg, yNeg);
      Value fix = arith::AndIOp::create(b, loc, differ, rNonzero);
      return arith::SelectOp::create(b, loc, fix, sum, r);
    };
    t["onnx.BitShift"] = [](Operation *op, OpBuilder &b, Location loc, ValueRange a) -> Value {
      Value x = a[0], n = a[1];
      if (!isI(x))
        return Value();
      StringRef dir = cast<onnx::BitShiftOp>(op).getDirection();
      Value shifted;
      if (dir == "LEFT")
        shifted = arith::ShLIOp::create(b, loc, x, n);
      else if (dir == "RIGHT")
        shifted = arith::ShRUIOp::create(b, loc, x, n);
      else
        return Value();
      // Shifting by the width or more gives 0 (LLVM would give poison).
      Value big = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge, n,
                                        cst(b, loc, x, x.getType().getIntOrFloatBitWidth()));
      return arith::SelectOp::create(b, loc, big, cst(b, loc, x, 0), shifted);
    };
    t["onnx.Identity"] = [](Operation *, OpBuilder &, Location, ValueRange a) { return a[0]; };
    t["onnx.Add"] = arithBinary<arith::AddFOp, arith::AddIOp>();
    t["onnx.Sub"] = arithBinary<arith::SubFOp, arith::SubIOp>();
    t["onnx.Mul"] = arithBinary<arith::MulFOp, arith::MulIOp>();
    t["onnx.Div"] = arithBinary<arith::DivFOp, arith::DivSIOp, arith::DivUIOp>();
    t["onnx.Max"] = arithBinary<arith::MaximumFOp, arith::MaxSIOp, arith::MaxUIOp>();
    t["onnx.Min"] = arithBinary<arith::MinimumFOp, arith::MinSIOp, arith::MinUIOp>();
    t["onnx.Pow"] = [](Operation *op, OpBuilder &b, Location loc, ValueRange a) -> Value {
      if (isF(a[0])) {
        Value e = castScalar(b, loc, a[1], a[0].getType(), isU(op, 1));
        return e ? Value(math::PowFOp::create(b, loc, a[0], e)) : Value();
      }
      if (!isI(a[0]))
        return Value();
      // Integer base: computed in f64 (exact while the result fits 53 bits), truncated back.
      Type f64 = b.getF64Type();
      Value x = castScalar(b, loc, a[0], f64, isU(op, 0));
      Value e = castScalar(b, loc, a[1], f64, isU(op, 1));
      if (!x || !e)
        return Value();
      Value p = math::PowFOp::create(b, loc, x, e);
      return castScalar(b, loc, p, a[0].getType(), false, isU(op, 0));
    };
    using FP = arith::CmpFPredicate;
    using IP = arith::CmpIPredicate;
    t["onnx.Equal"] = compare(FP::OEQ, IP::eq, IP::eq);
    t["onnx.Less"] = compare(FP::OLT, IP::slt, IP::ult);
    t["onnx.Greater"] = compare(FP::OGT, IP::sgt, IP::ugt);
    t["onnx.LessOrEqual"] = compare(FP::OLE, IP::sle, IP::ule);
    t["onnx.GreaterOrEqual"] = compare(FP::OGE, IP::sge, IP::uge);
    t["onnx.Where"] = [](Operation *, OpBuilder &b, Location loc, ValueRange a) -> Value {
      return arith::SelectOp::create(b, loc, a[0], a[1], a[2]);
    };
    t["onnx.Clip"] = [](Operation *op, OpBuilder &b, Location loc, ValueRange a) -> Value {
      if (!isF(a[0]) && !isI(a[0]))
        return Value();
      auto clip = cast<onnx::ClipOp>(op);
      Value lo = clip.getMin() ? a[1] : Value();
      Value hi = clip.getMax() ? a[clip.getMin() ? 2 : 1] : Value();
      return clamp(b, loc, a[0], lo, hi, isU(op));
    };
    t["onnx.Cast"] = [](Operation *op, OpBuilder &b, Location loc, ValueRange a) -> Value {
      Type to = cast<onnx::CastOp>(op).getTo();
      return castScalar(b, loc, a[0], signless(to), isU(op), to.isUnsignedInteger());
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
    // Run-time dims are fine: the result's are read from the operands (docs/dynamic-shapes.md).
    if (failed(requireRankedShapes(op)))
      return failure();
    Type inType = cast<ShapedType>(operands[0].getType()).getElementType();
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
        args.push_back(probe.addArgument(
            signless(cast<ShapedType>(v.getType()).getElementType()), op->getLoc()));
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
    // Unsigned tensors are computed on as signless ones of the same width (arith wants
    // signless types); the builders choose unsigned ops from the op's own operand types.
    auto asSignless = [&](Value v) -> Value {
      auto t = cast<RankedTensorType>(v.getType());
      Type e = signless(t.getElementType());
      return e == t.getElementType()
                 ? v
                 : Value(tensor::BitcastOp::create(rewriter, op->getLoc(), t.clone(e), v));
    };
    SmallVector<Value> inputs;
    for (Value v : operands)
      inputs.push_back(asSignless(v));
    auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
    auto computeType = resultType.clone(signless(resultType.getElementType()));
    Value result = buildElementwise(rewriter, op->getLoc(), computeType, inputs,
                                    [&](OpBuilder &b, Location loc, ValueRange args) {
                                      return fn(op, b, loc, args);
                                    });
    if (computeType != resultType)
      result = tensor::BitcastOp::create(rewriter, op->getLoc(), resultType, result);
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

bool isElementwiseLowering(StringRef opName) { return scalarTable().count(opName); }

void populateElementwisePatterns(RewritePatternSet &patterns) {
  for (const auto &entry : scalarTable())
    patterns.add<ElementwiseLowering>(patterns.getContext(), entry.getKey(), entry.getValue());
  patterns.add<ConstantLowering>(patterns.getContext());
}

} // namespace onnxc::lowering

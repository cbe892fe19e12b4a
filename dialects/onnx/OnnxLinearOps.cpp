#include "dialects/onnx/OnnxDialect.h"
#include "dialects/onnx/Window.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;
using namespace onnxc::onnx;

#define GET_OP_CLASSES
#include "dialects/onnx/OnnxLinearOps.cpp.inc"

static RankedTensorType rankedOrNull(Value v) { return dyn_cast<RankedTensorType>(v.getType()); }

//===----------------------------------------------------------------------===//
// Window geometry
//===----------------------------------------------------------------------===//

static int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// The attributes of the window: ONNX's defaults applied and checked, the explicit pads in
/// padBegin/padEnd, no output sizes yet.
static FailureOr<Window> readWindowAttrs(Operation *op, size_t n,
                                         ArrayRef<int64_t> kernelFromWeights) {
  auto array = [&](StringRef name) -> std::optional<ArrayRef<int64_t>> {
    if (auto attr = op->getAttrOfType<DenseI64ArrayAttr>(name))
      return attr.asArrayRef();
    return std::nullopt;
  };
  Window w;
  if (auto k = array("kernel_shape"))
    w.kernel.assign(k->begin(), k->end());
  else
    w.kernel.assign(kernelFromWeights.begin(), kernelFromWeights.end());
  if (w.kernel.size() != n)
    return op->emitError() << "kernel_shape has " << w.kernel.size()
                           << " entries but the input has " << n << " spatial dims";
  auto fill = [&](StringRef name, SmallVector<int64_t> &dst, size_t count,
                  int64_t dflt) -> LogicalResult {
    auto v = array(name);
    if (!v || v->empty()) {
      dst.assign(count, dflt);
      return success();
    }
    if (v->size() != count)
      return op->emitError() << name << " has " << v->size() << " entries, expected " << count;
    dst.assign(v->begin(), v->end());
    return success();
  };
  SmallVector<int64_t> pads;
  if (failed(fill("strides", w.strides, n, 1)) || failed(fill("dilations", w.dilations, n, 1)) ||
      failed(fill("pads", pads, 2 * n, 0)))
    return failure();
  for (size_t i = 0; i < n; ++i) {
    if (w.kernel[i] < 1 || w.strides[i] < 1 || w.dilations[i] < 1)
      return op->emitError() << "kernel, strides and dilations must be positive";
    if (pads[i] < 0 || pads[i + n] < 0)
      return op->emitError() << "pads must not be negative";
  }
  w.padBegin.assign(pads.begin(), pads.begin() + n);
  w.padEnd.assign(pads.begin() + n, pads.end());
  w.ceilExtra.assign(n, 0);
  w.outSizes.assign(n, ShapedType::kDynamic);
  return w;
}

static FailureOr<StringRef> autoPadOf(Operation *op) {
  StringRef autoPad = "NOTSET";
  if (auto attr = op->getAttrOfType<StringAttr>("auto_pad"))
    autoPad = attr.getValue();
  if (autoPad != "NOTSET" && autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER" &&
      autoPad != "VALID")
    return op->emitError() << "unknown auto_pad value '" << autoPad << "'";
  return autoPad;
}

FailureOr<Window> onnxc::onnx::resolveWindow(Operation *op, ArrayRef<int64_t> spatialIn,
                                             ArrayRef<int64_t> kernelFromWeights,
                                             bool ceilMode) {
  size_t n = spatialIn.size();
  auto attrs = readWindowAttrs(op, n, kernelFromWeights);
  auto autoPadOr = autoPadOf(op);
  if (failed(attrs) || failed(autoPadOr))
    return failure();
  Window w = std::move(*attrs);
  StringRef autoPad = *autoPadOr;

  for (size_t i = 0; i < n; ++i) {
    int64_t in = spatialIn[i];
    int64_t effK = (w.kernel[i] - 1) * w.dilations[i] + 1;
    if (ShapedType::isDynamic(in))
      continue;
    int64_t s = w.strides[i];
    if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
      int64_t out = ceilDiv(in, s);
      int64_t total = std::max<int64_t>(0, (out - 1) * s + effK - in);
      int64_t small = total / 2, large = total - small;
      w.padBegin[i] = autoPad == "SAME_UPPER" ? small : large;
      w.padEnd[i] = total - w.padBegin[i];
      w.outSizes[i] = out;
      continue;
    }
    if (autoPad == "VALID")
      w.padBegin[i] = w.padEnd[i] = 0;
    int64_t span = in + w.padBegin[i] + w.padEnd[i] - effK;
    if (span < 0)
      return op->emitError() << "window of extent " << effK << " does not fit spatial dim " << i
                             << " of size " << in << " plus padding";
    int64_t out = ceilMode ? ceilDiv(span, s) + 1 : span / s + 1;
    // ceil_mode: the last window must start inside the input or its left padding.
    if (ceilMode && (out - 1) * s >= in + w.padBegin[i])
      --out;
    w.outSizes[i] = out;
    w.ceilExtra[i] = std::max<int64_t>(0, (out - 1) * s + effK - (in + w.padBegin[i] + w.padEnd[i]));
  }
  return w;
}

FailureOr<Window> onnxc::onnx::resolveTransposedWindow(Operation *op, ArrayRef<int64_t> spatialIn,
                                                       ArrayRef<int64_t> kernelFromWeights) {
  size_t n = spatialIn.size();
  auto attrs = readWindowAttrs(op, n, kernelFromWeights);
  auto autoPadOr = autoPadOf(op);
  if (failed(attrs) || failed(autoPadOr))
    return failure();
  Window w = std::move(*attrs);
  StringRef autoPad = *autoPadOr;
  SmallVector<int64_t> outputPadding(n, 0), outputShape;
  if (auto a = op->getAttrOfType<DenseI64ArrayAttr>("output_padding"); a && !a.empty()) {
    if (a.size() != static_cast<int64_t>(n))
      return op->emitError() << "output_padding has " << a.size() << " entries, expected " << n;
    outputPadding.assign(a.asArrayRef().begin(), a.asArrayRef().end());
  }
  if (auto a = op->getAttrOfType<DenseI64ArrayAttr>("output_shape"); a && !a.empty()) {
    // Spatial dims only, or (as some exporters write it) the whole shape.
    ArrayRef<int64_t> shape = a.asArrayRef();
    if (shape.size() == n + 2)
      shape = shape.drop_front(2);
    if (shape.size() != n)
      return op->emitError() << "output_shape has " << a.size() << " entries, expected " << n;
    outputShape.assign(shape.begin(), shape.end());
  }
  for (size_t i = 0; i < n; ++i) {
    if (outputPadding[i] < 0)
      return op->emitError() << "output_padding must not be negative";
    if (!outputShape.empty() && outputShape[i] < 0)
      return op->emitError() << "output_shape must not be negative";
    int64_t in = spatialIn[i];
    if (ShapedType::isDynamic(in))
      continue;
    // The transposed output before any padding.
    int64_t full = (in - 1) * w.strides[i] + (w.kernel[i] - 1) * w.dilations[i] + 1;
    int64_t out;
    if (!outputShape.empty() || autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
      // The pads follow from the output size. A surplus is cropped, split as the spec says
      // (SAME_UPPER: the larger half at the end, otherwise at the beginning); a shortfall
      // extends the output with zeros at the end, as output_padding does.
      out = outputShape.empty() ? in * w.strides[i] : outputShape[i];
      int64_t total = full + outputPadding[i] - out;
      w.padBegin[i] = total < 0 ? 0 : autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
    } else {
      if (autoPad == "VALID")
        w.padBegin[i] = w.padEnd[i] = 0;
      out = full + outputPadding[i] - w.padBegin[i] - w.padEnd[i];
      if (out < 0)
        return op->emitError() << "pads crop more than the transposed output of spatial dim "
                               << i;
    }
    w.outSizes[i] = out;
    w.padEnd[i] = full - w.padBegin[i] - out;
  }
  return w;
}

//===----------------------------------------------------------------------===//
// MatMul / Gemm
//===----------------------------------------------------------------------===//

LogicalResult MatMulOp::inferShapes() {
  auto a = rankedOrNull(getA()), b = rankedOrNull(getB());
  if (!a || !b)
    return success();
  if (a.getRank() == 0 || b.getRank() == 0)
    return emitError() << "MatMul operands must have rank >= 1";
  if (a.getElementType() != b.getElementType())
    return emitError() << "operands have different element types";
  SmallVector<int64_t> as(a.getShape()), bs(b.getShape());
  bool squeezeA = as.size() == 1, squeezeB = bs.size() == 1;
  if (squeezeA)
    as.insert(as.begin(), 1);
  if (squeezeB)
    bs.push_back(1);
  int64_t k1 = as.back(), k2 = bs[bs.size() - 2];
  if (ShapedType::isStatic(k1) && ShapedType::isStatic(k2) && k1 != k2)
    return emitError() << "inner dimensions differ (" << k1 << " vs " << k2 << ")";
  auto batch = broadcastShapes(ArrayRef<int64_t>(as).drop_back(2), ArrayRef<int64_t>(bs).drop_back(2));
  if (failed(batch))
    return emitError() << "batch dimensions do not broadcast";
  SmallVector<int64_t> out = *batch;
  if (!squeezeA)
    out.push_back(as[as.size() - 2]);
  if (!squeezeB)
    out.push_back(bs.back());
  return refineResultType(*this, 0, RankedTensorType::get(out, a.getElementType()));
}

LogicalResult GemmOp::verify() {
  for (Value v : {getA(), getB()})
    if (auto t = rankedOrNull(v); t && t.getRank() != 2)
      return emitOpError() << "A and B must be 2-D";
  return success();
}

LogicalResult GemmOp::inferShapes() {
  auto a = rankedOrNull(getA()), b = rankedOrNull(getB());
  if (!a || !b)
    return success();
  int64_t m = getTransA() ? a.getDimSize(1) : a.getDimSize(0);
  int64_t ka = getTransA() ? a.getDimSize(0) : a.getDimSize(1);
  int64_t kb = getTransB() ? b.getDimSize(1) : b.getDimSize(0);
  int64_t n = getTransB() ? b.getDimSize(0) : b.getDimSize(1);
  if (ShapedType::isStatic(ka) && ShapedType::isStatic(kb) && ka != kb)
    return emitError() << "inner dimensions differ (" << ka << " vs " << kb << ")";
  if (getC()) {
    if (auto c = rankedOrNull(getC())) {
      if (c.getRank() > 2 || failed(broadcastShapes({m, n}, c.getShape())))
        return emitError() << "C of shape " << c << " does not broadcast to [" << m << ", " << n
                           << "]";
    }
  }
  return refineResultType(*this, 0, RankedTensorType::get({m, n}, a.getElementType()));
}

//===----------------------------------------------------------------------===//
// Conv and pooling
//===----------------------------------------------------------------------===//

static LogicalResult verifyWindowRank(Operation *op, Value x) {
  auto t = rankedOrNull(x);
  if (t && t.getRank() < 3)
    return op->emitOpError() << "input must have rank >= 3 (N, C, spatial...), got " << t.getRank();
  return success();
}

LogicalResult ConvOp::verify() {
  if (static_cast<int64_t>(getGroup()) < 1)
    return emitOpError() << "group must be positive";
  return verifyWindowRank(*this, getX());
}

LogicalResult ConvOp::inferShapes() {
  auto x = rankedOrNull(getX()), w = rankedOrNull(getW());
  if (!x || !w)
    return success();
  if (w.getRank() != x.getRank())
    return emitError() << "weights have rank " << w.getRank() << " but the input has rank "
                       << x.getRank();
  int64_t c = x.getDimSize(1), cPerGroup = w.getDimSize(1), m = w.getDimSize(0);
  int64_t g = getGroup();
  if (ShapedType::isStatic(c) && ShapedType::isStatic(cPerGroup) && c != cPerGroup * g)
    return emitError() << "input has " << c << " channels but weights expect " << cPerGroup
                       << " x group " << g;
  if (ShapedType::isStatic(m) && m % g != 0)
    return emitError() << "output channels " << m << " not divisible by group " << g;
  if (getB())
    if (auto b = rankedOrNull(getB()); b && (b.getRank() != 1 || (ShapedType::isStatic(m) && ShapedType::isStatic(b.getDimSize(0)) && b.getDimSize(0) != m)))
      return emitError() << "bias must be 1-D with " << m << " elements";
  auto window = resolveWindow(*this, x.getShape().drop_front(2), w.getShape().drop_front(2),
                              /*ceilMode=*/false);
  if (failed(window))
    return failure();
  SmallVector<int64_t> out{x.getDimSize(0), m};
  out.append(window->outSizes);
  return refineResultType(*this, 0, RankedTensorType::get(out, x.getElementType()));
}

LogicalResult ConvTransposeOp::verify() {
  if (static_cast<int64_t>(getGroup()) < 1)
    return emitOpError() << "group must be positive";
  return verifyWindowRank(*this, getX());
}

LogicalResult ConvTransposeOp::inferShapes() {
  auto x = rankedOrNull(getX()), w = rankedOrNull(getW());
  if (!x || !w)
    return success();
  if (w.getRank() != x.getRank())
    return emitError() << "weights have rank " << w.getRank() << " but the input has rank "
                       << x.getRank();
  // W is [C, M/group, k...].
  int64_t c = x.getDimSize(1), g = getGroup(), wc = w.getDimSize(0), mPerGroup = w.getDimSize(1);
  if (ShapedType::isStatic(c) && ShapedType::isStatic(wc) && c != wc)
    return emitError() << "input has " << c << " channels but the weights have " << wc;
  if (ShapedType::isStatic(c) && c % g != 0)
    return emitError() << "input channels " << c << " not divisible by group " << g;
  int64_t m = ShapedType::isStatic(mPerGroup) ? mPerGroup * g : ShapedType::kDynamic;
  if (getB())
    if (auto b = rankedOrNull(getB()); b && (b.getRank() != 1 || (ShapedType::isStatic(m) && ShapedType::isStatic(b.getDimSize(0)) && b.getDimSize(0) != m)))
      return emitError() << "bias must be 1-D with " << m << " elements";
  ArrayRef<int64_t> kernel = w.getShape().drop_front(2);
  if (auto k = getKernelShape(); k && !llvm::equal(*k, kernel) &&
                                 llvm::none_of(kernel, ShapedType::isDynamic))
    return emitError() << "kernel_shape does not match the weights' spatial dims";
  auto window = resolveTransposedWindow(*this, x.getShape().drop_front(2), kernel);
  if (failed(window))
    return failure();
  SmallVector<int64_t> out{x.getDimSize(0), m};
  out.append(window->outSizes);
  return refineResultType(*this, 0, RankedTensorType::get(out, x.getElementType()));
}

static LogicalResult inferPoolShape(Operation *op, Value input, bool ceilMode) {
  auto x = rankedOrNull(input);
  if (!x)
    return success();
  if (!op->getAttrOfType<DenseI64ArrayAttr>("kernel_shape"))
    return op->emitError() << "kernel_shape is required";
  auto window = resolveWindow(op, x.getShape().drop_front(2), {}, ceilMode);
  if (failed(window))
    return failure();
  SmallVector<int64_t> out{x.getDimSize(0), x.getDimSize(1)};
  out.append(window->outSizes);
  return refineResultType(op, 0, RankedTensorType::get(out, x.getElementType()));
}

LogicalResult MaxPoolOp::verify() {
  if (getStorageOrder() > 1)
    return emitOpError() << "storage_order must be 0 or 1";
  return verifyWindowRank(*this, getX());
}
LogicalResult MaxPoolOp::inferShapes() {
  if (failed(inferPoolShape(*this, getX(), getCeilMode())))
    return failure();
  auto y = rankedOrNull(getY());
  if (!getIndices() || !y)
    return success();
  return refineResultType(*this, 1,
                          RankedTensorType::get(y.getShape(), IntegerType::get(getContext(), 64)));
}

LogicalResult AveragePoolOp::verify() { return verifyWindowRank(*this, getX()); }
LogicalResult AveragePoolOp::inferShapes() {
  return inferPoolShape(*this, getX(), getCeilMode());
}

static LogicalResult inferGlobalPool(Operation *op) {
  auto x = rankedOrNull(op->getOperand(0));
  if (!x)
    return success();
  if (x.getRank() < 3)
    return op->emitError() << "input must have rank >= 3";
  SmallVector<int64_t> out(x.getShape().take_front(2));
  out.append(x.getRank() - 2, 1);
  return refineResultType(op, 0, RankedTensorType::get(out, x.getElementType()));
}
LogicalResult GlobalAveragePoolOp::inferShapes() { return inferGlobalPool(*this); }
LogicalResult GlobalMaxPoolOp::inferShapes() { return inferGlobalPool(*this); }

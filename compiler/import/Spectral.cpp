// Spectral ops of the signal family: DFT, STFT and MelWeightMatrix, rewritten at import.
//
// A DFT of static length is a matrix product: the transformed axis and the real/imaginary
// axis are moved last, flattened to one contraction dim of N*C (C = 1 real, 2 complex), and
// multiplied by a constant basis [N*C, 2K] whose columns are the real and imaginary parts of
// each output bin. The basis is computed in double with the angle reduced to (k*n mod L)/L and
// exact values at multiples of pi/2, so that bins that are exactly zero (the imaginary part of
// a real signal's DC bin) stay zero. The product then runs on the vector matmul kernels.
// STFT gathers its frames (frame starts may come from a run-time frame_step) and applies the
// same basis; MelWeightMatrix is the ONNX reference's triangular filter bank, computed with
// elementwise ops in double precision so that run-time parameters are honoured.
#include "compiler/import/ConverterUtils.h"
#include "compiler/import/TensorReader.h"

#include "mlir/IR/Matchers.h"

#include <onnx/onnx-ml.pb.h>

#include <cmath>

using namespace mlir;

namespace onnxc {

/// The basis [N*C, 2K] of an L-point DFT applied to N input samples (rows n >= L are zero:
/// the signal is truncated; samples past N are zero padding and need no rows).
static std::vector<double> dftBasis(int64_t n, int64_t ch, int64_t len, int64_t bins,
                                    bool inverse) {
  std::vector<double> w(n * ch * bins * 2, 0.0);
  for (int64_t i = 0; i < std::min(n, len); ++i)
    for (int64_t k = 0; k < bins; ++k) {
      int64_t m = (k * i) % len;
      double cs, sn;
      if ((4 * m) % len == 0) {
        static const double exactCos[] = {1, 0, -1, 0}, exactSin[] = {0, 1, 0, -1};
        cs = exactCos[4 * m / len];
        sn = exactSin[4 * m / len];
      } else {
        double theta = 2.0 * M_PI * static_cast<double>(m) / static_cast<double>(len);
        cs = std::cos(theta);
        sn = std::sin(theta);
      }
      double scale = inverse ? 1.0 / static_cast<double>(len) : 1.0;
      // Forward multiplies by e^{-i theta}, inverse by e^{+i theta} / L.
      double s = inverse ? sn : -sn;
      auto at = [&](int64_t c, int64_t o) -> double & {
        return w[((i * ch + c) * bins + k) * 2 + o];
      };
      at(0, 0) = cs * scale; // re += xr * cos
      at(0, 1) = s * scale;  // im += xr * (-+sin)
      if (ch == 2) {
        at(1, 0) = -s * scale; // re += xi * (+-sin)
        at(1, 1) = cs * scale; // im += xi * cos
      }
    }
  return w;
}

/// A float constant of `shape` from doubles, in f64 or f32.
static Value floatConstant(NodeContext &c, Type et, ArrayRef<int64_t> shape,
                           ArrayRef<double> values) {
  auto type = RankedTensorType::get(shape, et);
  DenseElementsAttr attr;
  if (et.isF64()) {
    attr = DenseElementsAttr::get(type, values);
  } else {
    SmallVector<float> f(values.begin(), values.end());
    attr = DenseElementsAttr::get(type, ArrayRef<float>(f));
  }
  return onnx::ConstantOp::create(c.b, c.loc, type, cast<ElementsAttr>(attr));
}

static Value i64Constant(NodeContext &c, ArrayRef<int64_t> shape, ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get(shape, c.b.getI64Type());
  return onnx::ConstantOp::create(c.b, c.loc, type,
                                  cast<ElementsAttr>(DenseIntElementsAttr::get(type, values)));
}

/// A constant integer scalar input, if it is one.
static std::optional<int64_t> constantInt(Value v) {
  DenseIntElementsAttr attr;
  if (!v || !matchPattern(v, m_Constant(&attr)) || attr.getNumElements() != 1)
    return std::nullopt;
  return (*attr.getValues<APInt>().begin()).getSExtValue();
}

/// The compute type: f64 stays, every other float type runs in f32.
static Type computeType(NodeContext &c, Type et) {
  return et.isF64() ? et : Type(c.b.getF32Type());
}

/// DFT (opset 17): input [batch, ..., N, ..., C] with C = 1 (real) or 2 (complex), transformed
/// along `axis`; output [..., K, ..., 2], K = dft_length (or dft_length / 2 + 1 onesided).
static Result convertDFT(NodeContext &c) {
  auto axisAttr = c.intAttr("axis", 1);
  auto inverse = c.intAttr("inverse", 0);
  auto onesided = c.intAttr("onesided", 0);
  auto xt = staticInput(c, 0);
  if (failed(axisAttr) || failed(inverse) || failed(onesided) || failed(xt) ||
      failed(onlyOutputs(c, 1)))
    return failure();
  int64_t rank = xt->getRank();
  int64_t ch = xt->getDimSize(rank - 1);
  if (rank < 3 || (ch != 1 && ch != 2))
    return c.emitError() << "input must be [batch, ..., 1 or 2] of rank 3 or more, got " << *xt;
  if (*inverse && *onesided)
    return c.emitError() << "onesided is not defined for the inverse transform";
  // Opset 20 moved the axis to a constant input (default -2). Negative axes count from the
  // back of the whole shape, so -2 is the last signal axis.
  int64_t axisValue = *axisAttr;
  if (c.opset >= 20) {
    if (c.attr("axis"))
      return c.emitError() << "attribute 'axis' is an input from opset 20";
    axisValue = -2;
    if (c.input(2)) {
      auto a = constantInt(c.input(2));
      if (!a)
        return c.emitError() << "'axis' must be a constant (an initializer or a Constant node)";
      axisValue = *a;
    }
  }
  auto axis = normAxis(c, axisValue, rank);
  if (failed(axis))
    return failure();
  if (*axis == 0 || *axis == rank - 1)
    return c.emitError() << "axis " << axisValue << " is the batch axis or the real/imaginary "
                         << "axis, not a signal axis";
  int64_t n = xt->getDimSize(*axis);
  int64_t len = n;
  if (c.input(1)) {
    auto l = constantInt(c.input(1));
    if (!l)
      return c.emitError() << "'dft_length' must be a constant (an initializer or a Constant "
                              "node): a run-time length gives a data-dependent output size";
    if (*l <= 0)
      return c.emitError() << "'dft_length' must be positive, got " << *l;
    len = *l;
  }
  int64_t bins = *onesided ? len / 2 + 1 : len;
  if (!withinGeneratedLimit({n, ch, bins, 2}))
    return c.emitError() << "a " << len << "-point DFT of " << n
                         << " samples needs too large a basis";
  Type et = xt->getElementType(), ct = computeType(c, et);
  Decomposer d(c);
  // Move the transformed axis next to the real/imaginary axis.
  SmallVector<int64_t> perm, restShape;
  for (int64_t i = 0; i < rank - 1; ++i)
    if (i != *axis) {
      perm.push_back(i);
      restShape.push_back(xt->getDimSize(i));
    }
  perm.append({*axis, rank - 1});
  bool moved = *axis != rank - 2;
  Value x = d.castTo(c.input(0), ct);
  if (moved)
    x = d.op("Transpose", x, {c.b.getNamedAttr("perm", c.b.getDenseI64ArrayAttr(perm))});
  int64_t rows = 1;
  for (int64_t s : restShape)
    rows *= s;
  x = d.reshape(x, {rows, n * ch});
  Value basis = floatConstant(c, ct, {n * ch, 2 * bins}, dftBasis(n, ch, len, bins, *inverse));
  Value y = d.op("MatMul", {x, basis});
  SmallVector<int64_t> outShape(restShape);
  outShape.append({bins, 2});
  y = d.reshape(y, outShape);
  if (moved) {
    SmallVector<int64_t> inv(rank);
    for (int64_t i = 0; i < rank; ++i)
      inv[perm[i]] = i;
    y = d.op("Transpose", y, {c.b.getNamedAttr("perm", c.b.getDenseI64ArrayAttr(inv))});
  }
  return d.done({d.castTo(y, et)});
}

/// STFT (opset 17): signal [batch, S, C], frame_step, optional window [L] and frame_length;
/// output [batch, frames, K, 2]. frame_step may be a run-time value (the frame count then
/// comes from the declared output shape); a run-time frame_length without a window is taken
/// from the declared bin count, choosing at run time between the two lengths that give it.
static Result convertSTFT(NodeContext &c) {
  auto onesided = c.intAttr("onesided", 1);
  auto st = staticInput(c, 0);
  if (failed(onesided) || failed(st) || failed(onlyOutputs(c, 1)))
    return failure();
  if (st->getRank() != 3 || (st->getDimSize(2) != 1 && st->getDimSize(2) != 2))
    return c.emitError() << "'signal' must be [batch, length, 1 or 2], got " << *st;
  if (!c.input(1))
    return c.emitError() << "'frame_step' is missing";
  int64_t batch = st->getDimSize(0), sigLen = st->getDimSize(1), ch = st->getDimSize(2);
  auto declared =
      dyn_cast_or_null<RankedTensorType>(c.resultTypes.empty() ? Type() : c.resultTypes[0]);
  auto declaredDim = [&](int64_t i) -> int64_t {
    if (!declared || declared.getRank() != 4 || declared.isDynamicDim(i))
      return ShapedType::kDynamic;
    return declared.getDimSize(i);
  };
  Value window = c.input(2);
  std::optional<int64_t> frameLength = constantInt(c.input(3));
  SmallVector<int64_t> lengths; // Candidate frame lengths (one unless chosen at run time).
  if (window) {
    auto wt = dyn_cast<RankedTensorType>(window.getType());
    if (!wt || wt.getRank() != 1 || wt.isDynamicDim(0))
      return c.emitError() << "'window' must be 1-D of static length, got " << window.getType();
    lengths.push_back(wt.getDimSize(0));
    if (frameLength && *frameLength != lengths[0])
      return c.emitError() << "'frame_length' " << *frameLength << " differs from the window's "
                           << "length " << lengths[0];
  } else if (frameLength) {
    lengths.push_back(*frameLength);
  } else if (!c.input(3)) {
    return c.emitError() << "needs a 'window' or a 'frame_length'";
  } else {
    int64_t bins = declaredDim(2);
    if (ShapedType::isDynamic(bins))
      return c.emitError() << "'frame_length' is computed at run time and the output's bin "
                              "count is not declared: the output size depends on data";
    lengths.push_back(*onesided ? 2 * (bins - 1) : bins);
    if (*onesided)
      lengths.push_back(2 * bins - 1);
  }
  int64_t gatherLen = lengths.back();
  for (int64_t l : lengths)
    if (l <= 0 || l > sigLen)
      return c.emitError() << "frame length " << l << " must be in [1, " << sigLen << "]";
  int64_t bins = *onesided ? lengths[0] / 2 + 1 : lengths[0];
  std::optional<int64_t> step = constantInt(c.input(1));
  int64_t frames;
  if (step) {
    if (*step <= 0)
      return c.emitError() << "'frame_step' must be positive, got " << *step;
    frames = (sigLen - lengths[0]) / *step + 1;
  } else {
    frames = declaredDim(1);
    if (ShapedType::isDynamic(frames))
      return c.emitError() << "'frame_step' is computed at run time and the output's frame "
                              "count is not declared: the output size depends on data";
  }
  if (frames <= 0 || !withinGeneratedLimit({frames, gatherLen}) ||
      !withinGeneratedLimit({gatherLen, ch, bins, 2, static_cast<int64_t>(lengths.size())}))
    return c.emitError() << frames << " frames of " << gatherLen
                         << " samples: too many or too few for the frame tables and the basis";
  Type et = st->getElementType(), ct = computeType(c, et);
  Decomposer d(c);
  // Sample indices [frames, gatherLen], clamped to the signal (a run-time step that
  // disagrees with the declared frame count must not read outside it).
  Value indices;
  if (step) {
    SmallVector<int64_t> idx;
    for (int64_t f = 0; f < frames; ++f)
      for (int64_t i = 0; i < gatherLen; ++i)
        idx.push_back(std::min(f * *step + i, sigLen - 1));
    indices = i64Constant(c, {frames, gatherLen}, idx);
  } else {
    SmallVector<int64_t> fs, is;
    for (int64_t f = 0; f < frames; ++f)
      fs.push_back(f);
    for (int64_t i = 0; i < gatherLen; ++i)
      is.push_back(i);
    Value stepV = d.reshape(d.castTo(c.input(1), c.b.getI64Type()), {});
    Value starts = d.op("Mul", {i64Constant(c, {frames, 1}, fs), stepV});
    indices = d.op("Add", {starts, i64Constant(c, {1, gatherLen}, is)});
    indices = d.op("Max", {d.op("Min", {indices, c.constScalar(c.b.getI64Type(), sigLen - 1)}),
                           c.constScalar(c.b.getI64Type(), 0)});
  }
  Value x = d.castTo(c.input(0), ct);
  Value framesV =
      d.op("Gather", {x, indices}, {c.b.getNamedAttr("axis", c.b.getI64IntegerAttr(1))});
  if (window)
    framesV = d.op("Mul", {framesV, d.reshape(d.castTo(window, ct), {gatherLen, 1})});
  framesV = d.reshape(framesV, {batch * frames, gatherLen * ch});
  Value basis = floatConstant(c, ct, {gatherLen * ch, 2 * bins},
                              dftBasis(gatherLen, ch, lengths[0], bins, false));
  if (lengths.size() == 2) {
    Value other = floatConstant(c, ct, {gatherLen * ch, 2 * bins},
                                dftBasis(gatherLen, ch, lengths[1], bins, false));
    Value l = d.reshape(d.castTo(c.input(3), c.b.getI64Type()), {});
    basis = d.op("Where",
                 {d.op("Equal", {l, c.constScalar(c.b.getI64Type(), lengths[0])}), basis, other});
  }
  Value y = d.op("MatMul", {framesV, basis});
  y = d.reshape(y, {batch, frames, bins, 2});
  return d.done({d.castTo(y, et)});
}

/// MelWeightMatrix (opset 17): the ONNX reference's filter bank [dft_length / 2 + 1,
/// num_mel_bins]. Each filter i rises linearly from bin b[i] to b[i+1] and falls to b[i+2],
/// where b[k] = floor((dft_length + 1) * hz(mel_lo + k * (mel_hi - mel_lo) / (num_mel_bins
/// + 2)) / sample_rate); the falling edge wins where both apply, as in the reference.
static Result convertMelWeightMatrix(NodeContext &c) {
  auto dtype = c.intAttr("output_datatype", ::onnx::TensorProto::FLOAT);
  if (failed(dtype) || failed(onlyOutputs(c, 1)))
    return failure();
  Type outEt = elementTypeFor(*c.b.getContext(), *dtype);
  if (!outEt)
    return c.emitError() << "output_datatype " << *dtype << " is not supported";
  for (int i = 0; i < 5; ++i)
    if (!c.input(i))
      return c.emitError() << "input " << i << " is missing";
  std::optional<int64_t> mels = constantInt(c.input(0)), dft = constantInt(c.input(1));
  auto declared =
      dyn_cast_or_null<RankedTensorType>(c.resultTypes.empty() ? Type() : c.resultTypes[0]);
  int64_t rows = dft ? *dft / 2 + 1 : ShapedType::kDynamic;
  int64_t cols = mels ? *mels : ShapedType::kDynamic;
  if (declared && declared.getRank() == 2) {
    if (ShapedType::isDynamic(rows))
      rows = declared.getDimSize(0);
    if (ShapedType::isDynamic(cols))
      cols = declared.getDimSize(1);
  }
  if (ShapedType::isDynamic(rows) || ShapedType::isDynamic(cols))
    return c.emitError() << "'num_mel_bins' and 'dft_length' are computed at run time and "
                            "the output shape is not declared: the output size depends on data";
  if (rows <= 0 || cols <= 0 || !withinGeneratedLimit({rows + 2, cols + 2}))
    return c.emitError() << "the output [" << rows << ", " << cols
                         << "] is empty or too large";
  Type f64 = c.b.getF64Type();
  Decomposer d(c);
  auto scalarIn = [&](int i) { return d.reshape(d.castTo(c.input(i), f64), {}); };
  auto k = [&](double v) { return c.constScalar(f64, v); };
  Value dftV = scalarIn(1), rate = scalarIn(2), lo = scalarIn(3), hi = scalarIn(4);
  auto toMel = [&](Value hz) {
    // 2595 * log10(1 + hz / 700)
    return d.op("Mul", {k(2595.0 / std::log(10.0)),
                        d.op("Log", d.op("Add", {k(1.0), d.op("Div", {hz, k(700.0)})}))});
  };
  Value melLo = toMel(lo), melHi = toMel(hi);
  Value melStep = d.op("Div", {d.op("Sub", {melHi, melLo}), k(static_cast<double>(cols + 2))});
  SmallVector<double> ks;
  for (int64_t i = 0; i < cols + 2; ++i)
    ks.push_back(static_cast<double>(i));
  Value mel = d.op("Add", {d.op("Mul", {floatConstant(c, f64, {cols + 2}, ks), melStep}), melLo});
  // 700 * (10^(mel / 2595) - 1)
  Value hz =
      d.op("Mul", {k(700.0),
                   d.op("Sub", {d.op("Pow", {k(10.0), d.op("Div", {mel, k(2595.0)})}), k(1.0)})});
  Value bin = d.op("Floor", d.op("Div", {d.op("Mul", {d.op("Add", {dftV, k(1.0)}), hz}), rate}));
  auto edge = [&](int64_t first) {
    SmallVector<int64_t> idx;
    for (int64_t i = 0; i < cols; ++i)
      idx.push_back(first + i);
    return d.reshape(d.op("Gather", {bin, i64Constant(c, {cols}, idx)}), {1, cols});
  };
  Value left = edge(0), center = edge(1), right = edge(2);
  SmallVector<double> js;
  for (int64_t j = 0; j < rows; ++j)
    js.push_back(static_cast<double>(j));
  Value j = floatConstant(c, f64, {rows, 1}, js);
  Value zero = k(0.0), one = k(1.0);
  Value rising =
      d.op("Where", {d.op("Equal", {center, left}), one,
                     d.op("Div", {d.op("Sub", {j, left}), d.op("Sub", {center, left})})});
  Value inRise = d.op("And", {d.op("GreaterOrEqual", {j, left}), d.op("LessOrEqual", {j, center})});
  Value falling = d.op("Div", {d.op("Sub", {right, j}), d.op("Sub", {right, center})});
  Value inFall = d.op("And", {d.op("GreaterOrEqual", {j, center}), d.op("Less", {j, right})});
  Value y = d.op("Where", {inFall, falling, d.op("Where", {inRise, rising, zero})});
  return d.done({d.castTo(y, outEt)});
}

void addSpectralConverters(llvm::StringMap<Converter> &t) {
  t["DFT"] = convertDFT;
  t["STFT"] = convertSTFT;
  t["MelWeightMatrix"] = convertMelWeightMatrix;
}

} // namespace onnxc

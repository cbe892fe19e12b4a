#include "dialects/onnx/OnnxDialect.h"
#include "dialects/onnx/ShapeOperands.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/OpImplementation.h"

#include <cmath>

using namespace mlir;
using namespace onnxc::onnx;

#define GET_OP_CLASSES
#include "dialects/onnx/OnnxSamplingOps.cpp.inc"

static RankedTensorType rankedOrNull(Value v) {
  return v ? dyn_cast<RankedTensorType>(v.getType()) : RankedTensorType();
}

static Type elementTypeOf(Value v) { return cast<ShapedType>(v.getType()).getElementType(); }

std::optional<SmallVector<double>> onnxc::onnx::constantFloats(Value v) {
  DenseFPElementsAttr attr;
  if (!v || !matchPattern(v, m_Constant(&attr)))
    return std::nullopt;
  SmallVector<double> out;
  for (const APFloat &f : attr.getValues<APFloat>()) {
    APFloat d = f;
    bool lost;
    d.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
    out.push_back(d.convertToDouble());
  }
  return out;
}

//===----------------------------------------------------------------------===//
// Resize
//===----------------------------------------------------------------------===//

static bool oneOf(StringRef v, ArrayRef<StringRef> allowed) { return llvm::is_contained(allowed, v); }

LogicalResult ResizeOp::verify() {
  if (!oneOf(getMode(), {"nearest", "linear", "cubic"}))
    return emitOpError() << "unknown mode '" << getMode() << "'";
  if (!oneOf(getCoordinateTransformationMode(),
             {"half_pixel", "half_pixel_symmetric", "pytorch_half_pixel", "align_corners",
              "asymmetric", "tf_half_pixel_for_nn", "tf_crop_and_resize"}))
    return emitOpError() << "unknown coordinate_transformation_mode '"
                         << getCoordinateTransformationMode() << "'";
  if (!oneOf(getNearestMode(), {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"}))
    return emitOpError() << "unknown nearest_mode '" << getNearestMode() << "'";
  if (!oneOf(getKeepAspectRatioPolicy(), {"stretch", "not_larger", "not_smaller"}))
    return emitOpError() << "unknown keep_aspect_ratio_policy '" << getKeepAspectRatioPolicy()
                         << "'";
  if (getAntialias() != 0)
    return emitOpError() << "antialias=1 is not supported";
  if (!getScales() == !getSizes())
    return emitOpError() << "needs exactly one of 'scales' and 'sizes'";
  if (getCoordinateTransformationMode() == "tf_crop_and_resize" && !getRoi())
    return emitOpError() << "coordinate_transformation_mode 'tf_crop_and_resize' needs 'roi'";
  if (getMode() != "nearest" && !isa<FloatType>(elementTypeOf(getX())))
    return emitOpError() << "mode '" << getMode() << "' needs a floating-point input, got "
                         << elementTypeOf(getX());
  if (getScales() && !isa<FloatType>(elementTypeOf(getScales())))
    return emitOpError() << "'scales' must be a float tensor";
  if (getRoi() && !isa<FloatType>(elementTypeOf(getRoi())))
    return emitOpError() << "'roi' must be a float tensor";
  if (getSizes() && !elementTypeOf(getSizes()).isInteger(64))
    return emitOpError() << "'sizes' must be an int64 tensor";
  return success();
}

FailureOr<SmallVector<int64_t>> ResizeOp::resizedAxes(int64_t rank) {
  if (!getAxes()) {
    SmallVector<int64_t> all;
    for (int64_t i = 0; i < rank; ++i)
      all.push_back(i);
    return all;
  }
  return normalizeAxes(*this, *getAxes(), rank);
}

FailureOr<std::pair<SmallVector<double>, SmallVector<int64_t>>>
ResizeOp::scalesFromSizes(ArrayRef<int64_t> inSizes, ArrayRef<int64_t> sizes) {
  if (sizes.size() != inSizes.size())
    return emitError() << "'sizes' has " << sizes.size() << " entries for " << inSizes.size()
                       << " resized dims";
  SmallVector<double> scales;
  SmallVector<int64_t> out;
  for (auto [in, size] : llvm::zip(inSizes, sizes)) {
    if (size < 0)
      return emitError() << "'sizes' must not be negative";
    // As ONNX's reference: the float64 ratio (an empty input keeps scale 1).
    scales.push_back(in == 0 ? 1.0 : double(size) / double(in));
  }
  StringRef policy = getKeepAspectRatioPolicy();
  if (policy == "stretch")
    return std::make_pair(scales, SmallVector<int64_t>(sizes));
  // not_larger / not_smaller: one scale for every resized dim, the output rounded half up.
  double s = policy == "not_larger" ? *llvm::min_element(scales) : *llvm::max_element(scales);
  for (int64_t in : inSizes)
    out.push_back(static_cast<int64_t>(std::floor(s * double(in) + 0.5)));
  return std::make_pair(SmallVector<double>(inSizes.size(), s), out);
}

LogicalResult ResizeOp::inferShapes() {
  auto x = rankedOrNull(getX());
  if (!x)
    return success();
  int64_t rank = x.getRank();
  auto axes = resizedAxes(rank);
  if (failed(axes))
    return failure();
  Value control = getScales() ? getScales() : getSizes();
  StringRef name = getScales() ? "scales" : "sizes";
  int64_t n = axes->size();
  if (auto t = rankedOrNull(control);
      t && (t.getRank() != 1 || (t.hasStaticShape() && t.getDimSize(0) != n)))
    return emitError() << "'" << name << "' must be 1-D with " << n << " entries, got " << t;
  if (auto t = rankedOrNull(getRoi());
      t && (t.getRank() != 1 || (t.hasStaticShape() && t.getDimSize(0) != 2 * n)))
    return emitError() << "'roi' must be 1-D with " << 2 * n << " entries, got " << t;

  SmallVector<int64_t> out(x.getShape());
  SmallVector<int64_t> in;
  for (int64_t a : *axes) {
    in.push_back(x.getDimSize(a));
    out[a] = ShapedType::kDynamic;
  }
  bool inStatic = llvm::none_of(in, ShapedType::isDynamic);
  if (getScales()) {
    if (auto scales = constantFloats(getScales())) {
      for (auto [k, a] : llvm::enumerate(*axes)) {
        double s = (*scales)[k];
        if (!(s > 0))
          return emitError() << "scales must be positive, got " << s;
        // floor(scale * size) with the scale widened to double, as ONNX's reference.
        if (ShapedType::isStatic(in[k]))
          out[a] = static_cast<int64_t>(std::floor(s * double(in[k])));
      }
    }
  } else if (auto sizes = constantInts(getSizes())) {
    if (inStatic || getKeepAspectRatioPolicy() == "stretch") {
      auto resolved = scalesFromSizes(in, *sizes);
      if (failed(resolved))
        return failure();
      for (auto [k, a] : llvm::enumerate(*axes))
        out[a] = resolved->second[k];
    }
  }
  return refineResultType(*this, 0, RankedTensorType::get(out, x.getElementType()));
}

//===----------------------------------------------------------------------===//
// GridSample
//===----------------------------------------------------------------------===//

LogicalResult GridSampleOp::verify() {
  if (!oneOf(getMode(), {"bilinear", "nearest", "bicubic"}))
    return emitOpError() << "unknown mode '" << getMode() << "'";
  if (!oneOf(getPaddingMode(), {"zeros", "border", "reflection"}))
    return emitOpError() << "unknown padding_mode '" << getPaddingMode() << "'";
  if (!isa<FloatType>(elementTypeOf(getGrid())))
    return emitOpError() << "grid must be a float tensor";
  return success();
}

LogicalResult GridSampleOp::inferShapes() {
  auto x = rankedOrNull(getX()), grid = rankedOrNull(getGrid());
  if (!x || !grid)
    return success();
  int64_t spatial = x.getRank() - 2;
  if (spatial < 1 || grid.getRank() != x.getRank())
    return emitError() << "grid must have rank " << x.getRank() << " (N, spatial..., "
                       << spatial << ") for an input of rank " << x.getRank();
  int64_t last = grid.getDimSize(grid.getRank() - 1);
  if (ShapedType::isStatic(last) && last != spatial)
    return emitError() << "the last dim of grid must be " << spatial << ", got " << last;
  SmallVector<int64_t> out{x.getDimSize(0), x.getDimSize(1)};
  out.append(grid.getShape().begin() + 1, grid.getShape().end() - 1);
  return refineResultType(*this, 0, RankedTensorType::get(out, x.getElementType()));
}

//===----------------------------------------------------------------------===//
// RoiAlign
//===----------------------------------------------------------------------===//

LogicalResult RoiAlignOp::verify() {
  if (!oneOf(getMode(), {"avg", "max"}))
    return emitOpError() << "unknown mode '" << getMode() << "'";
  if (!oneOf(getCoordinateTransformationMode(), {"half_pixel", "output_half_pixel"}))
    return emitOpError() << "unknown coordinate_transformation_mode '"
                         << getCoordinateTransformationMode() << "'";
  if (static_cast<int64_t>(getOutputHeight()) < 1 || static_cast<int64_t>(getOutputWidth()) < 1)
    return emitOpError() << "output_height and output_width must be positive";
  if (static_cast<int64_t>(getSamplingRatio()) < 0)
    return emitOpError() << "sampling_ratio must not be negative";
  if (!isa<FloatType>(elementTypeOf(getX())) || !isa<FloatType>(elementTypeOf(getRois())))
    return emitOpError() << "X and rois must be float tensors";
  return success();
}

LogicalResult RoiAlignOp::inferShapes() {
  auto x = rankedOrNull(getX()), rois = rankedOrNull(getRois());
  if (!x || !rois)
    return success();
  if (x.getRank() != 4)
    return emitError() << "X must be 4-D (N, C, H, W), got rank " << x.getRank();
  if (rois.getRank() != 2 || (ShapedType::isStatic(rois.getDimSize(1)) && rois.getDimSize(1) != 4))
    return emitError() << "rois must be [num_rois, 4], got " << rois;
  if (auto bi = rankedOrNull(getBatchIndices()); bi && bi.getRank() != 1)
    return emitError() << "batch_indices must be 1-D";
  SmallVector<int64_t> out{rois.getDimSize(0), x.getDimSize(1),
                           static_cast<int64_t>(getOutputHeight()),
                           static_cast<int64_t>(getOutputWidth())};
  return refineResultType(*this, 0, RankedTensorType::get(out, x.getElementType()));
}

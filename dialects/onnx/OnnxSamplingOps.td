// Resampling: ops that read their input at computed, usually fractional, coordinates and
// interpolate (Resize, which Upsample is imported as).
#ifndef ONNXC_ONNX_SAMPLING_TD
#define ONNXC_ONNX_SAMPLING_TD
include "dialects/onnx/OnnxBase.td"

// Resize in its newest form (opset 19). The importer rewrites Upsample and Resize-10
// (asymmetric coordinates, nearest rounding down) into it and drops the empty roi and scales
// that opset 11 requires as placeholders, so exactly one of `scales` and `sizes` is present
// and `roi` only with tf_crop_and_resize. Both may be run-time values: the lowering reads
// them at run time, while the result shape must be known at compile time (from constant
// scales or sizes, or from the declared output type).
def Onnx_ResizeOp : Onnx_Op<"Resize", [AttrSizedOperandSegments]> {
  let arguments = (ins Onnx_Tensor:$X, Onnx_OptTensor:$roi, Onnx_OptTensor:$scales,
                   Onnx_OptTensor:$sizes,
                   DefaultValuedAttr<StrAttr, "\"nearest\"">:$mode,
                   DefaultValuedAttr<StrAttr, "\"half_pixel\"">:$coordinate_transformation_mode,
                   DefaultValuedAttr<StrAttr, "\"round_prefer_floor\"">:$nearest_mode,
                   DefaultValuedAttr<F32Attr, "-0.75">:$cubic_coeff_a,
                   DefaultValuedAttr<I64Attr, "0">:$exclude_outside,
                   DefaultValuedAttr<F32Attr, "0.0">:$extrapolation_value,
                   DefaultValuedAttr<StrAttr, "\"stretch\"">:$keep_aspect_ratio_policy,
                   OptionalAttr<DenseI64ArrayAttr>:$axes,
                   DefaultValuedAttr<I64Attr, "0">:$antialias);
  let results = (outs Onnx_Tensor:$Y);
  let assemblyFormat = [{
    $X (`roi` $roi^)? (`scales` $scales^)? (`sizes` $sizes^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The resized dims: `axes` made non-negative, or every dim of a rank-`rank` input.
    ::llvm::FailureOr<::llvm::SmallVector<int64_t>> resizedAxes(int64_t rank);
    /// For constant `sizes` (one per resized axis, whose input sizes are `inSizes`): the
    /// scale of each resized axis under keep_aspect_ratio_policy and the output size it gives.
    ::llvm::FailureOr<std::pair<::llvm::SmallVector<double>, ::llvm::SmallVector<int64_t>>>
    scalesFromSizes(::llvm::ArrayRef<int64_t> inSizes, ::llvm::ArrayRef<int64_t> sizes);
  }];
}

// GridSample (opset 16 names; the importer maps opset 20's linear/cubic to them): samples X
// [N, C, H, W] at the normalized (x, y) positions of Grid [N, H_out, W_out, 2].
def Onnx_GridSampleOp : Onnx_Op<"GridSample"> {
  let arguments = (ins Onnx_Tensor:$X, Onnx_Tensor:$grid,
                   DefaultValuedAttr<I64Attr, "0">:$align_corners,
                   DefaultValuedAttr<StrAttr, "\"bilinear\"">:$mode,
                   DefaultValuedAttr<StrAttr, "\"zeros\"">:$padding_mode);
  let results = (outs Onnx_Tensor:$Y);
  let assemblyFormat = "$X `,` $grid attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

// RoiAlign: for each region of interest (x1, y1, x2, y2 in `rois`, scaled by spatial_scale,
// on image batch_indices[r]), the average or max of bilinear samples on an
// output_height x output_width grid of bins. Opset 10's form has coordinate_transformation_mode
// output_half_pixel (set by the importer).
def Onnx_RoiAlignOp : Onnx_Op<"RoiAlign"> {
  let arguments = (ins Onnx_Tensor:$X, Onnx_Tensor:$rois, Onnx_Tensor:$batch_indices,
                   DefaultValuedAttr<StrAttr, "\"half_pixel\"">:$coordinate_transformation_mode,
                   DefaultValuedAttr<StrAttr, "\"avg\"">:$mode,
                   DefaultValuedAttr<I64Attr, "1">:$output_height,
                   DefaultValuedAttr<I64Attr, "1">:$output_width,
                   DefaultValuedAttr<I64Attr, "0">:$sampling_ratio,
                   DefaultValuedAttr<F32Attr, "1.0">:$spatial_scale);
  let results = (outs Onnx_Tensor:$Y);
  let assemblyFormat = [{
    $X `,` $rois `,` $batch_indices attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif

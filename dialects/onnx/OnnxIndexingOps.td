// Ops that read or write at positions computed from data or from element coordinates:
// GatherND, ScatterElements, ScatterND, ReverseSequence, OneHot, Trilu, EyeLike.
#ifndef ONNXC_ONNX_INDEXING_TD
#define ONNXC_ONNX_INDEXING_TD
include "dialects/onnx/OnnxBase.td"

// GatherND: the last dim of `indices` holds m coordinates into the dims of `data` after the
// first `batch_dims`, which data and indices share; each coordinate tuple selects a slice of
// the remaining data dims. Result: indices.shape[:-1] + data.shape[batch_dims + m:].
def Onnx_GatherNDOp : Onnx_Op<"GatherND"> {
  let summary = "gather slices named by coordinate tuples";
  let arguments = (ins Onnx_Tensor:$data, Onnx_Tensor:$indices,
                   DefaultValuedAttr<I64Attr, "0">:$batch_dims);
  let results = (outs Onnx_Tensor:$output);
  let assemblyFormat = "$data `,` $indices attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

// ScatterElements (the deprecated Scatter is imported as it): a copy of `data` where each
// element of `updates` goes to its own position with indices[...] at `axis` (negative counts
// from the end), replacing what is there (reduction none) or combined with it (add, mul, max,
// min). Updates apply in row-major order, so with repeated indices the last one wins.
def Onnx_ScatterElementsOp : Onnx_Op<"ScatterElements"> {
  let summary = "scatter elements along an axis";
  let arguments = (ins Onnx_Tensor:$data, Onnx_Tensor:$indices, Onnx_Tensor:$updates,
                   DefaultValuedAttr<I64Attr, "0">:$axis,
                   DefaultValuedAttr<StrAttr, "\"none\"">:$reduction);
  let results = (outs Onnx_Tensor:$output);
  let assemblyFormat = [{
    $data `,` $indices `,` $updates attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferShapes() { return inferSameShape(getOperation()); }
  }];
}

// ScatterND: a copy of `data` where each coordinate tuple (last dim of `indices`, m entries)
// receives a slice of `updates` (shape indices.shape[:-1] + data.shape[m:]), with the same
// reductions and order as ScatterElements.
def Onnx_ScatterNDOp : Onnx_Op<"ScatterND"> {
  let summary = "scatter slices at coordinate tuples";
  let arguments = (ins Onnx_Tensor:$data, Onnx_Tensor:$indices, Onnx_Tensor:$updates,
                   DefaultValuedAttr<StrAttr, "\"none\"">:$reduction);
  let results = (outs Onnx_Tensor:$output);
  let assemblyFormat = [{
    $data `,` $indices `,` $updates attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferShapes() { return inferSameShape(getOperation()); }
  }];
}

// ReverseSequence: for each batch entry b (along batch_axis), the first sequence_lens[b]
// elements along time_axis in reverse order, the rest unchanged.
def Onnx_ReverseSequenceOp : Onnx_Op<"ReverseSequence"> {
  let summary = "reverse a prefix of each sequence";
  let arguments = (ins Onnx_Tensor:$input, Onnx_Tensor:$sequence_lens,
                   DefaultValuedAttr<I64Attr, "1">:$batch_axis,
                   DefaultValuedAttr<I64Attr, "0">:$time_axis);
  let results = (outs Onnx_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $sequence_lens attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferShapes() { return inferSameShape(getOperation()); }
  }];
}

// OneHot: the indices' shape with a new dim of `depth` positions inserted at `axis`;
// values[1] where the position equals the index (negative indices count from the end),
// values[0] elsewhere. `depth` is a one-element tensor; when it is only known at run time the
// result's declared type (value_info) gives its value.
def Onnx_OneHotOp : Onnx_Op<"OneHot"> {
  let summary = "one-hot encoding along a new axis";
  let arguments = (ins Onnx_Tensor:$indices, Onnx_Tensor:$depth, Onnx_Tensor:$values,
                   DefaultValuedAttr<I64Attr, "-1">:$axis);
  let results = (outs Onnx_Tensor:$output);
  let assemblyFormat = [{
    $indices `,` $depth `,` $values attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The new axis, non-negative, for indices of rank `rank`.
    int64_t getNormalizedAxis(int64_t rank) {
      int64_t axis = static_cast<int64_t>(getAxis()); // I64Attr getters are unsigned.
      return axis < 0 ? axis + rank + 1 : axis;
    }
  }];
}

// Trilu: the upper (upper = 1) or lower triangle of the last two dims from the k-th diagonal
// on (j - i >= k, or j - i <= k), zero elsewhere. `k` is an optional one-element int64
// tensor (default 0) that may be computed at run time.
def Onnx_TriluOp : Onnx_Op<"Trilu"> {
  let summary = "upper or lower triangle of matrices";
  let arguments = (ins Onnx_Tensor:$input, Onnx_OptTensor:$k,
                   DefaultValuedAttr<I64Attr, "1">:$upper);
  let results = (outs Onnx_Tensor:$output);
  let assemblyFormat = "$input (`,` $k^)? attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferShapes() { return inferSameShape(getOperation()); }
  }];
}

// EyeLike: a 2-D tensor of the input's shape with ones on the k-th diagonal (j - i == k),
// zeros elsewhere, of element type `dtype` (default: the input's).
def Onnx_EyeLikeOp : Onnx_Op<"EyeLike"> {
  let summary = "identity-like matrix of the input's shape";
  let arguments = (ins Onnx_Tensor:$input, OptionalAttr<TypeAttr>:$dtype,
                   DefaultValuedAttr<I64Attr, "0">:$k);
  let results = (outs Onnx_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Ops whose result size depends on tensor data (docs/dynamic-shapes.md, "Sizes that depend
// on data"): each such dim is `?` whatever the model declares, and the lowering writes into
// a buffer of a compile-time upper bound and reports the count at run time.
//===----------------------------------------------------------------------===//

// NonZero: the coordinates of the non-zero elements, [rank, count] int64, in row-major order
// (count <= numel).
def Onnx_NonZeroOp : Onnx_Op<"NonZero"> {
  let summary = "coordinates of the non-zero elements";
  let arguments = (ins Onnx_Tensor:$x);
  let results = (outs Onnx_Tensor:$y);
  let assemblyFormat = "$x attr-dict `:` functional-type(operands, results)";
}

// Compress with a condition known only at run time (a constant one is a Gather, made by the
// importer): the slices along `axis` (the flattened input without it) whose condition entry
// is true; entries past the axis' length select nothing.
def Onnx_CompressOp : Onnx_Op<"Compress"> {
  let summary = "select slices where a run-time condition holds";
  let arguments = (ins Onnx_Tensor:$input, Onnx_Tensor:$condition,
                   OptionalAttr<I64Attr>:$axis);
  let results = (outs Onnx_Tensor:$output);
  let assemblyFormat = "$input `,` $condition attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

// Unique: the distinct elements (or slices along `axis`), sorted ascending or in order of
// first occurrence, with the index of each one's first occurrence, the index into them of
// every input element (slice), and each one's count.
def Onnx_UniqueOp : Onnx_Op<"Unique"> {
  let summary = "distinct elements or slices";
  let arguments = (ins Onnx_Tensor:$x, OptionalAttr<I64Attr>:$axis,
                   DefaultValuedAttr<I64Attr, "1">:$sorted);
  let results = (outs Onnx_Tensor:$y, Onnx_Tensor:$indices, Onnx_Tensor:$inverse_indices,
                 Onnx_Tensor:$counts);
  let assemblyFormat = "$x attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

// NonMaxSuppression: boxes [batches, spatial, 4], scores [batches, classes, spatial],
// max_output_boxes_per_class (int64, one element), iou_threshold and score_threshold (float,
// one element; the importer fills omitted ones: 0, 0, and -inf). Result [count, 3] int64
// rows (batch, class, box), per batch and class by decreasing score.
def Onnx_NonMaxSuppressionOp : Onnx_Op<"NonMaxSuppression"> {
  let summary = "greedy box selection by score and overlap";
  let arguments = (ins Onnx_Tensor:$boxes, Onnx_Tensor:$scores,
                   Onnx_Tensor:$max_output_boxes_per_class, Onnx_Tensor:$iou_threshold,
                   Onnx_Tensor:$score_threshold,
                   DefaultValuedAttr<I64Attr, "0">:$center_point_box);
  let results = (outs Onnx_Tensor:$selected_indices);
  let assemblyFormat = [{
    $boxes `,` $scores `,` $max_output_boxes_per_class `,` $iou_threshold `,` $score_threshold
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif

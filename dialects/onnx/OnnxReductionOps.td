// Reductions: the Reduce* family over a set of axes, and ArgMax / ArgMin along one axis.
#ifndef ONNXC_ONNX_REDUCTION_TD
#define ONNXC_ONNX_REDUCTION_TD
include "dialects/onnx/OnnxBase.td"

// Reduce* with the newest opset's semantics and the axes as an attribute. The importer takes
// the axes from the attribute (older opsets) or from the constant `axes` input (ReduceSum
// from opset 13, the others from opset 18). Axes may be negative; empty axes reduce every
// axis, unless noop_with_empty_axes is set: then no axis is reduced, which ONNX's reference
// implementation (the source of the backend tests' data) reads as the op's elementwise part
// alone: the identity for most ops, but |x| for ReduceL1/L2, x*x for ReduceSumSquare and
// log(x) for ReduceLogSum.
class Onnx_ReduceOp<string mnemonic, string opSummary> : Onnx_Op<mnemonic> {
  let summary = opSummary;
  let arguments = (ins Onnx_Tensor:$data,
                   DefaultValuedAttr<DenseI64ArrayAttr, "{}">:$axes,
                   DefaultValuedAttr<I64Attr, "1">:$keepdims,
                   DefaultValuedAttr<I64Attr, "0">:$noop_with_empty_axes);
  let results = (outs Onnx_Tensor:$reduced);
  let assemblyFormat = "$data attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The reduced axes, non-negative and ascending, for an input of rank `rank` (the
    /// verifier has checked them): every axis when `axes` is empty, none when it is empty
    /// and noop_with_empty_axes is set.
    ::llvm::SmallVector<int64_t> getReducedAxes(int64_t rank) {
      return reducedAxes(getAxes(), getNoopWithEmptyAxes() != 0, rank);
    }
    bool keepsDims() { return getKeepdims() != 0; }
  }];
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::verify() {
      return verifyReductionAxes(getOperation(), getAxes());
    }
    ::llvm::LogicalResult $cppClass::inferShapes() {
      auto t = ::llvm::dyn_cast<::mlir::RankedTensorType>(getData().getType());
      if (!t)
        return ::mlir::success();
      return refineResultType(getOperation(), 0,
                              reducedType(t, getReducedAxes(t.getRank()), keepsDims(),
                                          t.getElementType()));
    }
  }];
}

def Onnx_ReduceSumOp : Onnx_ReduceOp<"ReduceSum", "sum over axes">;
def Onnx_ReduceMeanOp : Onnx_ReduceOp<"ReduceMean", "arithmetic mean over axes">;
def Onnx_ReduceMaxOp : Onnx_ReduceOp<"ReduceMax", "maximum over axes (NaN propagates)">;
def Onnx_ReduceMinOp : Onnx_ReduceOp<"ReduceMin", "minimum over axes (NaN propagates)">;
def Onnx_ReduceProdOp : Onnx_ReduceOp<"ReduceProd", "product over axes">;
def Onnx_ReduceL1Op : Onnx_ReduceOp<"ReduceL1", "sum of absolute values over axes">;
def Onnx_ReduceL2Op : Onnx_ReduceOp<"ReduceL2", "square root of the sum of squares over axes">;
def Onnx_ReduceLogSumOp : Onnx_ReduceOp<"ReduceLogSum", "log of the sum over axes">;
def Onnx_ReduceLogSumExpOp
    : Onnx_ReduceOp<"ReduceLogSumExp", "log of the sum of exponentials over axes">;
def Onnx_ReduceSumSquareOp : Onnx_ReduceOp<"ReduceSumSquare", "sum of squares over axes">;

// ArgMax / ArgMin along one (possibly negative) axis; the result is int64. Ties go to the
// first index, or to the last one with select_last_index.
class Onnx_ArgReduceOp<string mnemonic, string opSummary> : Onnx_Op<mnemonic> {
  let summary = opSummary;
  let arguments = (ins Onnx_Tensor:$data,
                   DefaultValuedAttr<I64Attr, "0">:$axis,
                   DefaultValuedAttr<I64Attr, "1">:$keepdims,
                   DefaultValuedAttr<I64Attr, "0">:$select_last_index);
  let results = (outs Onnx_Tensor:$reduced);
  let assemblyFormat = "$data attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The axis, non-negative, for an input of rank `rank` (the verifier has checked it).
    int64_t getNormalizedAxis(int64_t rank) {
      int64_t axis = static_cast<int64_t>(getAxis()); // I64Attr getters are unsigned.
      return axis < 0 ? axis + rank : axis;
    }
    bool keepsDims() { return getKeepdims() != 0; }
  }];
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::verify() {
      return verifyArgReduceAxis(getOperation(), static_cast<int64_t>(getAxis()));
    }
    ::llvm::LogicalResult $cppClass::inferShapes() {
      return inferArgReduceShape(getOperation(), static_cast<int64_t>(getAxis()), keepsDims());
    }
  }];
}

def Onnx_ArgMaxOp : Onnx_ArgReduceOp<"ArgMax", "index of the maximum along an axis">;
def Onnx_ArgMinOp : Onnx_ArgReduceOp<"ArgMin", "index of the minimum along an axis">;

// NegativeLogLikelihoodLoss: loss[n, d...] = -input[n, target[n, d...], d...] * weight[target]
// (weight 1 without the input), 0 where target == ignore_index. Reduction `none` returns that
// [N, d...] tensor, `sum` its sum, `mean` the sum divided by the sum of the weights used
// (the count of targets not ignored, without weights). SoftmaxCrossEntropyLoss is imported as
// LogSoftmax over axis 1 followed by this op.
def Onnx_NegativeLogLikelihoodLossOp : Onnx_Op<"NegativeLogLikelihoodLoss"> {
  let summary = "negative log-likelihood loss with class weights and an ignored class";
  let arguments = (ins Onnx_Tensor:$input, Onnx_Tensor:$target, Onnx_OptTensor:$weight,
                   DefaultValuedAttr<StrAttr, "\"mean\"">:$reduction,
                   OptionalAttr<I64Attr>:$ignore_index);
  let results = (outs Onnx_Tensor:$loss);
  let assemblyFormat = [{
    $input `,` $target (`,` $weight^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

// CumSum along a (possibly negative) axis given as a scalar tensor, which may be computed at
// run time; `exclusive` leaves the current element out, `reverse` sums from the end.
def Onnx_CumSumOp : Onnx_Op<"CumSum"> {
  let summary = "cumulative sum along an axis";
  let arguments = (ins Onnx_Tensor:$x, Onnx_Tensor:$axis,
                   DefaultValuedAttr<I64Attr, "0">:$exclusive,
                   DefaultValuedAttr<I64Attr, "0">:$reverse);
  let results = (outs Onnx_Tensor:$y);
  let assemblyFormat = "$x `,` $axis attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The axis, non-negative, when it is a constant and the input is ranked.
    std::optional<int64_t> getConstantAxis();
  }];
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferShapes() { return inferSameShape(getOperation()); }
  }];
}

// TopK: the k largest (or smallest) elements along an axis and their int64 indices, sorted,
// equal values in index order. `k` is a one-element int64 tensor; when it is only known at
// run time the results' declared types (value_info) give its value.
def Onnx_TopKOp : Onnx_Op<"TopK"> {
  let summary = "k largest or smallest elements along an axis";
  let arguments = (ins Onnx_Tensor:$x, Onnx_Tensor:$k,
                   DefaultValuedAttr<I64Attr, "-1">:$axis,
                   DefaultValuedAttr<I64Attr, "1">:$largest,
                   DefaultValuedAttr<I64Attr, "1">:$sorted);
  let results = (outs Onnx_Tensor:$values, Onnx_Tensor:$indices);
  let assemblyFormat = "$x `,` $k attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The axis, non-negative, for an input of rank `rank` (the verifier has checked it).
    int64_t getNormalizedAxis(int64_t rank) {
      int64_t axis = static_cast<int64_t>(getAxis()); // I64Attr getters are unsigned.
      return axis < 0 ? axis + rank : axis;
    }
  }];
}

#endif

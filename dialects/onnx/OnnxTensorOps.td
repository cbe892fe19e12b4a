// Normalization, softmax, and shape / data-movement ops.
#ifndef ONNXC_ONNX_TENSOR_TD
#define ONNXC_ONNX_TENSOR_TD
include "dialects/onnx/OnnxBase.td"

def Onnx_BatchNormalizationOp : Onnx_Op<"BatchNormalization"> {
  let summary = "inference-mode batch normalization (running statistics)";
  let arguments = (ins Onnx_Tensor:$X, Onnx_Tensor:$scale, Onnx_Tensor:$B,
                   Onnx_Tensor:$input_mean, Onnx_Tensor:$input_var,
                   DefaultValuedAttr<F32Attr, "1e-5">:$epsilon);
  let results = (outs Onnx_Tensor:$Y);
  let assemblyFormat = [{
    $X `,` $scale `,` $B `,` $input_mean `,` $input_var attr-dict `:` functional-type(operands, results)
  }];
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferShapes() { return inferSameShape(getOperation()); }
  }];
  let hasVerifier = 1;
}

// Softmax over one axis (the opset >= 13 form; older coerced-2D forms are rewritten at import).
class Onnx_SoftmaxLikeOp<string mnemonic> : Onnx_Op<mnemonic> {
  let arguments = (ins Onnx_Tensor:$input, DefaultValuedAttr<I64Attr, "-1">:$axis);
  let results = (outs Onnx_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferShapes() { return inferSameShape(getOperation()); }
  }];
  let hasVerifier = 1;
}
def Onnx_SoftmaxOp : Onnx_SoftmaxLikeOp<"Softmax">;
def Onnx_LogSoftmaxOp : Onnx_SoftmaxLikeOp<"LogSoftmax">;

def Onnx_ConstantOp : Onnx_Op<"Constant", [ConstantLike]> {
  let summary = "a constant tensor (initializers and Constant nodes)";
  let arguments = (ins ElementsAttr:$value);
  let results = (outs AnyRankedTensor:$output);
  let hasCustomAssemblyFormat = 1; // `onnx.Constant dense<...> : tensor<...>`: type once.
  let hasFolder = 1;
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferShapes() { return ::mlir::success(); }
  }];
}

def Onnx_IdentityOp : Onnx_Op<"Identity"> {
  let arguments = (ins Onnx_Tensor:$input);
  let results = (outs Onnx_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferShapes() { return inferSameShape(getOperation()); }
  }];
}

def Onnx_ReshapeOp : Onnx_Op<"Reshape"> {
  let arguments = (ins Onnx_Tensor:$data, Onnx_Tensor:$shape,
                   DefaultValuedAttr<I64Attr, "0">:$allowzero);
  let results = (outs Onnx_Tensor:$reshaped);
  let assemblyFormat = "$data `,` $shape attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Onnx_FlattenOp : Onnx_Op<"Flatten"> {
  let arguments = (ins Onnx_Tensor:$input, DefaultValuedAttr<I64Attr, "1">:$axis);
  let results = (outs Onnx_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Onnx_ConcatOp : Onnx_Op<"Concat"> {
  let arguments = (ins Variadic<Onnx_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs Onnx_Tensor:$concat_result);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Onnx_TransposeOp : Onnx_Op<"Transpose"> {
  let arguments = (ins Onnx_Tensor:$data, OptionalAttr<DenseI64ArrayAttr>:$perm);
  let results = (outs Onnx_Tensor:$transposed);
  let assemblyFormat = "$data attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Shape computation and data movement. Operands that ONNX uses as shapes (axes, starts, pads,
// repeats...) are tensors here, as in the newest opsets: the importer turns older attribute
// forms into constants. Shape inference reads them when they are constant; otherwise only the
// declared result types (value_info) can make the results static. The ops that exporters use
// to compute shapes fold on constant operands, so such chains become constants at compile
// time.
//===----------------------------------------------------------------------===//

// Squeeze without axes drops every dim of size 1.
def Onnx_SqueezeOp : Onnx_Op<"Squeeze"> {
  let arguments = (ins Onnx_Tensor:$data, Onnx_OptTensor:$axes);
  let results = (outs Onnx_Tensor:$squeezed);
  let assemblyFormat = "$data (`,` $axes^)? attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Onnx_UnsqueezeOp : Onnx_Op<"Unsqueeze"> {
  let arguments = (ins Onnx_Tensor:$data, Onnx_Tensor:$axes);
  let results = (outs Onnx_Tensor:$expanded);
  let assemblyFormat = "$data `,` $axes attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

// The dims [start, end) of the input's shape as int64 (start/end clamped like Python slices).
def Onnx_ShapeOp : Onnx_Op<"Shape"> {
  let arguments = (ins Onnx_Tensor:$data, DefaultValuedAttr<I64Attr, "0">:$start,
                   OptionalAttr<I64Attr>:$end);
  let results = (outs Onnx_Tensor:$shape);
  let assemblyFormat = "$data attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Onnx_SizeOp : Onnx_Op<"Size"> {
  let arguments = (ins Onnx_Tensor:$data);
  let results = (outs Onnx_Tensor:$size);
  let assemblyFormat = "$data attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

// Slice (opset >= 10 form): axes default to 0..len(starts)-1, steps to 1.
def Onnx_SliceOp : Onnx_Op<"Slice", [AttrSizedOperandSegments]> {
  let arguments = (ins Onnx_Tensor:$data, Onnx_Tensor:$starts, Onnx_Tensor:$ends,
                   Onnx_OptTensor:$axes, Onnx_OptTensor:$steps);
  let results = (outs Onnx_Tensor:$output);
  let assemblyFormat = [{
    $data `,` $starts `,` $ends (`axes` $axes^)? (`steps` $steps^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasFolder = 1;
}

def Onnx_GatherOp : Onnx_Op<"Gather"> {
  let arguments = (ins Onnx_Tensor:$data, Onnx_Tensor:$indices,
                   DefaultValuedAttr<I64Attr, "0">:$axis);
  let results = (outs Onnx_Tensor:$output);
  let assemblyFormat = "$data `,` $indices attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Onnx_GatherElementsOp : Onnx_Op<"GatherElements"> {
  let arguments = (ins Onnx_Tensor:$data, Onnx_Tensor:$indices,
                   DefaultValuedAttr<I64Attr, "0">:$axis);
  let results = (outs Onnx_Tensor:$output);
  let assemblyFormat = "$data `,` $indices attr-dict `:` functional-type(operands, results)";
}

// Broadcasts the input to the numpy broadcast of its shape and `shape`.
def Onnx_ExpandOp : Onnx_Op<"Expand"> {
  let arguments = (ins Onnx_Tensor:$input, Onnx_Tensor:$shape);
  let results = (outs Onnx_Tensor:$output);
  let assemblyFormat = "$input `,` $shape attr-dict `:` functional-type(operands, results)";
}

def Onnx_TileOp : Onnx_Op<"Tile"> {
  let arguments = (ins Onnx_Tensor:$input, Onnx_Tensor:$repeats);
  let results = (outs Onnx_Tensor:$output);
  let assemblyFormat = "$input `,` $repeats attr-dict `:` functional-type(operands, results)";
}

// Pad (opset >= 18 form): pads = [begin of each axis..., end of each axis...] over `axes`
// (default: all dims); negative pads crop. Modes: constant, reflect, edge, wrap.
def Onnx_PadOp : Onnx_Op<"Pad", [AttrSizedOperandSegments]> {
  let arguments = (ins Onnx_Tensor:$data, Onnx_Tensor:$pads, Onnx_OptTensor:$constant_value,
                   Onnx_OptTensor:$axes, DefaultValuedAttr<StrAttr, "\"constant\"">:$mode);
  let results = (outs Onnx_Tensor:$output);
  let assemblyFormat = [{
    $data `,` $pads (`value` $constant_value^)? (`axes` $axes^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

// A tensor of the shape given by the (int64) input, filled with the one element of `value`
// (default float 0).
def Onnx_ConstantOfShapeOp : Onnx_Op<"ConstantOfShape"> {
  let arguments = (ins Onnx_Tensor:$input, OptionalAttr<ElementsAttr>:$value);
  let results = (outs Onnx_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

// start + i * delta for i in [0, max(ceil((limit - start) / delta), 0)).
def Onnx_RangeOp : Onnx_Op<"Range"> {
  let arguments = (ins Onnx_Tensor:$start, Onnx_Tensor:$limit, Onnx_Tensor:$delta);
  let results = (outs Onnx_Tensor:$output);
  let assemblyFormat = [{
    $start `,` $limit `,` $delta attr-dict `:` functional-type(operands, results)
  }];
  let hasFolder = 1;
}

// Split along `axis` into the result count: sizes from `split`, else equal parts (the last
// one smaller when the dim does not divide, as opset 18 allows).
def Onnx_SplitOp : Onnx_Op<"Split"> {
  let arguments = (ins Onnx_Tensor:$input, Onnx_OptTensor:$split,
                   DefaultValuedAttr<I64Attr, "0">:$axis);
  let results = (outs Variadic<Onnx_Tensor>:$outputs);
  let assemblyFormat = "$input (`,` $split^)? attr-dict `:` functional-type(operands, results)";
}

// Rearranges [N, C, H, W] blocks of depth into space; mode DCR (depth-column-row) or CRD.
def Onnx_DepthToSpaceOp : Onnx_Op<"DepthToSpace"> {
  let arguments = (ins Onnx_Tensor:$input, I64Attr:$blocksize,
                   DefaultValuedAttr<StrAttr, "\"DCR\"">:$mode);
  let results = (outs Onnx_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Onnx_SpaceToDepthOp : Onnx_Op<"SpaceToDepth"> {
  let arguments = (ins Onnx_Tensor:$input, I64Attr:$blocksize);
  let results = (outs Onnx_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

#endif

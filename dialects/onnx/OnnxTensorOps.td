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
}

def Onnx_TransposeOp : Onnx_Op<"Transpose"> {
  let arguments = (ins Onnx_Tensor:$data, OptionalAttr<DenseI64ArrayAttr>:$perm);
  let results = (outs Onnx_Tensor:$transposed);
  let assemblyFormat = "$data attr-dict `:` functional-type(operands, results)";
}

#endif

// Contractions and windowed ops: MatMul, Gemm, Conv, pooling.
#ifndef ONNXC_ONNX_LINEAR_TD
#define ONNXC_ONNX_LINEAR_TD
include "dialects/onnx/OnnxBase.td"

def Onnx_MatMulOp : Onnx_Op<"MatMul"> {
  let summary = "numpy matmul: batch dims broadcast, 1-D operands promoted and squeezed";
  let arguments = (ins Onnx_Tensor:$A, Onnx_Tensor:$B);
  let results = (outs Onnx_Tensor:$Y);
  let assemblyFormat = "$A `,` $B attr-dict `:` functional-type(operands, results)";
}

// Einsum: the sum of products that `equation` names, as numpy's einsum: one letter per dim,
// `...` for broadcast dims, a letter repeated within a term for a diagonal, and without
// `->` an output of the ellipsis dims then the letters used once, in alphabetical order.
// The equation is resolved against the input shapes by planEinsum (EinsumEquation.cpp).
def Onnx_EinsumOp : Onnx_Op<"Einsum"> {
  let summary = "Einstein summation";
  let arguments = (ins Variadic<Onnx_Tensor>:$inputs, StrAttr:$equation);
  let results = (outs Onnx_Tensor:$output);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
}

def Onnx_GemmOp : Onnx_Op<"Gemm"> {
  let summary = "Y = alpha * op(A) * op(B) + beta * C, C unidirectionally broadcast";
  let arguments = (ins Onnx_Tensor:$A, Onnx_Tensor:$B, Onnx_OptTensor:$C,
                   DefaultValuedAttr<F32Attr, "1.0">:$alpha,
                   DefaultValuedAttr<F32Attr, "1.0">:$beta,
                   DefaultValuedAttr<I64Attr, "0">:$transA,
                   DefaultValuedAttr<I64Attr, "0">:$transB);
  let results = (outs Onnx_Tensor:$Y);
  let assemblyFormat = "$A `,` $B (`,` $C^)? attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

// Attributes shared by Conv and the pooling ops. Empty arrays mean "ONNX default" and are
// resolved against the input's spatial rank by the shape helpers.
defvar WindowAttrs = (ins
    DefaultValuedAttr<StrAttr, "\"NOTSET\"">:$auto_pad,
    OptionalAttr<DenseI64ArrayAttr>:$kernel_shape,
    OptionalAttr<DenseI64ArrayAttr>:$pads,
    OptionalAttr<DenseI64ArrayAttr>:$strides,
    OptionalAttr<DenseI64ArrayAttr>:$dilations);

def Onnx_ConvOp : Onnx_Op<"Conv"> {
  let arguments = !con((ins Onnx_Tensor:$X, Onnx_Tensor:$W, Onnx_OptTensor:$B,
                           DefaultValuedAttr<I64Attr, "1">:$group), WindowAttrs);
  let results = (outs Onnx_Tensor:$Y);
  let assemblyFormat = "$X `,` $W (`,` $B^)? attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

// The gradient of Conv with respect to its input: each input element scatters the kernel,
// scaled, into the output at stride steps. W is [C, M/group, k...]. pads crop the full
// output (negative pads, from output_shape, extend it with zeros at the end); output_shape,
// when given, decides the output size and the pads follow from it (see
// resolveTransposedWindow).
def Onnx_ConvTransposeOp : Onnx_Op<"ConvTranspose"> {
  let arguments = !con((ins Onnx_Tensor:$X, Onnx_Tensor:$W, Onnx_OptTensor:$B,
                           DefaultValuedAttr<I64Attr, "1">:$group,
                           OptionalAttr<DenseI64ArrayAttr>:$output_padding,
                           OptionalAttr<DenseI64ArrayAttr>:$output_shape), WindowAttrs);
  let results = (outs Onnx_Tensor:$Y);
  let assemblyFormat = "$X `,` $W (`,` $B^)? attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

// The optional Indices result holds each maximum's position in the flattened input (batch
// and channel included; the spatial dims in column-major order with storage_order = 1), the
// first one where several elements tie.
def Onnx_MaxPoolOp : Onnx_Op<"MaxPool"> {
  let arguments = !con((ins Onnx_Tensor:$X,
                           DefaultValuedAttr<I64Attr, "0">:$ceil_mode,
                           DefaultValuedAttr<I64Attr, "0">:$storage_order), WindowAttrs);
  let results = (outs Onnx_Tensor:$Y, Optional<Onnx_Tensor>:$Indices);
  let assemblyFormat = "$X attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Onnx_AveragePoolOp : Onnx_Op<"AveragePool"> {
  let arguments = !con((ins Onnx_Tensor:$X,
                           DefaultValuedAttr<I64Attr, "0">:$ceil_mode,
                           DefaultValuedAttr<I64Attr, "0">:$count_include_pad), WindowAttrs);
  let results = (outs Onnx_Tensor:$Y);
  let assemblyFormat = "$X attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

class Onnx_GlobalPoolOp<string mnemonic> : Onnx_Op<mnemonic> {
  let arguments = (ins Onnx_Tensor:$X);
  let results = (outs Onnx_Tensor:$Y);
  let assemblyFormat = "$X attr-dict `:` functional-type(operands, results)";
}
def Onnx_GlobalAveragePoolOp : Onnx_GlobalPoolOp<"GlobalAveragePool">;
def Onnx_GlobalMaxPoolOp : Onnx_GlobalPoolOp<"GlobalMaxPool">;

#endif

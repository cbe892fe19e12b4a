// Elementwise operators: unary math, activations and broadcasting binary arithmetic.
#ifndef ONNXC_ONNX_ELEMENTWISE_TD
#define ONNXC_ONNX_ELEMENTWISE_TD
include "dialects/onnx/OnnxBase.td"

// Result has the operand's shape and element type.
class Onnx_UnaryOp<string mnemonic, list<Trait> traits = []> : Onnx_Op<mnemonic, traits> {
  let arguments = (ins Onnx_Tensor:$X);
  let results = (outs Onnx_Tensor:$Y);
  let assemblyFormat = "$X attr-dict `:` functional-type(operands, results)";
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferShapes() { return inferSameShape(getOperation()); }
  }];
}

foreach name = ["Relu", "Sigmoid", "Tanh", "Exp", "Log", "Sqrt", "Abs", "Erf",
                "Reciprocal", "Floor", "Ceil", "Sin", "Cos", "Softsign", "Softplus", "Sign",
                "Round", "Not", "HardSwish"] in
  def Onnx_ # name # Op : Onnx_UnaryOp<name>;

foreach name = ["Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Asinh", "Acosh", "Atanh",
                "Mish"] in
  def Onnx_ # name # Op : Onnx_UnaryOp<name>;

def Onnx_SeluOp : Onnx_UnaryOp<"Selu"> {
  let arguments = (ins Onnx_Tensor:$X,
                   DefaultValuedAttr<F32Attr, "1.67326319217681884765625">:$alpha,
                   DefaultValuedAttr<F32Attr, "1.05070102214813232421875">:$gamma);
}
def Onnx_CeluOp : Onnx_UnaryOp<"Celu"> {
  let arguments = (ins Onnx_Tensor:$X, DefaultValuedAttr<F32Attr, "1.0">:$alpha);
}
def Onnx_ThresholdedReluOp : Onnx_UnaryOp<"ThresholdedRelu"> {
  let arguments = (ins Onnx_Tensor:$X, DefaultValuedAttr<F32Attr, "1.0">:$alpha);
}
def Onnx_ShrinkOp : Onnx_UnaryOp<"Shrink"> {
  let arguments = (ins Onnx_Tensor:$X, DefaultValuedAttr<F32Attr, "0.0">:$bias,
                   DefaultValuedAttr<F32Attr, "0.5">:$lambd);
}
// approximate: "none" (erf) or "tanh".
def Onnx_GeluOp : Onnx_UnaryOp<"Gelu"> {
  let arguments = (ins Onnx_Tensor:$X, DefaultValuedStrAttr<StrAttr, "none">:$approximate);
}

// Unary predicates: the operand's shape with i1 elements.
class Onnx_PredicateOp<string mnemonic> : Onnx_UnaryOp<mnemonic> {
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferShapes() {
      return inferBroadcastShape(getOperation(), ::mlir::IntegerType::get(getContext(), 1));
    }
  }];
}
def Onnx_IsNaNOp : Onnx_PredicateOp<"IsNaN">;
def Onnx_IsInfOp : Onnx_PredicateOp<"IsInf"> {
  let arguments = (ins Onnx_Tensor:$X, DefaultValuedAttr<I64Attr, "1">:$detect_negative,
                   DefaultValuedAttr<I64Attr, "1">:$detect_positive);
}

// Neg of a small integer constant folds (exporters negate shape values).
def Onnx_NegOp : Onnx_UnaryOp<"Neg"> { let hasFolder = 1; }

def Onnx_LeakyReluOp : Onnx_UnaryOp<"LeakyRelu"> {
  let arguments = (ins Onnx_Tensor:$X, DefaultValuedAttr<F32Attr, "0.01">:$alpha);
}
def Onnx_EluOp : Onnx_UnaryOp<"Elu"> {
  let arguments = (ins Onnx_Tensor:$X, DefaultValuedAttr<F32Attr, "1.0">:$alpha);
}
def Onnx_HardSigmoidOp : Onnx_UnaryOp<"HardSigmoid"> {
  let arguments = (ins Onnx_Tensor:$X, DefaultValuedAttr<F32Attr, "0.2">:$alpha,
                   DefaultValuedAttr<F32Attr, "0.5">:$beta);
}

// Clip: bounds are optional scalar tensors (the opset >= 11 form; older attributes become
// constants at import).
def Onnx_ClipOp : Onnx_Op<"Clip", [AttrSizedOperandSegments]> {
  let arguments = (ins Onnx_Tensor:$input, Onnx_OptTensor:$min, Onnx_OptTensor:$max);
  let results = (outs Onnx_Tensor:$output);
  let assemblyFormat = [{
    $input (`min` $min^)? (`max` $max^)? attr-dict `:` functional-type(operands, results)
  }];
}

// Multidirectional (numpy) broadcasting binary ops.
// ONNX has no implicit conversions: both operands share an element type (except Pow).
class Onnx_BinaryOp<string mnemonic, list<Trait> traits = []> : Onnx_Op<mnemonic, traits> {
  let arguments = (ins Onnx_Tensor:$A, Onnx_Tensor:$B);
  let results = (outs Onnx_Tensor:$C);
  let assemblyFormat = "$A `,` $B attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferShapes() {
      return inferBroadcastShape(getOperation(), /*resultElementType=*/nullptr);
    }
    ::llvm::LogicalResult $cppClass::verify() {
      return verifySameElementTypes(getOperation());
    }
  }];
}
// Integer arithmetic on small constants folds: exporters compute shapes with it.
foreach name = ["Add", "Sub", "Mul", "Div", "Max", "Min"] in
  def Onnx_ # name # Op : Onnx_BinaryOp<name> { let hasFolder = 1; }

foreach name = ["And", "Or", "Xor", "PRelu"] in
  def Onnx_ # name # Op : Onnx_BinaryOp<name>;
// Integer Mod with fmod=0 takes the divisor's sign (Python's %); fmod=1 is C's fmod.
def Onnx_ModOp : Onnx_BinaryOp<"Mod"> {
  let arguments = (ins Onnx_Tensor:$A, Onnx_Tensor:$B, DefaultValuedAttr<I64Attr, "0">:$fmod);
}
// direction: "LEFT" or "RIGHT" (unsigned integers only).
def Onnx_BitShiftOp : Onnx_BinaryOp<"BitShift"> {
  let arguments = (ins Onnx_Tensor:$A, Onnx_Tensor:$B, StrAttr:$direction);
}

def Onnx_PowOp : Onnx_Op<"Pow"> {
  let arguments = (ins Onnx_Tensor:$X, Onnx_Tensor:$Y);
  let results = (outs Onnx_Tensor:$Z);
  let assemblyFormat = "$X `,` $Y attr-dict `:` functional-type(operands, results)";
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferShapes() {
      return inferBroadcastShape(getOperation(), /*resultElementType=*/nullptr);
    }
  }];
}

class Onnx_CompareOp<string mnemonic> : Onnx_BinaryOp<mnemonic> {
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferShapes() {
      return inferBroadcastShape(getOperation(),
                                 ::mlir::IntegerType::get(getContext(), 1));
    }
    ::llvm::LogicalResult $cppClass::verify() {
      return verifySameElementTypes(getOperation());
    }
  }];
}
foreach name = ["Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual"] in
  def Onnx_ # name # Op : Onnx_CompareOp<name>;

def Onnx_WhereOp : Onnx_Op<"Where"> {
  let arguments = (ins Onnx_Tensor:$condition, Onnx_Tensor:$X, Onnx_Tensor:$Y);
  let results = (outs Onnx_Tensor:$output);
  let assemblyFormat = "$condition `,` $X `,` $Y attr-dict `:` functional-type(operands, results)";
}

def Onnx_CastOp : Onnx_Op<"Cast"> {
  let arguments = (ins Onnx_Tensor:$input, TypeAttr:$to);
  let results = (outs Onnx_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1; // Small constants only: exporters cast shape values (int64 <-> float).
}

#endif

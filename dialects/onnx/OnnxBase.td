// The `onnx` dialect: ONNX operators with their semantics normalized at import (one form per
// op, whatever opset the model used), tensor-typed, shape-inferred through an interface.
#ifndef ONNXC_ONNX_BASE_TD
#define ONNXC_ONNX_BASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Onnx_Dialect : Dialect {
  let name = "onnx";
  let cppNamespace = "::onnxc::onnx";
  let summary = "ONNX operators, opset differences resolved at import";
  let description = [{
    Each op carries the semantics of the newest opset this compiler knows for it. The importer
    rewrites older forms (attributes that became inputs, legacy broadcasting, coerced-2D
    softmax) into this one form, so later passes see a single version of every op.
  }];
  let hasConstantMaterializer = 1;
}

def ShapeInferenceOpInterface : OpInterface<"ShapeInferenceOpInterface"> {
  let cppNamespace = "::onnxc::onnx";
  let description = [{
    Refines the op's result types from its operand types and attributes. Results start as
    unranked or partially known tensors at import; after this runs they are as precise as the
    operands allow. Returns failure (with a diagnostic on the op) for inconsistent inputs.
  }];
  let methods = [
    InterfaceMethod<"Infer and set the result types.", "::llvm::LogicalResult", "inferShapes">,
  ];
}

class Onnx_Op<string mnemonic, list<Trait> traits = []>
    : Op<Onnx_Dialect, mnemonic,
         !listconcat(traits, [Pure, DeclareOpInterfaceMethods<ShapeInferenceOpInterface>])>;

// Numeric tensors the lowering handles today; the verifier of each op narrows further.
def Onnx_Tensor : AnyTypeOf<[AnyRankedTensor, AnyUnrankedTensor]>;
def Onnx_OptTensor : Optional<Onnx_Tensor>;

#endif

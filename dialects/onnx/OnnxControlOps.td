// Control flow: If and Loop with their subgraphs as regions. Subgraphs see the enclosing
// graph's values directly (ONNX outer-scope capture), so the regions are not isolated from
// above. Scan is imported as a Loop (compiler/import/ControlFlow.cpp).
include "dialects/onnx/OnnxBase.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"

def Onnx_YieldOp : Op<Onnx_Dialect, "Yield",
                      [Pure, Terminator, ReturnLike, ParentOneOf<["IfOp", "LoopOp"]>]> {
  let summary = "the outputs of a subgraph";
  let arguments = (ins Variadic<Onnx_Tensor>:$values);
  let assemblyFormat = "attr-dict ($values^ `:` type($values))?";
}

def Onnx_IfOp : Onnx_Op<"If", [NoRegionArguments]> {
  let summary = "runs one of two subgraphs depending on a boolean scalar";
  let description = [{
    Both branches yield as many values as the op has results, of the same element types.
    A result's shape is the branches' common shape; a dim where they differ is dynamic.
  }];
  let arguments = (ins Onnx_Tensor:$cond);
  let results = (outs Variadic<Onnx_Tensor>:$outputs);
  let regions = (region SizedRegion<1>:$then_branch, SizedRegion<1>:$else_branch);
  let hasVerifier = 1;
  // A condition that folds to a constant (shape checks of exporters) inlines its branch.
  let hasCanonicalizeMethod = 1;
}

def Onnx_LoopOp : Onnx_Op<"Loop", [AttrSizedOperandSegments]> {
  let summary = "runs its body while iter_num < M and cond holds";
  let description = [{
    Operands: the trip count M (optional, int64 scalar), the initial condition (optional,
    bool scalar) and the loop-carried values. The body's arguments are (iter_num: int64
    scalar, cond: bool scalar, carried...); it yields (cond, carried..., scan elements...).
    Results: the final carried values, then each scan element stacked over the iterations
    along a new leading dim, whose size is the trip count when known at compile time.
  }];
  let arguments = (ins Onnx_OptTensor:$max_trip_count, Onnx_OptTensor:$cond,
                   Variadic<Onnx_Tensor>:$v_initial);
  let results = (outs Variadic<Onnx_Tensor>:$outputs);
  let regions = (region SizedRegion<1>:$body);
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The number of iterations when it is fixed at compile time: M is a constant and the
    /// condition is absent or constant true, and the body passes it through unchanged (or
    /// yields constant true). Otherwise std::nullopt.
    std::optional<int64_t> staticTripCount();
    unsigned getNumCarried() { return getVInitial().size(); }
    unsigned getNumScanOutputs() { return getNumResults() - getNumCarried(); }
  }];
}

// Control flow: If and Loop with their subgraphs as regions, and the recurrence of RNN, GRU
// and LSTM as one op that lowers to a loop over time steps. Subgraphs see the enclosing
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

// One direction of an ONNX RNN, GRU or LSTM node, after the importer hoisted the input
// projection out of the recurrence: `gates` is X W^T + Wb (+ the recurrent biases that can be
// added there) for every time step at once, one big GEMM. This op is the sequential part: a
// loop over the time steps (the sequence dim may be known only at run time) whose body does
// the recurrent matmul h R^T and the cell's gates. Gate order as in ONNX: RNN [i]; GRU
// [z, r, h]; LSTM [i, o, f, c]. `activations` are this direction's f, g (GRU, LSTM) and
// h (LSTM), with their alpha/beta; `clip` bounds every gate's input. With `lens`
// (sequence_lens, [batch] int64) the steps at or past an entry's length keep its state and
// output zeros, so the final state is the one at its last valid step.
def Onnx_RecurrentOp : Onnx_Op<"Recurrent", [AttrSizedOperandSegments]> {
  let summary = "the time loop of one direction of RNN / GRU / LSTM";
  let arguments = (ins
      Onnx_Tensor:$gates,        // [seq, batch, gates * hidden]
      Onnx_Tensor:$recurrence,   // R^T: [hidden, gates * hidden]
      Onnx_OptTensor:$rbias,     // GRU with linear_before_reset: Rb of gate h, [hidden]
      Onnx_OptTensor:$h0,        // [batch, hidden]; zeros when absent
      Onnx_OptTensor:$c0,        // LSTM: [batch, hidden]; zeros when absent
      Onnx_OptTensor:$peepholes, // LSTM: [3 * hidden] (i, o, f)
      Onnx_OptTensor:$lens,      // [batch] int64
      StrAttr:$cell,             // "RNN", "GRU" or "LSTM"
      StrArrayAttr:$activations,
      OptionalAttr<F32ArrayAttr>:$activation_alpha,
      OptionalAttr<F32ArrayAttr>:$activation_beta,
      OptionalAttr<F32Attr>:$clip,
      DefaultValuedAttr<BoolAttr, "false">:$reverse,
      DefaultValuedAttr<BoolAttr, "false">:$linear_before_reset,
      DefaultValuedAttr<BoolAttr, "false">:$input_forget);
  // Y: [seq, batch, hidden]; Y_h, Y_c: [batch, hidden] (Y_c for LSTM only).
  let results = (outs Onnx_Tensor:$Y, Onnx_Tensor:$Y_h, Optional<Onnx_Tensor>:$Y_c);
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    int64_t numGates() {
      return getCell() == "RNN" ? 1 : getCell() == "GRU" ? 3 : 4;
    }
  }];
}


// Run-time checks. A model may ask for something it cannot compute only for some input
// values (OptionalGetElement of an absent optional, training-mode Dropout whose ratio and
// training flag are graph inputs): the run must then stop with a status code, never crash
// or compute garbage. Not Pure: a check whose result is unused still runs.
def Onnx_CheckOp : Op<Onnx_Dialect, "Check",
                      [DeclareOpInterfaceMethods<ShapeInferenceOpInterface>,
                       AllTypesMatch<["value", "result"]>]> {
  let summary = "returns `value` when `cond` holds, else ends the run with `status`";
  let description = [{
    `cond` is a bool scalar. Lowered to a cf.assert whose message carries the status
    (`onnxc.status <N>: <message>`), which onnx-lower-runtime-checks turns into an early
    return of the status from main_graph; `value` is passed on through an scf.if on `cond`,
    so nothing that reads it can be scheduled before the check.
  }];
  let arguments = (ins Onnx_Tensor:$cond, Onnx_Tensor:$value, I32Attr:$status,
                   StrAttr:$message);
  let results = (outs Onnx_Tensor:$result);
  let hasVerifier = 1;
  let assemblyFormat = "$cond `,` $value attr-dict `:` type($cond) `,` type($value)";
}

// An ONNX optional tensor graph input is a function argument whose pointer may be NULL
// (absent). This reads the presence: a bool scalar, true when the pointer is not NULL.
def Onnx_InputPresentOp : Onnx_Op<"InputPresent"> {
  let summary = "whether an optional graph input was given (its pointer is not NULL)";
  let arguments = (ins Onnx_Tensor:$input);
  let results = (outs Onnx_Tensor:$present);
  let hasVerifier = 1;
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($present)";
}

// A sequence carried by a Loop and only appended to in its body (compiler/import/
// ControlFlow.cpp): each appended tensor is copied, when the body runs, into a list the run
// collects (runtime-stub/runtime.c: onnxc_rt_sequence_push), which the sequence plan of the
// graph output appends (instruction 5). `collector` is the hidden result (a tensor<0xi8>
// placeholder) whose out-param slot the run fills with the list's record; `record` is that
// slot's main_graph argument once results are out-params (-1 until the importer knows it).
// The convert-onnx-to-linalg lowering gives `value` as a buffer (`collector` dropped);
// onnx-lower-sequence-pushes turns it into the runtime call.
def Onnx_SequencePushOp : Op<Onnx_Dialect, "SequencePush", [MemoryEffects<[MemWrite]>]> {
  let summary = "appends a copy of `value` to the list a Loop-carried sequence collects";
  let arguments = (ins AnyType:$value, Optional<AnyType>:$collector, I64Attr:$record);
  let assemblyFormat = "$value (`to` $collector^ `:` type($collector))? attr-dict `:` type($value)";
}

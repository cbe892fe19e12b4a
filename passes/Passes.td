#ifndef ONNXC_PASSES_TD
#define ONNXC_PASSES_TD

include "mlir/Pass/PassBase.td"

def OnnxShapeInference : Pass<"onnx-shape-inference", "mlir::func::FuncOp"> {
  let summary = "Refine result types of onnx ops from their operands";
  let description = [{
    Calls ShapeInferenceOpInterface::inferShapes on every op in order, then updates the
    function's result types. The importer already does this op by op; the pass re-runs it after
    rewrites (canonicalization may expose constants, e.g. for Reshape's shape). An op whose
    folder turns it into constants once its type is known (Shape of a static tensor, Gather or
    Concat of constants...) is replaced by them in the same walk, so that shape computations
    that feed each other resolve in one run.
  }];
}

def ConvertOnnxToLinalg : Pass<"convert-onnx-to-linalg", "mlir::func::FuncOp"> {
  let summary = "Lower onnx ops to linalg, tensor, arith and math";
  let description = [{
    One pattern set per op family (lowering/*.cpp). Every op must lower: an op that cannot
    (dynamic shape, unsupported type or attribute) gets an error naming the op and why.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect", "mlir::tensor::TensorDialect",
                           "mlir::arith::ArithDialect", "mlir::math::MathDialect",
                           "mlir::scf::SCFDialect",
                           "mlir::bufferization::BufferizationDialect",
                           "mlir::cf::ControlFlowDialect", "mlir::memref::MemRefDialect"];
}

def FuseElementwise : Pass<"onnx-fuse-elementwise", "mlir::func::FuncOp"> {
  let summary = "Fuse elementwise linalg producers into their consumers without recomputation";
  let description = [{
    Upstream's elementwise fusion, restricted so that no value is computed twice: the producer
    must have a single user, and the consumer must read it through a permutation map (every
    producer element read exactly once). Unrestricted, a Relu fused into the following
    contraction is re-evaluated once per output column.
    An elementwise op that reads an expand_shape's result (a pointwise Conv computes on
    flattened spatial dims, then expands) is collapsed onto the collapsed dims, its other
    operands collapsed and its result expanded back: it then reads the contraction directly,
    which onnx-vectorize-contractions needs to fuse it as the kernel's epilogue.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect", "mlir::tensor::TensorDialect"];
}

def DistinctResults : Pass<"onnx-distinct-results", "mlir::func::FuncOp"> {
  let summary = "Give every function result its own tensor";
  let description = [{
    A value returned more than once (two graph outputs of the same value, or zero-size
    outputs that CSE merged into one tensor.empty) makes buffer-results-to-out-params with
    hoist-static-allocs crash: it hoists the one allocation into the first out-param and then
    visits it again. Runs before bufferization and returns a copy
    (bufferization.alloc_tensor copy(...), a memcpy) for every repeat.
  }];
  let dependentDialects = ["mlir::bufferization::BufferizationDialect"];
}

def EmptyBufferArgs : Pass<"onnx-empty-buffer-args", "mlir::func::FuncOp"> {
  let summary = "Pass buffers without elements as memref<0xT>";
  let description = [{
    A memref with a zero dim that is not the outermost (an input or output of shape [3, 4, 0])
    has dynamic strides by MLIR's canonical layout, so convert-func-to-llvm cannot pass it as
    a bare pointer and leaves the whole function unconverted. Such an argument becomes
    memref<0xT> (still one pointer to the caller), and its uses read a zero-size alloca of
    the original type: no element is ever accessed.
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect"];
}

def WriteIntoConcats : Pass<"onnx-write-into-concats", "mlir::func::FuncOp"> {
  let summary = "Let the producers of a concatenation's operands write into their slices";
  let description = [{
    A Concat (ConcatLowering: an undefined static tensor, then one static insert_slice per
    operand, consecutive along one axis) bufferizes to a copy of each operand into its slice.
    When an operand is computed in the same block by ops that write in place (as in
    onnx-write-into-pads: destination-style ops, scf.for loops carrying what they write)
    starting from an undefined tensor, the first such write's destination becomes an
    extract_slice of the concatenation so far (the previous insert's result), and the
    operand's insert_slice moves up to right after the operand is complete: an
    extract/insert pair of one slice of one tensor, which one-shot bufferization does in
    place. The concatenation's undefined tensor is its own (CSE merges equal ones) and moves
    before the first producer's first write.
    An operand whose producer's first write comes before the previous operand is complete
    (the producers interleave), a graph input, a constant, a value with another in-place
    writer or read through a flattening reshape or returned keeps its copy; its insert still
    moves up so that the later operands can write in place. Other readers of a rewritten
    operand read the slice view. Runs before onnx-write-into-pads, which follows a
    concatenation feeding a padded input back to its undefined tensor (Producer::rootSlice).
  }];
  let dependentDialects = ["mlir::tensor::TensorDialect"];
}

def WriteIntoPads : Pass<"onnx-write-into-pads", "mlir::func::FuncOp"> {
  let summary = "Let the producer of a padded tensor's interior write into the padded buffer";
  let description = [{
    A padded Conv/pool input (padTensor with bordersOnly: a tensor.empty, the border slabs
    filled in place, then an insert_slice of the input into the interior) bufferizes to a copy
    of the whole input into the padded buffer. When the input is computed in the same block by
    ops that write in place into a destination (destination-style ops such as linalg ops and
    vector.transfer_write, scf.for loops carrying what they write) starting from an undefined
    tensor (tensor.empty or bufferization.alloc_tensor, static, no copy), the padded tensor and
    its border fills move before the first such write, and that write's destination becomes
    an extract_slice of the padded tensor's interior. The interior insert_slice then inserts a
    slice equivalent to the one it overwrites: one-shot bufferization does it in place and
    canonicalize drops the copy onto itself. Other readers of the input then read the
    interior view of the padded buffer.
    Upstream's eliminate-empty-tensors does not apply: it takes only tensor.empty roots (the
    vector kernels write into alloc_tensor), and its replacement must be built where the
    insert's destination already exists (here after the producer).
    Not handled: inputs that reach the insert through a reshape (a pointwise Conv computes on
    the flattened map: its rows cannot be written into a padded row layout), graph inputs,
    inputs whose chain has a value with other uses.
  }];
  let dependentDialects = ["mlir::tensor::TensorDialect"];
}

def LowerStridedCopies : Pass<"onnx-lower-strided-copies", "mlir::func::FuncOp"> {
  let summary = "Rewrite memref.copy between strided views as row copies or linalg.copy";
  let description = [{
    Bufferization copies into and out of subviews (padding, concatenation) with memref.copy.
    LLVM lowering turns a copy that is not between two contiguous buffers into a call to
    `memrefCopy` from MLIR's C runner library, which a compiled model cannot link. So:
    - a copy whose two sides are each one contiguous block (identity layout, or a static
      shape laid out row-major at any offset) stays memref.copy: one memcpy; from 256 KB on,
      a static one is split into row blocks as below, for the thread pool to share;
    - a copy between static views whose trailing dims are contiguous on both sides, in rows
      of at least 32 bytes, becomes an scf.parallel over the outer dims, each iteration a
      memref.copy of one row block (a memcpy; LLVM vectorized the element loops of such
      copies across rows, with gathers and scatters);
    - any other copy becomes linalg.copy (plain loops);
    - a copy of zero elements is dropped.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect", "mlir::scf::SCFDialect",
                           "mlir::arith::ArithDialect"];
}

def LowerReductions : Pass<"onnx-lower-reductions", "mlir::func::FuncOp"> {
  let summary = "Lower innermost-loop reductions to register accumulators, vectorized";
  let description = [{
    A linalg.generic on buffers whose reduction loops all follow its parallel loops, with
    one output indexed by the parallel loops only (global pools, Reduce*, the max and sum
    of softmax, layer normalization's mean and variance, pooling windows), becomes an
    scf.parallel over the parallel loops whose body folds the reduction loops into one
    accumulator held in a register: convert-linalg-to-parallel-loops would load and store
    the output element at every step, since LLVM cannot tell it from the inputs (all are
    views of one workspace).
    When `vector-bits` is set, the body is elementwise arith/math apart from one
    associative combiner (addf, maximumf, muli...) of the accumulator, and every input
    either ignores the reduction loops or reads them as its trailing dims laid out
    contiguously, the reduced elements are folded as one flat range: vectors of
    vector-bits / (widest element) lanes, four independent accumulators, a masked last
    vector, then a reduction across lanes into the element's initial value. Floating-point
    sums are thereby reassociated, in an order fixed at compile time (independent of the
    thread count). Otherwise the scalar loops keep the generic's order exactly.
  }];
  let options = [
    Option<"vectorBits", "vector-bits", "int64_t", "0",
           "Width of the target's vector registers in bits (0: scalar accumulators only)">,
  ];
  let dependentDialects = ["mlir::scf::SCFDialect", "mlir::vector::VectorDialect",
                           "mlir::affine::AffineDialect", "mlir::memref::MemRefDialect"];
}

def SignlessTypes : Pass<"onnx-signless-types", "mlir::func::FuncOp"> {
  let summary = "Make unsigned integer element types signless before bufferization";
  let description = [{
    ONNX's ui8..ui64 tensors stay unsigned through the linalg lowering (the model interface is
    read from the function signature after it), where elementwise ops read them through
    tensor.bitcast to signless and pick unsigned arith ops. tensor.bitcast has no
    bufferization and arith/LLVM want signless types anyway, so this pass rewrites every
    unsigned type in the function (signature, block arguments, results, constant values) as
    the signless type of the same width and erases the bitcasts that became identities.
  }];
}

def DynamicInterface : Pass<"onnx-dynamic-interface", "mlir::func::FuncOp"> {
  let summary = "Give main_graph's run-time dims a dims array and raw tensor pointers";
  let description = [{
    Runs after buffer-results-to-out-params, on a function whose arguments carry
    `onnxc.dim_symbols` (one symbol index per dim, -1 for a static dim; set by the driver).
    Nothing changes when no argument has a run-time dim. Otherwise a `memref<Sxi64>` dims
    argument is prepended (S symbols), every argument with run-time dims becomes a raw
    `memref<1xi8>` viewed (`memref.view`) with its dims loaded from that array, and a
    `memref<Kxi64>` out-dims argument is appended (K: the outputs' ranks summed) into which
    each output's dims are stored. A run-time sized output that was an allocation copied into
    the out-param is computed in place: the allocation becomes the view of the caller's buffer.
    See docs/dynamic-shapes.md.
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect", "mlir::arith::ArithDialect"];
}

def SizeFunction : Pass<"onnx-size-function", "mlir::ModuleOp"> {
  let summary = "Add onnxc_sizes(dims, out_dims) -> i64 for a model with run-time dims";
  let description = [{
    After onnx-plan-memory on a main_graph with run-time dims: clones the computations of the
    workspace total (the op marked `onnxc.workspace_total`), of every dim main_graph stores
    into its out-dims argument and of every run-time buffer size into a new function
    `onnxc_sizes(memref<Sxi64> dims, memref<Kxi64> out_dims) -> i64`, which returns the
    workspace size in bytes, or -1 when any of those sizes is negative (dims out of range).
    A size that depends on more than the dims (tensor data) is refused.
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect", "mlir::arith::ArithDialect"];
}

def PlanMemory : Pass<"onnx-plan-memory", "mlir::func::FuncOp"> {
  let summary = "Place every static allocation in one workspace argument";
  let description = [{
    Runs after bufferization and buffer-results-to-out-params. Computes each memref.alloc's
    live range (its aliases included) in the function body, packs the buffers into one byte
    buffer by greedy offset assignment (largest first, reusing space of dead buffers), appends
    that buffer as the last function argument and replaces each alloc with a memref.view at its
    offset. The function gets an `onnxc.workspace_size` attribute. Allocations with run-time
    dims (after onnx-dynamic-interface) are placed in program order at run-time offsets, and a
    function `onnxc_sizes(dims, out_dims) -> i64` is added that computes the workspace size
    and the outputs' dims from the dims alone (-1 when a size comes out negative).
    An allocation whose size cannot be computed from the dims (it depends on tensor data,
    with no bound: a Range over run-time values) stays a memref.alloc made per run, after a
    check of its size (`max-runtime-alloc` bytes at most); a memref.cast that gives such a
    size a static dim is checked too. The rest of the function then runs under an scf.if on
    those checks, and the function returns an i32 status (0, or the ONNXC_ERROR_* code of
    the first failed check), freeing what it allocated on every path.
  }];
  let options = [
    Option<"alignment", "alignment", "int64_t", "64", "Byte alignment of every buffer">,
    Option<"maxRuntimeAlloc", "max-runtime-alloc", "int64_t", "(int64_t(1) << 30)",
           "Largest buffer, in bytes, allocated per run for a size that depends on data">,
  ];
  let dependentDialects = ["mlir::memref::MemRefDialect", "mlir::arith::ArithDialect",
                           "mlir::scf::SCFDialect"];
}

def ApproximateMath : Pass<"onnx-approximate-math", "mlir::func::FuncOp"> {
  let summary = "Inline polynomial approximations of exp, log, tanh, erf (f32)";
  let description = [{
    A libm call per element keeps LLVM from vectorizing the loop around it: Sigmoid, SiLU,
    Softmax, GELU ran at a call per element. Upstream's polynomial approximations (a few ulp,
    special values kept) make those loops plain arithmetic. f16 and bf16 compute in f32.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::math::MathDialect",
                           "mlir::vector::VectorDialect"];
}

def VectorizeContractions : Pass<"onnx-vectorize-contractions", "mlir::func::FuncOp"> {
  let summary = "Emit register-tiled vector code for f32 contractions (MatMul, Gemm, Conv)";
  let description = [{
    Rewrites each linalg.generic that computes out += a * b with an identity output map into
    loops over register tiles: mr rows of a parallel loop only one input reads (broadcast
    operand) by nv vectors along the innermost output loop, which the other input reads with
    a small constant stride (vector operand). The accumulators stay in vector registers for
    the whole reduction. Edges get a shorter tile and masked transfers. The tile shape comes
    from a cost model over `vector-registers` registers of `vector-bits` bits; 0 bits turns
    the pass off. Contractions of other shapes are left to the generic loop lowering.
    GEMM-like contractions whose constant vector operand is larger than half of `l2-bytes`
    are cache-blocked: the constant is packed at compile time into panels as wide as a tile,
    and the tiles sweep blocks of the output columns (split across threads), blocks of the
    reduction sized for `l1-bytes`, then the tile columns and rows of the block. Other
    contractions with a constant operand larger than 8x `l2-bytes` (convolutions with large
    weights) loop over the tiles along that operand's dim outside the loops over the other
    output dims (output rows), so each tile's share of it is read from memory once.
  }];
  let options = [
    Option<"vectorBits", "vector-bits", "int64_t", "0",
           "Width of the target's vector registers in bits (0: do nothing)">,
    Option<"vectorRegisters", "vector-registers", "int64_t", "16",
           "Number of vector registers">,
    Option<"l1Bytes", "l1-bytes", "int64_t", "32768",
           "Data cache size per core for the panel blocks of cache-blocked contractions">,
    Option<"l2Bytes", "l2-bytes", "int64_t", "1048576",
           "Second-level cache per core: contractions whose constant vector operand exceeds "
           "half of it are cache-blocked, that operand packed into panels">,
  ];
  let dependentDialects = ["mlir::vector::VectorDialect", "mlir::scf::SCFDialect",
                           "mlir::affine::AffineDialect",
                           "mlir::bufferization::BufferizationDialect"];
}

def OutlineParallelLoops : Pass<"onnx-outline-parallel-loops", "mlir::ModuleOp"> {
  let summary = "Outline each function's large parallel loops for the runtime's thread pool";
  let description = [{
    Runs on buffers, after convert-linalg-to-parallel-loops. A loop at the top level of a
    function whose iterations are independent (an scf.parallel without reductions, or an
    scf.for the vector kernels marked `onnxc.parallel`) and whose estimated work reaches
    `min-work` operations becomes a private function `__onnxc_par_<n>(begin, end, captures...)`
    that runs iterations [begin, end) of it, and a call of that function over all iterations.
    Views, constants and globals the body reads are re-created inside the function, so the
    captures are the enclosing function's buffer arguments and scalars: all of them passable
    as bare pointers. onnx-lower-parallel-calls later turns the call into a parallel-for of the
    runtime stub. Only the outermost dimension is split: the order of every reduction, and so
    every result, is the same for any thread count.
  }];
  let options = [
    Option<"minWork", "min-work", "int64_t", "16384",
           "Operations a loop must execute (estimated from static trip counts) to be outlined">,
  ];
  let dependentDialects = ["mlir::scf::SCFDialect", "mlir::arith::ArithDialect",
                           "mlir::func::FuncDialect"];
}

def LowerRuntimeChecks : Pass<"onnx-lower-runtime-checks", "mlir::ModuleOp"> {
  let summary = "Turn run-time checks (onnx.Check's cf.assert) into status returns";
  let description = [{
    Runs after convert-scf-to-cf. A cf.assert whose message starts with
    "onnxc.status <N>:" (lowered from onnx.Check) becomes a conditional branch to a block
    that returns N; main_graph then returns an i32 status, 0 at its normal ends, which the
    kernel wrapper passes to the runtime stub. So a check fails with a status code, never an
    abort of the host. Other asserts are left alone. In a main_graph that frees buffers
    allocated per run (`onnxc.frees_per_run`), the status return of a check frees the
    buffers whose allocation dominates it.
  }];
  let dependentDialects = ["mlir::cf::ControlFlowDialect", "mlir::arith::ArithDialect",
                           "mlir::func::FuncDialect",
                           "mlir::memref::MemRefDialect"];
}

def LowerSequencePushes : Pass<"onnx-lower-sequence-pushes", "mlir::ModuleOp"> {
  let summary = "Turn onnx.SequencePush of a buffer into the runtime stub's list append";
  let description = [{
    Runs after buffer-results-to-out-params. Each onnx.SequencePush (a tensor appended to a
    Loop-carried sequence, given as its buffer by convert-onnx-to-linalg) becomes a call
    onnxc_rt_sequence_push(record, data, element bytes, rank, dims and strides) with
    pointers as i64: `record` is the address of main_graph's out-param argument named by the
    op's `record` (the runtime passes a list record in that slot), `data` the buffer's first
    element, and the dims then strides (in elements) are stored in an alloca made once at the
    function's entry. The runtime copies the tensor (runtime-stub/runtime.c).
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect", "mlir::arith::ArithDialect",
                           "mlir::func::FuncDialect"];
}

def LowerParallelCalls : Pass<"onnx-lower-parallel-calls", "mlir::ModuleOp"> {
  let summary = "Turn calls of outlined parallel loops into the runtime stub's parallel-for";
  let description = [{
    Runs on the LLVM dialect. Each call of a function outlined by onnx-outline-parallel-loops,
    `__onnxc_par_<n>(begin, end, captures...)`, becomes: the captures stored in a stack
    struct, and `onnxc_rt_parallel_for(@__onnxc_par_<n>_task, &struct, begin, end)`, where the
    task trampoline loads the captures and calls the outlined function over a chunk.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

#endif

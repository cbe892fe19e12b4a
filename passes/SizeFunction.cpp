// onnxc_sizes: the workspace size and the outputs' dims of a model with run-time dims,
// computed from the dims alone, so that a caller can allocate before running
// (docs/dynamic-shapes.md). Made by cloning main_graph's own size computations: the
// function and the kernel cannot disagree.
#include "passes/Passes.h"
#include "passes/SizeSlice.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace onnxc {
#define GEN_PASS_DEF_SIZEFUNCTION
#include "passes/Passes.h.inc"
} // namespace onnxc

using namespace mlir;

namespace {

/// `checks` (optional) collects conditions the cloned sizes need to mean anything: the
/// divisors of the divisions cloned are not 0.
Value cloneSlice(OpBuilder &b, Value v, Value dims, IRMapping &map,
                 SmallVectorImpl<Value> *checks = nullptr, bool exact = false);

/// Dim `i` of `memref` computed from the dims alone: through views, reshapes, subviews and
/// casts back to the sizes they were made with. Null if it cannot be.
Value resolveDim(OpBuilder &b, Value memref, int64_t i, Value dims, IRMapping &map,
                 SmallVectorImpl<Value> *checks, bool exact) {
  auto type = cast<MemRefType>(memref.getType());
  Location loc = memref.getLoc();
  if (!type.isDynamicDim(i))
    return arith::ConstantIndexOp::create(b, loc, type.getDimSize(i));
  Operation *def = memref.getDefiningOp();
  auto fromOfr = [&](OpFoldResult ofr) -> Value {
    if (auto attr = dyn_cast<Attribute>(ofr))
      return arith::ConstantIndexOp::create(b, loc, cast<IntegerAttr>(attr).getInt());
    return cloneSlice(b, cast<Value>(ofr), dims, map, checks, exact);
  };
  if (auto view = dyn_cast_if_present<memref::ViewOp>(def)) {
    unsigned dynIndex = 0;
    for (int64_t d = 0; d < i; ++d)
      dynIndex += type.isDynamicDim(d);
    return cloneSlice(b, view.getSizes()[dynIndex], dims, map, checks, exact);
  }
  if (auto expand = dyn_cast_if_present<memref::ExpandShapeOp>(def))
    return fromOfr(expand.getMixedOutputShape()[i]);
  if (auto collapse = dyn_cast_if_present<memref::CollapseShapeOp>(def)) {
    Value product = arith::ConstantIndexOp::create(b, loc, 1);
    // A local: ranging over a member of the returned temporary would read freed memory.
    SmallVector<ReassociationIndices> groups = collapse.getReassociationIndices();
    for (int64_t j : groups[i]) {
      Value d = resolveDim(b, collapse.getSrc(), j, dims, map, checks, exact);
      if (!d)
        return Value();
      product = arith::MulIOp::create(b, loc, product, d);
    }
    return product;
  }
  if (auto subview = dyn_cast_if_present<memref::SubViewOp>(def)) {
    if (subview.getSourceType().getRank() != type.getRank())
      return Value();
    return fromOfr(subview.getMixedSizes()[i]);
  }
  if (auto cast = dyn_cast_if_present<memref::CastOp>(def))
    return resolveDim(b, cast.getSource(), i, dims, map, checks, exact);
  // Before the memory plan (which asks whether a size depends on data): the allocation's
  // own sizes.
  if (auto alloc = dyn_cast_if_present<memref::AllocOp>(def))
    return cloneSlice(b, alloc.getDynamicSizes()[type.getDynamicDimIndex(i)], dims, map,
                      checks, exact);
  // onnx.Check's guard (lowering/ControlFlow.cpp): a select between the checked value and a
  // placeholder made like it. Buffers of other sizes are never selected (If branches must
  // agree on shapes), but both are resolved so that a select that does differ is refused.
  if (auto select = dyn_cast_if_present<arith::SelectOp>(def)) {
    Value t = resolveDim(b, select.getTrueValue(), i, dims, map, checks, exact);
    if (!t || !resolveDim(b, select.getFalseValue(), i, dims, map, checks, exact))
      return Value();
    return t;
  }
  return Value();
}

/// Clones into `b` what `v` is computed from, if that is only arithmetic on values loaded
/// from `dims` (mapped in `map` already). Returns null otherwise.
Value cloneSlice(OpBuilder &b, Value v, Value dims, IRMapping &map,
                 SmallVectorImpl<Value> *checks, bool exact) {
  if (Value m = map.lookupOrNull(v))
    return m;
  Operation *def = v.getDefiningOp();
  if (!def || def->getNumRegions())
    return Value();
  // A dim counted from data (NonZero, Unique...): its upper bound, which depends on dims only.
  // Sizes grow with the dims they are made of, so the workspace and output dims computed
  // from the bound hold every run.
  // `exact` (the memory plan asking whether a size's value is known from the dims, to check
  // it against a static size): the bound is not the value.
  if (auto bounded = dyn_cast<arith::MinUIOp>(def); bounded && def->hasAttr("onnxc.data_bound")) {
    if (exact)
      return Value();
    Value r = cloneSlice(b, bounded.getRhs(), dims, map, checks, exact);
    if (r)
      map.map(v, r);
    return r;
  }
  // A dim of a view, reshape or subview: the sizes it was made with.
  if (auto dim = dyn_cast<memref::DimOp>(def)) {
    std::optional<int64_t> index = dim.getConstantIndex();
    Value r = index ? resolveDim(b, dim.getSource(), *index, dims, map, checks, exact) : Value();
    if (r)
      map.map(v, r);
    return r;
  }
  if (auto load = dyn_cast<memref::LoadOp>(def)) {
    if (load.getMemRef() != dims)
      return Value();
  } else if (!isMemoryEffectFree(def)) {
    return Value();
  }
  for (Value operand : def->getOperands()) {
    if (operand == dims)
      continue;
    if (!cloneSlice(b, operand, dims, map, checks, exact))
      return Value();
  }
  // A division whose divisor is computed from run-time dims (which may be 0): divided by 1
  // instead, and the divisor's being non-zero becomes a condition of the sizes, so that
  // dims that make it 0 give -1 (ONNXC_ERROR_DIMS_OUT_OF_RANGE), never a SIGFPE in the
  // caller's process. The lowerings guard the divisions that have a meaning at 0 themselves
  // (Reshape's -1, a mean's count): their divisors are never 0 here.
  if (isa<arith::DivUIOp, arith::DivSIOp, arith::CeilDivUIOp, arith::CeilDivSIOp,
          arith::FloorDivSIOp, arith::RemUIOp, arith::RemSIOp>(def)) {
    Value divisor = map.lookup(def->getOperand(1));
    llvm::APInt c;
    if (!matchPattern(divisor, m_ConstantInt(&c)) || c.isZero()) {
      Location loc = def->getLoc();
      Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(divisor.getType()));
      Value one = arith::ConstantOp::create(b, loc, b.getOneAttr(divisor.getType()));
      Value nonZero = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, divisor, zero);
      if (checks)
        checks->push_back(nonZero);
      Value safe = arith::SelectOp::create(b, loc, nonZero, divisor, one);
      Operation *clone = b.clone(*def, map);
      clone->setOperand(1, safe);
      return clone->getResult(0);
    }
  }
  Operation *clone = b.clone(*def, map);
  return clone->getResult(cast<OpResult>(v).getResultNumber());
}

} // namespace

Value onnxc::cloneSizeFromDims(OpBuilder &b, Value v, Value dims, IRMapping &map, bool exact) {
  return cloneSlice(b, v, dims, map, nullptr, exact);
}

namespace {

struct SizeFunctionPass : onnxc::impl::SizeFunctionBase<SizeFunctionPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto main = module.lookupSymbol<func::FuncOp>("main_graph");
    // The lowerings' conditions on run-time dims (cf.assert {onnxc.dims_check}: a Gather
    // reads from an axis that is not empty...) become conditions of the sizes below, checked
    // before main_graph runs. In a model without run-time dims they can only be about a size
    // counted from data, which is not checked (as before: docs/dynamic-shapes.md).
    SmallVector<cf::AssertOp> dimsChecks;
    module.walk([&](cf::AssertOp a) {
      if (a->hasAttr("onnxc.dims_check"))
        dimsChecks.push_back(a);
    });
    if (!main || !main->hasAttr("onnxc.dynamic")) {
      for (cf::AssertOp a : dimsChecks)
        a.erase();
      return;
    }
    // Outputs the run allocates: calls of the runtime stub (passes/AllocateOutputs.cpp).
    if (failed(onnxc::allocateOutputs(module)))
      return signalPassFailure();
    Operation *marker = nullptr;
    main.walk([&](Operation *op) {
      if (op->hasAttr("onnxc.workspace_total"))
        marker = op;
    });
    if (!marker) {
      main.emitError() << "onnx-size-function: the memory plan left no workspace total";
      return signalPassFailure();
    }
    // main_graph(dims, inputs..., outputs..., out_dims, workspace)
    unsigned n = main.getNumArguments();
    Value dims = main.getArgument(0), outDims = main.getArgument(n - 2),
          ws = main.getArgument(n - 1);
    MLIRContext *ctx = &getContext();
    Location loc = main.getLoc();
    OpBuilder b(ctx);
    b.setInsertionPointAfter(main);
    Type i64 = IntegerType::get(ctx, 64);
    auto fn = func::FuncOp::create(
        b, loc, "onnxc_sizes",
        FunctionType::get(ctx, {dims.getType(), outDims.getType()}, {i64}));
    Block *entry = fn.addEntryBlock();
    b.setInsertionPointToStart(entry);
    IRMapping map;
    map.map(dims, entry->getArgument(0));

    auto refuse = [&](Operation *at, const Twine &what) {
      at->emitError() << what
                      << " depends on tensor data, not only on the input dims; fix the input "
                         "dims with --shape NAME=DIMS";
      signalPassFailure();
    };
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value valid = arith::ConstantIntOp::create(b, loc, 1, 1);
    SmallVector<Value> checks; // Conditions the sizes need: non-zero divisors.
    for (cf::AssertOp a : dimsChecks) {
      // A size counted from data is read as its bound here: a bound of 0 is refused (the
      // count is 0 too), a count of 0 under a larger bound is not checked (as before). A
      // condition on data with no bound is not checked either.
      if (a->getParentOfType<func::FuncOp>() == main)
        if (Value c = cloneSlice(b, a.getArg(), dims, map, &checks))
          checks.push_back(c);
      a.erase();
    }
    // Every buffer with run-time dims (in the workspace or the caller's): a negative size
    // means dims no model run can have.
    bool ok = true;
    main.walk([&](memref::ViewOp view) {
      if (!ok || (view.getSource() != ws && !isa<BlockArgument>(view.getSource())))
        return;
      for (Value size : view.getSizes()) {
        Value c = cloneSlice(b, size, dims, map, &checks);
        if (!c && view.getSource() != ws) {
          // The caller's buffer: an intermediate would have been allocated per run
          // (PlanMemory), a graph output is allocated by the caller, from output_dims.
          // Named after the op that made the value (the node), not the copy into the
          // caller's buffer.
          Operation *blame = view;
          if (auto dim = size.getDefiningOp<memref::DimOp>())
            if (Operation *src = dim.getSource().getDefiningOp())
              blame = src;
          blame->emitError() << "the size of a graph output depends on tensor data with no "
                              "bound known at compile time (a Range over run-time values, a "
                              "Loop whose trip count is read from a tensor...), which is not "
                              "supported yet for a graph output (only for intermediate "
                              "values); declare the output's shape in the model if it is fixed";
          signalPassFailure();
          ok = false;
          return;
        }
        if (!c) {
          refuse(view, "the size of a buffer");
          ok = false;
          return;
        }
        valid = arith::AndIOp::create(
            b, loc, valid, arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, c, zero));
      }
    });
    if (!ok)
      return;
    main.walk([&](memref::StoreOp store) {
      if (!ok || store.getMemRef() != outDims)
        return;
      Value v = cloneSlice(b, store.getValue(), dims, map, &checks);
      Value i = cloneSlice(b, store.getIndices()[0], dims, map, &checks);
      // A dim of an output the run allocates (onnx-dynamic-interface) that depends on data:
      // not known before the run, -1.
      if (!v && store->hasAttr("onnxc.allocated_output"))
        v = arith::ConstantIntOp::create(b, loc, b.getI64Type(), -1);
      if (!v || !i) {
        refuse(store, "an output's shape");
        ok = false;
        return;
      }
      memref::StoreOp::create(b, loc, v, entry->getArgument(1), ValueRange{i});
    });
    if (!ok)
      return;
    Value total = cloneSlice(b, marker->getResult(0), dims, map, &checks);
    if (!total)
      return refuse(marker, "the workspace size");
    for (Value c : checks)
      valid = arith::AndIOp::create(b, loc, valid, c);
    total = arith::IndexCastOp::create(b, loc, i64, total);
    Value result = arith::SelectOp::create(b, loc, valid, total,
                                           arith::ConstantIntOp::create(b, loc, i64, -1));
    func::ReturnOp::create(b, loc, result);
    marker->getResult(0).replaceAllUsesWith(marker->getOperand(0));
    marker->erase();
  }
};

} // namespace

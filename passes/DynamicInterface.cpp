// main_graph's interface for dims known only at run time (docs/dynamic-shapes.md): one dims
// array in, raw pointers viewed with those dims, and the outputs' dims written out. The
// bare-pointer calling convention needs static memref arguments; a memref.view of a
// `memref<1xi8>` gives any shape without a descriptor.
#include "passes/Passes.h"
#include "passes/SizeSlice.h"

namespace onnxc {
#define GEN_PASS_DEF_DYNAMICINTERFACE
#include "passes/Passes.h.inc"
} // namespace onnxc

using namespace mlir;

namespace {

struct DynamicInterfacePass : onnxc::impl::DynamicInterfaceBase<DynamicInterfacePass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    auto numDims = func->getAttrOfType<IntegerAttr>("onnxc.num_dims");
    func->removeAttr("onnxc.num_dims");
    // Inputs carry their dims' symbols; the out-params that follow them do not.
    SmallVector<DenseI64ArrayAttr> symbols;
    unsigned numInputs = 0;
    for (unsigned i = 0; i < func.getNumArguments(); ++i)
      if (auto s = func.getArgAttrOfType<DenseI64ArrayAttr>(i, "onnxc.dim_symbols")) {
        symbols.push_back(s);
        numInputs = i + 1;
        func.removeArgAttr(i, "onnxc.dim_symbols");
      }
    // Outputs whose dims depend on data (NonZero...) need the dynamic interface too, even
    // without run-time input dims: their dims are reported through out-dims.
    // So do data-dependent intermediates behind static outputs: their buffers are placed at
    // run time, and only onnxc_sizes (from the bounds) knows the workspace they need.
    bool dataDependent = false;
    for (unsigned i = numInputs; i < func.getNumArguments(); ++i)
      dataDependent |= !cast<MemRefType>(func.getArgumentTypes()[i]).hasStaticShape();
    func.walk([&](arith::MinUIOp op) { dataDependent |= op->hasAttr("onnxc.data_bound"); });
    if (!numDims || (numDims.getInt() == 0 && !dataDependent))
      return; // A static model keeps its interface.
    if (symbols.size() != numInputs) {
      func.emitError() << "onnx-dynamic-interface: inputs without onnxc.dim_symbols";
      return signalPassFailure();
    }

    MLIRContext *ctx = &getContext();
    Location loc = func.getLoc();
    Type i64 = IntegerType::get(ctx, 64), i8 = IntegerType::get(ctx, 8);
    auto rawType = MemRefType::get({1}, i8);
    unsigned numOutputs = func.getNumArguments() - numInputs;
    int64_t outDimsCount = 0;
    for (unsigned i = numInputs; i < func.getNumArguments(); ++i)
      outDimsCount += cast<MemRefType>(func.getArgumentTypes()[i]).getRank();

    // dims first, out-dims after the outputs (the workspace comes last, from the plan).
    if (failed(func.insertArgument(0, MemRefType::get({std::max<int64_t>(numDims.getInt(), 1)}, i64), {}, loc)) ||
        failed(func.insertArgument(func.getNumArguments(),
                                   MemRefType::get({std::max<int64_t>(outDimsCount, 1)}, i64),
                                   {}, loc)))
      return signalPassFailure();
    Block &body = func.getBody().front();
    Value dims = func.getArgument(0), outDims = func.getArgument(func.getNumArguments() - 1);
    OpBuilder b(ctx);
    b.setInsertionPointToStart(&body);
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);

    // One load per symbol, at the top.
    SmallVector<Value> symbolValues;
    for (int64_t k = 0; k < numDims.getInt(); ++k) {
      Value v = memref::LoadOp::create(b, loc, dims,
                                       ValueRange{arith::ConstantIndexOp::create(b, loc, k)});
      symbolValues.push_back(arith::IndexCastOp::create(b, loc, b.getIndexType(), v));
    }

    // Inputs with run-time dims: raw pointers viewed with their dims.
    for (unsigned i = 0; i < numInputs; ++i) {
      BlockArgument arg = func.getArgument(1 + i);
      auto type = cast<MemRefType>(arg.getType());
      if (type.hasStaticShape())
        continue;
      SmallVector<Value> sizes;
      for (int64_t d = 0; d < type.getRank(); ++d)
        if (type.isDynamicDim(d)) {
          int64_t k = symbols[i][d];
          if (k < 0 || k >= numDims.getInt()) {
            func.emitError() << "onnx-dynamic-interface: input " << i << " dim " << d
                             << " has no symbol";
            return signalPassFailure();
          }
          sizes.push_back(symbolValues[k]);
        }
      arg.setType(rawType);
      Value view = memref::ViewOp::create(b, loc, type, arg, zero, sizes);
      arg.replaceAllUsesExcept(view, view.getDefiningOp());
    }

    // Outputs: every dim is stored into out-dims; run-time sized ones are computed in place.
    // Those of an allocated output (below) are marked: onnx-size-function gives -1 for the
    // ones it cannot compute from the dims.
    auto storeDims = [&](OpBuilder &sb, Location l, MemRefType type, ValueRange dynSizes,
                         int64_t offset, bool allocated = false) {
      unsigned next = 0;
      for (int64_t d = 0; d < type.getRank(); ++d) {
        Value v = type.isDynamicDim(d)
                      ? arith::IndexCastOp::create(sb, l, i64, dynSizes[next++]).getResult()
                      : arith::ConstantIntOp::create(sb, l, i64, type.getDimSize(d)).getResult();
        auto store = memref::StoreOp::create(
            sb, l, v, outDims, ValueRange{arith::ConstantIndexOp::create(sb, l, offset + d)});
        if (allocated)
          store->setAttr("onnxc.allocated_output", UnitAttr::get(ctx));
      }
    };
    // An output whose size depends on tensor data with no bound (a Range over run-time
    // values...) cannot be sized by the caller: the run allocates it through the caller's
    // allocator (docs/dynamic-shapes.md). Its buffer stays a memref.alloc marked with the
    // argument that receives the pointer (the caller's slot); onnx-plan-memory checks its size
    // and makes it per run, onnx-size-function a call of the runtime stub
    // (passes/AllocateOutputs.cpp).
    auto fromDims = [&](ValueRange sizes) {
      for (Value size : sizes) {
        OpBuilder sb(ctx);
        auto scratch = func::FuncOp::create(sb, loc, "onnxc_scratch",
                                            FunctionType::get(ctx, {}, {}));
        sb.setInsertionPointToStart(scratch.addEntryBlock());
        IRMapping map;
        map.map(dims, dims);
        bool ok = static_cast<bool>(onnxc::cloneSizeFromDims(sb, size, dims, map));
        scratch.erase();
        if (!ok)
          return false;
      }
      return true;
    };
    SmallVector<int64_t> allocatedOutputs;
    int64_t offset = 0;
    for (unsigned i = 0; i < numOutputs; ++i) {
      BlockArgument arg = func.getArgument(1 + numInputs + i);
      auto type = cast<MemRefType>(arg.getType());
      if (type.hasStaticShape()) {
        storeDims(b, loc, type, {}, offset);
        offset += type.getRank();
        continue;
      }
      memref::CopyOp copy;
      for (Operation *user : arg.getUsers())
        if (auto c = dyn_cast<memref::CopyOp>(user); c && c.getTarget() == arg && !copy)
          copy = c;
      if (!copy || !arg.hasOneUse()) {
        func.emitError() << "onnx-dynamic-interface: output " << i
                         << " with run-time dims is not written by one copy";
        return signalPassFailure();
      }
      arg.setType(rawType);
      Value src = copy.getSource();
      auto alloc = src.getDefiningOp<memref::AllocOp>();
      auto slot = b.getI64IntegerAttr(arg.getArgNumber());
      if (alloc && alloc->getBlock() == &body && alloc.getType() == type &&
          !fromDims(alloc.getDynamicSizes())) {
        // Allocated, computed in place.
        OpBuilder ab(alloc);
        ab.setInsertionPointAfter(alloc);
        storeDims(ab, alloc.getLoc(), type, alloc.getDynamicSizes(), offset, true);
        alloc->setAttr("onnxc.allocated_output", slot);
        allocatedOutputs.push_back(i);
        copy.erase();
      } else if (alloc && alloc->getBlock() == &body && alloc.getType() == type) {
        // The output is computed straight into the caller's buffer.
        OpBuilder ab(alloc);
        Value view = memref::ViewOp::create(ab, alloc.getLoc(), type, arg,
                                            arith::ConstantIndexOp::create(ab, loc, 0),
                                            alloc.getDynamicSizes());
        storeDims(ab, alloc.getLoc(), type, alloc.getDynamicSizes(), offset);
        alloc.replaceAllUsesWith(view);
        alloc.erase();
        copy.erase();
      } else {
        OpBuilder cb(copy);
        SmallVector<Value> sizes;
        for (int64_t d = 0; d < type.getRank(); ++d)
          if (type.isDynamicDim(d))
            sizes.push_back(memref::DimOp::create(cb, copy.getLoc(), src, d));
        Value target;
        bool allocated = !fromDims(sizes);
        if (!allocated) {
          target = memref::ViewOp::create(cb, copy.getLoc(), type, arg,
                                          arith::ConstantIndexOp::create(cb, loc, 0), sizes);
        } else { // Allocated, then copied into.
          auto out = memref::AllocOp::create(cb, copy.getLoc(), type, sizes);
          out->setAttr("onnxc.allocated_output", slot);
          allocatedOutputs.push_back(i);
          target = out;
        }
        storeDims(cb, copy.getLoc(), type, sizes, offset, allocated);
        copy.getTargetMutable().assign(target);
      }
      offset += type.getRank();
    }
    func.setType(FunctionType::get(ctx, body.getArgumentTypes(), func.getResultTypes()));
    func->setAttr("onnxc.dynamic", UnitAttr::get(ctx));
    if (!allocatedOutputs.empty()) // For the driver (ONNXC_OUTPUT_ALLOCATED).
      func->setAttr("onnxc.allocated_outputs", DenseI64ArrayAttr::get(ctx, allocatedOutputs));
  }
};

} // namespace

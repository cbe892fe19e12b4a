// Graph outputs whose size depends on tensor data with no bound (docs/dynamic-shapes.md):
// the caller cannot size them, so the run allocates them through the caller's allocator.
// onnx-dynamic-interface marked each one's memref.alloc with `onnxc.allocated_output = N`
// (N: main_graph's argument that receives the caller's slot), the memory plan made it a
// checked per-run allocation (size checked before, pointer after, not freed: the caller owns
// it); this makes it a call `onnxc_rt_alloc_output(argument N, bytes) -> memref<1xi8>`
// (runtime-stub/runtime.c, which calls the allocator) viewed with the allocation's sizes.
// It declares the callee in the module, which the memory plan (a function pass) may not:
// onnx-size-function, the module pass that follows the plan, calls it.
#include "passes/SizeSlice.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/DataLayoutInterfaces.h"

using namespace mlir;

LogicalResult onnxc::allocateOutputs(ModuleOp module) {
  constexpr const char *kCallee = "onnxc_rt_alloc_output";
  MLIRContext *ctx = module.getContext();
  auto raw = MemRefType::get({1}, IntegerType::get(ctx, 8));
  Type i64 = IntegerType::get(ctx, 64);
  // onnxc_rt_alloc_output(record, bytes) -> pointer: memref<1xi8> is a bare pointer at the
  // function boundary (convert-func-to-llvm's bare-pointer convention).
  auto calleeType = FunctionType::get(ctx, {raw, i64}, {raw});
  SmallVector<memref::AllocOp> allocs;
  module.walk([&](memref::AllocOp alloc) {
    if (alloc->hasAttr("onnxc.allocated_output"))
      allocs.push_back(alloc);
  });
  func::FuncOp callee;
  for (memref::AllocOp alloc : allocs) {
    auto slot = alloc->getAttrOfType<IntegerAttr>("onnxc.allocated_output");
    auto func = alloc->getParentOfType<func::FuncOp>();
    int64_t argIndex = slot.getInt();
    if (argIndex < 0 || argIndex >= int64_t(func.getNumArguments()) ||
        func.getArgument(argIndex).getType() != raw) {
      alloc.emitError() << "allocated output: argument " << argIndex
                        << " is not an output slot";
      return failure();
    }
    if (!callee) {
      callee = module.lookupSymbol<func::FuncOp>(kCallee);
      if (!callee) {
        OpBuilder mb = OpBuilder::atBlockBegin(module.getBody());
        callee = func::FuncOp::create(mb, module.getLoc(), kCallee, calleeType);
        callee.setPrivate();
      }
    }
    MemRefType type = alloc.getType();
    DataLayout layout = DataLayout::closest(alloc);
    OpBuilder b(alloc);
    Location loc = alloc.getLoc();
    int64_t staticPart = layout.getTypeSize(type.getElementType()).getFixedValue();
    for (int64_t d : type.getShape())
      if (ShapedType::isStatic(d))
        staticPart *= d;
    Value bytes = arith::ConstantIndexOp::create(b, loc, staticPart);
    for (Value d : alloc.getDynamicSizes())
      bytes = arith::MulIOp::create(b, loc, bytes, d);
    bytes = arith::IndexCastOp::create(b, loc, i64, bytes);
    auto call =
        func::CallOp::create(b, loc, callee, ValueRange{func.getArgument(argIndex), bytes});
    Value view = memref::ViewOp::create(b, loc, type, call.getResult(0),
                                        arith::ConstantIndexOp::create(b, loc, 0),
                                        alloc.getDynamicSizes());
    alloc.replaceAllUsesWith(view);
    alloc.erase();
  }
  return success();
}

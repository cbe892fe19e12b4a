// A Loop-carried sequence only appended to in the body (compiler/import/ControlFlow.cpp)
// appends each tensor, as the body runs, to a list the runtime stub keeps per sequence output
// (runtime-stub/runtime.c, onnxc_rt_sequence_push): the tensors may have other dims in each
// iteration and their count is known only at run time, so no static buffer can hold them.
// convert-onnx-to-linalg leaves onnx.SequencePush with the tensor's buffer; once function
// results are out-params, its `record` names the out-param argument whose slot the runtime
// filled with the list's record. This turns it into the call, passing addresses as i64 (the
// buffer may be any strided view, so its first element's address and its strides go too).
// A push marked `onnxc.reset` (the body replaced the sequence) becomes
// onnxc_rt_sequence_reset(record).
#include "passes/Passes.h"

#include "dialects/onnx/OnnxDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/DataLayoutInterfaces.h"

namespace onnxc {
#define GEN_PASS_DEF_LOWERSEQUENCEPUSHES
#include "passes/Passes.h.inc"
} // namespace onnxc

using namespace mlir;

namespace {
constexpr llvm::StringLiteral kCallee = "onnxc_rt_sequence_push";
constexpr llvm::StringLiteral kResetCallee = "onnxc_rt_sequence_reset";

struct LowerSequencePushesPass
    : onnxc::impl::LowerSequencePushesBase<LowerSequencePushesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = module.getContext();
    SmallVector<onnxc::onnx::SequencePushOp> pushes;
    module.walk([&](onnxc::onnx::SequencePushOp op) { pushes.push_back(op); });
    if (pushes.empty())
      return;
    Type i64 = IntegerType::get(ctx, 64);
    auto declare = [&](StringRef name, TypeRange args) {
      func::FuncOp f = module.lookupSymbol<func::FuncOp>(name);
      if (!f) {
        OpBuilder mb = OpBuilder::atBlockBegin(module.getBody());
        f = func::FuncOp::create(mb, module.getLoc(), name, FunctionType::get(ctx, args, {}));
        f.setPrivate();
      }
      return f;
    };
    func::FuncOp callee = declare(kCallee, {i64, i64, i64, i64, i64});
    func::FuncOp resetCallee;
    for (onnxc::onnx::SequencePushOp op : pushes) {
      auto func = op->getParentOfType<func::FuncOp>();
      auto type = dyn_cast<MemRefType>(op.getValue().getType());
      int64_t argIndex = op.getRecordAttr().getInt();
      if (!type || op.getCollector() || argIndex < 0 ||
          argIndex >= static_cast<int64_t>(func.getNumArguments()) ||
          !isa<MemRefType>(func.getArgument(argIndex).getType())) {
        op.emitError() << "sequence push: needs a buffer and an out-param record argument "
                       << "(argument " << argIndex << ")";
        return signalPassFailure();
      }
      Location loc = op.getLoc();
      if (op->hasAttr("onnxc.reset")) {
        // The body replaced the sequence: drop the entry and what was collected so far.
        if (!resetCallee)
          resetCallee = declare(kResetCallee, {i64});
        OpBuilder b(op);
        Value record = arith::IndexCastOp::create(
            b, loc, i64,
            memref::ExtractAlignedPointerAsIndexOp::create(b, loc, func.getArgument(argIndex)));
        func::CallOp::create(b, loc, resetCallee, ValueRange{record});
        op.erase();
        continue;
      }
      int64_t rank = type.getRank();
      // The dims and strides, in an alloca made once at the function's entry (an alloca in
      // the loop body would grow the stack each iteration).
      OpBuilder entry = OpBuilder::atBlockBegin(&func.getBody().front());
      Value meta = memref::AllocaOp::create(
          entry, loc, MemRefType::get({std::max<int64_t>(2 * rank, 1)}, i64));
      OpBuilder b(op);
      auto md = memref::ExtractStridedMetadataOp::create(b, loc, op.getValue());
      auto toI64 = [&](Value index) { return arith::IndexCastOp::create(b, loc, i64, index); };
      auto constI64 = [&](int64_t v) { return arith::ConstantIntOp::create(b, loc, i64, v); };
      for (int64_t d = 0; d < rank; ++d) {
        memref::StoreOp::create(b, loc, toI64(md.getSizes()[d]), meta,
                                ValueRange{arith::ConstantIndexOp::create(b, loc, d)});
        memref::StoreOp::create(b, loc, toI64(md.getStrides()[d]), meta,
                                ValueRange{arith::ConstantIndexOp::create(b, loc, rank + d)});
      }
      DataLayout layout = DataLayout::closest(op);
      int64_t elementBytes =
          std::max<int64_t>(1, layout.getTypeSize(type.getElementType()).getFixedValue());
      Value base = toI64(memref::ExtractAlignedPointerAsIndexOp::create(b, loc, op.getValue()));
      Value offset = arith::MulIOp::create(b, loc, toI64(md.getOffset()), constI64(elementBytes));
      Value data = arith::AddIOp::create(b, loc, base, offset);
      Value record = toI64(
          memref::ExtractAlignedPointerAsIndexOp::create(b, loc, func.getArgument(argIndex)));
      Value metaPtr = toI64(memref::ExtractAlignedPointerAsIndexOp::create(b, loc, meta));
      func::CallOp::create(b, loc, callee,
                           ValueRange{record, data, constI64(elementBytes), constI64(rank),
                                      metaPtr});
      op.erase();
    }
  }
};
} // namespace

// Calls of outlined parallel loops become the runtime stub's parallel-for (see Passes.td).
#include "passes/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

namespace onnxc {
#define GEN_PASS_DEF_LOWERPARALLELCALLS
#include "passes/Passes.h.inc"
} // namespace onnxc

using namespace mlir;

namespace {

constexpr llvm::StringLiteral kPrefix = "__onnxc_par_";
constexpr llvm::StringLiteral kParallelFor = "onnxc_rt_parallel_for";

struct LowerParallelCallsPass
    : onnxc::impl::LowerParallelCallsBase<LowerParallelCallsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    auto ptr = LLVM::LLVMPointerType::get(ctx);
    auto i64 = IntegerType::get(ctx, 64);
    auto voidType = LLVM::LLVMVoidType::get(ctx);
    SmallVector<LLVM::CallOp> calls;
    module.walk([&](LLVM::CallOp call) {
      if (auto callee = call.getCallee(); callee && callee->starts_with(kPrefix))
        calls.push_back(call);
    });
    if (calls.empty())
      return;

    OpBuilder mb = OpBuilder::atBlockEnd(module.getBody());
    auto runtime = module.lookupSymbol<LLVM::LLVMFuncOp>(kParallelFor);
    if (!runtime)
      runtime = LLVM::LLVMFuncOp::create(
          mb, module.getLoc(), kParallelFor,
          LLVM::LLVMFunctionType::get(voidType, {ptr, ptr, i64, i64}));

    for (LLVM::CallOp call : calls) {
      auto body = module.lookupSymbol<LLVM::LLVMFuncOp>(*call.getCallee());
      Location loc = call.getLoc();
      if (!body || call.getNumOperands() < 2 || call.getOperand(0).getType() != i64 ||
          call.getOperand(1).getType() != i64) {
        call.emitError("malformed call of an outlined parallel loop");
        return signalPassFailure();
      }
      // The captures, as one struct the trampoline reads.
      SmallVector<Type> fieldTypes;
      for (Value v : call.getOperands().drop_front(2))
        fieldTypes.push_back(v.getType());
      auto structType = LLVM::LLVMStructType::getLiteral(ctx, fieldTypes);

      // void <body>_task(ptr captures, i64 begin, i64 end)
      std::string taskName = (body.getName() + "_task").str();
      auto task = module.lookupSymbol<LLVM::LLVMFuncOp>(taskName);
      if (!task) {
        task = LLVM::LLVMFuncOp::create(mb, loc, taskName,
                                        LLVM::LLVMFunctionType::get(voidType, {ptr, i64, i64}),
                                        LLVM::Linkage::Internal);
        Block *entry = task.addEntryBlock(mb);
        OpBuilder tb = OpBuilder::atBlockBegin(entry);
        SmallVector<Value> args = {entry->getArgument(1), entry->getArgument(2)};
        for (auto [i, t] : llvm::enumerate(fieldTypes)) {
          Value field = LLVM::GEPOp::create(tb, loc, ptr, structType, entry->getArgument(0),
                                            ArrayRef<LLVM::GEPArg>{0, (int32_t)i});
          args.push_back(LLVM::LoadOp::create(tb, loc, t, field));
        }
        LLVM::CallOp::create(tb, loc, body, args);
        LLVM::ReturnOp::create(tb, loc, ValueRange{});
      }

      // The struct lives in the caller's frame, allocated once in its entry block.
      auto caller = call->getParentOfType<LLVM::LLVMFuncOp>();
      OpBuilder ab = OpBuilder::atBlockBegin(&caller.getBody().front());
      Value one = LLVM::ConstantOp::create(ab, loc, i64, ab.getI64IntegerAttr(1));
      Value captures = LLVM::AllocaOp::create(ab, loc, ptr, structType, one);
      OpBuilder b(call);
      for (auto [i, v] : llvm::enumerate(call.getOperands().drop_front(2))) {
        Value field = LLVM::GEPOp::create(b, loc, ptr, structType, captures,
                                          ArrayRef<LLVM::GEPArg>{0, (int32_t)i});
        LLVM::StoreOp::create(b, loc, v, field);
      }
      Value fn = LLVM::AddressOfOp::create(b, loc, ptr, task.getName());
      LLVM::CallOp::create(b, loc, runtime,
                           ValueRange{fn, captures, call.getOperand(0), call.getOperand(1)});
      call.erase();
    }
  }
};

} // namespace

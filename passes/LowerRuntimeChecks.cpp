// Run-time checks end the run with a status instead of aborting. onnx.Check lowers to a
// cf.assert whose message starts with "onnxc.status <N>:" (lowering/ControlFlow.cpp); once
// the scf regions are a CFG (after convert-scf-to-cf), each such assert becomes a branch to
// a block that returns N from main_graph, which then returns an i32 status (0 at its normal
// ends). The kernel wrapper (codegen/EntryPoints.cpp) returns that status to the runtime
// stub. A model without checks keeps its void main_graph. A check in a model that frees
// buffers allocated per run frees those allocated before it on its way out.
#include "passes/Passes.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Dominance.h"

namespace onnxc {
#define GEN_PASS_DEF_LOWERRUNTIMECHECKS
#include "passes/Passes.h.inc"
} // namespace onnxc

using namespace mlir;

namespace {
constexpr llvm::StringLiteral kPrefix = "onnxc.status ";

struct LowerRuntimeChecksPass
    : onnxc::impl::LowerRuntimeChecksBase<LowerRuntimeChecksPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<std::pair<cf::AssertOp, int32_t>> checks;
    bool bad = false;
    module.walk([&](cf::AssertOp a) {
      StringRef msg = a.getMsg();
      if (!msg.starts_with(kPrefix))
        return;
      int32_t status = 0;
      StringRef rest = msg.drop_front(kPrefix.size());
      if (rest.consumeInteger(10, status) || status <= 0) {
        a.emitError() << "malformed run-time check message '" << msg << "'";
        bad = true;
        return;
      }
      auto f = a->getParentOfType<func::FuncOp>();
      if (!f || f.getSymName() != "main_graph") {
        a.emitError() << "a run-time check outside main_graph (in an outlined loop body) "
                         "cannot end the run";
        bad = true;
        return;
      }
      if (!isa<func::FuncOp>(a->getParentOp())) {
        a.emitError() << "a run-time check is still inside a structured region";
        bad = true;
        return;
      }
      checks.push_back({a, status});
    });
    if (bad)
      return signalPassFailure();
    if (checks.empty())
      return;
    auto main = cast<func::FuncOp>(checks.front().first->getParentOp());
    // PlanMemory already gave main_graph a status when it checks sizes from data or
    // allocates per run: its error paths free what the run allocated, and it made the
    // top-level checks guards of that nesting. A check left here was inside a loop or
    // branch. In a model that frees buffers allocated per run (`onnxc.frees_per_run`), its
    // status return frees first every such buffer allocated before it: those whose
    // allocation dominates the check (PlanMemory allocates them at the top level, before
    // the op that uses them, nested under their null checks, so they are not NULL there).
    // Allocated outputs are not among them (the runtime stub gives those back).
    MLIRContext *ctx = &getContext();
    DenseMap<Operation *, SmallVector<Value>> toFree;
    if (main.getNumResults() != 0) {
      if (main->hasAttr("onnxc.frees_per_run")) {
        SmallVector<memref::AllocOp> perRun;
        main.walk([&](memref::AllocOp alloc) {
          if (llvm::any_of(alloc->getUsers(), [](Operation *u) { return isa<memref::DeallocOp>(u); }))
            perRun.push_back(alloc);
        });
        DominanceInfo dom(main);
        for (auto [a, status] : checks)
          for (memref::AllocOp alloc : perRun)
            if (dom.properlyDominates(alloc.getOperation(), a.getOperation()))
              toFree[a.getOperation()].push_back(alloc.getResult());
      }
    } else {
      Type i32 = IntegerType::get(ctx, 32);
      main.setType(FunctionType::get(ctx, main.getArgumentTypes(), {i32}));
      // Every normal end returns 0 (ONNXC_OK).
      SmallVector<func::ReturnOp> returns;
      main.walk([&](func::ReturnOp r) { returns.push_back(r); });
      for (func::ReturnOp r : returns) {
        OpBuilder b(r);
        func::ReturnOp::create(b, r.getLoc(),
                               ValueRange{arith::ConstantIntOp::create(b, r.getLoc(), 0, 32)});
        r.erase();
      }
    }
    // assert(cond) -> cond_br cond, ^rest, ^fail; ^fail: return status.
    for (auto [a, status] : checks) {
      Block *before = a->getBlock();
      Block *rest = before->splitBlock(std::next(a->getIterator()));
      Block *fail = new Block();
      main.getBody().getBlocks().insertAfter(before->getIterator(), fail);
      OpBuilder b(ctx);
      b.setInsertionPointToEnd(fail);
      for (Value buffer : toFree.lookup(a.getOperation()))
        memref::DeallocOp::create(b, a.getLoc(), buffer);
      func::ReturnOp::create(
          b, a.getLoc(), ValueRange{arith::ConstantIntOp::create(b, a.getLoc(), status, 32)});
      b.setInsertionPoint(a);
      cf::CondBranchOp::create(b, a.getLoc(), a.getArg(), rest, ValueRange{}, fail,
                               ValueRange{});
      a.erase();
    }
  }
};
} // namespace

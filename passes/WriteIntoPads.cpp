// Lets the producer of a padded tensor's interior write into the padded buffer itself, so that
// bufferization leaves no copy of the interior (see Passes.td).
#include "passes/InPlaceWrites.h"
#include "passes/Passes.h"

#include "mlir/IR/IRMapping.h"

namespace onnxc {
#define GEN_PASS_DEF_WRITEINTOPADS
#include "passes/Passes.h.inc"
} // namespace onnxc

using namespace mlir;
using namespace onnxc;

namespace {

/// A padded tensor as padTensor(bordersOnly) builds it (passes/lowering/LoweringUtils.cpp):
/// a tensor.empty, then for each border slab an extract_slice, a linalg.fill of it and an
/// insert_slice back at the same place, then the interior insert_slice of the input.
struct PaddedTensor {
  tensor::InsertSliceOp interior;
  tensor::EmptyOp empty;
  SmallVector<Operation *> chain; // empty, then each slab's extract, fill and insert, in order.
};

bool sameSlice(tensor::ExtractSliceOp e, tensor::InsertSliceOp i) {
  return e.getMixedOffsets() == i.getMixedOffsets() && e.getMixedSizes() == i.getMixedSizes() &&
         e.getMixedStrides() == i.getMixedStrides();
}

std::optional<PaddedTensor> matchPadded(tensor::InsertSliceOp interior) {
  if (!interior.getSourceType().hasStaticShape() || !interior.getResultType().hasStaticShape() ||
      !interior.hasUnitStride())
    return std::nullopt;
  PaddedTensor p{interior, {}, {}};
  Value v = interior.getDest();
  SmallVector<Operation *> slabs;
  while (auto slab = v.getDefiningOp<tensor::InsertSliceOp>()) {
    auto fill = slab.getSource().getDefiningOp<linalg::FillOp>();
    auto extract = fill ? fill.getOutputs()[0].getDefiningOp<tensor::ExtractSliceOp>()
                        : tensor::ExtractSliceOp();
    if (!extract || extract.getSource() != slab.getDest() || !sameSlice(extract, slab))
      return std::nullopt;
    slabs.append({slab, fill, extract});
    v = slab.getDest();
  }
  p.empty = v.getDefiningOp<tensor::EmptyOp>();
  if (!p.empty || slabs.empty() || p.empty->getBlock() != interior->getBlock())
    return std::nullopt;
  p.chain.push_back(p.empty);
  p.chain.append(slabs.rbegin(), slabs.rend());
  return p;
}

struct WriteIntoPadsPass : onnxc::impl::WriteIntoPadsBase<WriteIntoPadsPass> {
  void runOnOperation() override {
    SmallVector<PaddedTensor> pads;
    DenseSet<Operation *> inChains;
    getOperation().walk([&](tensor::InsertSliceOp op) {
      if (std::optional<PaddedTensor> pad = matchPadded(op)) {
        pads.push_back(*pad);
        inChains.insert(pad->chain.begin(), pad->chain.end());
      }
    });
    // A slab's insert looks like an interior insert into the slabs before it.
    llvm::erase_if(pads, [&](const PaddedTensor &p) { return inChains.contains(p.interior); });
    for (PaddedTensor &pad : pads)
      rewrite(pad);
  }

  /// Gives the padded tensor a chain of its own (CSE merges the equal border fills of
  /// convolutions with inputs of one shape: bufferized, every insert but one then copied the
  /// whole filled buffer before copying its interior), placed before the producer's first
  /// write when the producer can write into the interior, which it then does.
  void rewrite(PaddedTensor &pad) {
    tensor::InsertSliceOp op = pad.interior;
    Block *block = op->getBlock();
    std::optional<Producer> producer = findProducer(op.getSource(), block);
    Operation *at = op;
    if (producer) {
      Operation *first = producer->firstWriteIn(block);
      if (producer->undefinedType() == producerTensorType(op, *producer) && first &&
          first->isBeforeInBlock(op))
        at = first;
      else
        producer.reset();
    }
    // The chain's operands from outside it (the pad value) must be available at `at`:
    // constants defined later are copied there; anything else keeps the chain at the insert.
    auto later = [&](Operation *at) {
      SmallVector<Operation *> defs;
      for (Operation *c : pad.chain)
        for (Value v : c->getOperands())
          if (Operation *def = v.getDefiningOp();
              def && !llvm::is_contained(pad.chain, def) && def->getBlock() == block &&
              !def->isBeforeInBlock(at) && !llvm::is_contained(defs, def))
            defs.push_back(def);
      return defs;
    };
    SmallVector<Operation *> defs = later(at);
    if (llvm::any_of(defs, [](Operation *d) { return !d->hasTrait<OpTrait::ConstantLike>(); })) {
      at = op;
      producer.reset();
      defs.clear();
    }
    OpBuilder b(at);
    IRMapping map;
    for (Operation *def : defs)
      map.map(def->getResult(0), b.clone(*def)->getResult(0));
    for (Operation *c : pad.chain)
      b.clone(*c, map);
    Value padded = map.lookup(op.getDest());
    op.getDestMutable().set(padded);
    for (Operation *c : llvm::reverse(pad.chain))
      if (c->use_empty())
        c->erase();
    if (!producer)
      return;
    // The producer's first write goes into the interior of the filled padded tensor; the
    // interior insert_slice then inserts a slice equivalent to the one it overwrites, which
    // one-shot bufferization does in place (a copy onto itself that canonicalize drops).
    producer->retarget(sliceAsProducerTensor(b, op, padded, *producer));
  }
};

} // namespace

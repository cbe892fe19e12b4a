// Lets the producer of a padded tensor's interior write into the padded buffer itself, so that
// bufferization leaves no copy of the interior (see Passes.td).
#include "passes/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"

namespace onnxc {
#define GEN_PASS_DEF_WRITEINTOPADS
#include "passes/Passes.h.inc"
} // namespace onnxc

using namespace mlir;

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
  if (!v.hasOneUse())
    return std::nullopt;
  SmallVector<Operation *> slabs;
  while (auto slab = v.getDefiningOp<tensor::InsertSliceOp>()) {
    auto fill = slab.getSource().getDefiningOp<linalg::FillOp>();
    auto extract = fill ? fill.getOutputs()[0].getDefiningOp<tensor::ExtractSliceOp>()
                        : tensor::ExtractSliceOp();
    // Each value of the chain feeds only the next slab (its extract and its insert).
    if (!extract || extract.getSource() != slab.getDest() || !sameSlice(extract, slab) ||
        !fill->hasOneUse() || !extract->hasOneUse() ||
        std::distance(slab.getDest().use_begin(), slab.getDest().use_end()) != 2)
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

/// The operand whose buffer `v`'s becomes when its defining op writes in place: a destination
/// style op's (linalg ops, vector.transfer_write, tensor.insert_slice) tied init, an scf.for
/// result's init when the loop yields what it wrote into its iter_arg. Null otherwise.
OpOperand *destinationOf(Value v);

/// Whether `v` is `target` after in-place writes (destinationOf) only.
bool writtenInto(Value v, Value target) {
  while (v != target) {
    OpOperand *d = destinationOf(v);
    if (!d)
      return false;
    v = d->get();
  }
  return true;
}

OpOperand *destinationOf(Value v) {
  auto result = dyn_cast<OpResult>(v);
  if (!result)
    return nullptr;
  Operation *def = result.getOwner();
  if (auto loop = dyn_cast<scf::ForOp>(def)) {
    unsigned i = result.getResultNumber();
    if (!writtenInto(loop.getYieldedValues()[i], loop.getRegionIterArgs()[i]))
      return nullptr;
    return &loop.getInitArgsMutable()[i];
  }
  if (auto dps = dyn_cast<DestinationStyleOpInterface>(def))
    if (dps.hasPureTensorSemantics())
      return dps.getTiedOpOperand(result);
  return nullptr;
}

/// A tensor whose contents are undefined: replacing it with any tensor of its type is correct.
bool isUndefined(Value v) {
  if (auto e = v.getDefiningOp<tensor::EmptyOp>())
    return e.getType().hasStaticShape();
  if (auto a = v.getDefiningOp<bufferization::AllocTensorOp>())
    return !a.getCopy() && a.getDynamicSizes().empty() && !a.getSizeHint();
  return false;
}

/// The first write of the chain that computes `source`: the operand holding the undefined
/// tensor it starts from, the values on the way in the interior's block used only there.
OpOperand *firstWrite(Value source, Block *block) {
  OpOperand *first = nullptr;
  Value v = source;
  while (OpOperand *d = destinationOf(v)) {
    first = d;
    v = d->get();
    if (isUndefined(v))
      return first;
    if (v.getParentBlock() == block && !v.hasOneUse())
      return nullptr;
  }
  return nullptr;
}

struct WriteIntoPadsPass : onnxc::impl::WriteIntoPadsBase<WriteIntoPadsPass> {
  void runOnOperation() override {
    SmallVector<tensor::InsertSliceOp> inserts;
    getOperation().walk([&](tensor::InsertSliceOp op) { inserts.push_back(op); });
    for (tensor::InsertSliceOp op : inserts) {
      std::optional<PaddedTensor> pad = matchPadded(op);
      if (!pad)
        continue;
      Block *block = op->getBlock();
      OpOperand *first = firstWrite(op.getSource(), block);
      // A reshape on the way (a pointwise conv computes on the flattened map) stops at a type
      // the interior slice cannot take.
      if (!first || first->get().getType() != op.getSourceType())
        continue;
      Operation *at = block->findAncestorOpInBlock(*first->getOwner());
      if (!at || !at->isBeforeInBlock(op))
        continue;
      // The padded tensor and its border fills move before the first write: the fills'
      // values (the pad constant) must be there already, or be constants to copy.
      bool movable = true;
      SmallVector<std::pair<OpOperand *, Operation *>> toClone;
      for (Operation *c : pad->chain)
        for (OpOperand &o : c->getOpOperands()) {
          Operation *def = o.get().getDefiningOp();
          if (llvm::is_contained(pad->chain, def))
            continue;
          if (!def || def->getBlock() != block || def->isBeforeInBlock(at))
            continue;
          if (def->hasTrait<OpTrait::ConstantLike>())
            toClone.push_back({&o, def});
          else
            movable = false;
        }
      if (!movable)
        continue;
      OpBuilder b(at);
      DenseMap<Operation *, Value> clones;
      for (auto [operand, def] : toClone) {
        Value &clone = clones[def];
        if (!clone)
          clone = b.clone(*def)->getResult(0);
        operand->set(clone);
      }
      for (Operation *c : pad->chain)
        c->moveBefore(at);
      // The producer's first write goes into the interior of the filled padded tensor; the
      // interior insert_slice then inserts a slice equivalent to the one it overwrites, which
      // one-shot bufferization does in place (a copy onto itself that canonicalize drops).
      Value interior = tensor::ExtractSliceOp::create(
          b, op.getLoc(), op.getSourceType(), op.getDest(), op.getMixedOffsets(),
          op.getMixedSizes(), op.getMixedStrides());
      Operation *undefined = first->get().getDefiningOp();
      first->set(interior);
      if (undefined->use_empty())
        undefined->erase();
    }
  }
};

} // namespace

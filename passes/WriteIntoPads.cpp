// Lets the producer of a padded tensor's interior write into the padded buffer itself, so that
// bufferization leaves no copy of the interior (see Passes.td).
#include "passes/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

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

/// A reshape that only adds or drops unit dims (the group dim of a convolution with one
/// group): its inverse is a view of any strided buffer, the padded interior's included.
bool onlyUnitDims(Operation *op) {
  ArrayRef<int64_t> wide;
  SmallVector<ReassociationIndices> groups;
  if (auto c = dyn_cast<tensor::CollapseShapeOp>(op)) {
    wide = c.getSrcType().getShape();
    groups = c.getReassociationIndices();
  } else if (auto e = dyn_cast<tensor::ExpandShapeOp>(op)) {
    wide = e.getResultType().getShape();
    groups = e.getReassociationIndices();
  } else {
    return false;
  }
  if (ShapedType::isDynamicShape(wide))
    return false;
  return llvm::all_of(groups, [&](const ReassociationIndices &g) {
    return llvm::count_if(g, [&](int64_t d) { return wide[d] != 1; }) <= 1;
  });
}

/// Whether `v` is the destination of more than one op that writes into it in place: another
/// writer than the next step of the chain would make bufferization copy (reads are fine: they
/// read the interior view of the padded buffer, like the readers of the input itself).
bool writtenElsewhere(Value v) {
  int writers = 0;
  for (OpOperand &use : v.getUses()) {
    Operation *user = use.getOwner();
    if (auto dps = dyn_cast<DestinationStyleOpInterface>(user))
      writers += dps.isDpsInit(&use);
    else if (isa<scf::ForOp>(user) || onlyUnitDims(user) || !isMemoryEffectFree(user))
      ++writers; // A loop carrying it, a view of it: counted as writers, conservatively.
  }
  return writers > 1;
}

/// How the padded input is computed: `first` holds the undefined tensor its first in-place
/// write starts from; `reshapes` (unit dims only) lie between, from the input backwards.
struct Producer {
  OpOperand *first = nullptr;
  SmallVector<Operation *> reshapes;
};

/// Follows `source` back through in-place writes and unit-dim reshapes to the undefined
/// tensor it starts from. No value on the way in `block` may have another in-place writer.
std::optional<Producer> findProducer(Value source, Block *block) {
  Producer p;
  Value v = source;
  while (true) {
    // A reader that collapses the padded rows together (a pointwise Conv on the flattened
    // map) cannot view the interior: bufferization would copy it there instead.
    // Nor can a graph output (its buffer is the caller's, of identity layout: bufferization
    // would copy the interior out to a buffer of its own, then into the caller's).
    if (llvm::any_of(v.getUsers(), [](Operation *user) {
          return (isa<tensor::CollapseShapeOp>(user) && !onlyUnitDims(user)) ||
                 user->hasTrait<OpTrait::ReturnLike>();
        }))
      return std::nullopt;
    Operation *def = v.getDefiningOp();
    if (def && onlyUnitDims(def)) {
      p.reshapes.push_back(def);
      v = def->getOperand(0);
    } else if (OpOperand *d = destinationOf(v)) {
      p.first = d;
      v = d->get();
      if (isUndefined(v))
        return p;
    } else {
      return std::nullopt;
    }
    if (v.getParentBlock() == block && writtenElsewhere(v))
      return std::nullopt;
  }
}

/// The interior of `padded` as `p.first`'s tensor: an extract_slice, then the inverse of each
/// reshape on the way.
Value interiorView(OpBuilder &b, tensor::InsertSliceOp interior, Value padded,
                   const Producer &p) {
  Location loc = interior.getLoc();
  Value v = tensor::ExtractSliceOp::create(b, loc, interior.getSourceType(), padded,
                                           interior.getMixedOffsets(), interior.getMixedSizes(),
                                           interior.getMixedStrides());
  for (Operation *r : p.reshapes) {
    if (auto c = dyn_cast<tensor::CollapseShapeOp>(r))
      v = tensor::ExpandShapeOp::create(b, loc, c.getSrcType(), v, c.getReassociationIndices());
    else if (auto e = dyn_cast<tensor::ExpandShapeOp>(r))
      v = tensor::CollapseShapeOp::create(b, loc, e.getSrcType(), v, e.getReassociationIndices());
  }
  return v;
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
      Type expected = producer->reshapes.empty()
                          ? Type(op.getSourceType())
                          : producer->reshapes.back()->getOperand(0).getType();
      Operation *first = block->findAncestorOpInBlock(*producer->first->getOwner());
      if (producer->first->get().getType() == expected && first && first->isBeforeInBlock(op))
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
    Value interior = interiorView(b, op, padded, *producer);
    Operation *undefined = producer->first->get().getDefiningOp();
    producer->first->set(interior);
    if (undefined->use_empty())
      undefined->erase();
  }
};

} // namespace

// Producers that write in place, retargeted to slices of other tensors (see InPlaceWrites.h).
#include "passes/InPlaceWrites.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;

namespace onnxc {

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

bool isUndefined(Value v) {
  if (auto e = v.getDefiningOp<tensor::EmptyOp>())
    return e.getType().hasStaticShape();
  if (auto a = v.getDefiningOp<bufferization::AllocTensorOp>())
    return !a.getCopy() && a.getDynamicSizes().empty() && !a.getSizeHint();
  return false;
}

bool reshapeGroups(Operation *op, ArrayRef<int64_t> &wide,
                   SmallVector<ReassociationIndices> &groups) {
  if (auto c = dyn_cast<tensor::CollapseShapeOp>(op)) {
    wide = c.getSrcType().getShape();
    groups = c.getReassociationIndices();
  } else if (auto e = dyn_cast<tensor::ExpandShapeOp>(op)) {
    wide = e.getResultType().getShape();
    groups = e.getReassociationIndices();
  } else {
    return false;
  }
  return !ShapedType::isDynamicShape(wide);
}

bool onlyUnitDims(Operation *op) {
  ArrayRef<int64_t> wide;
  SmallVector<ReassociationIndices> groups;
  if (!reshapeGroups(op, wide, groups))
    return false;
  return llvm::all_of(groups, [&](const ReassociationIndices &g) {
    return llvm::count_if(g, [&](int64_t d) { return wide[d] != 1; }) <= 1;
  });
}

/// Whether `v` is the destination of more than one op that writes into it in place: another
/// writer than the next step of the chain would make bufferization copy (reads are fine: they
/// read the view, like the readers of the original tensor).
static bool writtenElsewhere(Value v) {
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

/// For a concatenation rewritten by onnx-write-into-concats: `first` is its first
/// insert_slice's destination, and that insert's source was written into an extract_slice of
/// the same slice of the undefined tensor. That extract_slice's source operand, or null.
static OpOperand *concatRootSlice(OpOperand *first) {
  auto insert = dyn_cast<tensor::InsertSliceOp>(first->getOwner());
  if (!insert)
    return nullptr;
  for (OpOperand &use : first->get().getUses())
    if (auto e = dyn_cast<tensor::ExtractSliceOp>(use.getOwner()))
      if (e.getMixedOffsets() == insert.getMixedOffsets() &&
          e.getMixedSizes() == insert.getMixedSizes() &&
          e.getMixedStrides() == insert.getMixedStrides() &&
          writtenInto(insert.getSource(), e.getResult()))
        return &use;
  return nullptr;
}

std::optional<Producer> findProducer(Value source, Block *block,
                                     function_ref<bool(Operation *)> viewable) {
  Producer p;
  Value v = source;
  while (true) {
    // A reader that collapses the rows together (a pointwise Conv on the flattened map)
    // cannot view a slice of a larger buffer: bufferization would copy it there instead.
    // Nor can a graph output (its buffer is the caller's, of identity layout: bufferization
    // would copy the slice out to a buffer of its own, then into the caller's).
    if (llvm::any_of(v.getUsers(), [](Operation *user) {
          return (isa<tensor::CollapseShapeOp>(user) && !onlyUnitDims(user)) ||
                 user->hasTrait<OpTrait::ReturnLike>();
        }))
      return std::nullopt;
    Operation *def = v.getDefiningOp();
    if (def && (onlyUnitDims(def) || (v == source && viewable &&
                                       isa<tensor::CollapseShapeOp, tensor::ExpandShapeOp>(def) &&
                                       viewable(def)))) {
      p.reshapes.push_back(def);
      v = def->getOperand(0);
    } else if (OpOperand *d = destinationOf(v)) {
      p.first = d;
      v = d->get();
      if (isUndefined(v)) {
        p.rootSlice = concatRootSlice(d);
        return p;
      }
    } else {
      return std::nullopt;
    }
    if (v.getParentBlock() == block && writtenElsewhere(v))
      return std::nullopt;
  }
}

Operation *Producer::firstWriteIn(Block *block) const {
  Operation *at = block->findAncestorOpInBlock(*first->getOwner());
  if (!at || !rootSlice)
    return at;
  Operation *slice = block->findAncestorOpInBlock(*rootSlice->getOwner());
  if (!slice)
    return nullptr;
  return slice->isBeforeInBlock(at) ? slice : at;
}

void Producer::retarget(Value v) const {
  Operation *undefined = first->get().getDefiningOp();
  first->set(v);
  if (rootSlice)
    rootSlice->set(v);
  if (undefined->use_empty())
    undefined->erase();
}

Type producerTensorType(tensor::InsertSliceOp insert, const Producer &p) {
  return p.reshapes.empty() ? Type(insert.getSourceType())
                            : p.reshapes.back()->getOperand(0).getType();
}

Value sliceAsProducerTensor(OpBuilder &b, tensor::InsertSliceOp insert, Value dest,
                            const Producer &p) {
  Location loc = insert.getLoc();
  Value v = tensor::ExtractSliceOp::create(b, loc, insert.getSourceType(), dest,
                                           insert.getMixedOffsets(), insert.getMixedSizes(),
                                           insert.getMixedStrides());
  for (Operation *r : p.reshapes) {
    if (auto c = dyn_cast<tensor::CollapseShapeOp>(r))
      v = tensor::ExpandShapeOp::create(b, loc, c.getSrcType(), v, c.getReassociationIndices());
    else if (auto e = dyn_cast<tensor::ExpandShapeOp>(r))
      v = tensor::CollapseShapeOp::create(b, loc, e.getSrcType(), v, e.getReassociationIndices());
  }
  return v;
}

} // namespace onnxc

// Lets the producers of a concatenation's operands write into their slices of the
// concatenated tensor, so that bufferization leaves no copy of them (see Passes.td).
#include "passes/InPlaceWrites.h"
#include "passes/Passes.h"

namespace onnxc {
#define GEN_PASS_DEF_WRITEINTOCONCATS
#include "passes/Passes.h.inc"
} // namespace onnxc

using namespace mlir;
using namespace onnxc;

namespace {

/// A concatenation as ConcatLowering builds it (passes/lowering/DataMovement.cpp): an undefined
/// static tensor, then one insert_slice per operand into the previous one, static, the
/// operands' slices consecutive along one axis and covering the whole tensor. Each insert
/// but the last is read by the next one only. A padded tensor's chain (border slabs, then the
/// interior) never has slices consecutive along one axis.
struct Concat {
  Value undefined;
  SmallVector<tensor::InsertSliceOp> inserts;
  int64_t axis;
};

/// Whether a reshape defining an operand of a concatenation along `axis` has an inverse that
/// is a view of the operand's slice: that slice is whole in every dim but `axis`, so a group
/// of dims collapses into one stride unless `axis` (not unit there) follows a non-unit dim of
/// its group (a flattened 1x1 Conv's rows [oh, ow] are whole; [channels, oh] would not be).
bool viewableInSlice(Operation *reshape, int64_t axis) {
  ArrayRef<int64_t> wide;
  SmallVector<ReassociationIndices> groups;
  // The inverse of a collapse expands dims of the slice: a view of any strided buffer.
  if (isa<tensor::CollapseShapeOp>(reshape))
    return true;
  if (!reshapeGroups(reshape, wide, groups))
    return false;
  return llvm::all_of(groups, [&](const ReassociationIndices &g) {
    bool nonUnitBefore = false;
    for (int64_t d : g) {
      if (wide[d] == 1)
        continue;
      if (d == axis && nonUnitBefore)
        return false;
      nonUnitBefore = true;
    }
    return true;
  });
}

std::optional<Concat> matchConcat(tensor::InsertSliceOp last) {
  Concat c;
  Value v = last.getResult();
  while (auto insert = v.getDefiningOp<tensor::InsertSliceOp>()) {
    if (insert != last && !insert->hasOneUse())
      break;
    c.inserts.push_back(insert);
    v = insert.getDest();
  }
  std::reverse(c.inserts.begin(), c.inserts.end());
  // The chain starts at the undefined tensor: the first insert found from `last` whose
  // destination is something else ends the match (then `last` was no concatenation's last).
  if (c.inserts.size() < 2 || !isUndefined(v) || v.getParentBlock() != last->getBlock())
    return std::nullopt;
  c.undefined = v;
  auto type = cast<RankedTensorType>(v.getType());
  std::optional<int64_t> axis;
  int64_t offset = 0;
  for (tensor::InsertSliceOp insert : c.inserts) {
    if (insert->getBlock() != last->getBlock() || !insert.getOffsets().empty() ||
        !insert.getSizes().empty() || !insert.hasUnitStride() ||
        insert.getSourceType().getRank() != type.getRank())
      return std::nullopt;
    ArrayRef<int64_t> offsets = insert.getStaticOffsets(), sizes = insert.getStaticSizes();
    for (int64_t d = 0; d < type.getRank(); ++d) {
      if (sizes[d] == type.getDimSize(d) && offsets[d] == 0 && axis != d)
        continue;
      if (axis && axis != d)
        return std::nullopt;
      axis = d;
      if (offsets[d] != offset)
        return std::nullopt;
      offset += sizes[d];
    }
  }
  if (!axis || offset != type.getDimSize(*axis))
    return std::nullopt;
  c.axis = *axis;
  return c;
}

/// Whether the values from `source` back to its undefined tensor are read by the next step
/// only. Needed when `p` goes through a reshape that changes more than unit dims: one-shot
/// bufferization does not see the operand's insert_slice as a write of what is already there
/// through such a reshape, and would copy the slice out and back for another reader.
bool readOnceIfFlattened(Value source, const Producer &p) {
  if (llvm::all_of(p.reshapes, onlyUnitDims))
    return true;
  for (Value v = source; !isUndefined(v);) {
    if (!v.hasOneUse())
      return false;
    Operation *def = v.getDefiningOp();
    v = llvm::is_contained(p.reshapes, def) ? def->getOperand(0) : destinationOf(v)->get();
  }
  return true;
}

struct WriteIntoConcatsPass : onnxc::impl::WriteIntoConcatsBase<WriteIntoConcatsPass> {
  void runOnOperation() override {
    SmallVector<Concat> concats;
    getOperation().walk([&](tensor::InsertSliceOp op) {
      // Only from a chain's last insert (one that no insert of a chain continues).
      if (op->hasOneUse())
        if (auto next = dyn_cast<tensor::InsertSliceOp>(*op->user_begin());
            next && next.getDest() == op.getResult())
          return;
      if (std::optional<Concat> c = matchConcat(op))
        concats.push_back(*c);
    });
    // In block order: an inner concatenation's inserts are in place before the outer one
    // follows its operand back through them.
    for (Concat &c : concats)
      rewrite(c);
  }

  /// The concatenation gets an undefined tensor of its own (CSE merges equal tensor.empty),
  /// placed before the first write of the operands' producers. Its inserts are into disjoint
  /// slices: they are reordered by when each operand is complete. In that order the producer
  /// writes into its slice of the tensor so far and the insert moves up to right after its
  /// source, so that the next producer can write into its result. An operand whose producer
  /// cannot (a graph input, a constant, a value with another writer, a producer whose first
  /// write comes before the previous operand is complete) keeps its copy.
  void rewrite(Concat &c) {
    Block *block = c.inserts.front()->getBlock();
    struct Part {
      tensor::InsertSliceOp insert;
      std::optional<Producer> producer;
      Operation *complete; // The source's definition in the block; null: before it.
    };
    SmallVector<Part> parts;
    Operation *earliest = nullptr;
    for (tensor::InsertSliceOp insert : c.inserts) {
      std::optional<Producer> p = findProducer(
          insert.getSource(), block, [&](Operation *r) { return viewableInSlice(r, c.axis); });
      Operation *first = p ? p->firstWriteIn(block) : nullptr;
      if (!first || p->undefinedType() != producerTensorType(insert, *p) ||
          !readOnceIfFlattened(insert.getSource(), *p))
        p.reset();
      else if (!earliest || first->isBeforeInBlock(earliest))
        earliest = first;
      Operation *source = insert.getSource().getDefiningOp();
      parts.push_back({insert, p, source ? block->findAncestorOpInBlock(*source) : nullptr});
    }
    if (!earliest)
      return;
    llvm::stable_sort(parts, [](const Part &a, const Part &b) {
      return b.complete && (!a.complete || a.complete->isBeforeInBlock(b.complete));
    });
    SmallVector<OpOperand *> results;
    for (OpOperand &use : c.inserts.back()->getUses())
      results.push_back(&use);
    OpBuilder b(earliest);
    Operation *undefined = c.undefined.getDefiningOp();
    Operation *at = b.clone(*undefined); // No operands: static.
    Value dest = at->getResult(0);
    for (Part &part : parts) {
      Operation *first = part.producer ? part.producer->firstWriteIn(block) : nullptr;
      if (first && at->isBeforeInBlock(first)) {
        b.setInsertionPoint(first);
        part.producer->retarget(sliceAsProducerTensor(b, part.insert, dest, *part.producer));
      }
      // The insert goes right after the later of its source and its destination: both
      // come before the concatenation's last insert, its users after.
      Operation *after = part.complete && at->isBeforeInBlock(part.complete) ? part.complete : at;
      part.insert.getDestMutable().set(dest);
      part.insert->moveAfter(after);
      dest = part.insert.getResult();
      at = part.insert;
    }
    for (OpOperand *use : results)
      use->set(dest);
    if (undefined->use_empty())
      undefined->erase();
  }
};

} // namespace

// How a tensor is computed by ops that write in place, and how to make those ops write into a
// slice of another tensor instead (a padded buffer's interior, a concatenation's part): shared
// by onnx-write-into-pads and onnx-write-into-concats.
#ifndef ONNXC_PASSES_INPLACEWRITES_H
#define ONNXC_PASSES_INPLACEWRITES_H

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"

#include <optional>

namespace onnxc {

/// The operand whose buffer `v`'s becomes when its defining op writes in place: a destination
/// style op's (linalg ops, vector.transfer_write, tensor.insert_slice) tied init, an scf.for
/// result's init when the loop yields what it wrote into its iter_arg. Null otherwise.
mlir::OpOperand *destinationOf(mlir::Value v);

/// Whether `v` is `target` after in-place writes (destinationOf) only.
bool writtenInto(mlir::Value v, mlir::Value target);

/// A tensor whose contents are undefined: replacing it with any tensor of its type is correct.
bool isUndefined(mlir::Value v);

/// A reshape's (collapse_shape, expand_shape) expanded shape and reassociation groups; false
/// for another op or a dynamic shape.
bool reshapeGroups(mlir::Operation *op, llvm::ArrayRef<int64_t> &wide,
                   llvm::SmallVector<mlir::ReassociationIndices> &groups);

/// A reshape that only adds or drops unit dims (the group dim of a convolution with one
/// group): its inverse is a view of any strided buffer.
bool onlyUnitDims(mlir::Operation *op);

/// How a tensor is computed: `first` holds the undefined tensor its first in-place write
/// starts from; `reshapes` (unit dims only) lie between, from the tensor backwards.
/// `rootSlice`: when `first` is a concatenation's first insert_slice whose source was itself
/// made to write into a slice of the same undefined tensor (onnx-write-into-concats), that
/// extract_slice's source operand: it must see the same replacement as `first`.
struct Producer {
  mlir::OpOperand *first = nullptr;
  mlir::OpOperand *rootSlice = nullptr;
  llvm::SmallVector<mlir::Operation *> reshapes;

  /// The type a replacement of the undefined tensor must have.
  mlir::Type undefinedType() const { return first->get().getType(); }
  /// The op of `block` before which that replacement must be built (the earlier of the
  /// ancestors of `first`'s and `rootSlice`'s owners), or null if one is outside `block`.
  mlir::Operation *firstWriteIn(mlir::Block *block) const;
  /// Replaces the undefined tensor with `v` and erases it when it is left unused.
  void retarget(mlir::Value v) const;
};

/// Follows `source` back through in-place writes and unit-dim reshapes to the undefined
/// tensor it starts from. No value on the way in `block` may have another in-place writer,
/// nor be a graph output or read through a flattening reshape (neither can read a view).
/// `viewable`: whether the reshape that defines `source` itself, if it changes more than unit
/// dims, has an inverse that is a view of the slice that will replace `source`.
std::optional<Producer>
findProducer(mlir::Value source, mlir::Block *block,
             llvm::function_ref<bool(mlir::Operation *)> viewable = nullptr);

/// The slice of `dest` that `insert` writes, as the tensor `p` first writes into: an
/// extract_slice, then the inverse of each reshape on the way.
mlir::Value sliceAsProducerTensor(mlir::OpBuilder &b, mlir::tensor::InsertSliceOp insert,
                                  mlir::Value dest, const Producer &p);

/// The type `sliceAsProducerTensor` gives for `insert`.
mlir::Type producerTensorType(mlir::tensor::InsertSliceOp insert, const Producer &p);

} // namespace onnxc

#endif

// Sequences whose structure is known at compile time, resolved at import (Sequences.cpp).
#ifndef ONNXC_COMPILER_IMPORT_SEQUENCES_H
#define ONNXC_COMPILER_IMPORT_SEQUENCES_H

#include "compiler/import/OpTable.h"

#include <optional>

namespace onnxc {

/// A sequence value: its tensors in order. An element is null when only the sequence's length
/// is known (SplitToSequence with run-time split sizes); `unknownReason` then says why.
struct SequenceValue {
  llvm::SmallVector<mlir::Value> elements;
  std::string unknownReason;
};
using SequenceMap = llvm::StringMap<SequenceValue>;

/// The sequence ops the importer resolves (SequenceConstruct, SequenceEmpty, SequenceInsert,
/// SequenceErase, SequenceAt, SequenceLength, ConcatFromSequence, SplitToSequence).
bool isSequenceOp(llvm::StringRef opType);

/// Imports one sequence op: a sequence result is recorded in `sequences` under the node's
/// output name (and nullopt returned); a tensor result is returned.
llvm::FailureOr<std::optional<mlir::Value>> importSequenceNode(NodeContext &c,
                                                               SequenceMap &sequences);

} // namespace onnxc

#endif

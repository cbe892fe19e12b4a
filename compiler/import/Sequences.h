// Sequences whose structure is known at compile time, resolved at import (Sequences.cpp).
#ifndef ONNXC_COMPILER_IMPORT_SEQUENCES_H
#define ONNXC_COMPILER_IMPORT_SEQUENCES_H

#include "compiler/import/OpTable.h"

#include <optional>

namespace onnxc {

/// A sequence whose tensors are known only at run time: a sequence-typed graph input
/// (`input`, its main_graph argument index) edited by SequenceInsert/SequenceErase. The
/// compiled graph never reads its tensors: the runtime stub builds the graph's sequence
/// outputs from the input's tensors and the edits' tensors after the run (the "sequence
/// plan", runtime-stub/runtime.c), so only structural ops may take it.
struct RuntimeSequence {
  int input = -1;
  /// OptionalGetElement of an optional sequence input: an absent input ends the run with
  /// ONNXC_ERROR_RUNTIME_CHECK (else an absent input makes the output absent).
  bool required = false;
  struct Edit {
    bool insert;          // SequenceInsert (else SequenceErase)
    mlir::Value tensor;   // the inserted tensor
    mlir::Value position; // integer scalar (or [1]); null: the end (insert), the last (erase)
    /// Set: append the tensors a Loop collected (onnx.SequencePush to this placeholder; the
    /// plan's instruction 5), not `tensor`.
    mlir::Value collector = {};
  };
  llvm::SmallVector<Edit> edits;
  /// The sequence a Loop body receives for a carried sequence (input -1, ControlFlow.cpp
  /// importLoop): the body may append to it (SequenceInsert without a position; `edits`
  /// until they are pushed to `collector` where a region yields it) or replace it in an If
  /// branch by a sequence built there.
  bool loopCarried = false;
  mlir::Value collector;    // loopCarried: its token (tensor<0xi8>) where it is
  int64_t collectorId = -1; // loopCarried: its collector
};

/// A sequence value: its tensors in order. An element is null when only the sequence's length
/// is known (SplitToSequence with run-time split sizes); `unknownReason` then says why. With
/// `runtime` set, the tensors are known only at run time (`elements` is unused).
struct SequenceValue {
  llvm::SmallVector<mlir::Value> elements;
  std::string unknownReason;
  std::optional<RuntimeSequence> runtime;
  mlir::Type elementType; // runtime sequences: the tensors' element type
  /// A SequenceMap's output over sequence inputs: the body's output for one element (the
  /// model's kernel then runs once per element: compiler/import/SequenceMap.cpp).
  mlir::Value mapped;
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

// Byte offsets of the graph's entries in the model file, for diagnostics
// ("model.onnx:@0x1a2b: node 'Conv_12' (Conv, opset 13): error: ...").
//
// protobuf's parser keeps no positions, so a second, light pass over the wire format records
// where each graph.node[i], graph.initializer[i], graph.input[i] and graph.output[i] begins.
// The offset is that of the entry's own encoded message (after its field tag and length), so
// `dd bs=1 skip=OFFSET` starts at the NodeProto. Repeated `graph` fields are merged by
// protobuf (their lists concatenate); the scan concatenates the same way, so indices match.
// The input is untrusted: every read is bounds-checked, and anything unexpected ends the scan
// (the entries not reached simply have no offset).
#ifndef ONNXC_COMPILER_IMPORT_MODELOFFSETS_H
#define ONNXC_COMPILER_IMPORT_MODELOFFSETS_H

#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace onnxc {

struct ModelOffsets {
  std::vector<uint64_t> nodes, initializers, inputs, outputs;

  static std::optional<uint64_t> at(const std::vector<uint64_t> &list, int index) {
    if (index < 0 || static_cast<size_t>(index) >= list.size())
      return std::nullopt;
    return list[index];
  }
};

/// Scans a serialized ModelProto (already accepted by protobuf's parser, or not).
ModelOffsets scanModelOffsets(llvm::StringRef bytes);

} // namespace onnxc

#endif

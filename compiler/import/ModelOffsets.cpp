#include "compiler/import/ModelOffsets.h"

namespace onnxc {
namespace {

// Field numbers in onnx.proto.
constexpr uint64_t kModelGraph = 7;
constexpr uint64_t kGraphNode = 1, kGraphInitializer = 5, kGraphInput = 11, kGraphOutput = 12;

enum WireType { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5 };

/// A bounds-checked reader over [begin, end) of the file; `pos` is an absolute offset.
struct Reader {
  const uint8_t *data;
  uint64_t pos, end;

  bool varint(uint64_t &v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos >= end)
        return false;
      uint8_t byte = data[pos++];
      v |= uint64_t(byte & 0x7f) << shift;
      if (!(byte & 0x80))
        return true;
    }
    return false; // More than 10 bytes: malformed.
  }

  /// Reads one field's tag and locates its payload. For length-delimited fields `payload` is
  /// the absolute offset of the content and `length` its size; other wire types are skipped.
  bool field(uint64_t &number, int &wireType, uint64_t &payload, uint64_t &length) {
    uint64_t tag;
    if (!varint(tag))
      return false;
    number = tag >> 3;
    wireType = static_cast<int>(tag & 7);
    length = 0;
    switch (wireType) {
    case kVarint: {
      uint64_t ignored;
      return varint(ignored);
    }
    case kFixed64:
      length = 8;
      break;
    case kFixed32:
      length = 4;
      break;
    case kLengthDelimited:
      if (!varint(length))
        return false;
      break;
    default: // Groups (deprecated) and invalid wire types: stop.
      return false;
    }
    if (length > end - pos)
      return false;
    payload = pos;
    pos += length;
    return true;
  }
};

void scanGraph(const uint8_t *data, uint64_t begin, uint64_t end, ModelOffsets &out) {
  Reader r{data, begin, end};
  uint64_t number, payload, length;
  int wireType;
  while (r.pos < r.end && r.field(number, wireType, payload, length)) {
    if (wireType != kLengthDelimited)
      continue;
    if (number == kGraphNode)
      out.nodes.push_back(payload);
    else if (number == kGraphInitializer)
      out.initializers.push_back(payload);
    else if (number == kGraphInput)
      out.inputs.push_back(payload);
    else if (number == kGraphOutput)
      out.outputs.push_back(payload);
  }
}

} // namespace

ModelOffsets scanModelOffsets(llvm::StringRef bytes) {
  ModelOffsets out;
  const auto *data = reinterpret_cast<const uint8_t *>(bytes.data());
  Reader r{data, 0, bytes.size()};
  uint64_t number, payload, length;
  int wireType;
  while (r.pos < r.end && r.field(number, wireType, payload, length))
    if (number == kModelGraph && wireType == kLengthDelimited)
      scanGraph(data, payload, payload + length, out);
  return out;
}

} // namespace onnxc

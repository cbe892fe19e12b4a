// TensorProto payloads as dense little-endian bytes, without MLIR: shared by the importer and
// onnx-run.
#ifndef ONNXC_COMPILER_IMPORT_TENSORDATA_H
#define ONNXC_COMPILER_IMPORT_TENSORDATA_H

#include <cstdint>
#include <string>
#include <vector>

namespace onnx {
class TensorProto;
}

namespace onnxc {

/// Bytes per element in ONNX's raw_data layout (bool and 8-bit types: one byte).
int64_t rawElementSize(int dataType);

/// Element count from dims; false (with `error`) on negative dims or overflow.
bool tensorElementCount(const onnx::TensorProto &t, int64_t &count, std::string &error);

/// Packs the typed repeated field that holds the tensor's data type into raw layout.
bool packTypedFields(const onnx::TensorProto &t, int64_t count, std::vector<char> &out,
                     std::string &error);

} // namespace onnxc

#endif

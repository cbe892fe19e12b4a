#include "compiler/import/TensorReader.h"
#include "compiler/import/TensorData.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <onnx/onnx-ml.pb.h>

#include <cstring>

using namespace mlir;

namespace onnxc {

Type elementTypeFor(MLIRContext &ctx, int dt) {
  Builder b(&ctx);
  switch (dt) {
  case ::onnx::TensorProto::FLOAT: return b.getF32Type();
  case ::onnx::TensorProto::DOUBLE: return b.getF64Type();
  case ::onnx::TensorProto::FLOAT16: return b.getF16Type();
  case ::onnx::TensorProto::BFLOAT16: return b.getBF16Type();
  case ::onnx::TensorProto::INT8: return b.getIntegerType(8);
  case ::onnx::TensorProto::INT16: return b.getIntegerType(16);
  case ::onnx::TensorProto::INT32: return b.getIntegerType(32);
  case ::onnx::TensorProto::INT64: return b.getIntegerType(64);
  case ::onnx::TensorProto::UINT8: return b.getIntegerType(8, /*isSigned=*/false);
  case ::onnx::TensorProto::UINT16: return b.getIntegerType(16, false);
  case ::onnx::TensorProto::UINT32: return b.getIntegerType(32, false);
  case ::onnx::TensorProto::UINT64: return b.getIntegerType(64, false);
  case ::onnx::TensorProto::BOOL: return b.getI1Type();
  default: return nullptr;
  }
}

const char *dataTypeName(int dt) {
  if (::onnx::TensorProto_DataType_IsValid(dt))
    return ::onnx::TensorProto_DataType_Name(static_cast<::onnx::TensorProto_DataType>(dt)).c_str();
  return "UNKNOWN";
}

/// Reads the external-data slice of `tensor`, refusing locations outside the model's folder.
static std::unique_ptr<llvm::MemoryBuffer> readExternal(const ::onnx::TensorProto &tensor,
                                                        const TensorReadContext &rc,
                                                        int64_t expectedBytes,
                                                        std::string &error) {
  std::string location;
  int64_t offset = 0, length = -1;
  for (const auto &kv : tensor.external_data()) {
    if (kv.key() == "location") {
      location = kv.value();
    } else if (kv.key() == "offset" || kv.key() == "length") {
      int64_t v;
      // Decimal digits only; out-of-range values are refused, not saturated.
      if (llvm::StringRef(kv.value()).getAsInteger(10, v) || v < 0) {
        error = "external data " + kv.key() + " '" + kv.value() + "' is not a valid number";
        return nullptr;
      }
      (kv.key() == "offset" ? offset : length) = v;
    }
  }
  if (location.empty()) {
    error = "external data has no location";
    return nullptr;
  }
  if (llvm::sys::path::is_absolute(location)) {
    error = "external data location '" + location + "' is absolute; it must be relative to the "
            "model's folder";
    return nullptr;
  }
  llvm::SmallString<256> dirReal, fileReal, joined(rc.modelDir);
  llvm::sys::path::append(joined, location);
  if (llvm::sys::fs::real_path(rc.modelDir, dirReal) ||
      llvm::sys::fs::real_path(joined, fileReal)) {
    error = "external data file '" + location + "' cannot be opened";
    return nullptr;
  }
  std::string prefix = std::string(dirReal.str()) + "/";
  if (fileReal.str().substr(0, prefix.size()) != prefix) {
    error = "external data location '" + location + "' leaves the model's folder";
    return nullptr;
  }
  uint64_t fileSize = 0;
  if (llvm::sys::fs::file_size(fileReal, fileSize) || !llvm::sys::fs::is_regular_file(fileReal)) {
    error = "external data file '" + location + "' is not a regular file";
    return nullptr;
  }
  if (length < 0)
    length = static_cast<int64_t>(fileSize) - offset;
  // Compared as "length > what is left": offset + length may overflow (both come from the file).
  if (offset < 0 || static_cast<uint64_t>(offset) > fileSize || length < 0 ||
      static_cast<uint64_t>(length) > fileSize - static_cast<uint64_t>(offset)) {
    error = "external data range [" + std::to_string(offset) + ", +" + std::to_string(length) +
            ") lies past the end of '" + location + "' (" + std::to_string(fileSize) + " bytes)";
    return nullptr;
  }
  if (length != expectedBytes) {
    error = "external data holds " + std::to_string(length) + " bytes but the shape needs " +
            std::to_string(expectedBytes);
    return nullptr;
  }
  auto buf = llvm::MemoryBuffer::getFileSlice(fileReal, length, offset);
  if (!buf) {
    error = "cannot read external data file '" + location + "'";
    return nullptr;
  }
  return std::move(*buf);
}

ElementsAttr readTensor(MLIRContext &ctx, ::onnx::TensorProto &t, const TensorReadContext &rc,
                        std::string &error) {
  int dt = t.data_type();
  if (dt == ::onnx::TensorProto::STRING) {
    error = "string tensors are not supported";
    return nullptr;
  }
  Type et = elementTypeFor(ctx, dt);
  if (!et) {
    error = std::string("tensor data type ") + dataTypeName(dt) + " (" + std::to_string(dt) +
            ") is not supported";
    return nullptr;
  }
  int64_t n = 0;
  if (!tensorElementCount(t, n, error))
    return nullptr;
  SmallVector<int64_t> dims(t.dims().begin(), t.dims().end());
  auto type = RankedTensorType::get(dims, et);
  int64_t es = rawElementSize(dt), bytes = n * es;

  if (t.has_data_location() && t.data_location() == ::onnx::TensorProto::EXTERNAL) {
    auto buf = readExternal(t, rc, bytes, error);
    if (!buf)
      return nullptr;
    t.clear_external_data();
    t.set_raw_data(buf->getBufferStart(), buf->getBufferSize());
  }

  std::vector<char> packed;
  ArrayRef<char> raw;
  if (t.has_raw_data()) {
    if (static_cast<int64_t>(t.raw_data().size()) != bytes) {
      error = "raw_data holds " + std::to_string(t.raw_data().size()) +
              " bytes but the shape needs " + std::to_string(bytes);
      return nullptr;
    }
    raw = ArrayRef<char>(t.raw_data().data(), bytes);
  } else {
    if (!packTypedFields(t, n, packed, error))
      return nullptr;
    raw = packed;
  }

  if (et.isInteger(1)) {
    SmallVector<bool> values;
    for (char c : raw)
      values.push_back(c != 0);
    return DenseElementsAttr::get(type, values);
  }
  if (n > rc.inlineLimit && t.has_raw_data() &&
      reinterpret_cast<uintptr_t>(t.raw_data().data()) % es == 0) {
    // Take the protobuf's buffer over: the weights are not copied again.
    std::string *owned = t.release_raw_data();
    AsmResourceBlob blob(ArrayRef<char>(owned->data(), owned->size()), es,
                         [owned](void *, size_t, size_t) { delete owned; },
                         /*dataIsMutable=*/false);
    std::string key = t.name().empty() ? std::string("tensor") : t.name();
    return DenseResourceElementsAttr::get(type, key, std::move(blob));
  }
  if (n > rc.inlineLimit) {
    auto blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(raw, es);
    std::string key = t.name().empty() ? std::string("tensor") : t.name();
    return DenseResourceElementsAttr::get(type, key, std::move(blob));
  }
  bool detectedSplat = false;
  if (!DenseElementsAttr::isValidRawBuffer(type, raw, detectedSplat)) {
    error = "tensor data does not match its type";
    return nullptr;
  }
  return DenseElementsAttr::getFromRawBuffer(type, raw);
}

} // namespace onnxc

#include "compiler/import/TensorData.h"

#include <onnx/onnx-ml.pb.h>

#include <cstring>

namespace onnxc {

/// Bytes per element in ONNX's raw_data layout (bool: one byte).
int64_t rawElementSize(int dt) {
  switch (dt) {
  case ::onnx::TensorProto::DOUBLE: case ::onnx::TensorProto::INT64: case ::onnx::TensorProto::UINT64:
    return 8;
  case ::onnx::TensorProto::FLOAT: case ::onnx::TensorProto::INT32: case ::onnx::TensorProto::UINT32:
    return 4;
  case ::onnx::TensorProto::FLOAT16: case ::onnx::TensorProto::BFLOAT16:
  case ::onnx::TensorProto::INT16: case ::onnx::TensorProto::UINT16:
    return 2;
  default:
    return 1;
  }
}

bool tensorElementCount(const ::onnx::TensorProto &t, int64_t &count, std::string &error) {
  count = 1;
  for (int64_t d : t.dims()) {
    if (d < 0) {
      error = "tensor has negative dimension " + std::to_string(d);
      return false;
    }
    if (__builtin_mul_overflow(count, d, &count) || count > (int64_t(1) << 40)) {
      error = "tensor element count overflows";
      return false;
    }
  }
  return true;
}

/// memcpy that accepts an empty range: an empty repeated field's data() is null, and memcpy
/// with a null pointer is undefined even for 0 bytes (UBSan, found by the fuzzer on an
/// empty Constant of libonnx-testdata's Resize tests).
static void copyBytes(void *dst, const void *src, size_t bytes) {
  if (bytes)
    std::memcpy(dst, src, bytes);
}

/// Packs the typed repeated field that holds `dt` into ONNX's raw little-endian layout.
bool packTypedFields(const ::onnx::TensorProto &t, int64_t n, std::vector<char> &out,
                     std::string &error) {
  int dt = t.data_type();
  int64_t es = rawElementSize(dt);
  out.assign(n * es, 0);
  auto sizeError = [&](int have) {
    error = "tensor has " + std::to_string(have) + " values but its shape needs " +
            std::to_string(n);
    return false;
  };
  switch (dt) {
  case ::onnx::TensorProto::FLOAT:
    if (t.float_data_size() != n) return sizeError(t.float_data_size());
    copyBytes(out.data(), t.float_data().data(), n * 4);
    return true;
  case ::onnx::TensorProto::DOUBLE:
    if (t.double_data_size() != n) return sizeError(t.double_data_size());
    copyBytes(out.data(), t.double_data().data(), n * 8);
    return true;
  case ::onnx::TensorProto::INT64:
    if (t.int64_data_size() != n) return sizeError(t.int64_data_size());
    copyBytes(out.data(), t.int64_data().data(), n * 8);
    return true;
  case ::onnx::TensorProto::UINT32: case ::onnx::TensorProto::UINT64:
    if (t.uint64_data_size() != n) return sizeError(t.uint64_data_size());
    for (int64_t i = 0; i < n; ++i) {
      uint64_t v = t.uint64_data(i);
      std::memcpy(out.data() + i * es, &v, es); // Little endian: low bytes first.
    }
    return true;
  default: // int32_data carries every narrower type, fp16/bf16 as bit patterns.
    if (t.int32_data_size() != n) return sizeError(t.int32_data_size());
    for (int64_t i = 0; i < n; ++i) {
      int32_t v = t.int32_data(i);
      std::memcpy(out.data() + i * es, &v, es);
    }
    return true;
  }
}

} // namespace onnxc

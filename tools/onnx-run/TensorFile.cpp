#include "tools/onnx-run/TensorFile.h"

#include "compiler/import/TensorData.h"

#include <onnx/onnx-data.pb.h>
#include <onnx/onnx-ml.pb.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

namespace onnxc {

bool fileExists(const std::string &path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

int64_t dtypeSize(int dtype) { return rawElementSize(dtype); }

float halfToFloat(uint16_t h) {
  uint32_t sign = (h >> 15) & 1, exp = (h >> 10) & 0x1f, mant = h & 0x3ff, bits;
  if (exp == 0) {
    if (mant == 0) {
      bits = sign << 31;
    } else { // Subnormal: normalize.
      exp = 127 - 15 + 1;
      while (!(mant & 0x400)) {
        mant <<= 1;
        --exp;
      }
      bits = (sign << 31) | (exp << 23) | ((mant & 0x3ff) << 13);
    }
  } else if (exp == 31) {
    bits = (sign << 31) | 0x7f800000 | (mant << 13);
  } else {
    bits = (sign << 31) | ((exp + 127 - 15) << 23) | (mant << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

static bool readBytes(const std::string &path, std::string &bytes, std::string &error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot open";
    return false;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  bytes = ss.str();
  return true;
}

static bool fromTensorProto(const ::onnx::TensorProto &t, TensorFile &out, std::string &error);

/// Reads `path` into the protobuf message `m` (`what` names its type in the error).
template <typename Message>
static bool parseFile(const std::string &path, Message &m, const char *what,
                      std::string &error) {
  std::string bytes;
  if (!readBytes(path, bytes, error))
    return false;
  if (!m.ParseFromString(bytes)) {
    error = std::string("not ") + what;
    return false;
  }
  return true;
}

bool readTensorFile(const std::string &path, TensorFile &out, std::string &error) {
  ::onnx::TensorProto t;
  return parseFile(path, t, "a TensorProto", error) && fromTensorProto(t, out, error);
}

bool readOptionalTensorFile(const std::string &path, bool &present, TensorFile &out,
                            std::string &error) {
  ::onnx::OptionalProto o;
  if (!parseFile(path, o, "an OptionalProto", error))
    return false;
  out.name = o.name();
  present = o.elem_type() != ::onnx::OptionalProto::UNDEFINED;
  if (!present)
    return true;
  if (o.elem_type() != ::onnx::OptionalProto::TENSOR || !o.has_tensor_value()) {
    error = "an OptionalProto of a sequence, map or sparse tensor (only tensors are supported)";
    return false;
  }
  if (!fromTensorProto(o.tensor_value(), out, error))
    return false;
  out.name = o.name();
  return true;
}

static bool fromTensorProto(const ::onnx::TensorProto &t, TensorFile &out, std::string &error) {
  int64_t n = 0;
  if (!tensorElementCount(t, n, error))
    return false;
  out.name = t.name();
  out.dtype = t.data_type();
  out.dims.assign(t.dims().begin(), t.dims().end());
  if (t.has_raw_data()) {
    if (static_cast<int64_t>(t.raw_data().size()) != n * rawElementSize(out.dtype)) {
      error = "raw_data size does not match the dims";
      return false;
    }
    out.data.assign(t.raw_data().begin(), t.raw_data().end());
    return true;
  }
  return packTypedFields(t, n, out.data, error);
}

static bool fromSequenceProto(const ::onnx::SequenceProto &q, SequenceFile &out,
                              std::string &error) {
  out.name = q.name();
  out.tensors.clear();
  if (q.elem_type() != ::onnx::SequenceProto::TENSOR &&
      !(q.elem_type() == ::onnx::SequenceProto::UNDEFINED && q.tensor_values_size() == 0)) {
    error = "a SequenceProto of sequences, maps, optionals or sparse tensors (only tensors are "
            "supported)";
    return false;
  }
  for (const auto &t : q.tensor_values()) {
    out.tensors.emplace_back();
    if (!fromTensorProto(t, out.tensors.back(), error))
      return false;
  }
  return true;
}

bool readSequenceFile(const std::string &path, SequenceFile &out, std::string &error) {
  ::onnx::SequenceProto q;
  return parseFile(path, q, "a SequenceProto", error) && fromSequenceProto(q, out, error);
}

bool readOptionalSequenceFile(const std::string &path, bool &present, SequenceFile &out,
                              std::string &error) {
  ::onnx::OptionalProto o;
  if (!parseFile(path, o, "an OptionalProto", error))
    return false;
  out.name = o.name();
  present = o.elem_type() != ::onnx::OptionalProto::UNDEFINED;
  if (!present)
    return true;
  if (o.elem_type() != ::onnx::OptionalProto::SEQUENCE || !o.has_sequence_value()) {
    error = "an OptionalProto of something other than a sequence";
    return false;
  }
  if (!fromSequenceProto(o.sequence_value(), out, error))
    return false;
  out.name = o.name();
  return true;
}

bool writeSequenceFile(const std::string &path, const SequenceFile &in, std::string &error) {
  ::onnx::SequenceProto q;
  q.set_name(in.name);
  q.set_elem_type(::onnx::SequenceProto::TENSOR);
  for (const auto &tf : in.tensors) {
    auto *t = q.add_tensor_values();
    t->set_data_type(tf.dtype);
    for (int64_t d : tf.dims)
      t->add_dims(d);
    t->set_raw_data(std::string(tf.data.begin(), tf.data.end()));
  }
  std::ofstream out(path, std::ios::binary);
  if (!out || !q.SerializeToOstream(&out)) {
    error = "cannot write";
    return false;
  }
  return true;
}

bool writeTensorFile(const std::string &path, const TensorFile &in, std::string &error) {
  ::onnx::TensorProto t;
  t.set_name(in.name);
  t.set_data_type(in.dtype);
  for (int64_t d : in.dims)
    t.add_dims(d);
  t.set_raw_data(std::string(in.data.begin(), in.data.end()));
  std::ofstream out(path, std::ios::binary);
  if (!out || !t.SerializeToOstream(&out)) {
    error = "cannot write";
    return false;
  }
  return true;
}

} // namespace onnxc

// ONNX TensorProto files (.pb) as used by ONNX's backend test data.
#ifndef ONNXC_TOOLS_ONNXRUN_TENSORFILE_H
#define ONNXC_TOOLS_ONNXRUN_TENSORFILE_H

#include <cstdint>
#include <string>
#include <vector>

namespace onnxc {

struct TensorFile {
  std::string name;
  int dtype = 0;
  std::vector<int64_t> dims;
  std::vector<char> data; // Dense little-endian, bool as one byte.
};

bool fileExists(const std::string &path);
bool readTensorFile(const std::string &path, TensorFile &t, std::string &error);
/// An ONNX OptionalProto file (how the backend test data stores optional values): `present`
/// is false for an absent value, else `t` is its tensor (optionals of sequences are refused).
bool readOptionalTensorFile(const std::string &path, bool &present, TensorFile &t,
                            std::string &error);
bool writeTensorFile(const std::string &path, const TensorFile &t, std::string &error);

/// An ONNX SequenceProto of tensors (how the backend test data stores sequence values).
struct SequenceFile {
  std::string name;
  std::vector<TensorFile> tensors;
};
/// Reads a SequenceProto file; false (with `error`) unless it is a sequence of tensors.
bool readSequenceFile(const std::string &path, SequenceFile &s, std::string &error);
/// An OptionalProto of a sequence of tensors: `present` false for an absent value.
bool readOptionalSequenceFile(const std::string &path, bool &present, SequenceFile &s,
                              std::string &error);
bool writeSequenceFile(const std::string &path, const SequenceFile &s, std::string &error);
int64_t dtypeSize(int dtype);
float halfToFloat(uint16_t h);

} // namespace onnxc

#endif

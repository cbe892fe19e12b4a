// TensorProto -> MLIR types and elements attributes; shared by initializers, Constant nodes
// and attribute tensors. Also used by onnx-run (without MLIR) through DataType helpers.
#ifndef ONNXC_COMPILER_IMPORT_TENSORREADER_H
#define ONNXC_COMPILER_IMPORT_TENSORREADER_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"

#include <string>

namespace onnx {
class TensorProto;
}

namespace onnxc {

/// The MLIR element type for an ONNX TensorProto.DataType, or null if unsupported.
mlir::Type elementTypeFor(mlir::MLIRContext &ctx, int dataType);
/// ONNX's name for a TensorProto.DataType ("FLOAT", "INT64"...).
const char *dataTypeName(int dataType);

struct TensorReadContext {
  std::string modelDir;      // External data is resolved relative to this folder...
  int64_t inlineLimit = 1024; // ...and tensors above this many elements become blobs.
};

/// Converts `tensor` (consuming its raw_data when it can, to avoid a copy). On error returns
/// null and sets `error`.
mlir::ElementsAttr readTensor(mlir::MLIRContext &ctx, ::onnx::TensorProto &tensor,
                              const TensorReadContext &rc, std::string &error);

} // namespace onnxc

#endif

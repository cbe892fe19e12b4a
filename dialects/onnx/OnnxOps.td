// All op families of the dialect; each family is also generated on its own (see CMakeLists).
include "dialects/onnx/OnnxElementwiseOps.td"
include "dialects/onnx/OnnxLinearOps.td"
include "dialects/onnx/OnnxTensorOps.td"
include "dialects/onnx/OnnxReductionOps.td"
include "dialects/onnx/OnnxIndexingOps.td"
include "dialects/onnx/OnnxSamplingOps.td"
include "dialects/onnx/OnnxSignalOps.td"
include "dialects/onnx/OnnxControlOps.td"

// Signal processing: the window functions (and, later, DFT, STFT, MelWeightMatrix).
#ifndef ONNXC_ONNX_SIGNAL_TD
#define ONNXC_ONNX_SIGNAL_TD
include "dialects/onnx/OnnxBase.td"

// A generalized cosine window of `size` elements (a scalar input), of element type
// `output_datatype`: a0 - a1 cos(2 pi n / N) + a2 cos(4 pi n / N), N = size (periodic) or
// size - 1 (symmetric). The values depend on the result's length only, which must be known
// at compile time.
class Onnx_WindowOp<string mnemonic> : Onnx_Op<mnemonic> {
  let arguments = (ins Onnx_Tensor:$size, TypeAttr:$output_datatype,
                   DefaultValuedAttr<I64Attr, "1">:$periodic);
  let results = (outs Onnx_Tensor:$output);
  let assemblyFormat = "$size attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}
def Onnx_HannWindowOp : Onnx_WindowOp<"HannWindow">;
def Onnx_HammingWindowOp : Onnx_WindowOp<"HammingWindow">;
def Onnx_BlackmanWindowOp : Onnx_WindowOp<"BlackmanWindow">;

#endif

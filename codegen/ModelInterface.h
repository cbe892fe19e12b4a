// What the outside world sees of a compiled model: its tensors, workspace, and names. Read
// from main_graph before bufferization; consumed by entry-point, header and descriptor code.
#ifndef ONNXC_CODEGEN_MODELINTERFACE_H
#define ONNXC_CODEGEN_MODELINTERFACE_H

#include <cstdint>
#include <string>
#include <vector>

namespace onnxc {

struct TensorInterface {
  std::string name;   // ONNX name.
  std::string cName;  // Unique C identifier derived from the name.
  int dtype = 0;      // ONNX TensorProto.DataType.
  std::vector<int64_t> dims;  // ShapedType::kDynamic (< 0) for a dim known at run time.
  int64_t elementBytes = 0;
  std::vector<int> dimSymbols; // Inputs: the symbol of each run-time dim, -1 for a static one.
  bool optional = false;       // Inputs: an ONNX optional tensor, whose pointer may be NULL.
  /// Outputs: the size depends on tensor data with no bound; the run allocates it through the
  /// caller's allocator and returns the pointer in a slot (ONNXC_OUTPUT_ALLOCATED).
  bool allocated = false;
  /// A sequence of tensors (ABI 6, ONNXC_TENSOR_SEQUENCE / ONNXC_OUTPUT_SEQUENCE): passed as
  /// an onnxc_sequence; `dtype` is its tensors', `dims` is empty. An optional one (inputs, and
  /// outputs) may be absent: a NULL input, an output of length -1.
  bool sequence = false;
  /// Sequence outputs: how the runtime stub builds it after the run (runtime-stub/runtime.c,
  /// build_sequence): instructions over sequence inputs and hidden tensors.
  std::vector<int64_t> plan;
  /// Models that map sequences (ModelInterface::sequenceMap): the kernel's argument or
  /// result for one element; `dims`/`dimSymbols` are the element's (the kernel's view).
  bool mapped = false;
  bool isStatic() const {
    for (int64_t d : dims)
      if (d < 0)
        return false;
    return true;
  }
  /// 0 for a tensor with run-time dims.
  int64_t sizeBytes() const {
    if (!isStatic() || sequence)
      return 0;
    int64_t n = elementBytes;
    for (int64_t d : dims)
      n *= d;
    return n;
  }
};

struct ModelInterface {
  std::string name; // C prefix.
  std::string sourceFile;
  std::vector<TensorInterface> inputs, outputs;
  /// main_graph's results after the outputs: the tensors of sequence outputs (and run-time
  /// positions of their edits), static, written to buffers the runtime stub provides.
  std::vector<TensorInterface> hidden;
  bool hasSequences() const {
    for (const auto *list : {&inputs, &outputs})
      for (const auto &t : *list)
        if (t.sequence)
          return true;
    return false;
  }
  /// The symbols of the run-time dims (docs/dynamic-shapes.md); empty for a static model.
  std::vector<std::string> dimNames;
  /// Some output dims are counted from data at run time (NonZero, Unique...): the model runs
  /// through the dynamic entries even without symbols, and output_dims gives upper bounds.
  bool dataDependent = false;
  /// The kernel (main_graph) takes run-time dims (and onnxc_sizes computes its sizes).
  bool kernelDynamic() const { return !dimNames.empty() || dataDependent; }
  /// The model maps its sequence inputs (SequenceMap): the runtime stub runs the kernel once
  /// per element, with the element's dims (dimNames are then all the elements' symbols); to
  /// its callers the model is static, with workspace size 0.
  bool sequenceMap = false;
  /// Models that map sequences: the symbols the tensor inputs use, which the callers pass
  /// (the first numPublicDims of dimNames; the others come from the elements).
  size_t numPublicDims = 0;
  /// The symbols the callers pass.
  std::vector<std::string> publicDimNames() const {
    return sequenceMap ? std::vector<std::string>(dimNames.begin(),
                                                  dimNames.begin() + numPublicDims)
                       : dimNames;
  }
  /// A model with sequences, static to its callers, whose kernel has sizes counted from data
  /// inside it (a Slice in a Loop that appends to a carried sequence): the runtime stub runs
  /// the dynamic kernel with a workspace it sizes (onnxc_sizes) and allocates per run.
  bool sequenceDynamicKernel = false;
  /// The callers pass run-time dims (the dynamic entry points and header).
  bool isDynamic() const {
    return sequenceMap ? numPublicDims > 0 : !sequenceDynamicKernel && kernelDynamic();
  }
  int64_t publicWorkspaceSize() const {
    return sequenceMap || sequenceDynamicKernel ? 0 : workspaceSize;
  }
  /// Some intermediate sizes come from tensor data with no bound: their buffers are
  /// allocated per run, outside the workspace, and a run may return ONNXC_ERROR_DATA_SIZE or
  /// ONNXC_ERROR_OUT_OF_MEMORY (docs/dynamic-shapes.md).
  bool allocatesPerRun = false;
  bool allocatesOutputs() const {
    for (const auto &t : outputs)
      if (t.allocated)
        return true;
    return false;
  }
  int64_t workspaceSize = 0;
  int64_t workspaceAlignment = 64;
  /// --sanitize=address: (offset, size) pairs of workspace bytes the kernel wrapper poisons
  /// for the duration of a run (redzones between the planned buffers).
  std::vector<int64_t> redzones;
  std::string target; // "<triple> <cpu>"
  uint64_t requiredCpuFeatures = 0;
  bool cuda = false; // A --target cuda library: kernels on the GPU, the host side serial.
};

/// A C identifier from an arbitrary name: invalid characters become '_', a leading digit gets
/// a '_' prefix, C keywords get a '_' suffix.
std::string toCIdentifier(const std::string &name);
/// Gives every tensor a cName unique within the model.
void assignCNames(ModelInterface &model);

/// Writes the model's C header.
std::string emitHeader(const ModelInterface &model);

} // namespace onnxc

#endif

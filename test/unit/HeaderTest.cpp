// The generated C header: identifiers from hostile tensor names, unique names, content.
#include "codegen/ModelInterface.h"

#include <gtest/gtest.h>

using onnxc::toCIdentifier;

TEST(Header, IdentifiersFromHostileNames) {
  EXPECT_EQ(toCIdentifier("input:0"), "input_0");
  EXPECT_EQ(toCIdentifier("1x"), "_1x");
  EXPECT_EQ(toCIdentifier("class"), "class_");
  EXPECT_EQ(toCIdentifier(""), "_");
  EXPECT_EQ(toCIdentifier("a b/c"), "a_b_c");
}

TEST(Header, NamesEqualAfterCleaningStayDistinct) {
  onnxc::ModelInterface m;
  m.name = "net";
  m.inputs.push_back({"a:0", "", 1, {1}, 4});
  m.inputs.push_back({"a_0", "", 1, {1}, 4});
  m.outputs.push_back({"workspace", "", 1, {1}, 4});
  onnxc::assignCNames(m);
  EXPECT_EQ(m.inputs[0].cName, "a_0");
  EXPECT_EQ(m.inputs[1].cName, "a_0_2");
  EXPECT_NE(m.outputs[0].cName, "workspace") << "would clash with the workspace parameter";
}

TEST(Header, DeclaresTypedEntryAndConstants) {
  onnxc::ModelInterface m;
  m.name = "net";
  m.sourceFile = "evil */ name.onnx";
  m.workspaceSize = 4096;
  m.inputs.push_back({"x", "", 1, {1, 3}, 4});
  m.outputs.push_back({"y", "", 7, {1}, 8});
  onnxc::assignCNames(m);
  std::string h = onnxc::emitHeader(m);
  EXPECT_NE(h.find("int net_run(const float *x, int64_t *y, void *workspace);"), std::string::npos) << h;
  EXPECT_NE(h.find("#define NET_WORKSPACE_SIZE 4096"), std::string::npos);
  EXPECT_NE(h.find("#define NET_INPUT_X_DIM1 3"), std::string::npos);
  EXPECT_EQ(h.find("evil */"), std::string::npos) << "a file name must not end the comment";
  EXPECT_EQ(h.find("allocated per run"), std::string::npos);
  // Sizes from data with no bound: the header says what a run may allocate and return.
  m.allocatesPerRun = true;
  h = onnxc::emitHeader(m);
  EXPECT_NE(h.find("allocated per run with malloc"), std::string::npos) << h;
  EXPECT_NE(h.find("ONNXC_ERROR_DATA_SIZE"), std::string::npos);
}

// An optional input (an ONNX optional tensor) may be NULL: the header says so and defines
// <NAME>_OPTIONAL; other inputs do not get the macro, and the entry's signature is unchanged.
TEST(Header, MarksOptionalInputs) {
  onnxc::ModelInterface m;
  m.name = "net";
  m.inputs.push_back({"x", "", 1, {4}, 4});
  m.inputs.push_back({"y", "", 1, {4}, 4});
  m.inputs[0].optional = true;
  m.outputs.push_back({"z", "", 1, {4}, 4});
  onnxc::assignCNames(m);
  std::string h = onnxc::emitHeader(m);
  EXPECT_NE(h.find("#define NET_INPUT_X_OPTIONAL 1"), std::string::npos) << h;
  EXPECT_EQ(h.find("NET_INPUT_Y_OPTIONAL"), std::string::npos) << h;
  EXPECT_NE(h.find("pass NULL when the value is absent"), std::string::npos) << h;
  EXPECT_NE(h.find("returns 12, ONNXC_ERROR_RUNTIME_CHECK"), std::string::npos) << h;
  EXPECT_NE(h.find("int net_run(const float *x, const float *y, float *z, void *workspace);"),
            std::string::npos) << h;
  m.inputs[0].optional = false;
  EXPECT_EQ(onnxc::emitHeader(m).find("OPTIONAL"), std::string::npos);
}

// Dims known only at run time (docs/dynamic-shapes.md): parameters of every entry, named
// after their symbols, distinct from the tensors' names; no compile-time workspace size.
TEST(Header, DynamicDimsAreParameters) {
  onnxc::ModelInterface m;
  m.name = "net";
  m.dimNames = {"batch", "x"}; // "x" clashes with the input's name.
  m.inputs.push_back({"x", "", 1, {-1, 3, -1}, 4, {0, -1, 1}});
  m.outputs.push_back({"y", "", 1, {-1, 5}, 4});
  m.outputs.push_back({"z", "", 1, {2}, 4});
  onnxc::assignCNames(m);
  std::string h = onnxc::emitHeader(m);
  EXPECT_NE(h.find("#define NET_NUM_DIMS 2"), std::string::npos) << h;
  EXPECT_NE(h.find("#define NET_DIM_BATCH 0"), std::string::npos) << h;
  EXPECT_NE(h.find("#define NET_DIM_X_2 1"), std::string::npos) << h;
  EXPECT_NE(h.find("int64_t net_workspace_size(int64_t batch, int64_t x_2);"), std::string::npos) << h;
  EXPECT_NE(h.find("int net_output_dims(int64_t batch, int64_t x_2, int64_t *y_dims);"),
            std::string::npos) << h;
  EXPECT_NE(h.find("int net_run(int64_t batch, int64_t x_2, const float *x, float *y, float *z, "
                   "int64_t *y_dims, void *workspace);"),
            std::string::npos) << h;
  EXPECT_NE(h.find("#define NET_INPUT_X_DIM1 3"), std::string::npos) << h;
  EXPECT_EQ(h.find("#define NET_INPUT_X_DIM0"), std::string::npos) << "a run-time dim has no constant";
  EXPECT_EQ(h.find("NET_WORKSPACE_SIZE"), std::string::npos) << "the size depends on the dims";
  EXPECT_NE(h.find("#define NET_OUTPUT_Z_SIZE 2"), std::string::npos) << h;
}

// Outputs the run allocates (ONNXC_OUTPUT_ALLOCATED): a T ** slot in the typed entries, an
// _ALLOCATED constant, and the context's allocator setter; only in such models.
TEST(Header, AllocatedOutputsAreSlots) {
  onnxc::ModelInterface m;
  m.name = "net";
  m.dataDependent = true;
  m.inputs.push_back({"n", "", 7, {1}, 8});
  m.outputs.push_back({"y", "", 1, {-1}, 4});
  m.outputs.push_back({"z", "", 1, {2}, 4});
  m.outputs[0].allocated = true;
  onnxc::assignCNames(m);
  std::string h = onnxc::emitHeader(m);
  EXPECT_NE(h.find("#define NET_OUTPUT_Y_ALLOCATED 1"), std::string::npos) << h;
  EXPECT_EQ(h.find("NET_OUTPUT_Z_ALLOCATED"), std::string::npos) << h;
  EXPECT_NE(h.find("int net_run(const int64_t *n, float **y, float *z, int64_t *y_dims, "
                   "void *workspace);"),
            std::string::npos) << h;
  EXPECT_NE(h.find("int net_run_context(net_context *context, const int64_t *n, float **y, "
                   "float *z, int64_t *y_dims);"),
            std::string::npos) << h;
  EXPECT_NE(h.find("int net_set_allocator(net_context *context,"), std::string::npos) << h;
  EXPECT_NE(h.find("#include <stddef.h>"), std::string::npos) << "size_t";
  m.outputs[0].allocated = false;
  h = onnxc::emitHeader(m);
  EXPECT_EQ(h.find("ALLOCATED"), std::string::npos) << h;
  EXPECT_EQ(h.find("set_allocator"), std::string::npos) << h;
}

// Sequence inputs and outputs (ABI 6): typed as struct onnxc_sequence pointers, marked
// <NAME>_SEQUENCE, without dims; a model that maps sequences has workspace size 0 and, with
// public dims, takes only those (not the elements' symbols) in its dynamic entries.
TEST(Header, DeclaresSequences) {
  onnxc::ModelInterface m;
  m.name = "net";
  m.workspaceSize = 256;
  m.inputs.push_back({"x", "", 1, {}, 4});
  m.inputs[0].sequence = true;
  m.inputs.push_back({"t", "", 1, {2}, 4});
  m.outputs.push_back({"y", "", 1, {}, 4});
  m.outputs[0].sequence = true;
  onnxc::assignCNames(m);
  std::string h = onnxc::emitHeader(m);
  EXPECT_NE(h.find("struct onnxc_sequence; /* onnxc/model.h */"), std::string::npos) << h;
  EXPECT_NE(h.find("int net_run(const struct onnxc_sequence *x, const float *t, "
                   "struct onnxc_sequence *y, void *workspace);"),
            std::string::npos)
      << h;
  EXPECT_NE(h.find("#define NET_INPUT_X_SEQUENCE 1"), std::string::npos);
  EXPECT_NE(h.find("#define NET_OUTPUT_Y_SEQUENCE 1"), std::string::npos);
  EXPECT_EQ(h.find("#define NET_INPUT_T_SEQUENCE"), std::string::npos);
  EXPECT_NE(h.find("#define NET_INPUT_X_RANK 0"), std::string::npos);
  EXPECT_NE(h.find("free(seq.allocation)"), std::string::npos);
  EXPECT_NE(h.find("#define NET_WORKSPACE_SIZE 256"), std::string::npos);

  // A map: the kernel's view of x is one element [K] (symbol 1, from the elements), t's
  // dim N (symbol 0) is the callers'.
  m.sequenceMap = true;
  m.dimNames = {"N", "K"};
  m.numPublicDims = 1;
  m.inputs[0].mapped = true;
  m.inputs[0].dims = {-1};
  m.inputs[0].dimSymbols = {1};
  m.inputs[1].dims = {-1};
  m.inputs[1].dimSymbols = {0};
  m.outputs[0].mapped = true;
  m.outputs[0].dims = {-1};
  h = onnxc::emitHeader(m);
  EXPECT_NE(h.find("#define NET_NUM_DIMS 1"), std::string::npos) << h;
  EXPECT_NE(h.find("int net_run(int64_t N, const struct onnxc_sequence *x, const float *t, "
                   "struct onnxc_sequence *y, void *workspace);"),
            std::string::npos)
      << h;
  EXPECT_EQ(h.find("int64_t K"), std::string::npos) << "an element's symbol is no parameter";
  EXPECT_EQ(h.find("y_dims"), std::string::npos) << "a sequence output has no dims argument";
  EXPECT_NE(h.find("runs once per element"), std::string::npos);
  // Without public dims it is static to its callers, with workspace size 0.
  m.numPublicDims = 0;
  m.dimNames = {"K"};
  m.inputs[0].dimSymbols = {0};
  m.inputs[1].dims = {2};
  m.inputs[1].dimSymbols = {-1};
  h = onnxc::emitHeader(m);
  EXPECT_NE(h.find("#define NET_WORKSPACE_SIZE 0"), std::string::npos) << h;
  EXPECT_NE(h.find("int net_run(const struct onnxc_sequence *x, const float *t, "
                   "struct onnxc_sequence *y, void *workspace);"),
            std::string::npos)
      << h;
}

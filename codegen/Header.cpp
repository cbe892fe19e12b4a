// The generated model.h: constants for every tensor, the workspace size, typed entry points.
#include "codegen/ModelInterface.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>

namespace onnxc {

static const char *kCKeywords[] = {
    "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else",
    "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long", "register",
    "restrict", "return", "short", "signed", "sizeof", "static", "struct", "switch", "typedef",
    "union", "unsigned", "void", "volatile", "while", "class", "namespace", "template", "new",
    "delete", "this", "operator", "private", "public", "protected", "virtual", "bool", "true",
    "false", "try", "catch", "throw", "using", "friend", "explicit", "mutable", "typename"};

std::string toCIdentifier(const std::string &name) {
  std::string s;
  for (char c : name)
    s += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0])))
    s = "_" + s;
  for (const char *k : kCKeywords)
    if (s == k)
      return s + "_";
  return s;
}

void assignCNames(ModelInterface &model) {
  std::set<std::string> used;
  auto unique = [&](const std::string &base) {
    std::string s = base;
    for (int i = 2; used.count(s); ++i)
      s = base + "_" + std::to_string(i);
    used.insert(s);
    return s;
  };
  used.insert("workspace");
  used.insert("context");
  for (auto *list : {&model.inputs, &model.outputs})
    for (auto &t : *list)
      t.cName = unique(toCIdentifier(t.name));
}

static const char *cType(int dtype) {
  switch (dtype) {
  case 1: return "float";
  case 2: return "uint8_t";
  case 3: return "int8_t";
  case 4: return "uint16_t";
  case 5: return "int16_t";
  case 6: return "int32_t";
  case 7: return "int64_t";
  case 9: return "uint8_t"; /* bool: one byte per element */
  case 10: return "uint16_t"; /* float16 bits */
  case 11: return "double";
  case 12: return "uint32_t";
  case 13: return "uint64_t";
  case 16: return "uint16_t"; /* bfloat16 bits */
  default: return "void";
  }
}

static const char *dtypeName(int dtype) {
  switch (dtype) {
  case 1: return "float32"; case 2: return "uint8"; case 3: return "int8";
  case 4: return "uint16"; case 5: return "int16"; case 6: return "int32";
  case 7: return "int64"; case 9: return "bool"; case 10: return "float16";
  case 11: return "float64"; case 12: return "uint32"; case 13: return "uint64";
  case 16: return "bfloat16"; default: return "unknown";
  }
}

/// A C comment cannot contain "*/"; names come from untrusted files.
static std::string commentSafe(const std::string &s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = s[i];
    if (c < 0x20 || c >= 0x7f)
      out += '?';
    else if (c == '*' && i + 1 < s.size() && s[i + 1] == '/')
      out += "* ";
    else
      out += static_cast<char>(c);
  }
  return out;
}

/// C parameter names of the run-time dims' symbols, distinct from the tensors' names.
static std::vector<std::string> dimParamNames(const ModelInterface &m) {
  std::set<std::string> used{"workspace", "context"};
  for (auto *list : {&m.inputs, &m.outputs})
    for (auto &t : *list) {
      used.insert(t.cName);
      used.insert(t.cName + "_dims");
    }
  std::vector<std::string> names;
  for (const auto &n : m.publicDimNames()) {
    std::string base = toCIdentifier(n), s = base;
    for (int i = 2; used.count(s); ++i)
      s = base + "_" + std::to_string(i);
    used.insert(s);
    names.push_back(s);
  }
  return names;
}

static std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

/// What a model that allocates per run tells its users (docs/dynamic-shapes.md).
static const char *kPerRunNote =
    "/* Some intermediate sizes are computed from the input values (no bound known at compile\n"
    "   time): their buffers are allocated per run with malloc, outside the workspace, and\n"
    "   freed before run returns, 1 GiB at most each. run returns 11\n"
    "   (ONNXC_ERROR_DATA_SIZE) for an invalid size or one that differs from an output's\n"
    "   declared shape, 9 (ONNXC_ERROR_OUT_OF_MEMORY) when an allocation fails. */\n";

/// Optional inputs: what NULL means, and the status an absent value can give.
static std::string runtimeCheckNote(const ModelInterface &m) {
  for (const auto &t : m.inputs)
    if (t.optional)
      return "/* Inputs marked _OPTIONAL may be NULL (absent). A run that needs the value of an\n"
             "   absent one (OptionalGetElement) returns 12, ONNXC_ERROR_RUNTIME_CHECK. */\n";
  return "";
}

/// A typed entry's parameter for `t`: a pointer to its elements, or for a sequence to its
/// onnxc_sequence (onnxc/model.h).
static std::string paramType(const TensorInterface &t, bool input) {
  if (t.sequence)
    return std::string(input ? "const " : "") + "struct onnxc_sequence *";
  return std::string(input ? "const " : "") + cType(t.dtype) + " *";
}

/// Sequence inputs and outputs: how they are passed.
static std::string sequenceNote(const ModelInterface &m) {
  if (!m.hasSequences())
    return "";
  return "/* Inputs and outputs marked _SEQUENCE are ONNX sequences of tensors, passed as a\n"
         "   struct onnxc_sequence (onnxc/model.h): an input's tensors are read during the run;\n"
         "   an output's are written by the run into one block allocated with malloc, which\n"
         "   the caller frees (free(seq.allocation)). An optional sequence input may be NULL;\n"
         "   an absent optional sequence output has length -1. */\n" +
         std::string(m.sequenceMap
                         ? "/* The model maps its sequences (SequenceMap): it runs once per "
                           "element, with a\n   workspace it allocates per run (malloc); "
                           "the workspace argument may be NULL. */\n"
                         : m.sequenceDynamicKernel
                         ? "/* Some of the model's buffers are sized from data: it allocates "
                           "its workspace per\n   run (malloc); the workspace argument may be "
                           "NULL. */\n"
                         : "");
}

/// The header of a model with run-time dims (docs/dynamic-shapes.md).
static std::string emitDynamicHeader(const ModelInterface &m);

std::string emitHeader(const ModelInterface &m) {
  if (m.isDynamic())
    return emitDynamicHeader(m);
  std::ostringstream os;
  std::string P = m.name, U = m.name;
  std::transform(U.begin(), U.end(), U.begin(), [](unsigned char c) { return std::toupper(c); });
  os << "/* Generated by onnx-compile from " << commentSafe(m.sourceFile)
     << ". Do not edit.\n * Target: " << commentSafe(m.target) << "\n *\n"
     << " * Usage:\n"
     << " *   static unsigned char ws[" << U << "_WORKSPACE_SIZE] __attribute__((aligned("
     << m.workspaceAlignment << ")));\n"
     << " *   int status = " << P << "_run(";
  bool first = true;
  for (auto &t : m.inputs)
    os << (first ? "" : ", ") << t.cName, first = false;
  for (auto &t : m.outputs)
    os << (first ? "" : ", ") << t.cName, first = false;
  os << ", ws);\n"
     << " *   if (status) fprintf(stderr, \"%s\\n\", " << P << "_status_string(status));\n */\n";
  os << "#ifndef " << U << "_H\n#define " << U << "_H\n\n#include <stdint.h>\n\n"
     << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n"
     << "struct onnxc_model; /* onnxc/model.h */\n"
     << (m.hasSequences() ? "struct onnxc_sequence; /* onnxc/model.h */\n" : "") << "\n";
  os << "#define " << U << "_NUM_INPUTS " << m.inputs.size() << "\n";
  os << "#define " << U << "_NUM_OUTPUTS " << m.outputs.size() << "\n";
  os << "/* Bytes of scratch memory one call needs (every intermediate tensor lives there). */\n";
  os << "#define " << U << "_WORKSPACE_SIZE " << m.publicWorkspaceSize() << "\n";
  os << "#define " << U << "_WORKSPACE_ALIGNMENT " << m.workspaceAlignment << "\n\n";
  auto describe = [&](const char *kind, const std::vector<TensorInterface> &list) {
    for (size_t i = 0; i < list.size(); ++i) {
      TensorInterface t = list[i];
      if (t.sequence) // No dims: its tensors' are given at run time.
        t.dims.clear();
      std::string T = t.cName;
      std::transform(T.begin(), T.end(), T.begin(), [](unsigned char c) { return std::toupper(c); });
      std::string base = U + "_" + kind + "_" + T;
      os << "/* " << kind << " " << i << ": \"" << commentSafe(t.name) << "\", "
         << dtypeName(t.dtype) << " [";
      for (size_t d = 0; d < t.dims.size(); ++d)
        os << (d ? ", " : "") << t.dims[d];
      os << "] */\n";
      if (t.sequence)
        os << "/* A sequence of " << dtypeName(t.dtype)
           << " tensors (struct onnxc_sequence). */\n"
           << "#define " << base << "_SEQUENCE 1\n";
      if (t.optional)
        os << "/* Optional (an ONNX optional " << (t.sequence ? "sequence" : "tensor")
           << "): " << (std::string(kind) == "INPUT" ? "pass NULL when the value is absent"
                                                     : "length -1 when the value is absent")
           << ". */\n"
           << "#define " << base << "_OPTIONAL 1\n";
      os << "#define " << base << "_INDEX " << i << "\n";
      os << "#define " << base << "_RANK " << t.dims.size() << "\n";
      for (size_t d = 0; d < t.dims.size(); ++d)
        os << "#define " << base << "_DIM" << d << " " << t.dims[d] << "\n";
      os << "#define " << base << "_SIZE " << (t.elementBytes ? t.sizeBytes() / t.elementBytes : 0)
         << " /* elements */\n";
    }
  };
  describe("INPUT", m.inputs);
  describe("OUTPUT", m.outputs);
  os << "\n/* Status codes (see onnxc/model.h): 0 = success. */\n";
  if (m.allocatesPerRun)
    os << kPerRunNote;
  os << runtimeCheckNote(m);
  os << sequenceNote(m);
  os << (m.cuda ? "/* Loads the NVIDIA driver (libcuda.so.1) and checks that a GPU is present;\n"
                  "   run() checks it too. */\n"
                : "/* Checks that this CPU can run the model; run() checks it too. */\n");
  os << "int " << P << "_init(void);\n";
  os << "/* Runs the model: inputs read, outputs written, workspace scratch (" << U
     << "_WORKSPACE_SIZE bytes,\n   aligned to " << U
     << "_WORKSPACE_ALIGNMENT). Calls with distinct workspaces may run concurrently. */\n";
  os << "int " << P << "_run(";
  first = true;
  for (auto &t : m.inputs)
    os << (first ? "" : ", ") << paramType(t, true) << t.cName, first = false;
  for (auto &t : m.outputs)
    os << (first ? "" : ", ") << paramType(t, false) << t.cName, first = false;
  os << (first ? "" : ", ") << "void *workspace);\n";
  os << "const char *" << P << "_status_string(int status);\n\n";
  if (m.cuda)
    os << "/* Threads: the host side of a CUDA library runs on the caller's thread; the count\n"
          "   is accepted (0 to 256, else 5: out of range) and num_threads() reads 1. */\n";
  else
    os << "/* Threads: runs use n threads (the caller's included) from now on; 0 restores the\n"
          "   default, ONNXC_NUM_THREADS from the environment or else the CPUs the process may\n"
          "   run on. Returns 0, or 5 (out of range) for n < 0 or n > 256. Results do not depend\n"
          "   on the thread count; idle workers sleep. */\n";
  os << "int " << P << "_set_num_threads(int n);\n";
  os << "int " << P << "_num_threads(void); /* the count in effect */\n\n";
  os << "/* Context API: the library owns the workspace (allocated once by " << P
     << "_create with malloc).\n   One context runs one call at a time; use one per thread. */\n";
  os << "typedef struct " << P << "_context " << P << "_context;\n";
  os << P << "_context *" << P << "_create(void); /* NULL if out of memory */\n";
  os << "void " << P << "_destroy(" << P << "_context *context);\n";
  os << "int " << P << "_run_context(" << P << "_context *context";
  for (auto &t : m.inputs)
    os << ", " << paramType(t, true) << t.cName;
  for (auto &t : m.outputs)
    os << ", " << paramType(t, false) << t.cName;
  os << ");\n";
  os << "/* The generic descriptor (struct onnxc_model in onnxc/model.h). */\n";
  os << "const struct onnxc_model *" << P << "_model(void);\n";
  os << "\n#ifdef __cplusplus\n}\n#endif\n\n#endif\n";
  return os.str();
}

static std::string emitDynamicHeader(const ModelInterface &m) {
  std::ostringstream os;
  std::string P = m.name, U = upper(m.name);
  std::vector<std::string> dimParams = dimParamNames(m);
  std::string dimArgs, dimDecl;
  for (size_t k = 0; k < dimParams.size(); ++k) {
    dimArgs += (k ? ", " : "") + dimParams[k];
    dimDecl += std::string(k ? ", " : "") + "int64_t " + dimParams[k];
  }
  std::vector<const TensorInterface *> dynOutputs;
  for (auto &t : m.outputs)
    if (!t.isStatic() && !t.sequence)
      dynOutputs.push_back(&t);
  std::vector<std::string> dimNames = m.publicDimNames();
  // A parameter list: "a, b" from pieces that each start with ", " but the first.
  auto params = [](std::string list) {
    if (list.rfind(", ", 0) == 0)
      list = list.substr(2);
    return list.empty() ? std::string("void") : list;
  };
  std::string usage = dimArgs;
  for (auto &t : m.inputs)
    usage += ", " + t.cName;
  for (auto &t : m.outputs)
    usage += ", " + std::string(t.allocated ? "&" : "") + t.cName;
  for (auto *t : dynOutputs)
    usage += ", " + t->cName + "_dims";
  usage += ", ws";
  os << "/* Generated by onnx-compile from " << commentSafe(m.sourceFile)
     << ". Do not edit.\n * Target: " << commentSafe(m.target) << "\n *\n";
  if (!dimArgs.empty())
    os << " * Dims known only at run time (" << dimArgs << "): pass them to every call.\n";
  if (m.allocatesOutputs())
    os << " * Some outputs' sizes depend on the data with no bound (marked _ALLOCATED): the run\n"
       << " * allocates them (malloc, or the context's allocator: " << P
       << "_set_allocator) and stores the\n * pointer into the T ** you pass; you free it"
       << " (free(), or the allocator's free).\n";
  bool bounded = false; // Outputs with data-dependent dims the caller allocates (bounds).
  for (auto *t : dynOutputs)
    bounded |= !t->allocated;
  if (m.dataDependent && bounded)
    os << " * Some output dims depend on the data (marked '?'): " << P
       << "_output_dims gives upper\n * bounds to allocate, the run writes the actual dims.\n";
  else if (m.dataDependent && !m.allocatesOutputs())
    os << " * Sizes inside the model depend on the data: the workspace size is for their upper\n"
       << " * bounds.\n";
  os << " * Usage:\n"
     << " *   int64_t size = " << P << "_workspace_size(" << dimArgs
     << ");   (-1: dims out of range)\n"
     << " *   void *ws = aligned_alloc(" << U << "_WORKSPACE_ALIGNMENT, size rounded up);\n"
     << " *   int status = " << P << "_run(" << params(usage) << ");\n"
     << " *   if (status) fprintf(stderr, \"%s\\n\", " << P << "_status_string(status));\n */\n";
  os << "#ifndef " << U << "_H\n#define " << U << "_H\n\n"
     << (m.allocatesOutputs() ? "#include <stddef.h>\n" : "") << "#include <stdint.h>\n\n"
     << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n"
     << "struct onnxc_model; /* onnxc/model.h */\n"
     << (m.hasSequences() ? "struct onnxc_sequence; /* onnxc/model.h */\n" : "") << "\n";
  os << "#define " << U << "_NUM_INPUTS " << m.inputs.size() << "\n";
  os << "#define " << U << "_NUM_OUTPUTS " << m.outputs.size() << "\n";
  os << "/* Run-time dims: each in [0, 2^31); their index in the descriptor's dims array. */\n";
  os << "#define " << U << "_NUM_DIMS " << dimNames.size() << "\n";
  for (size_t k = 0; k < dimNames.size(); ++k)
    os << "#define " << U << "_DIM_" << upper(dimParams[k]) << " " << k << " /* \""
       << commentSafe(dimNames[k]) << "\" */\n";
  os << "/* The workspace size depends on the dims: " << P << "_workspace_size(). */\n";
  os << "#define " << U << "_WORKSPACE_ALIGNMENT " << m.workspaceAlignment << "\n\n";
  auto describe = [&](const char *kind, const std::vector<TensorInterface> &list, bool in) {
    for (size_t i = 0; i < list.size(); ++i) {
      TensorInterface t = list[i];
      if (t.sequence) // No dims: its tensors' are given at run time.
        t.dims.clear();
      std::string base = U + "_" + kind + "_" + upper(t.cName);
      os << "/* " << kind << " " << i << ": \"" << commentSafe(t.name) << "\", "
         << dtypeName(t.dtype) << " [";
      for (size_t d = 0; d < t.dims.size(); ++d) {
        os << (d ? ", " : "");
        if (t.dims[d] >= 0)
          os << t.dims[d];
        else if (in && d < t.dimSymbols.size() && t.dimSymbols[d] >= 0)
          os << dimParams[t.dimSymbols[d]];
        else
          os << "?";
      }
      os << "] */\n";
      if (t.sequence)
        os << "/* A sequence of " << dtypeName(t.dtype)
           << " tensors (struct onnxc_sequence). */\n"
           << "#define " << base << "_SEQUENCE 1\n";
      if (t.optional)
        os << "/* Optional (an ONNX optional tensor): pass NULL when the value is absent. */\n"
           << "#define " << base << "_OPTIONAL 1\n";
      if (t.allocated)
        os << "/* Allocated by the run (its size depends on the data with no bound): pass a "
              "T ** slot;\n   the run stores the buffer there (NULL if empty or on failure), "
              "the caller frees it. */\n"
           << "#define " << base << "_ALLOCATED 1\n";
      os << "#define " << base << "_INDEX " << i << "\n";
      os << "#define " << base << "_RANK " << t.dims.size() << "\n";
      for (size_t d = 0; d < t.dims.size(); ++d)
        if (t.dims[d] >= 0)
          os << "#define " << base << "_DIM" << d << " " << t.dims[d] << "\n";
      if (t.isStatic())
        os << "#define " << base << "_SIZE "
           << (t.elementBytes ? t.sizeBytes() / t.elementBytes : 0) << " /* elements */\n";
    }
  };
  describe("INPUT", m.inputs, true);
  describe("OUTPUT", m.outputs, false);
  os << "\n/* Status codes (see onnxc/model.h): 0 = success; 8 = dims out of range. */\n";
  if (m.allocatesPerRun)
    os << kPerRunNote;
  os << runtimeCheckNote(m);
  os << sequenceNote(m);
  os << "int " << P << "_init(void);\n";
  os << "/* Workspace bytes for these dims (aligned to " << U
     << "_WORKSPACE_ALIGNMENT), or -1 if they are out of range. */\n";
  os << "int64_t " << P << "_workspace_size(" << params(dimDecl) << ");\n";
  std::string outDimsDecl;
  for (auto *t : dynOutputs)
    outDimsDecl += ", int64_t *" + t->cName + "_dims";
  os << "/* Each output's dims for these dims (rank entries each), to size the outputs"
     << (m.dataDependent ? ";\n   upper bounds for dims that depend on the data" : "")
     << (m.allocatesOutputs() ? ", -1 for those of\n   allocated outputs" : "") << ". */\n";
  os << "int " << P << "_output_dims(" << params(dimDecl + outDimsDecl) << ");\n";
  os << "/* Runs the model. Outputs with run-time dims get them written into *_dims (NULL:\n"
     << "   not wanted). Calls with distinct workspaces may run concurrently. */\n";
  std::string tensors;
  for (auto &t : m.inputs)
    tensors += ", " + paramType(t, true) + t.cName;
  for (auto &t : m.outputs)
    tensors += ", " + (t.allocated ? std::string(cType(t.dtype)) + " **" : paramType(t, false)) +
               t.cName;
  os << "int " << P << "_run(" << params(dimDecl + tensors + outDimsDecl + ", void *workspace")
     << ");\n";
  os << "const char *" << P << "_status_string(int status);\n\n";
  os << "/* Context API: the library owns the workspace and grows it (malloc) when a call's\n"
     << "   dims need more. One context runs one call at a time; use one per thread. */\n";
  os << "typedef struct " << P << "_context " << P << "_context;\n";
  os << P << "_context *" << P << "_create(void); /* NULL if out of memory */\n";
  os << "void " << P << "_destroy(" << P << "_context *context);\n";
  os << "int " << P << "_run_context(" << P << "_context *context"
     << (dimDecl.empty() ? "" : ", ") << dimDecl << tensors << outDimsDecl << ");\n";
  if (m.allocatesOutputs())
    os << "/* The allocator of the context's _ALLOCATED outputs: alloc(user, bytes, align) "
          "returns bytes\n   bytes aligned to align (16), or NULL (the run then returns 9, "
          "out of memory);\n   free_fn(user, ptr) gives back an output the run allocated "
          "before it failed. Both\n   NULL: malloc and free (the default). Returns 0, or 1 "
          "if only one is NULL. */\n"
       << "int " << P << "_set_allocator(" << P << "_context *context,\n"
       << "    void *(*alloc)(void *user, size_t bytes, size_t align),\n"
       << "    void (*free_fn)(void *user, void *ptr), void *user);\n";
  os << "/* The generic descriptor (struct onnxc_model in onnxc/model.h). */\n";
  os << "const struct onnxc_model *" << P << "_model(void);\n";
  os << "\n#ifdef __cplusplus\n}\n#endif\n\n#endif\n";
  return os.str();
}

} // namespace onnxc

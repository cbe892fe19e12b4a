// onnx-run: loads any library made by onnx-compile through its generic entry
// (onnxc_model_get), feeds inputs from ONNX TensorProto files or random data, compares outputs
// with expected TensorProto files, and times runs.
#include "onnxc/model.h"
#include "tools/onnx-run/TensorFile.h"

#include <dlfcn.h>
#include <elf.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace {

enum { kOk = 0, kMismatch = 1, kUsage = 2, kFailure = 3 };

struct Args {
  std::string library, inputs, expect, saveOutputs;
  double rtol = 1e-4, atol = 1e-5;
  int iters = 0, warmup = 3, threads = 1;
  unsigned seed = 0;
  bool serve = false;
  std::vector<std::pair<std::string, int64_t>> dims; // --dim NAME=VALUE
};

void usage() {
  std::fprintf(stderr,
               "usage: onnx-run model.so [--inputs DIR] [--expect DIR] [--rtol R] [--atol A]\n"
               "                [--iters N] [--warmup W] [--threads T] [--seed S]\n"
               "                [--save-outputs DIR] [--dim NAME=VALUE]...\n"
               "  --inputs DIR   input_<i>.pb TensorProto files (bound by name, else by index);\n"
               "                 inputs not given are random (floats in [-1,1], integers 0)\n"
               "                 optional inputs may be OptionalProto files: an empty one\n"
               "                 passes NULL (absent); sequence inputs are SequenceProto\n"
               "                 files (not given: an empty sequence)\n"
               "  --expect DIR   output_<i>.pb files to compare with: |got-want| <= atol +\n"
               "                 rtol*|want| per element (exact for integers and bools);\n"
               "                 SequenceProto files for sequence outputs\n"
               "  --dim NAME=V   value of a dim known only at run time (default: taken from\n"
               "                 the input files, else 1)\n"
               "  --iters N      time N runs after W warm-up runs; prints the median\n"
               "  --threads T    threads the library uses (default 1; 0: the library's default,\n"
               "                 ONNXC_NUM_THREADS or the CPUs the process may run on)\n"
               "  --serve        after loading, read commands from stdin: 'run K' runs K times\n"
               "                 and prints one line 'us T1 ... TK' (microseconds per run);\n"
               "                 'quit' exits (bench/bench.py drives it)\n"
               "exit codes: 0 ok, 1 outputs differ, 2 bad command line, 3 load or run error\n");
}

bool parseArgs(int argc, char **argv, Args &a) {
  for (int i = 1; i < argc; ++i) {
    std::string s = argv[i];
    auto value = [&](const char *name) -> const char * {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "onnx-run: error: %s needs a value\n", name);
        return nullptr;
      }
      return argv[++i];
    };
    const char *v = nullptr;
    char *end = nullptr;
    if (s == "--serve") {
      a.serve = true;
      continue;
    }
    if (s == "-h" || s == "--help")
      return usage(), std::exit(kOk), false;
    if (s == "--dim") {
      if (!(v = value(s.c_str())))
        return false;
      std::string d = v;
      size_t eq = d.find('=');
      long long n = eq == std::string::npos ? -1 : std::strtoll(d.c_str() + eq + 1, &end, 10);
      if (eq == std::string::npos || *end || n < 0)
        return std::fprintf(stderr, "onnx-run: error: bad --dim '%s' (NAME=VALUE)\n", v), false;
      a.dims.push_back({d.substr(0, eq), n});
    } else if (s == "--inputs" || s == "--expect" || s == "--save-outputs") {
      if (!(v = value(s.c_str())))
        return false;
      (s == "--inputs" ? a.inputs : s == "--expect" ? a.expect : a.saveOutputs) = v;
    } else if (s == "--rtol" || s == "--atol") {
      if (!(v = value(s.c_str())))
        return false;
      double d = std::strtod(v, &end);
      if (*end || d < 0)
        return std::fprintf(stderr, "onnx-run: error: bad %s '%s'\n", s.c_str(), v), false;
      (s == "--rtol" ? a.rtol : a.atol) = d;
    } else if (s == "--iters" || s == "--warmup" || s == "--threads" || s == "--seed") {
      if (!(v = value(s.c_str())))
        return false;
      long n = std::strtol(v, &end, 10);
      if (*end || n < 0 || n > 1000000000)
        return std::fprintf(stderr, "onnx-run: error: bad %s '%s'\n", s.c_str(), v), false;
      if (s == "--iters") a.iters = n;
      else if (s == "--warmup") a.warmup = n;
      else if (s == "--threads") a.threads = n;
      else a.seed = n;
    } else if (!s.empty() && s[0] == '-') {
      return std::fprintf(stderr, "onnx-run: error: unknown option '%s'\n", s.c_str()), false;
    } else if (a.library.empty()) {
      a.library = s;
    } else {
      return std::fprintf(stderr, "onnx-run: error: unexpected argument '%s'\n", s.c_str()), false;
    }
  }
  if (a.library.empty())
    return std::fprintf(stderr, "onnx-run: error: no library given\n"), false;
  return true;
}

std::string shapeString(const int64_t *dims, int rank) {
  std::string s = "[";
  for (int i = 0; i < rank; ++i)
    s += (i ? "," : "") + std::to_string(dims[i]);
  return s + "]";
}

void fillRandom(const onnxc_tensor_desc &d, std::vector<char> &buf, std::mt19937 &rng) {
  std::uniform_real_distribution<float> dist(-1.f, 1.f);
  if (d.dtype == ONNXC_FLOAT) {
    float *p = reinterpret_cast<float *>(buf.data());
    for (size_t i = 0; i < buf.size() / 4; ++i)
      p[i] = dist(rng);
  } else if (d.dtype == ONNXC_DOUBLE) {
    double *p = reinterpret_cast<double *>(buf.data());
    for (size_t i = 0; i < buf.size() / 8; ++i)
      p[i] = dist(rng);
  } // Integers and bools: zeros (valid indices and token ids for any model).
}

/// Element i of a buffer as double, for comparisons of float-like types.
double asDouble(int dtype, const char *p, size_t i) {
  switch (dtype) {
  case ONNXC_FLOAT: { float v; std::memcpy(&v, p + 4 * i, 4); return v; }
  case ONNXC_DOUBLE: { double v; std::memcpy(&v, p + 8 * i, 8); return v; }
  case ONNXC_FLOAT16: { uint16_t h; std::memcpy(&h, p + 2 * i, 2); return onnxc::halfToFloat(h); }
  case ONNXC_BFLOAT16: { uint16_t h; std::memcpy(&h, p + 2 * i, 2); uint32_t b = uint32_t(h) << 16; float f; std::memcpy(&f, &b, 4); return f; }
  default: return 0;
  }
}

/// A file's dtype holds the bits of the model's: equal, or UINT16 for BFLOAT16 (ONNX's
/// backend-test generator stores bfloat16 tensors as their uint16 bit patterns).
bool sameBits(int fileDtype, int modelDtype) {
  return fileDtype == modelDtype || (fileDtype == ONNXC_UINT16 && modelDtype == ONNXC_BFLOAT16);
}

bool isFloatType(int dtype) {
  return dtype == ONNXC_FLOAT || dtype == ONNXC_DOUBLE || dtype == ONNXC_FLOAT16 ||
         dtype == ONNXC_BFLOAT16;
}

} // namespace

/// glibc reports a library built for another architecture as "cannot open shared object
/// file: No such file or directory". Returns that architecture's name, or "" if the file is
/// not an ELF file for another machine.
static std::string foreignArchitecture(const std::string &path) {
  std::ifstream f(path, std::ios::binary);
  unsigned char h[20];
  if (!f.read(reinterpret_cast<char *>(h), sizeof h) || std::memcmp(h, ELFMAG, SELFMAG) != 0)
    return "";
  unsigned machine = h[18] | h[19] << 8; // e_machine; onnx-compile's targets are little-endian
#if defined(__x86_64__)
  if (machine == EM_X86_64)
    return "";
#elif defined(__aarch64__)
  if (machine == EM_AARCH64)
    return "";
#endif
  return machine == EM_AARCH64  ? "AArch64"
         : machine == EM_X86_64 ? "x86-64"
                                : "ELF machine " + std::to_string(machine);
}

int main(int argc, char **argv) {
  Args a;
  if (!parseArgs(argc, argv, a)) {
    usage();
    return kUsage;
  }
  std::string path = a.library.find('/') == std::string::npos ? "./" + a.library : a.library;
  void *lib = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    std::string error = dlerror();
    std::string arch = foreignArchitecture(path);
    if (!arch.empty())
      std::fprintf(stderr,
                   "onnx-run: error: cannot load %s: it is a library for %s, not for this "
                   "machine (run it on the target, or under qemu-user: README, "
                   "\"Cross-compiling for ARM\")\n",
                   a.library.c_str(), arch.c_str());
    else
      std::fprintf(stderr, "onnx-run: error: cannot load %s: %s\n", a.library.c_str(),
                   error.c_str());
    return kFailure;
  }
  auto get = reinterpret_cast<const onnxc_model *(*)(void)>(dlsym(lib, "onnxc_model_get"));
  if (!get) {
    std::fprintf(stderr, "onnx-run: error: %s is not a model library (no onnxc_model_get)\n",
                 a.library.c_str());
    return kFailure;
  }
  const onnxc_model *m = get();
  if (m->abi_version != ONNXC_ABI_VERSION) {
    std::fprintf(stderr, "onnx-run: error: library ABI version %u, expected %u\n",
                 m->abi_version, ONNXC_ABI_VERSION);
    return kFailure;
  }
  // Run-time dims or data-dependent output dims: the dynamic entries (docs/dynamic-shapes.md).
  const bool dynamic = m->num_dims || (m->flags & ONNXC_MODEL_DATA_DEPENDENT_DIMS);
  // Dims known only at run time (docs/dynamic-shapes.md): from --dim, then the input files.
  std::vector<int64_t> dims(m->num_dims, -1); // -1: not given yet (0 is a valid dim)
  for (auto &[name, value] : a.dims) {
    unsigned k = 0;
    while (k < m->num_dims && name != m->dim_names[k])
      ++k;
    if (k == m->num_dims) {
      std::fprintf(stderr, "onnx-run: error: --dim %s: the model has no such run-time dim\n",
                   name.c_str());
      return kFailure;
    }
    dims[k] = value;
  }
  if (m->num_dims)
    std::printf("model %s (%s): %u inputs, %u outputs, %u run-time dims%s\n", m->name,
                m->target, m->num_inputs, m->num_outputs, m->num_dims,
                dynamic && (m->flags & ONNXC_MODEL_DATA_DEPENDENT_DIMS) ? ", data-dependent dims"
                                                                      : "");
  else if (dynamic)
    std::printf("model %s (%s): %u inputs, %u outputs, data-dependent dims\n", m->name,
                m->target, m->num_inputs, m->num_outputs);
  else
    std::printf("model %s (%s): %u inputs, %u outputs, workspace %llu bytes\n", m->name,
                m->target, m->num_inputs, m->num_outputs,
                (unsigned long long)m->workspace_size);
  int status = m->init();
  if (status != ONNXC_OK) {
    std::fprintf(stderr, "onnx-run: error: init: %s\n", m->status_string(status));
    return kFailure;
  }
  status = m->set_num_threads(a.threads);
  if (status != ONNXC_OK) {
    std::fprintf(stderr, "onnx-run: error: --threads %d: %s\n", a.threads,
                 m->status_string(status));
    return kFailure;
  }
  if (a.threads != 1)
    std::printf("threads: %d\n", m->num_threads());

  // Inputs.
  std::mt19937 rng(a.seed);
  std::vector<std::vector<char>> inputs(m->num_inputs);
  std::vector<bool> given(m->num_inputs, false);
  // Optional inputs (ONNXC_TENSOR_OPTIONAL) may be absent: passed as NULL.
  std::vector<bool> absent(m->num_inputs, false);
  auto isOptional = [&](unsigned i) {
    return i < m->num_inputs && m->input_flags && (m->input_flags[i] & ONNXC_TENSOR_OPTIONAL);
  };
  // Sequence inputs (ABI 6, ONNXC_TENSOR_SEQUENCE): an onnxc_sequence over the tensors of a
  // SequenceProto file (an OptionalProto of one for an optional sequence).
  auto isSequenceInput = [&](unsigned i) {
    return i < m->num_inputs && m->input_flags && (m->input_flags[i] & ONNXC_TENSOR_SEQUENCE);
  };
  struct SequenceInput {
    onnxc::SequenceFile file;
    std::vector<int32_t> ranks;
    std::vector<const int64_t *> dims;
    std::vector<const void *> data;
    onnxc_sequence seq{};
  };
  std::vector<SequenceInput> seqInputs(m->num_inputs);
  if (!a.inputs.empty()) {
    for (unsigned f = 0;; ++f) {
      std::string file = a.inputs + "/input_" + std::to_string(f) + ".pb";
      if (!onnxc::fileExists(file))
        break;
      onnxc::TensorFile t;
      std::string err;
      {
        // Bound by name, else by position; tried before tensors (a SequenceProto also parses
        // as an OptionalProto of a tensor).
        int seqIdx = -1;
        bool present = true;
        onnxc::SequenceFile sf;
        auto bind = [&](bool optional) {
          for (unsigned i = 0; i < m->num_inputs; ++i)
            if (isSequenceInput(i) && isOptional(i) == optional && !sf.name.empty() &&
                sf.name == m->inputs[i].name)
              seqIdx = int(i);
          if (seqIdx < 0 && sf.name.empty() && isSequenceInput(f) && isOptional(f) == optional)
            seqIdx = int(f);
        };
        if (onnxc::readOptionalSequenceFile(file, present, sf, err))
          bind(true);
        if (seqIdx < 0) {
          present = true;
          if (onnxc::readSequenceFile(file, sf, err))
            bind(false);
        }
        err.clear();
        if (seqIdx >= 0) {
          given[seqIdx] = true;
          absent[seqIdx] = !present;
          if (!present) {
            std::printf("input '%s' is absent (an empty optional)\n", m->inputs[seqIdx].name);
            continue;
          }
          SequenceInput &in = seqInputs[seqIdx];
          in.file = std::move(sf);
          for (const auto &e : in.file.tensors) {
            if (!sameBits(e.dtype, m->inputs[seqIdx].dtype)) {
              std::fprintf(stderr,
                           "onnx-run: error: %s holds a tensor of dtype %d but input '%s' is a "
                           "sequence of dtype %d\n",
                           file.c_str(), e.dtype, m->inputs[seqIdx].name,
                           m->inputs[seqIdx].dtype);
              return kFailure;
            }
            in.ranks.push_back(int32_t(e.dims.size()));
            in.dims.push_back(e.dims.data());
            in.data.push_back(e.data.data());
          }
          continue;
        }
      }
      // The backend test data stores an optional input as an OptionalProto: a file that
      // reads as one naming an optional input (or unnamed at an optional input's index).
      int optionalIdx = -1;
      bool present = true;
      onnxc::TensorFile opt;
      if (onnxc::readOptionalTensorFile(file, present, opt, err)) {
        for (unsigned i = 0; i < m->num_inputs; ++i)
          if (isOptional(i) && !opt.name.empty() && opt.name == m->inputs[i].name)
            optionalIdx = int(i);
        if (optionalIdx < 0 && opt.name.empty() && isOptional(f))
          optionalIdx = int(f);
      }
      err.clear();
      if (optionalIdx >= 0 && !present) {
        absent[optionalIdx] = given[optionalIdx] = true;
        std::printf("input '%s' is absent (an empty optional)\n", m->inputs[optionalIdx].name);
        continue;
      }
      if (optionalIdx >= 0) {
        t = std::move(opt);
      } else if (!onnxc::readTensorFile(file, t, err)) {
        std::fprintf(stderr, "onnx-run: error: %s: %s\n", file.c_str(), err.c_str());
        return kFailure;
      }
      unsigned idx = optionalIdx >= 0 ? unsigned(optionalIdx) : f;
      for (unsigned i = 0; i < m->num_inputs; ++i)
        if (!t.name.empty() && t.name == m->inputs[i].name)
          idx = i;
      if (idx >= m->num_inputs) {
        std::fprintf(stderr, "onnx-run: error: %s has no matching model input\n", file.c_str());
        return kFailure;
      }
      const onnxc_tensor_desc &d = m->inputs[idx];
      bool fits = sameBits(t.dtype, d.dtype) && t.dims.size() == size_t(d.rank);
      for (int k = 0; fits && k < d.rank; ++k) {
        if (d.dims[k] >= 0) {
          fits = t.dims[k] == d.dims[k];
        } else { // Run-time dim -1 - symbol: the file gives its value.
          int64_t &v = dims[-1 - d.dims[k]];
          fits = v < 0 || v == t.dims[k];
          v = t.dims[k];
        }
      }
      if (!fits) {
        std::fprintf(stderr,
                     "onnx-run: error: %s is dtype %d %s but input '%s' is dtype %d %s\n",
                     file.c_str(), t.dtype, shapeString(t.dims.data(), t.dims.size()).c_str(),
                     d.name, d.dtype, shapeString(d.dims, d.rank).c_str());
        return kFailure;
      }
      inputs[idx] = std::move(t.data);
      given[idx] = true;
    }
  }
  for (unsigned k = 0; k < m->num_dims; ++k) {
    if (dims[k] < 0)
      dims[k] = 1;
    std::printf("dim %s = %lld\n", m->dim_names[k], (long long)dims[k]);
  }
  for (unsigned i = 0; i < m->num_inputs; ++i)
    if (isSequenceInput(i)) { // Not given: an empty sequence.
      SequenceInput &in = seqInputs[i];
      in.seq = {int64_t(in.ranks.size()), m->inputs[i].dtype, 0, in.ranks.data(),
                in.dims.data(), in.data.data(), nullptr};
    } else if (!given[i]) {
      const auto &d = m->inputs[i];
      size_t bytes = d.size_bytes;
      if (m->num_dims) {
        bytes = onnxc::dtypeSize(d.dtype);
        for (int k = 0; k < d.rank; ++k)
          bytes *= d.dims[k] >= 0 ? d.dims[k] : dims[-1 - d.dims[k]];
      }
      inputs[i].assign(bytes, 0);
      fillRandom(m->inputs[i], inputs[i], rng);
    }
  // Each output's dims and bytes: from the descriptor, or output_dims for run-time dims.
  std::vector<std::vector<int64_t>> outDims(m->num_outputs);
  std::vector<int64_t *> outDimPtrs;
  for (unsigned i = 0; i < m->num_outputs; ++i) {
    outDims[i].assign(m->outputs[i].dims, m->outputs[i].dims + m->outputs[i].rank);
    outDims[i].push_back(0); // never a null data() pointer
    outDimPtrs.push_back(outDims[i].data());
  }
  // Data-dependent dims: output_dims gives upper bounds; run_dynamic writes the actual ones.
  if (dynamic && (status = m->output_dims(dims.data(), outDimPtrs.data())) != ONNXC_OK) {
    std::fprintf(stderr, "onnx-run: error: output dims: %s\n", m->status_string(status));
    return kFailure;
  }
  auto outputBytes = [&](unsigned i) {
    size_t n = onnxc::dtypeSize(m->outputs[i].dtype);
    for (int k = 0; k < m->outputs[i].rank; ++k)
      n *= outDims[i][k];
    return n;
  };
  // Outputs the run allocates (ONNXC_OUTPUT_ALLOCATED: sizes from data with no bound): the
  // run stores a pointer into a slot, allocated through this counting allocator; each is
  // copied out and freed after the run, and a library that leaks (or frees what it did not
  // allocate) is reported.
  struct Counting {
    long live = 0, calls = 0;
  } counting;
  onnxc_allocator allocator{
      [](void *user, size_t bytes, size_t align) -> void * {
        auto *c = static_cast<Counting *>(user);
        void *p = std::aligned_alloc(align, (bytes + align - 1) / align * align);
        c->live += p != nullptr;
        ++c->calls;
        return p;
      },
      [](void *user, void *ptr) {
        static_cast<Counting *>(user)->live -= ptr != nullptr;
        std::free(ptr);
      },
      &counting};
  auto isAllocated = [&](unsigned i) {
    return m->output_flags && (m->output_flags[i] & ONNXC_OUTPUT_ALLOCATED);
  };
  std::vector<void *> slots(m->num_outputs, nullptr);
  std::vector<std::vector<char>> outputs(m->num_outputs);
  std::vector<const void *> inPtrs;
  std::vector<void *> outPtrs;
  for (unsigned i = 0; i < m->num_inputs; ++i)
    inPtrs.push_back(absent[i]              ? nullptr
                     : isSequenceInput(i) ? static_cast<const void *>(&seqInputs[i].seq)
                                            : inputs[i].data());
  // Sequence outputs (ONNXC_OUTPUT_SEQUENCE): the run fills an onnxc_sequence whose block
  // comes from the counting allocator; copied out and freed after each run.
  auto isSequenceOutput = [&](unsigned i) {
    return m->output_flags && (m->output_flags[i] & ONNXC_OUTPUT_SEQUENCE);
  };
  std::vector<onnxc_sequence> seqOutputs(m->num_outputs);
  std::vector<onnxc::SequenceFile> gotSequences(m->num_outputs);
  std::vector<bool> gotAbsent(m->num_outputs, false);
  for (unsigned i = 0; i < m->num_outputs; ++i) {
    if (isAllocated(i)) {
      outPtrs.push_back(&slots[i]);
      continue;
    }
    if (isSequenceOutput(i)) {
      outPtrs.push_back(&seqOutputs[i]);
      continue;
    }
    outputs[i].assign(outputBytes(i) + 1, 0); // +1: never a null data() pointer.
    outPtrs.push_back(outputs[i].data());
  }
  // After a run: the allocated outputs copied out (`keep`) and freed.
  auto releaseOutputs = [&](bool keep) {
    for (unsigned i = 0; i < m->num_outputs; ++i) {
      if (isSequenceOutput(i)) {
        const onnxc_sequence &q = seqOutputs[i];
        if (keep) {
          gotAbsent[i] = q.length < 0;
          gotSequences[i].tensors.clear();
          for (int64_t k = 0; k < q.length; ++k) {
            onnxc::TensorFile t;
            t.dtype = q.dtype;
            t.dims.assign(q.dims[k], q.dims[k] + q.ranks[k]);
            size_t bytes = onnxc::dtypeSize(q.dtype);
            for (int64_t d : t.dims)
              bytes *= d;
            const char *p = static_cast<const char *>(q.data[k]);
            t.data.assign(p, p + (p ? bytes : 0));
            gotSequences[i].tensors.push_back(std::move(t));
          }
        }
        if (q.allocation)
          allocator.free(allocator.user, q.allocation);
        seqOutputs[i] = {};
        continue;
      }
      if (!isAllocated(i))
        continue;
      if (keep) {
        const char *p = static_cast<const char *>(slots[i]);
        outputs[i].assign(outputBytes(i) + 1, 0);
        if (p)
          std::memcpy(outputs[i].data(), p, outputBytes(i));
      }
      allocator.free(allocator.user, slots[i]);
      slots[i] = nullptr;
    }
  };
  size_t align = m->workspace_alignment ? m->workspace_alignment : 64;
  int64_t wsBytes = dynamic ? m->workspace_size_for(dims.data()) : int64_t(m->workspace_size);
  if (wsBytes < 0) {
    std::fprintf(stderr, "onnx-run: error: the run-time dims are out of range for this model\n");
    return kFailure;
  }
  size_t wsSize = (size_t(wsBytes) + align - 1) / align * align;
  if (dynamic)
    std::printf("workspace %llu bytes\n", (unsigned long long)wsSize);
  void *ws = wsSize ? std::aligned_alloc(align, wsSize) : nullptr;
  // Freed on every return (a failed run included: valgrind runs of refused inputs).
  std::unique_ptr<void, void (*)(void *)> wsOwner(ws, std::free);
  auto runOnce = [&](bool keep = false) {
    // run_with_allocator is run_checked (the size of the workspace allocated here is
    // checked too) with this allocator for allocated outputs.
    int s = m->run_with_allocator(dynamic ? dims.data() : nullptr, inPtrs.data(),
                                  outPtrs.data(), dynamic ? outDimPtrs.data() : nullptr, ws,
                                  wsSize, &allocator);
    releaseOutputs(keep && s == ONNXC_OK);
    return s;
  };

  status = runOnce(/*keep=*/true);
  if (counting.live) {
    std::fprintf(stderr, "onnx-run: error: %ld allocated output(s) %s after the run\n",
                 std::labs(counting.live), counting.live > 0 ? "leaked" : "freed twice");
    return kFailure;
  }
  if (status != ONNXC_OK) {
    std::fprintf(stderr, "onnx-run: error: run: %s\n", m->status_string(status));
    return kFailure;
  }
  if (m->flags & ONNXC_MODEL_ALLOCATED_OUTPUTS)
    std::printf("allocated outputs: %ld allocator call(s)\n", counting.calls);

  int rc = kOk;
  if (!a.saveOutputs.empty())
    for (unsigned i = 0; i < m->num_outputs; ++i) {
      const auto &d = m->outputs[i];
      std::string err, file = a.saveOutputs + "/output_" + std::to_string(i) + ".pb";
      if (isSequenceOutput(i)) {
        onnxc::SequenceFile q = gotSequences[i];
        q.name = d.name;
        if (!onnxc::writeSequenceFile(file, q, err)) {
          std::fprintf(stderr, "onnx-run: error: %s: %s\n", file.c_str(), err.c_str());
          return kFailure;
        }
        continue;
      }
      onnxc::TensorFile t{d.name, d.dtype,
                          std::vector<int64_t>(outDims[i].begin(), outDims[i].end() - 1),
                          std::vector<char>(outputs[i].begin(),
                                            outputs[i].begin() + outputBytes(i))};
      if (!onnxc::writeTensorFile(file, t, err)) {
        std::fprintf(stderr, "onnx-run: error: %s: %s\n", file.c_str(), err.c_str());
        return kFailure;
      }
    }
  // Compares one tensor (`label` names it) with the expected file's; false on a mismatch.
  auto compare = [&](const std::string &label, int dtype, const std::vector<int64_t> &gotDims,
                     const char *got, const onnxc::TensorFile &want) {
    if (!sameBits(want.dtype, dtype) || want.dims != gotDims) {
      std::printf("%s: MISMATCH: expected dtype %d %s, library gives dtype %d %s\n",
                  label.c_str(), want.dtype,
                  shapeString(want.dims.data(), want.dims.size()).c_str(), dtype,
                  shapeString(gotDims.data(), gotDims.size()).c_str());
      return false;
    }
    size_t n = 1, bad = 0;
    for (int64_t d : gotDims)
      n *= size_t(d);
    double maxAbs = 0, maxRel = 0;
    if (isFloatType(dtype)) {
      for (size_t e = 0; e < n; ++e) {
        double g = asDouble(dtype, got, e);
        double w = asDouble(dtype, want.data.data(), e);
        if (std::isnan(g) || std::isnan(w)) {
          bad += std::isnan(g) != std::isnan(w);
          continue;
        }
        if (std::isinf(g) || std::isinf(w)) {
          bad += g != w;
          continue;
        }
        double diff = std::fabs(g - w);
        maxAbs = std::max(maxAbs, diff);
        if (w != 0)
          maxRel = std::max(maxRel, diff / std::fabs(w));
        bad += diff > a.atol + a.rtol * std::fabs(w);
      }
    } else {
      size_t es = onnxc::dtypeSize(dtype);
      for (size_t e = 0; e < n; ++e)
        bad += std::memcmp(got + e * es, want.data.data() + e * es, es) != 0;
    }
    std::printf("%s %s: max abs err %.3g, max rel err %.3g: %s", label.c_str(),
                shapeString(gotDims.data(), gotDims.size()).c_str(), maxAbs, maxRel,
                bad ? "MISMATCH" : "OK");
    if (bad)
      std::printf(" (%zu of %zu elements outside atol %.3g + rtol %.3g)", bad, n, a.atol, a.rtol);
    std::printf("\n");
    return bad == 0;
  };
  if (!a.expect.empty()) {
    for (unsigned i = 0; i < m->num_outputs; ++i) {
      const auto &d = m->outputs[i];
      std::string err, file = a.expect + "/output_" + std::to_string(i) + ".pb";
      std::string label = "output " + std::to_string(i) + " '" + d.name + "'";
      if (isSequenceOutput(i)) {
        // A SequenceProto file (an OptionalProto of one for an optional output).
        onnxc::SequenceFile want;
        bool present = true;
        bool read = (m->output_flags[i] & ONNXC_OUTPUT_OPTIONAL)
                        ? onnxc::readOptionalSequenceFile(file, present, want, err)
                        : onnxc::readSequenceFile(file, want, err);
        if (!read) {
          std::fprintf(stderr, "onnx-run: error: %s: %s\n", file.c_str(), err.c_str());
          return kFailure;
        }
        const auto &got = gotSequences[i].tensors;
        if (present == gotAbsent[i] || want.tensors.size() != got.size()) {
          std::printf("%s: MISMATCH: expected %s, library gives %s\n", label.c_str(),
                      present ? ("a sequence of " + std::to_string(want.tensors.size()) +
                                 " tensors").c_str()
                              : "an absent optional",
                      gotAbsent[i] ? "an absent optional"
                                   : ("a sequence of " + std::to_string(got.size()) +
                                      " tensors").c_str());
          rc = kMismatch;
          continue;
        }
        if (gotAbsent[i])
          std::printf("%s: absent: OK\n", label.c_str());
        else if (got.empty())
          std::printf("%s: empty sequence: OK\n", label.c_str());
        for (size_t k = 0; k < got.size(); ++k)
          if (!compare(label + "[" + std::to_string(k) + "]", got[k].dtype, got[k].dims,
                       got[k].data.data(), want.tensors[k]))
            rc = kMismatch;
        continue;
      }
      onnxc::TensorFile want;
      if (!onnxc::readTensorFile(file, want, err)) {
        std::fprintf(stderr, "onnx-run: error: %s: %s\n", file.c_str(), err.c_str());
        return kFailure;
      }
      if (!compare(label, d.dtype, std::vector<int64_t>(outDims[i].begin(), outDims[i].end() - 1),
                   outputs[i].data(), want))
        rc = kMismatch;
    }
  }

  if (a.iters > 0) {
    for (int i = 0; i < a.warmup; ++i)
      runOnce();
    std::vector<double> ms;
    for (int i = 0; i < a.iters; ++i) {
      auto t0 = std::chrono::steady_clock::now();
      runOnce();
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    double mean = 0;
    for (double v : ms)
      mean += v / ms.size();
    int threads = m->num_threads();
    std::printf("latency over %d runs (%d thread%s): median %.4f ms, min %.4f ms, mean %.4f ms\n",
                a.iters, threads, threads == 1 ? "" : "s", ms[ms.size() / 2], ms.front(), mean);
  }
  if (a.serve) {
    char line[64];
    while (std::fgets(line, sizeof line, stdin)) {
      int k = 0;
      if (std::sscanf(line, "run %d", &k) != 1 || k <= 0)
        break;
      std::printf("us");
      for (int i = 0; i < k; ++i) {
        auto t0 = std::chrono::steady_clock::now();
        runOnce();
        std::printf(" %.2f", std::chrono::duration<double, std::micro>(
                                 std::chrono::steady_clock::now() - t0).count());
      }
      std::printf("\n");
      std::fflush(stdout);
    }
  }
  return rc;
}

// onnx-compile: ONNX model -> self-contained shared library + C header.
#include "codegen/ModelInterface.h"
#include "compiler/Pipeline.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/CodeGen/CommandFlags.h"
#include "llvm/Pass.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

static cl::OptionCategory category("onnx-compile options");

static cl::opt<std::string> input(cl::Positional, cl::desc("<model.onnx>"), cl::Required,
                                  cl::cat(category));
static cl::opt<std::string> output("o", cl::desc("Output file (default: the model's name with "
                                                 "the artifact's extension; '-' for stdout "
                                                 "with text kinds)"),
                                   cl::value_desc("path"), cl::cat(category));
static cl::opt<onnxc::EmitKind> emit(
    "emit", cl::desc("Which artifact to write"), cl::init(onnxc::EmitKind::So),
    cl::values(clEnumValN(onnxc::EmitKind::Mlir, "mlir", "the onnx dialect after import"),
               clEnumValN(onnxc::EmitKind::Linalg, "linalg", "after lowering to linalg"),
               clEnumValN(onnxc::EmitKind::Llvm, "llvm", "optimized LLVM IR (.ll)"),
               clEnumValN(onnxc::EmitKind::Obj, "obj", "object file, runtime stub included (.o)"),
               clEnumValN(onnxc::EmitKind::So, "so", "shared library + C header (default)"),
               clEnumValN(onnxc::EmitKind::Static, "static",
                          "static archive (.a) + C header; same API, no onnxc_model_get"),
               clEnumValN(onnxc::EmitKind::Ptx, "ptx", "--target cuda: the kernels' PTX")),
    cl::cat(category));
static cl::opt<unsigned> optLevel("O", cl::Prefix,
                                  cl::desc("Optimization level: -O0 to -O3 (default -O3)"),
                                  cl::init(3), cl::cat(category));
static cl::opt<std::string> target("target",
                                   cl::desc("LLVM target triple (default: the host's): "
                                            "x86_64-linux-gnu or aarch64-linux-gnu; or 'cuda' "
                                            "for NVIDIA GPUs (see --gpu, --host-target)"),
                                   cl::value_desc("triple"), cl::cat(category));
static cl::opt<std::string> gpu("gpu",
                                cl::desc("With --target cuda: the GPU the cubin is for, sm_80, "
                                         "sm_86, sm_89 or sm_90 (default sm_80); the PTX "
                                         "embedded beside it runs on newer GPUs"),
                                cl::value_desc("sm_XX"), cl::cat(category));
static cl::opt<bool> gpuTf32("gpu-tf32",
                            cl::desc("With --target cuda: run MatMul, Gemm and Conv on TF32 "
                                     "tensor cores (inputs rounded to 10-bit mantissas, fp32 "
                                     "accumulation; about 1e-3 relative error). Default: exact "
                                     "fp32"),
                            cl::cat(category));
static cl::opt<std::string> hostTarget("host-target",
                                       cl::desc("With --target cuda: the triple of the host "
                                                "code (default: the compiler's host)"),
                                       cl::value_desc("triple"), cl::cat(category));
static cl::list<std::string> shapes("shape",
                                    cl::desc("Fix an input's dims, e.g. --shape input=1x3x224x224"),
                                    cl::value_desc("NAME=DIMS"), cl::cat(category));
static cl::opt<std::string> name("name", cl::desc("C prefix of the model's API (default: from "
                                                  "the file name)"),
                                 cl::value_desc("identifier"), cl::cat(category));
static cl::opt<bool> printIrAfterAll("print-ir-after-all",
                                     cl::desc("Print the IR after every pass (to stderr)"),
                                     cl::cat(category));
static cl::opt<std::string> sanitize(
    "sanitize",
    cl::desc("Instrument the generated code and the runtime stub: 'address' (AddressSanitizer) "
             "or 'thread' (ThreadSanitizer); link the result into a program built with the "
             "same -fsanitize"),
    cl::value_desc("address|thread"), cl::cat(category));
// Testing only: proves that --sanitize=address catches a kernel that runs past its buffer.
static cl::opt<bool> debugUndersizeBuffers(
    "debug-undersize-buffers",
    cl::desc("With --sanitize=address: plan every workspace buffer one element short, so the "
             "kernels access past their buffers (to test that the redzones catch it)"),
    cl::Hidden, cl::cat(category));
static cl::opt<std::string> diagnosticsFormat(
    "diagnostics-format", cl::desc("'text' (default) or 'json': one object per line on stderr"),
    cl::value_desc("text|json"), cl::init("text"), cl::cat(category));
static cl::opt<bool> quiet("q", cl::desc("No progress line on a terminal"), cl::cat(category));
static cl::opt<bool> verbose("v", cl::desc("Print the pipeline stages with their times"),
                             cl::cat(category));

static bool parseShape(const std::string &spec, onnxc::ImportOptions &opts) {
  size_t eq = spec.rfind('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
    return false;
  std::vector<int64_t> dims;
  StringRef rest = StringRef(spec).substr(eq + 1);
  while (!rest.empty()) {
    auto [tok, tail] = rest.split('x');
    int64_t v;
    if (tok.getAsInteger(10, v) || v < 0)
      return false;
    dims.push_back(v);
    rest = tail;
  }
  opts.inputShapes[spec.substr(0, eq)] = dims;
  return true;
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  // lld registers LLVM's codegen flags (-mcpu, -mattr, ...) when it links; registering them
  // first lets us use LLVM's own -mcpu instead of a clashing copy.
  static codegen::RegisterCodeGenFlags codegenFlags;
  auto &registered = cl::getRegisteredOptions();
  if (auto *mcpu = registered.lookup("mcpu")) {
    mcpu->addCategory(category);
    mcpu->setDescription("Target CPU, optionally with extensions: cortex-a76, generic+sve, "
                         "neoverse-n1+nodotprod (default x86-64-v3 on x86-64: AVX2+FMA, any "
                         "x86-64 since 2015; generic on AArch64: armv8-a + NEON; 'native' for "
                         "this machine). A library run on a CPU without these features returns "
                         "ONNXC_ERROR_CPU_UNSUPPORTED");
  }
  if (auto *mattr = registered.lookup("mattr")) {
    mattr->addCategory(category);
    mattr->setDescription("LLVM target features to add or remove, e.g. +sve,+sve2,-dotprod");
  }
  // LLVM already owns -time-passes (its own pass timers); show it with ours and use its value
  // for the MLIR passes too.
  if (auto *timePasses = registered.lookup("time-passes")) {
    timePasses->addCategory(category);
    timePasses->setHiddenFlag(cl::NotHidden);
  }
  cl::HideUnrelatedOptions(category);
  cl::SetVersionPrinter([](raw_ostream &os) { os << "onnx-compile " ONNXC_VERSION "\n"; });
  cl::ParseCommandLineOptions(
      argc, argv,
      "onnx-compile: compile an ONNX model ahead of time into a self-contained library\n\n"
      "  onnx-compile model.onnx -o model.so    writes model.so and model.h\n\n"
      "Exit codes: 0 success; 1 the model cannot be read or compiled (errors name the\n"
      "nodes); 2 bad command line or target; 3 an output cannot be written or linking failed.\n");
  if (optLevel > 3) {
    errs() << "onnx-compile: error: optimization levels are -O0 to -O3\n";
    return onnxc::kExitUsage;
  }
  onnxc::CompileOptions o;
  o.input = input;
  o.output = output;
  o.emit = emit;
  o.optLevel = optLevel;
  o.triple = target;
  if (target == "cuda") {
    o.triple = hostTarget;
    o.gpu = gpu.empty() ? "sm_80" : std::string(gpu);
    o.gpuTf32 = gpuTf32;
  } else if (!gpu.empty() || !hostTarget.empty() || emit == onnxc::EmitKind::Ptx || gpuTf32) {
    errs() << "onnx-compile: error: --gpu, --gpu-tf32, --host-target and --emit=ptx need "
              "--target cuda\n";
    return onnxc::kExitUsage;
  }
  o.cpu = codegen::getMCPU(); // Empty: the target's default.
  o.features = join(codegen::getMAttrs(), ",");
  o.name = name;
  o.printIrAfterAll = printIrAfterAll;
  o.timePasses = TimePassesIsEnabled;
  o.verbose = verbose;
  o.quiet = quiet;
  if (diagnosticsFormat != "text" && diagnosticsFormat != "json") {
    errs() << "onnx-compile: error: --diagnostics-format takes 'text' or 'json'\n";
    return onnxc::kExitUsage;
  }
  o.jsonDiagnostics = diagnosticsFormat == "json";
  if (!sanitize.empty() && sanitize != "address" && sanitize != "thread") {
    errs() << "onnx-compile: error: --sanitize takes 'address' or 'thread'\n";
    return onnxc::kExitUsage;
  }
  o.sanitize = sanitize;
  if (debugUndersizeBuffers && sanitize != "address") {
    errs() << "onnx-compile: error: --debug-undersize-buffers needs --sanitize=address\n";
    return onnxc::kExitUsage;
  }
  o.debugUndersizeBuffers = debugUndersizeBuffers;
  for (const auto &s : shapes)
    if (!parseShape(s, o.import)) {
      errs() << "onnx-compile: error: --shape expects NAME=DIMS with DIMS like 1x3x224x224, got '"
             << s << "'\n";
      return onnxc::kExitUsage;
    }
  if (!o.name.empty() && onnxc::toCIdentifier(o.name) != o.name) {
    errs() << "onnx-compile: error: --name must be a C identifier\n";
    return onnxc::kExitUsage;
  }
  return onnxc::compile(o, argv[0]);
}

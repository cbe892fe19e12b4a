// The model's outside: a hidden kernel wrapper that unpacks pointer arrays into main_graph's
// arguments, the onnxc_model descriptor (runtime-stub/include/onnxc/model.h), and the
// exported functions. Only the exported functions have default visibility.
#include "codegen/Codegen.h"

#include "llvm/IR/Constants.h"
#include "llvm/IR/DerivedTypes.h"
#include "llvm/IR/Function.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Module.h"

using namespace llvm;

namespace onnxc {

static Function *declareHidden(Module &m, StringRef name, FunctionType *type) {
  Function *f = m.getFunction(name);
  if (!f) {
    f = Function::Create(type, GlobalValue::ExternalLinkage, name, m);
    f->setVisibility(GlobalValue::HiddenVisibility);
  }
  return f;
}

static Function *defineExported(Module &m, StringRef name, FunctionType *type) {
  Function *f = Function::Create(type, GlobalValue::ExternalLinkage, name, m);
  f->setVisibility(GlobalValue::DefaultVisibility);
  f->addFnAttr(Attribute::NoUnwind);
  // Runs before the CPU check: optimizeModule compiles it for the baseline CPU.
  f->addFnAttr(kBaselineCpuAttr);
  return f;
}

/// An on-stack array of `count` pointers holding f's arguments from `first` on: the typed
/// entry points' arguments in the runtime's pointer-array form.
static Value *packArgs(IRBuilder<> &b, Function *f, unsigned first, size_t count) {
  Type *ptr = PointerType::getUnqual(f->getContext());
  auto *type = ArrayType::get(ptr, std::max<size_t>(count, 1));
  Value *arr = b.CreateAlloca(type);
  for (size_t i = 0; i < count; ++i)
    b.CreateStore(f->getArg(first + i), b.CreateConstGEP2_64(type, arr, 0, i));
  return arr;
}

static Constant *cString(Module &m, StringRef s, const Twine &name) {
  auto *init = ConstantDataArray::getString(m.getContext(), s);
  auto *gv = new GlobalVariable(m, init->getType(), true, GlobalValue::PrivateLinkage, init, name);
  gv->setUnnamedAddr(GlobalValue::UnnamedAddr::Global);
  return gv;
}

Expected<std::vector<std::string>> addEntryPoints(Module &m, const ModelInterface &model,
                                                  bool genericGetter) {
  LLVMContext &ctx = m.getContext();
  Function *mainGraph = m.getFunction("main_graph");
  // CUDA libraries call their graph from runtime-stub/cuda.c (codegen/cuda): no wrapper.
  bool cuda = m.getFunction("onnxc__cuda_graph") != nullptr;
  if (!mainGraph && !cuda)
    return createStringError("main_graph is missing from the lowered module");
  size_t numIn = model.inputs.size(), numOut = model.outputs.size();
  // Models with sequences: main_graph's hidden results follow the outputs (the tensors of
  // sequence outputs, runtime-stub/runtime.c); the runtime passes their buffers after the
  // outputs' in the kernel's output array.
  size_t numHidden = model.hidden.size();
  // The kernel's view (dims in, sizes function) and the callers' (a model that maps sequences
  // runs its dynamic kernel per element behind a static interface).
  bool dynamic = model.kernelDynamic();
  bool publicDynamic = model.isDynamic();
  std::vector<std::string> publicDimNames = model.publicDimNames();
  size_t numPublicDims = publicDynamic ? publicDimNames.size() : 0;
  Function *sizesFn = nullptr;
  if (cuda && dynamic)
    return createStringError("CUDA libraries take static dims only (use --shape)");
  if (!cuda) {
    // Static: main_graph(inputs..., outputs..., workspace). Run-time dims
    // (docs/dynamic-shapes.md): main_graph(dims, inputs..., outputs..., out_dims, workspace).
    size_t expected = numIn + numOut + numHidden + (dynamic ? 3 : 1);
    if (mainGraph->arg_size() != expected)
      return createStringError("main_graph has " + std::to_string(mainGraph->arg_size()) +
                               " arguments, expected " + std::to_string(expected));
    mainGraph->setLinkage(GlobalValue::InternalLinkage);
    sizesFn = m.getFunction("onnxc_sizes");
    if (dynamic != (sizesFn != nullptr))
      return createStringError("onnxc_sizes is missing or unexpected");
    if (sizesFn)
      sizesFn->setLinkage(GlobalValue::InternalLinkage);
  }

  Type *ptr = PointerType::getUnqual(ctx);
  Type *i32 = Type::getInt32Ty(ctx), *i64 = Type::getInt64Ty(ctx);
  Type *ptrTy = ptr;

  // int onnxc__kernel(const void *const *in, void *const *out, void *ws)
  auto *kernelType = FunctionType::get(i32, {ptrTy, ptrTy, ptrTy}, false);
  auto unpack = [&](IRBuilder<> &b, Value *array, size_t count, SmallVector<Value *> &args) {
    for (size_t i = 0; i < count; ++i)
      args.push_back(b.CreateLoad(ptrTy, b.CreateConstGEP1_64(ptrTy, array, i)));
  };
  // Calls main_graph; under --sanitize=address it first poisons the redzones between the
  // planned buffers for the run, and gives the caller its workspace back unpoisoned (ASan's
  // interface, from the host's runtime; the runtime stub has checked the workspace pointer
  // before this runs). Run-time sized buffers have no redzones (PlanMemory).
  auto callMain = [&](IRBuilder<> &b, ArrayRef<Value *> args, Value *ws) {
    auto *asanType = FunctionType::get(Type::getVoidTy(ctx), {ptr, i64}, false);
    auto asanCall = [&](StringRef fn, int64_t offset, int64_t size) {
      FunctionCallee callee = m.getOrInsertFunction(fn, asanType);
      b.CreateCall(callee, {b.CreateConstGEP1_64(b.getInt8Ty(), ws, offset),
                            ConstantInt::get(i64, size)});
    };
    for (size_t i = 0; i + 1 < model.redzones.size(); i += 2)
      if (model.redzones[i + 1] > 0)
        asanCall("__asan_poison_memory_region", model.redzones[i], model.redzones[i + 1]);
    // main_graph returns an i32 status when it can fail at run time: per-run allocations
    // (sizes from data, PlanMemory) or run-time checks (onnx-lower-runtime-checks);
    // otherwise it returns nothing and cannot fail (0: success).
    Value *status = b.CreateCall(mainGraph, args);
    if (!mainGraph->getReturnType()->isIntegerTy(32))
      status = ConstantInt::get(i32, 0);
    if (!model.redzones.empty())
      asanCall("__asan_unpoison_memory_region", 0, model.workspaceSize);
    return status;
  };
  // CUDA libraries have their own host code in runtime-stub/cuda.c.
  if (!cuda) {
  Function *kernel = declareHidden(m, "onnxc__kernel", kernelType);
  {
    IRBuilder<> b(BasicBlock::Create(ctx, "entry", kernel));
    if (dynamic) {
      b.CreateRet(ConstantInt::get(i32, 8)); // ONNXC_ERROR_DIMS_OUT_OF_RANGE: needs dims.
    } else {
      SmallVector<Value *> args;
      unpack(b, kernel->getArg(0), numIn, args);
      unpack(b, kernel->getArg(1), numOut + numHidden, args);
      args.push_back(kernel->getArg(2));
      b.CreateRet(callMain(b, args, kernel->getArg(2)));
    }
  }
  // int onnxc__kernel_dynamic(const int64_t *dims, in, out, int64_t *out_dims_flat, ws)
  {
    Function *f = declareHidden(
        m, "onnxc__kernel_dynamic", FunctionType::get(i32, {ptrTy, ptrTy, ptrTy, ptrTy, ptrTy}, false));
    IRBuilder<> b(BasicBlock::Create(ctx, "entry", f));
    SmallVector<Value *> args;
    if (dynamic)
      args.push_back(f->getArg(0));
    unpack(b, f->getArg(1), numIn, args);
    unpack(b, f->getArg(2), numOut + numHidden, args);
    if (dynamic)
      args.push_back(f->getArg(3));
    args.push_back(f->getArg(4));
    b.CreateRet(callMain(b, args, f->getArg(4)));
  }
  // int64_t onnxc__sizes(const int64_t *dims, int64_t *out_dims_flat)
  {
    Function *f = declareHidden(m, "onnxc__sizes", FunctionType::get(i64, {ptrTy, ptrTy}, false));
    IRBuilder<> b(BasicBlock::Create(ctx, "entry", f));
    if (dynamic) {
      b.CreateRet(b.CreateCall(sizesFn, {f->getArg(0), f->getArg(1)}));
    } else {
      int64_t at = 0;
      for (const auto &t : model.outputs)
        for (int64_t d : t.dims)
          b.CreateStore(ConstantInt::get(i64, d), b.CreateConstGEP1_64(i64, f->getArg(1), at++));
      b.CreateRet(ConstantInt::get(i64, model.workspaceSize));
    }
  }

  } // !cuda
  // The descriptor.
  StructType *descType = StructType::create(ctx, {ptr, i32, i32, ptr, i64}, "onnxc_tensor_desc");
  bool isInputs = true, kernelView = false;
  auto tensorArray = [&](const std::vector<TensorInterface> &list,
                         StringRef kind) -> GlobalVariable * {
    SmallVector<Constant *> elems;
    for (size_t i = 0; i < list.size(); ++i) {
      const auto &t = list[i];
      SmallVector<Constant *> dims;
      // A run-time dim reads -1 - symbol for an input, -1 for an output. A sequence has no
      // dims in the descriptor (kernelView: the kernel's per-element view, for the runtime).
      size_t rank = t.sequence && !kernelView ? 0 : t.dims.size();
      for (size_t d = 0; d < rank; ++d)
        dims.push_back(ConstantInt::get(
            i64, t.dims[d] >= 0                              ? t.dims[d]
                 : isInputs && d < t.dimSymbols.size() && t.dimSymbols[d] >= 0
                     ? -1 - t.dimSymbols[d]
                     : -1));
      auto *dimsType = ArrayType::get(i64, dims.size());
      auto *dimsGv = new GlobalVariable(m, dimsType, true, GlobalValue::PrivateLinkage,
                                        ConstantArray::get(dimsType, dims),
                                        "onnxc.dims." + kind + "." + Twine(i));
      elems.push_back(ConstantStruct::get(
          descType, {cString(m, t.name, "onnxc.name." + kind + "." + Twine(i)),
                     ConstantInt::get(i32, t.dtype), ConstantInt::get(i32, rank),
                     dimsGv, ConstantInt::get(i64, t.sizeBytes())}));
    }
    auto *arrType = ArrayType::get(descType, elems.size());
    isInputs = false; // Called for the inputs first.
    return new GlobalVariable(m, arrType, true, GlobalValue::PrivateLinkage,
                              ConstantArray::get(arrType, elems), "onnxc." + kind);
  };
  auto *initType = FunctionType::get(i32, {}, false);
  auto *statusType = FunctionType::get(ptr, {i32}, false);
  Function *rtInit = declareHidden(m, "onnxc_rt_init", initType);
  Function *rtRun = declareHidden(m, "onnxc_rt_run", kernelType);
  Function *rtStatus = declareHidden(m, "onnxc_rt_status_string", statusType);

  auto *setThreadsType = FunctionType::get(i32, {i32}, false);
  Function *rtSetThreads = declareHidden(m, "onnxc_rt_set_num_threads", setThreadsType);
  Function *rtThreads = declareHidden(m, "onnxc_rt_num_threads", initType);

  Function *rtWsFor = declareHidden(m, "onnxc_rt_workspace_size_for",
                                   FunctionType::get(i64, {ptrTy}, false));
  Function *rtOutDims = declareHidden(m, "onnxc_rt_output_dims",
                                      FunctionType::get(i32, {ptrTy, ptrTy}, false));
  auto *runDynType = FunctionType::get(i32, {ptrTy, ptrTy, ptrTy, ptrTy, ptrTy}, false);
  Function *rtRunDyn = declareHidden(m, "onnxc_rt_run_dynamic", runDynType);
  Function *rtRunChecked = declareHidden(
      m, "onnxc_rt_run_checked",
      FunctionType::get(i32, {ptrTy, ptrTy, ptrTy, ptrTy, ptrTy, i64}, false));
  Function *rtRunAlloc = declareHidden(
      m, "onnxc_rt_run_with_allocator",
      FunctionType::get(i32, {ptrTy, ptrTy, ptrTy, ptrTy, ptrTy, i64, ptrTy}, false));
  Constant *dimNames = ConstantPointerNull::get(PointerType::getUnqual(ctx));
  if (publicDynamic) {
    SmallVector<Constant *> names;
    for (size_t k = 0; k < numPublicDims; ++k)
      names.push_back(cString(m, publicDimNames[k], "onnxc.dim_name." + Twine(k)));
    auto *type = ArrayType::get(ptr, names.size());
    dimNames = new GlobalVariable(m, type, true, GlobalValue::PrivateLinkage,
                                  ConstantArray::get(type, names), "onnxc.dim_names");
  }

  StructType *modelType = StructType::create(
      ctx, {i32, i32, i32, i32, ptr, ptr, ptr, ptr, i64, i64, ptr, ptr, ptr, ptr, ptr, i32, ptr, ptr, ptr, ptr, ptr, ptr, ptr, ptr},
      "onnxc_model");
  // One uint32 per tensor (at least one element, so the array exists for a model without
  // inputs or outputs).
  auto flagArray = [&](ArrayRef<TensorInterface> tensors,
                       function_ref<uint32_t(const TensorInterface &)> flag, const char *name) {
    SmallVector<Constant *> flags;
    for (const auto &t : tensors)
      flags.push_back(ConstantInt::get(i32, flag(t)));
    if (flags.empty())
      flags.push_back(ConstantInt::get(i32, 0));
    auto *type = ArrayType::get(i32, flags.size());
    return new GlobalVariable(m, type, true, GlobalValue::PrivateLinkage,
                              ConstantArray::get(type, flags), name);
  };
  // input_flags (ABI 4): ONNXC_TENSOR_OPTIONAL (1) for an optional input; (ABI 6)
  // ONNXC_TENSOR_SEQUENCE (2) for a sequence.
  auto *inputFlagsGv = flagArray(
      model.inputs,
      [](const TensorInterface &t) { return (t.optional ? 1u : 0u) | (t.sequence ? 2u : 0u); },
      "onnxc.input_flags");
  // output_flags (ABI 5): ONNXC_OUTPUT_ALLOCATED (1) for an output the run allocates; (ABI 6)
  // ONNXC_OUTPUT_SEQUENCE (2), ONNXC_OUTPUT_OPTIONAL (4) for an optional sequence.
  auto *outputFlagsGv = flagArray(
      model.outputs,
      [](const TensorInterface &t) {
        return (t.allocated ? 1u : 0u) | (t.sequence ? 2u : 0u) |
               (t.sequence && t.optional ? 4u : 0u);
      },
      "onnxc.output_flags");
  // ONNXC_MODEL_DATA_DEPENDENT_DIMS (1), ONNXC_MODEL_ALLOCATED_OUTPUTS (2),
  // ONNXC_MODEL_SEQUENCES (4).
  uint32_t modelFlags = (model.dataDependent && !model.sequenceDynamicKernel ? 1 : 0) |
                        (model.allocatesOutputs() ? 2 : 0) | (model.hasSequences() ? 4 : 0);
  // What runtime.c's sequence layer reads (hidden, internal to the library): the hidden
  // tensors' descriptors and each output's plan (a count, then its instructions).
  if (!cuda) {
    isInputs = false; // Outputs of the kernel: their dims are static.
    auto *hiddenArr = tensorArray(model.hidden, "hidden");
    isInputs = true;
    hiddenArr->setName("onnxc__hidden");
    hiddenArr->setLinkage(GlobalValue::ExternalLinkage);
    hiddenArr->setVisibility(GlobalValue::HiddenVisibility);
    auto *numHiddenGv = new GlobalVariable(m, i32, true, GlobalValue::ExternalLinkage,
                                           ConstantInt::get(i32, numHidden), "onnxc__num_hidden");
    numHiddenGv->setVisibility(GlobalValue::HiddenVisibility);
    SmallVector<Constant *> plan;
    for (const auto &t : model.outputs) {
      plan.push_back(ConstantInt::get(i64, t.plan.size()));
      for (int64_t v : t.plan)
        plan.push_back(ConstantInt::get(i64, v));
    }
    auto *planType = ArrayType::get(i64, plan.size());
    auto *planGv = new GlobalVariable(m, planType, true, GlobalValue::ExternalLinkage,
                                      ConstantArray::get(planType, plan), "onnxc__sequence_plan");
    planGv->setVisibility(GlobalValue::HiddenVisibility);
    // Models that map sequences: the kernel's inputs and outputs per element (dims with
    // symbols), its symbol count, and the flag (runtime.c, run_map).
    kernelView = true;
    for (auto [list, name] : {std::pair{&model.inputs, "onnxc__kernel_inputs"},
                              std::pair{&model.outputs, "onnxc__kernel_outputs"}}) {
      isInputs = list == &model.inputs;
      auto *gv = tensorArray(*list, name);
      gv->setName(name);
      gv->setLinkage(GlobalValue::ExternalLinkage);
      gv->setVisibility(GlobalValue::HiddenVisibility);
    }
    kernelView = false;
    isInputs = true;
    for (auto [name, value] :
         {std::pair{"onnxc__num_kernel_dims", uint32_t(model.dimNames.size())},
          std::pair{"onnxc__sequence_map", uint32_t(model.sequenceMap ? 1 : 0)},
          std::pair{"onnxc__sequence_dynamic_kernel",
                    uint32_t(model.sequenceDynamicKernel ? 1 : 0)}}) {
      auto *gv = new GlobalVariable(m, i32, true, GlobalValue::ExternalLinkage,
                                    ConstantInt::get(i32, value), name);
      gv->setVisibility(GlobalValue::HiddenVisibility);
    }
  }
  Constant *fields[] = {ConstantInt::get(i32, 6), // ONNXC_ABI_VERSION
                        ConstantInt::get(i32, numIn),
                        ConstantInt::get(i32, numOut),
                        ConstantInt::get(i32, modelFlags),
                        cString(m, model.name, "onnxc.model_name"),
                        cString(m, model.target, "onnxc.target"),
                        tensorArray(model.inputs, "inputs"),
                        tensorArray(model.outputs, "outputs"),
                        ConstantInt::get(i64, model.publicWorkspaceSize()),
                        ConstantInt::get(i64, model.workspaceAlignment),
                        rtInit,
                        rtRun,
                        rtStatus,
                        rtSetThreads,
                        rtThreads,
                        ConstantInt::get(i32, numPublicDims),
                        dimNames,
                        rtWsFor,
                        rtOutDims,
                        rtRunDyn,
                        rtRunChecked,
                        inputFlagsGv,
                        outputFlagsGv,
                        rtRunAlloc};
  auto *desc = new GlobalVariable(m, modelType, true, GlobalValue::ExternalLinkage,
                                  ConstantStruct::get(modelType, fields), "onnxc__model");
  desc->setVisibility(GlobalValue::HiddenVisibility);
  auto *features = new GlobalVariable(m, i64, true, GlobalValue::ExternalLinkage,
                                      ConstantInt::get(i64, model.requiredCpuFeatures),
                                      "onnxc__required_features");
  features->setVisibility(GlobalValue::HiddenVisibility);

  // Exported API: the generic getter (prefixed, and unprefixed for dlopen in shared
  // libraries), and the typed entry points.
  std::vector<std::string> api = {model.name + "_model",  model.name + "_init",
                                  model.name + "_status_string", model.name + "_run",
                                  model.name + "_create", model.name + "_destroy",
                                  model.name + "_run_context", model.name + "_set_num_threads",
                                  model.name + "_num_threads"};
  if (genericGetter)
    api.push_back("onnxc_model_get");
  for (std::string name : {api[0], genericGetter ? api.back() : std::string()}) {
    if (name.empty())
      continue;
    Function *get = defineExported(m, name, FunctionType::get(ptr, {}, false));
    IRBuilder<> b(BasicBlock::Create(ctx, "entry", get));
    b.CreateRet(desc);
  }
  {
    Function *f = defineExported(m, model.name + "_init", initType);
    IRBuilder<> b(BasicBlock::Create(ctx, "entry", f));
    b.CreateRet(b.CreateCall(rtInit));
  }
  {
    Function *f = defineExported(m, model.name + "_set_num_threads", setThreadsType);
    IRBuilder<> b(BasicBlock::Create(ctx, "entry", f));
    b.CreateRet(b.CreateCall(rtSetThreads, {f->getArg(0)}));
  }
  {
    Function *f = defineExported(m, model.name + "_num_threads", initType);
    IRBuilder<> b(BasicBlock::Create(ctx, "entry", f));
    b.CreateRet(b.CreateCall(rtThreads));
  }
  {
    Function *f = defineExported(m, model.name + "_status_string", statusType);
    IRBuilder<> b(BasicBlock::Create(ctx, "entry", f));
    b.CreateRet(b.CreateCall(rtStatus, {f->getArg(0)}));
  }
  // Run-time dims: the typed entries take the symbols' values first, and one dims array
  // per output with run-time dims after the outputs (docs/dynamic-shapes.md).
  size_t numDims = numPublicDims;
  SmallVector<size_t> dynOutputs;
  for (size_t i = 0; i < numOut && publicDynamic; ++i)
    if (!model.outputs[i].isStatic() && !model.outputs[i].sequence)
      dynOutputs.push_back(i);
  // Stores f's arguments [first, first + numDims) into an int64_t array.
  auto packDims = [&](IRBuilder<> &b, Function *f, unsigned first) -> Value * {
    auto *type = ArrayType::get(i64, std::max<size_t>(numDims, 1));
    Value *arr = b.CreateAlloca(type);
    for (size_t k = 0; k < numDims; ++k)
      b.CreateStore(f->getArg(first + k), b.CreateConstGEP2_64(type, arr, 0, k));
    return arr;
  };
  // The per-output out-dims pointer array: f's dims arguments from `first`, null elsewhere.
  auto packOutDims = [&](IRBuilder<> &b, Function *f, unsigned first) -> Value * {
    auto *type = ArrayType::get(ptr, std::max<size_t>(numOut, 1));
    Value *arr = b.CreateAlloca(type);
    for (size_t i = 0; i < numOut; ++i)
      b.CreateStore(ConstantPointerNull::get(PointerType::getUnqual(ctx)),
                    b.CreateConstGEP2_64(type, arr, 0, i));
    for (size_t j = 0; j < dynOutputs.size(); ++j)
      b.CreateStore(f->getArg(first + j), b.CreateConstGEP2_64(type, arr, 0, dynOutputs[j]));
    return arr;
  };
  if (!publicDynamic) {
    SmallVector<Type *> params(numIn + numOut + 1, ptr);
    Function *f = defineExported(m, model.name + "_run", FunctionType::get(i32, params, false));
    IRBuilder<> b(BasicBlock::Create(ctx, "entry", f));
    Value *ins = packArgs(b, f, 0, numIn), *outs = packArgs(b, f, numIn, numOut);
    b.CreateRet(b.CreateCall(rtRun, {ins, outs, f->getArg(numIn + numOut)}));
  } else {
    // int <name>_run(dims..., inputs..., outputs..., out_dims..., workspace)
    SmallVector<Type *> params(numDims, i64);
    params.append(numIn + numOut + dynOutputs.size() + 1, ptr);
    Function *f = defineExported(m, model.name + "_run", FunctionType::get(i32, params, false));
    IRBuilder<> b(BasicBlock::Create(ctx, "entry", f));
    unsigned at = numDims;
    Value *dims = packDims(b, f, 0);
    Value *ins = packArgs(b, f, at, numIn), *outs = packArgs(b, f, at + numIn, numOut);
    Value *outDims = packOutDims(b, f, at + numIn + numOut);
    b.CreateRet(b.CreateCall(rtRunDyn, {dims, ins, outs, outDims, f->getArg(params.size() - 1)}));
    // int64_t <name>_workspace_size(dims...)
    Function *ws = defineExported(m, model.name + "_workspace_size",
                                  FunctionType::get(i64, SmallVector<Type *>(numDims, i64), false));
    IRBuilder<> bw(BasicBlock::Create(ctx, "entry", ws));
    bw.CreateRet(bw.CreateCall(rtWsFor, {packDims(bw, ws, 0)}));
    // int <name>_output_dims(dims..., out_dims...)
    SmallVector<Type *> odParams(numDims, i64);
    odParams.append(dynOutputs.size(), ptr);
    Function *od = defineExported(m, model.name + "_output_dims",
                                  FunctionType::get(i32, odParams, false));
    IRBuilder<> bo(BasicBlock::Create(ctx, "entry", od));
    bo.CreateRet(bo.CreateCall(rtOutDims, {packDims(bo, od, 0), packOutDims(bo, od, numDims)}));
    api.push_back(model.name + "_workspace_size");
    api.push_back(model.name + "_output_dims");
  }
  // The context API: <name>_create / _destroy / _run_context(ctx, [dims...,] inputs...,
  // outputs... [, out_dims...]).
  {
    Function *rtCreate = declareHidden(m, "onnxc_rt_context_create", FunctionType::get(ptr, {}, false));
    Function *rtDestroy = declareHidden(
        m, "onnxc_rt_context_destroy", FunctionType::get(Type::getVoidTy(ctx), {ptr}, false));
    Function *rtCtxRun = declareHidden(m, "onnxc_rt_context_run", kernelType);
    Function *create = defineExported(m, model.name + "_create", FunctionType::get(ptr, {}, false));
    IRBuilder<> bc(BasicBlock::Create(ctx, "entry", create));
    bc.CreateRet(bc.CreateCall(rtCreate));
    Function *destroy = defineExported(m, model.name + "_destroy",
                                       FunctionType::get(Type::getVoidTy(ctx), {ptr}, false));
    IRBuilder<> bd(BasicBlock::Create(ctx, "entry", destroy));
    bd.CreateCall(rtDestroy, {destroy->getArg(0)});
    bd.CreateRetVoid();
    if (!publicDynamic) {
      SmallVector<Type *> params(numIn + numOut + 1, ptr);
      Function *f =
          defineExported(m, model.name + "_run_context", FunctionType::get(i32, params, false));
      IRBuilder<> b(BasicBlock::Create(ctx, "entry", f));
      Value *ins = packArgs(b, f, 1, numIn), *outs = packArgs(b, f, 1 + numIn, numOut);
      b.CreateRet(b.CreateCall(rtCtxRun, {f->getArg(0), ins, outs}));
    } else {
      Function *rtCtxRunDyn = declareHidden(
          m, "onnxc_rt_context_run_dynamic",
          FunctionType::get(i32, {ptr, ptr, ptr, ptr, ptr}, false));
      SmallVector<Type *> params{ptr};
      params.append(numDims, i64);
      params.append(numIn + numOut + dynOutputs.size(), ptr);
      Function *f =
          defineExported(m, model.name + "_run_context", FunctionType::get(i32, params, false));
      IRBuilder<> b(BasicBlock::Create(ctx, "entry", f));
      unsigned at = 1 + numDims;
      Value *dims = packDims(b, f, 1);
      Value *ins = packArgs(b, f, at, numIn), *outs = packArgs(b, f, at + numIn, numOut);
      Value *outDims = packOutDims(b, f, at + numIn + numOut);
      b.CreateRet(b.CreateCall(rtCtxRunDyn, {f->getArg(0), dims, ins, outs, outDims}));
    }
    // int <name>_set_allocator(ctx, alloc, free, user): the allocator of the context's
    // allocated outputs (only in models that have some).
    if (model.allocatesOutputs()) {
      auto *type = FunctionType::get(i32, {ptr, ptr, ptr, ptr}, false);
      Function *rtSet = declareHidden(m, "onnxc_rt_context_set_allocator", type);
      Function *f = defineExported(m, model.name + "_set_allocator", type);
      IRBuilder<> b(BasicBlock::Create(ctx, "entry", f));
      b.CreateRet(b.CreateCall(rtSet, {f->getArg(0), f->getArg(1), f->getArg(2), f->getArg(3)}));
      api.push_back(model.name + "_set_allocator");
    }
  }
  return api;
}

} // namespace onnxc

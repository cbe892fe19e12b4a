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
  if (!mainGraph)
    return createStringError("main_graph is missing from the lowered module");
  size_t numIn = model.inputs.size(), numOut = model.outputs.size();
  if (mainGraph->arg_size() != numIn + numOut + 1)
    return createStringError("main_graph has " + std::to_string(mainGraph->arg_size()) +
                             " arguments, expected inputs + outputs + workspace");
  mainGraph->setLinkage(GlobalValue::InternalLinkage);

  Type *ptr = PointerType::getUnqual(ctx);
  Type *i32 = Type::getInt32Ty(ctx), *i64 = Type::getInt64Ty(ctx);

  // int onnxc__kernel(const void *const *in, void *const *out, void *ws)
  auto *kernelType = FunctionType::get(i32, {ptr, ptr, ptr}, false);
  Function *kernel = declareHidden(m, "onnxc__kernel", kernelType);
  {
    IRBuilder<> b(BasicBlock::Create(ctx, "entry", kernel));
    SmallVector<Value *> args;
    for (size_t i = 0; i < numIn; ++i)
      args.push_back(b.CreateLoad(ptr, b.CreateConstGEP1_64(ptr, kernel->getArg(0), i)));
    for (size_t i = 0; i < numOut; ++i)
      args.push_back(b.CreateLoad(ptr, b.CreateConstGEP1_64(ptr, kernel->getArg(1), i)));
    Value *ws = kernel->getArg(2);
    args.push_back(ws);
    // --sanitize=address: poison the redzones between the planned buffers for the run, and
    // give the caller its workspace back unpoisoned (ASan's interface, from the host's
    // runtime; the runtime stub has checked the workspace pointer before this runs).
    auto *asanType = FunctionType::get(Type::getVoidTy(ctx), {ptr, i64}, false);
    auto asanCall = [&](StringRef fn, int64_t offset, int64_t size) {
      FunctionCallee callee = m.getOrInsertFunction(fn, asanType);
      b.CreateCall(callee, {b.CreateConstGEP1_64(b.getInt8Ty(), ws, offset),
                            ConstantInt::get(i64, size)});
    };
    for (size_t i = 0; i + 1 < model.redzones.size(); i += 2)
      if (model.redzones[i + 1] > 0)
        asanCall("__asan_poison_memory_region", model.redzones[i], model.redzones[i + 1]);
    b.CreateCall(mainGraph, args);
    if (!model.redzones.empty())
      asanCall("__asan_unpoison_memory_region", 0, model.workspaceSize);
    b.CreateRet(ConstantInt::get(i32, 0));
  }

  // The descriptor.
  StructType *descType = StructType::create(ctx, {ptr, i32, i32, ptr, i64}, "onnxc_tensor_desc");
  auto tensorArray = [&](const std::vector<TensorInterface> &list, StringRef kind) -> Constant * {
    SmallVector<Constant *> elems;
    for (size_t i = 0; i < list.size(); ++i) {
      const auto &t = list[i];
      SmallVector<Constant *> dims;
      for (int64_t d : t.dims)
        dims.push_back(ConstantInt::get(i64, d));
      auto *dimsType = ArrayType::get(i64, dims.size());
      auto *dimsGv = new GlobalVariable(m, dimsType, true, GlobalValue::PrivateLinkage,
                                        ConstantArray::get(dimsType, dims),
                                        "onnxc.dims." + kind + "." + Twine(i));
      elems.push_back(ConstantStruct::get(
          descType, {cString(m, t.name, "onnxc.name." + kind + "." + Twine(i)),
                     ConstantInt::get(i32, t.dtype), ConstantInt::get(i32, t.dims.size()),
                     dimsGv, ConstantInt::get(i64, t.sizeBytes())}));
    }
    auto *arrType = ArrayType::get(descType, elems.size());
    return new GlobalVariable(m, arrType, true, GlobalValue::PrivateLinkage,
                              ConstantArray::get(arrType, elems), "onnxc." + kind);
  };
  auto *initType = FunctionType::get(i32, {}, false);
  auto *statusType = FunctionType::get(ptr, {i32}, false);
  Function *rtInit = declareHidden(m, "onnxc_rt_init", initType);
  Function *rtRun = declareHidden(m, "onnxc_rt_run", kernelType);
  Function *rtStatus = declareHidden(m, "onnxc_rt_status_string", statusType);

  StructType *modelType = StructType::create(
      ctx, {i32, i32, i32, i32, ptr, ptr, ptr, ptr, i64, i64, ptr, ptr, ptr}, "onnxc_model");
  Constant *fields[] = {ConstantInt::get(i32, 1), // ONNXC_ABI_VERSION
                        ConstantInt::get(i32, numIn),
                        ConstantInt::get(i32, numOut),
                        ConstantInt::get(i32, 0),
                        cString(m, model.name, "onnxc.model_name"),
                        cString(m, model.target, "onnxc.target"),
                        tensorArray(model.inputs, "inputs"),
                        tensorArray(model.outputs, "outputs"),
                        ConstantInt::get(i64, model.workspaceSize),
                        ConstantInt::get(i64, model.workspaceAlignment),
                        rtInit,
                        rtRun,
                        rtStatus};
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
                                  model.name + "_run_context"};
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
    Function *f = defineExported(m, model.name + "_status_string", statusType);
    IRBuilder<> b(BasicBlock::Create(ctx, "entry", f));
    b.CreateRet(b.CreateCall(rtStatus, {f->getArg(0)}));
  }
  {
    SmallVector<Type *> params(numIn + numOut + 1, ptr);
    Function *f = defineExported(m, model.name + "_run", FunctionType::get(i32, params, false));
    IRBuilder<> b(BasicBlock::Create(ctx, "entry", f));
    Value *ins = packArgs(b, f, 0, numIn), *outs = packArgs(b, f, numIn, numOut);
    b.CreateRet(b.CreateCall(rtRun, {ins, outs, f->getArg(numIn + numOut)}));
  }
  // The context API: <name>_create / _destroy / _run_context(ctx, inputs..., outputs...).
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
    SmallVector<Type *> params(numIn + numOut + 1, ptr);
    Function *f = defineExported(m, model.name + "_run_context", FunctionType::get(i32, params, false));
    IRBuilder<> b(BasicBlock::Create(ctx, "entry", f));
    Value *ins = packArgs(b, f, 1, numIn), *outs = packArgs(b, f, 1 + numIn, numOut);
    b.CreateRet(b.CreateCall(rtCtxRun, {f->getArg(0), ins, outs}));
  }
  return api;
}

} // namespace onnxc

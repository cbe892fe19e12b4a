// Large constants (the weights) bypass MLIR's LLVM translation, which converts dense and
// resource elements element by element (seconds and gigabytes on real models). Before
// translation their globals lose the initializer; after it, each gets one flat
// ConstantDataArray made straight from the raw bytes.
#include "codegen/Codegen.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/Module.h"

namespace onnxc {

/// Minimum element count for the raw path; smaller constants stay with the translator.
static constexpr int64_t kMinElements = 256;

DetachedWeights detachLargeConstants(mlir::ModuleOp module) {
  DetachedWeights out;
  module.walk([&](mlir::LLVM::GlobalOp global) {
    auto value = llvm::dyn_cast_or_null<mlir::ElementsAttr>(global.getValueOrNull());
    if (!value || !global.getConstant() || value.getNumElements() < kMinElements)
      return;
    mlir::Type et = value.getElementType();
    if (!(et.isF32() || et.isF64() || et.isF16() || et.isBF16() ||
          (et.isInteger() && et.getIntOrFloatBitWidth() >= 8)))
      return;
    llvm::ArrayRef<char> bytes;
    if (auto res = llvm::dyn_cast<mlir::DenseResourceElementsAttr>(value)) {
      if (auto *blob = res.getRawHandle().getBlob())
        bytes = blob->getData();
    } else if (auto dense = llvm::dyn_cast<mlir::DenseElementsAttr>(value)) {
      if (!dense.isSplat())
        bytes = dense.getRawData();
    }
    int64_t elementBytes = et.getIntOrFloatBitWidth() / 8;
    if (bytes.size() != static_cast<size_t>(value.getNumElements() * elementBytes))
      return;
    out.push_back({global.getSymName().str(), bytes, elementBytes, et.isF32()   ? 'f'
                                                                   : et.isF64() ? 'd'
                                                                   : et.isF16() ? 'h'
                                                                   : et.isBF16() ? 'b'
                                                                                 : 'i',
                   global.getAlignment().value_or(64), global.getLinkage()});
    global.removeValueAttr();
    global.setLinkage(mlir::LLVM::Linkage::External); // A declaration until re-attached.
  });
  return out;
}

void attachWeights(llvm::Module &m, const DetachedWeights &weights) {
  llvm::LLVMContext &ctx = m.getContext();
  for (const auto &w : weights) {
    llvm::GlobalVariable *old = m.getGlobalVariable(w.symbol, /*AllowInternal=*/true);
    if (!old)
      continue; // Folded away by the translation: nothing references it.
    llvm::Type *et = w.kind == 'f'   ? llvm::Type::getFloatTy(ctx)
                     : w.kind == 'd' ? llvm::Type::getDoubleTy(ctx)
                     : w.kind == 'h' ? llvm::Type::getHalfTy(ctx)
                     : w.kind == 'b' ? llvm::Type::getBFloatTy(ctx)
                                     : llvm::Type::getIntNTy(ctx, 8 * w.elementBytes);
    uint64_t count = w.bytes.size() / w.elementBytes;
    llvm::Constant *init = llvm::ConstantDataArray::getRaw(
        llvm::StringRef(w.bytes.data(), w.bytes.size()), count, et);
    auto *gv = new llvm::GlobalVariable(m, init->getType(), /*isConstant=*/true,
                                        llvm::GlobalValue::PrivateLinkage, init, "");
    gv->setAlignment(llvm::Align(w.alignment));
    gv->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
    // Users index through GEPs with their own element types, so a flat array type is fine.
    old->replaceAllUsesWith(gv);
    gv->takeName(old);
    old->eraseFromParent();
  }
}

} // namespace onnxc

#include "passes/Passes.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

namespace onnxc {
#define GEN_PASS_DEF_SIGNLESSTYPES
#include "passes/Passes.h.inc"
} // namespace onnxc

using namespace mlir;

namespace {
/// `t` with every unsigned integer (scalar, tensor or memref element) made signless.
Type signless(Type t) {
  if (auto it = dyn_cast<IntegerType>(t))
    return it.isSignless() ? t : IntegerType::get(t.getContext(), it.getWidth());
  if (auto st = dyn_cast<ShapedType>(t)) {
    Type e = signless(st.getElementType());
    return e == st.getElementType() ? t : st.clone(e);
  }
  if (auto ft = dyn_cast<FunctionType>(t)) {
    SmallVector<Type> in, out;
    for (Type x : ft.getInputs())
      in.push_back(signless(x));
    for (Type x : ft.getResults())
      out.push_back(signless(x));
    return FunctionType::get(t.getContext(), in, out);
  }
  return t;
}

Attribute signlessAttr(Attribute a) {
  if (auto d = dyn_cast<DenseIntElementsAttr>(a)) {
    Type e = signless(d.getElementType());
    return e == d.getElementType() ? a : Attribute(d.bitcast(e));
  }
  if (auto r = dyn_cast<DenseResourceElementsAttr>(a)) {
    auto t = r.getType();
    Type n = signless(t);
    return n == Type(t) ? a
                        : Attribute(DenseResourceElementsAttr::get(cast<ShapedType>(n),
                                                                   r.getRawHandle()));
  }
  if (auto ta = dyn_cast<TypeAttr>(a)) {
    Type n = signless(ta.getValue());
    return n == ta.getValue() ? a : Attribute(TypeAttr::get(n));
  }
  return a;
}

struct SignlessTypesPass : onnxc::impl::SignlessTypesBase<SignlessTypesPass> {
  void runOnOperation() override {
    func::FuncOp f = getOperation();
    f.setFunctionType(cast<FunctionType>(signless(f.getFunctionType())));
    f.walk([](Operation *op) {
      for (Region &region : op->getRegions())
        for (Block &block : region)
          for (BlockArgument arg : block.getArguments())
            arg.setType(signless(arg.getType()));
      for (OpResult r : op->getResults())
        r.setType(signless(r.getType()));
      for (NamedAttribute attr : op->getAttrs()) {
        Attribute n = signlessAttr(attr.getValue());
        if (n != attr.getValue())
          op->setAttr(attr.getName(), n);
      }
    });
    f.walk([](tensor::BitcastOp op) {
      if (op.getSource().getType() == op.getType()) {
        op.replaceAllUsesWith(op.getSource());
        op.erase();
      }
    });
  }
};
} // namespace

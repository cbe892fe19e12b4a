// The table of ONNX ops the importer knows, keyed by op type; each entry builds the dialect's
// single form of the op for any opset, so opset differences live in OpTable.cpp only.
#ifndef ONNXC_COMPILER_IMPORT_OPTABLE_H
#define ONNXC_COMPILER_IMPORT_OPTABLE_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/StringMap.h"

#include <functional>
#include <string>

namespace onnx {
class NodeProto;
class AttributeProto;
}

namespace onnxc {

/// What a converter sees of one node.
class NodeContext {
public:
  NodeContext(mlir::OpBuilder &b, mlir::Location loc, const ::onnx::NodeProto &node, int64_t opset,
              llvm::SmallVector<mlir::Value> inputs,
              llvm::SmallVector<mlir::Type> resultTypes)
      : b(b), loc(loc), node(node), opset(opset), inputs(std::move(inputs)),
        resultTypes(std::move(resultTypes)) {}

  mlir::OpBuilder &b;
  mlir::Location loc;
  const ::onnx::NodeProto &node;
  int64_t opset;                          // The node's domain version in this model.
  llvm::SmallVector<mlir::Value> inputs;  // Null where an optional input is omitted.
  llvm::SmallVector<mlir::Type> resultTypes; // Initial types (value_info or unranked).

  mlir::Value input(size_t i) const { return i < inputs.size() ? inputs[i] : mlir::Value(); }
  const ::onnx::AttributeProto *attr(llvm::StringRef name) const;
  /// Typed attribute getters: emit an error naming the attribute if its kind is wrong.
  llvm::FailureOr<int64_t> intAttr(llvm::StringRef name, int64_t dflt) const;
  llvm::FailureOr<float> floatAttr(llvm::StringRef name, float dflt) const;
  /// Converts every attribute of the node by its kind (except `skip`), for generic creation.
  llvm::FailureOr<llvm::SmallVector<mlir::NamedAttribute>>
  convertAttributes(llvm::ArrayRef<llvm::StringRef> skip = {}) const;
  mlir::InFlightDiagnostic emitError() const;

  /// Creates `onnx.<opName>` with `operands`, `attrs`, and this node's initial result types
  /// (or `numResults` unranked results); verifies it and infers its result types.
  llvm::FailureOr<mlir::Operation *> create(llvm::StringRef opName,
                                            mlir::ValueRange operands,
                                            llvm::ArrayRef<mlir::NamedAttribute> attrs,
                                            unsigned numResults = 1);
  /// A small constant (int64 1-D, or f32 scalar) for attributes that became inputs.
  mlir::Value constI64(llvm::ArrayRef<int64_t> values);
  mlir::Value constScalar(mlir::Type elementType, double value);
};

/// Returns the values of the node's outputs (fewer than node.output_size() when optional
/// trailing outputs are not produced), or failure after emitting an error.
using Converter = std::function<llvm::FailureOr<llvm::SmallVector<mlir::Value>>(NodeContext &)>;

/// Converters of the default ONNX domain by op type.
const llvm::StringMap<Converter> &defaultDomainConverters();

/// Converters of the ai.onnx.preview.training domain (the optimizers' update rules).
const llvm::StringMap<Converter> &trainingDomainConverters();

/// The converter of `opType` in `domain` ("" or "ai.onnx" for the default one), or null.
const Converter *findConverter(llvm::StringRef domain, llvm::StringRef opType);

/// Newest default-domain opset the importer knows.
constexpr int64_t kMaxOpset = 22;

} // namespace onnxc

#endif

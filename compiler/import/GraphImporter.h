// The importer's state, shared by Importer.cpp (graphs, nodes, model-local functions) and
// ControlFlow.cpp (If, Loop and Scan subgraphs). Internal to compiler/import.
#ifndef ONNXC_COMPILER_IMPORT_GRAPHIMPORTER_H
#define ONNXC_COMPILER_IMPORT_GRAPHIMPORTER_H

#include "compiler/import/Importer.h"
#include "compiler/import/ModelOffsets.h"
#include "compiler/import/OpTable.h"
#include "compiler/import/Sequences.h"
#include "compiler/import/TensorReader.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include <onnx/onnx-ml.pb.h>

namespace onnxc {

class GraphImporter {
public:
  GraphImporter(mlir::MLIRContext &ctx, const std::string &path, const ImportOptions &options);

  /// Imports the file at `path`, or `bytes` when given (then `path` only names the model in
  /// diagnostics and anchors external data).
  mlir::OwningOpRef<mlir::ModuleOp> run(std::optional<llvm::StringRef> bytes = std::nullopt);

private:
  mlir::LogicalResult readModel();
  mlir::LogicalResult parseModel(llvm::StringRef bytes);
  mlir::LogicalResult checkOpsets();
  /// Reports every node of `graph` (subgraphs and called functions included) that cannot be
  /// imported, all at once.
  mlir::LogicalResult checkSupport();
  /// An unsupported node: its op (domain-qualified), where it is, and why.
  struct Unsupported {
    std::string kind;
    mlir::Location loc;
    std::string why;
  };
  void collectUnsupported(const ::onnx::GraphProto &graph, const std::string &scope,
                          std::vector<Unsupported> &unsupported,
                          llvm::StringSet<> &functionsSeen);
  mlir::LogicalResult sortNodes(const ::onnx::GraphProto &graph, llvm::SmallVector<int> &order);
  mlir::FailureOr<mlir::Type> valueInfoType(const ::onnx::ValueInfoProto &vi, bool isInput,
                                            mlir::Location loc);
  mlir::LogicalResult importInitializers(::onnx::GraphProto &graph);
  /// Imports the nodes of `graph` (initializers first) at the builder's insertion point, in
  /// topological order; their outputs join `values`.
  mlir::LogicalResult importNodes(::onnx::GraphProto &graph);
  mlir::LogicalResult importNode(::onnx::NodeProto &node, int index);
  mlir::LogicalResult importConstantNode(NodeContext &c, ::onnx::NodeProto &node);
  /// Gradient of the training domain (Gradient.cpp): reverse-mode differentiation of the
  /// nodes of `currentGraph` between its xs and y.
  mlir::LogicalResult importGradient(NodeContext &c);
  /// The graph whose nodes importNodes is importing.
  const ::onnx::GraphProto *currentGraph = nullptr;
  /// Optional, OptionalHasElement, OptionalGetElement (Optionals.cpp).
  mlir::LogicalResult importOptionalNode(NodeContext &c);
  /// Refuses an optional among `names`, the outputs of a graph that leave it (`what`).
  mlir::LogicalResult refuseOptionalOutputs(NodeContext &c,
                                            const ::onnx::GraphProto &graph,
                                            llvm::StringRef what);

  // Model-local functions (Importer.cpp).
  const ::onnx::FunctionProto *findFunction(const ::onnx::NodeProto &node) const;
  mlir::LogicalResult importFunctionCall(NodeContext &c, const ::onnx::FunctionProto &f);

  /// SequenceMap (SequenceMap.cpp): unrolled over sequences built in the graph; over
  /// sequence graph inputs, the model's kernel becomes the body, run once per element.
  mlir::LogicalResult importSequenceMap(NodeContext &c);
  /// A Loop that is SequenceMap's expansion (trip count SequenceLength of a sequence input,
  /// empty sequences carried, the body's SequenceAt(x, i) ... SequenceInsert(acc, y)),
  /// imported as that SequenceMap.
  mlir::LogicalResult importLoopAsSequenceMap(NodeContext &c);
  /// SequenceLength of a sequence graph input: its length, known only at run time, is no
  /// value; it may only be the trip count of a Loop that maps the sequence.
  llvm::StringMap<std::string> sequenceLengths;
  /// main_graph while it is imported (SequenceMap retypes its sequence arguments).
  mlir::func::FuncOp mainFunc;
  bool hasSequenceMap = false;

  // Control flow (ControlFlow.cpp).
  mlir::LogicalResult importIf(NodeContext &c);
  mlir::LogicalResult importLoop(NodeContext &c);
  mlir::LogicalResult importScan(NodeContext &c);
  /// Scan (opset 9+ form) over `inputs` (states, then scan inputs) as an onnx.Loop at the
  /// insertion point; returns the final states and the scan outputs.
  struct ScanPlan {
    int numStates = 0, numOutputs = 0;
    llvm::SmallVector<int64_t> inAxes, inDirs, outAxes, outDirs;
  };
  mlir::FailureOr<llvm::SmallVector<mlir::Value>> buildScan(NodeContext &c,
                                                            ::onnx::GraphProto &graph,
                                                            mlir::ValueRange inputs,
                                                            ScanPlan plan);
  /// `graph` attribute `name` of the node, or an error.
  mlir::FailureOr<::onnx::GraphProto *> graphAttr(NodeContext &c, llvm::StringRef name);
  /// Imports `graph` (attribute `attrName` of the node) into a new block of `region` with
  /// arguments typed `argTypes`. `bind` builds, at the start of the block, the values of the
  /// graph's inputs, in order (by default the block arguments). The block ends with
  /// onnx.Yield of the graph's outputs. Outer values stay visible.
  mlir::FailureOr<mlir::Operation *> importSubgraph(
      NodeContext &c, ::onnx::GraphProto &graph, llvm::StringRef attrName, mlir::Region &region,
      mlir::TypeRange argTypes,
      llvm::function_ref<mlir::FailureOr<llvm::SmallVector<mlir::Value>>(mlir::Block &)> bind =
          nullptr,
      bool optionalOutputs = false);
  /// Imports `graph`'s nodes inline (a branch chosen at import): returns its outputs.
  mlir::FailureOr<llvm::SmallVector<mlir::Value>> importInline(NodeContext &c,
                                                               ::onnx::GraphProto &graph);
  void bindOutputs(NodeContext &c, mlir::ValueRange outs);
  /// The graph outputs of the last subgraph imported (importSubgraph, importInline): -1 for a
  /// tensor, else a sequence built in the subgraph whose n tensors the yield carries in its
  /// place (importInline: the sequence, under `lastInlineSequences`).
  llvm::SmallVector<int> lastYieldLayout;
  llvm::SmallVector<SequenceValue> lastInlineSequences;
  /// Per graph output of the last subgraph imported: whether it is an optional. With
  /// `optionalOutputs` (If branches), an optional leaves as its presence (a bool scalar)
  /// followed by its tensor or its sequence's tensors (importInline: the presence here).
  llvm::SmallVector<bool> lastYieldOptional;
  /// Per graph output of the last subgraph imported: a Loop-carried sequence (layout -2,
  /// no yielded values: its appended tensors are pushed, ControlFlow.cpp) and, for an
  /// optional one, its presence.
  llvm::SmallVector<std::optional<SequenceValue>> lastCarried;
  llvm::SmallVector<mlir::Value> lastCarriedPresence;
  /// Loop-carried sequences' collectors (ControlFlow.cpp importLoop): the next id, each one's
  /// token where the import is now (its Loop's block argument, then the result of each If
  /// that changed it), and each one's token after its Loop (the hidden result).
  int64_t nextCollectorId = 0;
  llvm::DenseMap<int64_t, mlir::Value> liveTokens;
  llvm::DenseMap<int64_t, mlir::Value> collectorTokens;
  /// Per graph output of the last subgraph imported: a sequence's element type (null for a
  /// tensor, or when not known), for sequences without tensors.
  llvm::SmallVector<mlir::Type> lastYieldElementTypes;
  llvm::SmallVector<mlir::Value> lastInlinePresence;
  /// Collects a subgraph's outputs (sequences flattened into their tensors) into `outs`.
  mlir::LogicalResult subgraphOutputs(NodeContext &c, const ::onnx::GraphProto &graph,
                                      llvm::StringRef what,
                                      llvm::SmallVectorImpl<mlir::Value> &outs,
                                      bool optionalOutputs = false);

  mlir::Location nodeLoc(const ::onnx::NodeProto &node, int index);
  /// The model file at the byte offset where entry `index` of `list` begins (ModelOffsets),
  /// or the whole file when unknown.
  mlir::Location entryLoc(const std::vector<uint64_t> &list, int index);
  std::string nodeDescription(const ::onnx::NodeProto &node, int index);
  int64_t opsetOf(const ::onnx::NodeProto &node) const;

  mlir::MLIRContext &ctx;
  mlir::OpBuilder b;
  std::string path;
  const ImportOptions &options;
  mlir::Location fileLoc;
  ModelOffsets offsets; // Where the main graph's entries begin in the file, for diagnostics.
  ::onnx::ModelProto model;
  llvm::StringMap<int64_t> opsets;
  llvm::StringMap<mlir::Value> values;    // Visible names: outer scopes included.
  llvm::StringMap<mlir::Type> declaredTypes; // value_info and graph outputs.
  SequenceMap sequences;                     // Sequence values, resolved at import.
  /// Optional values (of tensors): their presence, a bool scalar; the tensor is in `values`.
  llvm::StringMap<mlir::Value> optionals;
  TensorReadContext readContext;
  /// Prefix of node names inside subgraphs and inlined functions ("loop1/body/").
  std::string scope;
  int functionDepth = 0;
};

} // namespace onnxc

#endif

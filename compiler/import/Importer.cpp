// Reads a ModelProto and builds `func.func @main_graph` in the onnx dialect: graph inputs
// become arguments, initializers and Constant nodes become onnx.Constant, nodes are converted
// through the op table in topological order, and every op is shape-inferred as it is built.
#include "compiler/import/Importer.h"

#include "compiler/import/ModelOffsets.h"
#include "compiler/import/OpTable.h"
#include "compiler/import/TensorReader.h"
#include "dialects/onnx/OnnxDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <google/protobuf/io/coded_stream.h>
#include <onnx/onnx-ml.pb.h>

using namespace mlir;

namespace onnxc {
namespace {

constexpr int64_t kMinIrVersion = 3, kMaxIrVersion = 10;

class GraphImporter {
public:
  GraphImporter(MLIRContext &ctx, const std::string &path, const ImportOptions &options)
      : ctx(ctx), b(&ctx), path(path), options(options),
        fileLoc(FileLineColLoc::get(&ctx, llvm::sys::path::filename(path), 0, 0)) {}

  /// Imports the file at `path`, or `bytes` when given (then `path` only names the model in
  /// diagnostics and anchors external data).
  OwningOpRef<ModuleOp> run(std::optional<llvm::StringRef> bytes = std::nullopt);

private:
  LogicalResult readModel();
  LogicalResult parseModel(llvm::StringRef bytes);
  LogicalResult checkOpsets();
  LogicalResult checkSupport();
  LogicalResult sortNodes(SmallVector<int> &order);
  FailureOr<Type> valueInfoType(const ::onnx::ValueInfoProto &vi, bool isInput, Location loc);
  LogicalResult importInitializers();
  LogicalResult importNode(int index);
  LogicalResult importConstantNode(NodeContext &c, ::onnx::NodeProto &node);

  Location nodeLoc(int index);
  /// The model file at a byte offset (see offsetLoc), or the whole file when unknown.
  Location entryLoc(const std::vector<uint64_t> &list, int index);
  std::string nodeDescription(int index);
  int64_t opsetOf(const ::onnx::NodeProto &node) const;

  MLIRContext &ctx;
  OpBuilder b;
  std::string path;
  const ImportOptions &options;
  Location fileLoc;
  ::onnx::ModelProto model;
  ModelOffsets offsets; // Where graph entries begin in the file, for diagnostics.
  llvm::StringMap<int64_t> opsets;
  llvm::StringMap<Value> values;
  llvm::StringMap<Type> declaredTypes; // value_info and graph outputs.
  TensorReadContext readContext;
};

} // namespace

static bool isDefaultDomain(StringRef domain) { return domain.empty() || domain == "ai.onnx"; }

int64_t GraphImporter::opsetOf(const ::onnx::NodeProto &node) const {
  auto it = opsets.find(isDefaultDomain(node.domain()) ? "" : node.domain());
  return it == opsets.end() ? -1 : it->second;
}

std::string GraphImporter::nodeDescription(int index) {
  const auto &node = model.graph().node(index);
  std::string s = "node ";
  if (!node.name().empty())
    s += "'" + node.name() + "'";
  else
    s += "#" + std::to_string(index);
  s += " (" + node.op_type();
  if (!isDefaultDomain(node.domain()))
    s += ", domain '" + node.domain() + "'";
  int64_t opset = opsetOf(node);
  if (opset >= 0)
    s += ", opset " + std::to_string(opset);
  if (node.name().empty() && node.output_size() > 0)
    s += ", output '" + node.output(0) + "'";
  return s + ")";
}

Location GraphImporter::entryLoc(const std::vector<uint64_t> &list, int index) {
  auto offset = ModelOffsets::at(list, index);
  if (!offset)
    return fileLoc;
  return offsetLoc(&ctx, llvm::sys::path::filename(path), *offset);
}

Location GraphImporter::nodeLoc(int index) {
  return NameLoc::get(b.getStringAttr(nodeDescription(index)), entryLoc(offsets.nodes, index));
}

LogicalResult GraphImporter::readModel() {
  llvm::sys::fs::file_status status;
  if (llvm::sys::fs::status(path, status))
    return emitError(fileLoc) << "cannot open the model file";
  if (llvm::sys::fs::is_directory(status))
    return emitError(fileLoc) << "is a directory, not an ONNX model file";
  if (!llvm::sys::fs::is_regular_file(status))
    return emitError(fileLoc) << "is not a regular file";
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return emitError(fileLoc) << "cannot read the model file: " << buffer.getError().message();
  return parseModel((*buffer)->getBuffer());
}

LogicalResult GraphImporter::parseModel(llvm::StringRef bytes) {
  if (bytes.empty())
    return emitError(fileLoc) << "is empty (0 bytes)";
  if (bytes.size() > static_cast<size_t>(INT32_MAX))
    return emitError(fileLoc) << "is larger than 2 GB; store the weights as external data";
  google::protobuf::io::CodedInputStream stream(
      reinterpret_cast<const uint8_t *>(bytes.data()), static_cast<int>(bytes.size()));
  stream.SetTotalBytesLimit(INT32_MAX);
  if (!model.ParseFromCodedStream(&stream) || !stream.ConsumedEntireMessage())
    return emitError(fileLoc) << "is not a valid ONNX model (the protobuf data is truncated or "
                                 "malformed)";
  offsets = scanModelOffsets(bytes);
  if (!model.has_graph())
    return emitError(fileLoc) << "has no graph";
  if (model.ir_version() < kMinIrVersion || model.ir_version() > kMaxIrVersion)
    return emitError(fileLoc) << "IR version " << model.ir_version()
                              << " is not supported (supported: " << kMinIrVersion << " to "
                              << kMaxIrVersion << ")";
  llvm::SmallString<256> dir(path);
  llvm::sys::path::remove_filename(dir);
  readContext.modelDir = dir.empty() ? "." : std::string(dir);
  readContext.inlineLimit = options.inlineConstantLimit;
  return success();
}

LogicalResult GraphImporter::checkOpsets() {
  for (const auto &op : model.opset_import()) {
    std::string domain = isDefaultDomain(op.domain()) ? "" : op.domain();
    opsets[domain] = op.version();
  }
  if (model.opset_import_size() == 0)
    return emitError(fileLoc) << "has no opset_import (required since IR version 3)";
  auto it = opsets.find("");
  if (it != opsets.end() && (it->second < 1 || it->second > kMaxOpset))
    return emitError(fileLoc) << "default-domain opset " << it->second
                              << " is not supported (supported: 1 to " << kMaxOpset << ")";
  return success();
}

LogicalResult GraphImporter::checkSupport() {
  const auto &table = defaultDomainConverters();
  SmallVector<int> unsupported;
  for (int i = 0; i < model.graph().node_size(); ++i) {
    const auto &node = model.graph().node(i);
    if (opsetOf(node) < 0 || !isDefaultDomain(node.domain()) ||
        (node.op_type() != "Constant" && !table.count(node.op_type())))
      unsupported.push_back(i);
  }
  if (unsupported.empty())
    return success();
  // The summary names each distinct op once; the notes name every node.
  std::vector<std::string> kinds;
  for (int i : unsupported) {
    const auto &node = model.graph().node(i);
    std::string kind = isDefaultDomain(node.domain()) ? node.op_type()
                                                      : node.domain() + "." + node.op_type();
    if (!llvm::is_contained(kinds, kind))
      kinds.push_back(kind);
  }
  auto diag = emitError(fileLoc) << unsupported.size() << " node"
                                 << (unsupported.size() == 1 ? "" : "s")
                                 << " cannot be compiled: unsupported operator"
                                 << (kinds.size() == 1 ? " " : "s ")
                                 << llvm::join(kinds, ", ");
  for (int i : unsupported) {
    const auto &node = model.graph().node(i);
    std::string why = opsetOf(node) < 0 ? "domain '" + node.domain() + "' is not imported"
                      : !isDefaultDomain(node.domain())
                          ? "operators of domain '" + node.domain() + "' are not supported"
                          : "operator " + node.op_type() + " is not supported";
    diag.attachNote(nodeLoc(i)) << why;
  }
  return failure();
}

LogicalResult GraphImporter::sortNodes(SmallVector<int> &order) {
  const auto &graph = model.graph();
  llvm::StringMap<int> producer;
  for (int i = 0; i < graph.node_size(); ++i)
    for (const auto &out : graph.node(i).output()) {
      if (out.empty())
        continue;
      if (values.count(out) || !producer.try_emplace(out, i).second)
        return emitError(nodeLoc(i)) << "output '" << out << "' is defined more than once";
    }
  SmallVector<int> pending(graph.node_size(), 0);
  SmallVector<SmallVector<int>> users(graph.node_size());
  for (int i = 0; i < graph.node_size(); ++i) {
    for (const auto &in : graph.node(i).input()) {
      if (in.empty() || values.count(in))
        continue;
      auto it = producer.find(in);
      if (it == producer.end())
        return emitError(nodeLoc(i)) << "input '" << in
                                     << "' is not a graph input, an initializer, or the output "
                                        "of any node";
      ++pending[i];
      users[it->second].push_back(i);
    }
  }
  SmallVector<int> ready;
  for (int i = graph.node_size() - 1; i >= 0; --i)
    if (!pending[i])
      ready.push_back(i);
  while (!ready.empty()) {
    int i = ready.pop_back_val();
    order.push_back(i);
    for (int u : users[i])
      if (--pending[u] == 0)
        ready.push_back(u);
  }
  if (static_cast<int>(order.size()) != graph.node_size()) {
    for (int i = 0; i < graph.node_size(); ++i)
      if (pending[i])
        return emitError(nodeLoc(i)) << "is part of a cycle in the graph";
  }
  return success();
}

FailureOr<Type> GraphImporter::valueInfoType(const ::onnx::ValueInfoProto &vi, bool isInput,
                                             Location loc) {
  if (!vi.type().has_tensor_type())
    return emitError(loc) << "'" << vi.name() << "' is not a tensor (sequence, map and "
                              << "optional types are not supported)";
  const auto &tt = vi.type().tensor_type();
  Type et = elementTypeFor(ctx, tt.elem_type());
  if (!et)
    return emitError(loc) << "'" << vi.name() << "' has data type "
                              << dataTypeName(tt.elem_type()) << ", which is not supported";
  auto fixed = options.inputShapes.find(vi.name());
  if (!tt.has_shape()) {
    if (isInput && fixed != options.inputShapes.end())
      return Type(RankedTensorType::get(fixed->second, et));
    return Type(UnrankedTensorType::get(et));
  }
  SmallVector<int64_t> dims;
  int64_t count = 1;
  for (const auto &d : tt.shape().dim()) {
    if (d.has_dim_value() && d.dim_value() < 0)
      return emitError(loc) << "'" << vi.name() << "' has a negative dimension";
    if (d.has_dim_value() && (__builtin_mul_overflow(count, d.dim_value(), &count) ||
                              count > (int64_t(1) << 62)))
      return emitError(loc) << "'" << vi.name()
                                << "' has more elements than fit in 64 bits";
    dims.push_back(d.has_dim_value() ? d.dim_value() : ShapedType::kDynamic);
  }
  if (isInput && fixed != options.inputShapes.end()) {
    if (fixed->second.size() != dims.size())
      return emitError(loc) << "--shape " << vi.name() << " gives " << fixed->second.size()
                                << " dims but the input has rank " << dims.size();
    for (size_t i = 0; i < dims.size(); ++i) {
      if (ShapedType::isStatic(dims[i]) && dims[i] != fixed->second[i])
        return emitError(loc) << "--shape " << vi.name() << " sets dim " << i << " to "
                                  << fixed->second[i] << " but the model fixes it to " << dims[i];
      dims[i] = fixed->second[i];
    }
  }
  return Type(RankedTensorType::get(dims, et));
}

LogicalResult GraphImporter::importInitializers() {
  auto &graph = *model.mutable_graph();
  for (auto [index, init] : llvm::enumerate(*graph.mutable_initializer())) {
    Location loc = entryLoc(offsets.initializers, index);
    if (init.name().empty())
      return emitError(loc) << "an initializer has no name";
    if (values.count(init.name()))
      return emitError(loc) << "initializer '" << init.name() << "' is defined twice";
    std::string error;
    ElementsAttr attr = readTensor(ctx, init, readContext, error);
    if (!attr)
      return emitError(loc) << "initializer '" << init.name() << "': " << error;
    values[init.name()] = onnx::ConstantOp::create(b, NameLoc::get(b.getStringAttr(init.name()), loc),
                                                   attr.getType(), attr);
  }
  return success();
}

LogicalResult GraphImporter::importConstantNode(NodeContext &c, ::onnx::NodeProto &node) {
  if (c.node.attribute_size() != 1)
    return c.emitError() << "needs exactly one value attribute";
  ::onnx::AttributeProto &attrProto = *node.mutable_attribute(0);
  Attribute value;
  if (attrProto.name() == "value" && attrProto.has_t()) {
    std::string error;
    value = readTensor(ctx, *attrProto.mutable_t(), readContext, error);
    if (!value)
      return c.emitError() << "attribute 'value': " << error;
  } else if (attrProto.name() == "value_float") {
    auto t = RankedTensorType::get({}, b.getF32Type());
    value = DenseElementsAttr::get(t, attrProto.f());
  } else if (attrProto.name() == "value_int") {
    auto t = RankedTensorType::get({}, b.getI64Type());
    value = DenseElementsAttr::get(t, static_cast<int64_t>(attrProto.i()));
  } else if (attrProto.name() == "value_floats") {
    auto t = RankedTensorType::get({attrProto.floats_size()}, b.getF32Type());
    value = DenseElementsAttr::get(t, ArrayRef<float>(attrProto.floats().data(), attrProto.floats_size()));
  } else if (attrProto.name() == "value_ints") {
    auto t = RankedTensorType::get({attrProto.ints_size()}, b.getI64Type());
    value = DenseElementsAttr::get(t, ArrayRef<int64_t>(attrProto.ints().data(), attrProto.ints_size()));
  } else {
    return c.emitError() << "attribute '" << attrProto.name() << "' is not supported";
  }
  auto elements = cast<ElementsAttr>(value);
  values[c.node.output(0)] = onnx::ConstantOp::create(b, c.loc, elements.getType(), elements);
  return success();
}

LogicalResult GraphImporter::importNode(int index) {
  auto &node = *model.mutable_graph()->mutable_node(index);
  Location loc = nodeLoc(index);
  SmallVector<Value> inputs;
  for (const auto &name : node.input())
    inputs.push_back(name.empty() ? Value() : values.lookup(name));
  SmallVector<Type> resultTypes;
  for (const auto &name : node.output())
    resultTypes.push_back(declaredTypes.lookup(name));
  NodeContext c(b, loc, node, opsetOf(node), std::move(inputs), std::move(resultTypes));
  if (node.output_size() == 0)
    return c.emitError() << "has no outputs";
  if (node.op_type() == "Constant")
    return importConstantNode(c, node);
  auto outs = defaultDomainConverters().lookup(node.op_type())(c);
  if (failed(outs))
    return failure();
  for (auto [i, v] : llvm::enumerate(*outs))
    if (!node.output(i).empty())
      values[node.output(i)] = v;
  return success();
}

OwningOpRef<ModuleOp> GraphImporter::run(std::optional<llvm::StringRef> bytes) {
  ctx.loadDialect<onnx::OnnxDialect, func::FuncDialect>();
  if (failed(bytes ? parseModel(*bytes) : readModel()) || failed(checkOpsets()) ||
      failed(checkSupport()))
    return nullptr;
  const auto &graph = model.graph();

  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  b.setInsertionPointToEnd(module->getBody());

  llvm::StringSet<> initializerNames;
  for (const auto &init : graph.initializer())
    initializerNames.insert(init.name());
  SmallVector<Type> argTypes;
  SmallVector<std::string> argNames;
  for (auto [index, in] : llvm::enumerate(graph.input())) {
    if (initializerNames.contains(in.name()))
      continue; // IR < 4 lists initializers as inputs too; they stay constants.
    Location loc = entryLoc(offsets.inputs, index);
    if (in.name().empty())
      return emitError(loc) << "a graph input has no name", nullptr;
    auto type = valueInfoType(in, /*isInput=*/true, loc);
    if (failed(type))
      return nullptr;
    argTypes.push_back(*type);
    argNames.push_back(in.name());
  }
  for (const auto &[name, dims] : options.inputShapes)
    if (!llvm::is_contained(argNames, name))
      return emitError(fileLoc) << "--shape names '" << name << "', which is not a graph input",
             nullptr;
  for (const auto &vi : graph.value_info())
    if (auto t = valueInfoType(vi, false, fileLoc); succeeded(t) && isa<RankedTensorType>(*t))
      declaredTypes[vi.name()] = *t;
  for (auto [index, out] : llvm::enumerate(graph.output()))
    if (auto t = valueInfoType(out, false, entryLoc(offsets.outputs, index));
        succeeded(t) && isa<RankedTensorType>(*t))
      declaredTypes[out.name()] = *t;

  auto func = func::FuncOp::create(b, fileLoc, "main_graph", b.getFunctionType(argTypes, {}));
  Block *entry = func.addEntryBlock();
  b.setInsertionPointToStart(entry);
  for (auto [i, name] : llvm::enumerate(argNames)) {
    if (values.count(name))
      return emitError(fileLoc) << "graph input '" << name << "' is listed twice", nullptr;
    values[name] = entry->getArgument(i);
    func.setArgAttr(i, "onnx.name", b.getStringAttr(name));
  }
  if (failed(importInitializers()))
    return nullptr;

  SmallVector<int> order;
  if (failed(sortNodes(order)))
    return nullptr;
  for (int i : order)
    if (failed(importNode(i)))
      return nullptr;

  SmallVector<Value> results;
  SmallVector<Type> resultTypes;
  llvm::StringSet<> outputNames;
  for (auto [index, out] : llvm::enumerate(graph.output())) {
    Location loc = entryLoc(offsets.outputs, index);
    if (!outputNames.insert(out.name()).second)
      return emitError(loc) << "graph output '" << out.name() << "' is listed twice", nullptr;
    Value v = values.lookup(out.name());
    if (!v)
      return emitError(loc) << "graph output '" << out.name() << "' is never produced",
             nullptr;
    results.push_back(v);
    resultTypes.push_back(v.getType());
  }
  if (results.empty())
    return emitError(fileLoc) << "the graph has no outputs", nullptr;
  func::ReturnOp::create(b, fileLoc, results);
  func.setType(b.getFunctionType(argTypes, resultTypes));
  for (auto [i, out] : llvm::enumerate(graph.output()))
    func.setResultAttr(i, "onnx.name", b.getStringAttr(out.name()));
  return module;
}

Location offsetLoc(MLIRContext *ctx, StringRef fileName, uint64_t offset) {
  // Model files are below 2 GB (parseModel refuses larger ones): the offset fits a column.
  return FileLineColLoc::get(ctx, fileName, 0,
                             static_cast<unsigned>(std::min<uint64_t>(offset, UINT32_MAX)));
}

OwningOpRef<ModuleOp> importOnnxModel(MLIRContext &context, const std::string &path,
                                      const ImportOptions &options) {
  GraphImporter importer(context, path, options);
  return importer.run();
}

OwningOpRef<ModuleOp> importOnnxModelFromBuffer(MLIRContext &context, llvm::StringRef bytes,
                                                const std::string &path,
                                                const ImportOptions &options) {
  GraphImporter importer(context, path, options);
  return importer.run(bytes);
}

} // namespace onnxc

// Reads a ModelProto and builds `func.func @main_graph` in the onnx dialect: graph inputs
// become arguments, initializers and Constant nodes become onnx.Constant, nodes are converted
// through the op table in topological order, and every op is shape-inferred as it is built.
#include "compiler/import/Importer.h"

#include "compiler/import/ConverterUtils.h"
#include "compiler/import/GraphImporter.h"
#include "compiler/import/ModelOffsets.h"
#include "dialects/onnx/OnnxDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <google/protobuf/io/coded_stream.h>
#include <onnx/onnx-ml.pb.h>

#include <set>

using namespace mlir;

namespace onnxc {

static bool isDefaultDomain(StringRef domain);

constexpr int64_t kMinIrVersion = 3, kMaxIrVersion = 10;

GraphImporter::GraphImporter(MLIRContext &ctx, const std::string &path,
                             const ImportOptions &options)
    : ctx(ctx), b(&ctx), path(path), options(options),
      fileLoc(FileLineColLoc::get(&ctx, llvm::sys::path::filename(path), 0, 0)) {}

static bool isDefaultDomain(StringRef domain) { return domain.empty() || domain == "ai.onnx"; }

int64_t GraphImporter::opsetOf(const ::onnx::NodeProto &node) const {
  auto it = opsets.find(isDefaultDomain(node.domain()) ? "" : node.domain());
  return it == opsets.end() ? -1 : it->second;
}

std::string GraphImporter::nodeDescription(const ::onnx::NodeProto &node, int index) {
  std::string s = "node ";
  if (!node.name().empty())
    s += "'" + scope + node.name() + "'";
  else if (scope.empty())
    s += "#" + std::to_string(index);
  else
    s += "'" + scope + "#" + std::to_string(index) + "'";
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

Location GraphImporter::nodeLoc(const ::onnx::NodeProto &node, int index) {
  // File offsets are known for the main graph's entries; a subgraph's node (scope set) is
  // named by its scope-qualified description in the whole file.
  Location where = scope.empty() ? entryLoc(offsets.nodes, index) : fileLoc;
  return NameLoc::get(b.getStringAttr(nodeDescription(node, index)), where);
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

static bool isGradient(const ::onnx::NodeProto &node) {
  return node.domain() == "ai.onnx.preview.training" && node.op_type() == "Gradient";
}

/// Ops the importer builds itself rather than through the op table.
static bool importedDirectly(StringRef opType) {
  return opType == "Constant" || opType == "If" || opType == "Loop" || opType == "Scan" ||
         opType == "SequenceMap" || isOptionalOp(opType);
}

void GraphImporter::collectUnsupported(const ::onnx::GraphProto &graph, const std::string &where,
                                       std::vector<Unsupported> &out,
                                       llvm::StringSet<> &functionsSeen) {
  std::string saved = scope;
  scope = where;
  for (int i = 0; i < graph.node_size(); ++i) {
    const auto &node = graph.node(i);
    std::string prefix = where + (node.name().empty() ? "#" + std::to_string(i) : node.name());
    for (const auto &a : node.attribute()) {
      if (a.has_g())
        collectUnsupported(a.g(), prefix + "/" + a.name() + "/", out, functionsSeen);
      for (const auto &g : a.graphs())
        collectUnsupported(g, prefix + "/" + a.name() + "/", out, functionsSeen);
    }
    if (const ::onnx::FunctionProto *f = findFunction(node)) {
      std::string key = f->domain() + "." + f->name();
      if (functionsSeen.insert(key).second) {
        // The function's nodes with the function's opsets; names say where they come from.
        llvm::StringMap<int64_t> savedOpsets = opsets;
        for (const auto &op : f->opset_import())
          opsets[isDefaultDomain(op.domain()) ? "" : op.domain()] = op.version();
        ::onnx::GraphProto body;
        *body.mutable_node() = f->node();
        collectUnsupported(body, key + "/", out, functionsSeen);
        opsets = std::move(savedOpsets);
        scope = where;
      }
      continue;
    }
    bool defaultDomain = isDefaultDomain(node.domain());
    bool known = (defaultDomain && (importedDirectly(node.op_type()) ||
                                    isSequenceOp(node.op_type()))) ||
                 isGradient(node) || findConverter(node.domain(), node.op_type());
    std::string why;
    if (opsetOf(node) < 0)
      why = "domain '" + node.domain() + "' is not imported";
    else if (known)
      continue;
    else if (!defaultDomain && node.domain() != "ai.onnx.preview.training")
      why = "operators of domain '" + node.domain() + "' are not supported";
    else
      why = "operator " + node.op_type() + " is not supported";
    std::string kind = isDefaultDomain(node.domain()) ? node.op_type()
                                                      : node.domain() + "." + node.op_type();
    out.push_back({kind, nodeLoc(node, i), why});
  }
  scope = saved;
}

LogicalResult GraphImporter::checkSupport() {
  std::vector<Unsupported> unsupported;
  llvm::StringSet<> functionsSeen;
  collectUnsupported(model.graph(), "", unsupported, functionsSeen);
  if (unsupported.empty())
    return success();
  // The summary names each distinct op once; the notes name every node.
  std::vector<std::string> kinds;
  for (const Unsupported &u : unsupported)
    if (!llvm::is_contained(kinds, u.kind))
      kinds.push_back(u.kind);
  auto diag = emitError(fileLoc) << unsupported.size() << " node"
                                 << (unsupported.size() == 1 ? "" : "s")
                                 << " cannot be compiled: unsupported operator"
                                 << (kinds.size() == 1 ? " " : "s ")
                                 << llvm::join(kinds, ", ");
  for (const Unsupported &u : unsupported)
    diag.attachNote(u.loc) << u.why;
  return failure();
}

/// Names a subgraph reads from enclosing scopes (ONNX's implicit inputs of If/Loop/Scan).
static void collectFreeNames(const ::onnx::GraphProto &graph, llvm::StringSet<> bound,
                             llvm::StringSet<> &free) {
  for (const auto &in : graph.input())
    bound.insert(in.name());
  for (const auto &init : graph.initializer())
    bound.insert(init.name());
  for (const auto &node : graph.node())
    for (const auto &out : node.output())
      bound.insert(out);
  for (const auto &node : graph.node()) {
    for (const auto &in : node.input())
      if (!in.empty() && !bound.contains(in))
        free.insert(in);
    for (const auto &a : node.attribute()) {
      if (a.has_g())
        collectFreeNames(a.g(), bound, free);
      for (const auto &g : a.graphs())
        collectFreeNames(g, bound, free);
    }
  }
}

LogicalResult GraphImporter::sortNodes(const ::onnx::GraphProto &graph, SmallVector<int> &order) {
  llvm::StringMap<int> producer;
  for (int i = 0; i < graph.node_size(); ++i)
    for (const auto &out : graph.node(i).output()) {
      if (out.empty())
        continue;
      if (!producer.try_emplace(out, i).second)
        return emitError(nodeLoc(graph.node(i), i))
               << "output '" << out << "' is defined more than once";
      // A subgraph may reuse (shadow) an outer name; the top-level graph may not.
      if (scope.empty() && values.count(out))
        return emitError(nodeLoc(graph.node(i), i))
               << "output '" << out << "' is defined more than once";
    }
  SmallVector<int> pending(graph.node_size(), 0);
  SmallVector<SmallVector<int>> users(graph.node_size());
  for (int i = 0; i < graph.node_size(); ++i) {
    const auto &node = graph.node(i);
    llvm::StringSet<> implicit;
    for (const auto &a : node.attribute()) {
      if (a.has_g())
        collectFreeNames(a.g(), {}, implicit);
      for (const auto &g : a.graphs())
        collectFreeNames(g, {}, implicit);
    }
    std::set<int> deps;
    for (const auto &in : node.input()) {
      if (in.empty())
        continue;
      auto it = producer.find(in);
      if (it == producer.end()) {
        if (values.count(in) || sequences.count(in) || sequenceLengths.count(in))
          continue;
        return emitError(nodeLoc(node, i)) << "input '" << in
                                           << "' is not a graph input, an initializer, or the "
                                              "output of any node";
      }
      deps.insert(it->second);
    }
    // Names the node's subgraphs read from this graph order it like inputs; names from
    // further out (or undefined ones) are checked when the subgraph is imported.
    for (const auto &name : implicit)
      if (auto it = producer.find(name.getKey()); it != producer.end() && it->second != i)
        deps.insert(it->second);
    // Gradient differentiates the nodes that produce its `y`: they come first.
    if (isGradient(node))
      for (const auto &a : node.attribute())
        if (a.name() == "y")
          if (auto it = producer.find(a.s()); it != producer.end() && it->second != i)
            deps.insert(it->second);
    for (int d : deps) {
      ++pending[i];
      users[d].push_back(i);
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
        return emitError(nodeLoc(graph.node(i), i)) << "is part of a cycle in the graph";
  }
  return success();
}

FailureOr<Type> GraphImporter::valueInfoType(const ::onnx::ValueInfoProto &vi, bool isInput,
                                             Location loc) {
  if (isInput && vi.type().has_sequence_type())
    return emitError(loc) << "'" << vi.name() << "' is a sequence: sequence-typed graph "
                          << "inputs are not supported (only sequences built in the graph, "
                          << "whose structure is known at compile time)";
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

LogicalResult GraphImporter::importInitializers(::onnx::GraphProto &graph) {
  for (auto [index, init] : llvm::enumerate(*graph.mutable_initializer())) {
    Location loc = scope.empty() ? entryLoc(offsets.initializers, index) : fileLoc;
    if (init.name().empty())
      return emitError(loc) << "an initializer has no name";
    if (scope.empty() && values.count(init.name()))
      return emitError(loc) << "initializer '" << init.name() << "' is defined twice";
    std::string error;
    ElementsAttr attr = readTensor(ctx, init, readContext, error);
    if (!attr)
      return emitError(loc) << "initializer '" << scope << init.name() << "': " << error;
    values[init.name()] = onnx::ConstantOp::create(
        b, NameLoc::get(b.getStringAttr(scope + init.name()), loc), attr.getType(), attr);
  }
  return success();
}

LogicalResult GraphImporter::importNodes(::onnx::GraphProto &graph) {
  if (failed(importInitializers(graph)))
    return failure();
  SmallVector<int> order;
  if (failed(sortNodes(graph, order)))
    return failure();
  const ::onnx::GraphProto *savedGraph = currentGraph;
  currentGraph = &graph;
  llvm::scope_exit restore([&] { currentGraph = savedGraph; });
  for (int i : order)
    if (failed(importNode(*graph.mutable_node(i), i)))
      return failure();
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

LogicalResult GraphImporter::importNode(::onnx::NodeProto &node, int index) {
  Location loc = nodeLoc(node, index);
  SmallVector<Value> inputs;
  for (const auto &name : node.input()) {
    Value v = name.empty() ? Value() : values.lookup(name);
    if (!v && sequenceLengths.count(name) &&
        !(node.op_type() == "Loop" && &name == &node.input(0)))
      return emitError(loc) << "input '" << name << "' is the length of sequence input '"
                            << sequenceLengths.lookup(name)
                            << "', known only at run time: it may only be the trip count of "
                               "a Loop that maps the sequence (SequenceMap's expansion)";
    // Sequences live in `sequences` (resolved at import), not as values.
    if (!name.empty() && !v && !sequences.count(name) && !sequenceLengths.count(name))
      return emitError(loc) << "input '" << name
                            << "' is not defined in this graph or an enclosing one";
    inputs.push_back(v);
  }
  SmallVector<Type> resultTypes;
  // value_info describes the top-level graph's names; subgraphs and functions have their own.
  for (const auto &name : node.output())
    resultTypes.push_back(scope.empty() ? declaredTypes.lookup(name) : Type());
  NodeContext c(b, loc, node, opsetOf(node), std::move(inputs), std::move(resultTypes));
  if (node.output_size() == 0)
    return c.emitError() << "has no outputs";
  if (const ::onnx::FunctionProto *f = findFunction(node))
    return importFunctionCall(c, *f);
  if (node.op_type() == "Constant")
    return importConstantNode(c, node);
  if (node.op_type() == "If")
    return importIf(c);
  if (node.op_type() == "Loop")
    return importLoop(c);
  if (node.op_type() == "Scan")
    return importScan(c);
  if (isGradient(node))
    return importGradient(c);
  if (isDefaultDomain(node.domain()) && isOptionalOp(node.op_type()))
    return importOptionalNode(c);
  // An optional passes through Identity; every other op takes tensors (or sequences).
  for (const auto &name : node.input()) {
    if (!optionals.count(name))
      continue;
    if (node.op_type() == "Identity" && isDefaultDomain(node.domain()) &&
        node.output_size() == 1) {
      if (Value v = values.lookup(name))
        values[node.output(0)] = v;
      if (sequences.count(name)) {
        SequenceValue copy = sequences.lookup(name);
        sequences[node.output(0)] = std::move(copy);
      }
      optionals[node.output(0)] = optionals.lookup(name);
      return success();
    }
    return c.emitError() << "input '" << name << "' is an optional; only Identity, "
                         << "OptionalHasElement and OptionalGetElement take optionals";
  }
  if (node.op_type() == "SequenceMap" && isDefaultDomain(node.domain()))
    return importSequenceMap(c);
  if (node.op_type() == "SequenceLength" && node.input_size() == 1 &&
      sequences.count(node.input(0))) {
    const SequenceValue &s = sequences.find(node.input(0))->second;
    if (s.runtime && s.runtime->input >= 0 && s.runtime->edits.empty()) {
      sequenceLengths[node.output(0)] = node.input(0);
      return success();
    }
  }
  if (isSequenceOp(node.op_type())) {
    auto out = importSequenceNode(c, sequences);
    if (failed(out))
      return failure();
    if (*out)
      values[node.output(0)] = **out;
    return success();
  }
  for (const auto &name : node.input())
    if (sequences.count(name)) {
      // A sequence passes through Identity.
      if (node.op_type() == "Identity" && isDefaultDomain(node.domain()) &&
          node.output_size() == 1) {
        SequenceValue copy = sequences.lookup(name);
        sequences[node.output(0)] = std::move(copy);
        return success();
      }
      return c.emitError() << "input '" << name << "' is a sequence; only the sequence "
                           << "operators take sequences";
    }
  auto outs = (*findConverter(node.domain(), node.op_type()))(c);

  if (failed(outs))
    return failure();
  bindOutputs(c, *outs);
  return success();
}

void GraphImporter::bindOutputs(NodeContext &c, ValueRange outs) {
  for (auto [i, v] : llvm::enumerate(outs))
    if (static_cast<int>(i) < c.node.output_size() && !c.node.output(i).empty()) {
      values[c.node.output(i)] = v;
      optionals.erase(c.node.output(i)); // A tensor now, shadowing an outer optional.
    }
}

//===----------------------------------------------------------------------===//
// Model-local functions: inlined at every call
//===----------------------------------------------------------------------===//

const ::onnx::FunctionProto *GraphImporter::findFunction(const ::onnx::NodeProto &node) const {
  for (const auto &f : model.functions())
    if (f.name() == node.op_type() && f.domain() == node.domain())
      return &f;
  return nullptr;
}

/// Resolves attribute references (`ref_attr_name`) of a function's node, in its subgraphs
/// too, against the call's attributes; a reference to an attribute the call does not give
/// is dropped, so the op's own default applies. (Defaults in FunctionProto.attribute_proto
/// came with IR 9; Debian's onnx 1.12 protobuf classes do not have that field.)
static void bindAttributes(::onnx::NodeProto &node, const ::onnx::NodeProto &call) {
  auto *attrs = node.mutable_attribute();
  for (int i = 0; i < attrs->size();) {
    ::onnx::AttributeProto &a = (*attrs)[i];
    for (::onnx::GraphProto *g : [&] {
           SmallVector<::onnx::GraphProto *> gs;
           if (a.has_g())
             gs.push_back(a.mutable_g());
           for (auto &g : *a.mutable_graphs())
             gs.push_back(&g);
           return gs;
         }())
      for (auto &inner : *g->mutable_node())
        bindAttributes(inner, call);
    if (a.ref_attr_name().empty()) {
      ++i;
      continue;
    }
    const ::onnx::AttributeProto *given = nullptr;
    for (const auto &ca : call.attribute())
      if (ca.name() == a.ref_attr_name())
        given = &ca;
    if (!given) {
      attrs->DeleteSubrange(i, 1);
      continue;
    }
    std::string name = a.name();
    a = *given;
    a.set_name(name);
    ++i;
  }
}

LogicalResult GraphImporter::importFunctionCall(NodeContext &c, const ::onnx::FunctionProto &f) {
  if (functionDepth >= 64)
    return c.emitError() << "function calls nest more than 64 deep (recursive function '"
                         << f.name() << "'?)";
  if (c.inputs.size() > static_cast<size_t>(f.input_size()))
    return c.emitError() << "passes " << c.inputs.size() << " inputs to function '" << f.name()
                         << "', which takes " << f.input_size();
  if (c.node.output_size() > f.output_size())
    return c.emitError() << "expects " << c.node.output_size() << " outputs from function '"
                         << f.name() << "', which has " << f.output_size();
  ::onnx::GraphProto body;
  for (const auto &n : f.node()) {
    ::onnx::NodeProto *copy = body.add_node();
    *copy = n;
    bindAttributes(*copy, c.node);
  }
  // A function sees only its inputs (no outer scope), with its own opsets.
  llvm::StringMap<Value> savedValues = std::move(values);
  llvm::StringMap<Value> savedOptionals = std::move(optionals);
  llvm::StringMap<int64_t> savedOpsets = opsets;
  std::string savedScope = scope;
  values.clear();
  optionals.clear();
  for (auto [i, v] : llvm::enumerate(c.inputs))
    if (v) {
      values[f.input(i)] = v;
      if (Value present = savedOptionals.lookup(c.node.input(i)))
        optionals[f.input(i)] = present;
    }
  for (const auto &op : f.opset_import())
    opsets[isDefaultDomain(op.domain()) ? "" : op.domain()] = op.version();
  scope += (c.node.name().empty() ? c.node.output(0) : c.node.name()) + "/";
  ++functionDepth;
  LogicalResult ok = importNodes(body);
  --functionDepth;
  SmallVector<Value> outs;
  llvm::StringMap<Value> outPresence; // Outputs that are optionals.
  if (succeeded(ok))
    for (int i = 0; i < c.node.output_size(); ++i) {
      if (Value present = optionals.lookup(f.output(i)))
        outPresence[c.node.output(i)] = present;
      Value v = values.lookup(f.output(i));
      if (!v) {
        ok = c.emitError() << "function '" << f.name() << "' never produces its output '"
                           << f.output(i) << "'";
        break;
      }
      outs.push_back(v);
    }
  values = std::move(savedValues);
  optionals = std::move(savedOptionals);
  opsets = std::move(savedOpsets);
  scope = savedScope;
  if (failed(ok))
    return failure();
  bindOutputs(c, outs);
  for (auto &entry : outPresence)
    optionals[entry.getKey()] = entry.getValue();
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
  SmallVector<ArrayAttr> argDimParams; // Symbolic dims' names (see docs/dynamic-shapes.md).
  SmallVector<bool> argOptional;       // Optional tensors: the pointer may be NULL.
  SmallVector<bool> argSequence;       // Sequences: an onnxc_sequence, known at run time.
  for (auto [index, given] : llvm::enumerate(graph.input())) {
    if (initializerNames.contains(given.name()))
      continue; // IR < 4 lists initializers as inputs too; they stay constants.
    Location loc = entryLoc(offsets.inputs, index);
    if (given.name().empty())
      return emitError(loc) << "a graph input has no name", nullptr;
    // An optional tensor input is its tensor, whose pointer may be NULL (absent).
    ::onnx::ValueInfoProto in = given;
    bool optional = given.type().has_optional_type();
    if (optional) {
      const auto &elem = given.type().optional_type().elem_type();
      if (!elem.has_tensor_type() && !elem.has_sequence_type())
        return emitError(loc) << "'" << given.name() << "' is an optional of a non-tensor "
                              << "type: only optionals of tensors are supported as graph "
                              << "inputs (and optionals of sequences of tensors)",
               nullptr;
      *in.mutable_type() = elem;
    }
    argOptional.push_back(optional);
    // A sequence input is an onnxc_sequence the compiled graph never reads (RuntimeSequence):
    // main_graph keeps a placeholder argument tensor<0xT> for it, T its tensors' type.
    argSequence.push_back(in.type().has_sequence_type());
    if (argSequence.back()) {
      const auto &elem = in.type().sequence_type().elem_type();
      Type et = elem.has_tensor_type() ? elementTypeFor(ctx, elem.tensor_type().elem_type())
                                       : Type();
      if (!et)
        return emitError(loc) << "'" << in.name() << "' is a sequence of "
                              << (elem.has_tensor_type()
                                      ? std::string(dataTypeName(elem.tensor_type().elem_type()))
                                      : std::string("non-tensors"))
                              << ": only sequences of tensors of the supported data types "
                                 "are supported as graph inputs",
               nullptr;
      if (options.inputShapes.count(in.name()))
        return emitError(loc) << "--shape names '" << in.name()
                              << "', a sequence: its tensors' dims are given at run time",
               nullptr;
      argTypes.push_back(RankedTensorType::get({0}, et));
      argNames.push_back(in.name());
      argDimParams.push_back(ArrayAttr());
      continue;
    }
    auto type = valueInfoType(in, /*isInput=*/true, loc);
    if (failed(type))
      return nullptr;
    argTypes.push_back(*type);
    argNames.push_back(in.name());
    ArrayAttr params;
    auto rt = dyn_cast<RankedTensorType>(*type);
    if (rt && !rt.hasStaticShape() && in.type().tensor_type().has_shape()) {
      SmallVector<Attribute> names;
      for (const auto &d : in.type().tensor_type().shape().dim())
        names.push_back(b.getStringAttr(d.has_dim_param() ? d.dim_param() : ""));
      params = b.getArrayAttr(names);
    }
    argDimParams.push_back(params);
  }
  for (const auto &[name, dims] : options.inputShapes)
    if (!llvm::is_contained(argNames, name))
      return emitError(fileLoc) << "--shape names '" << name << "', which is not a graph input",
             nullptr;
  for (const auto &vi : graph.value_info())
    if (!vi.type().has_tensor_type())
      continue; // Sequences and optionals are not declared types.
    else if (auto t = valueInfoType(vi, false, fileLoc); succeeded(t) && isa<RankedTensorType>(*t))
      declaredTypes[vi.name()] = *t;
  for (auto [index, out] : llvm::enumerate(graph.output()))
    if (out.type().has_optional_type() || out.type().has_sequence_type())
      continue; // Refused or built below, once the graph is imported.
    else if (auto t = valueInfoType(out, false, entryLoc(offsets.outputs, index));
        succeeded(t) && isa<RankedTensorType>(*t))
      declaredTypes[out.name()] = *t;

  auto func = func::FuncOp::create(b, fileLoc, "main_graph", b.getFunctionType(argTypes, {}));
  mainFunc = func;
  Block *entry = func.addEntryBlock();
  b.setInsertionPointToStart(entry);
  for (auto [i, name] : llvm::enumerate(argNames)) {
    if (values.count(name) || sequences.count(name))
      return emitError(fileLoc) << "graph input '" << name << "' is listed twice", nullptr;
    func.setArgAttr(i, "onnx.name", b.getStringAttr(name));
    if (argSequence[i]) {
      SequenceValue seq;
      seq.runtime.emplace();
      seq.runtime->input = static_cast<int>(i);
      seq.elementType = cast<ShapedType>(argTypes[i]).getElementType();
      sequences[name] = std::move(seq);
      func.setArgAttr(i, "onnx.sequence", b.getUnitAttr());
    } else {
      values[name] = entry->getArgument(i);
    }
    if (argDimParams[i])
      func.setArgAttr(i, "onnx.dim_params", argDimParams[i]);
    if (argOptional[i]) {
      func.setArgAttr(i, "onnx.optional", b.getUnitAttr());
      optionals[name] = onnx::InputPresentOp::create(
          b, fileLoc, RankedTensorType::get({}, b.getI1Type()), entry->getArgument(i));
    }
  }
  if (failed(importNodes(*model.mutable_graph())))
    return nullptr;

  SmallVector<Value> results;
  SmallVector<Type> resultTypes;
  llvm::StringSet<> outputNames;
  // Sequence outputs: a placeholder result tensor<0xT> carrying the sequence's plan (how the
  // runtime stub builds it: runtime-stub/runtime.c), whose tensors are extra results after
  // the graph's outputs ("hidden": they are no model output).
  SmallVector<Value> hidden;
  SmallVector<DenseI64ArrayAttr> plans;
  SmallVector<bool> optionalOutputs;
  auto hiddenIndex = [&](Value v) -> int64_t {
    auto it = llvm::find(hidden, v);
    if (it != hidden.end())
      return it - hidden.begin();
    hidden.push_back(v);
    return static_cast<int64_t>(hidden.size()) - 1;
  };
  for (auto [index, out] : llvm::enumerate(graph.output())) {
    Location loc = entryLoc(offsets.outputs, index);
    if (!outputNames.insert(out.name()).second)
      return emitError(loc) << "graph output '" << out.name() << "' is listed twice", nullptr;
    Value v = values.lookup(out.name());
    auto seqIt = sequences.find(out.name());
    bool isSeq = !v && seqIt != sequences.end();
    bool optionalOut = out.type().has_optional_type();
    // An optional of a sequence input (the only optional of a sequence there is) leaves as
    // it came: absent when the input is.
    // So may an optional of a sequence built in the graph (an If's result): its presence is
    // a hidden tensor the plan reads first.
    bool builtSeq = isSeq && !seqIt->second.runtime && !seqIt->second.mapped;
    if (!(isSeq && seqIt->second.runtime && seqIt->second.runtime->input >= 0 &&
          !seqIt->second.runtime->required) &&
        !builtSeq && (optionals.count(out.name()) || optionalOut))
      return emitError(loc) << "graph output '" << out.name() << "' is an optional; "
                                << "optional-typed graph outputs are not supported (return "
                                << "OptionalHasElement and OptionalGetElement of it instead)",
             nullptr;
    optionalOutputs.push_back(optionalOut);
    // A model that maps sequence inputs (SequenceMap) runs its kernel once per element: its
    // outputs are the map's, each result one element's tensor.
    if (hasSequenceMap != (isSeq && seqIt->second.mapped))
      return emitError(loc) << "graph output '" << out.name()
                            << "' is not an output of the SequenceMap over sequence inputs: a "
                               "model "
                               "that maps sequence inputs may have only the map's outputs as "
                               "its outputs",
             nullptr;
    if (hasSequenceMap) {
      results.push_back(seqIt->second.mapped);
      resultTypes.push_back(seqIt->second.mapped.getType());
      plans.push_back(b.getDenseI64ArrayAttr({}));
      continue;
    }
    if (isSeq) {
      const SequenceValue &seq = seqIt->second;
      SmallVector<int64_t> plan;
      Type et = seq.elementType;
      if (seq.runtime) {
        if (seq.runtime->input >= 0)
          plan.append({1, seq.runtime->input, seq.runtime->required ? 1 : 0});
        else
          plan.push_back(0);
        for (const auto &e : seq.runtime->edits) {
          if (e.collector)
            plan.append({5, hiddenIndex(e.collector)});
          else if (e.insert)
            plan.append({2, hiddenIndex(e.tensor), e.position ? hiddenIndex(e.position) : -1});
          else
            plan.append({3, e.position ? hiddenIndex(e.position) : -1});
        }
      } else {
        if (Value present = optionals.lookup(out.name())) {
          if (!optionalOut)
            return emitError(loc) << "graph output '" << out.name() << "' is an optional "
                                  << "sequence but is declared a sequence",
                   nullptr;
          plan.append({4, hiddenIndex(present)});
        }
        plan.push_back(0);
        for (auto [k, e] : llvm::enumerate(seq.elements)) {
          if (!e)
            return emitError(loc) << "graph output '" << out.name() << "' is a sequence whose "
                                  << "tensor " << k << " is not known: " << seq.unknownReason,
                   nullptr;
          plan.append({2, hiddenIndex(e), -1});
          et = cast<ShapedType>(e.getType()).getElementType();
        }
      }
      const auto &ot = optionalOut ? out.type().optional_type().elem_type() : out.type();
      if (ot.has_sequence_type() && ot.sequence_type().elem_type().has_tensor_type())
        if (Type declared =
                elementTypeFor(ctx, ot.sequence_type().elem_type().tensor_type().elem_type()))
          et = declared;
      if (!et)
        return emitError(loc) << "graph output '" << out.name() << "' is a sequence whose "
                              << "tensors' data type is not known",
               nullptr;
      auto type = RankedTensorType::get({0}, et);
      Value placeholder = onnx::ConstantOp::create(
          b, loc, type, cast<ElementsAttr>(DenseElementsAttr::get(type, ArrayRef<Attribute>{})));
      results.push_back(placeholder);
      resultTypes.push_back(type);
      plans.push_back(b.getDenseI64ArrayAttr(plan));
      continue;
    }
    plans.push_back(nullptr);
    if (!v)
      return emitError(loc) << "graph output '" << out.name() << "' is never produced",
             nullptr;
    results.push_back(v);
    resultTypes.push_back(v.getType());
  }
  if (results.empty())
    return emitError(fileLoc) << "the graph has no outputs", nullptr;
  for (Value h : hidden) {
    results.push_back(h);
    resultTypes.push_back(h.getType());
  }
  // A Loop's sequence pushes name their collector's out-param argument (inputs, then the
  // results: outputs, then hidden); a collector that reaches no output leaves its pushes
  // dead (record -1, dropped by the lowering).
  func.walk([&](onnx::SequencePushOp push) {
    auto id = push->getAttrOfType<IntegerAttr>("onnxc.collector");
    auto it = id ? llvm::find(hidden, collectorTokens.lookup(id.getInt())) : hidden.end();
    if (it != hidden.end())
      push.setRecord(static_cast<int64_t>(argTypes.size() + graph.output_size() +
                                          (it - hidden.begin())));
  });
  func::ReturnOp::create(b, fileLoc, results);
  // SequenceMap may have retyped sequence arguments (to one element's tensor type).
  func.setType(b.getFunctionType(entry->getArgumentTypes(), resultTypes));
  if (hasSequenceMap)
    func->setAttr("onnx.sequence_map", b.getUnitAttr());
  for (auto [i, out] : llvm::enumerate(graph.output())) {
    func.setResultAttr(i, "onnx.name", b.getStringAttr(out.name()));
    if (plans[i])
      func.setResultAttr(i, "onnx.sequence", plans[i]);
    if (plans[i] && optionalOutputs[i])
      func.setResultAttr(i, "onnx.optional", b.getUnitAttr());
  }
  for (size_t h = 0; h < hidden.size(); ++h) {
    unsigned i = graph.output_size() + h;
    func.setResultAttr(i, "onnx.name", b.getStringAttr("onnxc.sequence_tensor." + Twine(h)));
    func.setResultAttr(i, "onnxc.hidden", b.getUnitAttr());
  }
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

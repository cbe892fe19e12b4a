// If, Loop and Scan: their GraphProto attributes become regions of onnx.If / onnx.Loop. A
// subgraph reads values of enclosing graphs by name, so they are visible while it is
// imported (the regions are not isolated from above). An If whose condition is a constant
// imports only the branch taken; Scan (opset 9+) becomes a Loop over the sequence axis whose
// body gathers each step's slice.
#include "compiler/import/GraphImporter.h"
#include "dialects/onnx/OnnxDialect.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;

namespace onnxc {

static std::string typeString(Type t) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << t;
  return s;
}

FailureOr<::onnx::GraphProto *> GraphImporter::graphAttr(NodeContext &c, StringRef name) {
  for (auto &a : *const_cast<::onnx::NodeProto &>(c.node).mutable_attribute())
    if (a.name() == name) {
      if (!a.has_g())
        return c.emitError() << "attribute '" << name << "' must be a graph";
      return a.mutable_g();
    }
  return c.emitError() << "attribute '" << name << "' is missing";
}

FailureOr<Operation *> GraphImporter::importSubgraph(
    NodeContext &c, ::onnx::GraphProto &graph, StringRef attrName, Region &region,
    TypeRange argTypes, function_ref<FailureOr<SmallVector<Value>>(Block &)> bind) {
  Block *block = new Block();
  region.push_back(block);
  for (Type t : argTypes)
    block->addArgument(t, c.loc);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(block);

  llvm::StringMap<Value> savedValues = values, savedOptionals = optionals;
  std::string savedScope = scope;
  auto restore = llvm::make_scope_exit([&] {
    values = std::move(savedValues);
    optionals = std::move(savedOptionals);
    scope = savedScope;
  });
  SmallVector<Value> inputs(block->getArguments());
  if (bind) {
    auto bound = bind(*block);
    if (failed(bound))
      return failure();
    inputs = std::move(*bound);
  }
  if (graph.input_size() != static_cast<int>(inputs.size()))
    return c.emitError() << "subgraph '" << attrName << "' takes " << graph.input_size()
                         << " inputs; expected " << inputs.size();
  for (auto [i, v] : llvm::enumerate(inputs))
    values[graph.input(i).name()] = v;
  scope += (c.node.name().empty() ? c.node.output(0) : c.node.name()) + "/" + attrName.str() +
           "/";
  if (failed(importNodes(graph)) || failed(refuseOptionalOutputs(c, graph, "subgraph")))
    return failure();
  SmallVector<Value> outs;
  if (failed(subgraphOutputs(c, graph, attrName, outs)))
    return failure();
  return onnx::YieldOp::create(b, c.loc, outs).getOperation();
}

LogicalResult GraphImporter::subgraphOutputs(NodeContext &c, const ::onnx::GraphProto &graph,
                                             StringRef what, SmallVectorImpl<Value> &outs) {
  lastYieldLayout.clear();
  for (const auto &out : graph.output()) {
    if (Value v = values.lookup(out.name())) {
      outs.push_back(v);
      lastYieldLayout.push_back(-1);
      continue;
    }
    auto it = sequences.find(out.name());
    if (it == sequences.end())
      return c.emitError() << "subgraph '" << what << "' never produces its output '"
                           << out.name() << "'";
    // A sequence built in the subgraph leaves it as its tensors (an If's results).
    const SequenceValue &s = it->second;
    if (s.runtime)
      return c.emitError() << "subgraph '" << what << "' output '" << out.name()
                           << "' is a sequence whose tensors are known only at run time: it "
                              "cannot leave an If, Loop or Scan body";
    for (auto [k, e] : llvm::enumerate(s.elements)) {
      if (!e)
        return c.emitError() << "subgraph '" << what << "' output '" << out.name()
                             << "' is a sequence whose tensor " << k
                             << " is not known: " << s.unknownReason;
      outs.push_back(e);
    }
    lastYieldLayout.push_back(static_cast<int>(s.elements.size()));
  }
  return success();
}

/// Refuses a body (Loop, Scan) that yields a sequence: its tensors would need to keep their
/// count and types across iterations.
static LogicalResult refuseSequenceOutputs(NodeContext &c, const ::onnx::GraphProto &graph,
                                           ArrayRef<int> layout) {
  for (auto [i, n] : llvm::enumerate(layout))
    if (n >= 0)
      return c.emitError() << "body output '" << graph.output(i).name()
                           << "' is a sequence: sequences cannot be loop-carried values or "
                              "scan outputs (only If branches may yield sequences)";
  return success();
}

LogicalResult GraphImporter::refuseOptionalOutputs(NodeContext &c,
                                                  const ::onnx::GraphProto &graph,
                                                  StringRef what) {
  for (const auto &out : graph.output())
    if (optionals.count(out.name()))
      return c.emitError() << what << " output '" << out.name() << "' is an optional: "
                           << "optionals cannot leave an If, Loop or Scan body (only "
                           << "Identity, OptionalHasElement and OptionalGetElement take them)";
  return success();
}

FailureOr<SmallVector<Value>> GraphImporter::importInline(NodeContext &c,
                                                          ::onnx::GraphProto &graph) {
  llvm::StringMap<Value> savedValues = values, savedOptionals = optionals;
  std::string savedScope = scope;
  auto restore = llvm::make_scope_exit([&] {
    values = std::move(savedValues);
    optionals = std::move(savedOptionals);
    scope = savedScope;
  });
  scope += (c.node.name().empty() ? c.node.output(0) : c.node.name()) + "/" + graph.name() +
           "/";
  if (failed(importNodes(graph)) || failed(refuseOptionalOutputs(c, graph, "subgraph")))
    return failure();
  SmallVector<Value> outs;
  lastInlineSequences.clear();
  lastYieldLayout.clear();
  for (const auto &out : graph.output()) {
    Value v = values.lookup(out.name());
    auto it = sequences.find(out.name());
    if (!v && it != sequences.end()) {
      // A sequence: the caller binds it (null in `outs`).
      lastYieldLayout.push_back(static_cast<int>(lastInlineSequences.size()));
      lastInlineSequences.push_back(it->second);
      outs.push_back(Value());
      continue;
    }
    if (!v)
      return c.emitError() << "subgraph '" << graph.name() << "' never produces its output '"
                           << out.name() << "'";
    lastYieldLayout.push_back(-1);
    outs.push_back(v);
  }
  return outs;
}

/// Creates the op of `state` (regions filled), verifies it and infers its result types.
static FailureOr<Operation *> finish(NodeContext &c, OperationState &state) {
  Operation *op = c.b.create(state);
  if (failed(mlir::verify(op, /*verifyRecursively=*/false)))
    return failure();
  if (failed(cast<onnx::ShapeInferenceOpInterface>(op).inferShapes()))
    return failure();
  return op;
}

static Type elementTypeOf(Value v) { return cast<ShapedType>(v.getType()).getElementType(); }

//===----------------------------------------------------------------------===//
// If
//===----------------------------------------------------------------------===//

LogicalResult GraphImporter::importIf(NodeContext &c) {
  Value cond = c.input(0);
  if (!cond)
    return c.emitError() << "input 0 (cond) is missing";
  auto thenG = graphAttr(c, "then_branch");
  auto elseG = graphAttr(c, "else_branch");
  if (failed(thenG) || failed(elseG))
    return failure();
  for (::onnx::GraphProto *g : {*thenG, *elseG})
    if (g->output_size() != c.node.output_size())
      return c.emitError() << "branch '" << g->name() << "' has " << g->output_size()
                           << " outputs but the node has " << c.node.output_size();

  // A constant condition (an exporter's shape check) imports the branch taken only.
  DenseIntElementsAttr known;
  if (matchPattern(cond, m_Constant(&known)) && known.getNumElements() == 1) {
    auto outs = importInline(c, (*known.begin()).isZero() ? **elseG : **thenG);
    if (failed(outs))
      return failure();
    for (auto [i, at] : llvm::enumerate(lastYieldLayout)) {
      if (static_cast<int>(i) >= c.node.output_size() || c.node.output(i).empty())
        continue;
      if (at >= 0) {
        sequences[c.node.output(i)] = lastInlineSequences[at];
      } else {
        values[c.node.output(i)] = (*outs)[i];
        optionals.erase(c.node.output(i));
      }
    }
    return success();
  }

  OperationState state(c.loc, onnx::IfOp::getOperationName());
  state.addOperands(cond);
  Region *thenR = state.addRegion(), *elseR = state.addRegion();
  auto thenY = importSubgraph(c, **thenG, "then_branch", *thenR, {});
  if (failed(thenY))
    return failure();
  SmallVector<int> thenLayout = lastYieldLayout;
  if (failed(importSubgraph(c, **elseG, "else_branch", *elseR, {})))
    return failure();
  // Sequences built in both branches leave as their tensors: the same count in both.
  for (auto [i, n] : llvm::enumerate(thenLayout))
    if (n != lastYieldLayout[i])
      return c.emitError() << "output " << i << " is "
                           << (n < 0 ? std::string("a tensor")
                                     : "a sequence of " + std::to_string(n) + " tensors")
                           << " in 'then_branch' but "
                           << (lastYieldLayout[i] < 0
                                   ? std::string("a tensor")
                                   : "a sequence of " + std::to_string(lastYieldLayout[i]) +
                                         " tensors")
                           << " in 'else_branch': an If's sequences must have the same "
                              "length in both branches";
  for (Value v : (*thenY)->getOperands())
    state.addTypes(UnrankedTensorType::get(elementTypeOf(v)));
  auto op = finish(c, state);
  if (failed(op))
    return failure();
  ValueRange results = (*op)->getResults();
  for (auto [i, n] : llvm::enumerate(thenLayout)) {
    size_t count = n < 0 ? 1 : n;
    bool named = static_cast<int>(i) < c.node.output_size() && !c.node.output(i).empty();
    if (named && n < 0) {
      values[c.node.output(i)] = results.front();
      optionals.erase(c.node.output(i));
    } else if (named) {
      SequenceValue s;
      s.elements.assign(results.begin(), results.begin() + count);
      sequences[c.node.output(i)] = std::move(s);
    }
    results = results.drop_front(count);
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Loop
//===----------------------------------------------------------------------===//

/// Whether `out` is `in` with some static dims made dynamic (same element type and rank).
static bool lessPrecise(Type out, Type in) {
  auto o = dyn_cast<RankedTensorType>(out), i = dyn_cast<RankedTensorType>(in);
  if (!o || !i || o.getElementType() != i.getElementType() || o.getRank() != i.getRank())
    return false;
  for (auto [a, b] : llvm::zip(o.getShape(), i.getShape()))
    if (!ShapedType::isDynamic(a) && a != b)
      return false;
  return true;
}

/// A loop-carried value keeps one type across iterations: a value whose shape the body
/// changes (a sequence grown by Concat) needs run-time dims. A yielded type that is only less
/// precise than the entry type (`[?]` for `[1]`: same rank, its static dims the entry's) keeps
/// the entry type; the lowering checks the yielded dims each iteration (LoopLowering).
static LogicalResult checkCarriedShapes(NodeContext &c, Operation *yield, Block &body,
                                        unsigned firstArg, unsigned firstOut, unsigned count,
                                        const ::onnx::GraphProto &graph,
                                        unsigned firstGraphInput) {
  for (unsigned i = 0; i < count; ++i) {
    Type in = body.getArgument(firstArg + i).getType();
    Type out = yield->getOperand(firstOut + i).getType();
    if (in != out && !lessPrecise(out, in))
      return c.emitError() << "loop-carried value '" << graph.input(firstGraphInput + i).name()
                           << "' enters the body as " << typeString(in)
                           << " but the body yields " << typeString(out)
                           << ": a value whose shape changes between iterations needs "
                              "run-time dims, which control flow does not support yet";
  }
  return success();
}

LogicalResult GraphImporter::importLoop(NodeContext &c) {
  if (c.node.input_size() > 0 && sequenceLengths.count(c.node.input(0)))
    return importLoopAsSequenceMap(c);
  auto body = graphAttr(c, "body");
  if (failed(body))
    return failure();
  Value m = c.input(0), cond = c.input(1);
  SmallVector<Value> carried;
  for (size_t i = 2; i < c.inputs.size(); ++i) {
    if (!c.inputs[i] && static_cast<int>(i) < c.node.input_size() &&
        (sequences.count(c.node.input(i)) || optionals.count(c.node.input(i))))
      return c.emitError() << "input " << i << " '" << c.node.input(i) << "' is "
                           << (sequences.count(c.node.input(i)) ? "a sequence" : "an optional")
                           << ": sequences and optionals cannot be loop-carried values yet";
    if (!c.inputs[i])
      return c.emitError() << "input " << i << " (a loop-carried value) is missing";
    carried.push_back(c.inputs[i]);
  }
  if (!m && !cond)
    return c.emitError() << "has neither a trip count nor a condition: it would never end";
  int numCarried = carried.size();
  int numScan = (*body)->output_size() - 1 - numCarried;
  if (numScan < 0)
    return c.emitError() << "the body has " << (*body)->output_size()
                         << " outputs; expected the condition and " << numCarried
                         << " loop-carried values at least";
  if (c.node.output_size() > numCarried + numScan)
    return c.emitError() << "has " << c.node.output_size() << " outputs; the body makes "
                         << numCarried + numScan;

  OperationState state(c.loc, onnx::LoopOp::getOperationName());
  if (m)
    state.addOperands(m);
  if (cond)
    state.addOperands(cond);
  state.addOperands(carried);
  state.addAttribute("operandSegmentSizes",
                     b.getDenseI32ArrayAttr({m ? 1 : 0, cond ? 1 : 0, numCarried}));
  SmallVector<Type> argTypes{RankedTensorType::get({}, b.getI64Type()),
                             RankedTensorType::get({}, b.getI1Type())};
  for (Value v : carried)
    argTypes.push_back(v.getType());
  Region *region = state.addRegion();
  auto yield = importSubgraph(c, **body, "body", *region, argTypes);
  if (failed(yield) || failed(refuseSequenceOutputs(c, **body, lastYieldLayout)))
    return failure();
  // A carried value the body grows (`Concat(y, piece)`: [1, 3] in, [3, 3] out): the body is
  // imported again with the dims that change made run-time ([?, 3]), and the op records
  // which values grow (`onnxc.grows`); the lowering gives each a buffer at its bound
  // (LoopLowering, docs/dynamic-shapes.md "Loop-carried values").
  // A yield only less precise than the entry (`[?]` for `[1]`) keeps the entry's size
  // (test_loop11), unless it is a Concat of the carried value itself.
  SmallVector<int64_t> grows;
  for (int i = 0; i < numCarried; ++i) {
    auto in = dyn_cast<RankedTensorType>(argTypes[2 + i]);
    Value yielded = (*yield)->getOperand(1 + i);
    auto out = dyn_cast<RankedTensorType>(yielded.getType());
    while (auto id = yielded.getDefiningOp<onnx::IdentityOp>())
      yielded = id.getInput();
    auto concat = yielded.getDefiningOp<onnx::ConcatOp>();
    bool ofItself = concat && llvm::is_contained(concat.getInputs(),
                                                 region->front().getArgument(2 + i));
    if (!in || !out || in == out || (lessPrecise(out, in) && !ofItself) ||
        in.getRank() != out.getRank() || in.getElementType() != out.getElementType())
      continue;
    SmallVector<int64_t> dims(in.getShape());
    for (int64_t d = 0; d < in.getRank(); ++d)
      if (in.getDimSize(d) != out.getDimSize(d))
        dims[d] = ShapedType::kDynamic;
    argTypes[2 + i] = RankedTensorType::get(dims, in.getElementType());
    grows.push_back(i);
  }
  if (!grows.empty()) {
    region->dropAllReferences();
    region->getBlocks().clear();
    yield = importSubgraph(c, **body, "body", *region, argTypes);
    if (failed(yield) || failed(refuseSequenceOutputs(c, **body, lastYieldLayout)))
      return failure();
    state.addAttribute("onnxc.grows", b.getDenseI64ArrayAttr(grows));
  }
  if (failed(checkCarriedShapes(c, *yield, region->front(), 2, 1, numCarried, **body, 2)))
    return failure();
  // A declared type (value_info, graph output) seeds the result: shape inference merges it
  // with what the body gives. A scan output declared static while its length, the trip
  // count, is known only at run time is checked at run time (LoopLowering).
  for (auto [i, v] : llvm::enumerate((*yield)->getOperands().drop_front())) {
    auto declared = i < c.resultTypes.size()
                        ? dyn_cast_if_present<RankedTensorType>(c.resultTypes[i])
                        : RankedTensorType();
    state.addTypes(declared && declared.getElementType() == elementTypeOf(v)
                       ? Type(declared)
                       : Type(UnrankedTensorType::get(elementTypeOf(v))));
  }
  auto op = finish(c, state);
  if (failed(op))
    return failure();
  bindOutputs(c, (*op)->getResults());
  return success();
}

//===----------------------------------------------------------------------===//
// Scan (opset 9+): a Loop over the sequence axis
//===----------------------------------------------------------------------===//

static FailureOr<SmallVector<int64_t>> intsOr(NodeContext &c, StringRef name, size_t count,
                                              int64_t dflt) {
  const ::onnx::AttributeProto *a = c.attr(name);
  if (!a)
    return SmallVector<int64_t>(count, dflt);
  if (static_cast<size_t>(a->ints_size()) != count)
    return c.emitError() << "attribute '" << name << "' has " << a->ints_size()
                         << " values; expected " << count;
  return SmallVector<int64_t>(a->ints().begin(), a->ints().end());
}

LogicalResult GraphImporter::importScan(NodeContext &c) {
  auto body = graphAttr(c, "body");
  auto numScanInputs = c.intAttr("num_scan_inputs", -1);
  if (failed(body) || failed(numScanInputs))
    return failure();
  // Opset 8: sequence_lens first, then states [B, ...] and scan inputs [B, L, ...].
  bool batched = c.opset < 9;
  SmallVector<Value> inputs(c.inputs);
  if (batched) {
    if (!inputs.empty() && inputs[0])
      return c.emitError() << "sequence_lens is not supported (sequences of different "
                              "lengths in one batch); omit it";
    if (!inputs.empty())
      inputs.erase(inputs.begin());
  }
  int k = *numScanInputs;
  int n = static_cast<int>(inputs.size()) - k;
  if (k < 1 || n < 0)
    return c.emitError() << "num_scan_inputs is " << k << " but the node has "
                         << inputs.size() << " state and scan inputs";
  int numOut = (*body)->output_size() - n;
  if (numOut < 0)
    return c.emitError() << "the body has fewer outputs than state variables";
  for (Value v : inputs)
    if (!v)
      return c.emitError() << "omitted inputs are not allowed";
  ScanPlan plan;
  plan.numStates = n;
  plan.numOutputs = numOut;
  auto inDirs = intsOr(c, batched ? "directions" : "scan_input_directions", k, 0);
  auto inAxes = intsOr(c, "scan_input_axes", k, 0);
  auto outAxes = intsOr(c, "scan_output_axes", numOut, 0);
  auto outDirs = intsOr(c, "scan_output_directions", numOut, 0);
  if (failed(inAxes) || failed(inDirs) || failed(outAxes) || failed(outDirs))
    return failure();
  plan.inAxes = *inAxes;
  plan.inDirs = *inDirs;
  plan.outAxes = *outAxes;
  plan.outDirs = *outDirs;
  if (!batched) {
    auto outs = buildScan(c, **body, inputs, plan);
    if (failed(outs))
      return failure();
    bindOutputs(c, *outs);
    return success();
  }

  // Opset 8: a Loop over the batch whose body runs the scan on each batch element and
  // stacks its final states and scan outputs along the batch axis (its scan outputs).
  int64_t batch = -1;
  for (Value v : inputs) {
    auto t = dyn_cast<RankedTensorType>(v.getType());
    if (!t || t.getRank() < 1 || t.isDynamicDim(0))
      return c.emitError() << "input " << typeString(v.getType())
                           << " needs a static batch dim: run-time dims are not supported yet";
    if (batch >= 0 && t.getDimSize(0) != batch)
      return c.emitError() << "inputs have batch sizes " << batch << " and " << t.getDimSize(0);
    batch = t.getDimSize(0);
  }
  NodeContext plain(c.b, c.loc, c.node, c.opset, {}, {});
  OperationState state(c.loc, onnx::LoopOp::getOperationName());
  state.addOperands(plain.constScalar(b.getI64Type(), batch));
  state.addAttribute("operandSegmentSizes", b.getDenseI32ArrayAttr({1, 0, 0}));
  Region *region = state.addRegion();
  Block *block = new Block();
  region->push_back(block);
  block->addArgument(RankedTensorType::get({}, b.getI64Type()), c.loc);
  block->addArgument(RankedTensorType::get({}, b.getI1Type()), c.loc);
  SmallVector<Value> yielded{block->getArgument(1)};
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToEnd(block);
    SmallVector<Value> perBatch;
    for (Value v : inputs) {
      auto g = plain.create("Gather", {v, block->getArgument(0)},
                            {b.getNamedAttr("axis", b.getI64IntegerAttr(0))});
      if (failed(g))
        return failure();
      perBatch.push_back((*g)->getResult(0));
    }
    auto outs = buildScan(c, **body, perBatch, plan);
    if (failed(outs))
      return failure();
    llvm::append_range(yielded, *outs);
    onnx::YieldOp::create(b, c.loc, yielded);
  }
  for (Value v : ArrayRef<Value>(yielded).drop_front())
    state.addTypes(UnrankedTensorType::get(elementTypeOf(v)));
  auto op = finish(c, state);
  if (failed(op))
    return failure();
  bindOutputs(c, (*op)->getResults());
  return success();
}

FailureOr<SmallVector<Value>> GraphImporter::buildScan(NodeContext &c, ::onnx::GraphProto &graph,
                                                       ValueRange inputs, ScanPlan plan) {
  int n = plan.numStates, numOut = plan.numOutputs;
  auto *inAxes = &plan.inAxes, *inDirs = &plan.inDirs, *outAxes = &plan.outAxes,
       *outDirs = &plan.outDirs;
  ::onnx::GraphProto *body = &graph;
  // The sequence length: the scan inputs' common static dim along their axes.
  int64_t length = -1;
  SmallVector<Value> scanInputs(inputs.begin() + n, inputs.end());
  for (auto [i, v] : llvm::enumerate(scanInputs)) {
    auto t = dyn_cast<RankedTensorType>(v.getType());
    int64_t &axis = (*inAxes)[i];
    if (t && axis < 0)
      axis += t.getRank();
    if (!t || axis < 0 || axis >= t.getRank() || t.isDynamicDim(axis))
      return c.emitError() << "scan input " << i << " (" << typeString(v.getType())
                           << ") needs a static sequence length along axis " << axis
                           << ": run-time sequence lengths are not supported yet";
    if (length >= 0 && t.getDimSize(axis) != length)
      return c.emitError() << "scan inputs have sequence lengths " << length << " and "
                           << t.getDimSize(axis);
    length = t.getDimSize(axis);
  }

  OperationState state(c.loc, onnx::LoopOp::getOperationName());
  NodeContext plain(c.b, c.loc, c.node, c.opset, {}, {});
  Value tripCount = plain.constScalar(b.getI64Type(), length);
  SmallVector<Value> states(inputs.begin(), inputs.begin() + n);
  state.addOperands(tripCount);
  state.addOperands(states);
  state.addAttribute("operandSegmentSizes", b.getDenseI32ArrayAttr({1, 0, n}));
  SmallVector<Type> argTypes{RankedTensorType::get({}, b.getI64Type()),
                             RankedTensorType::get({}, b.getI1Type())};
  for (Value v : states)
    argTypes.push_back(v.getType());
  Region *region = state.addRegion();
  auto bind = [&](Block &block) -> FailureOr<SmallVector<Value>> {
    SmallVector<Value> in(block.getArguments().drop_front(2));
    Value iter = block.getArgument(0);
    for (auto [i, v] : llvm::enumerate(scanInputs)) {
      Value index = iter;
      if ((*inDirs)[i]) {
        auto sub = plain.create("Sub", {plain.constScalar(b.getI64Type(), length - 1), iter}, {});
        if (failed(sub))
          return failure();
        index = (*sub)->getResult(0);
      }
      auto slice = plain.create("Gather", {v, index},
                            {b.getNamedAttr("axis", b.getI64IntegerAttr((*inAxes)[i]))});
      if (failed(slice))
        return failure();
      in.push_back((*slice)->getResult(0));
    }
    return in;
  };
  auto yield = importSubgraph(c, *body, "body", *region, argTypes, bind);
  if (succeeded(yield) && failed(refuseSequenceOutputs(c, *body, lastYieldLayout)))
    return failure();
  if (failed(yield))
    return failure();
  // The Loop's body also yields its condition first: the one passed in, unchanged.
  (*yield)->insertOperands(0, region->front().getArgument(1));
  if (failed(checkCarriedShapes(c, *yield, region->front(), 2, 1, n, *body, 0)))
    return failure();
  for (Value v : (*yield)->getOperands().drop_front())
    state.addTypes(UnrankedTensorType::get(elementTypeOf(v)));
  auto op = finish(plain, state);
  if (failed(op))
    return failure();

  // Stacked scan outputs: reverse them for backward scans, then move the sequence axis.
  SmallVector<Value> outs((*op)->getResults().take_front(n));
  for (int j = 0; j < numOut; ++j) {
    Value v = (*op)->getResult(n + j);
    if ((*outDirs)[j]) {
      SmallVector<int64_t> reversed;
      for (int64_t i = length - 1; i >= 0; --i)
        reversed.push_back(i);
      auto g = plain.create("Gather", {v, plain.constI64(reversed)},
                            {b.getNamedAttr("axis", b.getI64IntegerAttr(0))});
      if (failed(g))
        return failure();
      v = (*g)->getResult(0);
    }
    auto ranked = dyn_cast<RankedTensorType>(v.getType());
    if (!ranked)
      return c.emitError() << "scan output " << j << " has an unknown rank";
    int64_t rank = ranked.getRank();
    int64_t axis = (*outAxes)[j] < 0 ? (*outAxes)[j] + rank : (*outAxes)[j];
    if (axis < 0 || axis >= rank)
      return c.emitError() << "scan_output_axes[" << j << "] = " << (*outAxes)[j]
                           << " is out of range for rank " << rank;
    if (axis != 0) {
      SmallVector<int64_t> perm;
      for (int64_t i = 0; i < rank; ++i)
        perm.push_back(i < axis ? i + 1 : i == axis ? 0 : i);
      auto t = plain.create("Transpose", {v},
                            {b.getNamedAttr("perm", b.getDenseI64ArrayAttr(perm))});
      if (failed(t))
        return failure();
      v = (*t)->getResult(0);
    }
    outs.push_back(v);
  }
  return outs;
}

} // namespace onnxc

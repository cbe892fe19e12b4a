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
    TypeRange argTypes, function_ref<FailureOr<SmallVector<Value>>(Block &)> bind,
    bool optionalOutputs) {
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
    if (v) // Null: bound by the caller otherwise (a Loop-carried sequence).
      values[graph.input(i).name()] = v;
  scope += (c.node.name().empty() ? c.node.output(0) : c.node.name()) + "/" + attrName.str() +
           "/";
  if (failed(importNodes(graph)) ||
      (!optionalOutputs && failed(refuseOptionalOutputs(c, graph, "subgraph"))))
    return failure();
  SmallVector<Value> outs;
  if (failed(subgraphOutputs(c, graph, attrName, outs, optionalOutputs)))
    return failure();
  return onnx::YieldOp::create(b, c.loc, outs).getOperation();
}

LogicalResult GraphImporter::subgraphOutputs(NodeContext &c, const ::onnx::GraphProto &graph,
                                             StringRef what, SmallVectorImpl<Value> &outs,
                                             bool optionalOutputs) {
  lastYieldLayout.clear();
  lastYieldOptional.clear();
  lastYieldElementTypes.clear();
  lastCarried.clear();
  lastCarriedPresence.clear();
  for (const auto &out : graph.output()) {
    lastCarried.emplace_back();
    lastCarriedPresence.push_back(optionals.lookup(out.name()));
    Value present = optionalOutputs ? optionals.lookup(out.name()) : Value();
    lastYieldOptional.push_back(static_cast<bool>(present));
    lastYieldElementTypes.push_back(Type());
    if (present)
      outs.push_back(present);
    if (Value v = values.lookup(out.name())) {
      outs.push_back(v);
      lastYieldLayout.push_back(-1);
      continue;
    }
    auto it = sequences.find(out.name());
    if (it == sequences.end())
      return c.emitError() << "subgraph '" << what << "' never produces its output '"
                           << out.name() << "'";
    // A Loop-carried sequence leaves a region as the sequence: importLoop and importIf push
    // its appended tensors where the region ends.
    if (it->second.runtime && it->second.runtime->loopCarried) {
      if (present)
        return c.emitError() << "subgraph '" << what << "' output '" << out.name()
                             << "' is an optional of a Loop-carried sequence: not supported";
      lastCarried.back() = it->second;
      outs.push_back(it->second.runtime->collector); // its token
      lastYieldLayout.push_back(-2);
      continue;
    }
    // A sequence built in the subgraph leaves it as its tensors (an If's results).
    const SequenceValue &s = it->second;
    if (s.runtime)
      return c.emitError() << "subgraph '" << what << "' output '" << out.name()
                           << "' is a sequence whose tensors are known only at run time: it "
                              "cannot leave an If, Loop or Scan body";
    lastYieldElementTypes.back() =
        s.elementType ? s.elementType
                      : s.elements.empty() || !s.elements[0]
                            ? Type()
                            : cast<ShapedType>(s.elements[0].getType()).getElementType();
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
                           << "optionals cannot leave a Loop or Scan body (only If "
                           << "branches, Identity, OptionalHasElement and OptionalGetElement "
                           << "take them)";
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
  if (failed(importNodes(graph)))
    return failure();
  SmallVector<Value> outs;
  lastInlineSequences.clear();
  lastYieldLayout.clear();
  lastInlinePresence.clear();
  for (const auto &out : graph.output()) {
    lastInlinePresence.push_back(optionals.lookup(out.name()));
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
// Loop-carried sequences
//===----------------------------------------------------------------------===//

/// onnx.SequencePush of `value` to collector `id` (onnxc.collector; the importer sets its
/// record once it knows the collector's hidden result), `token` its token there.
static Operation *push(OpBuilder &b, Location loc, Value value, int64_t id, Value token) {
  auto op = onnx::SequencePushOp::create(b, loc, value, token, -1);
  op->setAttr("onnxc.collector", b.getI64IntegerAttr(id));
  return op;
}

/// Before `yield`, pushes the tensors appended to the Loop-carried sequence `seq` in the
/// region that ends there; other edits are refused.
static LogicalResult pushAppends(NodeContext &c, Operation *yield, const SequenceValue &seq,
                                 Value liveToken, StringRef what) {
  // A marker from before an If that changed the sequence is stale: its appends would land
  // after the If's.
  if (seq.runtime->collector != liveToken)
    return c.emitError() << what << " yields a Loop-carried sequence as it was before an If "
                         << "that changed it: not supported";
  OpBuilder pb(yield);
  for (const auto &e : seq.runtime->edits) {
    if (!e.insert || e.position || e.collector || !e.tensor)
      return c.emitError() << what << " "
                           << (e.insert ? "inserts at a position into" : "erases from")
                           << " a Loop-carried sequence; a Loop may carry a sequence its body "
                              "only appends to (SequenceInsert without a position) or replaces "
                              "in an If branch";
    push(pb, c.loc, e.tensor, seq.runtime->collectorId, liveToken);
  }
  return success();
}

/// Before `yield`, replaces the Loop-carried sequence of collector `id` by `elements` (an If
/// branch that builds the sequence anew): a reset (its value is the token), then a push of
/// each tensor.
static void pushReplacement(NodeContext &c, Operation *yield, int64_t id, Value token,
                            ValueRange elements) {
  OpBuilder pb(yield);
  push(pb, c.loc, token, id, token)->setAttr("onnxc.reset", pb.getUnitAttr());
  for (Value e : elements)
    push(pb, c.loc, e, id, token);
}

//===----------------------------------------------------------------------===//
// If
//===----------------------------------------------------------------------===//

/// An optional sequence absent in one branch (its presence a constant false) may have fewer
/// tensors there than in the other branch: its tensors become zeros of the other branch's
/// types (never read: the If's result is absent when that branch runs), so both branches
/// yield the same values.
static LogicalResult padAbsentSequences(NodeContext &c, Operation *thenY,
                                        SmallVectorImpl<int> &thenLayout, Operation *elseY,
                                        SmallVectorImpl<int> &elseLayout,
                                        ArrayRef<bool> optional) {
  for (size_t i = 0; i < thenLayout.size(); ++i) {
    if (!optional[i] || thenLayout[i] < 0 || elseLayout[i] < 0 ||
        thenLayout[i] == elseLayout[i])
      continue;
    // Where output i's presence is in each yield.
    auto offsetOf = [&](ArrayRef<int> layout) {
      unsigned at = 0;
      for (size_t j = 0; j < i; ++j)
        at += (optional[j] ? 1 : 0) + (layout[j] < 0 ? 1 : layout[j]);
      return at;
    };
    bool thenShort = thenLayout[i] < elseLayout[i];
    Operation *shortY = thenShort ? thenY : elseY, *longY = thenShort ? elseY : thenY;
    SmallVectorImpl<int> &shortL = thenShort ? thenLayout : elseLayout;
    SmallVectorImpl<int> &longL = thenShort ? elseLayout : thenLayout;
    unsigned shortAt = offsetOf(shortL), longAt = offsetOf(longL);
    DenseIntElementsAttr known;
    if (!matchPattern(shortY->getOperand(shortAt), m_Constant(&known)) ||
        known.getNumElements() != 1 || !(*known.begin()).isZero())
      return c.emitError() << "output " << i << " is a sequence of " << thenLayout[i]
                           << " tensors in 'then_branch' but of " << elseLayout[i]
                           << " in 'else_branch': an If's sequences must have the same "
                              "length in both branches (or be an absent optional in one)";
    OpBuilder b(shortY);
    SmallVector<Value> zeros;
    for (int k = 0; k < longL[i]; ++k) {
      auto t = dyn_cast<RankedTensorType>(longY->getOperand(longAt + 1 + k).getType());
      if (!t || !t.hasStaticShape())
        return c.emitError() << "output " << i << " is an optional sequence absent in one "
                             << "branch whose tensor " << k << " has a run-time shape in the "
                             << "other: not supported";
      Attribute zero = isa<FloatType>(t.getElementType())
                           ? Attribute(b.getFloatAttr(t.getElementType(), 0.0))
                           : Attribute(b.getIntegerAttr(t.getElementType(), 0));
      zeros.push_back(onnx::ConstantOp::create(
          b, c.loc, t, cast<ElementsAttr>(DenseElementsAttr::get(t, zero))));
    }
    shortY->eraseOperands(shortAt + 1, shortL[i]);
    shortY->insertOperands(shortAt + 1, zeros);
    shortL[i] = longL[i];
  }
  return success();
}

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
        values.erase(c.node.output(i));
      } else {
        values[c.node.output(i)] = (*outs)[i];
      }
      if (Value present = lastInlinePresence[i])
        optionals[c.node.output(i)] = present;
      else
        optionals.erase(c.node.output(i));
    }
    return success();
  }

  OperationState state(c.loc, onnx::IfOp::getOperationName());
  state.addOperands(cond);
  Region *thenR = state.addRegion(), *elseR = state.addRegion();
  // Loop-carried sequences' tokens: as the If receives them, and at each branch's end.
  llvm::DenseMap<int64_t, Value> entryTokens = liveTokens, thenTokens, elseTokens;
  auto thenY = importSubgraph(c, **thenG, "then_branch", *thenR, {}, nullptr,
                              /*optionalOutputs=*/true);
  thenTokens = liveTokens;
  liveTokens = entryTokens;
  if (failed(thenY))
    return failure();
  SmallVector<int> thenLayout = lastYieldLayout;
  SmallVector<bool> thenOptional = lastYieldOptional;
  SmallVector<Type> thenElementTypes = lastYieldElementTypes;
  SmallVector<std::optional<SequenceValue>> thenCarried = lastCarried;
  auto elseY = importSubgraph(c, **elseG, "else_branch", *elseR, {}, nullptr,
                              /*optionalOutputs=*/true);
  elseTokens = liveTokens;
  liveTokens = entryTokens;
  if (failed(elseY))
    return failure();
  SmallVector<bool> elseOptional = lastYieldOptional;
  SmallVector<int> &elseLayout = lastYieldLayout;
  // Loop-carried sequences: a branch that yields one pushes what it appended; a branch that
  // yields a sequence built there instead replaces it (reset, then its tensors). The If's
  // result is the carried sequence, its appends pushed.
  SmallVector<std::optional<SequenceValue>> carriedOut(thenLayout.size());
  {
    SmallVector<std::optional<SequenceValue>> elseCarried = lastCarried;
    for (size_t i = 0; i < thenLayout.size(); ++i) {
      if (thenLayout[i] != -2 && elseLayout[i] != -2)
        continue;
      const std::optional<SequenceValue> &carriedSeq =
          thenLayout[i] == -2 ? thenCarried[i] : elseCarried[i];
      int64_t id = carriedSeq->runtime->collectorId;
      for (int branch = 0; branch < 2; ++branch) {
        SmallVectorImpl<int> &layout = branch == 0 ? thenLayout : elseLayout;
        Operation *y = branch == 0 ? *thenY : *elseY;
        const std::optional<SequenceValue> &mine = branch == 0 ? thenCarried[i] : elseCarried[i];
        std::string what = "output " + std::to_string(i) + " of branch '" +
                           (branch == 0 ? "then_branch" : "else_branch") + "'";
        if (layout[i] == -2) {
          if (mine->runtime->collectorId != id)
            return c.emitError() << what << " is another Loop-carried sequence than the "
                                 << "other branch's";
          if (failed(pushAppends(c, y, *mine, (branch == 0 ? thenTokens : elseTokens).lookup(id),
                                 what)))
            return failure();
          continue;
        }
        if (layout[i] < 0 || (branch == 0 ? thenOptional[i] : elseOptional[i]))
          return c.emitError() << what << " is a tensor or an optional where the other branch "
                               << "yields a Loop-carried sequence";
        // A sequence built in this branch: its tensors leave the yield as pushes, and the
        // branch yields the token the If received.
        unsigned at = 0;
        for (size_t j = 0; j < i; ++j)
          at += ((branch == 0 ? thenOptional[j] : elseOptional[j]) ? 1 : 0) +
                (layout[j] < 0 ? 1 : layout[j]);
        SmallVector<Value> elements(y->getOperands().slice(at, layout[i]));
        Value token = liveTokens.lookup(id);
        if (!token)
          return c.emitError() << what << " replaces a Loop-carried sequence whose token is "
                               << "not visible here";
        pushReplacement(c, y, id, token, elements);
        y->eraseOperands(at, layout[i]);
        y->insertOperands(at, token);
        layout[i] = -2;
      }
      // The token each branch yields is a fresh placeholder: it only ties the If to the
      // sequence (an onnx.If is pure: without a used result it would go, pushes and all),
      // and a branch yielding the token it received is a read-after-write conflict for
      // one-shot bufferization once the If is an scf.if.
      for (Operation *y : {*thenY, *elseY}) {
        unsigned at = 0;
        bool isThen = y == *thenY;
        SmallVectorImpl<int> &layout = isThen ? thenLayout : elseLayout;
        for (size_t j = 0; j < i; ++j)
          at += ((isThen ? thenOptional[j] : elseOptional[j]) ? 1 : 0) +
                (layout[j] < 0 ? 1 : layout[j]);
        OpBuilder pb(y);
        auto tokenType = RankedTensorType::get({0}, pb.getI8Type());
        y->setOperand(at, onnx::ConstantOp::create(
                              pb, c.loc, tokenType,
                              cast<ElementsAttr>(DenseElementsAttr::get(
                                  tokenType, ArrayRef<Attribute>{}))));
      }
      SequenceValue result = *carriedSeq;
      result.runtime->edits.clear();
      carriedOut[i] = std::move(result);
    }
  }
  SmallVector<Type> seqElementTypes = thenElementTypes;
  for (auto [i, t] : llvm::enumerate(seqElementTypes))
    if (!t)
      t = lastYieldElementTypes[i];
  for (auto [i, opt] : llvm::enumerate(thenOptional))
    if (opt != elseOptional[i])
      return c.emitError() << "output " << i << " is an optional in '"
                           << (opt ? "then_branch" : "else_branch") << "' only: both branches "
                           << "must yield optionals, or neither";
  // An optional sequence that is absent (a constant false presence) in one branch has no
  // tensors there: give it zeros of the other branch's tensors, which nothing reads.
  if (failed(padAbsentSequences(c, *thenY, thenLayout, *elseY, lastYieldLayout, thenOptional)))
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
    bool named = static_cast<int>(i) < c.node.output_size() && !c.node.output(i).empty();
    if (n == -2) {
      // The carried sequence after the If: the If's result is its token.
      SequenceValue after = *carriedOut[i];
      after.runtime->collector = results.front();
      liveTokens[after.runtime->collectorId] = results.front();
      results = results.drop_front();
      if (named) {
        values.erase(c.node.output(i));
        optionals.erase(c.node.output(i));
        sequences[c.node.output(i)] = std::move(after);
      }
      continue;
    }
    size_t count = n < 0 ? 1 : n;
    Value present;
    if (thenOptional[i]) {
      present = results.front();
      results = results.drop_front();
    }
    if (named && n < 0) {
      values[c.node.output(i)] = results.front();
    } else if (named) {
      SequenceValue s;
      s.elements.assign(results.begin(), results.begin() + count);
      s.elementType = seqElementTypes[i];
      sequences[c.node.output(i)] = std::move(s);
      values.erase(c.node.output(i));
    }
    if (named && present)
      optionals[c.node.output(i)] = present;
    else if (named)
      optionals.erase(c.node.output(i));
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
  // Carried sequences: the body may append to them (SequenceInsert without a position) or
  // replace them in an If branch. The appended tensors are pushed, as the body runs, to a
  // list the runtime stub keeps (onnx.SequencePush); the Loop's result is the entry sequence
  // (unless replaced), then the list. In the Loop op, such a sequence is a token, a
  // tensor<0xi8> carried through the body (and through the Ifs in it) that keeps those
  // regions alive and becomes the hidden result whose out-param slot holds the list; an
  // optional one also carries its presence (true from the first iteration on).
  struct CarriedSeq {
    int index;           // among the carried values
    int64_t id;          // the collector's
    Value presence;      // entry presence of an optional (null: a plain sequence)
  };
  SmallVector<CarriedSeq> seqs;
  SmallVector<Value> carried; // The Loop's carried operands (tokens and presences included).
  SmallVector<int> carriedOf; // Per carried operand: its index among the node's carried values.
  auto tokenType = RankedTensorType::get({0}, b.getI8Type());
  for (size_t i = 2; i < c.inputs.size(); ++i) {
    bool named = static_cast<int>(i) < c.node.input_size() && !c.node.input(i).empty();
    if (!c.inputs[i] && named && sequences.count(c.node.input(i))) {
      CarriedSeq cs{static_cast<int>(i) - 2, nextCollectorId++,
                    optionals.lookup(c.node.input(i))};
      Value token = onnx::ConstantOp::create(
          b, c.loc, tokenType,
          cast<ElementsAttr>(DenseElementsAttr::get(tokenType, ArrayRef<Attribute>{})));
      carried.push_back(token);
      carriedOf.push_back(cs.index);
      if (cs.presence) {
        carried.push_back(cs.presence);
        carriedOf.push_back(-1);
      }
      seqs.push_back(cs);
      continue;
    }
    if (!c.inputs[i] && named && optionals.count(c.node.input(i)))
      return c.emitError() << "input " << i << " '" << c.node.input(i)
                           << "' is an optional tensor: optionals of tensors cannot be "
                              "loop-carried values (optional sequences can)";
    if (!c.inputs[i])
      return c.emitError() << "input " << i << " (a loop-carried value) is missing";
    carried.push_back(c.inputs[i]);
    carriedOf.push_back(static_cast<int>(i) - 2);
  }
  if (!m && !cond)
    return c.emitError() << "has neither a trip count nor a condition: it would never end";
  int numCarriedAll = static_cast<int>(c.inputs.size()) - 2;
  int numCarried = carried.size();
  int numScan = (*body)->output_size() - 1 - numCarriedAll;
  if (numScan < 0)
    return c.emitError() << "the body has " << (*body)->output_size()
                         << " outputs; expected the condition and " << numCarriedAll
                         << " loop-carried values at least";
  if (c.node.output_size() > numCarriedAll + numScan)
    return c.emitError() << "has " << c.node.output_size() << " outputs; the body makes "
                         << numCarriedAll + numScan;
  if ((*body)->input_size() != 2 + numCarriedAll)
    return c.emitError() << "the body takes " << (*body)->input_size() << " inputs; expected "
                         << 2 + numCarriedAll;
  if (!seqs.empty() && b.getInsertionBlock()->getParentOp() != mainFunc.getOperation())
    return c.emitError() << "carries sequence '" << c.node.input(2 + seqs.front().index)
                         << "' but is inside an If, Loop or Scan body: a Loop-carried "
                            "sequence is collected once per run, so its Loop must be in the "
                            "main graph";
  // The body's view of each carried sequence: a marker of its collector and element type.
  llvm::StringMap<std::optional<SequenceValue>> shadowed;
  auto restoreSeqs = llvm::make_scope_exit([&] {
    for (auto &entry : shadowed) {
      if (entry.getValue())
        sequences[entry.getKey()] = *entry.getValue();
      else
        sequences.erase(entry.getKey());
    }
  });
  for (const CarriedSeq &cs : seqs) {
    const std::string &inName = (*body)->input(2 + cs.index).name();
    auto old = sequences.find(inName);
    shadowed.try_emplace(inName, old == sequences.end() ? std::nullopt
                                                        : std::optional(old->second));
    const SequenceValue &entry = sequences.find(c.node.input(2 + cs.index))->second;
    SequenceValue marker;
    marker.runtime.emplace();
    marker.runtime->loopCarried = true;
    marker.runtime->collectorId = cs.id;
    marker.elementType = entry.elementType;
    if (!marker.elementType && !entry.elements.empty() && entry.elements[0])
      marker.elementType = elementTypeOf(entry.elements[0]);
    if (!marker.elementType && entry.runtime)
      for (const auto &e : entry.runtime->edits)
        if (e.tensor && !marker.elementType)
          marker.elementType = elementTypeOf(e.tensor);
    sequences[inName] = std::move(marker);
  }

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
  // The graph's inputs from the block's arguments: a carried sequence is its marker (its
  // token and presence are block arguments the graph does not name).
  auto bind = [&](Block &block) -> FailureOr<SmallVector<Value>> {
    SmallVector<Value> in{block.getArgument(0), block.getArgument(1)};
    for (size_t k = 0; k < carried.size(); ++k) {
      int j = carriedOf[k];
      if (j < 0)
        continue; // a presence, after its token
      auto cs = llvm::find_if(seqs, [&](const CarriedSeq &s) { return s.index == j; });
      if (cs == seqs.end()) {
        in.push_back(block.getArgument(2 + k));
        continue;
      }
      const std::string &inName = (*body)->input(2 + j).name();
      sequences[inName].runtime->collector = block.getArgument(2 + k);
      liveTokens[cs->id] = block.getArgument(2 + k);
      if (cs->presence)
        optionals[inName] = block.getArgument(3 + k);
      in.push_back(Value());
    }
    return in;
  };
  auto yield = importSubgraph(c, **body, "body", *region, argTypes, bind);
  if (failed(yield) || failed(refuseSequenceOutputs(c, **body, lastYieldLayout)))
    return failure();
  // A carried value the body grows (`Concat(y, piece)`: [1, 3] in, [3, 3] out): the body is
  // imported again with the dims that change made run-time ([?, 3]), and the op records
  // which values grow (`onnxc.grows`); the lowering gives each a buffer at its bound
  // (LoopLowering, docs/dynamic-shapes.md "Loop-carried values").
  // A yield only less precise than the entry (`[?]` for `[1]`) keeps the entry's size
  // (test_loop11), unless it is a Concat of the carried value itself.
  // Not with carried sequences: their tokens and presences shift the yield's operands.
  SmallVector<int64_t> grows;
  for (int i = 0; seqs.empty() && i < numCarried; ++i) {
    auto in = dyn_cast<RankedTensorType>(argTypes[2 + i]);
    Value yielded = (*yield)->getOperand(1 + i);
    auto out = dyn_cast<RankedTensorType>(yielded.getType());
    while (auto id = yielded.getDefiningOp<onnx::IdentityOp>())
      yielded = id.getInput();
    auto concat = yielded.getDefiningOp<onnx::ConcatOp>();
    int64_t selfCount =
        concat ? llvm::count(concat.getInputs(), region->front().getArgument(2 + i)) : 0;
    bool ofItself = selfCount > 0;
    // An entry whose dim along the Concat's axis is already run-time (`[K, 3]` in, `[?, 3]`
    // out) has the same type in and out, but grows all the same: the yield is the value
    // with pieces appended. (A Concat that takes the value twice keeps the check of the
    // yielded dims against the entry's, which ends the run at the first step that changes
    // the size, as before.)
    bool appends = selfCount == 1 && in && out && in.getRank() == out.getRank() &&
                   in.getElementType() == out.getElementType() && in.getRank() > 0;
    if (!appends &&
        (!in || !out || in == out || (lessPrecise(out, in) && !ofItself) ||
         in.getRank() != out.getRank() || in.getElementType() != out.getElementType()))
      continue;
    SmallVector<int64_t> dims(in.getShape());
    for (int64_t d = 0; d < in.getRank(); ++d)
      if (in.getDimSize(d) != out.getDimSize(d))
        dims[d] = ShapedType::kDynamic;
    if (appends) {
      int64_t axis = static_cast<int64_t>(concat.getAxis());
      if (axis < 0)
        axis += in.getRank();
      if (axis >= 0 && axis < in.getRank())
        dims[axis] = ShapedType::kDynamic;
    }
    argTypes[2 + i] = RankedTensorType::get(dims, in.getElementType());
    grows.push_back(i);
  }
  if (!grows.empty()) {
    region->dropAllReferences();
    region->getBlocks().clear();
    yield = importSubgraph(c, **body, "body", *region, argTypes, bind);
    if (failed(yield) || failed(refuseSequenceOutputs(c, **body, lastYieldLayout)))
      return failure();
    state.addAttribute("onnxc.grows", b.getDenseI64ArrayAttr(grows));
  }
  // Each carried sequence: the body's output must be its marker; its appends are pushed
  // where the body ends, its token (and presence: true) yielded.
  SmallVector<std::optional<SequenceValue>> bodyCarried = lastCarried;
  for (const CarriedSeq &cs : seqs) {
    const std::string &outName = (*body)->output(1 + cs.index).name();
    const std::optional<SequenceValue> &got = bodyCarried[1 + cs.index];
    if (!got || got->runtime->collectorId != cs.id)
      return c.emitError() << "carried sequence '" << c.node.input(2 + cs.index)
                           << "': the body's output '" << outName
                           << "' is not that sequence appended to or replaced in an If "
                              "branch; a Loop may carry a sequence its body only appends "
                              "to (SequenceInsert without a position) or replaces";
    if (failed(pushAppends(c, *yield, *got, liveTokens.lookup(cs.id), "the body")))
      return failure();
    if (cs.presence) {
      // The yield has the token at the carried sequence's place; its presence follows.
      unsigned at = 1 + static_cast<unsigned>(llvm::find(carriedOf, cs.index) - carriedOf.begin());
      OpBuilder pb(*yield);
      auto bt = RankedTensorType::get({}, b.getI1Type());
      Value yes = onnx::ConstantOp::create(
          pb, c.loc, bt, cast<ElementsAttr>(DenseElementsAttr::get(bt, true)));
      (*yield)->insertOperands(at + 1, yes);
    }
  }
  if (failed(checkCarriedShapes(c, *yield, region->front(), 2, 1, numCarried, **body, 2)))
    return failure();
  // A declared type (value_info, graph output) seeds the result: shape inference merges it
  // with what the body gives. A scan output declared static while its length, the trip
  // count, is known only at run time is checked at run time (LoopLowering).
  // Per Loop result: the node's output (-1: a presence).
  SmallVector<int> outputOf(carriedOf);
  for (int j = 0; j < numScan; ++j)
    outputOf.push_back(numCarriedAll + j);
  for (auto [i, v] : llvm::enumerate((*yield)->getOperands().drop_front())) {
    int out = outputOf[i];
    auto declared = out >= 0 && static_cast<size_t>(out) < c.resultTypes.size()
                        ? dyn_cast_if_present<RankedTensorType>(c.resultTypes[out])
                        : RankedTensorType();
    state.addTypes(declared && declared.getElementType() == elementTypeOf(v)
                       ? Type(declared)
                       : Type(UnrankedTensorType::get(elementTypeOf(v))));
  }
  auto op = finish(c, state);
  if (failed(op))
    return failure();
  for (auto [i, v] : llvm::enumerate((*op)->getResults())) {
    int out = outputOf[i];
    if (out < 0 || out >= c.node.output_size() || c.node.output(out).empty())
      continue;
    auto cs = llvm::find_if(seqs, [&](const CarriedSeq &s) { return s.index == out; });
    if (cs == seqs.end()) {
      values[c.node.output(out)] = v;
      optionals.erase(c.node.output(out));
      continue;
    }
    // The entry sequence (as a run-time one), then the collected list.
    collectorTokens[cs->id] = v;
    SequenceValue result = sequences.find(c.node.input(2 + out))->second;
    if (!result.runtime) {
      SequenceValue promoted;
      promoted.runtime.emplace();
      for (auto [k, e] : llvm::enumerate(result.elements)) {
        if (!e)
          return c.emitError() << "carried sequence '" << c.node.input(2 + out)
                               << "': its tensor " << k << " is not known: "
                               << result.unknownReason;
        promoted.runtime->edits.push_back({true, e, Value()});
      }
      promoted.elementType = result.elementType;
      if (!promoted.elementType && !result.elements.empty())
        promoted.elementType = elementTypeOf(result.elements[0]);
      result = std::move(promoted);
    }
    const SequenceValue &got = *bodyCarried[1 + out];
    if (!result.elementType)
      result.elementType = got.elementType;
    result.runtime->edits.push_back({true, Value(), Value(), v});
    values.erase(c.node.output(out));
    optionals.erase(c.node.output(out));
    sequences[c.node.output(out)] = std::move(result);
  }
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

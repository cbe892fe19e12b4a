// SequenceMap: the body graph applied to each element of its sequence inputs (tensor inputs
// passed whole), each body output collected into a sequence.
//
// Over sequences built in the graph (their tensors known at import), the body is imported
// once per element. Over sequence graph inputs, whose length and tensor dims are known only
// at run time, the model becomes the body: main_graph's argument for such an input is one
// element's tensor (the body input's type, its dim_params run-time dims), its results are the
// body's outputs for that element, and the runtime stub runs the kernel once per element and
// collects the results into the output sequences (runtime-stub/runtime.c, run_map). Such a
// model has only the map's outputs as its outputs; it is marked `onnx.sequence_map`.
#include "compiler/import/ConverterUtils.h"
#include "compiler/import/GraphImporter.h"

#include "mlir/IR/Matchers.h"
#include "llvm/ADT/ScopeExit.h"

#include <onnx/onnx-ml.pb.h>

using namespace mlir;

namespace onnxc {

LogicalResult GraphImporter::importSequenceMap(NodeContext &c) {
  const auto &node = c.node;
  auto body = graphAttr(c, "body");
  if (failed(body))
    return failure();
  ::onnx::GraphProto &g = **body;
  if (g.input_size() != node.input_size())
    return c.emitError() << "the body takes " << g.input_size() << " inputs but the node has "
                         << node.input_size();
  if (g.output_size() != node.output_size())
    return c.emitError() << "the body gives " << g.output_size() << " outputs but the node has "
                         << node.output_size();
  if (node.input_size() == 0 || !sequences.count(node.input(0)))
    return c.emitError() << "input 0 must be a sequence";
  // Which inputs are sequences, and whether they are known at import.
  bool anyRuntime = false, anyKnown = false;
  int64_t length = -1;
  for (int i = 0; i < node.input_size(); ++i) {
    const std::string &name = node.input(i);
    if (name.empty())
      return c.emitError() << "input " << i << " is missing";
    if (optionals.count(name))
      return c.emitError() << "input '" << name << "' is an optional: SequenceMap takes "
                           << "sequences and tensors";
    auto it = sequences.find(name);
    if (it == sequences.end())
      continue;
    const SequenceValue &s = it->second;
    if (s.mapped)
      return c.emitError() << "input '" << name << "' is the output of a SequenceMap over "
                           << "sequence inputs: maps of maps are not supported";
    if (s.runtime) {
      if (s.runtime->input < 0 || !s.runtime->edits.empty())
        return c.emitError() << "input '" << name << "' is a sequence edited at run time "
                             << "(SequenceInsert/SequenceErase of a sequence input, or at a "
                                "run-time position): SequenceMap takes sequence graph inputs "
                                "as they are, or sequences built in the graph";
      anyRuntime = true;
      continue;
    }
    anyKnown = true;
    int64_t n = static_cast<int64_t>(s.elements.size());
    if (length >= 0 && n != length)
      return c.emitError() << "its sequences have " << length << " and " << n
                           << " tensors: SequenceMap needs sequences of one length";
    length = n;
  }
  if (anyRuntime && anyKnown)
    return c.emitError() << "maps sequence graph inputs together with sequences built in the "
                         << "graph: not supported";

  // Imports the body with its inputs bound to `bound`; returns its outputs.
  auto importBody = [&](ArrayRef<Value> bound,
                        const std::string &tag) -> FailureOr<SmallVector<Value>> {
    llvm::StringMap<Value> savedValues = values, savedOptionals = optionals;
    std::string savedScope = scope;
    auto restore = llvm::make_scope_exit([&] {
      values = std::move(savedValues);
      optionals = std::move(savedOptionals);
      scope = savedScope;
    });
    for (int i = 0; i < g.input_size(); ++i)
      values[g.input(i).name()] = bound[i];
    scope += (node.name().empty() ? node.output(0) : node.name()) + "/body" + tag + "/";
    if (failed(importNodes(g)) || failed(refuseOptionalOutputs(c, g, "SequenceMap body")))
      return failure();
    SmallVector<Value> outs;
    for (const auto &out : g.output()) {
      Value v = values.lookup(out.name());
      if (!v)
        return c.emitError() << "body output '" << out.name()
                             << "' is not a tensor computed by the body (a body output "
                                "that is a sequence is not supported)";
      outs.push_back(v);
    }
    return outs;
  };

  if (!anyRuntime) {
    // Sequences built in the graph: one copy of the body per element.
    std::vector<SequenceValue> results(node.output_size());
    for (int64_t k = 0; k < length; ++k) {
      SmallVector<Value> bound;
      for (int i = 0; i < node.input_size(); ++i) {
        auto it = sequences.find(node.input(i));
        if (it == sequences.end()) {
          bound.push_back(values.lookup(node.input(i)));
          continue;
        }
        Value e = it->second.elements[k];
        if (!e)
          return c.emitError() << "tensor " << k << " of input '" << node.input(i)
                               << "' is not known at compile time: "
                               << it->second.unknownReason;
        bound.push_back(e);
      }
      auto outs = importBody(bound, "." + std::to_string(k));
      if (failed(outs))
        return failure();
      for (auto [i, v] : llvm::enumerate(*outs))
        results[i].elements.push_back(v);
    }
    for (int i = 0; i < node.output_size(); ++i) {
      const auto &tt = g.output(i).type();
      if (tt.has_tensor_type())
        results[i].elementType = elementTypeFor(ctx, tt.tensor_type().elem_type());
      if (!node.output(i).empty())
        sequences[node.output(i)] = std::move(results[i]);
    }
    return success();
  }

  // Sequence graph inputs: the model's kernel becomes the body.
  if (!scope.empty() || functionDepth > 0)
    return c.emitError() << "maps sequence graph inputs inside a subgraph or function: only "
                         << "a SequenceMap of the main graph may";
  if (hasSequenceMap)
    return c.emitError() << "is a second SequenceMap over sequence graph inputs: a model may "
                         << "have one";
  SmallVector<Value> bound;
  for (int i = 0; i < node.input_size(); ++i) {
    const std::string &name = node.input(i);
    auto it = sequences.find(name);
    if (it == sequences.end()) {
      bound.push_back(values.lookup(name));
      continue;
    }
    int k = it->second.runtime->input;
    BlockArgument arg = mainFunc.getArgument(k);
    if (mainFunc.getArgAttr(k, "onnx.optional"))
      return c.emitError() << "input '" << name << "' is an optional sequence: SequenceMap "
                           << "takes sequences";
    // One element's type: the body input's declared type, its dim_params run-time dims.
    auto type = valueInfoType(g.input(i), /*isInput=*/false, c.loc);
    if (failed(type))
      return failure();
    auto rt = dyn_cast<RankedTensorType>(*type);
    if (!rt)
      return c.emitError() << "body input '" << g.input(i).name()
                           << "' has no shape: the rank of the tensors of sequence '" << name
                           << "' must be known (declare it in the body's input)";
    if (rt.getElementType() != cast<ShapedType>(arg.getType()).getElementType())
      return c.emitError() << "body input '" << g.input(i).name() << "' is " << rt
                           << " but sequence '" << name << "' holds "
                           << cast<ShapedType>(arg.getType()).getElementType();
    if (mainFunc.getArgAttr(k, "onnx.sequence_map") && arg.getType() != rt)
      return c.emitError() << "maps sequence '" << name << "' as " << rt << " and as "
                           << arg.getType();
    arg.setType(rt);
    SmallVector<Attribute> params;
    for (const auto &d : g.input(i).type().tensor_type().shape().dim())
      params.push_back(b.getStringAttr(d.has_dim_param() ? d.dim_param() : ""));
    mainFunc.setArgAttr(k, "onnx.dim_params", b.getArrayAttr(params));
    mainFunc.setArgAttr(k, "onnx.sequence_map", b.getUnitAttr());
    bound.push_back(arg);
  }
  auto outs = importBody(bound, "");
  if (failed(outs))
    return failure();
  hasSequenceMap = true;
  for (int i = 0; i < node.output_size(); ++i) {
    if (node.output(i).empty())
      continue;
    SequenceValue s;
    s.mapped = (*outs)[i];
    s.elementType = cast<ShapedType>((*outs)[i].getType()).getElementType();
    sequences[node.output(i)] = std::move(s);
  }
  return success();
}

LogicalResult GraphImporter::importLoopAsSequenceMap(NodeContext &c) {
  const auto &node = c.node;
  std::string lengthOf = sequenceLengths.lookup(node.input(0));
  auto body = graphAttr(c, "body");
  if (failed(body))
    return failure();
  const ::onnx::GraphProto &g = **body;
  auto refuse = [&](const Twine &why) {
    return c.emitError() << "its trip count is the length of sequence input '" << lengthOf
                         << "', known only at run time: only a Loop that maps sequences "
                            "(SequenceMap's expansion) may have it, and " << why;
  };
  int numCarried = node.input_size() - 2;
  if (numCarried < 1 || g.input_size() != 2 + numCarried ||
      g.output_size() != 1 + numCarried || node.output_size() != numCarried)
    return refuse("this Loop does not carry only sequences (or has scan outputs)");
  // The condition: absent or a constant true, and the body passes it on unchanged.
  if (node.input(1).size()) {
    DenseIntElementsAttr cond;
    Value v = values.lookup(node.input(1));
    if (!v || !matchPattern(v, m_Constant(&cond)) || cond.getNumElements() != 1 ||
        (*cond.begin()).isZero())
      return refuse("its condition is not a constant true");
  }
  for (int j = 0; j < numCarried; ++j) {
    auto it = sequences.find(node.input(2 + j));
    if (it == sequences.end() || it->second.runtime || !it->second.elements.empty())
      return refuse("loop-carried value '" + node.input(2 + j) + "' is not an empty sequence");
  }
  const std::string &iter = g.input(0).name(), &condIn = g.input(1).name();
  // The body's nodes: SequenceAt(x, iter) reads element iter of a sequence input x, each
  // carried sequence gets one SequenceInsert(acc, y) at its end, the condition passes through
  // Identity; everything else is the map's body.
  ::onnx::NodeProto map;
  map.set_op_type("SequenceMap");
  map.set_name(node.name());
  ::onnx::GraphProto *mapBody = nullptr;
  {
    auto *a = map.add_attribute();
    a->set_name("body");
    a->set_type(::onnx::AttributeProto::GRAPH);
    mapBody = a->mutable_g();
  }
  mapBody->set_name(g.name());
  llvm::StringMap<std::string> inserted; // acc_in name -> tensor inserted
  bool lengthMapped = false;
  for (const auto &n : g.node()) {
    if (n.op_type() == "SequenceAt" && n.input_size() == 2 && n.input(1) == iter &&
        sequences.count(n.input(0))) {
      const SequenceValue &s = sequences.find(n.input(0))->second;
      if (!s.runtime || s.runtime->input < 0 || !s.runtime->edits.empty())
        return refuse("SequenceAt reads '" + n.input(0) + "', which is no sequence input");
      // One element: typed as the sequence input's tensors are declared.
      const ::onnx::ValueInfoProto *declared = nullptr;
      for (const auto &gi : model.graph().input())
        if (gi.name() == n.input(0))
          declared = &gi;
      auto *in = mapBody->add_input();
      in->set_name(n.output(0));
      if (declared) {
        const auto &st = declared->type().has_optional_type()
                             ? declared->type().optional_type().elem_type()
                             : declared->type();
        if (st.has_sequence_type())
          *in->mutable_type() = st.sequence_type().elem_type();
      }
      map.add_input(n.input(0));
      lengthMapped |= n.input(0) == lengthOf;
      continue;
    }
    if (n.op_type() == "SequenceInsert" && n.input_size() == 2) {
      inserted[n.input(0)] = n.input(1);
      continue;
    }
    if (n.op_type() == "Identity" && n.input_size() == 1 && n.input(0) == condIn &&
        n.output(0) == g.output(0).name())
      continue;
    for (const auto &in : n.input())
      if (in == iter || in == condIn)
        return refuse("its body reads the iteration number or the condition otherwise than "
                      "through SequenceAt");
    *mapBody->add_node() = n;
  }
  if (g.output(0).name() != condIn &&
      llvm::none_of(g.node(), [&](const ::onnx::NodeProto &n) {
        return n.op_type() == "Identity" && n.input_size() == 1 && n.input(0) == condIn &&
               n.output(0) == g.output(0).name();
      }))
    return refuse("its body changes the condition");
  if (!lengthMapped)
    return refuse("its body does not read sequence '" + lengthOf + "' with SequenceAt");
  for (int j = 0; j < numCarried; ++j) {
    const std::string &acc = g.input(2 + j).name();
    auto it = inserted.find(acc);
    bool insertOut = false;
    for (const auto &n : g.node())
      insertOut |= n.op_type() == "SequenceInsert" && n.input_size() == 2 &&
                   n.input(0) == acc && n.output(0) == g.output(1 + j).name();
    if (it == inserted.end() || !insertOut)
      return refuse("loop-carried sequence '" + acc + "' is not extended by one "
                    "SequenceInsert at its end per iteration");
    mapBody->add_output()->set_name(it->second);
    map.add_output(node.output(j));
  }
  NodeContext mc(b, c.loc, map, c.opset, {}, {});
  return importSequenceMap(mc);
}

} // namespace onnxc

// Gradient (domain ai.onnx.preview.training): dY/dX for the tensors named by `xs`, Y named by
// `y`, computed at import by reverse-mode differentiation of the nodes between them.
//
// The differentiated sub-graph is the nodes of the Gradient node's own graph that Y depends
// on, walking back from Y and stopping at the names in `xs` and `zs` (the sub-graph's
// inputs); every other name it reads is a constant of the differentiation. The Gradient
// node's inputs are the values fed for xs then zs: where one is not the graph's own value of
// that name, the sub-graph is evaluated again on the fed values. The backward pass seeds Y's
// adjoint with ones of Y's shape and visits the sub-graph's nodes in reverse topological
// order, each node turning its output's adjoint into its inputs' with the rule of its op;
// adjoints of a name used several times add up. Numpy broadcasting in the forward op is undone
// by summing the adjoint over the broadcast dims (unbroadcast). An X that Y does not depend on
// gets zeros.
//
// Shapes must be static (the adjoints' reductions and reshapes are planned at import), element
// types floating point. A node on the path whose op has no rule here is refused with a
// diagnostic naming the Gradient node and that node.
#include "compiler/import/ConverterUtils.h"
#include "compiler/import/GraphImporter.h"

#include "llvm/ADT/StringExtras.h"

#include <onnx/onnx-ml.pb.h>

using namespace mlir;

namespace onnxc {

static constexpr StringLiteral kDifferentiable =
    "Add, Sub, Mul, Div, Neg, Identity, Relu, Exp, Log, Sqrt, Sigmoid, Tanh, MatMul";

static bool isDifferentiable(const ::onnx::NodeProto &n) {
  if (!n.domain().empty() && n.domain() != "ai.onnx")
    return false;
  return llvm::is_contained({"Add", "Sub", "Mul", "Div", "Neg", "Identity", "Relu", "Exp", "Log",
                             "Sqrt", "Sigmoid", "Tanh", "MatMul"},
                            n.op_type());
}

namespace {
/// Builds the backward pass's ops (at the Gradient node's location).
struct Adjoints {
  NodeContext &c;
  Decomposer d;
  explicit Adjoints(NodeContext &c) : c(c), d(c) {}

  static ArrayRef<int64_t> shapeOf(Value v) {
    return cast<RankedTensorType>(v.getType()).getShape();
  }
  Value splat(RankedTensorType t, double value) {
    auto ft = cast<FloatType>(t.getElementType());
    auto attr = DenseElementsAttr::get(t, c.b.getFloatAttr(ft, value));
    return onnx::ConstantOp::create(c.b, c.loc, t, cast<ElementsAttr>(attr));
  }
  Value reshapeTo(Value x, ArrayRef<int64_t> shape) {
    if (!x || shapeOf(x) == shape)
      return x;
    return d.reshape(x, shape);
  }
  /// `g`, the adjoint of a broadcast result, summed over the dims that broadcasting added
  /// or stretched so that it has `shape` (numpy's rules, right-aligned).
  Value unbroadcast(Value g, ArrayRef<int64_t> shape) {
    if (!g)
      return g;
    ArrayRef<int64_t> gs = shapeOf(g);
    int64_t lead = static_cast<int64_t>(gs.size()) - static_cast<int64_t>(shape.size());
    SmallVector<int64_t> axes;
    for (int64_t i = 0; i < static_cast<int64_t>(gs.size()); ++i)
      if (i < lead || (shape[i - lead] == 1 && gs[i] != 1))
        axes.push_back(i);
    if (!axes.empty())
      g = d.op("ReduceSum", g,
               {c.b.getNamedAttr("axes", c.b.getDenseI64ArrayAttr(axes)),
                c.b.getNamedAttr("keepdims", c.b.getI64IntegerAttr(1)),
                c.b.getNamedAttr("noop_with_empty_axes", c.b.getI64IntegerAttr(0))});
    return reshapeTo(g, shape);
  }
  Value transposeLast2(Value x) {
    int64_t rank = static_cast<int64_t>(shapeOf(x).size());
    SmallVector<int64_t> perm = llvm::to_vector(llvm::seq<int64_t>(0, rank));
    std::swap(perm[rank - 1], perm[rank - 2]);
    return d.op("Transpose", x, {c.b.getNamedAttr("perm", c.b.getDenseI64ArrayAttr(perm))});
  }
};
} // namespace

LogicalResult GraphImporter::importGradient(NodeContext &c) {
  const ::onnx::AttributeProto *xsAttr = c.attr("xs"), *yAttr = c.attr("y");
  if (!xsAttr || xsAttr->strings_size() == 0 || !yAttr || yAttr->s().empty())
    return c.emitError() << "needs the attributes 'xs' (a non-empty list of names) and 'y'";
  SmallVector<std::string> xs(xsAttr->strings().begin(), xsAttr->strings().end());
  SmallVector<std::string> zs;
  if (const ::onnx::AttributeProto *zsAttr = c.attr("zs"))
    zs.assign(zsAttr->strings().begin(), zsAttr->strings().end());
  const std::string y = yAttr->s();
  if (c.inputs.size() != xs.size() + zs.size())
    return c.emitError() << "has " << c.inputs.size() << " inputs; it needs one per name of "
                         << "'xs' and 'zs' (" << xs.size() + zs.size() << ")";
  if (c.node.output_size() != static_cast<int>(xs.size()))
    return c.emitError() << "has " << c.node.output_size() << " outputs; it needs one per name "
                         << "of 'xs' (" << xs.size() << ")";
  // The fed values of the sub-graph's inputs.
  llvm::StringMap<Value> fed;
  for (auto [i, name] : llvm::enumerate(llvm::concat<std::string>(xs, zs))) {
    if (!c.inputs[i])
      return c.emitError() << "input " << i << " (the value of '" << name << "') is missing";
    if (!fed.try_emplace(name, c.inputs[i]).second)
      return c.emitError() << "'" << name << "' is named twice in 'xs' and 'zs'";
  }
  auto what = [&] { return "cannot differentiate '" + y + "'"; };
  if (!currentGraph)
    return c.emitError() << what() << ": no graph to differentiate";
  const ::onnx::GraphProto &graph = *currentGraph;

  // The sub-graph: nodes Y depends on, found walking back from Y, in topological order
  // (post-order of the walk); `dependsOnX` marks names that depend on some X.
  llvm::StringMap<int> producer;
  for (int i = 0; i < graph.node_size(); ++i)
    for (const auto &out : graph.node(i).output())
      if (!out.empty())
        producer[out] = i;
  SmallVector<int> order;
  llvm::DenseMap<int, int> state; // 1: visiting, 2: done.
  llvm::StringSet<> dependsOnX;
  for (const auto &x : xs)
    dependsOnX.insert(x);
  std::function<LogicalResult(const std::string &)> visit =
      [&](const std::string &name) -> LogicalResult {
    if (fed.count(name))
      return success();
    auto it = producer.find(name);
    if (it == producer.end())
      return success(); // A graph input, initializer or outer value: a constant here.
    int n = it->second;
    if (state[n] == 2)
      return success();
    if (state[n] == 1)
      return c.emitError() << what() << ": the graph has a cycle through '" << name << "'";
    state[n] = 1;
    for (const auto &in : graph.node(n).input())
      if (!in.empty() && failed(visit(in)))
        return failure();
    state[n] = 2;
    order.push_back(n);
    for (const auto &in : graph.node(n).input())
      if (dependsOnX.contains(in))
        for (const auto &out : graph.node(n).output())
          dependsOnX.insert(out);
    return success();
  };
  if (failed(visit(y)))
    return failure();
  if (!fed.count(y) && !producer.count(y) && !values.lookup(y))
    return c.emitError() << what() << ": no tensor of that name is visible";

  // Every node between an X and Y needs a derivative rule; check them all first, so the
  // diagnostic lists each one.
  bool refused = false;
  for (int n : order) {
    const ::onnx::NodeProto &node = graph.node(n);
    if (!dependsOnX.contains(node.output(0)))
      continue;
    if (!isDifferentiable(node) || node.output_size() != 1) {
      if (!refused)
        c.emitError() << what() << " with respect to '" << llvm::join(xs, "', '")
                      << "': " << nodeDescription(node, n) << " is on the path and its operator "
                      << node.op_type() << " has no derivative rule (supported: "
                      << kDifferentiable << ")";
      refused = true;
    }
  }
  if (refused)
    return failure();

  // Forward: the graph's own values, or the sub-graph evaluated again where a fed value
  // differs from the graph's.
  llvm::StringMap<Value> fwd;
  auto valueOf = [&](const std::string &name) -> Value {
    if (Value v = fed.lookup(name))
      return v;
    if (Value v = fwd.lookup(name))
      return v;
    return values.lookup(name);
  };
  for (int n : order) {
    const ::onnx::NodeProto &node = graph.node(n);
    SmallVector<Value> ins;
    bool same = true;
    for (const auto &in : node.input()) {
      ins.push_back(in.empty() ? Value() : valueOf(in));
      if (!in.empty() && ins.back() != values.lookup(in))
        same = false;
      if (!in.empty() && !ins.back())
        return c.emitError() << what() << ": " << nodeDescription(node, n) << " reads '" << in
                             << "', which is not a tensor known here";
    }
    bool haveAll = llvm::all_of(node.output(), [&](const std::string &o) {
      return o.empty() || values.lookup(o);
    });
    if (same && haveAll)
      continue; // Already imported with these inputs.
    const Converter *convert = findConverter(node.domain(), node.op_type());
    if (!convert)
      return c.emitError() << what() << ": " << nodeDescription(node, n)
                           << " cannot be evaluated again on the fed values";
    SmallVector<Type> types(node.output_size(), Type());
    NodeContext nc(b, c.loc, node, opsetOf(node), std::move(ins), std::move(types));
    auto outs = (*convert)(nc);
    if (failed(outs))
      return failure();
    for (auto [i, v] : llvm::enumerate(*outs))
      if (static_cast<int>(i) < node.output_size())
        fwd[node.output(i)] = v;
  }

  // Every value the backward pass touches needs a static float type.
  auto checkType = [&](const std::string &name, Value v) -> LogicalResult {
    auto t = dyn_cast<RankedTensorType>(v.getType());
    if (!t || !t.hasStaticShape() || !isa<FloatType>(t.getElementType()))
      return c.emitError() << what() << ": '" << name << "' has type " << v.getType()
                           << "; differentiation needs floating-point tensors of static shape";
    return success();
  };
  Value yv = valueOf(y);
  if (!yv)
    return c.emitError() << what() << ": no tensor of that name is visible";
  if (failed(checkType(y, yv)))
    return failure();
  for (const auto &x : xs)
    if (failed(checkType(x, fed.lookup(x))))
      return failure();
  for (int n : order) {
    const ::onnx::NodeProto &node = graph.node(n);
    if (!dependsOnX.contains(node.output(0)))
      continue;
    for (const auto &name : llvm::concat<const std::string>(node.input(), node.output()))
      if (!name.empty() && failed(checkType(name, valueOf(name))))
        return failure();
    if (opsetOf(node) < 7 && node.op_type() != "MatMul" && node.op_type() != "Neg") {
      // Legacy broadcasting aligned at `axis` is not numpy's: refuse rather than guess.
      for (const auto &a : node.attribute())
        if (a.name() == "axis")
          return c.emitError() << what() << ": " << nodeDescription(node, n)
                               << " broadcasts with a legacy 'axis', which differentiation "
                                  "does not support";
    }
  }

  Adjoints a(c);
  Decomposer &d = a.d;
  llvm::StringMap<Value> adj;
  auto accumulate = [&](const std::string &name, Value g) {
    if (!dependsOnX.contains(name) || !g)
      return;
    Value &slot = adj[name];
    slot = slot ? d.op("Add", {slot, g}) : g;
  };
  adj[y] = a.splat(cast<RankedTensorType>(yv.getType()), 1.0);
  for (int n : llvm::reverse(order)) {
    const ::onnx::NodeProto &node = graph.node(n);
    const std::string &out = node.output(0);
    if (!dependsOnX.contains(out))
      continue;
    Value g = adj.lookup(out);
    if (!g)
      continue; // Reaches Y only through names that are fed (zs): no adjoint flows back.
    StringRef op = node.op_type();
    Value z = valueOf(out);
    Value x0 = valueOf(node.input(0));
    Value x1 = node.input_size() > 1 ? valueOf(node.input(1)) : Value();
    auto in = [&](int i) -> const std::string & { return node.input(i); };
    auto to0 = [&](Value v) { accumulate(in(0), a.unbroadcast(v, a.shapeOf(x0))); };
    auto to1 = [&](Value v) { accumulate(in(1), a.unbroadcast(v, a.shapeOf(x1))); };
    if ((op == "Add" || op == "Sub" || op == "Mul" || op == "Div" || op == "MatMul") &&
        node.input_size() != 2)
      return c.emitError() << what() << ": " << nodeDescription(node, n) << " needs 2 inputs";
    if (op == "Add") {
      to0(g);
      to1(g);
    } else if (op == "Sub") {
      to0(g);
      to1(d.op("Neg", g));
    } else if (op == "Mul") {
      to0(d.op("Mul", {g, x1}));
      to1(d.op("Mul", {g, x0}));
    } else if (op == "Div") {
      // z = a / b: dz/da = 1 / b, dz/db = -a / b^2 = -z / b.
      to0(d.op("Div", {g, x1}));
      to1(d.op("Neg", d.op("Div", {d.op("Mul", {g, z}), x1})));
    } else if (op == "Neg") {
      accumulate(in(0), d.op("Neg", g));
    } else if (op == "Identity") {
      accumulate(in(0), g);
    } else if (op == "Relu") {
      Value positive = d.op("Greater", {x0, d.scalar(x0, 0.0)});
      accumulate(in(0), d.op("Where", {positive, g, d.scalar(g, 0.0)}));
    } else if (op == "Exp") {
      accumulate(in(0), d.op("Mul", {g, z}));
    } else if (op == "Log") {
      accumulate(in(0), d.op("Div", {g, x0}));
    } else if (op == "Sqrt") {
      // dz/dx = 1 / (2 sqrt(x)) = 0.5 / z.
      accumulate(in(0), d.op("Div", {d.op("Mul", {g, d.scalar(g, 0.5)}), z}));
    } else if (op == "Sigmoid") {
      accumulate(in(0), d.op("Mul", {g, d.op("Mul", {z, d.op("Sub", {d.scalar(z, 1.0), z})})}));
    } else if (op == "Tanh") {
      accumulate(in(0), d.op("Mul", {g, d.op("Sub", {d.scalar(z, 1.0), d.op("Mul", {z, z})})}));
    } else if (op == "MatMul") {
      // numpy matmul: a 1-D operand is a row (A) or column (B) matrix whose added dim the
      // result drops. Work on the 2-D-or-more forms, then give the adjoints the operands'
      // shapes back.
      SmallVector<int64_t> as(a.shapeOf(x0)), bs(a.shapeOf(x1)), gs(a.shapeOf(g));
      if (as.size() == 1) {
        as.insert(as.begin(), 1);
        gs.insert(gs.end() - (bs.size() == 1 ? 0 : 1), 1);
      }
      if (bs.size() == 1) {
        bs.push_back(1);
        gs.push_back(1);
      }
      Value am = a.reshapeTo(x0, as), bm = a.reshapeTo(x1, bs), gm = a.reshapeTo(g, gs);
      Value ga = d.op("MatMul", {gm, a.transposeLast2(bm)});
      Value gb = d.op("MatMul", {a.transposeLast2(am), gm});
      if (ga)
        accumulate(in(0), a.reshapeTo(a.unbroadcast(ga, as), a.shapeOf(x0)));
      if (gb)
        accumulate(in(1), a.reshapeTo(a.unbroadcast(gb, bs), a.shapeOf(x1)));
    }
    if (d.failedAny)
      return failure();
  }

  SmallVector<Value> outs;
  for (const auto &x : xs) {
    Value g = adj.lookup(x);
    outs.push_back(g ? g : a.splat(cast<RankedTensorType>(fed.lookup(x).getType()), 0.0));
  }
  if (d.failedAny)
    return failure();
  bindOutputs(c, outs);
  return success();
}

} // namespace onnxc

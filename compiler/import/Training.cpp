// Training-mode ops whose results are deterministic: the optimizers' update rules of the
// ai.onnx.preview.training domain (Adagrad, Adam, Momentum), BatchNormalization with
// training_mode=1, and training Dropout whose ratio is 0. Each is rewritten at import into
// the dialect's elementwise ops and reductions (already lowered and fused), following the
// formulas of the ONNX operator documents. Random-mask Dropout is refused: its result is not
// a function of its inputs.
#include "compiler/import/ConverterUtils.h"

#include "mlir/IR/Matchers.h"

#include <onnx/onnx-ml.pb.h>

using namespace mlir;

namespace onnxc {

namespace {
/// The optimizers' shared front: R, T, then `groups` lists of n tensors (X, G, and the
/// state tensors), with float element types and X's shape in every group.
struct OptimizerInputs {
  Value r, t;
  int64_t n = 0;
  SmallVector<SmallVector<Value>> groups; // groups[k][i]: the k-th list's i-th tensor.
};
} // namespace

static FailureOr<OptimizerInputs> optimizerInputs(NodeContext &c, int groups) {
  OptimizerInputs in;
  int64_t tensors = static_cast<int64_t>(c.inputs.size()) - 2;
  if (tensors <= 0 || tensors % groups != 0)
    return c.emitError() << "needs R, T and " << groups << " lists of the same length, got "
                         << c.inputs.size() << " inputs";
  if (c.node.output_size() != tensors / groups * (groups - 1))
    return c.emitError() << "needs " << tensors / groups * (groups - 1) << " outputs, got "
                         << c.node.output_size();
  in.n = tensors / groups;
  in.r = c.input(0);
  in.t = c.input(1);
  for (auto [i, v] : llvm::enumerate(c.inputs))
    if (!v)
      return c.emitError() << "input " << i << " is missing";
  auto scalarOf = [&](Value v, StringRef name) -> LogicalResult {
    auto t = dyn_cast<RankedTensorType>(v.getType());
    if (!t || t.getNumElements() != 1)
      return c.emitError() << "'" << name << "' must be a scalar, got " << v.getType();
    return success();
  };
  if (failed(scalarOf(in.r, "R")) || failed(scalarOf(in.t, "T")))
    return failure();
  if (!isa<FloatType>(cast<ShapedType>(in.r.getType()).getElementType()) ||
      !cast<ShapedType>(in.t.getType()).getElementType().isInteger(64))
    return c.emitError() << "'R' must be a float scalar and 'T' an int64 scalar";
  in.groups.resize(groups);
  for (int k = 0; k < groups; ++k)
    for (int64_t i = 0; i < in.n; ++i) {
      Value v = c.input(2 + k * in.n + i);
      Value x = c.input(2 + i);
      auto xt = dyn_cast<RankedTensorType>(x.getType());
      auto vt = dyn_cast<RankedTensorType>(v.getType());
      if (!xt || !vt || !isa<FloatType>(vt.getElementType()) || vt != xt)
        return c.emitError() << "input " << 2 + k * in.n + i << " must be a ranked float "
                             << "tensor of type " << x.getType()
                             << " (that of the tensor it updates), got " << v.getType();
      in.groups[k].push_back(v);
    }
  return in;
}

/// R and T as scalars of `et` (T counts updates; the formulas use it as a real number).
static std::pair<Value, Value> rateAndCount(Decomposer &d, const OptimizerInputs &in, Type et) {
  Value r = d.reshape(d.castTo(in.r, et), {});
  Value t = d.reshape(d.castTo(in.t, et), {});
  return {r, t};
}

/// Adagrad (epsilon defaults to 1e-6, as in the schema): r = R / (1 + T * decay_factor);
/// G' = norm_coefficient * X + G; H_new = H + G' * G'; X_new = X - r * G' / (sqrt(H_new) +
/// epsilon).
static Result convertAdagrad(NodeContext &c) {
  auto decay = c.floatAttr("decay_factor", 0.f);
  auto eps = c.floatAttr("epsilon", 1e-6f);
  auto norm = c.floatAttr("norm_coefficient", 0.f);
  if (failed(decay) || failed(eps) || failed(norm))
    return failure();
  auto in = optimizerInputs(c, 3);
  if (failed(in))
    return failure();
  Decomposer d(c);
  SmallVector<Value> xs, hs;
  for (int64_t i = 0; i < in->n; ++i) {
    Value x = in->groups[0][i], g = in->groups[1][i], h = in->groups[2][i];
    auto [r, t] = rateAndCount(d, *in, cast<ShapedType>(x.getType()).getElementType());
    Value rate =
        d.op("Div", {r, d.op("Add", {d.scalar(t, 1.0), d.op("Mul", {t, d.scalar(t, *decay)})})});
    Value gr = d.op("Add", {d.op("Mul", {d.scalar(x, *norm), x}), g});
    Value hNew = d.op("Add", {h, d.op("Mul", {gr, gr})});
    Value hSqrt = d.op("Add", {d.op("Sqrt", hNew), d.scalar(x, *eps)});
    xs.push_back(d.op("Sub", {x, d.op("Div", {d.op("Mul", {rate, gr}), hSqrt})}));
    hs.push_back(hNew);
  }
  xs.append(hs);
  return d.done(xs);
}

/// Adam (epsilon defaults to 1e-6): G' = norm_coefficient * X + G;
/// V_new = alpha * V + (1 - alpha) * G'; H_new = beta * H + (1 - beta) * G'^2; R' = T > 0 ? R *
/// sqrt(1 - beta^T) / (1 - alpha^T) : R; X_new = (1 - norm_coefficient_post) * (X - R' * V_new /
/// (sqrt(H_new) + epsilon)).
static Result convertAdam(NodeContext &c) {
  auto alpha = c.floatAttr("alpha", 0.9f);
  auto beta = c.floatAttr("beta", 0.999f);
  auto eps = c.floatAttr("epsilon", 1e-6f);
  auto norm = c.floatAttr("norm_coefficient", 0.f);
  auto post = c.floatAttr("norm_coefficient_post", 0.f);
  if (failed(alpha) || failed(beta) || failed(eps) || failed(norm) || failed(post))
    return failure();
  auto in = optimizerInputs(c, 4);
  if (failed(in))
    return failure();
  Decomposer d(c);
  SmallVector<Value> xs, vs, hs;
  for (int64_t i = 0; i < in->n; ++i) {
    Value x = in->groups[0][i], g = in->groups[1][i], v = in->groups[2][i], h = in->groups[3][i];
    auto [r, t] = rateAndCount(d, *in, cast<ShapedType>(x.getType()).getElementType());
    Value gr = d.op("Add", {d.op("Mul", {d.scalar(x, *norm), x}), g});
    Value vNew = d.op("Add", {d.op("Mul", {d.scalar(x, *alpha), v}),
                              d.op("Mul", {d.scalar(x, 1.0 - double(*alpha)), gr})});
    Value hNew =
        d.op("Add", {d.op("Mul", {d.scalar(x, *beta), h}),
                     d.op("Mul", {d.scalar(x, 1.0 - double(*beta)), d.op("Mul", {gr, gr})})});
    Value hSqrt = d.op("Add", {d.op("Sqrt", hNew), d.scalar(x, *eps)});
    Value one = d.scalar(t, 1.0);
    Value alphaT = d.op("Pow", {d.scalar(t, *alpha), t});
    Value betaT = d.op("Pow", {d.scalar(t, *beta), t});
    Value adjusted = d.op("Div", {d.op("Mul", {r, d.op("Sqrt", d.op("Sub", {one, betaT}))}),
                                  d.op("Sub", {one, alphaT})});
    Value rate = d.op("Where", {d.op("Greater", {t, d.scalar(t, 0.0)}), adjusted, r});
    Value xNew = d.op("Sub", {x, d.op("Mul", {rate, d.op("Div", {vNew, hSqrt})})});
    xs.push_back(d.op("Mul", {d.scalar(x, 1.0 - double(*post)), xNew}));
    vs.push_back(vNew);
    hs.push_back(hNew);
  }
  xs.append(vs);
  xs.append(hs);
  return d.done(xs);
}

/// Momentum: G' = norm_coefficient * X + G; V_new = alpha * V + (T > 0 ? beta : 1) * G';
/// X_new = X - R * V_new (standard) or X - R * (G' + alpha * V_new) (nesterov).
static Result convertMomentum(NodeContext &c) {
  for (StringRef name : {"alpha", "beta", "norm_coefficient", "mode"})
    if (!c.attr(name))
      return c.emitError() << "attribute '" << name << "' is required";
  auto alpha = c.floatAttr("alpha", 0.f);
  auto beta = c.floatAttr("beta", 0.f);
  auto norm = c.floatAttr("norm_coefficient", 0.f);
  if (failed(alpha) || failed(beta) || failed(norm))
    return failure();
  const std::string &mode = c.attr("mode")->s();
  if (mode != "standard" && mode != "nesterov")
    return c.emitError() << "mode '" << mode << "' is not 'standard' or 'nesterov'";
  auto in = optimizerInputs(c, 3);
  if (failed(in))
    return failure();
  Decomposer d(c);
  SmallVector<Value> xs, vs;
  for (int64_t i = 0; i < in->n; ++i) {
    Value x = in->groups[0][i], g = in->groups[1][i], v = in->groups[2][i];
    auto [r, t] = rateAndCount(d, *in, cast<ShapedType>(x.getType()).getElementType());
    Value gr = d.op("Add", {d.op("Mul", {d.scalar(x, *norm), x}), g});
    Value betaAdj = d.op(
        "Where", {d.op("Greater", {t, d.scalar(t, 0.0)}), d.scalar(t, *beta), d.scalar(t, 1.0)});
    Value vNew = d.op("Add", {d.op("Mul", {d.scalar(x, *alpha), v}), d.op("Mul", {betaAdj, gr})});
    Value step =
        mode == "standard" ? vNew : d.op("Add", {gr, d.op("Mul", {d.scalar(x, *alpha), vNew})});
    xs.push_back(d.op("Sub", {x, d.op("Mul", {r, step})}));
    vs.push_back(vNew);
  }
  xs.append(vs);
  return d.done(xs);
}

/// BatchNormalization with training_mode=1 (opset 14+): normalizes with the batch's own
/// statistics (mean and population variance over every axis but the channel axis 1) and
/// returns the running statistics updated with `momentum`:
/// running = input_running * momentum + batch * (1 - momentum).
Result convertBatchNormTraining(NodeContext &c) {
  if (c.opset < 14)
    return c.emitError() << "training_mode needs opset 14 or newer, the model has opset "
                         << c.opset;
  auto xt = staticInput(c, 0);
  auto eps = c.floatAttr("epsilon", 1e-5f);
  auto momentum = c.floatAttr("momentum", 0.9f);
  if (failed(xt) || failed(eps) || failed(momentum))
    return failure();
  if (c.node.output_size() > 3)
    return c.emitError() << "has " << c.node.output_size() << " outputs; opset " << c.opset
                         << " defines at most 3";
  if (xt->getRank() < 2)
    return c.emitError() << "input 'X' must have rank 2 or more, got " << *xt;
  for (int i = 1; i < 5; ++i)
    if (!c.input(i))
      return c.emitError() << "needs 5 inputs";
  int64_t channels = xt->getDimSize(1);
  SmallVector<int64_t> axes{0};
  for (int64_t i = 2; i < xt->getRank(); ++i)
    axes.push_back(i);
  Decomposer d(c);
  Value x = c.input(0);
  Value mean = d.reduce("ReduceMean", x, axes);
  Value dev = d.op("Sub", {x, mean});
  Value var = d.reduce("ReduceMean", d.op("Mul", {dev, dev}), axes);
  Value mean1 = d.reshape(mean, {channels}), var1 = d.reshape(var, {channels});
  // Normalizing is inference-mode BatchNormalization with the batch statistics.
  Value y = d.op("BatchNormalization", {x, c.input(1), c.input(2), mean1, var1},
                 {c.b.getNamedAttr("epsilon", c.b.getF32FloatAttr(*eps))});
  SmallVector<Value> outs{y};
  auto running = [&](Value old, Value batch) {
    Type et = cast<ShapedType>(old.getType()).getElementType();
    return d.op("Add",
                {d.op("Mul", {old, d.scalar(old, *momentum)}),
                 d.op("Mul", {d.castTo(batch, et), d.scalar(old, 1.0 - double(*momentum))})});
  };
  if (c.node.output_size() > 1)
    outs.push_back(running(c.input(3), mean1));
  if (c.node.output_size() > 2)
    outs.push_back(running(c.input(4), var1));
  return d.done(outs);
}

const llvm::StringMap<Converter> &trainingDomainConverters() {
  static const llvm::StringMap<Converter> table = [] {
    llvm::StringMap<Converter> t;
    t["Adagrad"] = convertAdagrad;
    t["Adam"] = convertAdam;
    t["Momentum"] = convertMomentum;
    return t;
  }();
  return table;
}

void addTrainingModeConverters(llvm::StringMap<Converter> &) {}

} // namespace onnxc

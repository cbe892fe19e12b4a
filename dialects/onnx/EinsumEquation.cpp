// Einsum equations: parsing, resolution against input shapes (shared by shape inference and
// the lowering, so that both read an equation the same way), and Einsum's shape inference.
#include "dialects/onnx/OnnxDialect.h"

#include "llvm/ADT/StringExtras.h"

#include <map>

using namespace mlir;
using namespace onnxc::onnx;

namespace {
/// One term of an equation: its letters, and where the ellipsis sits among them (-1: none).
struct Term {
  std::string letters;
  int64_t ellipsisAt = -1;
};
} // namespace

static LogicalResult fail(Operation *op, const Twine &msg) {
  if (op)
    op->emitError(msg);
  return failure();
}

static FailureOr<Term> parseTerm(Operation *op, StringRef text) {
  Term t;
  for (size_t i = 0; i < text.size();) {
    if (text.substr(i).starts_with("...")) {
      if (t.ellipsisAt >= 0)
        return fail(op, "einsum term '" + text + "' has more than one ellipsis");
      t.ellipsisAt = t.letters.size();
      i += 3;
      continue;
    }
    if (!llvm::isAlpha(text[i]))
      return fail(op, "einsum term '" + text + "' has an invalid character '" + text.substr(i, 1) +
                          "'");
    t.letters.push_back(text[i++]);
  }
  return t;
}

FailureOr<EinsumPlan> onnxc::onnx::planEinsum(Operation *op, StringRef equation,
                                              ArrayRef<ArrayRef<int64_t>> shapes) {
  std::string eq;
  for (char ch : equation)
    if (!llvm::isSpace(ch))
      eq.push_back(ch);
  StringRef lhs = eq, rhs;
  bool explicitOutput = false;
  if (size_t arrow = lhs.find("->"); arrow != StringRef::npos) {
    rhs = lhs.substr(arrow + 2);
    lhs = lhs.substr(0, arrow);
    explicitOutput = true;
  }
  SmallVector<StringRef> texts;
  lhs.split(texts, ',');
  if (texts.size() != shapes.size())
    return fail(op, "einsum equation '" + equation + "' has " + Twine(texts.size()) +
                        " input terms for " + Twine(shapes.size()) + " inputs");
  SmallVector<Term> terms;
  int64_t ellipsisRank = 0;
  for (auto [text, shape] : llvm::zip(texts, shapes)) {
    auto t = parseTerm(op, text);
    if (failed(t))
      return failure();
    int64_t rank = shape.size(), named = t->letters.size();
    if (t->ellipsisAt < 0 ? rank != named : rank < named)
      return fail(op, "einsum term '" + text + "' does not match an input of rank " +
                          Twine(rank));
    if (t->ellipsisAt >= 0)
      ellipsisRank = std::max(ellipsisRank, rank - named);
    terms.push_back(*t);
  }

  EinsumPlan plan;
  plan.loopSizes.assign(ellipsisRank, 1);
  std::string letterOfLoop(ellipsisRank, '.');
  std::map<char, int64_t> loopOf, uses;
  auto merge = [&](int64_t loop, int64_t size, bool mayBroadcast) -> LogicalResult {
    int64_t &known = plan.loopSizes[loop];
    if (ShapedType::isDynamic(size) || size == known)
      return success();
    if (ShapedType::isDynamic(known) || (mayBroadcast && known == 1)) {
      known = size;
      return success();
    }
    if (mayBroadcast && size == 1)
      return success();
    return fail(op, "einsum dims of '" + std::string(1, letterOfLoop[loop]) +
                        "' differ: " + Twine(known) + " and " + Twine(size));
  };
  for (auto [term, shape] : llvm::zip(terms, shapes)) {
    int64_t spread = shape.size() - term.letters.size(); // Dims the ellipsis covers.
    SmallVector<int64_t> loops;
    for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d) {
      bool inEllipsis = term.ellipsisAt >= 0 && d >= term.ellipsisAt && d < term.ellipsisAt + spread;
      if (inEllipsis) {
        int64_t loop = ellipsisRank - spread + (d - term.ellipsisAt);
        if (failed(merge(loop, shape[d], /*mayBroadcast=*/true)))
          return failure();
        loops.push_back(loop);
        continue;
      }
      char ch = term.letters[d < term.ellipsisAt || term.ellipsisAt < 0 ? d : d - spread];
      auto [it, inserted] = loopOf.try_emplace(ch, plan.loopSizes.size());
      if (inserted) {
        plan.loopSizes.push_back(shape[d]);
        letterOfLoop.push_back(ch);
      } else if (failed(merge(it->second, shape[d], /*mayBroadcast=*/false))) {
        return failure();
      }
      ++uses[ch];
      loops.push_back(it->second);
    }
    plan.inputLoops.push_back(loops);
  }
  // Ellipsis dims of size 1 that another input has larger are read at 0.
  for (auto [loops, shape] : llvm::zip(plan.inputLoops, shapes))
    for (auto [d, loop] : llvm::enumerate(loops))
      if (loop < ellipsisRank && shape[d] == 1 && plan.loopSizes[loop] != 1)
        loop = EinsumPlan::kBroadcast;

  if (!explicitOutput) {
    for (int64_t i = 0; i < ellipsisRank; ++i)
      plan.outputLoops.push_back(i);
    for (auto [ch, n] : uses) // std::map: in character order.
      if (n == 1)
        plan.outputLoops.push_back(loopOf[ch]);
    return plan;
  }
  auto out = parseTerm(op, rhs);
  if (failed(out))
    return failure();
  for (int64_t i = 0; i < static_cast<int64_t>(out->letters.size()) + 1; ++i) {
    if (i == out->ellipsisAt)
      for (int64_t e = 0; e < ellipsisRank; ++e)
        plan.outputLoops.push_back(e);
    if (i == static_cast<int64_t>(out->letters.size()))
      break;
    char ch = out->letters[i];
    auto it = loopOf.find(ch);
    if (it == loopOf.end())
      return fail(op, "einsum output letter '" + std::string(1, ch) +
                          "' is not in any input term");
    if (llvm::is_contained(plan.outputLoops, it->second))
      return fail(op, "einsum output letter '" + std::string(1, ch) + "' is repeated");
    plan.outputLoops.push_back(it->second);
  }
  return plan;
}

LogicalResult EinsumOp::inferShapes() {
  SmallVector<ArrayRef<int64_t>> shapes;
  for (Value v : getInputs()) {
    auto t = dyn_cast<RankedTensorType>(v.getType());
    if (!t)
      return success();
    shapes.push_back(t.getShape());
  }
  if (getInputs().empty())
    return emitError() << "Einsum needs at least one input";
  if (failed(verifySameElementTypes(*this)))
    return failure();
  auto plan = planEinsum(*this, getEquation(), shapes);
  if (failed(plan))
    return failure();
  SmallVector<int64_t> shape;
  for (int64_t loop : plan->outputLoops)
    shape.push_back(plan->loopSizes[loop]);
  Type et = cast<ShapedType>(getInputs()[0].getType()).getElementType();
  return refineResultType(*this, 0, RankedTensorType::get(shape, et));
}

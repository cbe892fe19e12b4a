// TfIdfVectorizer on integer tokens, rewritten at import into gathers, comparisons and one
// matrix product. For each n-gram length n in [min_gram_length, max_gram_length] and each skip
// distance (one for unigrams, 1 .. max_skip_count + 1 for longer n-grams, as in ONNX Runtime:
// unigrams are not affected by skips and are counted once), the candidate windows of the row
// are gathered with constant indices [windows, n], compared with the pool's n-grams of that
// length, and the full matches counted; the counts of every pool n-gram are then scattered to
// their output positions (ngram_indexes) and weighted per mode by a constant matrix product.
// String tokens (pool_strings) are refused: string tensors are not supported.
#include "compiler/import/ConverterUtils.h"

#include <onnx/onnx-ml.pb.h>

using namespace mlir;

namespace onnxc {

static Result convertTfIdfVectorizer(NodeContext &c) {
  auto minGram = c.intAttr("min_gram_length", -1);
  auto maxGram = c.intAttr("max_gram_length", -1);
  auto maxSkip = c.intAttr("max_skip_count", -1);
  if (failed(minGram) || failed(maxGram) || failed(maxSkip) || failed(onlyOutputs(c, 1)))
    return failure();
  if (c.attr("pool_strings"))
    return c.emitError() << "'pool_strings' needs string tensors, which are not supported";
  const auto *mode = c.attr("mode");
  const auto *pool = c.attr("pool_int64s");
  const auto *counts = c.attr("ngram_counts");
  const auto *indexes = c.attr("ngram_indexes");
  if (!mode || !pool || !counts || !indexes || *minGram < 1 || *maxGram < *minGram || *maxSkip < 0)
    return c.emitError() << "needs 'mode', 'pool_int64s', 'ngram_counts', 'ngram_indexes' and "
                            "1 <= min_gram_length <= max_gram_length, max_skip_count >= 0";
  StringRef modeName = mode->s();
  if (modeName != "TF" && modeName != "IDF" && modeName != "TFIDF")
    return c.emitError() << "mode '" << modeName << "' is not TF, IDF or TFIDF";
  Value x = c.input(0);
  auto xt = x ? dyn_cast<RankedTensorType>(x.getType()) : RankedTensorType();
  if (!xt || !xt.hasStaticShape() || xt.getRank() < 1 || xt.getRank() > 2 ||
      !isa<IntegerType>(xt.getElementType()))
    return c.emitError() << "input must be a 1-D or 2-D integer tensor of static shape, got "
                         << (x ? x.getType() : Type());
  int64_t poolSize = pool->ints_size();
  int64_t numGrams = 0; // Pool n-grams, in pool order; their length follows ngram_counts.
  SmallVector<int64_t> gramStart, gramLen;
  for (int64_t n = 1; n <= counts->ints_size(); ++n) {
    int64_t begin = counts->ints(n - 1);
    int64_t end = n < counts->ints_size() ? counts->ints(n) : poolSize;
    if (begin < 0 || end < begin || end > poolSize || (end - begin) % n != 0)
      return c.emitError() << "'ngram_counts' does not split 'pool_int64s' into " << n << "-grams";
    for (int64_t at = begin; at < end; at += n) {
      gramStart.push_back(at);
      gramLen.push_back(n);
    }
  }
  numGrams = static_cast<int64_t>(gramStart.size());
  if (indexes->ints_size() != numGrams)
    return c.emitError() << "'ngram_indexes' has " << indexes->ints_size() << " entries for "
                         << numGrams << " n-grams in the pool";
  int64_t outSize = 0;
  for (int64_t i : indexes->ints()) {
    if (i < 0)
      return c.emitError() << "'ngram_indexes' has a negative entry";
    outSize = std::max(outSize, i + 1);
  }
  const auto *weightsAttr = c.attr("weights");
  if (weightsAttr && weightsAttr->floats_size() != numGrams)
    return c.emitError() << "'weights' has " << weightsAttr->floats_size() << " entries for "
                         << numGrams << " n-grams";
  if (!withinGeneratedLimit({numGrams, outSize}))
    return c.emitError() << "'ngram_indexes' reaches " << outSize << ": too large an output";
  int64_t rows = xt.getRank() == 2 ? xt.getDimSize(0) : 1;
  int64_t len = xt.getDimSize(xt.getRank() - 1);
  if (!withinGeneratedLimit({rows, len}))
    return c.emitError() << "input " << xt << " is too large to vectorize at compile time";
  Type f32 = c.b.getF32Type(), i64 = c.b.getI64Type();
  Decomposer d(c);
  Value tokens = d.reshape(d.castTo(x, i64), {rows, len});
  // counts[rows, numGrams]: one column per pool n-gram, in pool order.
  SmallVector<Value> countParts;
  SmallVector<int64_t> partGrams; // Pool n-grams (in order) each part covers.
  for (int64_t n = 1; n <= counts->ints_size(); ++n) {
    SmallVector<int64_t> grams;
    for (int64_t g = 0; g < numGrams; ++g)
      if (gramLen[g] == n)
        grams.push_back(g);
    if (grams.empty())
      continue;
    int64_t g = static_cast<int64_t>(grams.size());
    // Windows: unigrams once, longer n-grams at every distance; distances past the row give
    // none. Count them first so that a huge row or skip count is refused before any table.
    int64_t windows = 0, lastSkip = 0;
    if (n >= *minGram && n <= *maxGram) {
      lastSkip = n == 1 ? 1 : std::min(*maxSkip + 1, std::max<int64_t>(len, 1));
      for (int64_t dist = 1; dist <= lastSkip; ++dist)
        windows += std::max<int64_t>(0, len - (n - 1) * dist);
    }
    if (!withinGeneratedLimit({windows, n}) || !withinGeneratedLimit({rows, windows, g, n}))
      return c.emitError() << "matching " << g << " " << n << "-grams in " << windows
                           << " windows needs too large a comparison";
    SmallVector<int64_t> idx;
    for (int64_t dist = 1; dist <= lastSkip; ++dist)
      for (int64_t s = 0; s + (n - 1) * dist < len; ++s)
        for (int64_t j = 0; j < n; ++j)
          idx.push_back(s + j * dist);
    if (windows == 0) {
      countParts.push_back(c.constScalar(f32, 0.0));
      countParts.back() = d.op("Expand", {countParts.back(), c.constI64({rows, g})});
    } else {
      auto idxType = RankedTensorType::get({windows, n}, i64);
      Value idxV = onnx::ConstantOp::create(
          c.b, c.loc, idxType, cast<ElementsAttr>(DenseIntElementsAttr::get(idxType, idx)));
      SmallVector<int64_t> poolVals;
      for (int64_t gi : grams)
        for (int64_t j = 0; j < n; ++j)
          poolVals.push_back(pool->ints(gramStart[gi] + j));
      auto poolType = RankedTensorType::get({1, 1, g, n}, i64);
      Value poolV = onnx::ConstantOp::create(
          c.b, c.loc, poolType, cast<ElementsAttr>(DenseIntElementsAttr::get(poolType, poolVals)));
      // [rows, windows, n] -> [rows, windows, 1, n] == [1, 1, g, n] -> [rows, windows, g, n]
      Value cand =
          d.op("Gather", {tokens, idxV}, {c.b.getNamedAttr("axis", c.b.getI64IntegerAttr(1))});
      cand = d.reshape(cand, {rows, windows, 1, n});
      Value eq = d.castTo(d.op("Equal", {cand, poolV}), f32);
      Value all = d.reduce("ReduceMin", eq, {3});
      Value cnt = d.reduce("ReduceSum", all, {1});
      countParts.push_back(d.reshape(cnt, {rows, g}));
    }
    partGrams.append(grams);
  }
  Value cnt = countParts.size() == 1 ? countParts[0]
                                     : d.op("Concat", countParts,
                                            {c.b.getNamedAttr("axis", c.b.getI64IntegerAttr(1))});
  if (modeName == "IDF")
    cnt = d.castTo(d.op("Greater", {cnt, c.constScalar(f32, 0.0)}), f32);
  // scatter[g, out]: weight of pool n-gram g at its output position (1 in TF mode).
  SmallVector<float> scatter(numGrams * outSize, 0.f);
  for (auto [row, g] : llvm::enumerate(partGrams)) {
    float w = modeName == "TF" || !weightsAttr ? 1.f : weightsAttr->floats(g);
    scatter[row * outSize + indexes->ints(g)] += w;
  }
  auto scType = RankedTensorType::get({numGrams, outSize}, f32);
  Value scV = onnx::ConstantOp::create(
      c.b, c.loc, scType,
      cast<ElementsAttr>(DenseElementsAttr::get(scType, ArrayRef<float>(scatter))));
  Value y = d.op("MatMul", {cnt, scV});
  if (xt.getRank() == 1)
    y = d.reshape(y, {outSize});
  return d.done({y});
}

void addTextConverters(llvm::StringMap<Converter> &t) {
  t["TfIdfVectorizer"] = convertTfIdfVectorizer;
}

} // namespace onnxc

// The time loop of RNN, GRU and LSTM (onnx.Recurrent) -> scf.for over the time steps.
//
// The importer already computed the input projection of every step in one GEMM (the op's
// `gates` operand), so a step here is: the slice of this step's gates, the recurrent matmul
// h R^T (a linalg contraction, vectorized like any other), and one elementwise linalg.generic
// for the whole cell (gates, activations, clip, peepholes, the sequence_lens mask). The
// sequence length is the loop's bound: a run-time dim is just a run-time bound.
//
// The states are the loop's iteration arguments; each step's new state is written back into
// them (bufferization.materialize_in_destination) and each output row into a slice of Y, so
// no buffer allocated in the body outlives its iteration (docs/traps.md, PlanMemory).
#include "passes/lowering/LoweringUtils.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;

namespace onnxc::lowering {
namespace {

/// One activation of the cell with its (resolved) alpha and beta.
struct Activation {
  std::string name;
  double alpha = 0, beta = 0;
};

bool isKnownActivation(StringRef name) {
  return llvm::is_contained({"Sigmoid", "Tanh", "Relu", "Affine", "LeakyRelu",
                             "ThresholdedRelu", "ScaledTanh", "HardSigmoid", "Elu", "Softsign",
                             "Softplus"},
                            name);
}

Value cst(OpBuilder &b, Location loc, Value like, double v) {
  return scalarConstant(b, loc, like.getType(), v);
}

/// f(x) as ONNX defines the RNN activation functions.
Value activate(OpBuilder &b, Location loc, const Activation &a, Value x) {
  auto mul = [&](Value p, Value q) { return arith::MulFOp::create(b, loc, p, q).getResult(); };
  auto add = [&](Value p, Value q) { return arith::AddFOp::create(b, loc, p, q).getResult(); };
  Value zero = cst(b, loc, x, 0), one = cst(b, loc, x, 1);
  StringRef n = a.name;
  if (n == "Sigmoid") {
    Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x));
    return arith::DivFOp::create(b, loc, one, add(one, e));
  }
  if (n == "Tanh")
    return math::TanhOp::create(b, loc, x);
  if (n == "Relu")
    return arith::MaximumFOp::create(b, loc, x, zero);
  if (n == "Affine")
    return add(mul(cst(b, loc, x, a.alpha), x), cst(b, loc, x, a.beta));
  if (n == "LeakyRelu") {
    Value neg = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, zero);
    return arith::SelectOp::create(b, loc, neg, mul(cst(b, loc, x, a.alpha), x), x);
  }
  if (n == "ThresholdedRelu") {
    Value above = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x,
                                        cst(b, loc, x, a.alpha));
    return arith::SelectOp::create(b, loc, above, x, zero);
  }
  if (n == "ScaledTanh")
    return mul(cst(b, loc, x, a.alpha),
               math::TanhOp::create(b, loc, mul(cst(b, loc, x, a.beta), x)));
  if (n == "HardSigmoid") {
    Value v = add(mul(cst(b, loc, x, a.alpha), x), cst(b, loc, x, a.beta));
    return arith::MinimumFOp::create(b, loc, arith::MaximumFOp::create(b, loc, v, zero), one);
  }
  if (n == "Elu") {
    Value neg = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, zero);
    Value em1 = arith::SubFOp::create(b, loc, math::ExpOp::create(b, loc, x), one);
    return arith::SelectOp::create(b, loc, neg, mul(cst(b, loc, x, a.alpha), em1), x);
  }
  if (n == "Softsign")
    return arith::DivFOp::create(b, loc, x, add(one, math::AbsFOp::create(b, loc, x)));
  // Softplus: log(1 + exp(x)).
  return math::LogOp::create(b, loc, add(one, math::ExpOp::create(b, loc, x)));
}

/// out[b, n] = sum_k a[b, k] * w[k, n] into a zero-filled tensor of `outType`.
Value matmul(OpBuilder &b, Location loc, Value a, Value w, RankedTensorType outType,
             ValueRange dynSizes) {
  Value zero = scalarConstant(b, loc, outType.getElementType(), 0.0);
  Value init = linalg::FillOp::create(b, loc, zero, emptyTensorSized(b, loc, outType, dynSizes))
                   .getResult(0);
  MLIRContext *ctx = b.getContext();
  AffineExpr i, j, k;
  bindDims(ctx, i, j, k);
  SmallVector<AffineMap> maps{AffineMap::get(3, 0, {i, k}, ctx), AffineMap::get(3, 0, {k, j}, ctx),
                              AffineMap::get(3, 0, {i, j}, ctx)};
  return linalg::GenericOp::create(
             b, loc, TypeRange{outType}, ValueRange{a, w}, ValueRange{init}, maps,
             {utils::IteratorType::parallel, utils::IteratorType::parallel,
              utils::IteratorType::reduction},
             [](OpBuilder &nb, Location nl, ValueRange args) {
               Value p = arith::MulFOp::create(nb, nl, args[0], args[1]);
               linalg::YieldOp::create(nb, nl,
                                       arith::AddFOp::create(nb, nl, args[2], p).getResult());
             })
      .getResult(0);
}

struct RecurrentLowering : OpConversionPattern<onnx::RecurrentOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult matchAndRewrite(onnx::RecurrentOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rw) const override {
    if (failed(requireRankedShapes(op)))
      return failure();
    Location loc = op.getLoc();
    MLIRContext *ctx = rw.getContext();
    auto yType = cast<RankedTensorType>(op.getY().getType());
    auto stateType = cast<RankedTensorType>(op.getYH().getType());
    Type et = yType.getElementType();
    if (!isa<FloatType>(et))
      return op.emitError() << "element type " << et << " is not supported (float types)";
    auto rType = cast<RankedTensorType>(adaptor.getRecurrence().getType());
    if (!rType.hasStaticShape())
      return op.emitError() << "the recurrence weights R must have a static shape";
    StringRef cell = op.getCell();
    bool lstm = cell == "LSTM", gru = cell == "GRU";
    bool lbr = op.getLinearBeforeReset(), reverse = op.getReverse();
    int64_t numGates = op.numGates(), hidden = rType.getDimSize(0);
    Value gates = adaptor.getGates();

    SmallVector<Activation> acts;
    for (auto [k, a] : llvm::enumerate(op.getActivations())) {
      Activation act{cast<StringAttr>(a).str()};
      if (!isKnownActivation(act.name))
        return op.emitError() << "activation '" << act.name << "' is not supported";
      if (auto al = op.getActivationAlpha(); al && k < al->size())
        act.alpha = cast<FloatAttr>((*al)[k]).getValueAsDouble();
      if (auto be = op.getActivationBeta(); be && k < be->size())
        act.beta = cast<FloatAttr>((*be)[k]).getValueAsDouble();
      acts.push_back(act);
    }
    std::optional<double> clip;
    if (auto c = op.getClip())
      clip = c->convertToDouble();

    // Sizes: seq and batch from the gates (or the result type where it knows them).
    Value seq = dimSize(rw, loc, gates, 0);
    Value batch = stateType.isDynamicDim(0) ? dimSize(rw, loc, gates, 1)
                                            : arith::ConstantIndexOp::create(
                                                  rw, loc, stateType.getDimSize(0));
    SmallVector<Value> stateDyn, yDyn;
    if (stateType.isDynamicDim(0))
      stateDyn.push_back(batch);
    if (yType.isDynamicDim(0))
      yDyn.push_back(seq);
    if (yType.isDynamicDim(1))
      yDyn.push_back(batch);
    auto rowType = [&](int64_t width) {
      return RankedTensorType::get({stateType.getDimSize(0), width}, et);
    };
    OpFoldResult batchOfr = stateType.isDynamicDim(0)
                                ? OpFoldResult(batch)
                                : OpFoldResult(rw.getIndexAttr(stateType.getDimSize(0)));

    // The loop's own state tensors (an input state would be written in place otherwise).
    auto initState = [&](Value v) -> Value {
      if (!v)
        return linalg::FillOp::create(rw, loc, scalarConstant(rw, loc, et, 0.0),
                                      emptyTensorSized(rw, loc, stateType, stateDyn))
            .getResult(0);
      if (v.getType() != stateType)
        v = tensor::CastOp::create(rw, loc, stateType, v);
      return bufferization::AllocTensorOp::create(rw, loc, stateType, ValueRange{}, v);
    };
    SmallVector<Value> inits{initState(adaptor.getH0())};
    if (lstm)
      inits.push_back(initState(adaptor.getC0()));
    inits.push_back(emptyTensorSized(rw, loc, yType, yDyn));

    // GRU without linear_before_reset multiplies r into h before its candidate's matmul:
    // R^T splits into the z, r columns and the h columns.
    Value recurrence = adaptor.getRecurrence(), recurrenceH;
    if (gru && !lbr) {
      auto slice = [&](int64_t from, int64_t width) -> Value {
        return tensor::ExtractSliceOp::create(
            rw, loc, RankedTensorType::get({hidden, width}, et), recurrence,
            ArrayRef<OpFoldResult>{rw.getIndexAttr(0), rw.getIndexAttr(from)},
            ArrayRef<OpFoldResult>{rw.getIndexAttr(hidden), rw.getIndexAttr(width)},
            ArrayRef<OpFoldResult>{rw.getIndexAttr(1), rw.getIndexAttr(1)});
      };
      recurrenceH = slice(2 * hidden, hidden);
      recurrence = slice(0, 2 * hidden);
    }

    // Peepholes [Pi, Po, Pf], each [hidden].
    SmallVector<Value> peepholes;
    if (Value p = adaptor.getPeepholes())
      for (int64_t k = 0; k < 3; ++k)
        peepholes.push_back(tensor::ExtractSliceOp::create(
            rw, loc, RankedTensorType::get({hidden}, et), p,
            ArrayRef<OpFoldResult>{rw.getIndexAttr(k * hidden)},
            ArrayRef<OpFoldResult>{rw.getIndexAttr(hidden)},
            ArrayRef<OpFoldResult>{rw.getIndexAttr(1)}));

    Value zero = arith::ConstantIndexOp::create(rw, loc, 0);
    Value one = arith::ConstantIndexOp::create(rw, loc, 1);
    auto forOp = scf::ForOp::create(rw, loc, zero, seq, one, inits);
    rw.setInsertionPointToEnd(forOp.getBody()); // No terminator yet (it has iter_args).
    Value iv = forOp.getInductionVar();
    Value t = iv;
    if (reverse)
      t = arith::SubIOp::create(rw, loc, arith::SubIOp::create(rw, loc, seq, one), iv);
    ValueRange iterArgs = forOp.getRegionIterArgs();
    Value h = iterArgs[0], c = lstm ? iterArgs[1] : Value(), yAcc = iterArgs.back();

    // This step's projected input, [batch, gates * hidden].
    int64_t width = numGates * hidden;
    Value xg = tensor::ExtractSliceOp::create(
        rw, loc, rowType(width), gates,
        ArrayRef<OpFoldResult>{t, rw.getIndexAttr(0), rw.getIndexAttr(0)},
        ArrayRef<OpFoldResult>{rw.getIndexAttr(1), batchOfr, rw.getIndexAttr(width)},
        ArrayRef<OpFoldResult>{rw.getIndexAttr(1), rw.getIndexAttr(1), rw.getIndexAttr(1)});
    int64_t rWidth = gru && !lbr ? 2 * hidden : width;
    Value hr = matmul(rw, loc, h, recurrence, rowType(rWidth), stateDyn);
    Value tI64 = arith::IndexCastOp::create(rw, loc, rw.getI64Type(), t);

    // Maps of the cell's generic over [batch, hidden]: a [batch, hidden] operand, a
    // per-hidden vector, a per-batch scalar.
    AffineExpr bi, j;
    bindDims(ctx, bi, j);
    // Gate k of a [batch, G * hidden] operand is a slice (a view once bufferized): linalg
    // wants an operand indexed by a loop alone to be exactly that loop's size.
    AffineMap idMap = AffineMap::getMultiDimIdentityMap(2, ctx);
    auto gateOf = [&](Value v, int64_t k) -> Value {
      return tensor::ExtractSliceOp::create(
          rw, loc, stateType, v,
          ArrayRef<OpFoldResult>{rw.getIndexAttr(0), rw.getIndexAttr(k * hidden)},
          ArrayRef<OpFoldResult>{batchOfr, rw.getIndexAttr(hidden)},
          ArrayRef<OpFoldResult>{rw.getIndexAttr(1), rw.getIndexAttr(1)});
    };
    AffineMap partMap = AffineMap::get(2, 0, {j}, ctx);
    AffineMap batchMap = AffineMap::get(2, 0, {bi}, ctx);

    // Inputs are gathered with their maps; the body reads them back by name.
    struct Operands {
      SmallVector<Value> values;
      SmallVector<AffineMap> maps;
      unsigned add(Value v, AffineMap m) {
        values.push_back(v);
        maps.push_back(m);
        return values.size() - 1;
      }
    };
    auto clipped = [&](OpBuilder &b, Location l, Value x) -> Value {
      if (!clip)
        return x;
      Value lo = cst(b, l, x, -*clip), hi = cst(b, l, x, *clip);
      return arith::MinimumFOp::create(b, l, arith::MaximumFOp::create(b, l, x, lo), hi);
    };
    auto act = [&](OpBuilder &b, Location l, unsigned k, Value x) {
      return activate(b, l, acts[k], clipped(b, l, x));
    };
    auto addf = [](OpBuilder &b, Location l, Value p, Value q) -> Value {
      return arith::AddFOp::create(b, l, p, q);
    };
    auto mulf = [](OpBuilder &b, Location l, Value p, Value q) -> Value {
      return arith::MulFOp::create(b, l, p, q);
    };
    /// One linalg.generic over [batch, hidden] with `numOut` outputs of the state's type.
    auto cellGeneric = [&](Operands &in, unsigned numOut,
                           function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange)>
                               body) {
      SmallVector<Value> outs;
      SmallVector<AffineMap> maps = in.maps;
      for (unsigned i = 0; i < numOut; ++i) {
        outs.push_back(emptyTensorSized(rw, loc, stateType, stateDyn));
        maps.push_back(idMap);
      }
      SmallVector<Type> types(numOut, stateType);
      auto g = linalg::GenericOp::create(
          rw, loc, types, in.values, outs, maps,
          {utils::IteratorType::parallel, utils::IteratorType::parallel},
          [&](OpBuilder &b, Location l, ValueRange args) {
            linalg::YieldOp::create(b, l, body(b, l, args));
          });
      return SmallVector<Value>(g.getResults());
    };
    Value lens = adaptor.getLens();
    /// The new state and output, masked by sequence_lens: a step at or past an entry's
    /// length keeps the old state and outputs zero.
    auto masked = [&](OpBuilder &b, Location l, ValueRange args, int lensIdx, Value hNew,
                      Value hOld) -> std::pair<Value, Value> {
      if (lensIdx < 0)
        return {hNew, hNew};
      Value live = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, tI64, args[lensIdx]);
      return {arith::SelectOp::create(b, l, live, hNew, hOld),
              arith::SelectOp::create(b, l, live, hNew, cst(b, l, hNew, 0))};
    };

    SmallVector<Value> newStates; // h, c (LSTM), then this step's output row.
    if (gru && !lbr) {
      // z and r * h, then the candidate from (r * h) R_h^T.
      Operands in;
      unsigned hi = in.add(h, idMap); // First: the loop ranges are read from it.
      unsigned xz = in.add(gateOf(xg, 0), idMap), xr = in.add(gateOf(xg, 1), idMap);
      unsigned hz = in.add(gateOf(hr, 0), idMap), hrr = in.add(gateOf(hr, 1), idMap);
      auto zr = cellGeneric(in, 2, [&](OpBuilder &b, Location l, ValueRange a) {
        Value z = act(b, l, 0, addf(b, l, a[xz], a[hz]));
        Value r = act(b, l, 0, addf(b, l, a[xr], a[hrr]));
        return SmallVector<Value>{z, mulf(b, l, r, a[hi])};
      });
      Value hh = matmul(rw, loc, zr[1], recurrenceH, stateType, stateDyn);
      Operands in2;
      unsigned hhi = in2.add(hh, idMap), xh = in2.add(gateOf(xg, 2), idMap);
      unsigned zi = in2.add(zr[0], idMap), h2 = in2.add(h, idMap);
      int li = lens ? int(in2.add(lens, batchMap)) : -1;
      newStates = cellGeneric(in2, 2, [&](OpBuilder &b, Location l, ValueRange a) {
        Value cand = act(b, l, 1, addf(b, l, a[xh], a[hhi]));
        // (1 - z) * candidate + z * h.
        Value hNew = addf(b, l, cand,
                          mulf(b, l, a[zi], arith::SubFOp::create(b, l, a[h2], cand)));
        auto [state, out] = masked(b, l, a, li, hNew, a[h2]);
        return SmallVector<Value>{state, out};
      });
    } else {
      Operands in;
      SmallVector<unsigned> xk, hk, pk;
      // The state first: linalg reads the loop ranges from the first operand that indexes a
      // loop alone, and gate 0's map (b, j + 0) would give j the range of all the gates.
      unsigned hi = in.add(h, idMap);
      for (int64_t k = 0; k < numGates; ++k) {
        xk.push_back(in.add(gateOf(xg, k), idMap));
        hk.push_back(in.add(gateOf(hr, k), idMap));
      }
      int ci = lstm ? int(in.add(c, idMap)) : -1;
      for (Value p : peepholes)
        pk.push_back(in.add(p, partMap));
      int rbi = adaptor.getRbias() ? int(in.add(adaptor.getRbias(), partMap)) : -1;
      int li = lens ? int(in.add(lens, batchMap)) : -1;
      newStates = cellGeneric(in, lstm ? 3 : 2, [&](OpBuilder &b, Location l, ValueRange a) {
        auto gate = [&](int64_t k) { return addf(b, l, a[xk[k]], a[hk[k]]); };
        if (cell == "RNN") {
          auto [state, out] = masked(b, l, a, li, act(b, l, 0, gate(0)), a[hi]);
          return SmallVector<Value>{state, out};
        }
        if (gru) { // linear_before_reset: r * (h R_h^T + Rb_h).
          Value z = act(b, l, 0, gate(0)), r = act(b, l, 0, gate(1));
          Value hh = a[hk[2]];
          if (rbi >= 0)
            hh = addf(b, l, hh, a[rbi]);
          Value cand = act(b, l, 1, addf(b, l, a[xk[2]], mulf(b, l, r, hh)));
          Value hNew = addf(b, l, cand,
                            mulf(b, l, z, arith::SubFOp::create(b, l, a[hi], cand)));
          auto [state, out] = masked(b, l, a, li, hNew, a[hi]);
          return SmallVector<Value>{state, out};
        }
        // LSTM, gates i, o, f, c; peepholes [Pi, Po, Pf].
        Value cOld = a[ci];
        auto peephole = [&](Value g, int64_t k, Value cv) {
          return pk.empty() ? g : addf(b, l, g, mulf(b, l, a[pk[k]], cv));
        };
        Value i = act(b, l, 0, peephole(gate(0), 0, cOld));
        Value f = op.getInputForget()
                      ? arith::SubFOp::create(b, l, cst(b, l, i, 1), i).getResult()
                      : act(b, l, 0, peephole(gate(2), 2, cOld));
        Value cand = act(b, l, 1, gate(3));
        Value cNew = addf(b, l, mulf(b, l, f, cOld), mulf(b, l, i, cand));
        Value o = act(b, l, 0, peephole(gate(1), 1, cNew));
        Value hNew = mulf(b, l, o, act(b, l, 2, cNew));
        auto [state, out] = masked(b, l, a, li, hNew, a[hi]);
        Value cKeep = li < 0 ? cNew : masked(b, l, a, li, cNew, cOld).first;
        return SmallVector<Value>{state, cKeep, out};
      });
    }

    SmallVector<Value> yields;
    yields.push_back(
        bufferization::MaterializeInDestinationOp::create(rw, loc, newStates[0], h).getResult());
    if (lstm)
      yields.push_back(
          bufferization::MaterializeInDestinationOp::create(rw, loc, newStates[1], c)
              .getResult());
    yields.push_back(tensor::InsertSliceOp::create(
        rw, loc, newStates.back(), yAcc,
        ArrayRef<OpFoldResult>{t, rw.getIndexAttr(0), rw.getIndexAttr(0)},
        ArrayRef<OpFoldResult>{rw.getIndexAttr(1), batchOfr, rw.getIndexAttr(hidden)},
        ArrayRef<OpFoldResult>{rw.getIndexAttr(1), rw.getIndexAttr(1), rw.getIndexAttr(1)}));
    scf::YieldOp::create(rw, loc, yields);

    rw.setInsertionPointAfter(forOp);
    SmallVector<Value> results{forOp.getResults().back(), forOp.getResult(0)};
    if (lstm)
      results.push_back(forOp.getResult(1));
    rw.replaceOp(op, results);
    return success();
  }
};

} // namespace

void populateRecurrentPatterns(RewritePatternSet &patterns) {
  patterns.add<RecurrentLowering>(patterns.getContext());
}

} // namespace onnxc::lowering

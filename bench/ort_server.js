#!/usr/bin/env node
// ONNX Runtime side of bench/bench.py: loads one model with the CPU execution provider (all
// graph optimizations, intra-op threads = T, inter-op 1, sequential), binds the inputs the
// driver wrote, then answers 'run K' on stdin with one line 'us T1 ... TK' (microseconds per
// session.run, the N-API marshalling included) until 'quit' or end of input.
//   node ort_server.js [--no-arena] model.onnx THREADS inputs.json [outputs.json]
// inputs.json: [{"name", "type" (ort tensor type), "dims", "file" (raw little-endian data)}]
// outputs.json: [{"name", "type", "dims"}]: outputs of static shape, allocated once and passed
// to every run (as our library's outputs are): otherwise Node allocates a fresh typed array
// per run, which for outputs of a few hundred KB took 1.7 ms instead of 0.07 ms in streaks of
// ~100 runs (docs/perf.md, session 10).
// --no-arena: without ORT's CPU memory arena (enableCpuMemArena false), for the single-conv
// models of bench.py --convs: with the arena a lone Conv took fresh pages every run (~400 page
// faults per run for resnet's 7x7 stem, 11 ms instead of 1.5-1.9 ms; ~1 per run for the whole
// model), so ORT's conv looked many times slower than it is inside the model (docs/perf.md,
// session 11).
'use strict';
const fs = require('fs');
const readline = require('readline');
const ort = require('onnxruntime-node');

const ARRAYS = {
  float32: Float32Array, float64: Float64Array, int8: Int8Array, uint8: Uint8Array,
  int16: Int16Array, uint16: Uint16Array, int32: Int32Array, uint32: Uint32Array,
  int64: BigInt64Array, uint64: BigUint64Array, bool: Uint8Array,
};

async function main() {
  const flags = process.argv.slice(2).filter((a) => a.startsWith('--'));
  const [model, threads, inputsJson, outputsJson] =
    process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const session = await ort.InferenceSession.create(model, {
    executionProviders: ['cpu'], graphOptimizationLevel: 'all',
    intraOpNumThreads: parseInt(threads, 10), interOpNumThreads: 1, executionMode: 'sequential',
    enableCpuMemArena: !flags.includes('--no-arena'),
  });
  const feeds = {};
  for (const t of JSON.parse(fs.readFileSync(inputsJson, 'utf8'))) {
    const buf = fs.readFileSync(t.file);
    const Arr = ARRAYS[t.type];
    const data = new Arr(buf.buffer, buf.byteOffset, buf.byteLength / Arr.BYTES_PER_ELEMENT);
    feeds[t.name] = new ort.Tensor(t.type, data, t.dims);
  }
  const fetches = {};
  for (const t of outputsJson ? JSON.parse(fs.readFileSync(outputsJson, 'utf8')) : []) {
    const Arr = ARRAYS[t.type];
    fetches[t.name] = new ort.Tensor(t.type, new Arr(t.dims.reduce((a, b) => a * b, 1)), t.dims);
  }
  const preallocated = Object.keys(fetches).length > 0;
  const rl = readline.createInterface({ input: process.stdin });
  for await (const line of rl) {
    const m = /^run (\d+)/.exec(line);
    if (!m) break;
    const times = [];
    for (let i = 0; i < parseInt(m[1], 10); ++i) {
      const t0 = process.hrtime.bigint();
      await (preallocated ? session.run(feeds, fetches) : session.run(feeds));
      times.push(Number(process.hrtime.bigint() - t0) / 1000);
    }
    process.stdout.write('us ' + times.map((t) => t.toFixed(2)).join(' ') + '\n');
  }
  process.exit(0);
}
main().catch((e) => { process.stderr.write(`ort_server: ${e.message}\n`); process.exit(1); });

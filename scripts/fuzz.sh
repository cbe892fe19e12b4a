#!/usr/bin/env bash
# Fuzzes the importer, verifier, shape inference and lowering with libFuzzer (ASan + UBSan),
# seeded with every model of Debian's libonnx-testdata and the project's tests.
#   scripts/fuzz.sh [SECONDS]          (default 60)
# Builds into build-fuzz/; crashes land in build-fuzz/fuzz/crashes/ (add each, once fixed,
# to the broken-model corpus). Prints executions and coverage at the end.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
build=${ONNXC_FUZZ_BUILD:-$root/build-fuzz}
"$root/scripts/setup.sh" "$root/build" >/dev/null   # packages
if [ ! -f "$build/build.ninja" ]; then
  cmake -G Ninja -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DONNXC_FUZZER=ON \
    -DBUILD_TESTING=OFF -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DCMAKE_EXE_LINKER_FLAGS=-fuse-ld=lld >/dev/null
fi
ninja -C "$build" -j "${ONNXC_JOBS:-2}" onnx-fuzz
work=$build/fuzz
mkdir -p "$work/corpus" "$work/crashes"
if [ -z "$(ls -A "$work/corpus")" ]; then
  i=0
  for f in /usr/share/libonnx-testdata/data/*/*/model.onnx "$root"/examples/mlp/mlp.onnx; do
    cp "$f" "$work/corpus/seed$((i++)).onnx"
  done
fi
# -rss_limit_mb: the seeds include models of tens of MB; ASan doubles memory.
ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  "$build/bin/onnx-fuzz" "$work/corpus" -artifact_prefix="$work/crashes/" \
  -max_total_time="$seconds" -rss_limit_mb=4096 -timeout=30 -print_final_stats=1 2>&1 |
  tee "$work/last-run.log" | grep -E "^#[0-9]+.*(INITED|DONE|pulse)|stat::|ERROR|SUMMARY|Test unit" || true
echo "crashes: $(ls "$work/crashes" | wc -l) (in $work/crashes)"

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
ONNXC_SETUP_PACKAGES_ONLY=1 "$root/scripts/setup.sh" >/dev/null   # packages
# -O1 (ASan's recommendation) compiles the instrumented tree much faster than -O2. Testing
# stays on: scripts/sanitize.sh can run lit and the e2e tests from this build too.
if [ ! -f "$build/build.ninja" ]; then
  CCACHE_BASEDIR=$root cmake -G Ninja -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_FLAGS_RELEASE="-O1 -DNDEBUG" -DCMAKE_CXX_FLAGS_RELEASE="-O1 -DNDEBUG" \
    -DONNXC_FUZZER=ON -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DCMAKE_EXE_LINKER_FLAGS=-fuse-ld=lld -DCMAKE_SHARED_LINKER_FLAGS=-fuse-ld=lld \
    $(command -v ccache >/dev/null && echo -DCMAKE_C_COMPILER_LAUNCHER=ccache \
      -DCMAKE_CXX_COMPILER_LAUNCHER=ccache) >/dev/null
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
# -rss_limit_mb: the seeds include models of tens of MB; ASan doubles memory. One process at
# nice 10: the machine is shared. libFuzzer does not check -max_total_time while it runs the
# seed corpus: on a loaded machine the run lasts until the seeds are done. The run ends with `onnx-fuzz stages:`, how many executions
# got through import, the verifier, the onnx passes and the lowering to linalg.
export ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
nice -n "${ONNXC_FUZZ_NICE:-10}" "$build/bin/onnx-fuzz" "$work/corpus" -artifact_prefix="$work/crashes/" \
  -max_total_time="$seconds" -rss_limit_mb=4096 -timeout=30 -print_final_stats=1 2>&1 |
  tee "$work/last-run.log" |
  grep -E "^#[0-9]+.*(INITED|DONE|pulse)|stat::|ERROR|SUMMARY|Test unit|onnx-fuzz stages" || true
echo "crashes: $(ls "$work/crashes" | grep -vc '^slow-unit-') (in $work/crashes; slow-unit-* are" \
  "inputs over 10 s, not crashes)"
# The stages the corpus reaches (every corpus file run once, no mutation).
nice -n "${ONNXC_FUZZ_NICE:-10}" "$build/bin/onnx-fuzz" "$work/corpus" -runs=0 \
  -artifact_prefix="$work/crashes/" -rss_limit_mb=4096 -timeout=30 2>&1 |
  grep -E "onnx-fuzz stages" | sed 's/^/corpus: /' || true

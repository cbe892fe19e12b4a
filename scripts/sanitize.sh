#!/usr/bin/env bash
# The compiler and onnx-run under AddressSanitizer + UndefinedBehaviorSanitizer, on the lit
# tests, the broken-model corpus and the end-to-end op tests; the e2e models are compiled with
# --sanitize=address as well, so the generated kernels (with workspace redzones) run
# instrumented inside the instrumented onnx-run.
#   scripts/sanitize.sh
# Builds into build-asan/ (-DONNXC_SANITIZE=ON), or into ONNXC_SANITIZE_BUILD, which may also
# be the fuzzing build (build-fuzz/: the same sanitizers plus coverage counters). Any
# sanitizer report fails the run (UBSan halts on its first report). Prints each stage's wall
# time; the last results are in docs/fuzzing.md.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${ONNXC_SANITIZE_BUILD:-$root/build-asan}
jobs=${ONNXC_JOBS:-2}
ONNXC_SETUP_PACKAGES_ONLY=1 "$root/scripts/setup.sh" >/dev/null   # packages
if [ ! -f "$build/build.ninja" ]; then
  CCACHE_BASEDIR=$root cmake -G Ninja -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_FLAGS_RELEASE="-O1 -DNDEBUG" -DCMAKE_CXX_FLAGS_RELEASE="-O1 -DNDEBUG" \
    -DONNXC_SANITIZE=ON -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DCMAKE_EXE_LINKER_FLAGS=-fuse-ld=lld -DCMAKE_SHARED_LINKER_FLAGS=-fuse-ld=lld \
    $(command -v ccache >/dev/null && echo -DCMAKE_C_COMPILER_LAUNCHER=ccache \
      -DCMAKE_CXX_COMPILER_LAUNCHER=ccache) >/dev/null || exit 1
fi
grep -Eq '^ONNXC_(SANITIZE|FUZZER):BOOL=ON' "$build/CMakeCache.txt" ||
  { echo "$build is not a sanitizer build (ONNXC_SANITIZE or ONNXC_FUZZER)"; exit 1; }
grep -q '^BUILD_TESTING:BOOL=ON' "$build/CMakeCache.txt" ||
  { echo "$build was configured without BUILD_TESTING"; exit 1; }

# Leaks are not checked: the compiler is a short-lived process and LLVM's option registry and
# MLIR's uniqued storage live until exit on purpose.
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=0:halt_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
status=0
stage() {
  local name=$1; shift
  local t0=$(date +%s)
  echo "=== $name"
  "$@"
  local rc=$?
  echo "=== $name: $(( $(date +%s) - t0 )) s (exit $rc)"
  [ $rc -eq 0 ] || status=1
}
stage "build" ninja -C "$build" -j "$jobs" onnx-compile onnx-run onnx-opt onnxc-runtime-stubs
[ $status -eq 0 ] || exit 1
stage "lit" /usr/lib/llvm-22/bin/lit -q "$build/test/lit"
work=$(mktemp -d)
stage "broken-model corpus" sh -c "/usr/bin/python3 '$root/test/hostile/make_corpus.py' '$work/corpus' >/dev/null &&
  /usr/bin/python3 '$root/test/hostile/run_corpus.py' --onnx-compile '$build/bin/onnx-compile' --corpus '$work/corpus'"
stage "e2e-ops (models compiled with --sanitize=address)" /usr/bin/python3 "$root/test/e2e/run_e2e.py" \
  --onnx-compile "$build/bin/onnx-compile" --onnx-run "$build/bin/onnx-run" --work "$work/ops" \
  --jobs "$jobs" --compile-arg=--sanitize=address
rm -rf "$work"
echo "sanitize.sh: $([ $status -eq 0 ] && echo clean || echo FAILED)"
exit $status

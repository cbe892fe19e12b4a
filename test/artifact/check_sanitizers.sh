#!/usr/bin/env bash
# Generated code under the sanitizers, as a user would run it (re-run by hand with
#   bash test/artifact/check_sanitizers.sh build/bin/onnx-compile . /tmp/san
# after touching the runtime stub or the kernels' threading):
#  1. ThreadSanitizer: 4 threads x 25 inferences with separate workspaces, host program,
#     kernels and runtime stub instrumented; results equal the single-threaded ones.
#  2. AddressSanitizer (--sanitize=address): the workspace buffers are separated by poisoned
#     redzones; the bundled MLP runs clean and matches ONNX's reference output, and the same
#     model with every buffer planned one element short (--debug-undersize-buffers) makes
#     ASan report the kernels' out-of-bounds accesses.
# usage: check_sanitizers.sh ONNX_COMPILE SOURCE_DIR WORK_DIR
set -euo pipefail
compiler=$1 src=$2 work=$3
cc=${CC:-clang-22}
rm -rf "$work" && mkdir -p "$work" && cd "$work"

echo "== 1. concurrent runs under ThreadSanitizer"
"$compiler" "$src/examples/mlp/mlp.onnx" --emit=static --name=tsmlp --sanitize=thread -o tsmlp.a
"$cc" -std=c99 -g -O1 -fsanitize=thread -I. "$src/test/artifact/concurrent_runs.c" tsmlp.a -lm \
  -lpthread -o concurrent_runs
TSAN_OPTIONS="halt_on_error=1 exitcode=66" ./concurrent_runs

echo "== 2. AddressSanitizer and workspace redzones"
/usr/bin/python3 - "$src/examples/mlp/test_data_set_0" <<'PY'
import sys, onnx, onnx.numpy_helper as nh
for name in ("input_0", "output_0"):
    t = onnx.TensorProto()
    t.ParseFromString(open(f"{sys.argv[1]}/{name}.pb", "rb").read())
    nh.to_array(t).astype("<f4").tofile(f"{name}.f32")
PY
export ASAN_OPTIONS=detect_leaks=0
# Each variant in its own folder: the header is written beside the archive, as asmlp.h.
mkdir -p san plain short
"$compiler" "$src/examples/mlp/mlp.onnx" --emit=static --name=asmlp --sanitize=address -o san/asmlp.a
"$cc" -std=c11 -g -O1 -fsanitize=address -Isan "$src/test/artifact/asan_run.c" san/asmlp.a -lm -o asan_run
./asan_run input_0.f32 output_0.f32
# Redzones are there: the sanitized plan is larger than the plain one (no reuse + gaps).
"$compiler" "$src/examples/mlp/mlp.onnx" --emit=static --name=asmlp -o plain/asmlp.a
size() { sed -n 's/^#define ASMLP_WORKSPACE_SIZE \([0-9]*\)/\1/p' "$1/asmlp.h"; }
echo "workspace: $(size plain) bytes plain, $(size san) bytes with redzones"
[ "$(size san)" -gt "$(size plain)" ] || { echo "no redzones in the sanitized workspace"; exit 1; }

"$compiler" "$src/examples/mlp/mlp.onnx" --emit=static --name=asmlp --sanitize=address \
  --debug-undersize-buffers -o short/asmlp.a
"$cc" -std=c11 -g -O1 -fsanitize=address -Ishort "$src/test/artifact/asan_run.c" short/asmlp.a -lm \
  -o short_run
if ./short_run input_0.f32 output_0.f32 2> short.log; then
  echo "an out-of-bounds kernel access went unnoticed"; exit 1
fi
grep -q "ERROR: AddressSanitizer: use-after-poison" short.log ||
  { echo "expected an ASan use-after-poison report, got:"; head -20 short.log; exit 1; }
echo "out-of-bounds access caught: $(grep -m1 'ERROR: AddressSanitizer' short.log)"
grep -m3 -E '^ +#[0-9]+ ' short.log || true
# Without the sanitizer the option is refused (it would corrupt memory silently).
if "$compiler" "$src/examples/mlp/mlp.onnx" --debug-undersize-buffers -o x.so 2>/dev/null; then
  echo "--debug-undersize-buffers accepted without --sanitize=address"; exit 1
fi
echo "sanitizer checks passed"

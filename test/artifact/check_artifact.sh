#!/usr/bin/env bash
# What a user takes away, checked as a user would use it:
#  1. the shared library depends on libc/libm/libpthread only, with glibc versions <= 2.28;
#  2. the generated header compiles as C99 and C++17 with -Wall -Wextra -pedantic -Werror,
#     also for tensor names that are not identifiers;
#  3. two models compiled to static archives link into one program and both run correctly;
# (Concurrent runs under ThreadSanitizer and the generated code under AddressSanitizer are
# check_sanitizers.sh, the `artifact-sanitizers` test.)
# usage: check_artifact.sh ONNX_COMPILE SOURCE_DIR WORK_DIR
set -euo pipefail
compiler=$1 src=$2 work=$3
cc=${CC:-clang-22} cxx=${CXX:-clang++-22}
rm -rf "$work" && mkdir -p "$work" && cd "$work"

echo "== 1. dependencies of a shared library"
"$compiler" "$src/examples/mlp/mlp.onnx" -o mlp.so
needed=$(readelf -d mlp.so | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p')
for lib in $needed; do
  case $lib in libc.so.6|libm.so.6|libpthread.so.0) ;; *) echo "unexpected NEEDED $lib"; exit 1;; esac
done
versions=$(readelf -V mlp.so | grep -o 'GLIBC_[0-9.]*' | sort -u || true)
for v in $versions; do
  if [ "$(printf '%s\n' "$v" GLIBC_2.28 | sort -V | tail -1)" != GLIBC_2.28 ]; then
    echo "symbol version $v is newer than GLIBC_2.28"; exit 1
  fi
done
exported=$(readelf --dyn-syms -W mlp.so | awk '$5=="GLOBAL" && $7!="UND" {print $8}' | sort | tr '\n' ' ')
[ "$exported" = "mlp_create mlp_destroy mlp_init mlp_model mlp_num_threads mlp_run mlp_run_context mlp_set_num_threads mlp_status_string onnxc_model_get " ] ||
  { echo "unexpected exports: $exported"; exit 1; }
echo "NEEDED: $needed; versions: ${versions:-none}; exports: $exported"

echo "== 2. the header, hostile tensor names included"
/usr/bin/python3 "$src/test/artifact/make_hostile_model.py" hostile.onnx
"$compiler" hostile.onnx -o hostile.so
cat > use_header.c <<'C'
#include "hostile.h"
#include "mlp.h"
#include <stdio.h>
int use(void) {
  static float a[HOSTILE_INPUT_INPUT_0_SIZE], b[HOSTILE_INPUT_CLASS__SIZE],
      c[HOSTILE_INPUT__1X_SIZE], d[HOSTILE_INPUT_INPUT_0_2_SIZE];
  static float o1[HOSTILE_OUTPUT_OUT_PUT_SIZE], o2[HOSTILE_OUTPUT_INT__SIZE];
  static unsigned char ws[HOSTILE_WORKSPACE_SIZE + 1];
  int s = hostile_run(a, b, c, d, o1, o2, ws);
  if (s) puts(hostile_status_string(s));
  return s + (mlp_model() != 0);
}
C
for std in c99 c11; do "$cc" -std=$std -Wall -Wextra -pedantic -Werror -I. -c use_header.c -o /dev/null; done
cp use_header.c use_header.cpp
"$cxx" -std=c++17 -Wall -Wextra -pedantic -Werror -I. -c use_header.cpp -o /dev/null
echo "header compiles as C99, C11 and C++17"

echo "== 3. two static models in one program"
"$compiler" "$src/examples/mlp/mlp.onnx" --emit=static --name=first -o first.a
"$compiler" "$src/examples/mlp/mlp.onnx" --emit=static --name=second -o second.a
cat > two.c <<'C'
#include "first.h"
#include "second.h"
#include <math.h>
#include <stdio.h>
int main(void) {
  static float x[FIRST_INPUT_INPUT_SIZE], p1[FIRST_OUTPUT_PROBS_SIZE], p2[SECOND_OUTPUT_PROBS_SIZE];
  static unsigned char w1[FIRST_WORKSPACE_SIZE + 1] __attribute__((aligned(64)));
  for (int i = 0; i < FIRST_INPUT_INPUT_SIZE; ++i) x[i] = (float)(i % 17) / 17.0f;
  second_context *ctx = second_create();
  if (!ctx || first_run(x, p1, w1) || second_run_context(ctx, x, p2)) return 1;
  second_destroy(ctx);
  float sum = 0;
  for (int i = 0; i < FIRST_OUTPUT_PROBS_SIZE; ++i) {
    if (p1[i] != p2[i]) return 2;
    sum += p1[i];
  }
  printf("softmax sum %f\n", sum);
  return fabsf(sum - 1.0f) < 1e-5f ? 0 : 3;
}
C
"$cc" -std=c99 -O2 -Wall -Wextra -I. two.c first.a second.a -lm -lpthread -o two
./two
echo "artifact checks passed"

#!/usr/bin/env bash
# The README's first command: set up, build, compile the bundled MLP into a library, link it
# into a small C app, run it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${ONNXC_BUILD:-$root/build}
"$root/scripts/setup.sh" "$build"

out=$build/demo
mkdir -p "$out"
echo "== onnx-compile examples/mlp/mlp.onnx -o $out/mlp.so"
"$build/bin/onnx-compile" "$root/examples/mlp/mlp.onnx" -o "$out/mlp.so"
echo "== building the C app against mlp.so + mlp.h"
clang-22 -std=c99 -Wall -Wextra -O2 -I"$out" "$root/examples/c/main.c" \
  -L"$out" -l:mlp.so -Wl,-rpath,'$ORIGIN' -o "$out/mlp_demo"
echo "== running it on the bundled input"
"$out/mlp_demo" "$root/examples/mlp/input.f32"

#!/usr/bin/env bash
# Installs the build into a prefix, moves the prefix elsewhere (the package must be
# relocatable), then builds and runs the examples against it from a separate build folder:
# onnx_compile_model() through find_package(OnnxCompile CONFIG).
# usage: check_install.sh BUILD_DIR SOURCE_DIR WORK_DIR
set -euo pipefail
build=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
cmake --install "$build" --prefix "$work/prefix" >/dev/null
mv "$work/prefix" "$work/moved"
test -x "$work/moved/bin/onnx-compile"
cmake -G Ninja -S "$src/examples" -B "$work/examples" -DCMAKE_PREFIX_PATH="$work/moved" \
  -DCMAKE_C_COMPILER="${CC:-clang-22}" -DCMAKE_CXX_COMPILER="${CXX:-clang++-22}" >/dev/null
cmake --build "$work/examples"
c_out=$("$work/examples/mlp_c" "$src/examples/mlp/input.f32" | tail -1)
cpp_out=$("$work/examples/mlp_cpp" "$src/examples/mlp/input.f32")
echo "C app:   $c_out"
echo "C++ app: $cpp_out"
# The bundled input's reference output (examples/mlp/test_data_set_0) peaks at class 7.
[ "$c_out" = "predicted class: 7" ] && [[ "$cpp_out" == "predicted class: 7 "* ]]
# Rebuilding without changes compiles nothing; a newer model file is recompiled.
again=$(cmake --build "$work/examples")
if grep -q "onnx-compile" <<<"$again"; then echo "no-op rebuild recompiled a model"; exit 1; fi
cp "$src/examples/mlp/mlp.onnx" "$work/mlp-copy.onnx"
cmake -S "$src/examples" -B "$work/examples" -DONNXC_EXAMPLE_MODEL="$work/mlp-copy.onnx" >/dev/null
cmake --build "$work/examples" >/dev/null
touch -d '+2 seconds' "$work/mlp-copy.onnx"
again=$(cmake --build "$work/examples")
grep -q "onnx-compile" <<<"$again" || { echo "a changed model was not recompiled"; exit 1; }
echo "install checks passed"

#!/usr/bin/env bash
# Builds the examples with onnx_compile_model() from add_subdirectory() of the source tree
# (examples/CMakeLists.txt with -DONNXC_SOURCE_DIR): the compiler and the runtime stubs are
# built inside the examples' own build folder, then the models, then the apps, which run.
# usage: check_subdir.sh SOURCE_DIR WORK_DIR [extra cmake args...]
# It builds the whole compiler once more (about as long as the main build): it has the CTest
# label `slow`.
set -euo pipefail
src=$1 work=$2
shift 2
rm -rf "$work" && mkdir -p "$work"
cmake -G Ninja -S "$src/examples" -B "$work/examples" -DONNXC_SOURCE_DIR="$src" \
  -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_COMPILER="${CC:-clang-22}" -DCMAKE_CXX_COMPILER="${CXX:-clang++-22}" \
  -DCMAKE_EXE_LINKER_FLAGS=-fuse-ld=lld -DCMAKE_SHARED_LINKER_FLAGS=-fuse-ld=lld "$@" >/dev/null
# The subproject's tests are not part of the examples' build.
if grep -q "add_test\|conformance" "$work/examples/onnx-compile/CTestTestfile.cmake" 2>/dev/null; then
  echo "the onnx-compile subproject added its tests to the examples' build"; exit 1
fi
ninja -C "$work/examples" -j "${ONNXC_JOBS:-2}" >"$work/build.log" || { tail -40 "$work/build.log"; exit 1; }
c_out=$("$work/examples/mlp_c" "$src/examples/mlp/input.f32" | tail -1)
cpp_out=$("$work/examples/mlp_cpp" "$src/examples/mlp/input.f32")
echo "C app:   $c_out"
echo "C++ app: $cpp_out"
# The bundled input's reference output (examples/mlp/test_data_set_0) peaks at class 7.
[ "$c_out" = "predicted class: 7" ] && [[ "$cpp_out" == "predicted class: 7 "* ]]
# Only what the apps need was built: no test programs of the subproject.
if [ -e "$work/examples/onnx-compile/bin/onnx-opt" ] || [ -e "$work/examples/onnx-compile/bin/onnxc-unit-tests" ]; then
  echo "EXCLUDE_FROM_ALL did not hold: the subproject built more than the compiler"; exit 1
fi
# A no-op rebuild compiles nothing.
again=$(ninja -C "$work/examples")
if grep -q "onnx-compile " <<<"$again"; then echo "no-op rebuild recompiled a model"; exit 1; fi
echo "add_subdirectory checks passed"

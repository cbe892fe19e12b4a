#!/usr/bin/env bash
# The CMake function for a cross build: installs onnx-compile into a prefix, configures
# test/aarch64/app with the installed aarch64 toolchain file, builds it (onnx_compile_model with
# TARGET aarch64-linux-gnu CPU cortex-a76, and one whose TARGET comes from the toolchain), then
# runs the AArch64 programs under qemu-user. Skipped (77) without qemu and the cross libc,
# except under CI=true.
# usage: check_cross_cmake.sh BUILD_DIR SOURCE_DIR WORK_DIR
set -euo pipefail
build=$1 src=$2 work=$3
sysroot=/usr/aarch64-linux-gnu
missing=()
command -v qemu-aarch64 >/dev/null || missing+=("qemu-aarch64 (qemu-user)")
[ -f $sysroot/lib/crt1.o ] || missing+=("$sysroot/lib/crt1.o (libc6-dev-arm64-cross)")
compgen -G "/usr/lib/gcc-cross/aarch64-linux-gnu/*/crtbeginS.o" >/dev/null ||
  missing+=("crtbeginS.o (libgcc-12-dev-arm64-cross)")
if ((${#missing[@]})); then
  case "${CI:-}" in
  1 | true | yes) echo "FAIL: missing ${missing[*]}; under CI the aarch64 tests must run"; exit 1 ;;
  *) echo "SKIP: missing ${missing[*]} (scripts/setup.sh installs them)"; exit 77 ;;
  esac
fi
rm -rf "$work" && mkdir -p "$work"
cmake --install "$build" --prefix "$work/prefix" >/dev/null
toolchain="$work/prefix/lib/cmake/OnnxCompile/aarch64-linux-gnu.toolchain.cmake"
test -f "$toolchain"
cmake -G Ninja -S "$src/test/aarch64/app" -B "$work/app" -DCMAKE_TOOLCHAIN_FILE="$toolchain" \
  -DCMAKE_PREFIX_PATH="$work/prefix" -DONNXC_APP_MODEL="$src/examples/mlp/mlp.onnx" \
  -DONNXC_APP_MAIN="$src/examples/c/main.c" >/dev/null
cmake --build "$work/app"
for f in "$work/app/mlp_c" "$work/app/digits_c" "$work/app/onnxc/mlp/mlp.so"; do
  machine=$(readelf -h "$f" | sed -n 's/^ *Machine: *//p')
  echo "$(basename "$f"): $machine"
  [ "$machine" = AArch64 ] || { echo "$f is not AArch64"; exit 1; }
done
grep -q "aarch64-unknown-linux-gnu cortex-a76" "$work/app/onnxc/mlp/mlp.h" ||
  { echo "mlp.h does not say aarch64 cortex-a76"; exit 1; }
grep -q "aarch64-unknown-linux-gnu generic" "$work/app/onnxc/digits/digits.h" ||
  { echo "digits.h: TARGET did not default to the cross compiler's"; exit 1; }
qemu=(qemu-aarch64 -L $sysroot -cpu cortex-a76)
c_out=$("${qemu[@]}" "$work/app/mlp_c" "$src/examples/mlp/input.f32" | tail -1)
s_out=$("${qemu[@]}" "$work/app/digits_c" "$src/examples/mlp/input.f32")
echo "mlp_c (shared, cortex-a76): $c_out"
echo "digits_c (static, generic): $s_out"
# The bundled input's reference output (examples/mlp/test_data_set_0) peaks at class 7.
[ "$c_out" = "predicted class: 7" ] && [ "$s_out" = "predicted class: 7" ]
echo "aarch64 cmake checks passed"

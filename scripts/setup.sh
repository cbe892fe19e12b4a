#!/usr/bin/env bash
# Installs what onnx-compile needs from Debian 12 (bookworm + bookworm-security) and builds it.
# Idempotent: packages already present are not reinstalled; the build is incremental.
#   scripts/setup.sh [build-dir]        (default build dir: ./build)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}

packages=(
  llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools clang-22 lld-22 liblld-22-dev
  libclang-rt-22-dev libprotobuf-dev protobuf-compiler libonnx-dev libgtest-dev
  libonnx-testdata python3-onnx python3-numpy cmake ninja-build zlib1g-dev libzstd-dev
  binutils libc6-dev
  # AArch64: qemu-user runs the cross-compiled test programs; the cross libc and libgcc link them.
  qemu-user libc6-dev-arm64-cross libgcc-12-dev-arm64-cross
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# ONNXC_SETUP_PACKAGES_ONLY=1: stop here (scripts/fuzz.sh and sanitize.sh use their own builds).
[ "${ONNXC_SETUP_PACKAGES_ONLY:-0}" = 1 ] && exit 0
if [ ! -f "$build/build.ninja" ]; then
  cmake -G Ninja -S "$root" -B "$build" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DCMAKE_EXE_LINKER_FLAGS=-fuse-ld=lld -DCMAKE_SHARED_LINKER_FLAGS=-fuse-ld=lld
fi
# Two parallel jobs: a translation unit with the MLIR headers takes about 1 GB.
ninja -C "$build" -j "${ONNXC_JOBS:-2}"

#!/usr/bin/env bash
# The README's second command: build (as setup.sh does) and run every test with CTest:
# lit + FileCheck per pass, GoogleTest for the runtime stub, end-to-end compile-run-compare.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${ONNXC_BUILD:-$root/build}
"$root/scripts/setup.sh" "$build"
cd "$build"
ctest --output-on-failure -j "${ONNXC_JOBS:-2}" "$@"

# CMake toolchain file: build an app for 64-bit ARM Linux on an x86-64 Debian host with clang
# and lld, against Debian's cross libc (packages clang-22, lld-22, libc6-dev-arm64-cross,
# libgcc-12-dev-arm64-cross; qemu-user to run the results here).
#
#   cmake -S app -B build-arm -DCMAKE_TOOLCHAIN_FILE=<prefix>/lib/cmake/OnnxCompile/aarch64-linux-gnu.toolchain.cmake \
#         -DCMAKE_PREFIX_PATH=<onnx-compile prefix>
#
# onnx_compile_model() then compiles models for aarch64-linux-gnu (its TARGET defaults to the
# cross compiler's target); onnx-compile itself stays a host program. CMAKE_CROSSCOMPILING_EMULATOR
# lets add_test()/ctest run the app under qemu-user.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(ONNXC_CROSS_TRIPLE aarch64-linux-gnu)
set(ONNXC_CROSS_SYSROOT /usr/${ONNXC_CROSS_TRIPLE} CACHE PATH "The target's libc (Debian cross packages)")

if(NOT CMAKE_C_COMPILER)
  set(CMAKE_C_COMPILER clang-22)
endif()
if(NOT CMAKE_CXX_COMPILER)
  set(CMAKE_CXX_COMPILER clang++-22)
endif()
set(CMAKE_C_COMPILER_TARGET ${ONNXC_CROSS_TRIPLE})
set(CMAKE_CXX_COMPILER_TARGET ${ONNXC_CROSS_TRIPLE})
set(CMAKE_EXE_LINKER_FLAGS_INIT -fuse-ld=lld)
set(CMAKE_SHARED_LINKER_FLAGS_INIT -fuse-ld=lld)
set(CMAKE_MODULE_LINKER_FLAGS_INIT -fuse-ld=lld)

# Libraries and headers for the target from the cross sysroot; programs and CMake packages
# (onnx-compile is a host tool) from the host.
set(CMAKE_FIND_ROOT_PATH ${ONNXC_CROSS_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)

find_program(ONNXC_QEMU_AARCH64 qemu-aarch64)
if(ONNXC_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${ONNXC_QEMU_AARCH64} -L ${ONNXC_CROSS_SYSROOT})
endif()

# onnx_compile_model(<name> MODEL <path> [TARGET <triple>] [CPU <cpu>]
#                    [SHAPES <name=dims>...] [STATIC|SHARED] [OPTIONS <args>...])
#
# Compiles an ONNX model at build time with onnx-compile and defines the library target
# <name>: link it and include "<name>.h". TARGET is an LLVM triple (x86_64-linux-gnu,
# aarch64-linux-gnu; default: the host's, or the cross compiler's in a cross build), CPU is
# onnx-compile's --mcpu (e.g. cortex-a76, generic+sve). The model is recompiled when the .onnx
# file or onnx-compile changes. SHARED (default) links <name>.so (found through the build RPATH);
# STATIC links <name>.a. Works from an installed package (find_package(OnnxCompile CONFIG))
# and from add_subdirectory() of the onnx-compile source tree.
function(onnx_compile_model name)
  cmake_parse_arguments(ARG "STATIC;SHARED" "MODEL;TARGET;CPU" "SHAPES;OPTIONS" ${ARGN})
  if(NOT ARG_MODEL)
    message(FATAL_ERROR "onnx_compile_model(${name}): MODEL <path> is required")
  endif()
  if(ARG_STATIC AND ARG_SHARED)
    message(FATAL_ERROR "onnx_compile_model(${name}): STATIC and SHARED are exclusive")
  endif()
  set(stubs)
  if(TARGET onnx-compile)
    set(compiler onnx-compile) # add_subdirectory of the source tree
    # onnx-compile links each model against the runtime stubs built beside it: build them
    # first (they are not built by `all` under add_subdirectory(... EXCLUDE_FROM_ALL)).
    set(stubs onnxc-runtime-stubs)
  elseif(TARGET OnnxCompile::onnx-compile)
    set(compiler OnnxCompile::onnx-compile)
  else()
    message(FATAL_ERROR "onnx_compile_model: no onnx-compile (find_package(OnnxCompile) first)")
  endif()
  get_filename_component(model "${ARG_MODEL}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  set(dir "${CMAKE_CURRENT_BINARY_DIR}/onnxc/${name}")
  if(ARG_STATIC)
    set(emit static)
    set(lib "${dir}/${name}.a")
  else()
    set(emit so)
    set(lib "${dir}/${name}.so")
  endif()
  set(args "${model}" --emit=${emit} --name=${name} -o "${lib}")
  # In a cross build, the model is compiled for the cross compiler's target unless TARGET says
  # otherwise (e.g. cmake/aarch64-linux-gnu.toolchain.cmake: aarch64-linux-gnu).
  if(NOT ARG_TARGET AND CMAKE_CROSSCOMPILING)
    if(CMAKE_C_COMPILER_TARGET)
      set(ARG_TARGET ${CMAKE_C_COMPILER_TARGET})
    elseif(CMAKE_CXX_COMPILER_TARGET)
      set(ARG_TARGET ${CMAKE_CXX_COMPILER_TARGET})
    elseif(CMAKE_LIBRARY_ARCHITECTURE)
      set(ARG_TARGET ${CMAKE_LIBRARY_ARCHITECTURE})
    endif()
  endif()
  if(ARG_TARGET)
    list(APPEND args --target=${ARG_TARGET})
  endif()
  if(ARG_CPU)
    list(APPEND args --mcpu=${ARG_CPU})
  endif()
  foreach(shape ${ARG_SHAPES})
    list(APPEND args --shape=${shape})
  endforeach()
  list(APPEND args ${ARG_OPTIONS})
  add_custom_command(
    OUTPUT "${lib}" "${dir}/${name}.h"
    COMMAND ${CMAKE_COMMAND} -E make_directory "${dir}"
    COMMAND ${compiler} ${args}
    DEPENDS "${model}" ${compiler} ${stubs}
    COMMENT "onnx-compile ${ARG_MODEL} -> ${name}"
    VERBATIM)
  add_custom_target(${name}_onnx_compile DEPENDS "${lib}" "${dir}/${name}.h")
  # The artifact as an imported library (linked by full path: its file name has no "lib"
  # prefix), behind an interface target that carries the build-order dependency.
  if(ARG_STATIC)
    add_library(${name}_artifact STATIC IMPORTED GLOBAL)
  else()
    add_library(${name}_artifact SHARED IMPORTED GLOBAL)
  endif()
  set_target_properties(${name}_artifact PROPERTIES IMPORTED_LOCATION "${lib}")
  add_library(${name} INTERFACE)
  add_dependencies(${name} ${name}_onnx_compile)
  target_include_directories(${name} INTERFACE "${dir}")
  target_link_libraries(${name} INTERFACE ${name}_artifact)
  if(ARG_STATIC)
    target_link_libraries(${name} INTERFACE m pthread) # libm for the kernels (expf, ...), libpthread for the thread pool (glibc < 2.34).
  endif()
endfunction()

# -*- Python -*-
# lit configuration of onnx-compile's FileCheck tests. The build configures lit.site.cfg.py
# (tool paths) from lit.site.cfg.py.in, which loads this file.
import os
import subprocess

import lit.formats

config.name = "onnx-compile"
# External shell: RUN lines are bash, so pipes and `not` behave as in a terminal.
config.test_format = lit.formats.ShTest(True)
# .mlir: onnx-opt pass tests; .onnxtxt: models in ONNX textual syntax (in `# ONNX:` lines)
# compiled by onnx-compile.
config.suffixes = [".mlir", ".onnxtxt"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py.in", "make_model.py",
                   "model_offset.py"]

if not hasattr(config, "onnxc_tools_dir"):
    lit_config.fatal("run lit on the build tree's test/lit (lit.site.cfg.py there has the tool "
                     "paths), e.g. `lit -sv build/test/lit`, or `ctest -R lit`")

config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = getattr(config, "onnxc_obj_root", None) or config.test_source_root

# Tools: our binaries first, then LLVM's (FileCheck, not, count, split-file).
path = [config.onnxc_tools_dir, config.llvm_tools_dir, config.environment.get("PATH", "")]
config.environment["PATH"] = os.pathsep.join(p for p in path if p)
# Diagnostics and parser messages must not depend on the caller's locale.
config.environment["LC_ALL"] = "C"

for tool in ["onnx-opt", "onnx-compile"]:
    exe = os.path.join(config.onnxc_tools_dir, tool)
    if not os.path.exists(exe):
        lit_config.fatal(f"{tool} not found at {exe}; build it first")

# make_model.py needs the onnx package in the configured interpreter.
if subprocess.run([config.python_executable, "-c", "import onnx.parser, numpy"],
                  capture_output=True).returncode != 0:
    lit_config.fatal(f"{config.python_executable} cannot import onnx and numpy (install "
                     "python3-onnx, or configure with -DONNXC_LIT_PYTHON=...)")

make_model = os.path.join(config.test_source_root, "make_model.py")
# No name here is a prefix of another, and these run before lit's own (%s, %t, %p...).
config.substitutions.append(("%onnx-compile", os.path.join(config.onnxc_tools_dir, "onnx-compile")))
config.substitutions.append(("%onnx-opt", os.path.join(config.onnxc_tools_dir, "onnx-opt")))
config.substitutions.append(("%make-model", f"{config.python_executable} {make_model}"))
config.substitutions.append(("%model-offset", f"{config.python_executable} {os.path.join(config.test_source_root, 'model_offset.py')}"))
config.substitutions.append(("%python", config.python_executable))

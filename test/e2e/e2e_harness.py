"""Shared by the e2e scripts that compile generated models with onnx-compile and compare
onnx-run's outputs with numpy references on data drawn at random each run (run_dynamic.py,
run_data_dependent.py): the command line, the seed, and compile-then-run-each-case."""
import argparse
import os
import random
import subprocess

import numpy as np
import onnx
from onnx import numpy_helper


def save(dirname, arrays, prefix):
    """Writes [(name, array)] as <prefix>_<i>.pb, the layout onnx-run --inputs/--expect read."""
    os.makedirs(dirname, exist_ok=True)
    for i, (name, a) in enumerate(arrays):
        with open(os.path.join(dirname, f"{prefix}_{i}.pb"), "wb") as f:
            f.write(numpy_helper.from_array(a, name).SerializeToString())


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
    return p.returncode, p.stdout.decode(errors="replace")


class Harness:
    """Parses the common options, seeds the generator (printed, so a failure can be rerun)
    and counts failures."""

    def __init__(self, description, rtol, atol):
        ap = argparse.ArgumentParser(description=description)
        ap.add_argument("--onnx-compile", required=True)
        ap.add_argument("--onnx-run", required=True)
        ap.add_argument("--work", required=True)
        ap.add_argument("--cc", default="cc")
        ap.add_argument("--include", required=True, help="runtime-stub/include (onnxc/model.h)")
        ap.add_argument("--seed", type=int, default=None)
        ap.add_argument("--runs", type=int, default=3)
        self.args = ap.parse_args()
        seed = self.args.seed if self.args.seed is not None else random.randrange(1 << 30)
        print(f"seed {seed} (rerun with --seed {seed})")
        self.rng = np.random.default_rng(seed)
        os.makedirs(self.args.work, exist_ok=True)
        self.rtol, self.atol = rtol, atol
        self.failures = 0

    def check(self, name, model, make_case, rtol=None, atol=None):
        """Compiles `model` once, then runs `--runs` cases from make_case() ->
        (inputs, expected outputs, description) against it (tolerances: the harness's,
        unless given)."""
        rtol = self.rtol if rtol is None else rtol
        atol = self.atol if atol is None else atol
        a = self.args
        path = os.path.join(a.work, name + ".onnx")
        onnx.save(model, path)
        lib = os.path.join(a.work, name + ".so")
        rc, out = run([a.onnx_compile, path, "-o", lib])
        if rc != 0:
            print(f"FAIL {name}: compile:\n{out}")
            self.failures += 1
            return
        for r in range(a.runs):
            inputs, outputs, desc = make_case()
            case = os.path.join(a.work, f"{name}_case{r}")
            save(case, inputs, "input")
            save(case, outputs, "output")
            rc, out = run([a.onnx_run, lib, "--inputs", case, "--expect", case,
                           "--rtol", str(rtol), "--atol", str(atol)])
            self.report(rc == 0, f"{name} {desc}", out)

    def check_c_program(self, src, lib, what):
        """Builds the C program `src` against the generated header(s) in --work and `lib`
        with strict warnings, runs it, and reports `what` (skipped when `lib` was not built:
        its compile failure is already reported)."""
        a = self.args
        libs = [lib] if isinstance(lib, str) else list(lib)  # one library, or several
        if not all(os.path.exists(x) for x in libs):
            return
        exe = os.path.join(a.work, os.path.splitext(os.path.basename(src))[0])
        rc, out = run([a.cc, "-std=c11", "-Wall", "-Wextra", "-pedantic", "-Werror",
                       "-I", a.work, "-I", a.include, src, *libs,
                       "-Wl,-rpath," + os.path.abspath(a.work), "-o", exe])
        if rc == 0:
            rc, out = run([exe])
        self.report(rc == 0, what, out)

    def report(self, ok, what, out=""):
        print(("PASS " if ok else "FAIL ") + what)
        if not ok:
            self.failures += 1
            if out:
                print(out)

    def finish(self):
        print(f"{self.failures} failed")
        return 1 if self.failures else 0

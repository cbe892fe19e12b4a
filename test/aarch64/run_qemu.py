#!/usr/bin/python3
"""AArch64 by execution: compiles models with `onnx-compile --target aarch64-linux-gnu`, runs
the libraries under qemu-user through an AArch64 build of driver.c and compares the outputs
with the same references the x86-64 tests use.

    run_qemu.py --onnx-compile PATH --source-dir SRC --work DIR [--clang PATH]
                [--readelf PATH] [--objdump PATH] [--only SUBSTRING]

Cases: the bundled MLP (examples/mlp, its test_data_set_0) and a small CNN generated here
with numpy references (test/e2e/gen_models.py's), for baseline armv8-a, for cortex-a76 (run
on qemu's cortex-a76), for SVE (run on `-cpu max,sve256=on`, the disassembly must use SVE),
and the SVE library on a CPU without SVE (must return ONNXC_ERROR_CPU_UNSUPPORTED). Every
library must be AArch64 and need nothing but libc/libm/libpthread.

Needs qemu-user, libc6-dev-arm64-cross and libgcc-12-dev-arm64-cross (scripts/setup.sh
installs them). Without them the test is skipped (exit 77), except under CI=true, where it
fails.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper

SYSROOT = "/usr/aarch64-linux-gnu"
RTOL, ATOL = 1e-4, 1e-5
SKIP = 77
ONNXC_ERROR_CPU_UNSUPPORTED = 3


def missing_tools():
    need = {"qemu-aarch64 (qemu-user)": shutil.which("qemu-aarch64"),
            f"{SYSROOT}/lib/libc.so.6 (libc6-arm64-cross)":
                os.path.exists(f"{SYSROOT}/lib/libc.so.6"),
            f"{SYSROOT}/lib/crt1.o (libc6-dev-arm64-cross)":
                os.path.exists(f"{SYSROOT}/lib/crt1.o"),
            "/usr/lib/gcc-cross/aarch64-linux-gnu/*/crtbeginS.o (libgcc-12-dev-arm64-cross)":
                any(os.path.exists(f"/usr/lib/gcc-cross/aarch64-linux-gnu/{v}/crtbeginS.o")
                    for v in os.listdir("/usr/lib/gcc-cross/aarch64-linux-gnu"))
                if os.path.isdir("/usr/lib/gcc-cross/aarch64-linux-gnu") else False}
    return [name for name, ok in need.items() if not ok]


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


# ---------------------------------------------------------------------------------------------
# The generated CNN
# ---------------------------------------------------------------------------------------------

def write_cnn(source_dir, out_dir):
    """conv3x3+BN+Relu, maxpool, depthwise conv3x3 stride 2 + Relu, conv1x1 + Relu, global
    average pool, flatten, Gemm, Softmax: the op families of the CNN benchmarks, small enough
    for qemu."""
    sys.path.insert(0, os.path.join(source_dir, "test", "e2e"))
    import gen_models as g

    rng = np.random.default_rng(20250707)
    x = g.f32(rng, 1, 3, 20, 20)
    w1, b1 = g.f32(rng, 16, 3, 3, 3, lo=-0.5, hi=0.5), g.f32(rng, 16)
    scale, bias = g.f32(rng, 16, lo=0.5, hi=1.5), g.f32(rng, 16)
    mean, var = g.f32(rng, 16), g.f32(rng, 16, lo=0.5, hi=2.0)
    wd, bd = g.f32(rng, 16, 1, 3, 3), g.f32(rng, 16)
    wp, bp = g.f32(rng, 32, 16, 1, 1, lo=-0.5, hi=0.5), g.f32(rng, 32)
    wf, bf = g.f32(rng, 10, 32), g.f32(rng, 10)

    y = g.ref_conv(x, w1, b1, pads=[1, 1, 1, 1])
    y = np.maximum(g.ref_batchnorm(y, scale, bias, mean, var, 1e-5), 0)
    y = g.ref_pool(y, "max", [2, 2], strides=[2, 2])
    y = np.maximum(g.ref_conv(y, wd, bd, pads=[1, 1, 1, 1], strides=[2, 2], group=16), 0)
    y = np.maximum(g.ref_conv(y, wp, bp), 0)
    y = y.mean(axis=(2, 3))
    y = g.ref_softmax(y @ wf.astype(np.float64).T + bf, axis=1)

    n = g.node
    nodes = [
        n("Conv", ["x", "w1", "b1"], ["c1"], kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        n("BatchNormalization", ["c1", "scale", "bias", "mean", "var"], ["bn"], epsilon=1e-5),
        n("Relu", ["bn"], ["r1"]),
        n("MaxPool", ["r1"], ["p1"], kernel_shape=[2, 2], strides=[2, 2]),
        n("Conv", ["p1", "wd", "bd"], ["c2"], kernel_shape=[3, 3], pads=[1, 1, 1, 1],
          strides=[2, 2], group=16),
        n("Relu", ["c2"], ["r2"]),
        n("Conv", ["r2", "wp", "bp"], ["c3"], kernel_shape=[1, 1]),
        n("Relu", ["c3"], ["r3"]),
        n("GlobalAveragePool", ["r3"], ["gap"]),
        n("Flatten", ["gap"], ["flat"]),
        n("Gemm", ["flat", "wf", "bf"], ["logits"], transB=1),
        n("Softmax", ["logits"], ["probs"], axis=1),
    ]
    inits = [("w1", w1), ("b1", b1), ("scale", scale), ("bias", bias), ("mean", mean),
             ("var", var), ("wd", wd), ("bd", bd), ("wp", wp), ("bp", bp), ("wf", wf),
             ("bf", bf)]
    case = g.Case("cnn", nodes, [("x", x)], [("probs", g.as_f32(y))], initializers=inits)
    case.write(out_dir)
    return os.path.join(out_dir, "cnn")


# ---------------------------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------------------------

def check_elf(readelf, lib):
    """AArch64, and NEEDED only libc/libm/libpthread: never a host object or library."""
    header = run([readelf, "-h", lib]).stdout
    machine = re.search(r"Machine:\s*(.*)", header)
    if not machine or "AArch64" not in machine.group(1):
        return f"{lib}: machine is {machine.group(1) if machine else '?'}, not AArch64"
    needed = re.findall(r"\(NEEDED\).*\[(.*)\]", run([readelf, "-d", lib]).stdout)
    bad = [n for n in needed if not re.fullmatch(r"lib(c|m|pthread)\.so\.\d+", n)]
    if bad:
        return f"{lib}: unexpected dependencies {bad}"
    return None


def load_pbs(folder, kind):
    out, i = [], 0
    while os.path.exists(os.path.join(folder, f"{kind}_{i}.pb")):
        t = TensorProto()
        with open(os.path.join(folder, f"{kind}_{i}.pb"), "rb") as f:
            t.ParseFromString(f.read())
        out.append(numpy_helper.to_array(t))
        i += 1
    return out


def compare(got, want):
    """Returns (ok, max abs error) with |got - want| <= atol + rtol * |want| (exact for
    integers and bools)."""
    if want.dtype.kind in "fc":
        g, w = got.astype(np.float64), want.astype(np.float64)
        err = np.abs(g - w)
        ok = bool(np.all(err <= ATOL + RTOL * np.abs(w)))
        return ok, float(err.max()) if err.size else 0.0
    return bool(np.array_equal(got, want)), 0.0


def run_case(args, driver, name, model, data, compile_args, qemu_cpu, expect_status=0,
             expect_sve=False):
    work = os.path.join(args.work, name)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    lib = os.path.join(work, "model.so")
    cmd = [args.onnx_compile, model, "--target=aarch64-linux-gnu", "-q", "-o", lib] + compile_args
    r = run(cmd)
    if r.returncode:
        return f"compile failed ({r.returncode}): {' '.join(cmd)}\n{r.stderr}"
    problem = check_elf(args.readelf, lib)
    if problem:
        return problem
    if expect_sve:
        # The vectorizers must have used SVE (z registers), or the case would not test it.
        dis = run([args.objdump, "-d", "--mattr=+sve,+sve2", lib]).stdout
        if not re.search(r"\bz\d+\.[bhsd]\b", dis):
            return f"{lib}: compiled with {compile_args} but no SVE instruction in the code"
    inputs = load_pbs(data, "input")
    wants = load_pbs(data, "output")
    for i, arr in enumerate(inputs):
        np.ascontiguousarray(arr).tofile(os.path.join(work, f"input_{i}.bin"))
    qemu = ["qemu-aarch64", "-L", SYSROOT, "-cpu", qemu_cpu, driver, lib, work]
    r = run(qemu, timeout=600)
    print(f"  {' '.join(qemu)}\n    " + r.stdout.strip().replace("\n", "\n    "))
    if r.returncode != (10 + expect_status if expect_status else 0):
        return f"driver exited {r.returncode}, expected " \
               f"{10 + expect_status if expect_status else 0}\n{r.stdout}{r.stderr}"
    if expect_status:
        return None
    for i, want in enumerate(wants):
        got = np.fromfile(os.path.join(work, f"output_{i}.bin"), dtype=want.dtype)
        if got.size != want.size:
            return f"output {i}: {got.size} elements, expected {want.size}"
        ok, err = compare(got.reshape(want.shape), want)
        print(f"    output {i}: max abs error {err:.3g} ({'match' if ok else 'MISMATCH'})")
        if not ok:
            return f"output {i} differs from the reference (max abs error {err:.3g})"
    return None


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--onnx-compile", required=True)
    p.add_argument("--source-dir", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--clang", default="clang-22")
    p.add_argument("--readelf", default="readelf")
    p.add_argument("--objdump", default="llvm-objdump-22")
    p.add_argument("--only", help="only cases whose name contains this")
    args = p.parse_args()

    missing = missing_tools()
    if missing:
        msg = "missing " + ", ".join(missing) + " (scripts/setup.sh installs them)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            print(f"FAIL: {msg}; under CI the aarch64 tests must run")
            return 1
        print(f"SKIP: {msg}")
        return SKIP

    os.makedirs(args.work, exist_ok=True)
    driver = os.path.join(args.work, "driver")
    cmd = [args.clang, "--target=aarch64-linux-gnu", "-fuse-ld=lld", "-std=c11", "-O2", "-Wall",
           "-Werror", "-I", os.path.join(args.source_dir, "runtime-stub", "include"),
           os.path.join(args.source_dir, "test", "aarch64", "driver.c"), "-o", driver, "-ldl"]
    r = run(cmd)
    if r.returncode:
        print(f"FAIL: cannot build the AArch64 driver: {' '.join(cmd)}\n{r.stderr}")
        return 1

    mlp = os.path.join(args.source_dir, "examples", "mlp")
    cnn = write_cnn(args.source_dir, os.path.join(args.work, "models"))
    cnn_model, cnn_data = os.path.join(cnn, "model.onnx"), os.path.join(cnn, "test_data_set_0")
    mlp_model, mlp_data = os.path.join(mlp, "mlp.onnx"), os.path.join(mlp, "test_data_set_0")
    cases = [
        # name, model, data, onnx-compile args, qemu -cpu, expected status, SVE code
        ("mlp-generic", mlp_model, mlp_data, [], "cortex-a53", 0, False),
        ("cnn-generic", cnn_model, cnn_data, [], "cortex-a53", 0, False),
        ("cnn-O0", cnn_model, cnn_data, ["-O0"], "cortex-a53", 0, False),
        ("mlp-cortex-a76", mlp_model, mlp_data, ["--mcpu=cortex-a76"], "cortex-a76", 0, False),
        ("cnn-cortex-a76", cnn_model, cnn_data, ["--mcpu=cortex-a76"], "cortex-a76", 0, False),
        ("mlp-sve", mlp_model, mlp_data, ["--mcpu=generic+sve"], "max,sve256=on", 0, True),
        ("cnn-sve", cnn_model, cnn_data, ["--mcpu=generic+sve"], "max,sve256=on", 0, True),
        ("cnn-sve2-512", cnn_model, cnn_data, ["--mcpu=generic", "--mattr=+sve2"],
         "max,sve512=on", 0, True),
        # Compiled for SVE, run on a CPU without it: a clean refusal, no SIGILL.
        ("cnn-sve-on-a72", cnn_model, cnn_data, ["--mcpu=generic+sve"], "cortex-a72",
         ONNXC_ERROR_CPU_UNSUPPORTED, False),
        ("cnn-a76-on-a53", cnn_model, cnn_data, ["--mcpu=cortex-a76"], "cortex-a53",
         ONNXC_ERROR_CPU_UNSUPPORTED, False),
    ]
    failures = []
    for name, model, data, cargs, cpu, status, sve in cases:
        if args.only and args.only not in name:
            continue
        print(f"{name}:")
        problem = run_case(args, driver, name, model, data, cargs, cpu, status, sve)
        if problem:
            print(f"  FAIL: {problem}")
            failures.append(name)
    if failures:
        print(f"{len(failures)} aarch64 case(s) failed: {', '.join(failures)}")
        return 1
    print("all aarch64 cases passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""CUDA backend checks that need no GPU (CTest label `cuda`).

    check_cuda.py --onnx-compile BIN --onnx-run BIN --include DIR --cc CC --model M.onnx...
                  [--work DIR] [--jobs N] [--filter SUBSTRING]

1. Every test model (the given models and the e2e-ops cases of gen_models.py) compiles with
   --target cuda --gpu sm_80,sm_90 into one library: the compiler emits PTX for each GPU and
   runs ptxas on each, so a compile that succeeds means ptxas accepted both. Cases the CPU path refuses on purpose
   must be refused cleanly (exit 1) here too.
2. `readelf -d`: the libraries need only libc, libm, libpthread and libdl, never libcuda.
3. Without a driver (nothing named libcuda.so.1 on the loader path; the toolkit's stub
   libcuda is removed from LD_LIBRARY_PATH), onnx-run reports the "no device" status, and a C
   program linked against a model gets ONNXC_ERROR_NO_DEVICE from every entry. With the
   toolkit's stub library posing as libcuda.so.1, cuInit fails and the result is the same.

Exits 77 (CTest: skipped) when ptxas (CUDA_PATH, else /usr/local/cuda) is absent.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "models"))
sys.dont_write_bytecode = True
import gen_models  # noqa: E402
import run_models  # noqa: E402

# A model family of test/models that the CUDA backend may refuse with its own message (dims
# given at run time), never with a crash or a failure inside the compiler.
CUDA_MAY_REFUSE = "cuda-may-refuse"

GPUS = ("sm_80", "sm_90")
TIMEOUT_S = 180


def run(cmd, env=None, timeout=TIMEOUT_S):
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
                           timeout=timeout)
        return p.returncode, p.stdout.decode(errors="replace")
    except subprocess.TimeoutExpired:
        return None, f"timed out after {timeout}s"


def tail(text, n=12):
    return "\n".join("    | " + l for l in text.rstrip().splitlines()[-n:])


def needed(lib):
    rc, out = run(["readelf", "-d", lib])
    if rc != 0:
        return None
    return [l.split("[", 1)[1].split("]", 1)[0] for l in out.splitlines()
            if "(NEEDED)" in l]


def check_deps(lib):
    """The library needs only libc, libm, libpthread and libdl: never libcuda."""
    deps = needed(lib)
    if deps is None or any("cuda" in d for d in deps) or \
            not set(deps) <= {"libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2"}:
        return False, f": NEEDED {deps}"
    return True, ""


def no_driver_env():
    """The environment without any CUDA library directory on the loader path."""
    env = dict(os.environ)
    paths = [p for p in env.get("LD_LIBRARY_PATH", "").split(":")
             if p and "cuda" not in p.lower()]
    env["LD_LIBRARY_PATH"] = ":".join(paths)
    return env


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--onnx-compile", required=True)
    p.add_argument("--onnx-run", required=True)
    p.add_argument("--include", required=True, help="runtime-stub/include (onnxc/model.h)")
    p.add_argument("--cc", required=True, help="C compiler for the no-device program")
    p.add_argument("--model", action="append", default=[], help="an extra model to check")
    p.add_argument("--work")
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--filter")
    args = p.parse_args()

    cuda = os.environ.get("CUDA_PATH") or "/usr/local/cuda"
    ptxas = os.path.join(cuda, "bin", "ptxas")
    if not os.access(ptxas, os.X_OK):
        print(f"SKIP: no CUDA toolkit ({ptxas} not found)")
        return 77

    tmp = None
    if args.work:
        work = os.path.abspath(args.work)
        os.makedirs(work, exist_ok=True)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="onnx-cuda-")
        work = tmp.name
    here = os.path.dirname(os.path.abspath(__file__))
    failures = []

    # 1 + 2: the model set, for each GPU.
    cases = []  # (name, model, compile args, unsupported reason or "")
    for m in args.model:
        cases.append((os.path.splitext(os.path.basename(m))[0], os.path.abspath(m), [], ""))
    ops = os.path.join(work, "ops")
    for name in gen_models.generate(ops, args.filter):
        with open(os.path.join(ops, name, "case.json")) as f:
            meta = json.load(f)
        cases.append((name, os.path.join(ops, name, "model.onnx"), meta["compile_args"],
                      meta["unsupported"] or ""))

    # The model families of test/models (transformer block, LSTM with states, If, Loop and
    # Scan, local functions, opset 9): real control flow and recurrences.
    for make in run_models.CASES:
        case = make()
        if args.filter and args.filter not in case.name:
            continue
        folder, _ = run_models.write_case(case, os.path.join(work, "models"))
        cases.append((case.name, os.path.join(folder, "model.onnx"), [], CUDA_MAY_REFUSE))

    def one(case):
        name, model, extra, unsupported = case
        results = []
        for gpu in [",".join(GPUS)]:
            lib = os.path.join(work, "libs", f"{name}.so")
            rc, out = run([args.onnx_compile, "--target", "cuda", "--gpu", gpu, model,
                           "-o", lib] + extra)
            if unsupported == CUDA_MAY_REFUSE:
                ok = rc == 0 or (rc == 1 and "--target cuda" in out)
                if rc == 0:
                    ok, extra_msg = check_deps(lib)
                    results.append((ok, f"{name} {gpu}" + extra_msg))
                else:
                    results.append((ok, f"{name} {gpu}: " + ("refused for the GPU" if ok else
                                                            f"exit {rc}\n{tail(out)}")))
                continue
            if unsupported:
                ok = rc in (0, 1)  # Refused cleanly, or now supported: never a crash.
                results.append((ok, f"{name} {gpu}: " + ("refused as on CPU" if rc == 1 else
                                                        "compiles (CPU refuses it)")
                                + ("" if ok else f" exit {rc}\n{tail(out)}")))
                continue
            if rc != 0:
                results.append((False, f"{name} {gpu}: compile failed (exit {rc})\n{tail(out)}"))
                continue
            ok, extra_msg = check_deps(lib)
            results.append((ok, f"{name} {gpu}" + extra_msg))
        return results

    os.makedirs(os.path.join(work, "libs"), exist_ok=True)
    compiled = refused = 0
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for results in pool.map(one, cases):
            for ok, msg in results:
                if not ok:
                    failures.append(msg)
                    print("FAIL " + msg, flush=True)
                elif "refused" in msg:
                    refused += 1
                else:
                    compiled += 1
    print(f"compiled for {','.join(GPUS)} (ptxas accepted each GPU's PTX, no libcuda NEEDED): "
          f"{compiled} libraries; refused as on CPU: {refused}")

    # 3: the no-device path, through onnx-run and through the C API.
    net = os.path.join(work, "net")
    os.makedirs(net, exist_ok=True)
    model_txt = os.path.join(net, "net.onnxtxt")
    with open(model_txt, "w") as f:
        f.write('<ir_version: 8, opset_import: ["" : 13]>\n'
                "g (float[4,8] X) => (float[4,8] Y) { t = Relu(X)\n Y = Add(t, X) }\n")
    import onnx
    import onnx.parser
    with open(model_txt) as f:
        onnx.save(onnx.parser.parse_model(f.read()), os.path.join(net, "net.onnx"))
    rc, out = run([args.onnx_compile, "--target", "cuda", "--gpu", "sm_80", "--name", "net",
                   os.path.join(net, "net.onnx"), "-o", os.path.join(net, "net.so")])
    if rc != 0:
        failures.append(f"net: compile failed\n{tail(out)}")
    else:
        env = no_driver_env()
        rc, out = run([args.onnx_run, os.path.join(net, "net.so")], env=env)
        if rc != 3 or "no CUDA device" not in out:
            failures.append(f"onnx-run without a driver: exit {rc}, expected 3 and "
                            f"'no CUDA device'\n{tail(out)}")
        else:
            print("onnx-run without a driver: " + out.strip().splitlines()[-1])
        exe = os.path.join(net, "no_device")
        rc, out = run([args.cc, "-std=c99", "-Wall", "-Werror", f"-I{args.include}",
                       f"-I{net}", '-DMODEL_H="net.h"', os.path.join(here, "no_device.c"),
                       os.path.join(net, "net.so"), f"-Wl,-rpath,{net}", "-o", exe])
        if rc != 0:
            failures.append(f"building no_device.c failed\n{tail(out)}")
        else:
            rc, out = run([exe], env=env)
            if rc != 0:
                failures.append(f"C API without a driver\n{tail(out, 20)}")
            else:
                print("C API without a driver: every entry returned ONNXC_ERROR_NO_DEVICE")
            # The toolkit's stub libcuda posing as the driver: loads, but cuInit fails.
            stub = os.path.join(cuda, "lib64", "stubs", "libcuda.so")
            if os.path.exists(stub):
                fake = os.path.join(net, "stub-driver")
                os.makedirs(fake, exist_ok=True)
                link = os.path.join(fake, "libcuda.so.1")
                if not os.path.lexists(link):
                    os.symlink(stub, link)
                env2 = dict(env)
                env2["LD_LIBRARY_PATH"] = ":".join(filter(None, [fake, env["LD_LIBRARY_PATH"]]))
                rc, out = run([exe], env=env2)
                if rc != 0:
                    failures.append(f"C API with the stub libcuda\n{tail(out, 20)}")
                else:
                    print("C API with the toolkit's stub libcuda: ONNXC_ERROR_NO_DEVICE")

    if failures:
        print(f"\n{len(failures)} failures")
        if tmp:
            tmp.cleanup()
        return 1
    print("all CUDA checks passed")
    if tmp:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())

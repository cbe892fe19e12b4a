#!/usr/bin/python3
"""Runs the end-to-end op tests: generate every case (gen_models.py), compile it with
onnx-compile, run it with onnx-run against the numpy reference outputs.

    run_e2e.py --onnx-compile BIN --onnx-run BIN [--work DIR] [--jobs N] [--filter SUBSTRING]
               [--compile-arg=ARG ...]

Prints one line per case, PASS or FAIL with the reason and the tail of the tool's output,
then a last line `N passed, M failed`. Exits 1 if any case failed.

Cases marked `unsupported` in their case.json cover valid ONNX the compiler refuses on
purpose today; they pass when onnx-compile refuses them cleanly (exit 1, no crash) and are
reported as such, so the refusals stay visible without keeping the suite red.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True  # Leave no __pycache__ in the source tree under CTest.
import gen_models  # noqa: E402

# Generous: a case compiles in well under a second, but a hung compiler must not hang CTest.
COMPILE_TIMEOUT_S = 120
RUN_TIMEOUT_S = 60
TAIL_LINES = 15


def run_tool(cmd, timeout):
    """Runs cmd, returns (returncode, or None on timeout, and the combined output)."""
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=timeout)
        return p.returncode, p.stdout.decode(errors="replace")
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace")
        return None, out
    except OSError as e:  # E.g. the binary is being relinked by a concurrent build.
        return 127, f"cannot start {cmd[0]}: {e}"


def abnormal_exit(rc, timeout):
    """Describes a hang or a death by signal; None for an ordinary exit status."""
    if rc is None:
        return f"timed out after {timeout}s"
    if rc < 0:
        try:
            name = signal.Signals(-rc).name
        except ValueError:
            name = f"signal {-rc}"
        return f"crashed ({name})"
    return None


def with_tail(message, text):
    lines = text.rstrip().splitlines()[-TAIL_LINES:]
    return "\n".join([message] + ["    | " + l for l in lines])


def run_case(args, folder):
    """Returns (passed, message); a passing case's message is a remark or empty."""
    with open(os.path.join(folder, "case.json")) as f:
        meta = json.load(f)
    model = os.path.join(folder, "model.onnx")
    lib = os.path.join(folder, "model.so")
    data = os.path.join(folder, "test_data_set_0")

    rc, out = run_tool([args.onnx_compile, model, "-o", lib] + meta["compile_args"]
                       + args.compile_arg, COMPILE_TIMEOUT_S)
    # A signal (or a hang) is a compiler crash, which is worth telling apart from a clean
    # "cannot compile" diagnostic; only the latter is acceptable, and only for cases known to
    # be unsupported.
    if meta["unsupported"] and rc == 1:
        return True, f"refused as expected: {meta['unsupported']}"
    if rc != 0:
        abnormal = abnormal_exit(rc, COMPILE_TIMEOUT_S)
        return False, with_tail(f"compile {abnormal}" if abnormal
                                else f"compile failed (exit {rc})", out)
    if not os.path.isfile(lib):
        return False, with_tail(f"compile exited 0 but wrote no {lib}", out)

    single, multi = (os.path.join(folder, d) for d in ("outputs_1_thread", "outputs_3_threads"))
    os.makedirs(single, exist_ok=True)
    os.makedirs(multi, exist_ok=True)
    rc, out = run_tool([args.onnx_run, lib, "--inputs", data, "--expect", data,
                        "--rtol", repr(meta["rtol"]), "--atol", repr(meta["atol"]),
                        "--save-outputs", single], RUN_TIMEOUT_S)
    if rc == 0:
        if meta["unsupported"]:
            return True, "now supported and correct: drop its 'unsupported' mark"
        # Results must not depend on the thread count: the same bytes on 3 threads.
        rc, out = run_tool([args.onnx_run, lib, "--inputs", data, "--threads", "3",
                            "--save-outputs", multi], RUN_TIMEOUT_S)
        if rc != 0:
            abnormal = abnormal_exit(rc, RUN_TIMEOUT_S)
            return False, with_tail(f"run on 3 threads {abnormal or f'failed (exit {rc})'}", out)
        for name in sorted(os.listdir(single)):
            with open(os.path.join(single, name), "rb") as a, \
                 open(os.path.join(multi, name), "rb") as b:
                if a.read() != b.read():
                    return False, f"{name} differs between 1 and 3 threads"
        return True, ""
    abnormal = abnormal_exit(rc, RUN_TIMEOUT_S)
    if abnormal:
        reason = f"run {abnormal}"
    else:
        reason = {1: "outputs differ", 2: "bad onnx-run command line",
                  3: "load or run error"}.get(rc, "run failed") + f" (exit {rc})"
    return False, with_tail(f"{reason}; rtol {meta['rtol']}, atol {meta['atol']}", out)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--onnx-compile", required=True, help="path of the onnx-compile binary")
    p.add_argument("--onnx-run", required=True, help="path of the onnx-run binary")
    p.add_argument("--work", help="folder for the cases and compiled libraries "
                                  "(default: a temporary folder, removed afterwards)")
    p.add_argument("--jobs", type=int, default=2, help="cases run in parallel (default 2)")
    p.add_argument("--filter", help="only cases whose name contains this")
    p.add_argument("--compile-arg", action="append", default=[],
                   help="extra onnx-compile flag for every case, e.g. --compile-arg=-O0 "
                        "(repeatable)")
    args = p.parse_args()
    for tool in (args.onnx_compile, args.onnx_run):
        if not os.access(tool, os.X_OK):
            print(f"error: {tool} is not an executable", file=sys.stderr)
            return 2

    tmp = None
    if args.work:
        work = os.path.abspath(args.work)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="onnx-e2e-")
        work = tmp.name
    names = gen_models.generate(work, args.filter)
    if not names:
        print("error: no case matches the filter", file=sys.stderr)
        return 2

    lock = threading.Lock()
    failed, refused = [], []

    def one(name):
        try:
            ok, msg = run_case(args, os.path.join(work, name))
        except Exception as e:  # A harness bug should fail one case, not hide the others.
            ok, msg = False, f"harness error: {e!r}"
        with lock:  # Keep each case's lines together.
            if ok:
                print(f"PASS {name}" + (f" ({msg})" if msg else ""), flush=True)
                if msg.startswith("refused"):
                    refused.append(name)
            else:
                print(f"FAIL {name}: {msg}", flush=True)
                failed.append(name)

    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        list(pool.map(one, names))

    if refused:
        print(f"\n{len(refused)} passing cases are expected refusals of unsupported features: "
              + " ".join(sorted(refused)))
    if failed:
        print("\nfailed cases: " + " ".join(sorted(failed)))
        if not tmp:
            print(f"(models and data kept in {work})")
    print(f"{len(names) - len(failed)} passed, {len(failed)} failed")
    if tmp:
        tmp.cleanup()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""ONNX backend-test conformance: compile every case of Debian's libonnx-testdata with
onnx-compile, run it with onnx-run, compare every output, and classify the case.

    conformance.py --onnx-compile BIN --onnx-run BIN [--data DIR] [--work DIR] [--jobs N]
                   [--expectations FILE] [--update] [--filter REGEX]

Statuses: pass; wrong (ran, outputs differ); refused (the compiler rejected the model with a
diagnostic, the first line is kept as the reason); crash (the compiler or the compiled code
died on a signal or returned an unexpected exit code); hang (timed out). A crash or hang is a
bug, never an accepted status: the expectations file may not list one.

With --expectations, the run fails when a case listed as passing does not pass, when a case
listed as failing passes (so the list stays true), or on any crash or hang; --update
rewrites the file from this run instead. Tolerances are ONNX's backend ones: rtol 1e-3,
atol 1e-7, exact for integers and bools (onnx-run does the comparison).
"""
import argparse
import concurrent.futures
import os
import re
import subprocess
import sys
import time

CATEGORIES = ["node", "simple", "pytorch-converted", "pytorch-operator"]
COMPILE_TIMEOUT = 120
RUN_TIMEOUT = 60


def classify_exit(proc_rc, expected_codes):
    """A negative code is a signal; codes outside the tool's documented set count as crashes."""
    if proc_rc < 0:
        return "crash", f"killed by signal {-proc_rc}"
    if proc_rc not in expected_codes:
        return "crash", f"unexpected exit code {proc_rc}"
    return None, None


def first_error_line(text):
    for line in text.splitlines():
        if "error:" in line:
            return line.split("error:", 1)[1].strip()
    lines = [l for l in text.splitlines() if l.strip()]
    return lines[0].strip() if lines else "no diagnostic"


def run_case(case_dir, work_dir, compiler, runner):
    """Returns (status, reason)."""
    os.makedirs(work_dir, exist_ok=True)
    lib = os.path.join(work_dir, "model.so")
    try:
        p = subprocess.run([compiler, os.path.join(case_dir, "model.onnx"), "-o", lib],
                           capture_output=True, text=True, timeout=COMPILE_TIMEOUT)
    except subprocess.TimeoutExpired:
        return "hang", f"onnx-compile exceeded {COMPILE_TIMEOUT} s"
    status, reason = classify_exit(p.returncode, {0, 1, 2, 3})
    if status:
        return status, "onnx-compile " + reason + ": " + first_error_line(p.stderr)
    if p.returncode != 0:
        return "refused", first_error_line(p.stderr)
    sets = sorted(d for d in os.listdir(case_dir) if d.startswith("test_data_set_"))
    for s in sets:
        data = os.path.join(case_dir, s)
        try:
            r = subprocess.run([runner, lib, "--inputs", data, "--expect", data,
                                "--rtol", "1e-3", "--atol", "1e-7"],
                               capture_output=True, text=True, timeout=RUN_TIMEOUT)
        except subprocess.TimeoutExpired:
            return "hang", f"{s}: run exceeded {RUN_TIMEOUT} s"
        status, reason = classify_exit(r.returncode, {0, 1, 3})
        if status:
            return status, f"{s}: compiled code {reason}"
        if r.returncode == 3:
            return "wrong", f"{s}: " + first_error_line(r.stderr)
        if r.returncode == 1:
            bad = [l.strip() for l in r.stdout.splitlines() if "MISMATCH" in l]
            return "wrong", f"{s}: " + (bad[0] if bad else "outputs differ")
    try:
        os.remove(lib)
    except OSError:
        pass
    return "pass", ""


# Cases whose reference output was shown to be wrong, and how: a `wrong` result gets this
# as its reason instead of the comparison's first line.
REFERENCE_ERRORS = {
    "node/test_cast_FLOAT_to_BFLOAT16":
        "reference is wrong: its bfloat16 values are the float32 bits truncated (0.48033667 "
        "gives 0x3EF5) where round-to-nearest-even (IEEE 754, torch.Tensor.bfloat16) gives "
        "0x3EF6",
    "node/test_adam_multiple":
        "reference is wrong: ONNX 1.12's generator computed it with epsilon 1e-2, but the node "
        "has no epsilon attribute, so the schema default 1e-6 applies (numpy with 1e-6 gives "
        "X1_new 0.755959, the file holds 0.759136)",
}


def read_expectations(path):
    """Lines `category/case: status: reason`; cases not listed are expected to pass."""
    expected = {}
    if not path or not os.path.exists(path):
        return expected
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            case, status, *reason = [x.strip() for x in line.split(":", 2)]
            expected[case] = (status, reason[0] if reason else "")
    return expected


def write_expectations(path, results):
    with open(path, "w") as f:
        f.write("# ONNX backend-test cases that do not pass, with the reason (status: refused or\n"
                "# wrong). Every case not listed must pass. Regenerate with conformance.py --update\n"
                "# and review the diff: a reason must say why, never just 'fails'.\n")
        for case in sorted(results):
            status, reason = results[case]
            if status != "pass":
                f.write(f"{case}: {status}: {reason}\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--onnx-compile", required=True)
    ap.add_argument("--onnx-run", required=True)
    ap.add_argument("--data", default="/usr/share/libonnx-testdata/data")
    ap.add_argument("--work", default="/tmp/onnxc-conformance")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--expectations")
    ap.add_argument("--update", action="store_true")
    ap.add_argument("--filter", default="")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()

    cases = []
    for cat in CATEGORIES:
        root = os.path.join(args.data, cat)
        if not os.path.isdir(root):
            continue
        for name in sorted(os.listdir(root)):
            d = os.path.join(root, name)
            if os.path.isfile(os.path.join(d, "model.onnx")) and re.search(args.filter, f"{cat}/{name}"):
                cases.append((f"{cat}/{name}", d))
    if not cases:
        print("conformance: no cases found under", args.data)
        return 1

    start = time.time()
    results = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = {pool.submit(run_case, d, os.path.join(args.work, key), args.onnx_compile,
                               args.onnx_run): key for key, d in cases}
        for fut in concurrent.futures.as_completed(futures):
            key = futures[fut]
            results[key] = fut.result()
            if results[key][0] == "wrong" and key in REFERENCE_ERRORS:
                results[key] = ("wrong", REFERENCE_ERRORS[key])
            if args.verbose:
                print(f"{key}: {results[key][0]} {results[key][1]}", flush=True)
    wall = time.time() - start

    # Per-category table.
    statuses = ["pass", "wrong", "refused", "crash", "hang"]
    print(f"{'category':<20}" + "".join(f"{s:>9}" for s in statuses) + f"{'total':>9}")
    for cat in CATEGORIES:
        keys = [k for k in results if k.startswith(cat + "/")]
        if not keys:
            continue
        counts = [sum(1 for k in keys if results[k][0] == s) for s in statuses]
        print(f"{cat:<20}" + "".join(f"{c:>9}" for c in counts) + f"{len(keys):>9}")

    bugs = sorted(k for k in results if results[k][0] in ("crash", "hang"))
    for k in bugs:
        print(f"BUG {k}: {results[k][0]}: {results[k][1]}")

    failed_checks = list(bugs)
    if args.expectations and args.update:
        write_expectations(args.expectations, results)
        print(f"conformance: wrote {args.expectations}")
    elif args.expectations:
        expected = read_expectations(args.expectations)
        for k in sorted(results):
            got = results[k][0]
            want = expected.get(k, ("pass", ""))[0]
            if got in ("crash", "hang"):
                continue
            if want == "pass" and got != "pass":
                print(f"REGRESSION {k}: expected to pass, got {got}: {results[k][1]}")
                failed_checks.append(k)
            elif want != "pass" and got == "pass":
                print(f"UNEXPECTED PASS {k}: listed as {want}; remove it from {args.expectations}")
                failed_checks.append(k)

    passed = sum(1 for r in results.values() if r[0] == "pass")
    print(f"conformance wall time: {wall:.1f} s for {len(results)} cases ({args.jobs} jobs)")
    # The plain summary line CI reads: cases, not expectation checks.
    print(f"{passed} passed, {len(results) - passed} failed")
    if args.expectations and not args.update:
        print(f"expectation checks: {len(failed_checks)} failed")
        return 1 if failed_checks else 0
    return 1 if bugs else 0


if __name__ == "__main__":
    sys.exit(main())

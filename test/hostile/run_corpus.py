#!/usr/bin/python3
"""Compiles every case of the broken-model corpus and checks for a clean refusal:
   run_corpus.py --onnx-compile BIN --corpus DIR
exit code 1, an `error:` line containing the case's expect.txt (and its where.txt, when the
error is about one graph entry: `model.onnx:@0x<offset>: node '...'`), no crash (signal, stack
dump, sanitizer report) and no hang. Prints one line per failure and `N passed, M failed`."""
import argparse
import os
import subprocess
import sys

ap = argparse.ArgumentParser()
ap.add_argument("--onnx-compile", required=True)
ap.add_argument("--corpus", required=True)
args = ap.parse_args()

# Generated cases (a folder with model.onnx and expect.txt), then the inputs the fuzzer once
# crashed on (fuzz-crashes/, beside this script), which must now compile or be clean errors.
cases = []
for case in sorted(os.listdir(args.corpus)):
    d = os.path.join(args.corpus, case)
    if os.path.isfile(os.path.join(d, "expect.txt")):
        where = os.path.join(d, "where.txt")
        cases.append((case, os.path.join(d, "model.onnx"), open(os.path.join(d, "expect.txt")).read(),
                      open(where).read() if os.path.isfile(where) else None))
crashes = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fuzz-crashes")
for f in sorted(os.listdir(crashes)) if os.path.isdir(crashes) else []:
    cases.append(("fuzz-crashes/" + f, os.path.join(crashes, f), None, None))

passed = failed = 0
for case, path, expect, where in cases:
    try:
        p = subprocess.run([args.onnx_compile, path, "-o", os.path.join(args.corpus, "out.so")],
                           capture_output=True, text=True, timeout=120)
        err = p.stderr
        problem = None
        if p.returncode < 0:
            problem = f"killed by signal {-p.returncode}"
        elif "Stack dump" in err or "Sanitizer" in err or "LLVM ERROR" in err:
            problem = "crash report on stderr"
        elif expect is None and p.returncode in (0, 1):
            pass  # A fuzzer input: some are valid models (the crash was on valid input).
        elif p.returncode != 1:
            problem = f"exit code {p.returncode}, expected 1"
        elif "error:" not in err or expect not in err:
            problem = f"message lacks {expect!r}"
        elif where and where not in err:
            problem = f"message lacks the entry's offset and name {where!r}"
    except subprocess.TimeoutExpired:
        problem, err = "hang (120 s)", ""
    if problem:
        failed += 1
        print(f"FAIL {case}: {problem}\n  " + "\n  ".join(err.strip().splitlines()[:6]))
    else:
        passed += 1
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)

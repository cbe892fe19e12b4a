#!/usr/bin/python3
"""CPU time per inference of compiled models, for a machine too loaded for wall time.

    bench/cycles.py LIB.so [LIB.so ...] [--threads T] [--iters N] [--reps R] [--build DIR]

Runs `perf stat -e task-clock,cycles:u,instructions:u onnx-run LIB.so --iters N --warmup 0`
and the same with --iters 1, and reports the difference divided by N - 1 (loading, set-up and
the cold first run cancel out); the median of R repetitions. The CPU time of our process
(task-clock) does not count the time other processes hold the cores, unlike wall-clock time
(cache sharing and clock changes still show). Where the machine exposes hardware counters
(not in the dev VMs) user cycles and instructions are reported too. With --threads > 1 the
figures add up all threads.
"""
import argparse
import os
import statistics
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def counters(run, lib, iters, threads):
    r = subprocess.run(["perf", "stat", "-x,", "-e", "task-clock,cycles:u,instructions:u", run,
                        lib, "--iters", str(iters), "--warmup", "0", "--threads", str(threads)],
                       capture_output=True, text=True, check=True)
    out = {}
    for line in r.stderr.splitlines():
        f = line.split(",")
        if len(f) > 2:
            try:
                out[f[2].split(":")[0]] = float(f[0])
            except ValueError:
                pass
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("libs", nargs="+")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--iters", type=int, default=20)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    a = ap.parse_args()
    run = os.path.join(a.build, "bin", "onnx-run")
    for lib in a.libs:
        per = {}
        for _ in range(a.reps):
            c1 = counters(run, lib, a.iters, a.threads)
            c0 = counters(run, lib, 1, a.threads)
            for k in c1:
                if k in c0:
                    per.setdefault(k, []).append((c1[k] - c0[k]) / (a.iters - 1))
        t = per["task-clock"]
        line = (f"{os.path.basename(lib):32} CPU {statistics.median(t):8.3f} ms/run "
                f"(spread {min(t):.3f}-{max(t):.3f})")
        if "cycles" in per and "instructions" in per:
            c, i = statistics.median(per["cycles"]), statistics.median(per["instructions"])
            line += f"  {c / 1e6:9.2f} Mcycles  {i / 1e6:9.2f} Minstr  IPC {i / c:.2f}"
        print(line, flush=True)


if __name__ == "__main__":
    main()

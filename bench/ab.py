#!/usr/bin/python3
"""A/B latency of two libraries of one model (two compilers), in one invocation.

    bench/ab.py ONNX_RUN A.so B.so INPUT_DIR THREADS [ROUNDS] [K]

Serves both libraries with `onnx-run --serve` (inputs from INPUT_DIR's input_*.pb), warms
them up, then runs K times each, alternately (the order swapped every round), for ROUNDS
rounds. Prints the medians and the 10th percentiles of all runs and their ratios B/A. On a
shared machine only these same-invocation ratios mean anything; the 10th percentile is the
less disturbed by other processes' bursts.
"""
import statistics
import subprocess
import sys


def main():
    if len(sys.argv) < 6:
        sys.exit(__doc__)
    run, a, b, inputs, threads = sys.argv[1:6]
    rounds = int(sys.argv[6]) if len(sys.argv) > 6 else 30
    k = int(sys.argv[7]) if len(sys.argv) > 7 else 5
    servers = {name: subprocess.Popen([run, so, "--inputs", inputs, "--threads", threads,
                                       "--serve"], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, text=True)
               for name, so in (("A", a), ("B", b))}

    def go(p, n):
        p.stdin.write(f"run {n}\n")
        p.stdin.flush()
        while True:
            line = p.stdout.readline()
            if not line:
                sys.exit("onnx-run ended early")
            if line.startswith("us "):
                return [float(x) for x in line.split()[1:]]

    for p in servers.values():
        go(p, max(3, k))
    times = {"A": [], "B": []}
    for r in range(rounds):
        for name in (("A", "B") if r % 2 == 0 else ("B", "A")):
            times[name] += go(servers[name], k)
    for p in servers.values():
        p.stdin.write("quit\n")
        p.stdin.flush()
        p.wait()

    def p10(x):
        return sorted(x)[len(x) // 10]

    ma, mb = statistics.median(times["A"]), statistics.median(times["B"])
    pa, pb = p10(times["A"]), p10(times["B"])
    print(f"T={threads} median A {ma / 1000:.3f} ms B {mb / 1000:.3f} ms B/A {mb / ma:.3f} | "
          f"p10 A {pa / 1000:.3f} B {pb / 1000:.3f} B/A {pb / pa:.3f} (n={len(times['A'])})")


if __name__ == "__main__":
    main()

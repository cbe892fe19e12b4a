#!/usr/bin/python3
"""The CUDA backend on a GPU: outputs against CPU references, latency against PyTorch eager.

Two steps, so that the GPU machine needs neither the compiler nor the onnx package:

  bench/gpu_bench.py prepare MODEL.onnx... --out DIR [--gpu sm_90] [--build BUILD]
      (any machine with a build) compiles each model twice, `--target cuda --gpu GPU` and for
      the CPU, runs the CPU library on the model's inputs (<model dir>/testdata/NAME/
      test_data_set_0/input_*.pb when present, else seeded random data) and writes
      DIR/NAME.cuda.so, DIR/NAME/{input,ref}_<i>.npy and DIR/manifest.json.

  bench/gpu_bench.py run DIR [--runs 50] [--warmup 10] [--export /path/to/export.py]
                     [--json OUT.json]
      (the GPU machine: numpy, and torch for the PyTorch column) loads every NAME.cuda.so with
      ctypes through the generic entry (onnxc_model_get), checks that init() is ONNXC_OK, runs
      it on the inputs, compares every output with the CPU reference at rtol 1e-3 / atol 1e-4
      (|got - ref| <= atol + rtol * |ref|), then times batch-1 latency (median of --runs after
      --warmup): the host-pointer call (copies in and out included) and, with torch, the
      device-pointer call `<name>_run_device` on torch's stream with inputs and outputs in
      torch CUDA tensors. With --export (the model set's export.py, which builds the same
      torchvision architectures with torch.manual_seed(0)), PyTorch eager runs the same
      architecture on the GPU (fp32, TF32 off, torch.no_grad) and is timed the same way with
      CUDA events. Prints a Markdown table for docs/perf.md; exits 1 if any output differs.

  bench/gpu_bench.py prepare-ops --out DIR [--gpu sm_90] [--build BUILD] [--filter SUBSTR]
      the e2e-ops cases of test/e2e/gen_models.py (each a one- or few-op model with inputs and
      outputs computed independently with numpy) compiled for the GPU into DIR, in the layout
      `run` reads; outputs are compared with the case's own tolerances instead of the CPU's.

Each library runs in a worker process, so that a crash (a fault in the runtime stub or the
driver) is reported for its model and the next model still runs.
"""
import argparse
import ctypes
import glob
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RTOL, ATOL = 1e-3, 1e-4
NP_DTYPES = {1: np.float32, 2: np.uint8, 3: np.int8, 4: np.uint16, 5: np.int16, 6: np.int32,
             7: np.int64, 9: np.bool_, 10: np.float16, 11: np.float64, 12: np.uint32,
             13: np.uint64}
ONNXC_OK, ONNXC_ERROR_NO_DEVICE = 0, 5


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------ prepare
def compile_cuda(compiler, model, lib, gpu, extra=()):
    """Compiles for the GPU; returns (seconds, None) or (None, the compiler's message)."""
    t = time.time()
    p = subprocess.run([compiler, "--target", "cuda", "--gpu", gpu, model, "-o", lib,
                        "--name", "net", *extra], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        return None, f"exit {p.returncode}: " + p.stdout.strip()[-600:]
    return time.time() - t, None


def load_pb(path):
    import onnx
    from onnx import numpy_helper
    t = onnx.TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    return numpy_helper.to_array(t)


def prepare(args):
    import onnx
    from onnx import numpy_helper
    build = os.path.abspath(args.build)
    compiler = os.path.join(build, "bin", "onnx-compile")
    runner = os.path.join(build, "bin", "onnx-run")
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    manifest = {"gpu": args.gpu, "models": []}
    for path in args.models:
        name = os.path.splitext(os.path.basename(path))[0]
        folder = os.path.join(out, name)
        os.makedirs(folder, exist_ok=True)
        lib = os.path.join(out, name + ".cuda.so")
        log(f"{name}: compiling for cuda {args.gpu}")
        compile_s, error = compile_cuda(compiler, path, lib, args.gpu, args.flags.split())
        if error:
            log(f"{name}: {error}")
            manifest["models"].append({"name": name, "kind": "model", "error": error})
            continue
        cpu_lib = os.path.join(folder, "cpu.so")
        subprocess.run([compiler, path, "-o", cpu_lib, "--name", "net"], check=True)
        model = onnx.load(path, load_external_data=False)
        inits = {i.name for i in model.graph.initializer}
        graph_inputs = [i for i in model.graph.input if i.name not in inits]
        data = os.path.join(os.path.dirname(os.path.abspath(path)), "testdata", name,
                            "test_data_set_0")
        inputs_dir = os.path.join(folder, "inputs")
        os.makedirs(inputs_dir, exist_ok=True)
        rng = np.random.default_rng(0)
        for i, vi in enumerate(graph_inputs):
            pb = os.path.join(data, f"input_{i}.pb")
            if os.path.exists(pb):
                x = load_pb(pb)
            else:
                shape = [d.dim_value for d in vi.type.tensor_type.shape.dim]
                dt = onnx.helper.tensor_dtype_to_np_dtype(vi.type.tensor_type.elem_type)
                x = (rng.uniform(-1, 1, shape).astype(dt) if np.issubdtype(dt, np.floating)
                     else np.zeros(shape, dt))
            np.save(os.path.join(folder, f"input_{i}.npy"), x)
            with open(os.path.join(inputs_dir, f"input_{i}.pb"), "wb") as f:
                f.write(numpy_helper.from_array(x, vi.name).SerializeToString())
        refs = os.path.join(folder, "refs")
        os.makedirs(refs, exist_ok=True)
        subprocess.run([runner, cpu_lib, "--inputs", inputs_dir, "--save-outputs", refs],
                       check=True, stdout=subprocess.DEVNULL)
        n_out = 0
        for pb in sorted(glob.glob(os.path.join(refs, "output_*.pb"))):
            np.save(os.path.join(folder, f"ref_{n_out}.npy"), load_pb(pb))
            n_out += 1
        os.remove(cpu_lib)
        manifest["models"].append({"name": name, "kind": "model", "inputs": len(graph_inputs),
                                   "outputs": n_out, "compile_s": round(compile_s, 2),
                                   "rtol": args.rtol, "atol": args.atol})
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    log(f"wrote {out}; copy it to the GPU machine and run: bench/gpu_bench.py run {out}")
    return 0


def prepare_ops(args):
    """The e2e-ops cases for the GPU, compared with their own (numpy) references."""
    from concurrent.futures import ThreadPoolExecutor
    sys.path.insert(0, os.path.join(ROOT, "test", "e2e"))
    sys.path.insert(0, os.path.join(ROOT, "test", "models"))
    sys.dont_write_bytecode = True
    import gen_models
    import run_models
    compiler = os.path.join(os.path.abspath(args.build), "bin", "onnx-compile")
    out = os.path.abspath(args.out)
    cases_dir = os.path.join(out, "cases")
    names = [] if args.families_only else gen_models.generate(cases_dir, args.filter)
    # The model families of test/models too (LSTM with states, If, Loop/Scan, a transformer
    # block...), with their first data set; those with dims given at run time are refused
    # for the GPU.
    for make in run_models.CASES:
        case = make()
        if args.filter and args.filter not in case.name:
            continue
        folder, _ = run_models.write_case(case, cases_dir)
        with open(os.path.join(folder, "case.json"), "w") as f:
            json.dump({"rtol": case.rtol, "atol": case.atol, "compile_args": [],
                       "unsupported": ""}, f)
        names.append(case.name)

    def one(name):
        case = os.path.join(cases_dir, name)
        with open(os.path.join(case, "case.json")) as f:
            meta = json.load(f)
        entry = {"name": name, "kind": "op", "rtol": meta["rtol"], "atol": meta["atol"]}
        if meta["unsupported"]:
            return None  # Refused on the CPU too: check_cuda.py checks the refusal.
        _, error = compile_cuda(compiler, os.path.join(case, "model.onnx"),
                                os.path.join(out, name + ".cuda.so"), args.gpu,
                                meta["compile_args"])
        folder = os.path.join(out, name)
        os.makedirs(folder, exist_ok=True)
        if error:
            entry["error"] = error
            # Refusals the user sees as a clear message (dynamic shapes, checks...) are noted
            # apart from compiler failures.
            entry["refused"] = "--target cuda" in error
        data = os.path.join(case, "test_data_set_0")
        n_in = len(glob.glob(os.path.join(data, "input_*.pb")))
        n_out = len(glob.glob(os.path.join(data, "output_*.pb")))
        for i in range(n_in):
            np.save(os.path.join(folder, f"input_{i}.npy"),
                    load_pb(os.path.join(data, f"input_{i}.pb")))
        for i in range(n_out):
            np.save(os.path.join(folder, f"ref_{i}.npy"),
                    load_pb(os.path.join(data, f"output_{i}.pb")))
        entry.update(inputs=n_in, outputs=n_out)
        return entry

    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        entries = [e for e in pool.map(one, names) if e]
    shutil.rmtree(cases_dir)
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump({"gpu": args.gpu, "models": entries}, f, indent=1)
    bad = [e for e in entries if "error" in e]
    log(f"{len(entries)} cases, {len(bad)} not compiled "
        f"({sum(1 for e in bad if e['refused'])} refused for --target cuda); wrote {out}")
    for e in bad:
        if not e["refused"]:
            log(f"  {e['name']}: {e['error'][-300:]}")
    return 0


# ------------------------------------------------------------------------------------ run
class TensorDesc(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("dtype", ctypes.c_int32), ("rank", ctypes.c_int32),
                ("dims", ctypes.POINTER(ctypes.c_int64)), ("size_bytes", ctypes.c_uint64)]


RunFn = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_void_p),
                         ctypes.POINTER(ctypes.c_void_p), ctypes.c_void_p)


class Model(ctypes.Structure):
    _fields_ = [("abi_version", ctypes.c_uint32), ("num_inputs", ctypes.c_uint32),
                ("num_outputs", ctypes.c_uint32), ("reserved", ctypes.c_uint32),
                ("name", ctypes.c_char_p), ("target", ctypes.c_char_p),
                ("inputs", ctypes.POINTER(TensorDesc)), ("outputs", ctypes.POINTER(TensorDesc)),
                ("workspace_size", ctypes.c_uint64), ("workspace_alignment", ctypes.c_uint64),
                ("init", ctypes.CFUNCTYPE(ctypes.c_int)), ("run", RunFn),
                ("status_string", ctypes.CFUNCTYPE(ctypes.c_char_p, ctypes.c_int))]


def median_ms(fn, runs, warmup, sync=None):
    for _ in range(warmup):
        fn()
    if sync:
        sync()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        if sync:
            sync()
        times.append((time.perf_counter() - t) * 1e3)
    return statistics.median(times)


def torch_eager(export_py, name, runs, warmup):
    """PyTorch eager latency of the same architecture and seed, batch 1, on the GPU."""
    import importlib.util
    import torch
    spec = importlib.util.spec_from_file_location("model_export", export_py)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    if name not in mod.MODELS:
        return None
    ctor, io_spec, _, _ = mod.MODELS[name]
    torch.manual_seed(0)
    model = ctor()
    model.eval()
    mod.calibrate_bn(model, io_spec)
    inputs = [x.cuda() for x in mod.make_inputs(io_spec, seed=0)]
    model = model.cuda().eval()
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    with torch.no_grad():
        return median_ms(lambda: model(*inputs), runs, warmup, torch.cuda.synchronize)


def check_outputs(folder, outs, rtol, atol):
    """(all match, worst |err| / (atol + rtol |ref|), rel L2 of the first output)."""
    worst, ok, rel_l2 = 0.0, True, None
    for i, y in enumerate(outs):
        ref = np.load(os.path.join(folder, f"ref_{i}.npy"))
        if y.shape != ref.shape:
            return False, float("inf"), None
        if y.dtype.kind == "f":
            err = np.abs(y.astype(np.float64) - ref)
            bound = atol + rtol * np.abs(ref.astype(np.float64))
            ok &= bool(np.all(err <= bound))  # NaN in both: compared below.
            nan_ok = np.isnan(y) == np.isnan(ref)
            ok &= bool(np.all(nan_ok))
            err = np.where(np.isnan(err), 0.0, err)
            worst = max(worst, float(np.max(err / bound)) if err.size else 0.0)
            if i == 0 and err.size:
                rel_l2 = float(np.linalg.norm(err) / max(np.linalg.norm(ref), 1e-30))
        else:
            ok &= bool(np.array_equal(y, ref))
    return ok, worst, rel_l2


def run_entry(folder_root, entry, args, torch_mod):
    """Runs one library: the generic entry with host pointers, then (models) timings."""
    name = entry["name"]
    folder = os.path.join(folder_root, name)
    lib = ctypes.CDLL(os.path.join(folder_root, name + ".cuda.so"))
    lib.onnxc_model_get.restype = ctypes.POINTER(Model)
    m = lib.onnxc_model_get().contents
    status = m.init()
    if status != ONNXC_OK:
        return {"status": "init failed: " + m.status_string(status).decode(),
                "no_device": status == ONNXC_ERROR_NO_DEVICE}
    ins = [np.ascontiguousarray(np.load(os.path.join(folder, f"input_{i}.npy")))
           for i in range(m.num_inputs)]
    outs = [np.zeros([m.outputs[i].dims[d] for d in range(m.outputs[i].rank)],
                     NP_DTYPES[m.outputs[i].dtype]) for i in range(m.num_outputs)]
    in_ptrs = (ctypes.c_void_p * max(1, len(ins)))(*[x.ctypes.data for x in ins])
    out_ptrs = (ctypes.c_void_p * max(1, len(outs)))(*[y.ctypes.data for y in outs])
    call = lambda: m.run(in_ptrs, out_ptrs, None)  # noqa: E731
    status = call()
    if status != ONNXC_OK:
        return {"status": "run failed: " + m.status_string(status).decode()}
    ok, worst, rel_l2 = check_outputs(folder, outs, entry["rtol"], entry["atol"])
    row = {"status": "match" if ok else "MISMATCH", "worst_err_over_bound": worst,
           "rel_l2": rel_l2}
    if entry["kind"] != "model":
        return row
    # A second call on the same buffers gives the same result (weights stay uploaded).
    outs2 = [y.copy() for y in outs]
    call()
    row["repeat_same"] = all(np.array_equal(a, b, equal_nan=True) for a, b in zip(outs, outs2))
    row["host_ms"] = median_ms(call, args.runs, args.warmup)
    if torch_mod is None:
        return row
    torch = torch_mod
    # The device-pointer call on torch's stream, tensors already on the GPU.
    run_dev = getattr(lib, "net_run_device")
    run_dev.restype = ctypes.c_int
    lib.net_create.restype = ctypes.c_void_p
    lib.net_destroy.argtypes = [ctypes.c_void_p]
    ctx = lib.net_create()
    t_ins = [torch.from_numpy(x).cuda() for x in ins]
    t_outs = [torch.zeros(y.shape, dtype=torch.from_numpy(y).dtype).cuda() for y in outs]
    stream = torch.cuda.current_stream().cuda_stream
    argv = ([ctypes.c_void_p(ctx)] + [ctypes.c_void_p(t.data_ptr()) for t in t_ins]
            + [ctypes.c_void_p(t.data_ptr()) for t in t_outs] + [ctypes.c_void_p(stream)])
    status = run_dev(*argv)
    torch.cuda.synchronize()
    if status == ONNXC_OK:
        dev_ok = all(np.array_equal(t.cpu().numpy(), y, equal_nan=True)
                     for t, y in zip(t_outs, outs))
        row["device_matches_host"] = dev_ok
        row["device_ms"] = median_ms(lambda: run_dev(*argv), args.runs, args.warmup,
                                     torch.cuda.synchronize)
    else:
        row["device_status"] = m.status_string(status).decode()
    if args.profile and status == ONNXC_OK:
        # Per-kernel device time of 10 device-pointer runs (CUPTI sees every kernel of the
        # process, ours included), to stderr: the kernels are named main_graph_kernel_N in
        # launch order of their first use.
        from torch.profiler import ProfilerActivity, profile
        with profile(activities=[ProfilerActivity.CUDA]) as prof:
            for _ in range(10):
                run_dev(*argv)
            torch.cuda.synchronize()
        log(prof.key_averages().table(sort_by="self_cuda_time_total", row_limit=args.profile))
    lib.net_destroy(ctx)
    if args.export:
        row["torch_eager_ms"] = torch_eager(args.export, name, args.runs, args.warmup)
    return row


def worker(args):
    """Runs the manifest's entries from --start on, one JSON line each, until one crashes."""
    folder = os.path.abspath(args.dir)
    with open(os.path.join(folder, "manifest.json")) as f:
        entries = json.load(f)["models"]
    torch_mod = None
    if not args.no_torch:
        try:
            import torch
            if torch.cuda.is_available():
                torch.cuda.init()  # The primary context of device 0, which the libraries use.
                torch_mod = torch
        except ImportError:
            pass
    for index in range(args.start, len(entries)):
        entry = entries[index]
        print(f"START {index}", flush=True)
        if "error" in entry:
            row = {"status": "refused" if entry.get("refused") else "compile failed",
                   "error": entry["error"]}
        else:
            try:
                row = run_entry(folder, entry, args, torch_mod)
            except Exception as e:  # noqa: BLE001 - reported per model
                row = {"status": f"error: {type(e).__name__}: {e}"}
        row.update(model=entry["name"], kind=entry["kind"])
        print("RESULT " + json.dumps(row), flush=True)
    return 0


def run(args):
    """The supervisor: workers run the entries; a crash or hang costs one entry."""
    folder = os.path.abspath(args.dir)
    with open(os.path.join(folder, "manifest.json")) as f:
        entries = json.load(f)["models"]
    rows, start = [], 0
    while start < len(entries):
        cmd = [sys.executable, os.path.abspath(__file__), "worker", folder, "--start",
               str(start), "--runs", str(args.runs), "--warmup", str(args.warmup)]
        if args.export:
            cmd += ["--export", args.export]
        if args.no_torch:
            cmd += ["--no-torch"]
        if args.profile:
            cmd += ["--profile", str(args.profile)]
        # The worker's stderr goes to a file (a pipe left unread could fill and block it);
        # it is echoed after the worker ends (profiles, warnings) or with its crash.
        errfile = tempfile.TemporaryFile(mode="w+")
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=errfile, text=True)
        current = None
        import selectors
        sel = selectors.DefaultSelector()
        sel.register(p.stdout, selectors.EVENT_READ)
        hung = False
        while True:
            if not sel.select(timeout=args.timeout):
                hung = True
                p.kill()
                break
            line = p.stdout.readline()
            if not line:
                break
            if line.startswith("START "):
                current = int(line.split()[1])
            elif line.startswith("RESULT "):
                row = json.loads(line[7:])
                rows.append(row)
                log(f"{row['model']}: {row['status']}"
                    + (f" (worst |err|/bound {row['worst_err_over_bound']:.3g})"
                       if "worst_err_over_bound" in row else "")
                    + (f" {row.get('error', '')[-200:]}" if "error" in row else ""))
                current = None
        p.wait()
        errfile.seek(0)
        err = errfile.read()
        errfile.close()
        if current is None:
            if err.strip():
                log(err.rstrip())
            if p.returncode != 0 and start < len(entries) and not rows:
                log(f"worker failed before the first entry: {err[-2000:]}")
                return 2
            break
        what = f"hang (no output in {args.timeout} s)" if hung else \
            f"crash (exit {p.returncode})"
        rows.append({"model": entries[current]["name"], "kind": entries[current]["kind"],
                     "status": what, "stderr": err[-1500:]})
        log(f"{entries[current]['name']}: {what}\n{err[-1500:]}")
        start = current + 1
    try:
        import torch
        dev = torch.cuda.get_device_name(0)
    except Exception:  # noqa: BLE001
        dev = "unknown GPU"
    fmt = lambda v: "-" if v is None else f"{v:.3f}"  # noqa: E731
    counts = {}
    for r in rows:
        counts[r["status"].split(":")[0]] = counts.get(r["status"].split(":")[0], 0) + 1
    print(f"\nGPU: {dev}; {len(rows)} libraries: " +
          ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    models = [r for r in rows if r["kind"] == "model"]
    if models:
        tols = sorted({(e.get("rtol", RTOL), e.get("atol", ATOL)) for e in entries})
        print(f"\nbatch 1, median of {args.runs} runs (ms); outputs vs CPU at rtol / atol "
              + ", ".join(f"{r:g} / {a:g}" for r, a in tols) + "\n")
        print("| model | outputs | rel L2 | ours, host pointers | ours, device pointers "
              "| PyTorch eager |")
        print("|---|---|---|---|---|---|")
        for r in models:
            print(f"| {r['model']} | {r['status'][:40]} | "
                  f"{'-' if r.get('rel_l2') is None else format(r['rel_l2'], '.2g')} | "
                  f"{fmt(r.get('host_ms'))} | {fmt(r.get('device_ms'))} | "
                  f"{fmt(r.get('torch_eager_ms'))} |")
    bad = [r for r in rows if r["status"] not in ("match", "refused")]
    for r in bad:
        if r["kind"] != "model":
            print(f"  {r['model']}: {r['status']} {r.get('error', '')[-300:]}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"gpu": dev, "rows": rows}, f, indent=1)
    return 1 if bad else 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("prepare")
    a.add_argument("models", nargs="+")
    a.add_argument("--out", required=True)
    a.add_argument("--gpu", default="sm_90")
    a.add_argument("--build", default=os.path.join(ROOT, "build"))
    a.add_argument("--flags", default="", help="more onnx-compile flags for the GPU library, "
                   "e.g. --gpu-tf32 (then loosen --rtol/--atol)")
    a.add_argument("--rtol", type=float, default=RTOL)
    a.add_argument("--atol", type=float, default=ATOL)
    o = sub.add_parser("prepare-ops")
    o.add_argument("--out", required=True)
    o.add_argument("--gpu", default="sm_90")
    o.add_argument("--build", default=os.path.join(ROOT, "build"))
    o.add_argument("--filter")
    o.add_argument("--jobs", type=int, default=2)
    o.add_argument("--families-only", action="store_true",
                   help="only the model families of test/models, not the e2e-ops cases")
    for cmd in ("run", "worker"):
        b = sub.add_parser(cmd)
        b.add_argument("dir")
        b.add_argument("--runs", type=int, default=50)
        b.add_argument("--warmup", type=int, default=10)
        b.add_argument("--export", help="the model set's export.py, for the PyTorch column")
        b.add_argument("--no-torch", action="store_true", help="no device-pointer or PyTorch "
                       "timings (the ops cases need none)")
        b.add_argument("--timeout", type=float, default=300, help="seconds without progress "
                       "before a library counts as hung")
        b.add_argument("--json")
        b.add_argument("--start", type=int, default=0)
        b.add_argument("--profile", type=int, default=0, metavar="N", help="print the N "
                       "kernels with the most device time (torch.profiler) per model")
    args = p.parse_args()
    return {"prepare": prepare, "prepare-ops": prepare_ops, "run": run,
            "worker": worker}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())

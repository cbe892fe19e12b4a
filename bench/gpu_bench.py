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

Nothing here was run on a GPU yet: the session that wrote it had none.
"""
import argparse
import ctypes
import glob
import json
import os
import statistics
import subprocess
import sys
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
        t = time.time()
        subprocess.run([compiler, "--target", "cuda", "--gpu", args.gpu, path, "-o", lib,
                        "--name", "net"], check=True)
        compile_s = time.time() - t
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
                t = onnx.TensorProto()
                with open(pb, "rb") as f:
                    t.ParseFromString(f.read())
                x = numpy_helper.to_array(t)
            else:
                shape = [d.dim_value for d in vi.type.tensor_type.shape.dim]
                dt = onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[vi.type.tensor_type.elem_type]
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
            t = onnx.TensorProto()
            with open(pb, "rb") as f:
                t.ParseFromString(f.read())
            np.save(os.path.join(folder, f"ref_{n_out}.npy"), numpy_helper.to_array(t))
            n_out += 1
        manifest["models"].append({"name": name, "inputs": len(graph_inputs),
                                   "outputs": n_out, "compile_s": round(compile_s, 2)})
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    log(f"wrote {out}; copy it to the GPU machine and run: bench/gpu_bench.py run {out}")
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


def run(args):
    folder = os.path.abspath(args.dir)
    with open(os.path.join(folder, "manifest.json")) as f:
        manifest = json.load(f)
    try:
        import torch
        have_torch = torch.cuda.is_available()
        if have_torch:
            torch.cuda.init()  # The primary context of device 0, which the libraries use too.
    except ImportError:
        have_torch = False
    rows, failed = [], False
    for entry in manifest["models"]:
        name = entry["name"]
        lib = ctypes.CDLL(os.path.join(folder, name + ".cuda.so"))
        lib.onnxc_model_get.restype = ctypes.POINTER(Model)
        m = lib.onnxc_model_get().contents
        status = m.init()
        if status != ONNXC_OK:
            log(f"{name}: init: {m.status_string(status).decode()}")
            return 3 if status == ONNXC_ERROR_NO_DEVICE else 1
        ins = [np.ascontiguousarray(np.load(os.path.join(folder, name, f"input_{i}.npy")))
               for i in range(m.num_inputs)]
        outs = [np.empty([m.outputs[i].dims[d] for d in range(m.outputs[i].rank)],
                         NP_DTYPES[m.outputs[i].dtype]) for i in range(m.num_outputs)]
        in_ptrs = (ctypes.c_void_p * max(1, len(ins)))(*[x.ctypes.data for x in ins])
        out_ptrs = (ctypes.c_void_p * max(1, len(outs)))(*[y.ctypes.data for y in outs])
        call = lambda: m.run(in_ptrs, out_ptrs, None)  # noqa: E731
        status = call()
        if status != ONNXC_OK:
            log(f"{name}: run: {m.status_string(status).decode()}")
            failed = True
            continue
        worst, ok = 0.0, True
        for i, y in enumerate(outs):
            ref = np.load(os.path.join(folder, name, f"ref_{i}.npy"))
            if y.dtype.kind == "f":
                err = np.abs(y.astype(np.float64) - ref)
                bound = ATOL + RTOL * np.abs(ref)
                ok &= bool(np.all(err <= bound))
                worst = max(worst, float(np.max(err / bound)) if err.size else 0.0)
            else:
                ok &= bool(np.array_equal(y, ref))
        failed |= not ok
        host_ms = median_ms(call, args.runs, args.warmup)
        device_ms = torch_ms = None
        if have_torch:
            # The device-pointer call on torch's stream, tensors already on the GPU.
            run_dev = getattr(lib, "net_run_device")
            run_dev.restype = ctypes.c_int
            lib.net_create.restype = ctypes.c_void_p
            ctx = lib.net_create()
            t_ins = [torch.from_numpy(x).cuda() for x in ins]
            t_outs = [torch.from_numpy(y).cuda() for y in outs]
            stream = torch.cuda.current_stream().cuda_stream
            argv = ([ctypes.c_void_p(ctx)] + [ctypes.c_void_p(t.data_ptr()) for t in t_ins]
                    + [ctypes.c_void_p(t.data_ptr()) for t in t_outs] + [ctypes.c_void_p(stream)])
            if run_dev(*argv) == ONNXC_OK:
                torch.cuda.synchronize()
                device_ms = median_ms(lambda: run_dev(*argv), args.runs, args.warmup,
                                      torch.cuda.synchronize)
            lib.net_destroy.argtypes = [ctypes.c_void_p]
            lib.net_destroy(ctx)
            if args.export:
                torch_ms = torch_eager(args.export, name, args.runs, args.warmup)
        rows.append({"model": name, "match": ok, "worst_err_over_bound": worst,
                     "host_ms": host_ms, "device_ms": device_ms, "torch_eager_ms": torch_ms})
        log(f"{name}: {'match' if ok else 'MISMATCH'} (worst |err|/bound {worst:.3g}), "
            f"host-pointer {host_ms:.3f} ms, device-pointer "
            f"{device_ms if device_ms is None else round(device_ms, 3)} ms, torch eager "
            f"{torch_ms if torch_ms is None else round(torch_ms, 3)} ms")
    dev = torch.cuda.get_device_name(0) if have_torch else "unknown GPU"
    print(f"\nGPU: {dev}, batch 1, median of {args.runs} runs (ms); outputs vs CPU at "
          f"rtol {RTOL} / atol {ATOL}\n")
    print("| model | outputs | ours, host pointers | ours, device pointers | PyTorch eager |")
    print("|---|---|---|---|---|")
    fmt = lambda v: "-" if v is None else f"{v:.3f}"  # noqa: E731
    for r in rows:
        print(f"| {r['model']} | {'match' if r['match'] else 'MISMATCH'} | {fmt(r['host_ms'])} "
              f"| {fmt(r['device_ms'])} | {fmt(r['torch_eager_ms'])} |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"gpu": dev, "rows": rows}, f, indent=1)
    return 1 if failed else 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("prepare")
    a.add_argument("models", nargs="+")
    a.add_argument("--out", required=True)
    a.add_argument("--gpu", default="sm_90")
    a.add_argument("--build", default=os.path.join(ROOT, "build"))
    b = sub.add_parser("run")
    b.add_argument("dir")
    b.add_argument("--runs", type=int, default=50)
    b.add_argument("--warmup", type=int, default=10)
    b.add_argument("--export", help="the model set's export.py, for the PyTorch eager column")
    b.add_argument("--json")
    args = p.parse_args()
    return prepare(args) if args.cmd == "prepare" else run(args)


if __name__ == "__main__":
    sys.exit(main())

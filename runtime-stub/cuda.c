/* The runtime stub of CUDA libraries (onnx-compile --target cuda): replaces runtime.c. It
 * loads libcuda.so.1 with dlopen at the first call (the library has no NEEDED entry on it,
 * and without a driver or GPU every call returns ONNXC_ERROR_NO_DEVICE), loads the kernels
 * once per context (the cubin, else the PTX through the driver's JIT), uploads the weights
 * once per context into one device allocation that also holds the planned workspace and the
 * staging buffers of the inputs and outputs, and launches the kernels the compiled host code
 * asks for (onnxc_cuda_launch) on the context's stream or the caller's.
 * Freestanding C like runtime.c: only dlopen/dlsym/malloc/free from libc. */
#include "onnxc/model.h"
#include "status_string.h"

/* Defined by the compiled model (codegen/cuda/CudaCodegen.cpp, passes/gpu/PackWeights.cpp). */
extern const onnxc_model onnxc__model;
extern const unsigned char *const onnxc__cuda_cubins[];
extern const uint64_t onnxc__cuda_cubin_sizes[];
extern const uint64_t onnxc__cuda_num_cubins;
extern const char onnxc__cuda_ptx[];
extern const uint64_t onnxc__cuda_workspace_size;
extern const uint64_t onnxc__cuda_num_kernels;
extern const char *const onnxc__cuda_kernel_names[];
extern const unsigned char onnxc__cuda_weights[];
extern const uint64_t onnxc__cuda_weights_size;
void onnxc__cuda_graph(const void *const *inputs, void *const *outputs, void *workspace,
                       void *weights, void *rt);

void *dlopen(const char *file, int mode);
void *dlsym(void *handle, const char *name);
void *malloc(size_t size);
void free(void *ptr);
#define ONNXC_RTLD_NOW 2

/* The driver API's types and the entry points used, as in cuda.h (CUDA 11.8 and later). */
typedef int CUresult;
typedef int CUdevice;
typedef struct CUctx_st *CUcontext;
typedef struct CUmod_st *CUmodule;
typedef struct CUfunc_st *CUfunction;
typedef struct CUstream_st *CUstream;
typedef unsigned long long CUdeviceptr;
#define CU_STREAM_NON_BLOCKING 1

static struct {
  CUresult (*Init)(unsigned);
  CUresult (*DeviceGetCount)(int *);
  CUresult (*DeviceGet)(CUdevice *, int);
  CUresult (*DevicePrimaryCtxRetain)(CUcontext *, CUdevice);
  CUresult (*DevicePrimaryCtxRelease)(CUdevice);
  CUresult (*CtxPushCurrent)(CUcontext);
  CUresult (*CtxPopCurrent)(CUcontext *);
  CUresult (*ModuleLoadData)(CUmodule *, const void *);
  CUresult (*ModuleUnload)(CUmodule);
  CUresult (*ModuleGetFunction)(CUfunction *, CUmodule, const char *);
  CUresult (*LaunchKernel)(CUfunction, unsigned, unsigned, unsigned, unsigned, unsigned,
                           unsigned, unsigned, CUstream, void **, void **);
  CUresult (*MemAlloc)(CUdeviceptr *, size_t);
  CUresult (*MemFree)(CUdeviceptr);
  CUresult (*MemcpyHtoD)(CUdeviceptr, const void *, size_t);
  CUresult (*MemcpyHtoDAsync)(CUdeviceptr, const void *, size_t, CUstream);
  CUresult (*MemcpyDtoHAsync)(void *, CUdeviceptr, size_t, CUstream);
  CUresult (*StreamCreate)(CUstream *, unsigned);
  CUresult (*StreamDestroy)(CUstream);
  CUresult (*StreamSynchronize)(CUstream);
} cu;

/* Resolved by name; the _v2 names are the 64-bit entry points cuda.h maps the plain names to. */
static const struct {
  const char *name;
  size_t offset;
} cu_symbols[] = {
#define CU_SYM(field, name) {name, __builtin_offsetof(__typeof__(cu), field)}
    CU_SYM(Init, "cuInit"),
    CU_SYM(DeviceGetCount, "cuDeviceGetCount"),
    CU_SYM(DeviceGet, "cuDeviceGet"),
    CU_SYM(DevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain"),
    CU_SYM(DevicePrimaryCtxRelease, "cuDevicePrimaryCtxRelease_v2"),
    CU_SYM(CtxPushCurrent, "cuCtxPushCurrent_v2"),
    CU_SYM(CtxPopCurrent, "cuCtxPopCurrent_v2"),
    CU_SYM(ModuleLoadData, "cuModuleLoadData"),
    CU_SYM(ModuleUnload, "cuModuleUnload"),
    CU_SYM(ModuleGetFunction, "cuModuleGetFunction"),
    CU_SYM(LaunchKernel, "cuLaunchKernel"),
    CU_SYM(MemAlloc, "cuMemAlloc_v2"),
    CU_SYM(MemFree, "cuMemFree_v2"),
    CU_SYM(MemcpyHtoD, "cuMemcpyHtoD_v2"),
    CU_SYM(MemcpyHtoDAsync, "cuMemcpyHtoDAsync_v2"),
    CU_SYM(MemcpyDtoHAsync, "cuMemcpyDtoHAsync_v2"),
    CU_SYM(StreamCreate, "cuStreamCreate"),
    CU_SYM(StreamDestroy, "cuStreamDestroy_v2"),
    CU_SYM(StreamSynchronize, "cuStreamSynchronize"),
#undef CU_SYM
};

static void lock(int *l) {
  while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE))
    while (__atomic_load_n(l, __ATOMIC_RELAXED))
      ;
}
static void unlock(int *l) { __atomic_store_n(l, 0, __ATOMIC_RELEASE); }

/* 0: not tried; otherwise the status + 1 (the driver is loaded once per process). */
static int driver_state, driver_lock;

static int load_driver(void) {
  int s = __atomic_load_n(&driver_state, __ATOMIC_ACQUIRE);
  if (s)
    return s - 1;
  lock(&driver_lock);
  s = driver_state;
  if (!s) {
    int status = ONNXC_OK;
    void *lib = dlopen("libcuda.so.1", ONNXC_RTLD_NOW);
    if (!lib)
      status = ONNXC_ERROR_NO_DEVICE;
    for (size_t i = 0; status == ONNXC_OK && i < sizeof cu_symbols / sizeof cu_symbols[0]; ++i) {
      void *f = dlsym(lib, cu_symbols[i].name);
      if (!f)
        status = ONNXC_ERROR_NO_DEVICE; /* A driver older than the library needs. */
      *(void **)((char *)&cu + cu_symbols[i].offset) = f;
    }
    int count = 0;
    /* cuInit fails without a GPU (CUDA_ERROR_NO_DEVICE) or with the toolkit's stub
     * libcuda (CUDA_ERROR_STUB_LIBRARY): either way there is nothing to run on. */
    if (status == ONNXC_OK && (cu.Init(0) != 0 || cu.DeviceGetCount(&count) != 0 || count < 1))
      status = ONNXC_ERROR_NO_DEVICE;
    s = status + 1;
    __atomic_store_n(&driver_state, s, __ATOMIC_RELEASE);
  }
  unlock(&driver_lock);
  return s - 1;
}

struct onnxc_rt_context {
  int state; /* 0: device side not set up yet; otherwise status + 1 of the setup. */
  int error; /* First failing launch of the current run (sticky until the run ends). */
  CUdevice device;
  CUcontext cu;
  CUmodule module;
  CUfunction *kernels;
  CUstream stream, launch_stream;
  CUdeviceptr memory, weights, workspace;
  CUdeviceptr *inputs, *outputs; /* Staging buffers, in `memory`. */
};

static uint64_t align_up(uint64_t v) { return (v + 255) / 256 * 256; }

static int setup(struct onnxc_rt_context *c) {
  const onnxc_model *m = &onnxc__model;
  int status = load_driver();
  if (status != ONNXC_OK)
    return status;
  if (cu.DeviceGet(&c->device, 0) || cu.DevicePrimaryCtxRetain(&c->cu, c->device))
    return ONNXC_ERROR_NO_DEVICE;
  if (cu.CtxPushCurrent(c->cu)) {
    cu.DevicePrimaryCtxRelease(c->device);
    c->cu = 0;
    return ONNXC_ERROR_DEVICE;
  }
  status = ONNXC_ERROR_DEVICE;
  /* A cubin for one of the GPUs compiled for (the driver refuses the others); on another
   * GPU the driver compiles the PTX. */
  c->module = 0;
  for (uint64_t i = 0; i < onnxc__cuda_num_cubins && !c->module; ++i)
    if (onnxc__cuda_cubin_sizes[i] && cu.ModuleLoadData(&c->module, onnxc__cuda_cubins[i]))
      c->module = 0;
  if (!c->module && cu.ModuleLoadData(&c->module, onnxc__cuda_ptx) != 0) {
    c->module = 0;
    goto done;
  }
  c->kernels = malloc(sizeof(CUfunction) * (onnxc__cuda_num_kernels + 1));
  c->inputs = malloc(sizeof(CUdeviceptr) * (m->num_inputs + 1));
  c->outputs = malloc(sizeof(CUdeviceptr) * (m->num_outputs + 1));
  if (!c->kernels || !c->inputs || !c->outputs)
    goto done;
  for (uint64_t k = 0; k < onnxc__cuda_num_kernels; ++k)
    if (cu.ModuleGetFunction(&c->kernels[k], c->module, onnxc__cuda_kernel_names[k]))
      goto done;
  if (cu.StreamCreate(&c->stream, CU_STREAM_NON_BLOCKING)) {
    c->stream = 0;
    goto done;
  }
  /* One allocation: weights, workspace, then the inputs' and outputs' staging buffers. */
  uint64_t size = align_up(onnxc__cuda_weights_size) + align_up(onnxc__cuda_workspace_size);
  for (uint32_t i = 0; i < m->num_inputs; ++i)
    size += align_up(m->inputs[i].size_bytes);
  for (uint32_t i = 0; i < m->num_outputs; ++i)
    size += align_up(m->outputs[i].size_bytes);
  if (cu.MemAlloc(&c->memory, size ? size : 256)) {
    c->memory = 0;
    goto done;
  }
  CUdeviceptr p = c->memory;
  c->weights = p;
  p += align_up(onnxc__cuda_weights_size);
  c->workspace = p;
  p += align_up(onnxc__cuda_workspace_size);
  for (uint32_t i = 0; i < m->num_inputs; ++i) {
    c->inputs[i] = p;
    p += align_up(m->inputs[i].size_bytes);
  }
  for (uint32_t i = 0; i < m->num_outputs; ++i) {
    c->outputs[i] = p;
    p += align_up(m->outputs[i].size_bytes);
  }
  if (cu.MemcpyHtoD(c->weights, onnxc__cuda_weights, onnxc__cuda_weights_size))
    goto done;
  status = ONNXC_OK;
done:;
  CUcontext popped;
  cu.CtxPopCurrent(&popped);
  return status;
}

static int ensure(struct onnxc_rt_context *c) {
  if (!c->state)
    c->state = setup(c) + 1;
  return c->state - 1;
}

/* Called by the compiled host code (passes/gpu/LaunchToRuntime.cpp) for every kernel. */
int onnxc_cuda_launch(struct onnxc_rt_context *c, int32_t kernel, int64_t gx, int64_t gy,
                      int64_t gz, int64_t bx, int64_t by, int64_t bz, int32_t shared,
                      void **params) {
  if (c->error)
    return c->error;
  if (gx < 1 || gy < 1 || gz < 1 || gx > 0x7fffffff || gy > 65535 || gz > 65535 ||
      (uint64_t)kernel >= onnxc__cuda_num_kernels ||
      cu.LaunchKernel(c->kernels[kernel], (unsigned)gx, (unsigned)gy, (unsigned)gz,
                      (unsigned)bx, (unsigned)by, (unsigned)bz, (unsigned)shared,
                      c->launch_stream, params, 0))
    c->error = ONNXC_ERROR_DEVICE;
  return c->error;
}

static int run_graph(struct onnxc_rt_context *c, const void *const *inputs,
                     void *const *outputs, CUstream stream) {
  c->error = ONNXC_OK;
  c->launch_stream = stream;
  onnxc__cuda_graph(inputs, outputs, (void *)c->workspace, (void *)c->weights, c);
  return c->error;
}

static int check_pointers(const void *const *inputs, void *const *outputs) {
  const onnxc_model *m = &onnxc__model;
  if ((m->num_inputs && !inputs) || (m->num_outputs && !outputs))
    return ONNXC_ERROR_NULL_ARGUMENT;
  for (uint32_t i = 0; i < m->num_inputs; ++i)
    if (!inputs[i] && m->inputs[i].size_bytes)
      return ONNXC_ERROR_NULL_ARGUMENT;
  for (uint32_t i = 0; i < m->num_outputs; ++i)
    if (!outputs[i] && m->outputs[i].size_bytes)
      return ONNXC_ERROR_NULL_ARGUMENT;
  return ONNXC_OK;
}

/* Host pointers: copy in, run, copy out, wait. */
static int run_host(struct onnxc_rt_context *c, const void *const *inputs,
                    void *const *outputs) {
  const onnxc_model *m = &onnxc__model;
  int status = check_pointers(inputs, outputs);
  if (status == ONNXC_OK)
    status = ensure(c);
  if (status != ONNXC_OK)
    return status;
  if (cu.CtxPushCurrent(c->cu))
    return ONNXC_ERROR_DEVICE;
  for (uint32_t i = 0; i < m->num_inputs && status == ONNXC_OK; ++i)
    if (m->inputs[i].size_bytes &&
        cu.MemcpyHtoDAsync(c->inputs[i], inputs[i], m->inputs[i].size_bytes, c->stream))
      status = ONNXC_ERROR_DEVICE;
  if (status == ONNXC_OK)
    status = run_graph(c, (const void *const *)c->inputs, (void *const *)c->outputs, c->stream);
  for (uint32_t i = 0; i < m->num_outputs && status == ONNXC_OK; ++i)
    if (m->outputs[i].size_bytes &&
        cu.MemcpyDtoHAsync(outputs[i], c->outputs[i], m->outputs[i].size_bytes, c->stream))
      status = ONNXC_ERROR_DEVICE;
  if (cu.StreamSynchronize(c->stream) && status == ONNXC_OK)
    status = ONNXC_ERROR_DEVICE;
  CUcontext popped;
  cu.CtxPopCurrent(&popped);
  return status;
}

int onnxc_cuda_run_device(struct onnxc_rt_context *c, const void *const *inputs,
                          void *const *outputs, void *stream) {
  if (!c)
    return ONNXC_ERROR_NULL_ARGUMENT;
  int status = check_pointers(inputs, outputs);
  if (status == ONNXC_OK)
    status = ensure(c);
  if (status != ONNXC_OK)
    return status;
  if (cu.CtxPushCurrent(c->cu))
    return ONNXC_ERROR_DEVICE;
  status = run_graph(c, inputs, outputs, stream ? (CUstream)stream : c->stream);
  CUcontext popped;
  cu.CtxPopCurrent(&popped);
  return status;
}

/* The generic API (onnxc/model.h), as runtime.c defines it for CPU libraries. */
int onnxc_rt_init(void) { return load_driver(); }

struct onnxc_rt_context *onnxc_rt_context_create(void) {
  struct onnxc_rt_context *c = malloc(sizeof *c);
  if (c)
    *c = (struct onnxc_rt_context){0};
  return c;
}

void onnxc_rt_context_destroy(struct onnxc_rt_context *c) {
  if (!c)
    return;
  if (c->cu && cu.CtxPushCurrent(c->cu) == 0) {
    if (c->memory)
      cu.MemFree(c->memory);
    if (c->stream)
      cu.StreamDestroy(c->stream);
    if (c->module)
      cu.ModuleUnload(c->module);
    CUcontext popped;
    cu.CtxPopCurrent(&popped);
    cu.DevicePrimaryCtxRelease(c->device);
  }
  free(c->kernels);
  free(c->inputs);
  free(c->outputs);
  free(c);
}

int onnxc_rt_context_run(struct onnxc_rt_context *c, const void *const *inputs,
                         void *const *outputs) {
  if (!c)
    return ONNXC_ERROR_NULL_ARGUMENT;
  return run_host(c, inputs, outputs);
}

/* run() without a context: a process-wide one, created at the first call; calls on it are
 * serialized. The workspace argument is unused (the device workspace is the context's). */
static struct onnxc_rt_context *default_context;
static int default_lock;

int onnxc_rt_run(const void *const *inputs, void *const *outputs, void *workspace) {
  (void)workspace;
  int status = load_driver();
  if (status == ONNXC_OK)
    status = check_pointers(inputs, outputs);
  if (status != ONNXC_OK)
    return status;
  lock(&default_lock);
  if (!default_context)
    default_context = onnxc_rt_context_create();
  status = default_context ? run_host(default_context, inputs, outputs) : ONNXC_ERROR_INTERNAL;
  unlock(&default_lock);
  return status;
}

/* The generic descriptor's run-time-dims entries (ABI 2). CUDA libraries are compiled for
 * static dims only: the dims argument is ignored and the static sizes are reported. */
int64_t onnxc_rt_workspace_size_for(const int64_t *dims) {
  (void)dims;
  return (int64_t)onnxc__model.workspace_size;
}

static void static_output_dims(int64_t *const *out_dims) {
  const onnxc_model *m = &onnxc__model;
  for (uint32_t i = 0; i < m->num_outputs; ++i)
    if (out_dims[i])
      for (int32_t d = 0; d < m->outputs[i].rank; ++d)
        out_dims[i][d] = m->outputs[i].dims[d];
}

int onnxc_rt_output_dims(const int64_t *dims, int64_t *const *out_dims) {
  (void)dims;
  if (!out_dims)
    return ONNXC_ERROR_NULL_ARGUMENT;
  static_output_dims(out_dims);
  return ONNXC_OK;
}

int onnxc_rt_run_dynamic(const int64_t *dims, const void *const *inputs, void *const *outputs,
                         int64_t *const *out_dims, void *workspace) {
  (void)dims;
  int status = onnxc_rt_run(inputs, outputs, workspace);
  if (status == ONNXC_OK && out_dims)
    static_output_dims(out_dims);
  return status;
}

int onnxc_rt_run_checked(const int64_t *dims, const void *const *inputs, void *const *outputs,
                         int64_t *const *out_dims, void *workspace, uint64_t workspace_bytes) {
  if (workspace_bytes < onnxc__model.workspace_size)
    return ONNXC_ERROR_WORKSPACE_TOO_SMALL;
  return onnxc_rt_run_dynamic(dims, inputs, outputs, out_dims, workspace);
}

/* ABI 5: CUDA libraries have no allocated outputs (static dims only), so the allocator is
 * never called. */
int onnxc_rt_run_with_allocator(const int64_t *dims, const void *const *inputs,
                                void *const *outputs, int64_t *const *out_dims, void *workspace,
                                uint64_t workspace_bytes, const onnxc_allocator *allocator) {
  (void)allocator;
  return onnxc_rt_run_checked(dims, inputs, outputs, out_dims, workspace, workspace_bytes);
}

/* The thread-count API of the CPU libraries: the host side of a CUDA library runs on the
 * caller's thread only, so the count is accepted (same range) and always reads 1. */
int onnxc_rt_set_num_threads(int n) {
  return n < 0 || n > 256 ? ONNXC_ERROR_INVALID_ARGUMENT : ONNXC_OK;
}

int onnxc_rt_num_threads(void) { return 1; }

const char *onnxc_rt_status_string(int status) { return status_message(status); }

/* onnx-compile: the generic interface every compiled model library exports.
 *
 * A library made by `onnx-compile model.onnx -o model.so` exports
 *     const onnxc_model *onnxc_model_get(void);
 * (and the same function under the model's own prefix, `<name>_model`), which describes the
 * model's inputs and outputs and gives a run function. One host program can load any model:
 *
 *     void *lib = dlopen("./model.so", RTLD_NOW | RTLD_LOCAL);
 *     const onnxc_model *(*get)(void) = (const onnxc_model *(*)(void))dlsym(lib, "onnxc_model_get");
 *     const onnxc_model *m = get();
 *     if (m->init() != ONNXC_OK) { ... m->status_string(status) ... }
 *     void *ws = aligned_alloc(m->workspace_alignment, round_up(m->workspace_size));
 *     int status = m->run(inputs, outputs, ws);   // arrays of num_inputs / num_outputs pointers
 *
 * Tensors are dense, row-major, in the model's dtype; outputs are written by the library into
 * caller-provided buffers of the sizes given by the descriptors. The workspace holds every
 * intermediate value: one call allocates nothing. Calls with distinct workspaces may run
 * concurrently. Every entry returns a status code and never aborts the host.
 *
 * Dims known only at run time (ABI 2, docs/dynamic-shapes.md): a model compiled without
 * --shape for its symbolic input dims has num_dims > 0. In its descriptors such a dim reads
 * -1 - k for input dims given by symbol k (dim_names[k]) and -1 for output dims; size_bytes
 * is 0. The caller passes one value per symbol:
 *
 *     int64_t dims[] = {batch, width};                 // m->num_dims values, in [0, 2^31)
 *     int64_t ws_size = m->workspace_size_for(dims);   // -1: dims out of range
 *     m->output_dims(dims, out_dims);                  // each output's dims, to allocate
 *     int status = m->run_dynamic(dims, inputs, outputs, out_dims, ws);
 *
 * C99; no other header of this project is needed.
 */
#ifndef ONNXC_MODEL_H
#define ONNXC_MODEL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ONNXC_ABI_VERSION 4

/* Status codes returned by init and run. */
typedef enum onnxc_status {
  ONNXC_OK = 0,
  ONNXC_ERROR_NULL_ARGUMENT = 1,        /* an input, output or workspace pointer is null */
  ONNXC_ERROR_WORKSPACE_MISALIGNED = 2, /* workspace not aligned to workspace_alignment */
  ONNXC_ERROR_CPU_UNSUPPORTED = 3,      /* compiled for CPU features this machine lacks */
  ONNXC_ERROR_INTERNAL = 4,
  ONNXC_ERROR_INVALID_ARGUMENT = 5,     /* an argument out of its range (e.g. a thread count) */
  ONNXC_ERROR_NO_DEVICE = 6,            /* CUDA library: no driver (libcuda.so.1) or no GPU */
  ONNXC_ERROR_DEVICE = 7,               /* CUDA library: a driver call or kernel launch failed */
  ONNXC_ERROR_DIMS_OUT_OF_RANGE = 8,    /* run-time dims invalid for this model, or run()
                                           called on a model that needs dims or has
                                           data-dependent output dims (use run_dynamic) */
  ONNXC_ERROR_OUT_OF_MEMORY = 9,        /* a context could not grow its workspace, or a
                                           buffer allocated per run (below) could not be */
  ONNXC_ERROR_WORKSPACE_TOO_SMALL = 10, /* run_checked: workspace_bytes below what the run needs */
  ONNXC_ERROR_DATA_SIZE = 11,           /* a size computed from the input values is invalid
                                           (Range with delta 0, a length above 2^31 - 1), its
                                           buffer would exceed 1 GiB, or it differs from the
                                           static dim the model declares for an output */
  ONNXC_ERROR_RUNTIME_CHECK = 12        /* the inputs ask for something the model cannot
                                           compute: the element of an absent optional
                                           (OptionalGetElement), or training-mode Dropout
                                           with a non-zero ratio (random masks) */
} onnxc_status;

/* Sizes computed from the input values with no bound known at compile time (a Range over
 * run-time start/limit/delta, a Loop whose trip count is read from a tensor): the buffers of
 * such intermediates are allocated per run with the C library's malloc and freed before run
 * returns, on error paths too; each is checked first (at most 1 GiB, else
 * ONNXC_ERROR_DATA_SIZE), and a failed allocation returns ONNXC_ERROR_OUT_OF_MEMORY. A graph
 * output declared with a static shape but computed with such a size is checked against it
 * (ONNXC_ERROR_DATA_SIZE, nothing written past it). Models without such sizes keep their
 * fixed workspace and allocate nothing per run. */

/* onnxc_model.flags: some output dims are counted from tensor data at run time (NonZero,
 * Compress, Unique, NonMaxSuppression...). Such a model runs through run_dynamic even when
 * num_dims is 0 (run() refuses it): output_dims and workspace_size_for give upper bounds to
 * allocate, run_dynamic writes each output's actual dims into out_dims; the data is dense,
 * row-major for those dims, at the start of the caller's buffer. */
#define ONNXC_MODEL_DATA_DEPENDENT_DIMS 1u

/* onnxc_model.input_flags[i] (ABI 4): input i is an ONNX optional tensor. Its pointer may be
 * NULL: the value is absent (OptionalHasElement gives false; OptionalGetElement of it ends
 * the run with ONNXC_ERROR_RUNTIME_CHECK). A non-NULL pointer is the tensor, as for any
 * input. Optional-typed outputs are not supported (the compiler refuses them). */
#define ONNXC_TENSOR_OPTIONAL 1u

/* Element types, numbered as ONNX's TensorProto.DataType. */
typedef enum onnxc_dtype {
  ONNXC_FLOAT = 1, ONNXC_UINT8 = 2, ONNXC_INT8 = 3, ONNXC_UINT16 = 4, ONNXC_INT16 = 5,
  ONNXC_INT32 = 6, ONNXC_INT64 = 7, ONNXC_BOOL = 9, ONNXC_FLOAT16 = 10, ONNXC_DOUBLE = 11,
  ONNXC_UINT32 = 12, ONNXC_UINT64 = 13, ONNXC_BFLOAT16 = 16
} onnxc_dtype;

typedef struct onnxc_tensor_desc {
  const char *name;    /* the ONNX graph's name for the tensor */
  int32_t dtype;       /* onnxc_dtype */
  int32_t rank;
  const int64_t *dims; /* rank entries */
  uint64_t size_bytes; /* dense size of the tensor */
} onnxc_tensor_desc;

typedef struct onnxc_model {
  uint32_t abi_version; /* ONNXC_ABI_VERSION of the library */
  uint32_t num_inputs;
  uint32_t num_outputs;
  uint32_t flags;        /* ONNXC_MODEL_* bits (0 in libraries before data-dependent dims) */
  const char *name;   /* the model's C prefix */
  const char *target; /* "<triple> <cpu>" the library was compiled for */
  const onnxc_tensor_desc *inputs;
  const onnxc_tensor_desc *outputs;
  uint64_t workspace_size;      /* bytes; may be 0 (any pointer, even NULL, is then fine) */
  uint64_t workspace_alignment; /* the workspace pointer must be a multiple of this */
  /* Checks that this machine can run the library (CPU features). Cheap; run calls it too. */
  int (*init)(void);
  int (*run)(const void *const *inputs, void *const *outputs, void *workspace);
  const char *(*status_string)(int status);
  /* ABI version 2. The thread pool, one per library (a second thread running the same model
   * meanwhile runs serially): set_num_threads(n) uses n threads, the caller's included, for
   * later runs; 0 restores the default (the ONNXC_NUM_THREADS environment variable, else the
   * CPUs this process may run on). num_threads() is the count in effect. Results do not
   * depend on it. Idle workers sleep. */
  int (*set_num_threads)(int n);
  int (*num_threads)(void);
  /* Dims known only at run time. num_dims is 0 for a static model (the functions
     below then take dims == NULL and work too). */
  uint32_t num_dims;
  const char *const *dim_names; /* num_dims symbol names (the inputs' ONNX dim_params) */
  /* Workspace bytes for these dims, or -1 if they are out of range. */
  int64_t (*workspace_size_for)(const int64_t *dims);
  /* Writes each output's dims (out_dims[i]: rank entries; a NULL entry is skipped). */
  int (*output_dims)(const int64_t *dims, int64_t *const *out_dims);
  /* run() with dims; writes the outputs' dims like output_dims (out_dims may be NULL). The
     workspace must hold workspace_size_for(dims) bytes. */
  int (*run_dynamic)(const int64_t *dims, const void *const *inputs, void *const *outputs,
                     int64_t *const *out_dims, void *workspace);
  /* ABI version 3. run_dynamic() that also checks the workspace's size: a workspace of
     fewer than workspace_size_for(dims) bytes returns ONNXC_ERROR_WORKSPACE_TOO_SMALL before
     anything is touched. For any model, static (dims may then be NULL) or not; the entry for
     hosts that take workspaces from elsewhere (run and the typed entries trust the size). */
  int (*run_checked)(const int64_t *dims, const void *const *inputs, void *const *outputs,
                     int64_t *const *out_dims, void *workspace, uint64_t workspace_bytes);
  /* ABI version 4. num_inputs ONNXC_TENSOR_* bit sets, one per input. */
  const uint32_t *input_flags;
} onnxc_model;

/* Exported by every compiled model library. */
const onnxc_model *onnxc_model_get(void);

#ifdef __cplusplus
}
#endif

#endif /* ONNXC_MODEL_H */

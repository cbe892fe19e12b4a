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
 * caller-provided buffers of the sizes given by the descriptors (except outputs whose size
 * depends on the data with no bound, ONNXC_OUTPUT_ALLOCATED below, which the library
 * allocates through the caller's allocator). The workspace holds every intermediate value:
 * one call of a model without sizes from data allocates nothing. Calls with distinct workspaces may run
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
 * Outputs whose size depends on the data with no bound (ABI 5, ONNXC_OUTPUT_ALLOCATED): the
 * run allocates them through an allocator the caller may give (default: malloc) and returns
 * the pointer in a slot; the caller frees it. See below.
 *
 * Sequences of tensors (ABI 6, ONNXC_TENSOR_SEQUENCE / ONNXC_OUTPUT_SEQUENCE): an ONNX
 * seq(tensor) input or output is passed as a struct onnxc_sequence, whose length and tensor
 * dims are known only at run time. See below.
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

#define ONNXC_ABI_VERSION 6

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
 * (ONNXC_ERROR_DATA_SIZE, nothing written past it); one declared with such a dim is
 * allocated through the caller's allocator (ONNXC_OUTPUT_ALLOCATED below). Models without
 * such sizes keep their fixed workspace and allocate nothing per run. */

/* onnxc_model.flags: some output dims are counted from tensor data at run time (NonZero,
 * Compress, Unique, NonMaxSuppression...). Such a model runs through run_dynamic even when
 * num_dims is 0 (run() refuses it): output_dims and workspace_size_for give upper bounds to
 * allocate, run_dynamic writes each output's actual dims into out_dims; the data is dense,
 * row-major for those dims, at the start of the caller's buffer. */
#define ONNXC_MODEL_DATA_DEPENDENT_DIMS 1u

/* onnxc_model.flags: some outputs are allocated by the run (ONNXC_OUTPUT_ALLOCATED in
 * output_flags). Always set together with ONNXC_MODEL_DATA_DEPENDENT_DIMS. */
#define ONNXC_MODEL_ALLOCATED_OUTPUTS 2u

/* onnxc_model.input_flags[i] (ABI 4): input i is an ONNX optional tensor. Its pointer may be
 * NULL: the value is absent (OptionalHasElement gives false; OptionalGetElement of it ends
 * the run with ONNXC_ERROR_RUNTIME_CHECK). A non-NULL pointer is the tensor, as for any
 * input. Optional-typed outputs are not supported (the compiler refuses them). */
#define ONNXC_TENSOR_OPTIONAL 1u

/* onnxc_model.output_flags[i] (ABI 5): the size of output i depends on tensor data with no
 * bound known at compile time (NonZero and the like have one: their outputs are not
 * allocated). Examples: a Range over run-time start/limit/delta, a Loop whose trip count is
 * read from a tensor, with a scan output. The caller cannot size such an output before the
 * run, so the run allocates it:
 *
 *   - outputs[i] is not the tensor but a `void **` slot (never NULL). On success the run
 *     stores there the pointer the allocator returned, holding the tensor (dense, row-major),
 *     and writes its actual dims into out_dims[i]. The caller owns it: it frees it with the
 *     free that matches the allocator (free() for the default). An empty tensor (a dim 0) is
 *     not allocated: the slot gets NULL.
 *   - On failure the slot is NULL: an output allocated before the failure was given back
 *     through the allocator's free. Nothing to free.
 *   - The allocator: run_with_allocator's `allocator` (NULL: the C library's malloc and
 *     free); run_dynamic and run_checked use malloc. alloc(user, bytes, align) must return
 *     `bytes` bytes aligned to `align` (16: what malloc gives on 64-bit targets), or NULL,
 *     which ends the run with ONNXC_ERROR_OUT_OF_MEMORY. It is called on the calling thread,
 *     at most once per such output and run, never for the other outputs.
 *   - Sizes are checked before the allocation like those of per-run buffers (below): an
 *     invalid size or one above 1 GiB returns ONNXC_ERROR_DATA_SIZE, nothing allocated.
 *   - output_dims and the descriptor give -1 for the dims that depend on the data.
 *
 * Outputs that are static, or whose dims have a bound (ONNXC_MODEL_DATA_DEPENDENT_DIMS), keep
 * the caller's buffers; a model without allocated outputs allocates nothing per run. */
#define ONNXC_OUTPUT_ALLOCATED 1u

/* onnxc_model.flags (ABI 6): some inputs or outputs are sequences (ONNXC_TENSOR_SEQUENCE,
 * ONNXC_OUTPUT_SEQUENCE). Such a model is otherwise static (num_dims 0, no
 * ONNXC_MODEL_DATA_DEPENDENT_DIMS); run, run_checked and run_with_allocator take it. */
#define ONNXC_MODEL_SEQUENCES 4u

/* onnxc_model.input_flags[i] (ABI 6): input i is an ONNX sequence of tensors: inputs[i]
 * points to a struct onnxc_sequence (below) whose tensors the run reads. Its descriptor gives
 * the tensors' dtype, rank 0 and size_bytes 0. With ONNXC_TENSOR_OPTIONAL too, it is an
 * optional sequence: NULL means absent. */
#define ONNXC_TENSOR_SEQUENCE 2u

/* onnxc_model.output_flags[i] (ABI 6): output i is an ONNX sequence of tensors: outputs[i]
 * points to a struct onnxc_sequence the run fills in (never NULL). Its arrays and tensors lie
 * in one block the run allocates through the run's allocator (run_with_allocator's, else
 * malloc), returned in `allocation`, which the caller frees (free() for the default). On
 * failure nothing is left allocated (length 0, allocation NULL). */
#define ONNXC_OUTPUT_SEQUENCE 2u
/* onnxc_model.output_flags[i] (ABI 6), with ONNXC_OUTPUT_SEQUENCE: an optional sequence;
 * length -1 (allocation NULL) when the value is absent. */
#define ONNXC_OUTPUT_OPTIONAL 4u

/* A sequence of tensors of one dtype (ABI 6). Tensor i has ranks[i] dims dims[i][0..] and its
 * elements dense, row-major, at data[i] (which may be NULL when it has no element). */
typedef struct onnxc_sequence {
  int64_t length;             /* tensors; -1: an absent optional output */
  int32_t dtype;              /* onnxc_dtype of every tensor: inputs must match the
                                 descriptor's (else ONNXC_ERROR_INVALID_ARGUMENT) */
  int32_t reserved;           /* 0 */
  const int32_t *ranks;       /* length entries */
  const int64_t *const *dims; /* length arrays */
  const void *const *data;    /* length tensors */
  void *allocation;           /* outputs: the block holding everything above (NULL when
                                 nothing was allocated); the caller frees it. Inputs: unused */
} onnxc_sequence;

/* The allocator of ONNXC_OUTPUT_ALLOCATED outputs (ABI 5). `user` is passed back as is. */
typedef void *(*onnxc_alloc_fn)(void *user, size_t bytes, size_t align);
typedef void (*onnxc_free_fn)(void *user, void *ptr);
typedef struct onnxc_allocator {
  onnxc_alloc_fn alloc; /* both non-NULL */
  onnxc_free_fn free;
  void *user;
} onnxc_allocator;

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
  /* ABI version 5. num_outputs ONNXC_OUTPUT_* bit sets, one per output. */
  const uint32_t *output_flags;
  /* run_checked() whose ONNXC_OUTPUT_ALLOCATED outputs are allocated through `allocator`
     (NULL: malloc and free). For any model; the same as run_checked for a model without
     such outputs. */
  int (*run_with_allocator)(const int64_t *dims, const void *const *inputs,
                            void *const *outputs, int64_t *const *out_dims, void *workspace,
                            uint64_t workspace_bytes, const onnxc_allocator *allocator);
} onnxc_model;

/* Exported by every compiled model library. */
const onnxc_model *onnxc_model_get(void);

#ifdef __cplusplus
}
#endif

#endif /* ONNXC_MODEL_H */

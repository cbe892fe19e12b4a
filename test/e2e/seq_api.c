/* The C API of models with sequence inputs and outputs (run_sequences.py compiles them):
 *   seq_insert: x seq(float), t float [2, 3], pos int64 [] ->
 *               z = SequenceErase(SequenceInsert(SequenceInsert(x, t + t, pos), t)), w = t * t
 *   seq_map:    x0, x1 seq(float [N, 3]), w float [3] ->
 *               y = SequenceMap(in0 * w + in1), s = SequenceMap(Shape(in0))
 *   seq_map_dims: x seq(float [N]), w float [N] -> y = SequenceMap(in0 + w), N given
 * onnxc_sequence in and out (one block per output, freed by the caller), the header's
 * macros, the descriptor's flags, a caller's allocator (run_with_allocator), and the statuses
 * of bad sequences. The references are computed here, element by element. */
#include "onnxc/model.h"
#include "seq_insert.h"
#include "seq_map.h"
#include "seq_map_dims.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;
#define CHECK(cond)                                                                          \
  do {                                                                                       \
    if (!(cond)) {                                                                           \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);              \
      ++failures;                                                                            \
    }                                                                                        \
  } while (0)

static int allocations = 0;
static void *counting_alloc(void *user, size_t bytes, size_t align) {
  (void)user;
  ++allocations;
  return aligned_alloc(align, (bytes + align - 1) / align * align);
}
static void counting_free(void *user, void *p) {
  (void)user;
  allocations -= p != NULL;
  free(p);
}

static int same(const float *a, const float *b, int n) {
  for (int i = 0; i < n; ++i)
    if (a[i] != b[i])
      return 0;
  return 1;
}

int main(void) {
  CHECK(SEQ_INSERT_INPUT_X_SEQUENCE == 1 && SEQ_INSERT_OUTPUT_Z_SEQUENCE == 1);
#ifdef SEQ_INSERT_INPUT_T_SEQUENCE
  CHECK(!"t is a tensor");
#endif
  /* x = [a (2), b (1x2)]: insert t + t at position 1, append t, erase the last. */
  float a[2] = {1, 2}, b[2] = {3, 4};
  int64_t da[1] = {2}, db[2] = {1, 2};
  int32_t ranks[2] = {1, 2};
  const int64_t *dims[2] = {da, db};
  const void *data[2] = {a, b};
  onnxc_sequence x = {2, ONNXC_FLOAT, 0, ranks, dims, data, NULL};
  float t[6] = {1, 2, 3, 4, 5, 6}, w[6], t2[6], tt[6];
  for (int i = 0; i < 6; ++i) {
    t2[i] = t[i] + t[i];
    tt[i] = t[i] * t[i];
  }
  int64_t pos = 1;
  onnxc_sequence z;
  unsigned char ws[SEQ_INSERT_WORKSPACE_SIZE + 1]
      __attribute__((aligned(SEQ_INSERT_WORKSPACE_ALIGNMENT)));
  CHECK(seq_insert_run(&x, t, &pos, &z, w, ws) == ONNXC_OK);
  CHECK(z.length == 3 && z.dtype == ONNXC_FLOAT && z.allocation != NULL);
  if (z.length == 3) {
    CHECK(z.ranks[0] == 1 && z.dims[0][0] == 2 && same(z.data[0], a, 2));
    CHECK(z.ranks[1] == 2 && z.dims[1][0] == 2 && z.dims[1][1] == 3 && same(z.data[1], t2, 6));
    CHECK(z.ranks[2] == 2 && z.dims[2][0] == 1 && z.dims[2][1] == 2 && same(z.data[2], b, 2));
  }
  CHECK(same(w, tt, 6));
  free(z.allocation);
  /* A negative position counts from the end; out of range is status 12, nothing allocated. */
  pos = -2;
  CHECK(seq_insert_run(&x, t, &pos, &z, w, ws) == ONNXC_OK);
  CHECK(z.length == 3 && same(z.data[0], t2, 6));
  free(z.allocation);
  pos = 3;
  CHECK(seq_insert_run(&x, t, &pos, &z, w, ws) == ONNXC_ERROR_RUNTIME_CHECK);
  CHECK(z.length == 0 && z.allocation == NULL);
  /* Bad sequences: a wrong dtype, a negative length, missing arrays, a NULL sequence. */
  pos = 0;
  x.dtype = ONNXC_INT64;
  CHECK(seq_insert_run(&x, t, &pos, &z, w, ws) == ONNXC_ERROR_INVALID_ARGUMENT);
  x.dtype = ONNXC_FLOAT;
  x.length = -1;
  CHECK(seq_insert_run(&x, t, &pos, &z, w, ws) == ONNXC_ERROR_INVALID_ARGUMENT);
  x.length = 2;
  x.data = NULL;
  CHECK(seq_insert_run(&x, t, &pos, &z, w, ws) == ONNXC_ERROR_NULL_ARGUMENT);
  x.data = data;
  CHECK(seq_insert_run(NULL, t, &pos, &z, w, ws) == ONNXC_ERROR_NULL_ARGUMENT);
  CHECK(seq_insert_run(&x, t, &pos, NULL, w, ws) == ONNXC_ERROR_NULL_ARGUMENT);
  /* An empty sequence in: z = [t + t]. */
  onnxc_sequence empty = {0, ONNXC_FLOAT, 0, NULL, NULL, NULL, NULL};
  CHECK(seq_insert_run(&empty, t, &pos, &z, w, ws) == ONNXC_OK);
  CHECK(z.length == 1 && same(z.data[0], t2, 6));
  free(z.allocation);

  /* The descriptor: flags, a sequence's rank 0, run_with_allocator's allocator. */
  const onnxc_model *m = seq_insert_model();
  CHECK(m->abi_version == ONNXC_ABI_VERSION && ONNXC_ABI_VERSION == 6);
  CHECK(m->flags & ONNXC_MODEL_SEQUENCES);
  CHECK(m->input_flags[SEQ_INSERT_INPUT_X_INDEX] == ONNXC_TENSOR_SEQUENCE);
  CHECK(m->input_flags[SEQ_INSERT_INPUT_T_INDEX] == 0);
  CHECK(m->output_flags[SEQ_INSERT_OUTPUT_Z_INDEX] == ONNXC_OUTPUT_SEQUENCE);
  CHECK(m->inputs[SEQ_INSERT_INPUT_X_INDEX].rank == 0 &&
        m->inputs[SEQ_INSERT_INPUT_X_INDEX].dtype == ONNXC_FLOAT);
  const void *ins[3] = {&x, t, &pos};
  void *outs[2] = {&z, w};
  onnxc_allocator alloc = {counting_alloc, counting_free, NULL};
  CHECK(m->run_with_allocator(NULL, ins, outs, NULL, ws, sizeof ws, &alloc) == ONNXC_OK);
  CHECK(allocations == 1 && z.length == 3 && same(z.data[0], t2, 6));
  counting_free(NULL, z.allocation);
  CHECK(allocations == 0);
  pos = 7; /* a failed run leaves nothing allocated */
  CHECK(m->run_with_allocator(NULL, ins, outs, NULL, ws, sizeof ws, &alloc) ==
        ONNXC_ERROR_RUNTIME_CHECK);
  CHECK(allocations == 0 && z.allocation == NULL);

  /* seq_map: three elements of 2, 0 and 1 rows. */
  CHECK(SEQ_MAP_WORKSPACE_SIZE == 0);
  float p0[6] = {1, 2, 3, 4, 5, 6}, q0[6] = {6, 5, 4, 3, 2, 1}, p2[3] = {-1, 0, 1},
        q2[3] = {7, 8, 9}, wm[3] = {2, -1, 0.5f};
  int64_t d0[2] = {2, 3}, d1[2] = {0, 3}, d2[2] = {1, 3};
  int32_t r3[3] = {2, 2, 2};
  const int64_t *dm[3] = {d0, d1, d2};
  const void *x0d[3] = {p0, NULL, p2}, *x1d[3] = {q0, NULL, q2};
  onnxc_sequence x0 = {3, ONNXC_FLOAT, 0, r3, dm, x0d, NULL};
  onnxc_sequence x1 = {3, ONNXC_FLOAT, 0, r3, dm, x1d, NULL};
  onnxc_sequence y, s;
  CHECK(seq_map_run(&x0, &x1, wm, &y, &s, NULL) == ONNXC_OK);
  CHECK(y.length == 3 && s.length == 3);
  if (y.length == 3 && s.length == 3) {
    float want0[6], want2[3];
    for (int i = 0; i < 6; ++i)
      want0[i] = p0[i] * wm[i % 3] + q0[i];
    for (int i = 0; i < 3; ++i)
      want2[i] = p2[i] * wm[i] + q2[i];
    CHECK(y.dims[0][0] == 2 && y.dims[0][1] == 3 && same(y.data[0], want0, 6));
    CHECK(y.dims[1][0] == 0 && y.dims[1][1] == 3);
    CHECK(y.dims[2][0] == 1 && same(y.data[2], want2, 3));
    const int64_t *shape1 = s.data[1];
    CHECK(s.ranks[1] == 1 && s.dims[1][0] == 2 && shape1[0] == 0 && shape1[1] == 3);
  }
  free(y.allocation);
  free(s.allocation);
  /* Sequences of different lengths, a tensor of the wrong rank: refused, nothing allocated. */
  x1.length = 2;
  CHECK(seq_map_run(&x0, &x1, wm, &y, &s, NULL) == ONNXC_ERROR_INVALID_ARGUMENT);
  CHECK(y.allocation == NULL && s.allocation == NULL);
  x1.length = 3;
  int32_t bad_ranks[3] = {2, 1, 2};
  x1.ranks = bad_ranks;
  CHECK(seq_map_run(&x0, &x1, wm, &y, &s, NULL) == ONNXC_ERROR_INVALID_ARGUMENT);
  x1.ranks = r3;
  /* N differs between x0's and x1's tensors at one index: the dims disagree. */
  int64_t d2b[2] = {2, 3};
  const int64_t *dmb[3] = {d0, d1, d2b};
  float q2b[6] = {0};
  const void *x1db[3] = {q0, NULL, q2b};
  x1.dims = dmb;
  x1.data = x1db;
  CHECK(seq_map_run(&x0, &x1, wm, &y, &s, NULL) == ONNXC_ERROR_DIMS_OUT_OF_RANGE);
  CHECK(y.allocation == NULL && s.allocation == NULL);

  /* seq_map_dims: the caller passes N (w's); the elements must have it. */
  CHECK(SEQ_MAP_DIMS_NUM_DIMS == 1 && SEQ_MAP_DIMS_INPUT_X_SEQUENCE == 1);
  CHECK(seq_map_dims_workspace_size(2) == 0 && seq_map_dims_workspace_size(-1) == -1);
  float e0[2] = {1, 2}, e1[2] = {3, 4}, wd[2] = {10, 20};
  int64_t dd[1] = {2};
  int32_t r1[2] = {1, 1};
  const int64_t *dd2[2] = {dd, dd};
  const void *ed[2] = {e0, e1};
  onnxc_sequence xd = {2, ONNXC_FLOAT, 0, r1, dd2, ed, NULL}, yd;
  CHECK(seq_map_dims_run(2, &xd, wd, &yd, NULL) == ONNXC_OK);
  CHECK(yd.length == 2);
  if (yd.length == 2) {
    float want0[2] = {11, 22}, want1[2] = {13, 24};
    CHECK(same(yd.data[0], want0, 2) && same(yd.data[1], want1, 2));
  }
  free(yd.allocation);
  CHECK(seq_map_dims_run(3, &xd, wd, &yd, NULL) == ONNXC_ERROR_DIMS_OUT_OF_RANGE);
  CHECK(yd.allocation == NULL);
  const onnxc_model *md = seq_map_dims_model();
  CHECK(md->num_dims == 1 && md->run(NULL, NULL, NULL) == ONNXC_ERROR_DIMS_OUT_OF_RANGE);
  if (failures)
    fprintf(stderr, "%d checks failed\n", failures);
  return failures ? 1 : 0;
}

/* A minimal host program for any compiled model, in C so it cross-builds for AArch64 with
 * nothing but the cross libc (onnx-run needs protobuf): loads MODEL.so through the generic
 * entry onnxc_model_get, reads DIR/input_<i>.bin (raw tensors, exactly size_bytes each), runs
 * the model once, writes DIR/output_<i>.bin.
 *
 *   driver MODEL.so DIR
 *
 * Exit codes: 0 ok; 2 usage or I/O error; 3 cannot load; 10 + status when init or run
 * returns a status (13: ONNXC_ERROR_CPU_UNSUPPORTED). */
#define _POSIX_C_SOURCE 200809L /* snprintf, dlopen; aligned_alloc is C11 */
#include "onnxc/model.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *read_file(const char *path, uint64_t want) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "driver: cannot open %s\n", path);
    return NULL;
  }
  void *buf = malloc(want ? want : 1);
  size_t got = fread(buf, 1, want, f);
  int extra = fgetc(f) != EOF;
  fclose(f);
  if (got != want || extra) {
    fprintf(stderr, "driver: %s does not hold exactly %llu bytes\n", path,
            (unsigned long long)want);
    free(buf);
    return NULL;
  }
  return buf;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: driver MODEL.so DIR\n");
    return 2;
  }
  void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    fprintf(stderr, "driver: %s\n", dlerror());
    return 3;
  }
  const onnxc_model *(*get)(void) = (const onnxc_model *(*)(void))dlsym(lib, "onnxc_model_get");
  if (!get) {
    fprintf(stderr, "driver: no onnxc_model_get in %s\n", argv[1]);
    return 3;
  }
  const onnxc_model *m = get();
  printf("model %s, target %s, %u inputs, %u outputs, workspace %llu bytes\n", m->name,
         m->target, m->num_inputs, m->num_outputs, (unsigned long long)m->workspace_size);
  int status = m->init();
  if (status != ONNXC_OK) {
    printf("init: status %d: %s\n", status, m->status_string(status));
    return 10 + status;
  }
  const void **ins = calloc(m->num_inputs + 1, sizeof *ins);
  void **outs = calloc(m->num_outputs + 1, sizeof *outs);
  char path[4096];
  for (uint32_t i = 0; i < m->num_inputs; ++i) {
    snprintf(path, sizeof path, "%s/input_%u.bin", argv[2], i);
    if (!(ins[i] = read_file(path, m->inputs[i].size_bytes)))
      return 2;
  }
  for (uint32_t i = 0; i < m->num_outputs; ++i)
    outs[i] = calloc(1, m->outputs[i].size_bytes ? m->outputs[i].size_bytes : 1);
  size_t align = m->workspace_alignment ? m->workspace_alignment : 64;
  size_t ws_size = (m->workspace_size + align - 1) / align * align;
  void *ws = aligned_alloc(align, ws_size ? ws_size : align);
  status = m->run(ins, outs, ws);
  if (status != ONNXC_OK) {
    printf("run: status %d: %s\n", status, m->status_string(status));
    return 10 + status;
  }
  for (uint32_t i = 0; i < m->num_outputs; ++i) {
    snprintf(path, sizeof path, "%s/output_%u.bin", argv[2], i);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(outs[i], 1, m->outputs[i].size_bytes, f) != m->outputs[i].size_bytes ||
        fclose(f)) {
      fprintf(stderr, "driver: cannot write %s\n", path);
      return 2;
    }
  }
  printf("ok\n");
  return 0;
}

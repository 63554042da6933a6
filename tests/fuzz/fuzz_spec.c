/* fuzz_spec.c — config.json as cnfrun reads it: spec_load_buf() parses and validates the whole
 * document (including what libseccomp checks); a refusal must carry a message, an acceptance
 * must hold what container_create relies on. */
#include <assert.h>
#include <stdint.h>
#include <string.h>
#include "runtime/spec.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct spec *s = NULL;
  cnf_err err = NULL;
  if (spec_load_buf ("config.json", (const char *) data, size, &s, &err) < 0)
    {
      assert (s == NULL && err != NULL && err->msg != NULL && strncmp (err->msg, "config.json: ", 13) == 0);
      cnf_err_free (&err);
      return 0;
    }
  assert (err == NULL && s != NULL);
  assert (s->root_path != NULL && s->root_path[0] != '\0');
  for (size_t i = 0; i < s->n_mounts; i++)
    assert (s->mounts[i].destination != NULL);
  if (s->has_process)
    { /* spec.h: args is NULL-terminated with >= 1 element */
      assert (s->process.args != NULL && s->process.n_args >= 1 && s->process.args[s->process.n_args] == NULL);
      for (size_t i = 0; i < s->process.n_args; i++)
        assert (s->process.args[i] != NULL);
    }
  spec_free (s);
  return 0;
}

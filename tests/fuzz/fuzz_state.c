/* fuzz_state.c — a container's state.json as `state`, `list`, `kill` and `delete` load it
 * (state_parse, the pure half of state_load), then written back as the OCI state document. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/state.h"
#include "lib/util.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct cnf_state st = { .dirfd = -1, .lockfd = -1 };
  cnf_err err = NULL;
  st.id = xstrdup ("fuzz");
  if (state_parse ((const char *) data, size, &st, &err) < 0)
    {
      assert (err != NULL && err->msg != NULL);
      cnf_err_free (&err);
    }
  else
    {
      char *json = state_to_oci_json (&st, false);
      assert (json != NULL);
      assert (state_status_name (st.status) != NULL);
      free (json);
    }
  state_free (&st);
  return 0;
}

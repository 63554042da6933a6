/* hooks.h — OCI hooks: each runs with the container state JSON on its stdin, its args and env
 * exactly as configured, and its timeout honoured (killed and failed when it expires).  A
 * failure names the hook kind, index and path, the exit status or signal, and the tail of what
 * the hook wrote to stdout/stderr.  Hooks run in whatever namespaces the caller is in. */
#ifndef CNF_HOOKS_H
#define CNF_HOOKS_H

#include <stddef.h>
#include "spec.h"
#include "../lib/error.h"

int hooks_run (const struct spec_hook *hooks, size_t n, const char *kind, const char *state_json, cnf_err *err);
/* poststart and poststop: every hook runs; a failing one is logged as a warning (runtime-spec). */
void hooks_run_warn (const struct spec_hook *hooks, size_t n, const char *kind, const char *state_json);
/* One hook; index only labels messages.  Exposed for tests. */
int hooks_run_one (const struct spec_hook *h, size_t index, const char *kind, const char *state_json, cnf_err *err);

/* Milliseconds left before a deadline (timeout_s seconds after start_ms); -1 = no timeout. */
int hooks_poll_timeout (int timeout_s, long long start_ms, long long now);

#endif

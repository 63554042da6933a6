/* caps.h — the five capability sets of process.capabilities, applied with libcap.
 * caps_apply() runs after the uid/gid switch (done with PR_SET_KEEPCAPS): it re-raises the
 * effective set from the permitted one, drops everything outside `bounding` from the bounding
 * set, sets effective/permitted/inheritable exactly, then raises the ambient set last.
 * A set absent from the config is empty.  A capability the running kernel does not know is an
 * error naming it. */
#ifndef CNF_CAPS_H
#define CNF_CAPS_H

#include "spec.h"
#include "../lib/error.h"

/* The highest capability number the running kernel knows. */
int caps_last_cap (void);
/* Check every listed capability against the kernel before anything changes. */
int caps_validate (const struct spec_caps *c, cnf_err *err);
int caps_apply (const struct spec_caps *c, cnf_err *err);

#endif

/* seccomp.h — linux.seccomp: validate the typed OCI object, build it into a libseccomp filter
 * and load it as the container process's last step before execve; hand the SCMP_ACT_NOTIFY fd
 * to a seccomp agent; name tables for `features`; the shipped profiles (seccomp-profiles/). */
#ifndef CNF_SECCOMP_H
#define CNF_SECCOMP_H

#include <stdint.h>
#include "../lib/error.h"
#include "spec.h"

/* Build the filter from the OCI seccomp object with libseccomp and load it.  Syscalls unknown to this
 * libseccomp are skipped with a debug log (as runc does).  With SCMP_ACT_NOTIFY rules and a listenerPath,
 * the notify fd is sent with the container state JSON over the Unix socket at listenerPath (runtime-spec
 * "seccomp listener" protocol: SCM_RIGHTS + the state JSON with fds ["seccompFd"] and listenerMetadata).
 * Without noNewPrivileges, loading needs CAP_SYS_ADMIN: call it before capabilities are dropped then. */
int seccomp_apply (const struct spec_seccomp *sc, const char *state_json, cnf_err *err);
/* Check the object before any side effect (unknown action/arch/flag/operator names are errors with the JSON path). */
int seccomp_validate (const struct spec_seccomp *sc, const char *origin, cnf_err *err);

/* Connect to listenerPath now, while the host's mount namespace is still visible (before pivot_root);
 * seccomp_apply then sends over this connection.  A no-op (returns 0) when no listener is configured.
 * Without it seccomp_apply connects by path itself, which only works if the path is reachable then. */
int seccomp_listener_prepare (const struct spec_seccomp *sc, cnf_err *err);
/* The connection made by seccomp_listener_prepare, or -1: callers keep it open across fd sweeps. */
int seccomp_listener_fd (void);

/* Lists for `cnfrun features`: actions, operators, archs, flags this build supports. */
const char *const *seccomp_supported_actions (void);   /* NULL-terminated */
const char *const *seccomp_supported_operators (void);
const char *const *seccomp_supported_archs (void);
const char *const *seccomp_supported_flags (void);
/* Every flag name the runtime recognises (features "knownFlags"), supported here or not. */
const char *const *seccomp_known_flags (void);

/* Name <-> value helpers for the config parser: "SCMP_ACT_ERRNO" -> SCMP_ACT_ERRNO(0) (the errno is
 * kept apart, in errnoRet), "SCMP_CMP_MASKED_EQ" -> SCMP_CMP_MASKED_EQ.  -1 if unknown. */
int seccomp_action_from_name (const char *name, uint32_t *out);
int seccomp_operator_from_name (const char *name, int *out);
const char *seccomp_action_name (uint32_t action);

/* The profile NAME.json ("default", "cnf-dataplane", "cnf-strict"), read into *json_text (malloc'd).
 * Looked up in $CNFRUN_SECCOMP_PROFILES, then /usr/local/share/cnfrun/seccomp and /usr/share/cnfrun/seccomp,
 * then (only when cnfrun runs from its build dir) the source tree's seccomp-profiles/. */
int seccomp_profile_load (const char *name, char **json_text, cnf_err *err);

/* For tests: build the filter without loading it.  Returns a scmp_filter_ctx (void * here so that
 * this header does not need <seccomp.h>); release it with seccomp_release(). */
int seccomp_build (const struct spec_seccomp *sc, void **ctx_out, cnf_err *err);

#endif

/* container.h — the container lifecycle: create (parent side, stage-1 and init), start,
 * kill, delete.  create either leaves a live init blocked on the exec fifo with state
 * "created", or leaves nothing behind: no state dir, cgroup, moved netdev or process. */
#ifndef CNF_CONTAINER_H
#define CNF_CONTAINER_H

#include <stdbool.h>
#include "cli.h"
#include "spec.h"
#include "state.h"

struct create_opts
{
  const char *id;
  const char *bundle;          /* NULL: cwd */
  const char *pid_file;
  const char *console_socket;
  bool no_pivot;
  bool no_new_keyring;
  int preserve_fds;
  bool keep_child;             /* run in the foreground: init stays our child */
  /* Foreground run with process.terminal and no --console-socket: create makes an internal
   * socket pair, gives one end to init as its console socket and returns the other here, to
   * receive the pty master on (-1 when no terminal is needed). */
  int *tty_sock_out;
};

/* On success *st is loaded and locked, and (if spec_out) the spec is returned. */
int container_create (struct cnf_global *g, const struct create_opts *o, struct cnf_state *st, struct spec **spec_out,
                      cnf_err *err);
/* Release a created container's init to exec process.args, then run poststart hooks. */
int container_start (struct cnf_global *g, struct cnf_state *st, cnf_err *err);
int container_kill (struct cnf_global *g, struct cnf_state *st, int sig, bool all, cnf_err *err);
/* Remove everything.  Without force a running/created-and-alive container is refused. */
int container_delete (struct cnf_global *g, struct cnf_state *st, bool force, cnf_err *err);
/* Load the bundle's config.json for a stored container (for hooks and exec). */
int container_load_spec (const struct cnf_state *st, struct spec **out, cnf_err *err);
/* Write a pid file atomically. */
int container_write_pid_file (const char *path, pid_t pid, cnf_err *err);

#endif

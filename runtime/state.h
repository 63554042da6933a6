/* state.h — the per-container state store under --root: one directory per id holding
 * state.json (written atomically: temp file + rename), the exec fifo and saved host state
 * (IRQ masks, moved netdevs).  state_lock() takes an exclusive flock on the directory so two
 * commands on one id never interleave.  A container's liveness is judged from its init pid
 * plus the pid's start time, so a recycled pid is never mistaken for the container. */
#ifndef CNF_STATE_H
#define CNF_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "../lib/error.h"
#include "../lib/json.h"

enum cnf_status { ST_CREATING = 0, ST_CREATED, ST_RUNNING, ST_PAUSED, ST_STOPPED };

struct cnf_netdev_record
{
  char *host_name;       /* name on the host before the move */
  char *ct_name;         /* name inside the container */
};

struct cnf_state
{
  char *id;
  pid_t pid;                   /* container init, 0 if never started */
  unsigned long long pid_start;/* /proc/<pid>/stat field 22, to detect pid reuse */
  enum cnf_status status;      /* as stored; see state_refresh() */
  char *bundle;                /* absolute */
  char *rootfs;                /* absolute */
  char *created;               /* RFC 3339 */
  uid_t owner;
  char *cgroup_path;           /* absolute path of the container's cgroup dir, or NULL */
  bool systemd_cgroup;
  char *systemd_unit;          /* scope name when the systemd driver is used */
  json_value *annotations;     /* object, may be NULL; owned */
  struct cnf_netdev_record *netdevs;
  size_t n_netdevs;
  int dirfd;                   /* open fd of <root>/<id>, -1 if not open */
  int lockfd;                  /* held flock, -1 if not locked */
};

const char *state_status_name (enum cnf_status s); /* "created", ... */

/* Validate an id: [A-Za-z0-9_+.-]{1,1024}, not "." or "..". */
int state_check_id (const char *id, cnf_err *err);
/* Create <root>/<id> exclusively (fails "container with id exists: ID") and lock it. */
int state_create_dir (const char *root, const char *id, struct cnf_state *st, cnf_err *err);
/* Load and lock. Missing: error 'container "ID" does not exist' with sys_errno ENOENT; an unparsable
 * (truncated, empty) state file: "... is corrupt: ..." with sys_errno EBADMSG. */
int state_load (const char *root, const char *id, struct cnf_state *st, cnf_err *err);
/* Load without taking the lock (for `state`/`list`, which must not block on a busy id). */
int state_load_nolock (const char *root, const char *id, struct cnf_state *st, cnf_err *err);
int state_save (struct cnf_state *st, cnf_err *err);
/* Fill st's recorded fields from state.json text (st->id names it in messages); no I/O.
 * On failure st may hold partial fields: the caller frees it with state_free. */
int state_parse (const char *buf, size_t len, struct cnf_state *st, cnf_err *err);
/* Refresh st->status from the live process: running/created/paused/stopped. */
enum cnf_status state_refresh (struct cnf_state *st);
bool state_pid_alive (const struct cnf_state *st);
/* /proc/<pid>/stat starttime of any pid, 0 if gone. */
unsigned long long state_pid_start_of (pid_t pid);
/* Remove <root>/<id> entirely. */
int state_destroy (const char *root, struct cnf_state *st, cnf_err *err);
void state_free (struct cnf_state *st);
/* The OCI state JSON (ociVersion,id,status,pid,bundle,rootfs,created,owner,annotations). */
char *state_to_oci_json (const struct cnf_state *st, bool pretty);
/* Read and write small auxiliary files in the state dir (IRQ masks, ...), atomically. */
int state_write_aux (struct cnf_state *st, const char *name, const char *data, size_t len, cnf_err *err);
int state_read_aux (struct cnf_state *st, const char *name, char **data, size_t *len, cnf_err *err);

#endif

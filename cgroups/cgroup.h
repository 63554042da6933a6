/* cgroup.h — a container's cgroup on the unified (v2) hierarchy: create it with every
 * linux.resources limit applied (or fail before anything exists), enter it, freeze, kill,
 * list, update, report stats, and remove it with everything it holds.  The v2 mount is found
 * in /proc/self/mountinfo; on a hybrid host only its controllers are used, and asking for a
 * missing one is an error naming the controller and the mount.  v1 hierarchies are never
 * touched.  With `systemd`, the cgroup is a transient scope created over D-Bus.
 *
 * CNF isolation (cpu-load-balancing / cpu-quota / irq-load-balancing .crio.io annotations)
 * lives in isolation.c; its saved host state (IRQ masks) is kept in the container's state
 * dir so that cg_destroy, or cg_recover_stale after a crash, restores it. */
#ifndef CNF_CGROUP_H
#define CNF_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "../lib/error.h"
#include "../lib/json.h"
#include "resources.h"

struct cg_handle;

struct cg_config
{
  const char *cgroups_path;       /* linux.cgroupsPath or NULL (then a default path from id) */
  const char *id;                 /* container id */
  bool systemd;                   /* --systemd-cgroup: path is slice:prefix:name */
  const struct cg_resources *res; /* may be NULL */
  const struct cg_kv *annotations;
  size_t n_annotations;           /* for the crio.io CPU/IRQ annotations */
  int state_dirfd;                /* container state dir, for saved IRQ masks etc.; -1 if none */
};

/* mkdir (or start the systemd scope) + enable controllers up the path + apply resources.
 * Every requested controller is checked against the hierarchy before anything is created;
 * on failure nothing is left behind. */
int cg_create (const struct cg_config *cfg, struct cg_handle **out, cnf_err *err);
/* O_DIRECTORY fd of the cgroup, for clone3 CLONE_INTO_CGROUP (owned by the handle). */
int cg_dirfd (const struct cg_handle *h);
/* Absolute path of the cgroup directory (what the state stores). */
const char *cg_path (const struct cg_handle *h);
/* The systemd unit (scope) name, or NULL with the cgroupfs driver (store it in state). */
const char *cg_systemd_unit (const struct cg_handle *h);
/* Move pid in by writing cgroup.procs (when CLONE_INTO_CGROUP was not available). */
int cg_enter (struct cg_handle *h, pid_t pid, cnf_err *err);
/* The annotations that act once the init is inside (irq-load-balancing). */
int cg_post_start_isolation (struct cg_handle *h, cnf_err *err);
/* Reopen a container's cgroup from its stored state.  unit may be NULL. */
int cg_open (const char *path, bool systemd, const char *unit, int state_dirfd, struct cg_handle **out,
             cnf_err *err);
/* Kill what is left (cgroup.kill, else SIGKILL each pid), wait until it is empty, rmdir (or
 * stop the scope), restore IRQ masks and remove the isolated partition.  A missing cgroup
 * is not an error. */
int cg_destroy (struct cg_handle *h, cnf_err *err);
void cg_handle_free (struct cg_handle *h);

int cg_freeze (struct cg_handle *h, bool freeze, cnf_err *err);
int cg_is_frozen (struct cg_handle *h); /* 1, 0, or -1 unknown */
int cg_kill_all (struct cg_handle *h, int sig, cnf_err *err);
int cg_pids (struct cg_handle *h, pid_t **pids, size_t *n, cnf_err *err);
/* Apply the fields that are set in res (`cnfrun update`). */
int cg_update (struct cg_handle *h, const struct cg_resources *res, cnf_err *err);
/* The "data" object of runc's `events --stats`: cpu, memory, pids, hugetlb, blkio. */
int cg_stats_json (struct cg_handle *h, json_writer *w, cnf_err *err);
/* Restore IRQ masks saved by containers whose cgroup is gone or empty (crashed runs). */
int cg_recover_stale (const char *state_root, cnf_err *err);


#endif

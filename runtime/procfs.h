/* procfs.h — the one trusted procfs handle.  procfs_fd() opens the host's /proc once, checks
 * that it really is procfs (statfs PROC_SUPER_MAGIC, not a bind mount of something else) and
 * returns an O_PATH directory fd that every module uses with openat() instead of "/proc/…"
 * paths, so that a container cannot redirect a procfs write (CVE-2019-16884, CVE-2025-52881). */
#ifndef CNF_PROCFS_H
#define CNF_PROCFS_H

#include <sys/types.h>
#include "../lib/error.h"

int procfs_fd (cnf_err *err);   /* cached; -1 on failure */
void procfs_forget (void);      /* after fork into new namespaces, drop the cached fd's number */
/* Open /proc/<pid>/<rel> (pid 0: "self", -1: "thread-self") through the trusted handle. */
int procfs_open (pid_t pid, const char *rel, int flags, cnf_err *err);

#endif

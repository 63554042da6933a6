/* process.h — the last steps before the container's program runs: rlimits, scheduler, I/O
 * priority, personality, memory policy, CPU affinity, user, capabilities, no_new_privs, fd
 * hygiene, a verified cwd, then execve.  Everything here runs in the container (init or an exec
 * process); nothing returns on success.  The small builders are exposed for unit tests. */
#ifndef CNF_PROCESS_H
#define CNF_PROCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "spec.h"
#include "../lib/error.h"

struct process_opts
{
  int preserve_fds;     /* keep fds 3..3+n-1 */
  bool is_init;
  const int *keep_fds;  /* extra fds to keep open (closed by CLOEXEC at exec) */
  size_t n_keep_fds;
  const char *state_json; /* the container state, for a seccomp notify listener */
};

/* Runs in the container (init after rootfs_finalize and the start signal, or a `cnfrun exec`
 * process after joining the namespaces and cgroup).  Applies, in this order: rlimits,
 * oomScoreAdj, scheduler (sched_setattr incl. DEADLINE), ioPriority, personality, memoryPolicy,
 * execCPUAffinity.final, user (setgroups, setresgid, setresuid keeping caps), umask, the five
 * capability sets (ambient last), noNewPrivileges, [seccomp], closes every fd except stdio, the
 * preserved ones and keep_fds, chdir(cwd) verified to lie inside the container root
 * (CVE-2024-21626), PATH lookup of args[0] in process.env, execve.
 * Returns only on failure (err set, the message names the step). */
int process_exec (const struct spec *s, const struct spec_process *p, const struct process_opts *o, cnf_err *err);

/* cpu list "0-3,7" -> sched_setaffinity with a mask sized for any number of CPUs (runc #5023).
 * pid 0 = the caller. */
int process_set_affinity (pid_t pid, const char *cpulist, cnf_err *err);

/* The kernel's struct sched_attr (VER1, 56 bytes; glibc < 2.41 lacks it). */
struct process_sched_attr
{
  uint32_t size;
  uint32_t sched_policy;
  uint64_t sched_flags;
  int32_t sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime;
  uint64_t sched_deadline;
  uint64_t sched_period;
  uint32_t sched_util_min;
  uint32_t sched_util_max;
};

/* Build and check the attr for process.scheduler (nice only for OTHER/BATCH, priority 1..99 only
 * for FIFO/RR, runtime <= deadline <= period for DEADLINE). */
int process_sched_attr_build (const struct spec_scheduler *sc, struct process_sched_attr *out, cnf_err *err);
/* ioprio_set() value for process.ioPriority: class << 13 | level. */
int process_ioprio_value (const struct spec_io_priority *io, int *out, cnf_err *err);
/* set_mempolicy() arguments for linux.memoryPolicy: mode with its flags, a node mask sized from
 * the highest node (words), and maxnode (bits + 1, the kernel ignores the last). */
struct process_mempolicy
{
  int mode;               /* MPOL_* | MPOL_F_* */
  unsigned long *nodes;   /* NULL when no nodes */
  unsigned long maxnode;
};
int process_mempolicy_build (const struct spec_memory_policy *mp, struct process_mempolicy *out, cnf_err *err);
void process_mempolicy_free (struct process_mempolicy *mp);
/* Find args0 along PATH (from env, default the runc PATH) as the kernel will see it; malloc'd. */
char *process_find_exec (const char *arg0, char *const *env, cnf_err *err);
/* The create-time check runc makes too: args[0] (absolute, or searched along process.env's PATH)
 * names an executable regular file, so `create` fails with the reason (and containerd shows it)
 * instead of the container exiting 127 after `start`.  A relative path with a slash depends on
 * process.cwd and is left to execve. */
int process_check_exec (const struct spec_process *p, cnf_err *err);
/* Close the fds in [lo, hi] found in /proc/self/fd (the pre-close_range fallback); the trusted
 * procfs handle is spared. */
int process_close_fds_listing (unsigned lo, unsigned hi);
/* The cwd check of CVE-2024-21626: 0 if `cwd` (raw getcwd syscall output) is an absolute path. */
int process_check_cwd (const char *cwd, cnf_err *err);

#endif

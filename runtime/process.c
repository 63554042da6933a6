/* process.c — the container process's final setup and execve (see process.h).
 * The order matters: everything that needs privilege (rlimits, scheduler, memory policy) comes
 * before the user switch and the capability drop; fds are closed and the cwd is verified only
 * after the last step that could open something, so nothing of the host stays reachable. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/close_range.h>
#include <linux/mempolicy.h>
#include "process.h"
#include "seccomp.h"
#include "caps.h"
#include "cpuset_mask.h"
#include "procfs.h"
#include "../lib/log.h"
#include "../lib/util.h"

#ifndef SCHED_DEADLINE
#define SCHED_DEADLINE 6
#endif
#ifndef SCHED_IDLE
#define SCHED_IDLE 5
#endif
#ifndef SCHED_BATCH
#define SCHED_BATCH 3
#endif
#ifndef MPOL_LOCAL
#define MPOL_LOCAL 4
#endif
#ifndef MPOL_PREFERRED_MANY
#define MPOL_PREFERRED_MANY 5
#endif
#ifndef MPOL_WEIGHTED_INTERLEAVE
#define MPOL_WEIGHTED_INTERLEAVE 6
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#define SCHED_ATTR_SIZE_VER0 48
#define IOPRIO_CLASS_SHIFT 13
#define IOPRIO_WHO_PROCESS 1

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* ---------- builders (pure, unit-tested) ---------- */

int
process_sched_attr_build (const struct spec_scheduler *sc, struct process_sched_attr *out, cnf_err *err)
{
  memset (out, 0, sizeof *out);
  out->size = SCHED_ATTR_SIZE_VER0;
  out->sched_policy = (uint32_t) sc->policy;
  out->sched_flags = sc->flags;
  switch (sc->policy)
    {
    case SCHED_OTHER:
    case SCHED_BATCH:
      if (sc->nice < -20 || sc->nice > 19)
        return cnf_err_set (err, 0, "process.scheduler: nice %d is outside -20..19", sc->nice);
      if (sc->priority != 0)
        return cnf_err_set (err, 0, "process.scheduler: priority must be 0 for this policy (use nice)");
      out->sched_nice = sc->nice;
      break;
    case SCHED_IDLE:
      if (sc->priority != 0)
        return cnf_err_set (err, 0, "process.scheduler: priority must be 0 for SCHED_IDLE");
      break;
    case SCHED_FIFO:
    case SCHED_RR:
      if (sc->priority < 1 || sc->priority > 99)
        return cnf_err_set (err, 0, "process.scheduler: priority %u is outside 1..99 for a real-time policy",
                            sc->priority);
      out->sched_priority = sc->priority;
      break;
    case SCHED_DEADLINE:
      {
        uint64_t period = sc->period ? sc->period : sc->deadline;
        if (sc->priority != 0)
          return cnf_err_set (err, 0, "process.scheduler: priority must be 0 for SCHED_DEADLINE");
        if (sc->deadline == 0)
          return cnf_err_set (err, 0, "process.scheduler: SCHED_DEADLINE needs a deadline");
        if (sc->runtime < 1024)
          return cnf_err_set (err, 0, "process.scheduler: SCHED_DEADLINE runtime must be at least 1024 ns");
        if (sc->runtime > sc->deadline || sc->deadline > period)
          return cnf_err_set (err, 0, "process.scheduler: SCHED_DEADLINE needs runtime <= deadline <= period");
        out->sched_runtime = sc->runtime;
        out->sched_deadline = sc->deadline;
        out->sched_period = sc->period;
        break;
      }
    default:
      return cnf_err_set (err, 0, "process.scheduler: unknown policy %d", sc->policy);
    }
  return 0;
}

int
process_ioprio_value (const struct spec_io_priority *io, int *out, cnf_err *err)
{
  if (io->class < 1 || io->class > 3)
    return cnf_err_set (err, 0, "process.ioPriority: unknown class %d", io->class);
  if (io->priority < 0 || io->priority > 7)
    return cnf_err_set (err, 0, "process.ioPriority: priority %d is outside 0..7", io->priority);
  /* The idle class has no levels; the kernel ignores the data part. */
  *out = (io->class << IOPRIO_CLASS_SHIFT) | (io->class == 3 ? 0 : io->priority);
  return 0;
}

int
process_mempolicy_build (const struct spec_memory_policy *mp, struct process_mempolicy *out, cnf_err *err)
{
  struct cpu_mask m = { NULL, 0, 0 };
  bool has_nodes;
  memset (out, 0, sizeof *out);
  if (mp->nodes && cpu_mask_parse (mp->nodes, "linux.memoryPolicy.nodes", &m, err) < 0)
    return -1;
  has_nodes = cpu_mask_count (&m) > 0;
  switch (mp->mode)
    {
    case MPOL_DEFAULT:
    case MPOL_LOCAL:
      if (has_nodes)
        {
          cpu_mask_free (&m);
          return cnf_err_set (err, 0, "linux.memoryPolicy: nodes must be empty for MPOL_%s",
                              mp->mode == MPOL_DEFAULT ? "DEFAULT" : "LOCAL");
        }
      break;
    case MPOL_BIND:
    case MPOL_INTERLEAVE:
    case MPOL_PREFERRED_MANY:
    case MPOL_WEIGHTED_INTERLEAVE:
      if (!has_nodes)
        return cnf_err_set (err, 0, "linux.memoryPolicy: this mode needs nodes");
      break;
    case MPOL_PREFERRED:
      break; /* no nodes means "local" */
    default:
      cpu_mask_free (&m);
      return cnf_err_set (err, 0, "linux.memoryPolicy: unknown mode %d", mp->mode);
    }
  out->mode = mp->mode | (int) mp->flags;
  if (has_nodes)
    {
      out->nodes = steal_ptr (&m.bits);
      /* The kernel reads maxnode - 1 bits. */
      out->maxnode = (unsigned long) (m.n_longs * sizeof (unsigned long) * CHAR_BIT) + 1;
    }
  cpu_mask_free (&m);
  return 0;
}

void
process_mempolicy_free (struct process_mempolicy *mp)
{
  free (mp->nodes);
  mp->nodes = NULL;
}

static const char *
env_get (char *const *env, const char *name)
{
  size_t n = strlen (name);
  for (; env && *env; env++)
    if (strncmp (*env, name, n) == 0 && (*env)[n] == '=')
      return *env + n + 1;
  return NULL;
}

char *
process_find_exec (const char *arg0, char *const *env, cnf_err *err)
{
  const char *path, *p;
  int saved = ENOENT;
  if (arg0 == NULL || *arg0 == '\0')
    {
      cnf_err_set (err, 0, "process.args[0] is empty");
      return NULL;
    }
  if (strchr (arg0, '/'))
    return xstrdup (arg0);
  path = env_get (env, "PATH");
  if (path == NULL)
    path = DEFAULT_PATH;
  p = path;
  for (;;)
    {
      const char *end = strchrnul (p, ':');
      size_t len = (size_t) (end - p);
      char *cand = len ? xasprintf ("%.*s/%s", (int) len, p, arg0) : xasprintf ("./%s", arg0);
      struct stat st;
      if (stat (cand, &st) == 0)
        {
          if (S_ISREG (st.st_mode) && access (cand, X_OK) == 0)
            return cand;
          saved = EACCES;
        }
      free (cand);
      if (*end == '\0')
        break;
      p = end + 1;
    }
  cnf_err_set (err, saved, "exec \"%s\": not found in PATH \"%s\"", arg0, path);
  return NULL;
}

int
process_check_exec (const struct spec_process *p, cnf_err *err)
{
  static char *const empty_env[] = { NULL };
  char *path;
  struct stat st;
  int r = 0;
  if (p->args == NULL || p->args[0] == NULL)
    return cnf_err_set (err, 0, "process.args is empty");
  if (p->args[0][0] != '/' && strchr (p->args[0], '/'))
    return 0;
  path = process_find_exec (p->args[0], p->env ? p->env : empty_env, err);
  if (path == NULL)
    return -1;
  if (stat (path, &st) < 0)
    r = cnf_err_set (err, errno, "exec \"%s\"", path);
  else if (!S_ISREG (st.st_mode) || access (path, X_OK) < 0)
    r = cnf_err_set (err, EACCES, "exec \"%s\": not an executable file", path);
  free (path);
  return r;
}

int
process_check_cwd (const char *cwd, cnf_err *err)
{
  if (cwd == NULL || cwd[0] != '/')
    return cnf_err_set (err, 0, "the working directory \"%s\" is outside the container's root "
                                "(a leaked host directory? CVE-2024-21626)", cwd ? cwd : "");
  return 0;
}

/* ---------- steps ---------- */

int
process_set_affinity (pid_t pid, const char *cpulist, cnf_err *err)
{
  struct cpu_mask m = { NULL, 0, 0 };
  int r;
  if (cpu_mask_parse (cpulist, "execCPUAffinity", &m, err) < 0)
    return -1;
  if (cpu_mask_count (&m) == 0)
    {
      cpu_mask_free (&m);
      return cnf_err_set (err, 0, "execCPUAffinity: empty cpu list \"%s\"", cpulist);
    }
  r = (int) syscall (SYS_sched_setaffinity, pid, cpu_mask_bytes (&m), m.bits);
  cpu_mask_free (&m);
  if (r < 0)
    return cnf_err_set (err, errno, "set the CPU affinity to \"%s\"%s", cpulist,
                        errno == EINVAL ? " (no listed CPU is online or allowed by the cpuset)" : "");
  return 0;
}

static int
apply_rlimits (const struct spec_process *p, cnf_err *err)
{
  size_t i;
  for (i = 0; i < p->n_rlimits; i++)
    {
      const struct spec_rlimit *r = &p->rlimits[i];
      struct rlimit rl = { (rlim_t) r->soft, (rlim_t) r->hard };
      if (setrlimit ((__rlimit_resource_t) r->resource, &rl) < 0)
        return cnf_err_set (err, errno, "set rlimit %s (soft %llu, hard %llu)%s", r->name ? r->name : "?",
                            (unsigned long long) r->soft, (unsigned long long) r->hard,
                            errno == EPERM ? " (raising a hard limit needs CAP_SYS_RESOURCE)" : "");
    }
  return 0;
}

static int
apply_oom_score_adj (const struct spec_process *p, cnf_err *err)
{
  char buf[16];
  int fd, n;
  if (!p->has_oom_score_adj)
    return 0;
  fd = procfs_open (0, "oom_score_adj", O_WRONLY | O_CLOEXEC, NULL);
  if (fd < 0 && errno == EACCES && prctl (PR_GET_DUMPABLE, 0, 0, 0, 0) == 0)
    {
      /* After a uid change in a user namespace the process is not dumpable, so its /proc files
       * belong to the host's root; be dumpable just for the open (execve resets it anyway). */
      int e;
      prctl (PR_SET_DUMPABLE, 1, 0, 0, 0);
      fd = procfs_open (0, "oom_score_adj", O_WRONLY | O_CLOEXEC, NULL);
      e = errno;
      prctl (PR_SET_DUMPABLE, 0, 0, 0, 0);
      errno = e;
    }
  if (fd < 0)
    return cnf_err_set (err, errno, "set oomScoreAdj: open /proc/self/oom_score_adj");
  n = snprintf (buf, sizeof buf, "%d", p->oom_score_adj);
  if (write (fd, buf, (size_t) n) != n)
    {
      int e = errno;
      close (fd);
      return cnf_err_set (err, e, "set oomScoreAdj %d", p->oom_score_adj);
    }
  close (fd);
  return 0;
}

static int
apply_scheduler (const struct spec_process *p, cnf_err *err)
{
  struct process_sched_attr a;
  if (!p->scheduler.present)
    return 0;
  if (process_sched_attr_build (&p->scheduler, &a, err) < 0)
    return -1;
  if (syscall (SYS_sched_setattr, 0, &a, 0) < 0)
    return cnf_err_set (err, errno, "process.scheduler: sched_setattr (policy %d)%s", p->scheduler.policy,
                        errno == EPERM || errno == EBUSY ? " (real-time/deadline bandwidth not available?)" : "");
  return 0;
}

static int
apply_ioprio (const struct spec_process *p, cnf_err *err)
{
  int v;
  if (!p->io_priority.present)
    return 0;
  if (process_ioprio_value (&p->io_priority, &v, err) < 0)
    return -1;
  if (syscall (SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, v) < 0)
    return cnf_err_set (err, errno, "process.ioPriority: ioprio_set");
  return 0;
}

static int
apply_personality (const struct spec *s, cnf_err *err)
{
  /* linux.personality.flags has no defined values yet: nothing to OR in. */
  if (!s->has_linux || !s->linux_.has_personality)
    return 0;
  if (personality (s->linux_.personality) < 0)
    return cnf_err_set (err, errno, "linux.personality: personality(0x%lx)", s->linux_.personality);
  return 0;
}

static int
apply_mempolicy (const struct spec *s, cnf_err *err)
{
  struct process_mempolicy mp;
  long r;
  if (!s->has_linux || !s->linux_.memory_policy.present)
    return 0;
  if (process_mempolicy_build (&s->linux_.memory_policy, &mp, err) < 0)
    return -1;
  r = syscall (SYS_set_mempolicy, mp.mode, mp.nodes, mp.maxnode);
  process_mempolicy_free (&mp);
  if (r < 0)
    return cnf_err_set (err, errno, "linux.memoryPolicy: set_mempolicy (mode %d, nodes \"%s\")%s",
                        s->linux_.memory_policy.mode,
                        s->linux_.memory_policy.nodes ? s->linux_.memory_policy.nodes : "",
                        errno == EINVAL ? " (no such NUMA node, or nodes outside the cpuset?)" : "");
  return 0;
}

/* setgroups() is refused in a user namespace whose setgroups file says "deny". */
static bool
setgroups_denied (void)
{
  char buf[16] = "";
  int fd = procfs_open (0, "setgroups", O_RDONLY | O_CLOEXEC, NULL);
  ssize_t n;
  if (fd < 0)
    return false;
  n = read (fd, buf, sizeof buf - 1);
  close (fd);
  return n > 0 && strncmp (buf, "deny", 4) == 0;
}

static int
apply_user (const struct spec_process *p, bool sg_denied, cnf_err *err)
{
  const struct spec_user *u = &p->user;
  if (setgroups (u->n_additional_gids, (const gid_t *) u->additional_gids) < 0)
    {
      if (!(errno == EPERM && u->n_additional_gids == 0 && sg_denied))
        return cnf_err_set (err, errno, "process.user: setgroups (additionalGids)");
    }
  /* Keep the permitted set across the uid change; caps_apply() then sets the exact sets. */
  if (prctl (PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
    return cnf_err_set (err, errno, "process.user: PR_SET_KEEPCAPS");
  if (setresgid (u->gid, u->gid, u->gid) < 0)
    return cnf_err_set (err, errno, "process.user: setresgid %u (is it mapped?)", u->gid);
  if (setresuid (u->uid, u->uid, u->uid) < 0)
    return cnf_err_set (err, errno, "process.user: setresuid %u (is it mapped?)", u->uid);
  if (prctl (PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
    return cnf_err_set (err, errno, "process.user: clear PR_SET_KEEPCAPS");
  return 0;
}

static bool
caps_configured (const struct spec_caps *c)
{
  int i;
  for (i = 0; i < CAP_SET__COUNT; i++)
    if (c->present[i])
      return true;
  return false;
}

static int
cmp_int (const void *a, const void *b)
{
  int x = *(const int *) a, y = *(const int *) b;
  return (x > y) - (x < y);
}

static int
set_cloexec (int fd, bool on)
{
  int fl = fcntl (fd, F_GETFD);
  if (fl < 0)
    return -1;
  return fcntl (fd, F_SETFD, on ? (fl | FD_CLOEXEC) : (fl & ~FD_CLOEXEC));
}

/* Close fds in [lo, hi] by listing /proc/self/fd through the trusted procfs handle (a bounded
 * loop would miss fds above a lowered RLIMIT_NOFILE).  The procfs handle itself stays open. */
int
process_close_fds_listing (unsigned lo, unsigned hi)
{
  int pfd = procfs_fd (NULL);
  int dfd = procfs_open (0, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC, NULL);
  DIR *d = dfd >= 0 ? fdopendir (dfd) : NULL;
  struct dirent *de;
  if (d == NULL)
    {
      if (dfd >= 0)
        close (dfd);
      errno = ENOSYS;
      return -1;
    }
  while ((de = readdir (d)) != NULL)
    {
      unsigned long long v;
      if (parse_u64 (de->d_name, &v) == 0 && v >= lo && v <= hi && (int) v != dfd && (int) v != pfd)
        close ((int) v);
    }
  closedir (d);
  return 0;
}

static int
close_from (unsigned lo, unsigned hi)
{
  if (lo > hi)
    return 0;
  if (syscall (SYS_close_range, lo, hi, 0) == 0)
    return 0;
  if (errno != ENOSYS)
    return -1;
  /* Pre-5.9 kernel. */
  return process_close_fds_listing (lo, hi);
}

/* Close every fd >= 3 except the preserved ones (inherited: CLOEXEC cleared) and keep_fds
 * and the log fd (left open until exec: CLOEXEC set). */
static int
close_fds (const struct process_opts *o, cnf_err *err)
{
  size_t nk = 0, i;
  int *keep = xmalloc ((o->n_keep_fds + 1) * sizeof *keep);
  unsigned first = 3 + (unsigned) (o->preserve_fds > 0 ? o->preserve_fds : 0), next;
  int fd;

  for (fd = 3; (unsigned) fd < first; fd++)
    if (set_cloexec (fd, false) < 0 && errno != EBADF)
      {
        free (keep);
        return cnf_err_set (err, errno, "preserve fd %d", fd);
      }
  for (i = 0; i < o->n_keep_fds; i++)
    if (o->keep_fds[i] >= (int) first)
      keep[nk++] = o->keep_fds[i];
  if (log_get_fd () >= (int) first)
    keep[nk++] = log_get_fd ();
  qsort (keep, nk, sizeof *keep, cmp_int);

  next = first;
  for (i = 0; i < nk; i++)
    {
      if ((unsigned) keep[i] < next)
        continue; /* duplicate */
      if (close_from (next, (unsigned) keep[i] - 1) < 0)
        goto fail;
      set_cloexec (keep[i], true);
      next = (unsigned) keep[i] + 1;
    }
  if (close_from (next, ~0U) < 0)
    goto fail;
  free (keep);
  /* The cached procfs handle is closed too (the listing fallback spares it until now). */
  {
    int pfd = procfs_fd (NULL);
    bool kept = false;
    for (i = 0; i < o->n_keep_fds; i++)
      kept |= o->keep_fds[i] == pfd;
    if (pfd >= (int) first && !kept && pfd != log_get_fd ())
      close (pfd);
    procfs_forget ();
  }
  return 0;
fail:
  free (keep);
  return cnf_err_set (err, errno, "close inherited file descriptors");
}

static int
verify_cwd (cnf_err *err)
{
  char buf[PATH_MAX + 1];
  long n = syscall (SYS_getcwd, buf, sizeof buf - 1);
  if (n < 0)
    return cnf_err_set (err, errno, "verify the working directory (getcwd)");
  buf[sizeof buf - 1] = '\0';
  return process_check_cwd (buf, err);
}

/* HOME from the container's /etc/passwd for uid, or "/" (as runc does when HOME is unset). */
static char *
home_for_uid (uint32_t uid)
{
  cleanup_free char *buf = NULL;
  char *line, *save = NULL;
  size_t len;
  if (read_file_at (AT_FDCWD, "/etc/passwd", &buf, &len, NULL) < 0)
    return xstrdup ("/");
  for (line = strtok_r (buf, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      char *f[7];
      int i = 0;
      char *p = line, *sep;
      while (i < 7)
        {
          f[i++] = p;
          sep = strchr (p, ':');
          if (!sep)
            break;
          *sep = '\0';
          p = sep + 1;
        }
      if (i >= 6)
        {
          unsigned long long u;
          if (parse_u64 (f[2], &u) == 0 && u == uid && f[5][0] == '/')
            return xstrdup (f[5]);
        }
    }
  return xstrdup ("/");
}

int
process_exec (const struct spec *s, const struct spec_process *p, const struct process_opts *o, cnf_err *err)
{
  static char *const empty_env[] = { NULL };
  char *const *env = p->env ? p->env : empty_env;
  char **env_home = NULL;
  char *path;
  bool cwd_done = false, sg_denied;

  if (p->args == NULL || p->args[0] == NULL)
    return cnf_err_set (err, 0, "process.args is empty");
  if (caps_configured (&p->caps) && caps_validate (&p->caps, err) < 0)
    return -1;

  if (apply_rlimits (p, err) < 0 || apply_oom_score_adj (p, err) < 0 || apply_scheduler (p, err) < 0
      || apply_ioprio (p, err) < 0 || apply_personality (s, err) < 0 || apply_mempolicy (s, err) < 0)
    return -1;
  if (p->exec_cpu_affinity.final && process_set_affinity (0, p->exec_cpu_affinity.final, err) < 0)
    return cnf_err_wrap (err, "process.execCPUAffinity.final");
  /* Read through the trusted procfs handle now: it is closed with the other fds below. */
  sg_denied = setgroups_denied ();

  /* Close inherited fds before any path is resolved: a cwd such as /proc/self/fd/N must find
   * nothing of the host to enter (CVE-2024-21626).  The cwd is verified after chdir as well. */
  if (close_fds (o, err) < 0)
    return -1;

  /* As root first: a cwd only root may enter still works for an unprivileged user (runc does the same). */
  if (p->cwd && chdir (p->cwd) == 0)
    cwd_done = true;

  /* Without no_new_privs, loading a filter needs CAP_SYS_ADMIN: load it while we still have it
   * (runc orders it the same way).  With no_new_privs it is loaded last, below. */
  if (!p->no_new_privileges && s->has_linux && s->linux_.seccomp
      && seccomp_apply (s->linux_.seccomp, o->state_json, err) < 0)
    return -1;
  if (apply_user (p, sg_denied, err) < 0)
    return -1;
  umask (p->user.has_umask ? (mode_t) p->user.umask : 022);

  if (caps_configured (&p->caps) && caps_apply (&p->caps, err) < 0)
    return -1;
  if (p->no_new_privileges && prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return cnf_err_set (err, errno, "set no_new_privs");

  /* The seccomp filter, after no_new_privs and the capability drop, just before the cwd is
   * entered and execve runs: as few syscalls as possible run under it.  (A notify listener's
   * socket is in process_opts.keep_fds: other fds are already closed.) */
  if (p->no_new_privileges && s->has_linux && s->linux_.seccomp
      && seccomp_apply (s->linux_.seccomp, o->state_json, err) < 0)
    return -1;

  if (p->cwd && !cwd_done && chdir (p->cwd) < 0)
    return cnf_err_set (err, errno, "process.cwd: chdir \"%s\"", p->cwd);
  if (verify_cwd (err) < 0)
    return -1;

  if (env_get (env, "HOME") == NULL)
    {
      size_t n = strv_len (env), i;
      env_home = xzalloc ((n + 2) * sizeof *env_home);
      for (i = 0; i < n; i++)
        env_home[i] = env[i];
      {
        char *h = home_for_uid (p->user.uid);
        env_home[n] = xasprintf ("HOME=%s", h);
        free (h);
      }
      env = env_home;
    }

  path = process_find_exec (p->args[0], env, err);
  if (path == NULL)
    return -1;
  execve (path, p->args, env);
  cnf_err_set (err, errno, "exec \"%s\"", path);
  free (path);
  return -1;
}

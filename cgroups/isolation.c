/* isolation.c — the CRI-O high-performance annotations:
 *   cpu-load-balancing.crio.io=disable  the container's cpus become an isolated cpuset
 *                                       partition (a remote one through cpuset.cpus.exclusive
 *                                       where the kernel has it), so the scheduler does not
 *                                       balance other work onto them;
 *   cpu-quota.crio.io=disable           cpu.max = max (apply.c);
 *   irq-load-balancing.crio.io=disable  the cpus leave every IRQ's smp_affinity and the
 *                                       default affinity; the old masks are saved in the
 *                                       state dir first and put back on delete, or by
 *                                       cg_recover_stale after a crash.
 * The IRQ tree is $CNFRUN_IRQ_ROOT (default /proc/irq) so that tests use a fake one. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include "internal.h"
#include "../lib/log.h"
#include "../lib/util.h"

const char *
cg_irq_root (void)
{
  const char *e = getenv ("CNFRUN_IRQ_ROOT");
  return e && e[0] ? e : "/proc/irq";
}

static bool
is_disable (const char *v)
{
  return v && (strcmp (v, "disable") == 0 || strcmp (v, "true") == 0);
}

void
cg_isolation_from_annotations (struct cg_handle *h, const struct cg_kv *a, size_t n)
{
  size_t i;
  for (i = 0; i < n; i++)
    {
      if (a[i].key == NULL)
        continue;
      if (strcmp (a[i].key, "cpu-load-balancing.crio.io") == 0)
        h->iso_cpu_lb = is_disable (a[i].value);
      else if (strcmp (a[i].key, "cpu-quota.crio.io") == 0)
        h->iso_cpu_quota = is_disable (a[i].value);
      else if (strcmp (a[i].key, "irq-load-balancing.crio.io") == 0)
        h->iso_irq = is_disable (a[i].value);
    }
}

static int
read_trim (int dirfd, const char *name, char **out)
{
  size_t l;
  if (read_file_at (dirfd, name, out, &l, NULL) < 0)
    return -1;
  (*out)[strcspn (*out, "\n")] = '\0';
  return 0;
}

/* cpuset.cpus.exclusive of dirfd: add (or remove) cpus. */
static int
exclusive_edit (int dirfd, const char *where, const struct cpumask *cpus, bool add, cnf_err *err)
{
  cleanup_free char *cur = NULL, *txt = NULL;
  struct cpumask m = { 0 }, r = { 0 };
  if (read_trim (dirfd, "cpuset.cpus.exclusive", &cur) < 0)
    return cnf_err_set (err, errno, "read %s/cpuset.cpus.exclusive", where);
  if (cpumask_parse_list (cur, &m) < 0)
    return cnf_err_set (err, EINVAL, "%s/cpuset.cpus.exclusive: cannot parse \"%s\"", where, cur);
  if (add)
    {
      size_t i;
      r = m;
      m = (struct cpumask){ 0 };
      for (i = 0; i < cpus->nwords * 64; i++)
        if (cpumask_test (cpus, i))
          cpumask_set (&r, i);
    }
  else
    cpumask_andnot (&r, &m, cpus);
  txt = cpumask_format_list (&r);
  cpumask_free (&m);
  cpumask_free (&r);
  if (write_file_at (dirfd, "cpuset.cpus.exclusive", txt[0] ? txt : "\n", txt[0] ? strlen (txt) : 1, NULL) < 0)
    return cnf_err_set (err, errno, "write \"%s\" to %s/cpuset.cpus.exclusive", txt, where);
  return 0;
}

/* Make the container an isolated partition.  With cpuset.cpus.exclusive (Linux 6.7+) the
 * partition may sit anywhere ("remote"): every ancestor below the root lends the cpus in its
 * own cpuset.cpus.exclusive, recorded in the state dir so that teardown gives them back.
 * Without it, the parent must itself be a partition root (e.g. the hierarchy's root). */
static int
partition_setup (struct cg_handle *h, const char *cpus_txt, cnf_err *err)
{
  struct cpumask cpus = { 0 };
  cleanup_free char *state = NULL, *record = NULL;
  bool remote = faccessat (h->dirfd, "cpuset.cpus.exclusive", F_OK, 0) == 0;
  int ret = -1;

  if (cpumask_parse_list (cpus_txt, &cpus) < 0)
    return cnf_err_set (err, EINVAL, "linux.resources.cpu.cpus \"%s\": not a cpu list", cpus_txt);
  if (remote)
    {
      cleanup_free char *copy = xstrdup (h->rel);
      char *p = copy + 1, *slash;
      size_t len = 0;
      record = xasprintf ("%s\n", cpus_txt);
      /* Each ancestor below the root, top-down (the root needs nothing: it owns all cpus). */
      while ((slash = strchr (p, '/')) != NULL)
        {
          cleanup_free char *abs = NULL;
          cleanup_close int fd = -1;
          char *nr;
          *slash = '\0';
          abs = xasprintf ("%s%s", h->mount, copy);
          fd = open (abs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
          if (fd < 0 || exclusive_edit (fd, abs, &cpus, true, err) < 0)
            {
              if (fd < 0)
                cnf_err_set (err, errno, "open %s", abs);
              goto undo;
            }
          nr = xasprintf ("%s%s\n", record, abs);
          free (record);
          record = nr;
          *slash = '/';
          p = slash + 1;
          len++;
        }
      if (h->state_dirfd >= 0
          && write_file_atomic_at (h->state_dirfd, CG_EXCL_SAVE_FILE, record, strlen (record), 0600, err) < 0)
        goto undo;
      if (write_file_at (h->dirfd, "cpuset.cpus.exclusive", cpus_txt, strlen (cpus_txt), NULL) < 0)
        {
          cnf_err_set (err, errno, "write \"%s\" to %s/cpuset.cpus.exclusive", cpus_txt, h->path);
          goto undo;
        }
      (void) len;
    }
  if (write_file_at (h->dirfd, "cpuset.cpus.partition", "isolated", 8, NULL) < 0)
    {
      cnf_err_set (err, errno, "write \"isolated\" to %s/cpuset.cpus.partition", h->path);
      goto undo;
    }
  /* The kernel accepts the write and reports an invalid partition on read. */
  if (read_trim (h->dirfd, "cpuset.cpus.partition", &state) < 0 || strcmp (state, "isolated") != 0)
    {
      cnf_err_set (err, EINVAL, "cpu-load-balancing.crio.io=disable: %s/cpuset.cpus.partition is \"%s\"%s", h->path,
                   state ? state : "?",
                   remote ? "" : " (this kernel has no cpuset.cpus.exclusive: the parent cgroup must be a partition "
                                 "root, e.g. use a cgroupsPath directly below the root)");
      write_file_at (h->dirfd, "cpuset.cpus.partition", "member", 6, NULL);
      goto undo;
    }
  ret = 0;
  goto out;
undo:
  if (remote && record)
    {
      char *line = strchr (record, '\n'), *next;
      for (line = line ? line + 1 : NULL; line && *line; line = next)
        {
          int fd;
          next = strchr (line, '\n');
          if (next)
            *next++ = '\0';
          fd = open (line, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
          if (fd >= 0)
            {
              exclusive_edit (fd, line, &cpus, false, NULL);
              close (fd);
            }
        }
      if (h->state_dirfd >= 0)
        unlinkat (h->state_dirfd, CG_EXCL_SAVE_FILE, 0);
    }
out:
  cpumask_free (&cpus);
  return ret;
}

int
cg_isolation_setup (struct cg_handle *h, const struct cg_resources *r, cnf_err *err)
{
  if (h->iso_cpu_lb && partition_setup (h, r->cpus, err) < 0)
    return -1;
  return 0;
}

/* Give the ancestors' exclusive cpus back (after the container's cgroup is gone). */
static int
exclusive_restore (int state_dirfd, cnf_err *err)
{
  cleanup_free char *rec = NULL;
  struct cpumask cpus = { 0 };
  char *line, *next;
  size_t l;
  int ret = 0;
  if (state_dirfd < 0 || read_file_at (state_dirfd, CG_EXCL_SAVE_FILE, &rec, &l, NULL) < 0)
    return 0;
  line = rec;
  next = strchr (line, '\n');
  if (next)
    *next++ = '\0';
  if (cpumask_parse_list (line, &cpus) < 0)
    return cnf_err_set (err, EINVAL, "saved %s: bad cpu list", CG_EXCL_SAVE_FILE);
  /* Bottom-up: a parent cannot drop cpus a child still holds as exclusive. */
  {
    char *lines[256];
    size_t n = 0, i;
    for (line = next; line && *line && n < 256; line = next)
      {
        next = strchr (line, '\n');
        if (next)
          *next++ = '\0';
        lines[n++] = line;
      }
    for (i = n; i > 0; i--)
      {
        int fd = open (lines[i - 1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
          continue;
        if (exclusive_edit (fd, lines[i - 1], &cpus, false, err) < 0)
          ret = -1;
        close (fd);
      }
  }
  cpumask_free (&cpus);
  if (ret == 0)
    unlinkat (state_dirfd, CG_EXCL_SAVE_FILE, 0);
  return ret;
}

int
cg_isolation_teardown (struct cg_handle *h, cnf_err *err)
{
  int ret = 0;
  if (h->state_dirfd < 0)
    return 0;
  if (cg_irq_restore (h->state_dirfd, err) < 0)
    ret = -1;
  if (exclusive_restore (h->state_dirfd, ret < 0 ? NULL : err) < 0)
    ret = -1;
  return ret;
}

/* ---- IRQ affinity ---- */

static int
lock_root (const char *root, cnf_err *err)
{
  int fd = open (root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return cnf_err_set (err, errno, "open %s", root);
  if (flock (fd, LOCK_EX) < 0)
    {
      int e = errno;
      close (fd);
      return cnf_err_set (err, e, "lock %s", root);
    }
  return fd;
}

struct irq_change
{
  char *file; /* "N/smp_affinity" or "default_smp_affinity" */
  char *old, *new_;
};

static void
plan_one (int rfd, const char *file, const struct cpumask *cpus, struct irq_change **v, size_t *n)
{
  cleanup_free char *cur = NULL;
  struct cpumask m = { 0 }, r = { 0 };
  if (read_trim (rfd, file, &cur) < 0 || cpumask_parse_hex (cur, &m) < 0)
    return;
  cpumask_andnot (&r, &m, cpus);
  /* Nothing to take away, or it would leave the IRQ nowhere to go: leave it. */
  if (!cpumask_empty (&r) && memcmp (r.bits, m.bits, m.nwords * sizeof *m.bits) != 0)
    {
      *v = xrealloc (*v, (*n + 1) * sizeof **v);
      (*v)[*n].file = xstrdup (file);
      (*v)[*n].old = xstrdup (cur);
      (*v)[*n].new_ = cpumask_format_hex (&r, cpumask_hex_groups (cur));
      (*n)++;
    }
  cpumask_free (&m);
  cpumask_free (&r);
}

int
cg_irq_disable (const char *root, const struct cpumask *cpus, const char *cgroup_path, int state_dirfd, cnf_err *err)
{
  cleanup_close int rfd = -1;
  cleanup_free char *list = cpumask_format_list (cpus), *rec = NULL;
  struct irq_change *v = NULL;
  size_t n = 0, i, len, cap;
  DIR *d;
  struct dirent *e;
  int ret = -1;

  if (state_dirfd < 0)
    return cnf_err_set (err, EINVAL, "irq-load-balancing.crio.io: no state dir to save the IRQ masks in");
  rfd = lock_root (root, err);
  if (rfd < 0)
    return -1;
  d = opendir (root);
  if (d == NULL)
    return cnf_err_set (err, errno, "open %s", root);
  while ((e = readdir (d)) != NULL)
    {
      char f[300];
      if (!isdigit ((unsigned char) e->d_name[0]))
        continue;
      snprintf (f, sizeof f, "%s/smp_affinity", e->d_name);
      plan_one (rfd, f, cpus, &v, &n);
    }
  closedir (d);
  plan_one (rfd, "default_smp_affinity", cpus, &v, &n);

  /* The record goes to disk before any mask changes, so a crash can always be undone. */
  cap = 256 + strlen (root) + strlen (list) + (cgroup_path ? strlen (cgroup_path) : 0);
  for (i = 0; i < n; i++)
    cap += strlen (v[i].file) + strlen (v[i].old) + 4;
  rec = xmalloc (cap);
  len = snprintf (rec, cap, "root %s\ncpus %s\ncgroup %s\n", root, list, cgroup_path ? cgroup_path : "-");
  for (i = 0; i < n; i++)
    len += snprintf (rec + len, cap - len, "%s %s\n", v[i].file, v[i].old);
  if (write_file_atomic_at (state_dirfd, CG_IRQ_SAVE_FILE, rec, len, 0600, err) < 0)
    goto out;
  for (i = 0; i < n; i++)
    if (write_file_at (rfd, v[i].file, v[i].new_, strlen (v[i].new_), NULL) < 0)
      /* Some IRQs (per-cpu, managed) refuse new affinities; irqbalance skips them too. */
      log_debug ("irq-load-balancing: %s/%s: %s", root, v[i].file, strerror (errno));
  ret = 0;
out:
  for (i = 0; i < n; i++)
    {
      free (v[i].file);
      free (v[i].old);
      free (v[i].new_);
    }
  free (v);
  return ret;
}

/* Put the container's cpus back into each mask it was taken from: current | (saved & cpus).
 * With one isolated container that is exactly the saved mask; with several it does not
 * hand another container's cpus back to the IRQs. */
int
cg_irq_restore (int state_dirfd, cnf_err *err)
{
  cleanup_free char *rec = NULL;
  cleanup_close int rfd = -1;
  struct cpumask cpus = { 0 };
  char *line, *next, *root = NULL;
  size_t l;
  int ret = 0;

  if (state_dirfd < 0 || read_file_at (state_dirfd, CG_IRQ_SAVE_FILE, &rec, &l, NULL) < 0)
    return 0;
  for (line = rec; line && *line; line = next)
    {
      char *sp;
      next = strchr (line, '\n');
      if (next)
        *next++ = '\0';
      sp = strchr (line, ' ');
      if (sp == NULL)
        continue;
      *sp++ = '\0';
      if (strcmp (line, "root") == 0)
        {
          root = sp;
          rfd = lock_root (root, err);
          if (rfd < 0)
            return -1;
        }
      else if (strcmp (line, "cpus") == 0)
        {
          if (cpumask_parse_list (sp, &cpus) < 0)
            return cnf_err_set (err, EINVAL, "saved %s: bad cpu list \"%s\"", CG_IRQ_SAVE_FILE, sp);
        }
      else if (strcmp (line, "cgroup") == 0)
        continue;
      else if (rfd >= 0)
        {
          cleanup_free char *cur = NULL, *txt = NULL;
          struct cpumask m = { 0 }, old = { 0 };
          if (read_trim (rfd, line, &cur) < 0 || cpumask_parse_hex (cur, &m) < 0 || cpumask_parse_hex (sp, &old) < 0)
            {
              cpumask_free (&m);
              continue; /* the IRQ went away */
            }
          cpumask_or_and (&m, &old, &cpus);
          txt = cpumask_format_hex (&m, cpumask_hex_groups (cur));
          if (strcmp (txt, cur) != 0 && write_file_at (rfd, line, txt, strlen (txt), NULL) < 0)
            log_debug ("irq-load-balancing restore: %s/%s: %s", root, line, strerror (errno));
          cpumask_free (&m);
          cpumask_free (&old);
        }
    }
  cpumask_free (&cpus);
  if (unlinkat (state_dirfd, CG_IRQ_SAVE_FILE, 0) < 0 && errno != ENOENT)
    ret = cnf_err_set (err, errno, "remove saved %s", CG_IRQ_SAVE_FILE);
  return ret;
}

int
cg_recover_stale (const char *state_root, cnf_err *err)
{
  DIR *d = opendir (state_root);
  struct dirent *e;
  int ret = 0;
  if (d == NULL)
    return errno == ENOENT ? 0 : cnf_err_set (err, errno, "open %s", state_root);
  while ((e = readdir (d)) != NULL)
    {
      cleanup_close int sfd = -1;
      cleanup_free char *rec = NULL;
      char *cg, *nl;
      size_t l;
      bool live = false;
      if (e->d_name[0] == '.')
        continue;
      sfd = openat (dirfd (d), e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (sfd < 0 || read_file_at (sfd, CG_IRQ_SAVE_FILE, &rec, &l, NULL) < 0)
        continue;
      cg = strstr (rec, "\ncgroup ");
      if (cg)
        {
          cg += 8;
          nl = strchr (cg, '\n');
          if (nl)
            *nl = '\0';
          if (strcmp (cg, "-") != 0)
            {
              cleanup_free char *ev = xasprintf ("%s/cgroup.events", cg), *txt = NULL;
              live = read_file_at (AT_FDCWD, ev, &txt, &l, NULL) == 0 && strstr (txt, "populated 1") != NULL;
            }
        }
      if (live)
        continue;
      /* Its cgroup is empty or gone: the container is dead, the cpus are free again. */
      log_info ("restoring the IRQ affinity saved by container %s", e->d_name);
      if (cg_irq_restore (sfd, err) < 0)
        ret = -1;
    }
  closedir (d);
  return ret;
}

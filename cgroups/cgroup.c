/* cgroup.c — a container's cgroup: create (all-or-nothing), open from state, enter, freeze,
 * kill, list, update and destroy.  See cgroup.h for the contract. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "internal.h"
#include "../lib/log.h"
#include "../lib/util.h"

static struct cg_handle *
handle_new (void)
{
  struct cg_handle *h = xzalloc (sizeof *h);
  h->dirfd = -1;
  h->state_dirfd = -1;
  return h;
}

void
cg_handle_free (struct cg_handle *h)
{
  if (h == NULL)
    return;
  if (h->dirfd >= 0)
    close (h->dirfd);
  if (h->state_dirfd >= 0)
    close (h->state_dirfd);
  free (h->mount);
  free (h->rel);
  free (h->path);
  free (h->unit);
  free (h->slice);
  free (h);
}

int
cg_dirfd (const struct cg_handle *h)
{
  return h->dirfd;
}

const char *
cg_path (const struct cg_handle *h)
{
  return h->path;
}

const char *
cg_systemd_unit (const struct cg_handle *h)
{
  return h->unit;
}

/* mkdir each missing component of rel below the mount; *first_new is the shallowest one we
 * made (malloc'd, relative), NULL if the leaf already existed. */
static int
mkdir_path (const char *mount, const char *rel, char **first_new, cnf_err *err)
{
  cleanup_free char *copy = xstrdup (rel);
  char *p = copy + 1;
  int tries = 0;
  *first_new = NULL;
  for (;;)
    {
      char *slash = strchr (p, '/');
      cleanup_free char *abs = NULL;
      if (slash)
        *slash = '\0';
      abs = xasprintf ("%s%s", mount, copy);
      if (mkdir (abs, 0755) == 0)
        {
          if (*first_new == NULL)
            *first_new = xstrdup (copy);
        }
      else if (errno == ENOENT && tries++ < 5)
        {
          /* A concurrent delete removed the shared parent (/cnfrun) under us: start over. */
          if (slash)
            *slash = '/';
          free (*first_new);
          *first_new = NULL;
          strcpy (copy, rel);
          p = copy + 1;
          continue;
        }
      else if (errno != EEXIST)
        return cnf_err_set (err, errno, "create cgroup %s", abs);
      if (slash == NULL)
        return 0;
      *slash = '/';
      p = slash + 1;
    }
}

/* rmdir rel and its parents up to (and including) first_new. */
static void
rmdir_path (const char *mount, const char *rel, const char *first_new)
{
  cleanup_free char *copy = xstrdup (rel);
  size_t stop = first_new ? strlen (first_new) : strlen (rel);
  for (;;)
    {
      cleanup_free char *abs = xasprintf ("%s%s", mount, copy);
      char *slash;
      if (rmdir (abs) < 0 && errno != ENOENT)
        return;
      if (strlen (copy) <= stop)
        return;
      slash = strrchr (copy, '/');
      if (slash == NULL || slash == copy)
        return;
      *slash = '\0';
    }
}

/* IRQ masks left by crashed runs are put back whenever cnfrun touches a container's cgroup:
 * the state root is the parent of the state dir. */
static void
recover_siblings (int state_dirfd)
{
  char p[64];
  cleanup_free char *root = NULL;
  cnf_err e = NULL;
  int fd = openat (state_dirfd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return;
  snprintf (p, sizeof p, "/proc/self/fd/%d", fd);
  root = realpath (p, NULL);
  close (fd);
  if (root && cg_recover_stale (root, &e) < 0)
    {
      log_warn ("%s", e->msg);
      cnf_err_free (&e);
    }
}

static int
open_dir (struct cg_handle *h, cnf_err *err)
{
  if (h->dirfd >= 0)
    return 0;
  h->dirfd = open (h->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (h->dirfd < 0)
    return cnf_err_set (err, errno, "open cgroup %s", h->path);
  return 0;
}

int
cg_create (const struct cg_config *cfg, struct cg_handle **out, cnf_err *err)
{
  struct cg_handle *h = handle_new ();
  cleanup_free char *own = NULL, *first_new = NULL;
  const char *need[16];
  size_t nneed;

  *out = NULL;
  if (cg_find_mount (&h->mount, err) < 0)
    goto fail_early;
  h->systemd = cfg->systemd;
  if (cfg->state_dirfd >= 0)
    {
      /* A new open file description: a dup would share the caller's flock on the state dir,
       * and the container's init, which inherits this fd until exec, would hold it. */
      h->state_dirfd = openat (cfg->state_dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (h->state_dirfd < 0)
        {
          cnf_err_set (err, errno, "reopen the state dir");
          goto fail_early;
        }
    }
  cg_isolation_from_annotations (h, cfg->annotations, cfg->n_annotations);
  if (h->state_dirfd >= 0)
    recover_siblings (h->state_dirfd);
  if (cfg->systemd)
    {
      if (cg_resolve_systemd (cfg->cgroups_path, cfg->id, &h->slice, &h->unit, &h->rel, err) < 0)
        goto fail_early;
    }
  else
    {
      if (cfg->cgroups_path && cfg->cgroups_path[0] && cfg->cgroups_path[0] != '/'
          && cg_own_cgroup (&own, err) < 0)
        goto fail_early;
      if (cg_resolve_path (cfg->cgroups_path, cfg->id, own, &h->rel, err) < 0)
        goto fail_early;
      h->default_parent = cfg->cgroups_path == NULL || cfg->cgroups_path[0] == '\0';
    }
  h->path = xasprintf ("%s%s", h->mount, h->rel);
  /* Everything that can be checked is checked before the first mkdir. */
  if (cg_validate (h->mount, cfg->res, h, err) < 0)
    goto fail_early;

  if (cfg->systemd)
    {
      /* A scope needs a process: it is started by cg_enter with the init's pid. */
#ifdef HAVE_SYSTEMD
      h->pending = (struct cg_resources *) cfg->res;
      *out = h;
      return 0;
#else
      cnf_err_set (err, ENOTSUP, "--systemd-cgroup: cnfrun was built without libsystemd");
      goto fail_early;
#endif
    }

  nneed = cg_needed_controllers (cfg->res, h, need, 16);
  if (mkdir_path (h->mount, h->rel, &first_new, err) < 0)
    goto fail_early;
  if (first_new == NULL)
    log_debug ("cgroup %s exists already; using it", h->path);
  if (cg_enable_controllers (h->mount, h->rel, need, nneed, err) < 0)
    goto fail;
  if (open_dir (h, err) < 0)
    goto fail;
  if (cg_apply (h, cfg->res, false, err) < 0)
    goto fail;
  if (cg_isolation_setup (h, cfg->res, err) < 0)
    goto fail;
  *out = h;
  return 0;

fail:
  if (h->dirfd >= 0)
    {
      close (h->dirfd);
      h->dirfd = -1;
    }
  if (first_new)
    rmdir_path (h->mount, h->rel, first_new);
  if (h->state_dirfd >= 0)
    cg_isolation_teardown (h, NULL);
fail_early:
  cg_handle_free (h);
  return -1;
}

int
cg_open (const char *path, bool systemd, const char *unit, int state_dirfd, struct cg_handle **out, cnf_err *err)
{
  struct cg_handle *h = handle_new ();
  size_t ml;
  *out = NULL;
  if (path == NULL || path[0] != '/')
    {
      cg_handle_free (h);
      return cnf_err_set (err, EINVAL, "stored cgroup path \"%s\" is not absolute", path ? path : "");
    }
  if (cg_find_mount (&h->mount, err) < 0)
    {
      cg_handle_free (h);
      return -1;
    }
  ml = strlen (h->mount);
  if (strncmp (path, h->mount, ml) != 0 || (path[ml] != '/' && path[ml] != '\0'))
    {
      cnf_err_set (err, EINVAL, "stored cgroup path %s is not below the cgroup2 mount %s", path, h->mount);
      cg_handle_free (h);
      return -1;
    }
  h->path = xstrdup (path);
  h->rel = xstrdup (path[ml] ? path + ml : "/");
  h->systemd = systemd;
  h->unit = xstrdup (unit);
  if (systemd && h->unit == NULL && str_has_suffix (h->rel, ".scope"))
    {
      /* a state written without the unit name: the scope is the cgroup's last component */
      const char *b = strrchr (h->rel, '/');
      h->unit = xstrdup (b + 1);
    }
  h->default_parent = str_has_prefix (h->rel, "/cnfrun/") && strchr (h->rel + 8, '/') == NULL;
  if (state_dirfd >= 0)
    {
      h->state_dirfd = openat (state_dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (h->state_dirfd >= 0)
        recover_siblings (h->state_dirfd);
    }
  /* A cgroup that is already gone is fine for delete; the fd stays -1. */
  h->dirfd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  *out = h;
  return 0;
}

int
cg_enter (struct cg_handle *h, pid_t pid, cnf_err *err)
{
  char b[32];
  if (h->systemd && h->dirfd < 0)
    {
      if (cg_systemd_start (h, pid, h->pending, err) < 0)
        return -1;
      h->pending = NULL;
      return 0;
    }
  if (open_dir (h, err) < 0)
    return -1;
  snprintf (b, sizeof b, "%d", (int) pid);
  if (write_file_at (h->dirfd, "cgroup.procs", b, strlen (b), NULL) < 0)
    return cnf_err_set (err, errno, "move pid %d into %s", (int) pid, h->path);
  return 0;
}

int
cg_post_start_isolation (struct cg_handle *h, cnf_err *err)
{
  cleanup_free char *cpus = NULL;
  struct cpumask m = { 0 };
  size_t l;
  int r;
  if (!h->iso_irq)
    return 0;
  if (h->dirfd < 0 || read_file_at (h->dirfd, "cpuset.cpus.effective", &cpus, &l, NULL) < 0)
    return cnf_err_set (err, EINVAL, "irq-load-balancing.crio.io=disable needs the cpuset controller in %s",
                        h->path);
  cpus[strcspn (cpus, "\n")] = '\0';
  if (cpumask_parse_list (cpus, &m) < 0 || cpumask_empty (&m))
    return cnf_err_set (err, EINVAL, "irq-load-balancing.crio.io=disable: %s has no cpus", h->path);
  r = cg_irq_disable (cg_irq_root (), &m, h->path, h->state_dirfd, err);
  cpumask_free (&m);
  return r;
}

/* Every pid in the cgroup and below it. */
static int
collect_pids (int dirfd, const char *path, pid_t **pids, size_t *n, cnf_err *err)
{
  cleanup_free char *buf = NULL;
  char *p, *end;
  size_t l;
  DIR *d;
  struct dirent *e;
  int dfd;
  if (read_file_at (dirfd, "cgroup.procs", &buf, &l, NULL) < 0)
    return errno == ENOENT || errno == ENODEV ? 0 : cnf_err_set (err, errno, "read %s/cgroup.procs", path);
  for (p = buf; *p; p = end)
    {
      long v = strtol (p, &end, 10);
      if (end == p)
        break;
      *pids = xrealloc (*pids, (*n + 1) * sizeof **pids);
      (*pids)[(*n)++] = (pid_t) v;
      while (*end == '\n')
        end++;
    }
  dfd = fcntl (dirfd, F_DUPFD_CLOEXEC, 3);
  if (dfd < 0 || (d = fdopendir (dfd)) == NULL)
    {
      if (dfd >= 0)
        close (dfd);
      return 0;
    }
  while ((e = readdir (d)) != NULL)
    {
      int cfd;
      if (e->d_type != DT_DIR || e->d_name[0] == '.')
        continue;
      cfd = openat (dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (cfd >= 0)
        {
          cleanup_free char *sub = xasprintf ("%s/%s", path, e->d_name);
          int r = collect_pids (cfd, sub, pids, n, err);
          close (cfd);
          if (r < 0)
            {
              closedir (d);
              return -1;
            }
        }
    }
  closedir (d);
  return 0;
}

int
cg_pids (struct cg_handle *h, pid_t **pids, size_t *n, cnf_err *err)
{
  *pids = NULL;
  *n = 0;
  if (h->dirfd < 0)
    return cnf_err_set (err, ENOENT, "cgroup %s does not exist", h->path);
  return collect_pids (h->dirfd, h->path, pids, n, err);
}

/* Wait for "key value" in cgroup.events, up to timeout_ms. */
static int
wait_event (struct cg_handle *h, const char *key, int value, int timeout_ms)
{
  long long deadline = now_ms () + timeout_ms;
  char want[64];
  snprintf (want, sizeof want, "%s %d", key, value);
  for (;;)
    {
      cleanup_free char *txt = NULL;
      cleanup_close int fd = openat (h->dirfd, "cgroup.events", O_RDONLY | O_CLOEXEC);
      size_t l;
      struct pollfd p;
      long long left;
      if (fd < 0)
        return -1;
      if (read_fd_all (fd, &txt, &l, NULL) < 0)
        return -1;
      if (strstr (txt, want))
        return 0;
      left = deadline - now_ms ();
      if (left <= 0)
        return -1;
      /* cgroup.events raises POLLPRI on change; the timeout also covers a missed edge. */
      p.fd = fd;
      p.events = POLLPRI;
      poll (&p, 1, left < 50 ? (int) left : 50);
    }
}

int
cg_is_frozen (struct cg_handle *h)
{
  cleanup_free char *txt = NULL;
  size_t l;
  if (h->dirfd < 0 || read_file_at (h->dirfd, "cgroup.events", &txt, &l, NULL) < 0)
    return -1;
  if (strstr (txt, "frozen 1"))
    return 1;
  if (strstr (txt, "frozen 0"))
    return 0;
  return -1;
}

int
cg_freeze (struct cg_handle *h, bool freeze, cnf_err *err)
{
  if (h->dirfd < 0)
    return cnf_err_set (err, ENOENT, "cgroup %s does not exist", h->path);
  if (write_file_at (h->dirfd, "cgroup.freeze", freeze ? "1" : "0", 1, NULL) < 0)
    return cnf_err_set (err, errno, "write %s/cgroup.freeze", h->path);
  if (wait_event (h, "frozen", freeze ? 1 : 0, 10000) < 0)
    {
      if (freeze)
        write_file_at (h->dirfd, "cgroup.freeze", "0", 1, NULL);
      return cnf_err_set (err, ETIMEDOUT, "%s: the cgroup did not become %s", h->path, freeze ? "frozen" : "thawed");
    }
  return 0;
}

int
cg_kill_all (struct cg_handle *h, int sig, cnf_err *err)
{
  pid_t *pids = NULL;
  size_t n = 0, i;
  int was_frozen;
  if (h->dirfd < 0)
    return cnf_err_set (err, ENOENT, "cgroup %s does not exist", h->path);
  if (sig == SIGKILL && write_file_at (h->dirfd, "cgroup.kill", "1", 1, NULL) == 0)
    return 0;
  /* Freeze so that nothing forks between listing and signalling. */
  was_frozen = cg_is_frozen (h);
  if (was_frozen == 0)
    write_file_at (h->dirfd, "cgroup.freeze", "1", 1, NULL), wait_event (h, "frozen", 1, 2000);
  if (cg_pids (h, &pids, &n, err) < 0)
    return -1;
  for (i = 0; i < n; i++)
    if (kill (pids[i], sig) < 0 && errno != ESRCH)
      log_debug ("kill %d: %s", (int) pids[i], strerror (errno));
  free (pids);
  if (was_frozen == 0)
    write_file_at (h->dirfd, "cgroup.freeze", "0", 1, NULL);
  return 0;
}

/* rmdir the children bottom-up, then the cgroup itself. */
static int
rmdir_tree (int parentfd, const char *name)
{
  int fd = openat (parentfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0)
    {
      DIR *d = fdopendir (fd);
      struct dirent *e;
      if (d)
        {
          while ((e = readdir (d)) != NULL)
            if (e->d_type == DT_DIR && e->d_name[0] != '.')
              rmdir_tree (dirfd (d), e->d_name);
          closedir (d);
        }
      else
        close (fd);
    }
  return unlinkat (parentfd, name, AT_REMOVEDIR);
}

int
cg_destroy (struct cg_handle *h, cnf_err *err)
{
  int ret = 0;
  if (h->dirfd < 0)
    h->dirfd = open (h->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (h->dirfd >= 0)
    {
      cleanup_free char *parent = xstrdup (h->path);
      char *slash = strrchr (parent, '/');
      cleanup_close int pfd = -1;
      int i;
      cnf_err e2 = NULL;
      /* A frozen cgroup must thaw for SIGKILL to be acted on promptly. */
      write_file_at (h->dirfd, "cgroup.freeze", "0", 1, NULL);
      if (cg_kill_all (h, SIGKILL, &e2) < 0)
        cnf_err_free (&e2);
      if (wait_event (h, "populated", 0, 10000) < 0)
        log_warn ("cgroup %s still has processes after SIGKILL", h->path);
      *slash = '\0';
      pfd = open (parent[0] ? parent : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      close (h->dirfd);
      h->dirfd = -1;
      if (h->systemd && h->unit)
        {
          /* Stopping the scope makes systemd remove its cgroup; our sub-cgroups first. */
          cg_systemd_stop (h, NULL);
        }
      for (i = 0; i < 50 && pfd >= 0; i++)
        {
          if (rmdir_tree (pfd, slash + 1) == 0 || errno == ENOENT)
            break;
          if (errno != EBUSY)
            break;
          usleep (20000);
        }
      if (pfd >= 0 && faccessat (pfd, slash + 1, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
        ret = cnf_err_set (err, errno, "remove cgroup %s", h->path);
      /* The shared default parent goes when the last container does. */
      if (ret == 0 && h->default_parent && pfd >= 0)
        rmdir (parent);
    }
  if (cg_isolation_teardown (h, ret < 0 ? NULL : err) < 0)
    ret = -1;
  return ret;
}

int
cg_update (struct cg_handle *h, const struct cg_resources *res, cnf_err *err)
{
  const char *need[16];
  size_t n = cg_needed_controllers (res, NULL, need, 16), i;
  if (h->dirfd < 0)
    return cnf_err_set (err, ENOENT, "cgroup %s does not exist", h->path);
  if (cg_validate (h->mount, res, NULL, err) < 0)
    return -1;
  for (i = 0; i < n; i++)
    if (!cg_file_has_word (h->dirfd, "cgroup.controllers", need[i]))
      return cnf_err_set (err, EOPNOTSUPP, "%s is not enabled in %s", need[i], h->path);
  if (h->systemd)
    {
      cnf_err e2 = NULL;
      /* Keep systemd's view in step where it owns the property; the files are written anyway. */
      if (cg_systemd_start (h, 0, res, &e2) < 0)
        {
          log_debug ("update systemd unit properties: %s", e2->msg);
          cnf_err_free (&e2);
        }
    }
  return cg_apply (h, res, true, err);
}

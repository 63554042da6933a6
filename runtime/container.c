/* container.c — create/start/kill/delete (see container.h).
 *
 * Processes of `create`:
 *   parent (cnfrun create) ──clone3(CLONE_INTO_CGROUP | CLONE_NEW*)──► init (PID 1)
 * or, when a user namespace, a namespace path or time offsets must be dealt with first:
 *   parent (cnfrun create) ──clone3(CLONE_INTO_CGROUP)──► stage-1 ──fork──► init (PID 1)
 * stage-1 joins the namespace paths, creates the user namespace (the parent writes the maps),
 * unshares the other namespaces, writes time offsets, forks init and exits.  init and the
 * parent talk over a SOCK_SEQPACKET pair: the parent moves netdevs and runs the prestart and
 * createRuntime hooks, then sends GO; init builds the rootfs, runs createContainer hooks,
 * pivots and reports READY; then it blocks opening the exec fifo until `start` reads it.
 * If the parent dies before GO, init exits by itself, unless netdevs were moved into its
 * netns (SYNC_HOLD): then it waits for delete --force, so that they are not lost with it. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/sched.h>
#include "container.h"
#include "namespaces.h"
#include "procfs.h"
#include "rootfs.h"
#include "process.h"
#include "terminal.h"
#include "hooks.h"
#include "netdev.h"
#include "seccomp.h"
#include "../cgroups/cgroup.h"
#include "../lib/debug_stage.h"
#include "../lib/log.h"
#include "../lib/util.h"

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#define KEYCTL_JOIN_SESSION_KEYRING 1

/* The bundle's config.json as create read it, in the state dir (see container_load_spec). */
#define CONFIG_COPY "config.json"

/* SYNC_HOLD: netdevs are about to move into init's netns (see container_init). */
enum sync_type { SYNC_USERMAP_PLS = 1, SYNC_USERMAP_ACK, SYNC_INIT_PID, SYNC_GO, SYNC_READY, SYNC_ERROR, SYNC_HOLD };

struct sync_hdr
{
  uint32_t type;
  int32_t value;
};

#define SYNC_MAX (64 * 1024)

static int
sync_send (int fd, enum sync_type t, int32_t value, const char *payload)
{
  size_t plen = payload ? strlen (payload) : 0;
  char *buf;
  struct sync_hdr h = { t, value };
  ssize_t r;
  if (plen > SYNC_MAX - sizeof h)
    plen = SYNC_MAX - sizeof h;
  buf = xmalloc (sizeof h + plen);
  memcpy (buf, &h, sizeof h);
  if (plen)
    memcpy (buf + sizeof h, payload, plen);
  do
    r = send (fd, buf, sizeof h + plen, MSG_NOSIGNAL);
  while (r < 0 && errno == EINTR);
  free (buf);
  return r < 0 ? -1 : 0;
}

/* Receive one message; *payload (malloc'd, NUL-terminated) if wanted. 0 on EOF. */
static int
sync_recv (int fd, struct sync_hdr *h, char **payload)
{
  char *buf = xmalloc (SYNC_MAX + 1);
  ssize_t r;
  do
    r = recv (fd, buf, SYNC_MAX, 0);
  while (r < 0 && errno == EINTR);
  if (r <= 0 || (size_t) r < sizeof *h)
    {
      free (buf);
      return r < 0 ? -1 : 0;
    }
  memcpy (h, buf, sizeof *h);
  if (payload)
    {
      size_t plen = r - sizeof *h;
      memmove (buf, buf + sizeof *h, plen);
      buf[plen] = '\0';
      *payload = buf;
    }
  else
    free (buf);
  return 1;
}

/* In a child: report the error to the parent and exit. */
static void __attribute__ ((noreturn))
child_fail (int sync_fd, cnf_err *err)
{
  sync_send (sync_fd, SYNC_ERROR, (*err) ? (*err)->sys_errno : 0, (*err) ? (*err)->msg : "unknown error");
  _exit (1);
}

struct init_args
{
  struct cnf_global *g;
  const struct create_opts *o;
  struct spec *spec;
  const char *rootfs;
  int sync_fd;
  int fifo_fd;    /* O_PATH fd of the exec fifo */
  int console_fd; /* connected --console-socket, or -1 */
  const char *sandbox_dir;
  const char *bundle;
};

static void __attribute__ ((noreturn))
container_init (struct init_args *a)
{
  cnf_err err = NULL;
  struct spec *s = a->spec;
  struct sync_hdr h;
  char *state_json = NULL;
  int procfd, wfd;
  char fdpath[64];
  struct rootfs_ctx rctx = { .spec = s, .rootfs = a->rootfs, .no_pivot = a->o->no_pivot,
                             .in_userns = s->linux_.ns[NS_USER].present, .sandbox_dir = a->sandbox_dir,
                             .bundle = a->bundle };
  struct process_opts popts = { .preserve_fds = a->o->preserve_fds, .is_init = true };

  /* Start from a clean signal state whatever the caller (a shim, a shell) had blocked or ignored. */
  {
    sigset_t none;
    int sig;
    sigemptyset (&none);
    sigprocmask (SIG_SETMASK, &none, NULL);
    for (sig = 1; sig < NSIG; sig++)
      if (sig != SIGKILL && sig != SIGSTOP)
        signal (sig, SIG_DFL);
  }
  /* Not dumpable until execve resets it, so that no process of the container (an exec into a
   * created container) can ptrace the init or open its /proc files.  Set here, after the
   * user-namespace maps are written: a rootless parent writes them as the owner of our /proc. */
  prctl (PR_SET_DUMPABLE, 0, 0, 0, 0);
  /* The trusted procfs handle is the host's /proc as inherited; it stays valid after pivot. */
  procfd = procfs_fd (&err);
  if (procfd < 0)
    child_fail (a->sync_fd, &err);
  {
    bool hold = false;
    for (;;)
      {
        int r = sync_recv (a->sync_fd, &h, &state_json);
        if (r > 0 && h.type == SYNC_GO)
          break;
        if (r > 0 && h.type == SYNC_HOLD)
          {
            hold = true;
            free (state_json);
            state_json = NULL;
            continue;
          }
        /* The parent gave up (it cleans up) or died.  Nothing is ours to keep, unless netdevs
         * were moved in: this netns is then all that holds them (the kernel deletes virtual
         * ones with it), so wait for delete --force, which moves them out and kills us. */
        if (!hold)
          _exit (1);
        for (;;)
          pause ();
      }
  }
  /* A seccomp notify listener lives on the host: connect before pivot_root hides it. */
  if (s->has_linux && seccomp_listener_prepare (s->linux_.seccomp, &err) < 0)
    child_fail (a->sync_fd, &err);

  if (!a->o->no_new_keyring
      && syscall (SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, a->o->id) < 0 && errno != ENOSYS && errno != EPERM)
    {
      cnf_err_set (&err, errno, "create the session keyring");
      child_fail (a->sync_fd, &err);
    }
  if (s->linux_.ns[NS_UTS].present)
    {
      if (s->hostname && sethostname (s->hostname, strlen (s->hostname)) < 0)
        {
          cnf_err_set (&err, errno, "set hostname \"%s\"", s->hostname);
          child_fail (a->sync_fd, &err);
        }
      if (s->domainname && setdomainname (s->domainname, strlen (s->domainname)) < 0)
        {
          cnf_err_set (&err, errno, "set domainname \"%s\"", s->domainname);
          child_fail (a->sync_fd, &err);
        }
    }
  if (rootfs_mount_all (&rctx, &err) < 0)
    child_fail (a->sync_fd, &err);
  cnf_debug_stage ("mounts");
  if (hooks_run (s->hooks[HOOK_CREATE_CONTAINER], s->n_hooks[HOOK_CREATE_CONTAINER], "createContainer", state_json,
                 &err) < 0)
    child_fail (a->sync_fd, &err);
  if (rootfs_finalize (&rctx, &err) < 0)
    child_fail (a->sync_fd, &err);
  if (process_check_exec (&s->process, &err) < 0)
    child_fail (a->sync_fd, &err);
  if (a->console_fd >= 0)
    {
      if (terminal_setup (a->console_fd, &s->process, &err) < 0)
        child_fail (a->sync_fd, &err);
      close (a->console_fd);
    }
  if (sync_send (a->sync_fd, SYNC_READY, 0, NULL) < 0)
    _exit (1);

  /* Block until `start` opens the fifo for reading. */
  snprintf (fdpath, sizeof fdpath, "self/fd/%d", a->fifo_fd);
  wfd = openat (procfd, fdpath, O_WRONLY | O_CLOEXEC);
  if (wfd < 0 || write (wfd, "0", 1) != 1)
    _exit (1);
  close (wfd);
  close (a->fifo_fd);
  close (a->sync_fd);

  if (hooks_run (s->hooks[HOOK_START_CONTAINER], s->n_hooks[HOOK_START_CONTAINER], "startContainer", state_json,
                 &err) < 0)
    {
      log_err (&err);
      _exit (127);
    }
  {
    int keep[1] = { seccomp_listener_fd () };
    popts.keep_fds = keep;
    popts.n_keep_fds = keep[0] >= 0 ? 1 : 0;
    popts.state_json = state_json;
    process_exec (s, &s->process, &popts, &err);
  }
  /* Only reached on failure: the parent is gone, so the log (and stderr) is where it goes. */
  log_err (&err);
  _exit (127);
}

/* Close every fd >= first except those in keep[] (negative entries are ignored). */
static void
close_fds_except (int first, const int *keep, size_t n)
{
  int sorted[16], m = 0, lo = first;
  /* keep[] has at most 16 entries (see the caller) */
  size_t i;
  for (i = 0; i < n && m < 16; i++)
    if (keep[i] >= first)
      sorted[m++] = keep[i];
  /* insertion sort: a handful of entries */
  for (int x = 1; x < m; x++)
    for (int y = x; y > 0 && sorted[y - 1] > sorted[y]; y--)
      {
        int t = sorted[y];
        sorted[y] = sorted[y - 1];
        sorted[y - 1] = t;
      }
  for (int x = 0; x < m; x++)
    {
      if (sorted[x] > lo)
        syscall (SYS_close_range, lo, sorted[x] - 1, 0);
      lo = sorted[x] + 1;
    }
  syscall (SYS_close_range, lo, ~0U, 0);
}

/* In the first child: keep only what the container needs.  Anything else the parent had open
 * (the state dir and its dups carry the container's flock and would block `start`; cgroup and
 * netlink fds) goes. */
static void
child_close_fds (const struct init_args *a)
{
  int keep[16] = { a->sync_fd, a->fifo_fd, a->console_fd, procfs_fd (NULL), log_get_fd () };
  size_t n = 5 + rootfs_host_side_fds (keep + 5, 11);
  close_fds_except (3 + a->o->preserve_fds, keep, n);
}

/* stage-1: namespaces, then fork init.  Never returns. */
static void __attribute__ ((noreturn))
container_stage1 (struct init_args *a)
{
  cnf_err err = NULL;
  struct spec *s = a->spec;
  struct sync_hdr h;
  int new_flags = ns_new_flags (s);
  pid_t pid;

  prctl (PR_SET_PDEATHSIG, SIGKILL);
  child_close_fds (a);
  if (ns_join_paths (s, &err) < 0)
    child_fail (a->sync_fd, &err);
  if (ns_new_user (s))
    {
      if (unshare (CLONE_NEWUSER) < 0)
        {
          cnf_err_set (&err, errno, "create the user namespace");
          child_fail (a->sync_fd, &err);
        }
      if (sync_send (a->sync_fd, SYNC_USERMAP_PLS, 0, NULL) < 0 || sync_recv (a->sync_fd, &h, NULL) <= 0
          || h.type != SYNC_USERMAP_ACK)
        _exit (1);
    }
  if (s->linux_.ns[NS_USER].present)
    {
      /* Become root of the user namespace so that the next steps have its capabilities. */
      if (setresgid (0, 0, 0) < 0 || setresuid (0, 0, 0) < 0)
        {
          cnf_err_set (&err, errno, "become root in the user namespace (are uid/gid 0 mapped?)");
          child_fail (a->sync_fd, &err);
        }
    }
  if (new_flags && unshare (new_flags) < 0)
    {
      cnf_err_set (&err, errno, "create namespaces (unshare 0x%x)", new_flags);
      child_fail (a->sync_fd, &err);
    }
  if (s->linux_.ns[NS_TIME].present && s->linux_.ns[NS_TIME].path == NULL && ns_write_time_offsets (s, &err) < 0)
    child_fail (a->sync_fd, &err);

  pid = fork ();
  if (pid < 0)
    {
      cnf_err_set (&err, errno, "fork the container init");
      child_fail (a->sync_fd, &err);
    }
  if (pid == 0)
    {
      prctl (PR_SET_PDEATHSIG, 0);
      container_init (a);
    }
  sync_send (a->sync_fd, SYNC_INIT_PID, pid, NULL);
  _exit (0);
}

/* The init can be cloned straight into its new namespaces when nothing has to happen between
 * clone and the namespaces: no user namespace to map, no namespace path to join first, no time
 * offsets to write before the first process enters.  That saves stage-1 (a fork, an exit and a
 * round trip with the parent). */
static bool
direct_clone_ok (const struct spec *s)
{
  int t;
  if (ns_new_user (s) || s->linux_.ns[NS_TIME].present)
    return false;
  for (t = 0; t < NS__COUNT; t++)
    if (s->linux_.ns[t].present && s->linux_.ns[t].path)
      return false;
  return true;
}

/* clone3 into the cgroup (if cgroup_fd >= 0).  With *direct set, first try to clone straight
 * into the new namespaces ns_flags too: the child is then the init.  If that fails for any
 * reason, *direct is cleared and the child is stage-1, whose unshare() reports the precise error. */
static pid_t
clone_into (int cgroup_fd, int ns_flags, bool *direct)
{
  struct clone_args ca = { .exit_signal = SIGCHLD };
  pid_t pid;
  if (cgroup_fd >= 0)
    {
      ca.flags = CLONE_INTO_CGROUP;
      ca.cgroup = (uint64_t) cgroup_fd;
    }
  if (*direct)
    {
      ca.flags |= (uint64_t) ns_flags;
      pid = syscall (SYS_clone3, &ca, sizeof ca);
      if (pid >= 0)
        return pid;
      *direct = false;
      ca.flags &= ~(uint64_t) ns_flags;
    }
  if (cgroup_fd >= 0)
    {
      pid = syscall (SYS_clone3, &ca, sizeof ca);
      if (pid >= 0 || (errno != ENOSYS && errno != E2BIG && errno != EINVAL))
        return pid;
    }
  return fork ();
}

int
container_write_pid_file (const char *path, pid_t pid, cnf_err *err)
{
  cleanup_free char *dir = xstrdup (path), *base = NULL;
  char *slash = strrchr (dir, '/');
  char buf[32];
  int n = snprintf (buf, sizeof buf, "%d", (int) pid), dfd, r;
  if (slash)
    {
      base = xstrdup (slash + 1);
      if (slash == dir)
        strcpy (dir, "/");
      else
        *slash = '\0';
    }
  else
    {
      base = xstrdup (path);
      strcpy (dir, ".");
    }
  dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return cnf_err_set (err, errno, "--pid-file: open %s", dir);
  r = write_file_replace_at (dfd, base, buf, n, 0644, err);
  close (dfd);
  return r < 0 ? cnf_err_wrap (err, "--pid-file") : 0;
}

int
container_load_spec (const struct cnf_state *st, struct spec **out, cnf_err *err)
{
  cleanup_free char *path = NULL, *text = NULL;
  size_t len;
  /* The copy taken by create: edits of the bundle's config.json after create must not reach the
   * container (runtime-spec), whether hooks at start and delete or the process config of exec. */
  if (st->dirfd >= 0 && read_file_at (st->dirfd, CONFIG_COPY, &text, &len, NULL) == 0)
    return spec_load_buf ("config.json", text, len, out, err);
  if (errno != ENOENT)
    return cnf_err_set (err, errno, "read the config.json copy of container \"%s\"", st->id);
  /* A container created by an older cnfrun has no copy. */
  if (st->bundle == NULL)
    return cnf_err_set (err, ENOENT, "container \"%s\" has no bundle recorded", st->id);
  path = xasprintf ("%s/config.json", st->bundle);
  return spec_load_file (path, out, err);
}

static char *
sandbox_dir_for (const struct spec *s)
{
  static const char *const keys[] = { "io.kubernetes.cri.sandbox-id", "io.kubernetes.cri-o.SandboxID",
                                      "netplug.cnfrun.io/sandbox" };
  const char *base = getenv ("CNFRUN_NETPLUG_PODS_DIR");
  size_t i;
  if (base == NULL)
    base = "/run/netplug/pods";
  for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
    {
      const char *v = spec_annotation (s, keys[i]);
      struct stat sb;
      char *p;
      if (v == NULL || *v == '\0' || strchr (v, '/') || strcmp (v, "..") == 0 || strcmp (v, ".") == 0)
        continue;
      p = xasprintf ("%s/%s", base, v);
      if (stat (p, &sb) == 0 && S_ISDIR (sb.st_mode))
        return p;
      free (p);
    }
  return NULL;
}

/* Wait for a pid (our child, thanks to the subreaper flag) to exit, bounded. */
static void
reap (pid_t pid)
{
  int i;
  for (i = 0; i < 500; i++)
    {
      pid_t r = waitpid (pid, NULL, WNOHANG);
      if (r == pid || (r < 0 && errno == ECHILD))
        return;
      usleep (2000);
    }
}

/* The devices config.json creates (linux.devices) are usable in the container, as with runc:
 * append an allow rule for each to the device program's rules. */
static void
allow_listed_devices (struct spec *s)
{
  struct cg_resources *r = &s->linux_.resources;
  size_t i;
  if (s->linux_.n_devices == 0)
    return;
  r->devices = xrealloc (r->devices, (r->n_devices + s->linux_.n_devices) * sizeof *r->devices);
  for (i = 0; i < s->linux_.n_devices; i++)
    {
      const struct spec_device *d = &s->linux_.devices[i];
      struct cg_device_rule *rule = &r->devices[r->n_devices++];
      *rule = (struct cg_device_rule){ .allow = true, .type = d->type == 'b' ? 'b' : 'c', .major = d->major,
                                       .minor = d->minor, .access = "rwm" };
    }
  s->linux_.has_resources = true;
}

int
container_create (struct cnf_global *g, const struct create_opts *o, struct cnf_state *st, struct spec **spec_out,
                  cnf_err *err)
{
  struct spec *s = NULL;
  cleanup_free char *bundle = NULL, *cfg = NULL, *cfg_text = NULL, *rootfs = NULL, *sandbox = NULL, *state_json = NULL;
  size_t cfg_len = 0;
  struct cg_handle *cg = NULL;
  struct netdev_moved *moved = NULL;
  size_t n_moved = 0, i;
  int sp[2] = { -1, -1 }, fifo_fd = -1, console_fd = -1;
  pid_t stage1 = -1, init = -1;
  bool dir_made = false, direct;
  struct sync_hdr h;
  char *payload = NULL;
  char ts[64];

  *st = (struct cnf_state){ .dirfd = -1, .lockfd = -1 };
  if (state_check_id (o->id, err) < 0)
    return -1;
  bundle = realpath (o->bundle ? o->bundle : ".", NULL);
  if (bundle == NULL)
    return cnf_err_set (err, errno, "--bundle %s", o->bundle ? o->bundle : ".");
  cfg = xasprintf ("%s/config.json", bundle);
  if (read_file_at (AT_FDCWD, cfg, &cfg_text, &cfg_len, err) < 0
      || spec_load_buf ("config.json", cfg_text, cfg_len, &s, err) < 0)
    return -1;
  if (!s->has_process)
    {
      spec_free (s);
      return cnf_err_set (err, EINVAL, "config.json: .process: missing (required to create a container)");
    }
  if (s->process.terminal && o->console_socket == NULL && o->tty_sock_out == NULL)
    {
      spec_free (s);
      return cnf_err_set (err, EINVAL, "config.json: .process.terminal is true but no --console-socket was given");
    }
  rootfs = s->root_path[0] == '/' ? xstrdup (s->root_path) : xasprintf ("%s/%s", bundle, s->root_path);
  {
    char *real = realpath (rootfs, NULL);
    if (real == NULL)
      {
        int e = errno;
        spec_free (s);
        return cnf_err_set (err, e, "config.json: .root.path: %s", rootfs);
      }
    free (rootfs);
    rootfs = real;
  }
  if (ns_new_user (s) && (s->linux_.n_uid_mappings == 0 || s->linux_.n_gid_mappings == 0))
    {
      spec_free (s);
      return cnf_err_set (err, EINVAL, "config.json: .linux.uidMappings/.gidMappings: required with a new user namespace");
    }

  /* Side effects start here; every exit below goes through `fail`. */
  if (state_create_dir (g->root, o->id, st, err) < 0)
    {
      spec_free (s);
      return -1;
    }
  dir_made = true;
  st->bundle = xstrdup (bundle);
  st->rootfs = xstrdup (rootfs);
  rfc3339_now (ts, sizeof ts);
  st->created = xstrdup (ts);
  st->systemd_cgroup = g->systemd_cgroup;
  if (s->annotations && s->doc)
    {
      json_value *a = json_get (s->doc, "annotations");
      if (a && json_typeof (a) == JSON_OBJECT)
        {
          json_writer *w = json_writer_new (false);
          size_t l;
          const char *t;
          json_w_value (w, a);
          t = json_writer_text (w, &l);
          st->annotations = json_parse (t, l, NULL, 0);
          json_writer_free (w);
        }
    }
  /* No state save yet: until the cgroup exists, a crash leaves only the state dir, which load()
   * reads as a bare "creating" container that delete --force removes.  The config copy is
   * written now: start, exec and delete read it, never the bundle's file again. */
  if (state_write_aux (st, CONFIG_COPY, cfg_text, cfg_len, err) < 0)
    goto fail;

  if (o->console_socket)
    {
      console_fd = terminal_connect_socket (o->console_socket, err);
      if (console_fd < 0)
        goto fail;
    }
  else if (s->process.terminal && o->tty_sock_out)
    {
      int tp[2];
      if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, tp) < 0)
        {
          cnf_err_set (err, errno, "socketpair for the terminal");
          goto fail;
        }
      console_fd = tp[1];
      *o->tty_sock_out = tp[0];
    }
  if (mkfifoat (st->dirfd, "exec.fifo", 0600) < 0)
    {
      cnf_err_set (err, errno, "create exec fifo");
      goto fail;
    }
  /* In a user namespace the init is the container's root, not the host's: give it the fifo. */
  if (s->linux_.ns[NS_USER].present)
    {
      uid_t uid = 0;
      gid_t gid = 0;
      for (i = 0; i < s->linux_.n_uid_mappings; i++)
        if (s->linux_.uid_mappings[i].container_id == 0)
          uid = s->linux_.uid_mappings[i].host_id;
      for (i = 0; i < s->linux_.n_gid_mappings; i++)
        if (s->linux_.gid_mappings[i].container_id == 0)
          gid = s->linux_.gid_mappings[i].host_id;
      if (fchownat (st->dirfd, "exec.fifo", uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
        {
          cnf_err_set (err, errno, "chown exec fifo to the container's root (%u:%u)", uid, gid);
          goto fail;
        }
    }
  fifo_fd = openat (st->dirfd, "exec.fifo", O_PATH | O_CLOEXEC);
  if (fifo_fd < 0)
    {
      cnf_err_set (err, errno, "open exec fifo");
      goto fail;
    }

  allow_listed_devices (s);
  {
    struct cg_config cc = { .cgroups_path = s->linux_.cgroups_path,
                            .id = o->id,
                            .systemd = g->systemd_cgroup,
                            .res = s->linux_.has_resources ? &s->linux_.resources : NULL,
                            .annotations = s->annotations,
                            .n_annotations = s->n_annotations,
                            .state_dirfd = st->dirfd };
    if (cg_create (&cc, &cg, err) < 0)
      goto fail;
    st->cgroup_path = xstrdup (cg_path (cg));
    st->systemd_unit = xstrdup (cg_systemd_unit (cg));
    if (state_save (st, err) < 0)
      goto fail;
  }

  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
    {
      cnf_err_set (err, errno, "socketpair");
      goto fail;
    }
  sandbox = sandbox_dir_for (s);
  if (procfs_fd (err) < 0) /* cached now, so that init inherits the verified handle */
    goto fail;
  /* Idmapped mounts that the container's user namespace may not build itself. */
  if (rootfs_prepare_host_side (s, bundle, err) < 0)
    goto fail;
  /* Orphans of stage-1 (init) come to us, so a failed create can reap them. */
  prctl (PR_SET_CHILD_SUBREAPER, 1);
  direct = direct_clone_ok (s);
  stage1 = clone_into (cg ? cg_dirfd (cg) : -1, ns_new_flags (s), &direct);
  if (stage1 != 0)
    rootfs_release_host_side ();
  if (stage1 < 0)
    {
      cnf_err_set (err, errno, "clone the container process");
      goto fail;
    }
  if (stage1 == 0)
    {
      struct init_args a = { .g = g, .o = o, .spec = s, .rootfs = rootfs, .sync_fd = sp[1],
                             .fifo_fd = fifo_fd, .console_fd = console_fd,
                             .sandbox_dir = sandbox, .bundle = bundle };
      close (sp[0]);
      if (direct)
        {
          child_close_fds (&a);
          container_init (&a);
        }
      container_stage1 (&a);
    }
  close (sp[1]);
  sp[1] = -1;
  if (console_fd >= 0)
    {
      close (console_fd);
      console_fd = -1;
    }

  /* stage-1 conversation: user maps, then init's pid. */
  if (direct)
    {
      init = stage1;
      stage1 = -1;
    }
  while (stage1 > 0)
    {
      int r = sync_recv (sp[0], &h, &payload);
      if (r <= 0)
        {
          cnf_err_set (err, 0, "container process exited before reporting its init pid");
          goto fail;
        }
      if (h.type == SYNC_ERROR)
        {
          cnf_err_set (err, 0, "%s", payload);
          goto fail;
        }
      if (h.type == SYNC_USERMAP_PLS)
        {
          if (ns_write_id_maps (stage1, s, err) < 0 || sync_send (sp[0], SYNC_USERMAP_ACK, 0, NULL) < 0)
            goto fail;
        }
      else if (h.type == SYNC_INIT_PID)
        {
          init = h.value;
          free (payload);
          payload = NULL;
          break;
        }
      free (payload);
      payload = NULL;
    }
  if (stage1 > 0)
    waitpid (stage1, NULL, 0);
  stage1 = -1;
  /* Reached on both paths: the init cloned straight into its namespaces, or made by stage-1. */
  cnf_debug_stage ("namespaces");
  st->pid = init;
  st->pid_start = state_pid_start_of (init);
  if (cg && cg_dirfd (cg) < 0 && cg_enter (cg, init, err) < 0)
    goto fail;
  /* Every save creates a file (a new inode: ~0.3 ms on ext4).  The pid goes to disk now only
   * if something can look before the final save (a hook calling `state`), or if no cgroup
   * would let delete --force find the init after a crash; init itself exits when this
   * process dies before READY. */
  if ((cg == NULL || s->n_hooks[HOOK_PRESTART] || s->n_hooks[HOOK_CREATE_RUNTIME]
       || s->n_hooks[HOOK_CREATE_CONTAINER])
      && state_save (st, err) < 0)
    goto fail;
  cnf_debug_stage ("cgroup");

  if (s->linux_.n_net_devices)
    {
      if (sync_send (sp[0], SYNC_HOLD, 0, NULL) < 0)
        {
          cnf_err_set (err, errno, "signal the container init");
          goto fail;
        }
      if (netdev_move_in (s, init, &moved, &n_moved, err) < 0)
        goto fail;
      st->n_netdevs = n_moved;
      st->netdevs = xzalloc (n_moved * sizeof *st->netdevs);
      for (i = 0; i < n_moved; i++)
        {
          st->netdevs[i].host_name = xstrdup (moved[i].host_name);
          st->netdevs[i].ct_name = xstrdup (moved[i].ct_name);
        }
      if (state_save (st, err) < 0)
        goto fail;
    }
  state_json = state_to_oci_json (st, false);
  if (hooks_run (s->hooks[HOOK_PRESTART], s->n_hooks[HOOK_PRESTART], "prestart", state_json, err) < 0
      || hooks_run (s->hooks[HOOK_CREATE_RUNTIME], s->n_hooks[HOOK_CREATE_RUNTIME], "createRuntime", state_json, err)
             < 0)
    goto fail;
  cnf_debug_stage ("hooks");
  if (sync_send (sp[0], SYNC_GO, 0, state_json) < 0)
    {
      cnf_err_set (err, errno, "signal the container init");
      goto fail;
    }
  if (sync_recv (sp[0], &h, &payload) <= 0)
    {
      cnf_err_set (err, 0, "container init exited during setup");
      goto fail;
    }
  if (h.type == SYNC_ERROR)
    {
      cnf_err_set (err, 0, "%s", payload);
      goto fail;
    }
  free (payload);
  payload = NULL;
  cnf_debug_stage ("fifo");
  if (cg && cg_post_start_isolation (cg, err) < 0)
    goto fail;
  st->status = ST_CREATED;
  if (state_save (st, err) < 0)
    goto fail;
  if (o->pid_file && container_write_pid_file (o->pid_file, init, err) < 0)
    goto fail;

  close (sp[0]);
  close (fifo_fd);
  if (!o->keep_child)
    prctl (PR_SET_CHILD_SUBREAPER, 0);
  for (i = 0; i < n_moved; i++)
    {
      free (moved[i].host_name);
      free (moved[i].ct_name);
    }
  free (moved);
  if (cg)
    cg_handle_free (cg);
  if (spec_out)
    *spec_out = s;
  else
    spec_free (s);
  return 0;

fail:
  free (payload);
  if (o->tty_sock_out && *o->tty_sock_out >= 0)
    {
      close (*o->tty_sock_out);
      *o->tty_sock_out = -1;
    }
  if (stage1 > 0)
    {
      kill (stage1, SIGKILL);
      waitpid (stage1, NULL, 0);
    }
  if (n_moved && init > 0)
    {
      cnf_err e2 = NULL;
      int nsfd = procfs_open (init, "ns/net", O_RDONLY, &e2);
      if (nsfd >= 0)
        {
          netdev_move_out (nsfd, moved, n_moved, &e2);
          close (nsfd);
        }
      if (e2)
        log_err (&e2);
    }
  if (init > 0)
    {
      kill (init, SIGKILL);
      reap (init);
    }
  for (i = 0; i < n_moved; i++)
    {
      free (moved[i].host_name);
      free (moved[i].ct_name);
    }
  free (moved);
  if (sp[0] >= 0)
    close (sp[0]);
  if (sp[1] >= 0)
    close (sp[1]);
  if (fifo_fd >= 0)
    close (fifo_fd);
  if (console_fd >= 0)
    close (console_fd);
  if (cg)
    {
      cnf_err e2 = NULL;
      if (cg_destroy (cg, &e2) < 0)
        log_err (&e2);
      cg_handle_free (cg);
    }
  if (dir_made)
    {
      cnf_err e2 = NULL;
      if (state_destroy (g->root, st, &e2) < 0)
        log_err (&e2);
    }
  state_free (st);
  spec_free (s);
  return -1;
}

static int
pidfd_open_ (pid_t pid)
{
  return syscall (SYS_pidfd_open, pid, 0);
}

int
container_start (struct cnf_global *g, struct cnf_state *st, cnf_err *err)
{
  struct spec *s = NULL;
  cleanup_free char *state_json = NULL;
  char c;
  int fd;
  ssize_t n;

  switch (state_refresh (st))
    {
    case ST_CREATED:
      break;
    case ST_STOPPED:
      return cnf_err_set (err, 0, "cannot start a container that has stopped");
    case ST_RUNNING:
    case ST_PAUSED:
      return cnf_err_set (err, 0, "cannot start an already running container");
    default:
      return cnf_err_set (err, 0, "cannot start a container in the %s state", state_status_name (st->status));
    }
  if (container_load_spec (st, &s, err) < 0)
    return -1;
  /* Non-blocking open, then wait for either init's byte or init's death: a dead init must
   * not leave `start` hanging on a fifo nobody will ever write. */
  fd = openat (st->dirfd, "exec.fifo", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    {
      spec_free (s);
      return cnf_err_set (err, errno, "open exec fifo");
    }
  {
    int pfd = pidfd_open_ (st->pid);
    struct pollfd p[2] = { { fd, POLLIN, 0 }, { pfd, POLLIN, 0 } };
    n = 0;
    while (poll (p, pfd >= 0 ? 2 : 1, -1) < 0 && errno == EINTR)
      ;
    if (p[0].revents & POLLIN)
      n = read (fd, &c, 1);
    if (pfd >= 0)
      close (pfd);
  }
  close (fd);
  if (n != 1)
    {
      spec_free (s);
      return cnf_err_set (err, 0, "container init exited before it was started");
    }
  /* Not saved: with the fifo gone and the init alive, state_refresh() reads "running". */
  unlinkat (st->dirfd, "exec.fifo", 0);
  st->status = ST_RUNNING;
  state_json = state_to_oci_json (st, false);
  hooks_run_warn (s->hooks[HOOK_POSTSTART], s->n_hooks[HOOK_POSTSTART], "poststart", state_json);
  spec_free (s);
  return 0;
}

/* The exact words clients match, with ESRCH kept for callers. */
static int
not_running (cnf_err *err)
{
  cnf_err_set (err, 0, "container not running: no such process");
  if (*err)
    (*err)->sys_errno = ESRCH;
  return -1;
}

int
container_kill (struct cnf_global *g, struct cnf_state *st, int sig, bool all, cnf_err *err)
{
  enum cnf_status status = state_refresh (st);
  int pfd;
  if (status != ST_CREATED && status != ST_RUNNING && status != ST_PAUSED)
    return not_running (err);
  if (all && st->cgroup_path)
    {
      struct cg_handle *cg = NULL;
      int r = cg_open (st->cgroup_path, st->systemd_cgroup, st->systemd_unit, st->dirfd, &cg, err);
      if (r == 0)
        {
          r = cg_kill_all (cg, sig, err);
          cg_handle_free (cg);
        }
      return r;
    }
  /* A pidfd pins the process: no signal can reach a recycled pid after the liveness check. */
  pfd = pidfd_open_ (st->pid);
  if (pfd < 0)
    return not_running (err);
  if (!state_pid_alive (st))
    {
      close (pfd);
      return not_running (err);
    }
  if (syscall (SYS_pidfd_send_signal, pfd, sig, NULL, 0) < 0)
    {
      int e = errno;
      close (pfd);
      return e == ESRCH ? not_running (err) : cnf_err_set (err, e, "kill container \"%s\"", st->id);
    }
  close (pfd);
  return 0;
}

/* Wait until the pid is gone (it is not our child): poll its pidfd. */
static void
wait_pid_gone (pid_t pid, int timeout_ms)
{
  int pfd = pidfd_open_ (pid);
  struct pollfd p;
  if (pfd < 0)
    return;
  p.fd = pfd;
  p.events = POLLIN;
  poll (&p, 1, timeout_ms);
  close (pfd);
}

int
container_delete (struct cnf_global *g, struct cnf_state *st, bool force, cnf_err *err)
{
  enum cnf_status status = state_refresh (st);
  struct spec *s = NULL;
  int ret = 0;
  cnf_err e2 = NULL;

  if (!force && (status == ST_RUNNING || status == ST_PAUSED))
    return cnf_err_set (err, 0, "cannot delete container \"%s\" that is not stopped: %s", st->id,
                        state_status_name (status));
  /* A created container is deleted without force, as runc does: nothing ran yet. */
  if (container_load_spec (st, &s, &e2) < 0)
    {
      log_debug ("delete %s: %s", st->id, e2->msg);
      cnf_err_free (&e2);
    }
  if (st->n_netdevs)
    {
      struct netdev_moved *d = xzalloc (st->n_netdevs * sizeof *d);
      size_t i;
      int nsfd = -1;
      for (i = 0; i < st->n_netdevs; i++)
        {
          d[i].host_name = st->netdevs[i].host_name;
          d[i].ct_name = st->netdevs[i].ct_name;
        }
      if (state_pid_alive (st))
        nsfd = procfs_open (st->pid, "ns/net", O_RDONLY, &e2);
      if (netdev_move_out (nsfd, d, st->n_netdevs, &e2) < 0)
        log_err (&e2);
      cnf_err_free (&e2);
      if (nsfd >= 0)
        close (nsfd);
      free (d);
    }
  if (st->pid > 0 && state_pid_alive (st))
    {
      int pfd = pidfd_open_ (st->pid);
      if (pfd >= 0)
        {
          syscall (SYS_pidfd_send_signal, pfd, SIGKILL, NULL, 0);
          close (pfd);
        }
      wait_pid_gone (st->pid, 5000);
    }
  if (st->cgroup_path)
    {
      struct cg_handle *cg = NULL;
      if (cg_open (st->cgroup_path, st->systemd_cgroup, st->systemd_unit, st->dirfd, &cg, &e2) == 0)
        {
          if (cg_destroy (cg, &e2) < 0)
            ret = -1;
          cg_handle_free (cg);
        }
      if (e2)
        {
          if (ret < 0)
            cnf_err_move (err, &e2);
          else
            log_debug ("delete %s: %s", st->id, e2->msg);
          cnf_err_free (&e2);
        }
    }
  if (s && s->n_hooks[HOOK_POSTSTOP])
    {
      cleanup_free char *state_json = NULL;
      st->status = ST_STOPPED;
      state_json = state_to_oci_json (st, false);
      hooks_run_warn (s->hooks[HOOK_POSTSTOP], s->n_hooks[HOOK_POSTSTOP], "poststop", state_json);
    }
  spec_free (s);
  if (ret == 0 && state_destroy (g->root, st, err) < 0)
    ret = -1;
  return ret;
}

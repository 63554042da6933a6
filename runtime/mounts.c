/* mounts.c — config.json mounts[] through the new mount API (see mounts.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/magic.h>
#include "mounts.h"
#include "procfs.h"
#include "safe_path.h"
#include "../lib/log.h"
#include "../lib/util.h"

#define FSMOUNT_ATTRS (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC | MOUNT_ATTR__ATIME \
                       | MOUNT_ATTR_NODIRATIME | MOUNT_ATTR_NOSYMFOLLOW)

int
mounts_attach (int mntfd, int targetfd, const char *what, cnf_err *err)
{
  if (move_mount (mntfd, "", targetfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return cnf_err_set (err, errno, "attach the mount on %s", what);
  return 0;
}

int
mounts_setattr (int mntfd, bool recursive, uint64_t set, uint64_t clr, unsigned long prop, int userns_fd,
                const char *what, cnf_err *err)
{
  struct mount_attr a = { 0 };
  a.attr_set = set;
  a.attr_clr = clr;
  a.propagation = prop & ~(unsigned long) MS_REC;
  if (userns_fd >= 0)
    {
      a.attr_set |= MOUNT_ATTR_IDMAP;
      a.userns_fd = (uint64_t) userns_fd;
    }
  if (a.attr_set == 0 && a.attr_clr == 0 && a.propagation == 0)
    return 0;
  if (mount_setattr (mntfd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &a, sizeof a) < 0)
    return cnf_err_set (err, errno, "set the mount attributes of %s", what);
  return 0;
}

/* The kernel's fs_context log ("e sysfs: ...") explains fsconfig failures. */
static void
append_fs_log (int fsfd, char *buf, size_t len)
{
  size_t used = 0;
  buf[0] = '\0';
  for (;;)
    {
      char line[256];
      ssize_t n = read (fsfd, line, sizeof line - 1);
      if (n <= 0)
        break;
      line[n] = '\0';
      used += (size_t) snprintf (buf + used, used < len ? len - used : 0, " (%s)", line);
      if (used >= len)
        break;
    }
}

int
mounts_new_fs (const char *type, const char *source, const char *data, uint64_t attrs, const char *what,
               cnf_err *err)
{
  cleanup_close int fsfd = -1;
  cleanup_free char *copy = NULL;
  char *tok, *save = NULL;
  char log[512];
  int mfd;

  fsfd = fsopen (type, FSOPEN_CLOEXEC);
  if (fsfd < 0)
    return cnf_err_set (err, errno, "fsopen %s for %s", type, what);
  if (source && source[0] && fsconfig (fsfd, FSCONFIG_SET_STRING, "source", source, 0) < 0)
    {
      int e = errno;
      append_fs_log (fsfd, log, sizeof log);
      return cnf_err_set (err, e, "%s: source \"%s\"%s", what, source, log);
    }
  copy = xstrdup (data);
  for (tok = copy ? strtok_r (copy, ",", &save) : NULL; tok; tok = strtok_r (NULL, ",", &save))
    {
      char *eq = strchr (tok, '=');
      int r;
      if (eq)
        {
          *eq = '\0';
          r = fsconfig (fsfd, FSCONFIG_SET_STRING, tok, eq + 1, 0);
        }
      else
        r = fsconfig (fsfd, FSCONFIG_SET_FLAG, tok, NULL, 0);
      if (r < 0)
        {
          int e = errno;
          append_fs_log (fsfd, log, sizeof log);
          return cnf_err_set (err, e, "%s: %s option \"%s\"%s", what, type, tok, log);
        }
    }
  if (fsconfig (fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    {
      int e = errno;
      append_fs_log (fsfd, log, sizeof log);
      return cnf_err_set (err, e, "%s: create the %s filesystem%s", what, type, log);
    }
  mfd = fsmount (fsfd, FSMOUNT_CLOEXEC, (unsigned) (attrs & FSMOUNT_ATTRS));
  if (mfd < 0)
    return cnf_err_set (err, errno, "%s: fsmount %s", what, type);
  return mfd;
}

static int
write_map (pid_t pid, const char *file, const struct spec_id_mapping *m, size_t n, cnf_err *err)
{
  char buf[4096];
  size_t used = 0, i;
  cleanup_close int fd = -1;
  for (i = 0; i < n; i++)
    {
      int w = snprintf (buf + used, sizeof buf - used, "%u %u %u\n", m[i].container_id, m[i].host_id, m[i].size);
      if (w < 0 || (size_t) w >= sizeof buf - used)
        return cnf_err_set (err, E2BIG, "too many id mappings for an idmapped mount");
      used += (size_t) w;
    }
  fd = procfs_open (pid, file, O_WRONLY, err);
  if (fd < 0)
    return -1;
  if (write (fd, buf, used) != (ssize_t) used)
    return cnf_err_set (err, errno, "write /proc/%d/%s", (int) pid, file);
  return 0;
}

int
mounts_idmap_userns (const struct spec_id_mapping *uids, size_t nu, const struct spec_id_mapping *gids, size_t ng,
                     cnf_err *err)
{
  int p[2], r = -1, nsfd = -1, status;
  pid_t pid, hostpid;

  if (pipe2 (p, O_CLOEXEC) < 0)
    return cnf_err_set (err, errno, "pipe");
  pid = fork ();
  if (pid < 0)
    {
      close (p[0]);
      close (p[1]);
      return cnf_err_set (err, errno, "fork the idmap user namespace holder");
    }
  if (pid == 0)
    {
      /* Holder: enter a fresh user namespace, report its pid as the trusted (host) procfs
       * numbers it — our caller may sit in a new pid namespace — and wait to be killed. */
      char msg[32];
      ssize_t n;
      int pfd = procfs_fd (NULL);
      close (p[0]);
      n = pfd >= 0 ? readlinkat (pfd, "self", msg, sizeof msg - 1) : -1;
      if (n <= 0 || unshare (CLONE_NEWUSER) < 0)
        {
          msg[0] = '!';
          n = 1;
        }
      if (write (p[1], msg, (size_t) n) < 0)
        _exit (1);
      for (;;)
        pause ();
    }
  close (p[1]);
  {
    char msg[32];
    ssize_t n = read (p[0], msg, sizeof msg - 1);
    long long hp;
    if (n <= 0 || msg[0] == '!')
      {
        cnf_err_set (err, EPERM, "create a user namespace for an idmapped mount");
        goto out;
      }
    msg[n] = '\0';
    if (parse_i64 (msg, &hp) < 0 || hp <= 0)
      {
        cnf_err_set (err, EINVAL, "idmap holder reported pid \"%s\"", msg);
        goto out;
      }
    hostpid = (pid_t) hp;
  }
  if (write_map (hostpid, "uid_map", uids, nu, err) < 0 || write_map (hostpid, "gid_map", gids, ng, err) < 0)
    goto out;
  nsfd = procfs_open (hostpid, "ns/user", O_RDONLY, err);
  if (nsfd >= 0)
    r = nsfd;
out:
  close (p[0]);
  kill (pid, SIGKILL);
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  return r;
}

/* tmpcopyup: copy what the image has under the target into the new tmpfs (still detached).
 * Everything is opened by name relative to fds and never through a symlink. */
static int
copy_tree (int srcdir, int dstdir, int depth, const char *what, cnf_err *err)
{
  cleanup_dir DIR *d = NULL;
  struct dirent *e;
  int fd;

  if (depth > 64)
    return cnf_err_set (err, ELOOP, "tmpcopyup %s: tree too deep", what);
  fd = openat (srcdir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return cnf_err_set (err, errno, "tmpcopyup %s: open", what);
  d = fdopendir (fd);
  if (d == NULL)
    {
      close (fd);
      return cnf_err_set (err, errno, "tmpcopyup %s: opendir", what);
    }
  if (depth == 0)
    {
      struct stat st;
      /* The tmpfs root takes the directory's mode and owner. */
      if (fstat (fd, &st) == 0)
        {
          cleanup_close int root = openat (dstdir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
          if (root >= 0)
            {
              if (fchmod (root, st.st_mode & 07777) < 0 || fchown (root, st.st_uid, st.st_gid) < 0)
                return cnf_err_set (err, errno, "tmpcopyup %s: set the root's mode", what);
            }
        }
    }
  while ((e = readdir (d)))
    {
      struct stat st;
      const char *n = e->d_name;
      if (strcmp (n, ".") == 0 || strcmp (n, "..") == 0)
        continue;
      if (fstatat (fd, n, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return cnf_err_set (err, errno, "tmpcopyup %s/%s: stat", what, n);
      if (S_ISDIR (st.st_mode))
        {
          cleanup_close int s = -1, t = -1;
          if (mkdirat (dstdir, n, st.st_mode & 07777) < 0)
            return cnf_err_set (err, errno, "tmpcopyup %s/%s: mkdir", what, n);
          s = openat (fd, n, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          t = openat (dstdir, n, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          if (s < 0 || t < 0)
            return cnf_err_set (err, errno, "tmpcopyup %s/%s: open", what, n);
          if (copy_tree (s, t, depth + 1, what, err) < 0)
            return -1;
        }
      else if (S_ISREG (st.st_mode))
        {
          cleanup_close int s = -1, t = -1;
          char buf[65536];
          ssize_t r;
          s = openat (fd, n, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
          t = openat (dstdir, n, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, st.st_mode & 07777);
          if (s < 0 || t < 0)
            return cnf_err_set (err, errno, "tmpcopyup %s/%s: open", what, n);
          while ((r = read (s, buf, sizeof buf)) > 0)
            if (write_all (t, buf, (size_t) r) != r)
              return cnf_err_set (err, errno, "tmpcopyup %s/%s: write", what, n);
          if (r < 0)
            return cnf_err_set (err, errno, "tmpcopyup %s/%s: read", what, n);
        }
      else if (S_ISLNK (st.st_mode))
        {
          char target[4096];
          ssize_t l = readlinkat (fd, n, target, sizeof target - 1);
          if (l < 0)
            return cnf_err_set (err, errno, "tmpcopyup %s/%s: readlink", what, n);
          target[l] = '\0';
          if (symlinkat (target, dstdir, n) < 0)
            return cnf_err_set (err, errno, "tmpcopyup %s/%s: symlink", what, n);
        }
      else if (S_ISCHR (st.st_mode) || S_ISBLK (st.st_mode) || S_ISFIFO (st.st_mode))
        {
          if (mknodat (dstdir, n, st.st_mode, st.st_rdev) < 0)
            return cnf_err_set (err, errno, "tmpcopyup %s/%s: mknod", what, n);
        }
      else
        continue; /* sockets are not copied */
      if (fchownat (dstdir, n, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0 && errno != EINVAL)
        return cnf_err_set (err, errno, "tmpcopyup %s/%s: chown", what, n);
      if (!S_ISLNK (st.st_mode) && fchmodat (dstdir, n, st.st_mode & 07777, 0) < 0)
        return cnf_err_set (err, errno, "tmpcopyup %s/%s: chmod", what, n);
    }
  return 0;
}

/* Mounting over procfs entries can hide or redirect what the runtime and the kernel rely on
 * (/proc/self, /proc/sys...): a target that resolves into a procfs mount is refused unless it
 * is one of the files tools like lxcfs legitimately cover.  The check is on the resolved fd, so a
 * symlink elsewhere in the rootfs that leads into /proc is caught too. */
static int
refuse_proc_target (int tfd, const char *dest, cnf_err *err)
{
  static const char *const allowed[] = { "/proc/cpuinfo", "/proc/diskstats", "/proc/meminfo", "/proc/stat",
                                         "/proc/swaps", "/proc/uptime", "/proc/loadavg", "/proc/slabinfo",
                                         "/proc/net/dev", "/proc/sys/kernel/ns_last_pid" };
  struct statfs sfs;
  size_t i;
  if (fstatfs (tfd, &sfs) < 0)
    return cnf_err_set (err, errno, "statfs the target %s", dest);
  if (sfs.f_type != PROC_SUPER_MAGIC)
    return 0;
  for (i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
    if (strcmp (dest, allowed[i]) == 0)
      return 0;
  return cnf_err_set (err, EPERM, "mount destination %s is inside procfs: refused", dest);
}

static bool
is_bind (const struct spec_mount *m, const struct mount_opts *o)
{
  return o->bind || (m->type && strcmp (m->type, "bind") == 0);
}

/* The container's /sys when sysfs cannot be mounted (a user namespace without its own network
 * namespace): a recursive bind of the host's /sys, with the requested attributes. */
static int
sysfs_bind_fallback (const char *what, cnf_err *err)
{
  int fd = open_tree (AT_FDCWD, "/sys", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
  if (fd < 0)
    return cnf_err_set (err, errno, "%s: bind the host /sys", what);
  return fd;
}

static bool
host_is_cgroup2 (void)
{
  struct statfs s;
  return statfs ("/sys/fs/cgroup", &s) == 0 && s.f_type == CGROUP2_SUPER_MAGIC;
}

/* Resolve the mappings of an idmapped mount: its own, or the container's. */
static int
idmap_userns_for (const struct spec *s, const struct spec_mount *m, cnf_err *err)
{
  const struct spec_id_mapping *u = m->uid_mappings, *g = m->gid_mappings;
  size_t nu = m->n_uid_mappings, ng = m->n_gid_mappings;
  if (nu == 0 && ng == 0)
    {
      u = s->linux_.uid_mappings;
      nu = s->linux_.n_uid_mappings;
      g = s->linux_.gid_mappings;
      ng = s->linux_.n_gid_mappings;
    }
  if (nu == 0 || ng == 0)
    return cnf_err_set (err, EINVAL, "idmapped mount on %s needs uidMappings and gidMappings", m->destination);
  return mounts_idmap_userns (u, nu, g, ng, err);
}

bool
mounts_needs_idmap (const struct spec_mount *m)
{
  struct mount_opts o;
  bool r;
  if (mount_options_parse (m->options, m->n_options, &o, NULL) < 0)
    return false;
  r = is_bind (m, &o) && !o.remount && (o.idmap || m->n_uid_mappings || m->n_gid_mappings);
  mount_opts_free (&o);
  return r;
}

int
mounts_build_bind (const struct spec *s, int bundlefd, const struct spec_mount *m, cnf_err *err)
{
  struct mount_opts o;
  cleanup_close int mfd = -1, userns = -1;
  const char *dest = m->destination;
  int r = -1;

  if (mount_options_parse (m->options, m->n_options, &o, err) < 0)
    return -1;
  if (m->source == NULL || m->source[0] == '\0')
    {
      cnf_err_set (err, EINVAL, "bind mount on %s has no source", dest);
      goto out;
    }
  mfd = open_tree (m->source[0] == '/' ? AT_FDCWD : bundlefd, m->source,
                   OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (o.rbind ? AT_RECURSIVE : 0));
  if (mfd < 0)
    {
      cnf_err_set (err, errno, "bind mount source \"%s\" for %s", m->source, dest);
      goto out;
    }
  /* Attributes on the detached mount: the top mount first, then the recursive ones.  A bind
   * keeps the flags of its source unless told otherwise, as a bind+remount would. */
  if (mounts_setattr (mfd, false, o.attr_set, o.attr_clr, 0, -1, dest, err) < 0)
    goto out;
  if ((o.rec_attr_set || o.rec_attr_clr)
      && mounts_setattr (mfd, true, o.rec_attr_set, o.rec_attr_clr, 0, -1, dest, err) < 0)
    goto out;
  if (o.idmap || m->n_uid_mappings || m->n_gid_mappings)
    {
      userns = idmap_userns_for (s, m, err);
      if (userns < 0)
        goto out;
      if (mounts_setattr (mfd, o.ridmap, 0, 0, 0, userns, dest, err) < 0)
        goto out;
    }
  r = steal_fd (&mfd);
out:
  mount_opts_free (&o);
  return r;
}

int
mounts_mount_one (const struct mounts_env *env, size_t index, cnf_err *err)
{
  const struct spec_mount *m = &env->spec->mounts[index];
  struct mount_opts o;
  cleanup_close int mfd = -1, tfd = -1, userns = -1;
  cleanup_free char *sbdata = NULL;
  const char *dest = m->destination;
  bool bind, as_file = false;
  int r = -1;

  if (dest == NULL || dest[0] != '/')
    return cnf_err_set (err, EINVAL, "mount destination \"%s\" is not absolute", dest ? dest : "");
  if (mount_options_parse (m->options, m->n_options, &o, err) < 0)
    return -1;
  bind = is_bind (m, &o);

  if (o.remount)
    {
      /* Change the attributes of what is already mounted there. */
      tfd = safe_openat (env->rootfd, dest, O_PATH, 0, err);
      if (tfd < 0)
        goto out;
      if (mounts_setattr (tfd, false, o.attr_set, o.attr_clr, o.propagation & ~MS_REC, -1, dest, err) < 0
          || mounts_setattr (tfd, true, o.rec_attr_set, o.rec_attr_clr, 0, -1, dest, err) < 0)
        goto out;
      if ((o.propagation & MS_REC) && mounts_setattr (tfd, true, 0, 0, o.propagation, -1, dest, err) < 0)
        goto out;
      r = 0;
      goto out;
    }

  if (bind)
    {
      struct stat st;
      if (env->prepared && env->prepared[index] >= 0)
        mfd = dup (env->prepared[index]); /* built on the host side (idmapped, user namespace) */
      else
        mfd = mounts_build_bind (env->spec, env->bundlefd, m, err);
      if (mfd < 0)
        {
          cnf_err_set (err, errno, "bind mount on %s", dest);
          goto out;
        }
      if (fstat (mfd, &st) < 0)
        {
          cnf_err_set (err, errno, "stat bind source \"%s\"", m->source);
          goto out;
        }
      as_file = !S_ISDIR (st.st_mode);
    }
  else
    {
      const char *type = m->type;
      const char *data = o.data;
      uint64_t attrs = o.attr_set | o.rec_attr_set;
      if (type == NULL || type[0] == '\0')
        {
          cnf_err_set (err, EINVAL, "mount on %s has no type", dest);
          goto out;
        }
      if (strcmp (type, "cgroup") == 0 || strcmp (type, "cgroup2") == 0)
        {
          /* Never pass options to cgroup2: they would reconfigure the host's single superblock. */
          if (strcmp (type, "cgroup") == 0 && !host_is_cgroup2 ())
            log_debug ("cgroup v1 host: mounting the container's cgroup namespace view of cgroup2 on %s", dest);
          type = "cgroup2";
          data = NULL;
        }
      if (data != NULL || (o.ms_set & (MS_SYNCHRONOUS | MS_DIRSYNC)))
        {
          /* Superblock flags travel as fsconfig flags with the data. */
          sbdata = xasprintf ("%s%s%s", data ? data : "", (o.ms_set & MS_SYNCHRONOUS) ? ",sync" : "",
                              (o.ms_set & MS_DIRSYNC) ? ",dirsync" : "");
          data = sbdata[0] == ',' ? sbdata + 1 : sbdata;
        }
      mfd = mounts_new_fs (type, m->source, data, attrs, dest, err);
      /* sysfs needs a network namespace owned by our user namespace; without one (none, or a
       * joined one) fall back to a recursive bind of the host's /sys, as runc does. */
      if (mfd < 0 && strcmp (type, "sysfs") == 0 && env->in_userns && err && *err && (*err)->sys_errno == EPERM)
        {
          cnf_err_free (err);
          mfd = sysfs_bind_fallback (dest, err);
          if (mfd >= 0 && mounts_setattr (mfd, true, attrs, 0, 0, -1, dest, err) < 0)
            goto out;
        }
      if (mfd < 0)
        goto out;
      if ((o.rec_attr_set || o.rec_attr_clr)
          && mounts_setattr (mfd, true, o.rec_attr_set, o.rec_attr_clr, 0, -1, dest, err) < 0)
        goto out;
      if (o.idmap || m->n_uid_mappings || m->n_gid_mappings)
        {
          userns = idmap_userns_for (env->spec, m, err);
          if (userns < 0)
            goto out;
          if (mounts_setattr (mfd, o.ridmap, 0, 0, 0, userns, dest, err) < 0)
            goto out;
        }
    }

  tfd = safe_mkpath (env->rootfd, dest, as_file, 0755, 0, err);
  if (tfd < 0)
    goto out;
  if (refuse_proc_target (tfd, dest, err) < 0)
    goto out;
  if (o.tmpcopyup && !bind && m->type && strcmp (m->type, "tmpfs") == 0
      && copy_tree (tfd, mfd, 0, dest, err) < 0)
    goto out;
  if (mounts_attach (mfd, tfd, dest, err) < 0)
    goto out;
  if (o.propagation && mounts_setattr (mfd, (o.propagation & MS_REC) != 0, 0, 0, o.propagation, -1, dest, err) < 0)
    goto out;
  r = 0;
out:
  mount_opts_free (&o);
  return r;
}

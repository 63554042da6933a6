/* devices.c — device nodes and /dev links (see devices.h). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "devices.h"
#include "mounts.h"
#include "safe_path.h"
#include "../lib/util.h"

static const struct spec_device default_devices[] = {
  { .path = "/dev/null", .type = 'c', .major = 1, .minor = 3 },
  { .path = "/dev/zero", .type = 'c', .major = 1, .minor = 5 },
  { .path = "/dev/full", .type = 'c', .major = 1, .minor = 7 },
  { .path = "/dev/random", .type = 'c', .major = 1, .minor = 8 },
  { .path = "/dev/urandom", .type = 'c', .major = 1, .minor = 9 },
  { .path = "/dev/tty", .type = 'c', .major = 5, .minor = 0 },
};

bool
devices_fd_is_chr (int fd, unsigned major, unsigned minor)
{
  struct stat st;
  return fstat (fd, &st) == 0 && S_ISCHR (st.st_mode) && major (st.st_rdev) == major && minor (st.st_rdev) == minor;
}

static mode_t
type_bits (char t)
{
  switch (t)
    {
    case 'c':
    case 'u':
      return S_IFCHR;
    case 'b':
      return S_IFBLK;
    case 'p':
      return S_IFIFO;
    default:
      return 0;
    }
}

/* Make (or bind) one device.  The parent directory is resolved inside the root with no symlink
 * allowed; the node itself is created by name in that directory, never through a link. */
static int
make_device (int rootfd, const struct spec_device *d, bool in_userns, cnf_err *err)
{
  cleanup_close int parent = -1;
  char name[256];
  mode_t type = type_bits (d->type);
  mode_t perm = d->has_file_mode ? (d->file_mode & 07777) : 0666;
  dev_t dev = makedev ((unsigned) d->major, (unsigned) d->minor);
  struct stat st;

  if (type == 0)
    return cnf_err_set (err, EINVAL, "device %s: unknown type '%c'", d->path, d->type);
  if (d->path == NULL || strncmp (d->path, "/dev/", 5) != 0 || strstr (d->path, "/../") || str_has_suffix (d->path, "/.."))
    return cnf_err_set (err, EINVAL, "device path \"%s\" is not under /dev", d->path ? d->path : "");
  parent = safe_open_parent (rootfd, d->path, true, SAFE_NO_SYMLINKS, name, sizeof name, err);
  if (parent < 0)
    return cnf_err_wrap (err, "device %s (a symlink in the way is refused)", d->path);

  /* Whatever sits there (a file, a symlink planted by the image) is replaced, never followed. */
  if (fstatat (parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
    {
      if (S_ISDIR (st.st_mode))
        return cnf_err_set (err, EEXIST, "device %s: a directory is in the way", d->path);
      if (!in_userns && (st.st_mode & S_IFMT) == type && (type == S_IFIFO || st.st_rdev == dev))
        goto own;
      if (in_userns && S_ISREG (st.st_mode))
        goto bind;
      if (unlinkat (parent, name, 0) < 0)
        return cnf_err_set (err, errno, "device %s: remove what is in the way", d->path);
    }

  if (!in_userns)
    {
      mode_t old = umask (0);
      int r = mknodat (parent, name, type | perm, type == S_IFIFO ? 0 : dev);
      umask (old);
      if (r < 0)
        return cnf_err_set (err, errno, "mknod %s", d->path);
    own:
      if (fchmodat (parent, name, perm, 0) < 0)
        return cnf_err_set (err, errno, "chmod %s", d->path);
      if ((d->has_uid || d->has_gid)
          && fchownat (parent, name, d->has_uid ? d->uid : (uid_t) -1, d->has_gid ? d->gid : (gid_t) -1,
                       AT_SYMLINK_NOFOLLOW) < 0)
        return cnf_err_set (err, errno, "chown %s", d->path);
      return 0;
    }
  else
    {
      int nfd = openat (parent, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0000);
      if (nfd < 0)
        return cnf_err_set (err, errno, "create the bind target of device %s", d->path);
      close (nfd);
    }
bind:
  {
    cleanup_close int src = -1, tgt = -1, hostfd = -1;
    /* In a user namespace mknod is not allowed: bind the host's node, after checking it is the
     * device the config names. */
    hostfd = open (d->path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (hostfd < 0)
      return cnf_err_set (err, errno, "host device %s", d->path);
    if (fstat (hostfd, &st) < 0 || (st.st_mode & S_IFMT) != type || (type != S_IFIFO && st.st_rdev != dev))
      return cnf_err_set (err, EINVAL, "host %s is not the device %c %lld:%lld", d->path, d->type,
                          (long long) d->major, (long long) d->minor);
    src = open_tree (hostfd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
    if (src < 0)
      return cnf_err_set (err, errno, "clone host device %s", d->path);
    tgt = openat (parent, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (tgt < 0)
      return cnf_err_set (err, errno, "open the bind target of device %s", d->path);
    fstat (tgt, &st);
    if (!S_ISREG (st.st_mode))
      return cnf_err_set (err, EINVAL, "bind target of device %s is not a regular file", d->path);
    return mounts_attach (src, tgt, d->path, err);
  }
}

int
devices_setup (int rootfd, const struct spec *s, bool in_userns, cnf_err *err)
{
  size_t i, j;
  for (i = 0; i < sizeof default_devices / sizeof default_devices[0]; i++)
    {
      bool overridden = false;
      for (j = 0; j < s->linux_.n_devices; j++)
        if (s->linux_.devices[j].path && strcmp (s->linux_.devices[j].path, default_devices[i].path) == 0)
          overridden = true;
      if (!overridden && make_device (rootfd, &default_devices[i], in_userns, err) < 0)
        return -1;
    }
  for (j = 0; j < s->linux_.n_devices; j++)
    if (make_device (rootfd, &s->linux_.devices[j], in_userns, err) < 0)
      return -1;
  return 0;
}

int
devices_links (int rootfd, cnf_err *err)
{
  static const struct { const char *name, *target; } links[] = {
    { "fd", "/proc/self/fd" },
    { "stdin", "/proc/self/fd/0" },
    { "stdout", "/proc/self/fd/1" },
    { "stderr", "/proc/self/fd/2" },
  };
  cleanup_close int dev = -1;
  struct stat st;
  size_t i;

  dev = safe_mkpath (rootfd, "/dev", false, 0755, SAFE_NO_SYMLINKS, err);
  if (dev < 0)
    return cnf_err_wrap (err, "/dev (a symlink in the way is refused)");
  for (i = 0; i < sizeof links / sizeof links[0]; i++)
    if (symlinkat (links[i].target, dev, links[i].name) < 0 && errno != EEXIST)
      return cnf_err_set (err, errno, "symlink /dev/%s", links[i].name);
  /* /dev/ptmx must be the devpts instance's multiplexer, whatever the image ships. */
  if (fstatat (dev, "ptmx", &st, AT_SYMLINK_NOFOLLOW) == 0)
    {
      if (S_ISDIR (st.st_mode))
        return cnf_err_set (err, EEXIST, "/dev/ptmx is a directory");
      if (unlinkat (dev, "ptmx", 0) < 0)
        return cnf_err_set (err, errno, "remove /dev/ptmx");
    }
  if (symlinkat ("pts/ptmx", dev, "ptmx") < 0)
    return cnf_err_set (err, errno, "symlink /dev/ptmx");
  return 0;
}

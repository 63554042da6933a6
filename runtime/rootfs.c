/* rootfs.c — the container's filesystem view (see rootfs.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "devices.h"
#include "mounts.h"
#include "rootfs.h"
#include "safe_path.h"
#include "sysctl.h"
#include "../lib/log.h"
#include "../lib/util.h"

/* Detached idmapped binds built by the parent (see rootfs_prepare_host_side). */
static int *prepared_fds;
static size_t n_prepared;

void
rootfs_release_host_side (void)
{
  size_t i;
  for (i = 0; i < n_prepared; i++)
    if (prepared_fds[i] >= 0)
      close (prepared_fds[i]);
  free (prepared_fds);
  prepared_fds = NULL;
  n_prepared = 0;
}

size_t
rootfs_host_side_fds (int *out, size_t max)
{
  size_t i, n = 0;
  for (i = 0; i < n_prepared; i++)
    if (prepared_fds[i] >= 0)
      {
        if (n < max)
          out[n] = prepared_fds[i];
        n++;
      }
  return n;
}

int
rootfs_prepare_host_side (const struct spec *s, const char *bundle, cnf_err *err)
{
  cleanup_close int bundlefd = -1;
  size_t i;
  if (!s->linux_.ns[NS_USER].present || s->n_mounts == 0)
    return 0;
  rootfs_release_host_side ();
  for (i = 0; i < s->n_mounts; i++)
    if (mounts_needs_idmap (&s->mounts[i]))
      break;
  if (i == s->n_mounts)
    return 0;
  if (bundle)
    {
      bundlefd = open (bundle, O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (bundlefd < 0)
        return cnf_err_set (err, errno, "open the bundle %s", bundle);
    }
  prepared_fds = xmalloc (s->n_mounts * sizeof *prepared_fds);
  n_prepared = s->n_mounts;
  for (i = 0; i < s->n_mounts; i++)
    prepared_fds[i] = -1;
  for (i = 0; i < s->n_mounts; i++)
    if (mounts_needs_idmap (&s->mounts[i]))
      {
        prepared_fds[i] = mounts_build_bind (s, bundlefd >= 0 ? bundlefd : AT_FDCWD, &s->mounts[i], err);
        if (prepared_fds[i] < 0)
          {
            rootfs_release_host_side ();
            return cnf_err_wrap (err, "mounts[%zu]", i);
          }
      }
  return 0;
}

/* "/dev/shm/" and "/dev//shm" name the same destination as "/dev/shm". */
static bool
same_dest (const char *a, const char *b)
{
  while (*a && *b)
    {
      if (*a == '/' && *b == '/')
        {
          while (*a == '/')
            a++;
          while (*b == '/')
            b++;
          continue;
        }
      if (*a++ != *b++)
        return false;
    }
  while (*a == '/')
    a++;
  while (*b == '/')
    b++;
  return *a == '\0' && *b == '\0';
}

static bool
has_mount_on (const struct spec *s, const char *dest)
{
  size_t i;
  for (i = 0; i < s->n_mounts; i++)
    if (s->mounts[i].destination && same_dest (s->mounts[i].destination, dest))
      return true;
  return false;
}

/* pivot_root refuses a new root whose parent mount is shared: find the mount holding the rootfs
 * directory (walking up to a mount root) and make it private in our namespace. */
static int
make_rootfs_parent_private (const char *rootfs, cnf_err *err)
{
  cleanup_free char *p = xstrdup (rootfs);
  for (;;)
    {
      struct statx stx;
      char *slash = strrchr (p, '/');
      if (slash == NULL)
        break;
      if (slash == p)
        slash[1] = '\0';
      else
        *slash = '\0';
      if (statx (AT_FDCWD, p, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &stx) < 0)
        return cnf_err_set (err, errno, "stat %s", p);
      if ((stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) && (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT))
        {
          if (mount (NULL, p, NULL, MS_PRIVATE, NULL) < 0)
            return cnf_err_set (err, errno, "make %s private", p);
          return 0;
        }
      if (strcmp (p, "/") == 0)
        break;
    }
  if (mount (NULL, "/", NULL, MS_PRIVATE, NULL) < 0)
    return cnf_err_set (err, errno, "make / private");
  return 0;
}

static int
mount_dev_shm (int rootfd, cnf_err *err)
{
  cleanup_close int tfd = -1, mfd = -1;
  tfd = safe_mkpath (rootfd, "/dev/shm", false, 01777, SAFE_NO_SYMLINKS, err);
  if (tfd < 0)
    return cnf_err_wrap (err, "/dev/shm");
  mfd = mounts_new_fs ("tmpfs", "shm", "mode=1777,size=65536k",
                       MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, "/dev/shm", err);
  if (mfd < 0)
    return -1;
  return mounts_attach (mfd, tfd, "/dev/shm", err);
}

static int
bind_sandbox (int rootfd, const char *dir, cnf_err *err)
{
  cleanup_close int src = -1, tfd = -1;
  struct stat st;
  if (stat (dir, &st) < 0 || !S_ISDIR (st.st_mode))
    {
      log_debug ("sandbox dir %s absent: not bound", dir);
      return 0;
    }
  src = open_tree (AT_FDCWD, dir, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  if (src < 0)
    return cnf_err_set (err, errno, "bind the sandbox dir %s", dir);
  if (mounts_setattr (src, false, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, 0, 0, -1, "/run/netplug", err) < 0)
    return -1;
  tfd = safe_mkpath (rootfd, "/run/netplug", false, 0755, 0, err);
  if (tfd < 0)
    return -1;
  return mounts_attach (src, tfd, "/run/netplug", err);
}

int
rootfs_mount_all (const struct rootfs_ctx *ctx, cnf_err *err)
{
  const struct spec *s = ctx->spec;
  unsigned long prop = s->linux_.rootfs_propagation_flags;
  cleanup_close int rootfd = -1, bundlefd = -1;
  struct mounts_env env;
  size_t i;

  /* Nothing we mount may leak back to the host: slave by default, or what rootfsPropagation says. */
  if (mount (NULL, "/", NULL, prop ? prop : (MS_SLAVE | MS_REC), NULL) < 0)
    return cnf_err_set (err, errno, "set the propagation of / (rootfsPropagation)");
  /* pivot_root needs a non-shared parent, and a shared one would carry our mounts to the host:
   * with the default rslave nothing is shared any more; otherwise make the parent private. */
  if (prop != 0 && make_rootfs_parent_private (ctx->rootfs, err) < 0)
    return -1;
  if (mount (ctx->rootfs, ctx->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
    return cnf_err_set (err, errno, "bind the rootfs %s on itself", ctx->rootfs);
  rootfd = open (ctx->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (rootfd < 0)
    return cnf_err_set (err, errno, "open the rootfs %s", ctx->rootfs);
  if (ctx->bundle)
    {
      bundlefd = open (ctx->bundle, O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (bundlefd < 0)
        return cnf_err_set (err, errno, "open the bundle %s", ctx->bundle);
    }
  env.spec = s;
  env.rootfd = rootfd;
  env.bundlefd = bundlefd >= 0 ? bundlefd : AT_FDCWD;
  env.in_userns = ctx->in_userns;

  env.prepared = prepared_fds;
  for (i = 0; i < s->n_mounts; i++)
    if (mounts_mount_one (&env, i, err) < 0)
      return cnf_err_wrap (err, "mounts[%zu]", i);
  rootfs_release_host_side ();
  if (devices_setup (rootfd, s, ctx->in_userns, err) < 0)
    return -1;
  if (devices_links (rootfd, err) < 0)
    return -1;
  if (!has_mount_on (s, "/dev/shm") && mount_dev_shm (rootfd, err) < 0)
    return -1;
  if (ctx->sandbox_dir && bind_sandbox (rootfd, ctx->sandbox_dir, err) < 0)
    return -1;
  if (fchdir (rootfd) < 0)
    return cnf_err_set (err, errno, "chdir to the rootfs");
  return 0;
}

static int
do_pivot (const char *rootfs, cnf_err *err)
{
  cleanup_close int oldroot = -1, newroot = -1;
  oldroot = open ("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (oldroot < 0)
    return cnf_err_set (err, errno, "open /");
  newroot = open (rootfs, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (newroot < 0)
    return cnf_err_set (err, errno, "open the rootfs %s", rootfs);
  if (fchdir (newroot) < 0)
    return cnf_err_set (err, errno, "chdir to the rootfs");
  /* pivot_root(".", "."): the old root ends up stacked on the new one, then is detached. */
  if (syscall (SYS_pivot_root, ".", ".") < 0)
    return cnf_err_set (err, errno, "pivot_root");
  if (fchdir (oldroot) < 0)
    return cnf_err_set (err, errno, "chdir to the old root");
  if (mount (NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
    return cnf_err_set (err, errno, "make the old root a slave");
  if (umount2 (".", MNT_DETACH) < 0)
    return cnf_err_set (err, errno, "unmount the old root");
  if (chdir ("/") < 0)
    return cnf_err_set (err, errno, "chdir /");
  return 0;
}

static int
do_move_chroot (const char *rootfs, cnf_err *err)
{
  if (chdir (rootfs) < 0)
    return cnf_err_set (err, errno, "chdir to the rootfs %s", rootfs);
  if (mount (rootfs, "/", NULL, MS_MOVE, NULL) < 0)
    return cnf_err_set (err, errno, "move the rootfs onto /");
  if (chroot (".") < 0)
    return cnf_err_set (err, errno, "chroot");
  if (chdir ("/") < 0)
    return cnf_err_set (err, errno, "chdir /");
  return 0;
}

int
rootfs_mask_path (int rootfd, const char *path, cnf_err *err)
{
  cleanup_close int tfd = -1, mfd = -1, devnull = -1;
  struct stat st;

  tfd = safe_openat (rootfd, path, O_PATH, 0, NULL);
  if (tfd < 0)
    {
      if (errno == ENOENT)
        return 0;
      return cnf_err_set (err, errno, "maskedPaths: resolve %s", path);
    }
  if (fstat (tfd, &st) < 0)
    return cnf_err_set (err, errno, "maskedPaths: stat %s", path);
  if (S_ISDIR (st.st_mode))
    {
      mfd = mounts_new_fs ("tmpfs", "tmpfs", NULL,
                           MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, path, err);
      if (mfd < 0)
        return cnf_err_wrap (err, "maskedPaths");
    }
  else
    {
      /* The /dev/null we bind must be the real null device, not whatever the container (or a
       * racing process) put there (CVE-2025-31133): check the very fd we clone. */
      devnull = safe_openat (rootfd, "/dev/null", O_PATH, SAFE_NO_SYMLINKS, err);
      if (devnull < 0)
        return cnf_err_wrap (err, "maskedPaths: %s: the container's /dev/null (a symlink is refused)", path);
      if (!devices_fd_is_chr (devnull, 1, 3))
        return cnf_err_set (err, EPERM, "maskedPaths: /dev/null in the container is not the null device (1:3)");
      mfd = open_tree (devnull, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
      if (mfd < 0)
        return cnf_err_set (err, errno, "maskedPaths: clone /dev/null for %s", path);
    }
  return mounts_attach (mfd, tfd, path, err) < 0 ? cnf_err_wrap (err, "maskedPaths") : 0;
}

int
rootfs_readonly_path (int rootfd, const char *path, cnf_err *err)
{
  cleanup_close int tfd = -1, mfd = -1;
  tfd = safe_openat (rootfd, path, O_PATH, 0, NULL);
  if (tfd < 0)
    {
      if (errno == ENOENT)
        return 0;
      return cnf_err_set (err, errno, "readonlyPaths: resolve %s", path);
    }
  mfd = open_tree (tfd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);
  if (mfd < 0)
    return cnf_err_set (err, errno, "readonlyPaths: bind %s", path);
  if (mounts_setattr (mfd, true, MOUNT_ATTR_RDONLY, 0, 0, -1, path, err) < 0
      || mounts_attach (mfd, tfd, path, err) < 0)
    return cnf_err_wrap (err, "readonlyPaths");
  return 0;
}

int
rootfs_finalize (const struct rootfs_ctx *ctx, cnf_err *err)
{
  const struct spec *s = ctx->spec;
  cleanup_close int rootfd = -1;
  size_t i;

  if ((ctx->no_pivot ? do_move_chroot (ctx->rootfs, err) : do_pivot (ctx->rootfs, err)) < 0)
    return -1;
  rootfd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return cnf_err_set (err, errno, "open the new /");
  /* sysctl first: readonlyPaths usually covers /proc/sys. */
  if (sysctl_apply (rootfd, s, err) < 0)
    return -1;
  for (i = 0; i < s->linux_.n_masked_paths; i++)
    if (rootfs_mask_path (rootfd, s->linux_.masked_paths[i], err) < 0)
      return -1;
  for (i = 0; i < s->linux_.n_readonly_paths; i++)
    if (rootfs_readonly_path (rootfd, s->linux_.readonly_paths[i], err) < 0)
      return -1;
  if (s->root_readonly && mounts_setattr (rootfd, false, MOUNT_ATTR_RDONLY, 0, 0, -1, "/", err) < 0)
    return cnf_err_wrap (err, "root.readonly");
  if (s->linux_.rootfs_propagation_flags
      && mount (NULL, "/", NULL, s->linux_.rootfs_propagation_flags, NULL) < 0)
    return cnf_err_set (err, errno, "rootfsPropagation on /");
  return 0;
}

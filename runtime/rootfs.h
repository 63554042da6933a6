/* rootfs.h — the container's filesystem view, built in the container init inside its new mount
 * namespace: propagation, the rootfs bound on itself, mounts[], devices, /dev links, then (after
 * the createContainer hooks) pivot_root, sysctl, maskedPaths, readonlyPaths and a read-only root.
 * Every path inside the rootfs is resolved with safe_path (never leaves the rootfs) and every
 * mount is attached onto a resolved fd (mounts.h). */
#ifndef CNF_ROOTFS_H
#define CNF_ROOTFS_H

#include <stdbool.h>
#include "spec.h"
#include "../lib/error.h"

struct rootfs_ctx {
  const struct spec *spec;
  const char *rootfs;        /* absolute host path of the bundle's rootfs */
  bool no_pivot;             /* --no-pivot: MS_MOVE + chroot instead of pivot_root */
  bool in_userns;            /* a new user namespace: devices are bind-mounted, not mknod'ed */
  const char *sandbox_dir;   /* host dir to bind on /run/netplug in the container, or NULL */
  const char *bundle;        /* optional: relative bind-mount sources are resolved here (NULL: the cwd) */
};

/* In the container init, in its new mount namespace, before the createContainer hooks:
 * rootfsPropagation / make-private, bind the rootfs on itself, mounts[] in order, default devices + linux.devices,
 * /dev/fd,/dev/stdin,stdout,stderr links, /dev/ptmx -> pts/ptmx, /dev/shm if not mounted, the sandbox_dir bind.
 * Leaves the cwd at the rootfs. */
int rootfs_mount_all (const struct rootfs_ctx *ctx, cnf_err *err);
/* After the createContainer hooks: pivot_root (or chroot), umount the old root, maskedPaths, readonlyPaths,
 * linux.sysctl (through a trusted procfs fd of the container's /proc), root.readonly (remount ro), rootfs propagation final. */
int rootfs_finalize (const struct rootfs_ctx *ctx, cnf_err *err);

/* Idmapped bind mounts of a container with a new user namespace must be built on the host side:
 * the kernel wants CAP_SYS_ADMIN over the source filesystem's user namespace, which the init in
 * its user namespace lacks.  Call rootfs_prepare_host_side() in the parent before spawning the init
 * (which inherits the detached mount fds and attaches them), and rootfs_release_host_side() in the
 * parent once the init has been spawned.  Without a user namespace both are no-ops. */
int rootfs_prepare_host_side (const struct spec *s, const char *bundle, cnf_err *err);
void rootfs_release_host_side (void);
/* The prepared fds, for the caller's list of fds to keep open in the init (close_fds_except):
 * writes up to max of them to out and returns how many there are. */
size_t rootfs_host_side_fds (int *out, size_t max);

/* Masked and read-only paths against a root fd (after the pivot, the container's "/"). */
int rootfs_mask_path (int rootfd, const char *path, cnf_err *err);
int rootfs_readonly_path (int rootfd, const char *path, cnf_err *err);

#endif

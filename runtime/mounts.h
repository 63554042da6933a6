/* mounts.h — mounting with the new mount API onto fds resolved inside the rootfs.
 * A mount is built detached (fsopen/fsconfig/fsmount, or open_tree(OPEN_TREE_CLONE) for binds),
 * given its attributes there with mount_setattr (ro, nosuid, atime modes, rro, idmap), then
 * attached with move_mount(MOVE_MOUNT_T_EMPTY_PATH) onto an O_PATH fd that safe_path resolved
 * inside the rootfs.  No path string inside the container is ever handed to mount(2). */
#ifndef CNF_MOUNTS_H
#define CNF_MOUNTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "spec.h"
#include "mount_options.h"
#include "../lib/error.h"

struct mounts_env
{
  const struct spec *spec;
  int rootfd;            /* O_PATH fd of the rootfs (the bound copy) */
  int bundlefd;          /* relative bind sources are looked up here (AT_FDCWD = cwd) */
  bool in_userns;
  const int *prepared;   /* per mounts[] index: a detached bind built on the host side, or -1; may be NULL */
};

/* Mount entry `index` of config.json's mounts[] inside the rootfs. */
int mounts_mount_one (const struct mounts_env *env, size_t index, cnf_err *err);
/* A detached bind mount of m->source with m's attributes and idmap applied (not attached). */
int mounts_build_bind (const struct spec *s, int bundlefd, const struct spec_mount *m, cnf_err *err);
/* True for a bind mount that asks for an idmap. */
bool mounts_needs_idmap (const struct spec_mount *m);

/* Attach a detached mount fd onto a resolved target fd. */
int mounts_attach (int mntfd, int targetfd, const char *what, cnf_err *err);
/* mount_setattr on a mount fd (AT_EMPTY_PATH); prop is MS_* (| MS_REC) or 0; userns_fd -1 for none. */
int mounts_setattr (int mntfd, bool recursive, uint64_t set, uint64_t clr, unsigned long prop, int userns_fd,
                    const char *what, cnf_err *err);
/* A new detached filesystem mount (fsopen .. fsmount). data is "k=v,flag,..." or NULL. */
int mounts_new_fs (const char *type, const char *source, const char *data, uint64_t attrs, const char *what,
                   cnf_err *err);
/* A user namespace fd carrying these mappings, for MOUNT_ATTR_IDMAP. */
int mounts_idmap_userns (const struct spec_id_mapping *uids, size_t nu, const struct spec_id_mapping *gids, size_t ng,
                         cnf_err *err);

#endif

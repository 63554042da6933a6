/* safe_path.h — resolve and create paths inside a root directory fd without ever leaving it.
 * Every lookup is openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS): absolute symlinks and ".." are
 * clamped to the root, /proc magic links are refused.  Missing components are created one at a
 * time with mkdirat/openat(O_EXCL|O_NOFOLLOW) on an fd that was itself resolved inside the root,
 * so a symlink (even one swapped in concurrently, CVE-2021-30465) can never send the walk out. */
#ifndef CNF_SAFE_PATH_H
#define CNF_SAFE_PATH_H

#include <stdbool.h>
#include <sys/types.h>
#include "../lib/error.h"

/* Extra RESOLVE_* bits callers may add. */
#define SAFE_NO_SYMLINKS 0x04   /* RESOLVE_NO_SYMLINKS: refuse any symlink on the way */
#define SAFE_NO_XDEV 0x01       /* RESOLVE_NO_XDEV: refuse crossing a mount point */

/* openat2(rootfd, path, flags, RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS|extra).  Returns the fd, or -1
 * with errno set (and *err, if err is not NULL). */
int safe_openat (int rootfd, const char *path, int flags, unsigned extra_resolve, cnf_err *err);

/* Resolve path inside rootfd, creating what is missing: directories on the way, and the last
 * component as a directory (as_file false) or an empty regular file (as_file true).
 * Returns an O_PATH|O_CLOEXEC fd of the result, or -1 with *err. */
int safe_mkpath (int rootfd, const char *path, bool as_file, mode_t dir_mode, unsigned extra_resolve, cnf_err *err);

/* Split a path into its parent (resolved/created as a directory inside rootfd, returned as an
 * O_PATH fd) and its last component (written to name, NUL-terminated).  The last component is
 * never ".", ".." or empty. */
int safe_open_parent (int rootfd, const char *path, bool create, unsigned extra_resolve, char *name, size_t name_len,
                      cnf_err *err);

#endif

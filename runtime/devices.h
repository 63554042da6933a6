/* devices.h — device nodes in the container's /dev: the default set (null, zero, full, random,
 * urandom, tty) plus linux.devices, made with mknod (mode, uid, gid) or, in a user namespace,
 * bind-mounted from the host.  /dev is resolved inside the rootfs and no symlink is accepted on
 * the way to a device (a /dev symlink cannot redirect device setup, CVE-2026-41579-style). */
#ifndef CNF_DEVICES_H
#define CNF_DEVICES_H

#include <stdbool.h>
#include "spec.h"
#include "../lib/error.h"

int devices_setup (int rootfd, const struct spec *s, bool in_userns, cnf_err *err);
/* /dev/fd, /dev/stdin, /dev/stdout, /dev/stderr and /dev/ptmx -> pts/ptmx. */
int devices_links (int rootfd, cnf_err *err);
/* True if fd (any kind, O_PATH included) is the character device major:minor. */
bool devices_fd_is_chr (int fd, unsigned major, unsigned minor);

#endif

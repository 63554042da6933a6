/* sysctl.h — linux.sysctl written through the container's own procfs, opened once from its root
 * and checked to be a real procfs root; each key is opened beneath it with no symlink, magic
 * link or mount crossing allowed, so a bind mount or symlink planted over /proc/sys cannot
 * redirect the write (CVE-2019-16884, CVE-2025-52881). */
#ifndef CNF_SYSCTL_H
#define CNF_SYSCTL_H

#include <stdbool.h>
#include <stddef.h>
#include "spec.h"
#include "../lib/error.h"

/* "net.ipv4.ip_forward" -> "sys/net/ipv4/ip_forward" (dots become slashes; a slash in the key
 * already means a path form "net/ipv4/conf/eth0.100/forwarding" and dots are kept).
 * Returns -1 for an empty key or one containing "..". */
int sysctl_key_to_path (const char *key, char *out, size_t len);

/* Open the container's /proc (as seen from rootfd) and verify it is a procfs root. */
int sysctl_open_procfs (int rootfd, cnf_err *err);
int sysctl_apply (int rootfd, const struct spec *s, cnf_err *err);

#endif

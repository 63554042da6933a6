/* netdev.h — linux.netDevices (runtime-spec 1.3): move named host netdevs into the container's
 * network namespace with libnl-route, renamed in the same RTM_NEWLINK when asked, keeping their
 * permanent global IPv4/IPv6 addresses (read before the move, re-added inside) and brought up.
 * A failure undoes the moves already done.  netdev_move_out() returns them on delete. */
#ifndef CNF_NETDEV_H
#define CNF_NETDEV_H

#include <stddef.h>
#include <sys/types.h>
#include "spec.h"
#include "../lib/error.h"

struct netdev_moved
{
  char *host_name;
  char *ct_name;
};

/* Move every linux.netDevices entry into the netns of pid (IFLA_NET_NS_FD with /proc/<pid>/ns/net).
 * *out (malloc'd, free with netdev_moved_free) records what moved. */
int netdev_move_in (const struct spec *s, pid_t pid, struct netdev_moved **out, size_t *n, cnf_err *err);
/* Move devices back to the caller's netns (netns_fd = the container's netns) with their original
 * names and addresses; best effort: every device is tried, errors are logged, the first is returned.
 * netns_fd < 0 (the namespace is gone, the kernel already returned or destroyed them): no-op. */
int netdev_move_out (int netns_fd, const struct netdev_moved *d, size_t n, cnf_err *err);
void netdev_moved_free (struct netdev_moved *d, size_t n);
/* Check a container-side interface name (1..15 bytes, no '/', ':' or blanks, not "." or ".."). */
int netdev_check_name (const char *name, cnf_err *err);

#endif

/* netplugd_fake.c — a data plane that does nothing, for fuzzing netplugd's control path
 * (ctl.c, model.c, validate.c) without DPDK, sockets or workers.  Port kinds "open" without
 * creating anything; publishing and grace periods are no-ops because no worker runs; DPDK's
 * allocator is the C heap (model.c only needs zeroed, cache-aligned memory). */
#include <stdlib.h>
#include <string.h>
#include <rte_malloc.h>
#include <rte_version.h>
#include "netplug/netplugd/netplugd.h"

struct np_daemon np;
const char *const np_drop_names[NP_DROP__COUNT] = { "no_network", "no_buffer", "tx_full", "bad_desc",
                                                    "too_big", "mac_limit", "hairpin", "peer_down" };

void *
rte_zmalloc (const char *type, size_t size, unsigned align)
{
  size_t a = align < 64 ? 64 : align;
  void *p = aligned_alloc (a, (size + a - 1) / a * a);
  if (p)
    memset (p, 0, size);
  return p;
}

void
rte_free (void *p)
{
  free (p);
}

const char *
rte_version (void)
{
  return "DPDK fake";
}

void np_fwd_publish_ports (void) {}
void np_fwd_synchronize (void) {}
void np_bridge_flush_port (struct np_network *n, uint16_t port_id) {}
uint32_t np_bridge_mac_count (const struct np_network *n) { return 0; }

void
np_fwd_worker_stats (json_writer *w)
{
  json_w_arr_open (w);
  json_w_arr_close (w);
}

int np_loop_add (int fd, uint32_t events, np_fd_cb cb, void *arg) { return 0; }
void np_loop_del (int fd) {}

int np_memif_port_open (struct np_port *p, cnf_err *err) { return 0; }
void np_memif_port_close (struct np_port *p) {}
bool np_memif_connected (const struct np_port *p) { return false; }
int np_vhost_port_open (struct np_port *p, cnf_err *err) { return 0; }
void np_vhost_port_close (struct np_port *p) {}
bool np_vhost_ready (const struct np_port *p) { return false; }
int np_tap_port_open (struct np_port *p, cnf_err *err) { return 0; }
void np_tap_port_close (struct np_port *p) {}
int np_ethdev_port_open (struct np_port *p, cnf_err *err) { return 0; }
void np_ethdev_port_close (struct np_port *p) {}

/* ethdev.c's rule without an allow-list: only vdevs */
int
np_ethdev_check (const char *devargs, cnf_err *err)
{
  if (strncmp (devargs, "net_", 4) == 0)
    return 0;
  return cnf_err_set_code (err, NP_E_INVALID, 0, ".devargs: %s is not a net_* vdev", devargs);
}

/* ethdev.c — physical ports, VFs and vdev stand-ins as DPDK ethdevs.  PCI devices must be on the
 * allow-list (EAL -a, probed at start-up, nothing else is probed: --no-pci without a list);
 * "net_*" vdev specs (net_ring, net_null, net_tap…) are hot-plugged with rte_dev_probe.  The same
 * code drives both.  One RX and one TX queue: only the owning worker polls and transmits. */
#include <errno.h>
#include <string.h>
#include <rte_bus_vdev.h>
#include <rte_dev.h>
#include <rte_ethdev.h>
#include "lib/log.h"
#include "lib/util.h"
#include "netplugd.h"

struct eth_port
{
  uint16_t port_id;
  bool hotplugged;
  char devname[128];
};

static uint16_t
eth_rx (struct np_port *p, unsigned wid, struct rte_mbuf **pkts, uint16_t n)
{
  struct eth_port *e = p->priv;
  return rte_eth_rx_burst (e->port_id, 0, pkts, n);
}

static uint16_t
eth_tx (struct np_port *p, unsigned wid, struct rte_mbuf **pkts, uint16_t n)
{
  struct eth_port *e = p->priv;
  uint16_t sent = rte_eth_tx_burst (e->port_id, 0, pkts, n);
  if (sent < n)
    rte_pktmbuf_free_bulk (pkts + sent, n - sent);
  return sent;
}

static const struct np_port_ops eth_ops = { .rx = eth_rx, .tx = eth_tx };

static bool
allowed (const char *devargs)
{
  for (int i = 0; np.cfg.allow && np.cfg.allow[i]; i++)
    if (!strcmp (np.cfg.allow[i], devargs))
      return true;
  return false;
}

/* Validation without side effects, used by the model before anything is created. */
int
np_ethdev_check (const char *devargs, cnf_err *err)
{
  if (str_has_prefix (devargs, "net_"))
    return 0;
  if (allowed (devargs))
    return 0;
  return cnf_err_set_code (err, NP_E_INVALID, 0, ".devargs: %s is neither a net_* vdev nor an allow-listed PCI device",
                           devargs);
}

int
np_ethdev_port_open (struct np_port *p, cnf_err *err)
{
  struct rte_eth_conf conf;
  struct eth_port *e = xzalloc (sizeof *e);
  size_t l = strcspn (p->devargs, ",");
  int r;
  if (l >= sizeof e->devname)
    l = sizeof e->devname - 1;
  memcpy (e->devname, p->devargs, l);
  if (str_has_prefix (p->devargs, "net_"))
    {
      if (rte_eth_dev_get_port_by_name (e->devname, &e->port_id) == 0)
        {
          free (e);
          return cnf_err_set_code (err, NP_E_EXISTS, 0, ".devargs: device %s already exists", p->devargs);
        }
      if ((r = rte_dev_probe (p->devargs)) < 0)
        {
          free (e);
          return cnf_err_set_code (err, r == -ENOSPC || r == -ENOMEM ? NP_E_LIMIT : NP_E_INTERNAL, -r,
                                   "probe %s (at most %d ethdevs)", p->devargs, RTE_MAX_ETHPORTS);
        }
      e->hotplugged = true;
    }
  if (rte_eth_dev_get_port_by_name (e->devname, &e->port_id) < 0)
    {
      if (e->hotplugged)
        rte_eal_hotplug_remove ("vdev", e->devname);
      free (e);
      return cnf_err_set_code (err, NP_E_NOT_FOUND, 0, ".devargs: no ethdev %s", p->devargs);
    }
  memset (&conf, 0, sizeof conf);
  if (rte_eth_dev_configure (e->port_id, 1, 1, &conf) < 0
      || rte_eth_rx_queue_setup (e->port_id, 0, 512, rte_eth_dev_socket_id (e->port_id), NULL, np.pool) < 0
      || rte_eth_tx_queue_setup (e->port_id, 0, 512, rte_eth_dev_socket_id (e->port_id), NULL) < 0
      || rte_eth_dev_start (e->port_id) < 0)
    {
      rte_eth_dev_close (e->port_id);
      if (e->hotplugged)
        rte_eal_hotplug_remove ("vdev", e->devname);
      free (e);
      return cnf_err_set_code (err, NP_E_INTERNAL, 0, "ethdev %s: configure/start failed", p->devargs);
    }
  rte_eth_promiscuous_enable (e->port_id);
  p->priv = e;
  p->ops = &eth_ops;
  log_info ("ethdev %s: port %u started", p->devargs, e->port_id);
  return 0;
}

void
np_ethdev_port_close (struct np_port *p)
{
  struct eth_port *e = p->priv;
  if (!e)
    return;
  rte_eth_dev_stop (e->port_id);
  rte_eth_dev_close (e->port_id);
  if (e->hotplugged)
    rte_eal_hotplug_remove ("vdev", e->devname);
  free (e);
  p->priv = NULL;
  p->ops = NULL;
}

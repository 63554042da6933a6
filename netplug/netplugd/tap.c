/* tap.c — tap ports: a kernel Ethernet interface backed by the forwarder (/dev/net/tun,
 * IFF_TAP|IFF_NO_PI), not an ethdev, so that any number can exist and netplug can move the
 * netdev into a pod's network namespace (the fd stays with netplugd and keeps working).
 * The worker that owns the port reads and writes the fd non-blocking, one frame per syscall. */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>
#include "lib/log.h"
#include "lib/util.h"
#include "netplugd.h"

struct tap_port
{
  int fd;
};

static uint16_t
tap_rx (struct np_port *p, unsigned wid, struct rte_mbuf **pkts, uint16_t n)
{
  struct tap_port *t = p->priv;
  uint16_t got = 0;
  while (got < n)
    {
      struct rte_mbuf *m = rte_pktmbuf_alloc (np.pool);
      ssize_t r;
      if (!m)
        {
          p->ctr[wid].drops[NP_DROP_NO_BUFFER]++;
          break;
        }
      r = read (t->fd, rte_pktmbuf_mtod (m, void *), rte_pktmbuf_tailroom (m));
      if (r <= 0)
        {
          rte_pktmbuf_free (m);
          break;
        }
      m->data_len = m->pkt_len = (uint32_t) r;
      pkts[got++] = m;
    }
  return got;
}

static uint16_t
tap_tx (struct np_port *p, unsigned wid, struct rte_mbuf **pkts, uint16_t n)
{
  struct tap_port *t = p->priv;
  uint16_t sent = 0;
  for (uint16_t i = 0; i < n; i++)
    {
      struct rte_mbuf *m = pkts[i];
      struct iovec iov[8];
      int k = 0;
      for (struct rte_mbuf *s = m; s && k < 8; s = s->next)
        {
          iov[k].iov_base = rte_pktmbuf_mtod (s, void *);
          iov[k++].iov_len = s->data_len;
        }
      if (writev (t->fd, iov, k) > 0)
        sent++;
    }
  rte_pktmbuf_free_bulk (pkts, n);
  return sent;
}

static const struct np_port_ops tap_ops = { .rx = tap_rx, .tx = tap_tx };

int
np_tap_port_open (struct np_port *p, cnf_err *err)
{
  struct ifreq ifr;
  int fd = open ("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return cnf_err_set_code (err, NP_E_INTERNAL, errno, "open /dev/net/tun");
  memset (&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
  snprintf (ifr.ifr_name, IFNAMSIZ, "%s", p->ifname);
  if (ioctl (fd, TUNSETIFF, &ifr) < 0)
    {
      int e = errno;
      close (fd);
      return cnf_err_set_code (err, e == EBUSY ? NP_E_EXISTS : NP_E_INTERNAL, e, "tap %s", p->ifname);
    }
  struct tap_port *t = xzalloc (sizeof *t);
  t->fd = fd;
  p->priv = t;
  p->ops = &tap_ops;
  return 0;
}

void
np_tap_port_close (struct np_port *p)
{
  struct tap_port *t = p->priv;
  if (!t)
    return;
  close (t->fd);
  free (t);
  p->priv = NULL;
}

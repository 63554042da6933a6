/* vhost.c — vhost-user ports through rte_vhost directly (not the net_vhost ethdev, which would
 * count against RTE_MAX_ETHPORTS = 32).  netplugd is the vhost-user client by default: the
 * container's virtio_user is the server (server=1) and rte_vhost reconnects every second, so a
 * netplugd restart heals by itself; "role": "server" makes netplugd listen instead.
 * rte_vhost copies between guest buffers and our mbufs (enqueue/dequeue), so the guest memory
 * is never handed to another port.  Device callbacks run on rte_vhost's thread: they look ports
 * up in a small registry under a mutex (control plane only), and publish the device id to the
 * worker with an atomic store; on destroy_device they wait for a grace period before returning
 * so that no worker still uses the device id. */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <rte_vhost.h>
#include "lib/log.h"
#include "lib/util.h"
#include "netplugd.h"

#define VIRTIO_RXQ 0 /* guest receives: we enqueue */
#define VIRTIO_TXQ 1 /* guest sends: we dequeue */

struct vhost_port
{
  struct np_port *port;
  char *path;
  int vid; /* -1 while no device */
  struct vhost_port *next;
};

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct vhost_port *reg;

static uint16_t
vhost_rx (struct np_port *p, unsigned wid, struct rte_mbuf **pkts, uint16_t n)
{
  struct vhost_port *v = p->priv;
  int vid = __atomic_load_n (&v->vid, __ATOMIC_ACQUIRE);
  if (vid < 0)
    return 0;
  return rte_vhost_dequeue_burst (vid, VIRTIO_TXQ, np.pool, pkts, n);
}

static uint16_t
vhost_tx (struct np_port *p, unsigned wid, struct rte_mbuf **pkts, uint16_t n)
{
  struct vhost_port *v = p->priv;
  int vid = __atomic_load_n (&v->vid, __ATOMIC_ACQUIRE);
  uint16_t sent = 0;
  if (vid >= 0)
    sent = rte_vhost_enqueue_burst (vid, VIRTIO_RXQ, pkts, n);
  rte_pktmbuf_free_bulk (pkts, n);
  return sent;
}

static const struct np_port_ops vhost_ops = { .rx = vhost_rx, .tx = vhost_tx };

static struct vhost_port *
find_path (const char *path)
{
  for (struct vhost_port *v = reg; v; v = v->next)
    if (!strcmp (v->path, path))
      return v;
  return NULL;
}

static int
on_new_device (int vid)
{
  char path[PATH_MAX];
  struct vhost_port *v;
  if (rte_vhost_get_ifname (vid, path, sizeof path) < 0)
    return -1;
  pthread_mutex_lock (&reg_lock);
  v = find_path (path);
  if (v)
    {
      rte_vhost_enable_guest_notification (vid, VIRTIO_RXQ, 0);
      rte_vhost_enable_guest_notification (vid, VIRTIO_TXQ, 0);
      __atomic_store_n (&v->vid, vid, __ATOMIC_RELEASE);
      log_info ("vhost-user %s: device %d ready", v->port->name, vid);
    }
  pthread_mutex_unlock (&reg_lock);
  return v ? 0 : -1;
}

static void
on_destroy_device (int vid)
{
  struct vhost_port *v;
  bool found = false;
  pthread_mutex_lock (&reg_lock);
  for (v = reg; v; v = v->next)
    if (v->vid == vid)
      {
        __atomic_store_n (&v->vid, -1, __ATOMIC_RELEASE);
        log_info ("vhost-user %s: device %d gone", v->port->name, vid);
        found = true;
      }
  pthread_mutex_unlock (&reg_lock);
  if (found)
    np_fwd_synchronize ();
}

static const struct rte_vhost_device_ops vhost_dev_ops = {
  .new_device = on_new_device,
  .destroy_device = on_destroy_device,
};

int
np_vhost_port_open (struct np_port *p, cnf_err *err)
{
  uint64_t flags = p->vhost_server ? 0 : RTE_VHOST_USER_CLIENT;
  struct vhost_port *v;
  struct stat st;
  if (p->vhost_server && lstat (p->socket, &st) == 0)
    {
      if (!S_ISSOCK (st.st_mode))
        return cnf_err_set_code (err, NP_E_EXISTS, 0, ".socket: %s exists and is not a socket", p->socket);
      unlink (p->socket);
    }
  if (rte_vhost_driver_register (p->socket, flags) < 0)
    return cnf_err_set_code (err, NP_E_INTERNAL, 0, "vhost-user %s: register failed", p->socket);
  /* offloads would hand us partial checksums and TSO frames the other port kinds cannot take */
  rte_vhost_driver_disable_features (p->socket, (1ULL << 0) /* CSUM */ | (1ULL << 1) /* GUEST_CSUM */
                                                    | (1ULL << 7) | (1ULL << 8) | (1ULL << 10) | (1ULL << 11)
                                                    | (1ULL << 12) | (1ULL << 14)); /* TSO/UFO/ECN */
  if (rte_vhost_driver_callback_register (p->socket, &vhost_dev_ops) < 0)
    {
      rte_vhost_driver_unregister (p->socket);
      return cnf_err_set_code (err, NP_E_INTERNAL, 0, "vhost-user %s: callbacks", p->socket);
    }
  v = xzalloc (sizeof *v);
  v->port = p;
  v->path = xstrdup (p->socket);
  v->vid = -1;
  pthread_mutex_lock (&reg_lock);
  v->next = reg;
  reg = v;
  pthread_mutex_unlock (&reg_lock);
  p->priv = v;
  p->ops = &vhost_ops;
  if (rte_vhost_driver_start (p->socket) < 0)
    {
      np_vhost_port_close (p);
      return cnf_err_set_code (err, NP_E_INTERNAL, 0, "vhost-user %s: start failed", p->socket);
    }
  return 0;
}

/* The port is already unpublished from the workers. */
void
np_vhost_port_close (struct np_port *p)
{
  struct vhost_port *v = p->priv, **pp;
  if (!v)
    return;
  pthread_mutex_lock (&reg_lock);
  for (pp = &reg; *pp; pp = &(*pp)->next)
    if (*pp == v)
      {
        *pp = v->next;
        break;
      }
  pthread_mutex_unlock (&reg_lock);
  /* retried: unregister refuses while a callback of this socket is running */
  for (int i = 0; i < 100 && rte_vhost_driver_unregister (v->path) < 0; i++)
    usleep (10000);
  if (p->vhost_server)
    unlink (v->path);
  free (v->path);
  free (v);
  p->priv = NULL;
  p->ops = NULL;
}

bool
np_vhost_ready (const struct np_port *p)
{
  const struct vhost_port *v = p->priv;
  return v && __atomic_load_n (&v->vid, __ATOMIC_ACQUIRE) >= 0;
}

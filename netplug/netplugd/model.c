/* model.c — ports, networks and attachments: request validation, the mutations themselves,
 * their JSON form, and the persisted desired state.  Every operation validates everything first
 * and changes nothing when it refuses; only then does it create the port/network and publish it
 * to the workers (fwd.c).  The desired state is rewritten atomically after every change. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <rte_malloc.h>
#include "lib/log.h"
#include "lib/util.h"
#include "netplugd.h"

static const char *const port_type_names[] = { "memif", "vhost-user", "tap", "ethdev" };
static const char *const net_type_names[] = { "bridge", "xconnect" };

struct np_port *
np_port_find (const char *name)
{
  for (unsigned i = 0; i < NP_MAX_PORTS; i++)
    if (np.ports[i] && !strcmp (np.ports[i]->name, name))
      return np.ports[i];
  return NULL;
}

struct np_network *
np_net_find (const char *name)
{
  for (unsigned i = 0; i < NP_MAX_NETWORKS; i++)
    if (np.nets[i] && !strcmp (np.nets[i]->name, name))
      return np.nets[i];
  return NULL;
}

static unsigned
net_port_count (const struct np_network *n)
{
  unsigned c = 0;
  for (unsigned i = 0; i < NP_MAX_PORTS; i++)
    if (np.ports[i] && !strcmp (np.ports[i]->network, n->name))
      c++;
  return c;
}

const char *
np_port_state (const struct np_port *p)
{
  if (!p->ops)
    return "down";
  if (p->type == NP_PORT_MEMIF)
    return np_memif_connected (p) ? "up" : "waiting";
  if (p->type == NP_PORT_VHOST)
    return np_vhost_ready (p) ? "up" : "waiting";
  return "up";
}

/* ---------- field readers: each returns 0, 1 (absent) or -1 with err ---------- */

static int
get_str (const json_value *req, const char *key, const char **out, cnf_err *err)
{
  json_value *v = json_get (req, key);
  if (!v || json_is_null (v))
    return 1;
  if (!(*out = json_string (v)))
    return cnf_err_set_code (err, NP_E_INVALID, 0, ".%s: must be a string", key);
  return 0;
}

static int
get_u64 (const json_value *req, const char *key, uint64_t lo, uint64_t hi, uint64_t *out, cnf_err *err)
{
  json_value *v = json_get (req, key);
  if (!v || json_is_null (v))
    return 1;
  if (json_get_uint64 (v, out) < 0 || *out < lo || *out > hi)
    return cnf_err_set_code (err, NP_E_INVALID, 0, ".%s: must be an integer in %llu..%llu", key,
                             (unsigned long long) lo, (unsigned long long) hi);
  return 0;
}

/* The member list of n as it will be once `without` left and `with` joined (either may be NULL). */
struct np_members *
np_members_build (const struct np_network *n, const struct np_port *without, const struct np_port *with)
{
  struct np_members *m = xzalloc (sizeof *m + sizeof (uint16_t) * (np.nports + 1));
  unsigned i;
  for (i = 0; i < NP_MAX_PORTS; i++)
    {
      struct np_port *p = np.ports[i];
      if (!p || p == without)
        continue;
      if (p == with || strcmp (p->network, n->name) == 0)
        m->ids[m->n++] = p->id;
    }
  return m;
}

static void
members_publish (struct np_network *n, const struct np_port *without, const struct np_port *with)
{
  struct np_members *nm = np_members_build (n, without, with);
  struct np_members *old = __atomic_exchange_n (&n->members, nm, __ATOMIC_ACQ_REL);
  np_fwd_synchronize ();
  free (old);
}

static void
do_attach (struct np_port *p, struct np_network *n, uint16_t vlan)
{
  p->vlan = vlan;
  members_publish (n, NULL, p);
  snprintf (p->network, sizeof p->network, "%s", n->name);
  __atomic_store_n (&p->net, n, __ATOMIC_RELEASE);
}

static void
do_detach (struct np_port *p)
{
  struct np_network *n = np_net_find (p->network);
  __atomic_store_n (&p->net, NULL, __ATOMIC_RELEASE);
  if (n)
    {
      members_publish (n, p, NULL);
      p->network[0] = 0;
      np_bridge_flush_port (n, p->id);
    }
  p->network[0] = 0;
}

static int
attach_check (const struct np_port *p, const struct np_network *n, cnf_err *err)
{
  if (p->network[0])
    return cnf_err_set_code (err, NP_E_BUSY, 0, "port %s is already attached to %s", p->name, p->network);
  if (n->type == NP_NET_XCONNECT && net_port_count (n) >= 2)
    return cnf_err_set_code (err, NP_E_LIMIT, 0, "network %s: a cross-connect takes exactly two ports", n->name);
  return 0;
}

static void
port_free (struct np_port *p)
{
  free (p->socket);
  free (p->devargs);
  free (p->owner_json);
  rte_free (p);
}

static void
port_close (struct np_port *p)
{
  switch (p->type)
    {
    case NP_PORT_MEMIF:
      np_memif_port_close (p);
      break;
    case NP_PORT_VHOST:
      np_vhost_port_close (p);
      break;
    case NP_PORT_TAP:
      np_tap_port_close (p);
      break;
    case NP_PORT_ETHDEV:
      np_ethdev_port_close (p);
      break;
    default:
      break;
    }
}

int
np_port_add_json (const json_value *req, json_writer *out, cnf_err *err)
{
  const char *name = NULL, *type = NULL, *sock = NULL, *role = NULL, *ifname = NULL, *devargs = NULL, *mac = NULL,
             *network = NULL;
  uint64_t memif_id = 0, ring = 1024, bufsz = 2048, vlan = 0;
  struct np_network *net = NULL;
  cleanup_free char *defsock = NULL;
  int t = -1, r;
  uint8_t macb[6];
  json_value *owner;

  if (get_str (req, "name", &name, err) < 0)
    return -1;
  if (!name || !np_valid_name (name))
    return cnf_err_set_code (err, NP_E_INVALID, 0, ".name: 1-63 characters of [A-Za-z0-9_.:-] required");
  if (np_port_find (name))
    return cnf_err_set_code (err, NP_E_EXISTS, 0, "port %s already exists", name);
  if (get_str (req, "type", &type, err) < 0)
    return -1;
  for (int i = 0; type && i < 4; i++)
    if (!strcmp (type, port_type_names[i]))
      t = i;
  if (t < 0)
    return cnf_err_set_code (err, NP_E_INVALID, 0, ".type: one of memif, vhost-user, tap, ethdev");
  if (get_str (req, "socket", &sock, err) < 0 || get_str (req, "role", &role, err) < 0
      || get_str (req, "ifname", &ifname, err) < 0 || get_str (req, "devargs", &devargs, err) < 0
      || get_str (req, "mac", &mac, err) < 0 || get_str (req, "network", &network, err) < 0)
    return -1;
  if (get_u64 (req, "memif_id", 0, UINT32_MAX, &memif_id, err) < 0 || get_u64 (req, "ring_size", 2, 16384, &ring, err) < 0
      || get_u64 (req, "buffer_size", 128, 65535, &bufsz, err) < 0 || get_u64 (req, "vlan", 1, 4094, &vlan, err) < 0)
    return -1;
  bool trunk = false;
  json_value *tv = json_get (req, "trunk");
  if (tv && !json_is_null (tv) && json_get_bool (tv, &trunk) < 0)
    return cnf_err_set_code (err, NP_E_INVALID, 0, ".trunk: must be a boolean");
  if (ring & (ring - 1))
    return cnf_err_set_code (err, NP_E_INVALID, 0, ".ring_size: must be a power of two");
  if (t == NP_PORT_MEMIF || t == NP_PORT_VHOST)
    {
      if (!sock)
        sock = defsock = xasprintf ("%s/%s.sock", np.cfg.socket_dir, name);
      if (np_socket_path_ok (np.cfg.socket_dir, sock) < 0)
        return cnf_err_set_code (err, NP_E_INVALID, 0, ".socket: %s: must be a normalised absolute path below %s, shorter than 108 bytes",
                                 sock, np.cfg.socket_dir);
      for (unsigned i = 0; i < NP_MAX_PORTS; i++)
        if (np.ports[i] && np.ports[i]->socket && !strcmp (np.ports[i]->socket, sock))
          return cnf_err_set_code (err, NP_E_EXISTS, 0, ".socket: %s is used by port %s", sock, np.ports[i]->name);
      if (t == NP_PORT_MEMIF && role && strcmp (role, "server"))
        return cnf_err_set_code (err, NP_E_INVALID, 0, ".role: netplugd is always the memif server");
      if (t == NP_PORT_VHOST && role && strcmp (role, "server") && strcmp (role, "client"))
        return cnf_err_set_code (err, NP_E_INVALID, 0, ".role: client or server");
    }
  else if (sock)
    return cnf_err_set_code (err, NP_E_INVALID, 0, ".socket: only for memif and vhost-user ports");
  if (devargs && t != NP_PORT_ETHDEV)
    return cnf_err_set_code (err, NP_E_INVALID, 0, ".devargs: only for ethdev ports");
  if (t == NP_PORT_TAP)
    {
      if (!ifname || !np_valid_ifname (ifname))
        return cnf_err_set_code (err, NP_E_INVALID, 0, ".ifname: a kernel interface name of 1-15 characters is required");
      for (unsigned i = 0; i < NP_MAX_PORTS; i++)
        if (np.ports[i] && np.ports[i]->type == NP_PORT_TAP && !strcmp (np.ports[i]->ifname, ifname))
          return cnf_err_set_code (err, NP_E_EXISTS, 0, ".ifname: %s is used by port %s", ifname, np.ports[i]->name);
    }
  if (t == NP_PORT_ETHDEV)
    {
      if (!devargs || !*devargs)
        return cnf_err_set_code (err, NP_E_INVALID, 0, ".devargs: required for ethdev ports");
      if (np_ethdev_check (devargs, err) < 0)
        return -1;
      for (unsigned i = 0; i < NP_MAX_PORTS; i++)
        if (np.ports[i] && np.ports[i]->devargs && strcspn (devargs, ",") == strcspn (np.ports[i]->devargs, ",")
            && !strncmp (np.ports[i]->devargs, devargs, strcspn (devargs, ",")))
          return cnf_err_set_code (err, NP_E_EXISTS, 0, ".devargs: device used by port %s", np.ports[i]->name);
    }
  if (mac && np_parse_mac (mac, macb) < 0)
    return cnf_err_set_code (err, NP_E_INVALID, 0, ".mac: a unicast aa:bb:cc:dd:ee:ff address");
  owner = json_get (req, "owner");
  if (owner && !json_is_null (owner) && json_typeof (owner) != JSON_OBJECT)
    return cnf_err_set_code (err, NP_E_INVALID, 0, ".owner: must be an object");
  if (network)
    {
      if (!(net = np_net_find (network)))
        return cnf_err_set_code (err, NP_E_NOT_FOUND, 0, ".network: no network %s", network);
      if (net->type == NP_NET_XCONNECT && net_port_count (net) >= 2)
        return cnf_err_set_code (err, NP_E_LIMIT, 0, "network %s: a cross-connect takes exactly two ports", network);
    }
  if (np.nports >= NP_MAX_PORTS)
    return cnf_err_set_code (err, NP_E_LIMIT, 0, "at most %d ports", NP_MAX_PORTS);

  struct np_port *p = rte_zmalloc ("np_port", sizeof *p, RTE_CACHE_LINE_SIZE);
  if (!p)
    return cnf_err_set_code (err, NP_E_INTERNAL, ENOMEM, "port");
  snprintf (p->name, sizeof p->name, "%s", name);
  p->type = t;
  p->socket = xstrdup (sock);
  p->vhost_server = role && !strcmp (role, "server");
  p->memif_id = (uint32_t) memif_id;
  p->trunk = trunk;
  p->ring_size = (uint32_t) ring;
  p->buffer_size = (uint32_t) bufsz;
  if (ifname)
    snprintf (p->ifname, sizeof p->ifname, "%s", ifname);
  p->devargs = xstrdup (devargs);
  if (mac)
    {
      p->has_mac = true;
      memcpy (p->mac, macb, 6);
    }
  if (owner && !json_is_null (owner))
    {
      json_writer *ow = json_writer_new (false);
      json_w_value (ow, owner);
      p->owner_json = json_writer_steal (ow, NULL);
    }
  /* least-loaded worker */
  unsigned load[NP_MAX_WORKERS] = { 0 }, best = 0, slot = 0;
  for (unsigned i = 0; i < NP_MAX_PORTS; i++)
    if (np.ports[i])
      load[np.ports[i]->worker]++;
  for (unsigned i = 1; i < np.nworkers; i++)
    if (load[i] < load[best])
      best = i;
  p->worker = best;
  while (np.ports[slot])
    slot++;
  p->id = (uint16_t) slot;

  if (p->socket)
    {
      char *dir = xstrdup (p->socket);
      *strrchr (dir, '/') = 0;
      r = mkdir_p_at (AT_FDCWD, dir, 0755, err);
      free (dir);
      if (r < 0)
        {
          port_free (p);
          return cnf_err_wrap (err, ".socket");
        }
    }
  switch (t)
    {
    case NP_PORT_MEMIF:
      r = np_memif_port_open (p, err);
      break;
    case NP_PORT_VHOST:
      r = np_vhost_port_open (p, err);
      break;
    case NP_PORT_TAP:
      r = np_tap_port_open (p, err);
      break;
    case NP_PORT_ETHDEV:
      r = np_ethdev_port_open (p, err);
      break;
    default:
      r = cnf_err_set_code (err, NP_E_INVALID, 0, ".type: unsupported");
    }
  if (r < 0)
    {
      port_free (p);
      return -1;
    }
  np.ports[slot] = p;
  np.nports++;
  np_fwd_publish_ports ();
  if (net)
    do_attach (p, net, (uint16_t) vlan);
  else
    p->vlan = (uint16_t) vlan;
  if (!np.restoring && np_state_save (err) < 0)
    {
      cnf_err_wrap (err, "state not saved, port not added");
      np_port_del (name, NULL);
      return -1;
    }
  log_info ("port %s added (%s)", p->name, port_type_names[t]);
  if (out)
    np_port_write (out, p);
  return 0;
}

/* At a clean stop, after the workers are gone: every port is closed and freed, but the state
 * file keeps them, so the next start recreates the same ports. */
void
np_ports_release (void)
{
  for (unsigned i = 0; i < NP_MAX_PORTS; i++)
    {
      struct np_port *p = np.ports[i];
      if (!p)
        continue;
      np.ports[i] = NULL;
      port_close (p);
      port_free (p);
    }
  np.nports = 0;
}

int
np_port_del (const char *name, cnf_err *err)
{
  struct np_port *p = name ? np_port_find (name) : NULL;
  if (!p)
    return cnf_err_set_code (err, NP_E_NOT_FOUND, 0, "no port %s", name ? name : "(null)");
  if (p->network[0])
    do_detach (p);
  np.ports[p->id] = NULL;
  np.nports--;
  np_fwd_publish_ports (); /* includes a grace period: no worker sees p any more */
  port_close (p);
  log_info ("port %s removed", p->name);
  port_free (p);
  if (err && np_state_save (err) < 0)
    return -1;
  return 0;
}

int
np_net_add_json (const json_value *req, json_writer *out, cnf_err *err)
{
  const char *name = NULL, *type = NULL;
  uint64_t limit = 4096, aging = 300;
  int t = -1;
  if (get_str (req, "name", &name, err) < 0)
    return -1;
  if (!name || !np_valid_name (name))
    return cnf_err_set_code (err, NP_E_INVALID, 0, ".name: 1-63 characters of [A-Za-z0-9_.:-] required");
  if (np_net_find (name))
    return cnf_err_set_code (err, NP_E_EXISTS, 0, "network %s already exists", name);
  if (get_str (req, "type", &type, err) < 0)
    return -1;
  if (!type)
    type = "bridge";
  for (int i = 0; i < 2; i++)
    if (!strcmp (type, net_type_names[i]))
      t = i;
  if (t < 0)
    return cnf_err_set_code (err, NP_E_INVALID, 0, ".type: bridge or xconnect");
  if (get_u64 (req, "mac_limit", 1, 1 << 20, &limit, err) < 0 || get_u64 (req, "aging", 1, 86400, &aging, err) < 0)
    return -1;
  unsigned slot = 0;
  while (slot < NP_MAX_NETWORKS && np.nets[slot])
    slot++;
  if (slot == NP_MAX_NETWORKS)
    return cnf_err_set_code (err, NP_E_LIMIT, 0, "at most %d networks", NP_MAX_NETWORKS);
  struct np_network *n = xzalloc (sizeof *n);
  snprintf (n->name, sizeof n->name, "%s", name);
  n->type = t;
  n->mac_limit = (uint32_t) limit;
  n->aging = (uint32_t) aging;
  n->members = xzalloc (sizeof (struct np_members));
  if (t == NP_NET_BRIDGE)
    {
      n->mac_slots = 64;
      while (n->mac_slots < 2 * limit)
        n->mac_slots <<= 1;
      n->macs = rte_zmalloc ("np_macs", sizeof (struct np_mac_entry) * n->mac_slots, RTE_CACHE_LINE_SIZE);
      if (!n->macs)
        {
          unsigned slots = n->mac_slots;
          free (n->members);
          free (n);
          return cnf_err_set_code (err, NP_E_LIMIT, ENOMEM, ".mac_limit: table of %u entries", slots);
        }
    }
  np.nets[slot] = n;
  np.nnets++;
  if (!np.restoring && np_state_save (err) < 0)
    {
      np.nets[slot] = NULL;
      np.nnets--;
      rte_free (n->macs);
      free (n->members);
      free (n);
      return cnf_err_wrap (err, "state not saved, network not added");
    }
  if (out)
    np_net_write (out, n);
  return 0;
}

int
np_net_del (const char *name, cnf_err *err)
{
  struct np_network *n = name ? np_net_find (name) : NULL;
  if (!n)
    return cnf_err_set_code (err, NP_E_NOT_FOUND, 0, "no network %s", name ? name : "(null)");
  if (net_port_count (n))
    return cnf_err_set_code (err, NP_E_BUSY, 0, "network %s has ports attached", name);
  for (unsigned i = 0; i < NP_MAX_NETWORKS; i++)
    if (np.nets[i] == n)
      np.nets[i] = NULL;
  np.nnets--;
  np_fwd_synchronize ();
  rte_free (n->macs);
  free (n->members);
  free (n);
  return err ? np_state_save (err) : 0;
}

int
np_attach (const char *port, const char *net, int vlan, cnf_err *err)
{
  struct np_port *p = port ? np_port_find (port) : NULL;
  struct np_network *n = net ? np_net_find (net) : NULL;
  if (!p)
    return cnf_err_set_code (err, NP_E_NOT_FOUND, 0, "no port %s", port ? port : "(null)");
  if (!n)
    return cnf_err_set_code (err, NP_E_NOT_FOUND, 0, "no network %s", net ? net : "(null)");
  if (attach_check (p, n, err) < 0)
    return -1;
  do_attach (p, n, vlan < 0 ? p->vlan : (uint16_t) vlan);
  if (np_state_save (err) < 0)
    {
      do_detach (p);
      return cnf_err_wrap (err, "state not saved, not attached");
    }
  return 0;
}

int
np_detach (const char *port, cnf_err *err)
{
  struct np_port *p = port ? np_port_find (port) : NULL;
  if (!p)
    return cnf_err_set_code (err, NP_E_NOT_FOUND, 0, "no port %s", port ? port : "(null)");
  if (!p->network[0])
    return cnf_err_set_code (err, NP_E_INVALID, 0, "port %s is not attached", port);
  do_detach (p);
  return np_state_save (err);
}

/* ---------- JSON output ---------- */

static void
sum_counters (const struct np_port *p, struct np_counters *s)
{
  memset (s, 0, sizeof *s);
  for (unsigned w = 0; w < NP_MAX_WORKERS; w++)
    {
      const struct np_counters *c = &p->ctr[w];
      s->rx_packets += c->rx_packets;
      s->rx_bytes += c->rx_bytes;
      s->tx_packets += c->tx_packets;
      s->tx_bytes += c->tx_bytes;
      for (int d = 0; d < NP_DROP__COUNT; d++)
        s->drops[d] += c->drops[d];
    }
}

static void
counters_write (json_writer *w, const struct np_port *p)
{
  struct np_counters s;
  sum_counters (p, &s);
  json_w_obj_open (w);
  json_w_kuint (w, "rx_packets", s.rx_packets);
  json_w_kuint (w, "rx_bytes", s.rx_bytes);
  json_w_kuint (w, "tx_packets", s.tx_packets);
  json_w_kuint (w, "tx_bytes", s.tx_bytes);
  json_w_key (w, "drops");
  json_w_obj_open (w);
  for (int d = 0; d < NP_DROP__COUNT; d++)
    json_w_kuint (w, np_drop_names[d], s.drops[d]);
  json_w_obj_close (w);
  json_w_obj_close (w);
}

static void
port_desired_write (json_writer *w, const struct np_port *p)
{
  json_w_kstr (w, "name", p->name);
  json_w_kstr (w, "type", port_type_names[p->type]);
  if (p->socket)
    json_w_kstr (w, "socket", p->socket);
  if (p->type == NP_PORT_MEMIF)
    {
      json_w_kstr (w, "role", "server");
      json_w_kuint (w, "memif_id", p->memif_id);
      json_w_kuint (w, "ring_size", p->ring_size);
      json_w_kuint (w, "buffer_size", p->buffer_size);
    }
  if (p->type == NP_PORT_VHOST)
    json_w_kstr (w, "role", p->vhost_server ? "server" : "client");
  if (p->ifname[0])
    json_w_kstr (w, "ifname", p->ifname);
  if (p->devargs)
    json_w_kstr (w, "devargs", p->devargs);
  if (p->has_mac)
    {
      char m[18];
      snprintf (m, sizeof m, "%02x:%02x:%02x:%02x:%02x:%02x", p->mac[0], p->mac[1], p->mac[2], p->mac[3], p->mac[4], p->mac[5]);
      json_w_kstr (w, "mac", m);
    }
  if (p->network[0])
    json_w_kstr (w, "network", p->network);
  if (p->vlan)
    json_w_kuint (w, "vlan", p->vlan);
  if (p->trunk)
    json_w_kbool (w, "trunk", true);
  if (p->owner_json)
    {
      json_value *o = json_parse (p->owner_json, strlen (p->owner_json), NULL, 0);
      if (o)
        {
          json_w_key (w, "owner");
          json_w_value (w, o);
          json_free (o);
        }
    }
}

void
np_port_write (json_writer *w, const struct np_port *p)
{
  json_w_obj_open (w);
  port_desired_write (w, p);
  if (!p->network[0])
    {
      json_w_key (w, "network");
      json_w_null (w);
    }
  json_w_kstr (w, "state", np_port_state (p));
  json_w_kuint (w, "worker", p->worker);
  json_w_key (w, "stats");
  counters_write (w, p);
  json_w_obj_close (w);
}

void
np_net_write (json_writer *w, const struct np_network *n)
{
  json_w_obj_open (w);
  json_w_kstr (w, "name", n->name);
  json_w_kstr (w, "type", net_type_names[n->type]);
  if (n->type == NP_NET_BRIDGE)
    {
      json_w_kuint (w, "mac_limit", n->mac_limit);
      json_w_kuint (w, "aging", n->aging);
    }
  json_w_key (w, "ports");
  json_w_arr_open (w);
  for (unsigned i = 0; i < NP_MAX_PORTS; i++)
    if (np.ports[i] && !strcmp (np.ports[i]->network, n->name))
      json_w_str (w, np.ports[i]->name);
  json_w_arr_close (w);
  json_w_kuint (w, "macs", n->type == NP_NET_BRIDGE ? np_bridge_mac_count (n) : 0);
  json_w_obj_close (w);
}

void
np_stats_write (json_writer *w, const struct np_port *only)
{
  json_w_obj_open (w);
  json_w_key (w, "ports");
  json_w_obj_open (w);
  for (unsigned i = 0; i < NP_MAX_PORTS; i++)
    {
      struct np_port *p = np.ports[i];
      if (!p || (only && p != only))
        continue;
      json_w_key (w, p->name);
      counters_write (w, p);
    }
  json_w_obj_close (w);
  json_w_key (w, "workers");
  np_fwd_worker_stats (w);
  json_w_obj_close (w);
}

/* ---------- persistence ---------- */

int
np_state_save (cnf_err *err)
{
  json_writer *w = json_writer_new (true);
  size_t len;
  char *text;
  int r;
  if (!np.cfg.state_file || !*np.cfg.state_file)
    {
      json_writer_free (w);
      return 0;
    }
  json_w_obj_open (w);
  json_w_kint (w, "version", 1);
  json_w_key (w, "networks");
  json_w_arr_open (w);
  for (unsigned i = 0; i < NP_MAX_NETWORKS; i++)
    {
      struct np_network *n = np.nets[i];
      if (!n)
        continue;
      json_w_obj_open (w);
      json_w_kstr (w, "name", n->name);
      json_w_kstr (w, "type", net_type_names[n->type]);
      json_w_kuint (w, "mac_limit", n->mac_limit);
      json_w_kuint (w, "aging", n->aging);
      json_w_obj_close (w);
    }
  json_w_arr_close (w);
  json_w_key (w, "ports");
  json_w_arr_open (w);
  for (unsigned i = 0; i < NP_MAX_PORTS; i++)
    if (np.ports[i])
      {
        json_w_obj_open (w);
        port_desired_write (w, np.ports[i]);
        json_w_obj_close (w);
      }
  json_w_arr_close (w);
  json_w_obj_close (w);
  text = json_writer_steal (w, &len);
  r = write_file_atomic_at (AT_FDCWD, np.cfg.state_file, text, len, 0600, err);
  free (text);
  if (r < 0)
    return cnf_err_set_code (err, NP_E_INTERNAL, 0, "state file %s", np.cfg.state_file);
  return 0;
}

int
np_state_restore (cnf_err *err)
{
  char ebuf[256];
  json_value *root;
  struct stat st;
  unsigned nn = 0, npo = 0;
  if (!np.cfg.state_file || stat (np.cfg.state_file, &st) < 0)
    return 0;
  root = json_parse_file (np.cfg.state_file, ebuf, sizeof ebuf);
  if (!root)
    return cnf_err_set (err, 0, "%s: %s", np.cfg.state_file, ebuf);
  np.restoring = true;
  json_value *nets = json_get (root, "networks"), *ports = json_get (root, "ports");
  for (size_t i = 0; i < json_len (nets) && json_typeof (nets) == JSON_ARRAY; i++)
    {
      cnf_err e = NULL;
      if (np_net_add_json (json_at (nets, i), NULL, &e) < 0)
        {
          cnf_err_wrap (&e, "restore network %zu", i);
          log_err (&e);
        }
      else
        nn++;
    }
  for (size_t i = 0; i < json_len (ports) && json_typeof (ports) == JSON_ARRAY; i++)
    {
      cnf_err e = NULL;
      if (np_port_add_json (json_at (ports, i), NULL, &e) < 0)
        {
          cnf_err_wrap (&e, "restore port %zu", i);
          log_err (&e);
        }
      else
        npo++;
    }
  np.restoring = false;
  json_free (root);
  log_info ("restored %u networks and %u ports from %s", nn, npo, np.cfg.state_file);
  return np_state_save (err);
}


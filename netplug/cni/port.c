/* port.c — modes memif, vhost-user and tap: a port on netplugd, requested over its control
 * socket (netplug/PROTOCOL.md).  The socket lives in /run/netplug/pods/<sandbox>/<ifname>.sock
 * (NETPLUG_PODS_DIR overrides the parent), which cnfrun bind-mounts at /run/netplug in every
 * container of the pod.  tap ports are moved into the pod netns and addressed like a VF. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>
#include "lib/debug_stage.h"
#include "lib/log.h"
#include "lib/util.h"
#include "netplug/cni/cache.h"
#include "netplug/cni/ipam.h"
#include "netplug/cni/netplug.h"
#include "netplug/cni/nl.h"

static const char *
pods_dir (void)
{
  const char *d = getenv ("NETPLUG_PODS_DIR");
  return (d && *d) ? d : "/run/netplug/pods";
}

/* One request, one reply.  Unreachable daemon: code 11 (try again later). */
static int
ctl_call (const char *sock_path, const char *req, json_value **reply, cnf_err *err)
{
  *reply = NULL;
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  if (strlen (sock_path) >= sizeof sa.sun_path)
    return cnf_err_set_code (err, CNI_ERR_INVALID_CONFIG, 0, "controlSocket %s: longer than %zu bytes", sock_path, sizeof sa.sun_path - 1);
  strcpy (sa.sun_path, sock_path);
  cleanup_close int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return cnf_err_set_code (err, CNI_ERR_IO, errno, "socket");
  struct timeval tv = { .tv_sec = 10 };
  setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt (fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (connect (fd, (struct sockaddr *) &sa, sizeof sa) < 0)
    return cnf_err_set_code (err, CNI_ERR_TRY_AGAIN, errno, "netplugd is not reachable at %s", sock_path);
  cleanup_free char *line = xasprintf ("%s\n", req);
  if (write_all (fd, line, strlen (line)) < 0)
    return cnf_err_set_code (err, CNI_ERR_TRY_AGAIN, errno, "netplugd %s: write", sock_path);
  char *buf = NULL;
  size_t len = 0;
  for (;;)
    {
      buf = xrealloc (buf, len + 4097);
      ssize_t n = read (fd, buf + len, 4096);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      len += n;
      if (memchr (buf + len - n, '\n', n))
        break;
    }
  cleanup_free char *owned = buf;
  if (len == 0)
    return cnf_err_set_code (err, CNI_ERR_TRY_AGAIN, errno, "netplugd %s: no reply", sock_path);
  char eb[128];
  *reply = json_parse (buf, len, eb, sizeof eb);
  if (*reply == NULL)
    return cnf_err_set_code (err, CNI_ERR_DAEMON, 0, "netplugd reply: %s", eb);
  bool ok = false;
  if (json_get_bool (json_get (*reply, "ok"), &ok) < 0 || !ok)
    {
      const json_value *e = json_get (*reply, "error");
      const char *code = json_string (json_get (e, "code"));
      const char *msg = json_string (json_get (e, "msg"));
      int c = (code && strcmp (code, "not-found") == 0) ? CNI_ERR_DEVICE
              : (code && strcmp (code, "busy") == 0)    ? CNI_ERR_TRY_AGAIN
                                                        : CNI_ERR_DAEMON;
      cnf_err_set_code (err, c, 0, "netplugd: %s: %s", code ? code : "error", msg ? msg : "");
      if (code && strcmp (code, "not-found") == 0)
        (*err)->sys_errno = ENOENT;
      json_free (*reply);
      *reply = NULL;
      return -1;
    }
  return 0;
}

static int
ctl_simple (const char *sock_path, const char *op, const char *key, const char *val, cnf_err *err)
{
  json_writer *w = json_writer_new (false);
  json_w_obj_open (w);
  json_w_kstr (w, "op", op);
  if (key)
    json_w_kstr (w, key, val);
  json_w_obj_close (w);
  cleanup_free char *req = json_writer_steal (w, NULL);
  json_value *rep = NULL;
  int r = ctl_call (sock_path, req, &rep, err);
  json_free (rep);
  return r;
}

static void
sanitize (char *s)
{
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '.'
          || *s == '-'))
      *s = '_';
}

static uint32_t
fnv1a (const char *a, const char *b)
{
  uint32_t h = 2166136261u;
  for (const char *p = a; *p; p++)
    h = (h ^ (uint8_t) *p) * 16777619u;
  h = (h ^ '/') * 16777619u;
  for (const char *p = b; *p; p++)
    h = (h ^ (uint8_t) *p) * 16777619u;
  return h;
}

static const char *
type_name (enum np_mode m)
{
  return m == NP_MODE_MEMIF ? "memif" : m == NP_MODE_VHOST ? "vhost-user" : "tap";
}

/* The cache entry DEL works from.  Written first without a result ("pending") before netplugd
 * is asked for the port, so that a DEL after a plugin killed half-way finds the port, its
 * socket and pod dir; the finished ADD rewrites it with the result and devinfo. */
static int
port_cache_save (const struct np_call *c, const char *port, const char *pod_dir, const char *sock,
                 const char *devinfo, const char *result11, cnf_err *err)
{
  const struct np_config *k = &c->conf;
  json_writer *w = json_writer_new (false);
  json_w_obj_open (w);
  json_w_kstr (w, "kind", "port");
  json_w_kstr (w, "mode", type_name (k->mode));
  json_w_kstr (w, "network", k->name);
  json_w_kstr (w, "containerID", c->env.container_id);
  json_w_kstr (w, "ifname", c->env.ifname);
  json_w_kstr (w, "netns", c->env.netns);
  json_w_kstr (w, "port", port);
  json_w_kstr (w, "controlSocket", k->control_socket);
  json_w_kstr (w, "podDir", pod_dir);
  if (sock)
    json_w_kstr (w, "socket", sock);
  return np_cache_write (w, c->env.container_id, c->env.ifname, devinfo, k->raw, result11, err);
}

int
port_add (struct np_call *c, char **out, cnf_err *err)
{
  const struct np_config *k = &c->conf;
  const char *sandbox = c->env.args.infra_container_id ? c->env.args.infra_container_id : c->env.container_id;
  if (!cni_valid_container_id (sandbox))
    return cnf_err_set_code (err, CNI_ERR_INVALID_ENV, 0, "CNI_ARGS K8S_POD_INFRA_CONTAINER_ID: invalid '%s'", sandbox);
  cleanup_free char *pod_dir = xasprintf ("%s/%s", pods_dir (), sandbox);
  cleanup_free char *sock = NULL;
  if (c->conf.mode != NP_MODE_TAP)
    {
      sock = xasprintf ("%s/%s.sock", pod_dir, c->env.ifname);
      if (strlen (sock) >= sizeof (((struct sockaddr_un *) 0)->sun_path))
        return cnf_err_set_code (err, CNI_ERR_INVALID_CONFIG, 0, "socket path %s is %zu bytes: sun_path holds at most 107",
                                 sock, strlen (sock));
    }
  char port[64];
  snprintf (port, sizeof port, "%.40s-%s", c->env.container_id, c->env.ifname);
  sanitize (port);
  char tapname[16];
  snprintf (tapname, sizeof tapname, "nptap%08x", fnv1a (c->env.container_id, c->env.ifname));
  json_value *existing = NULL;
  if (np_cache_read (c->env.container_id, c->env.ifname, &existing, err) < 0)
    return -1;
  if (existing)
    {
      json_free (existing);
      return cnf_err_set_code (err, CNI_ERR_DEVICE, 0, "%s/%s is already attached (DEL it first)", c->env.container_id, c->env.ifname);
    }
  cleanup_close int lock = np_lock (port, err);
  if (lock < 0)
    return -1;

  int ret = -1, pod_ns = -1, host_ns = -1;
  bool port_made = false, ipam_done = false, cached = false;
  struct nl_sock *pod_nl = NULL, *host_nl = NULL;
  struct cni_result res = { 0 }, ipam = { 0 };
  json_value *rep = NULL;
  char *devinfo = NULL;
  const char *mac_arg = c->env.args.mac ? c->env.args.mac : k->mac;
  const json_value *rc = json_get (k->root, "runtimeConfig");
  if (json_string (json_get (rc, "mac")))
    mac_arg = json_string (json_get (rc, "mac"));

  if (c->conf.mode == NP_MODE_TAP)
    {
      if ((pod_ns = np_netns_open (c->env.netns, err)) < 0 || (host_ns = np_netns_open (NULL, err)) < 0)
        goto out;
      if ((pod_nl = np_nl_open (pod_ns, err)) == NULL || (host_nl = np_nl_open (-1, err)) == NULL)
        goto out;
      struct np_link clash;
      int r = np_link_get (pod_nl, 0, c->env.ifname, &clash, err);
      if (r <= 0)
        {
          if (r == 0)
            cnf_err_set_code (err, CNI_ERR_DEVICE, EEXIST, "%s already exists in %s", c->env.ifname, c->env.netns);
          goto out;
        }
    }
  else if (mkdir_p_at (AT_FDCWD, pod_dir, 0755, err) < 0)
    goto out;
  if (np_step ("prepare", err) < 0)
    goto undo;

  {
    json_writer *w = json_writer_new (false);
    json_w_obj_open (w);
    json_w_kstr (w, "op", "port-add");
    json_w_kstr (w, "name", port);
    json_w_kstr (w, "type", type_name (k->mode));
    if (sock)
      json_w_kstr (w, "socket", sock);
    if (k->mode == NP_MODE_MEMIF)
      json_w_kstr (w, "role", "server");
    if (k->mode == NP_MODE_VHOST)
      json_w_kstr (w, "role", k->vhost_role ? k->vhost_role : "client");
    if (k->mode == NP_MODE_TAP)
      json_w_kstr (w, "ifname", tapname);
    if (k->ring_size > 0)
      json_w_kint (w, "ring_size", k->ring_size);
    if (mac_arg && k->mode != NP_MODE_TAP)
      json_w_kstr (w, "mac", mac_arg);
    if (k->network)
      json_w_kstr (w, "network", k->network);
    if (k->vlan > 0)
      json_w_kint (w, "vlan", k->vlan);
    json_w_key (w, "owner");
    json_w_obj_open (w);
    json_w_kstr (w, "container_id", c->env.container_id);
    json_w_kstr (w, "ifname", c->env.ifname);
    json_w_kstr (w, "sandbox", sandbox);
    json_w_kstr (w, "cni_network", k->name);
    if (c->env.args.pod_namespace)
      json_w_kstr (w, "pod_namespace", c->env.args.pod_namespace);
    if (c->env.args.pod_name)
      json_w_kstr (w, "pod_name", c->env.args.pod_name);
    json_w_obj_close (w);
    json_w_obj_close (w);
    cleanup_free char *req = json_writer_steal (w, NULL);
    if (port_cache_save (c, port, pod_dir, sock, NULL, NULL, err) < 0)
      goto undo;
    cached = true;
    if (ctl_call (k->control_socket, req, &rep, err) < 0)
      goto undo;
    port_made = true;
  }
  if (np_step ("port-add", err) < 0)
    goto undo;
  if (k->xconnect)
    {
      json_writer *w = json_writer_new (false);
      json_w_obj_open (w);
      json_w_kstr (w, "op", "xconnect");
      json_w_kstr (w, "a", port);
      json_w_kstr (w, "b", k->xconnect);
      json_w_obj_close (w);
      cleanup_free char *req = json_writer_steal (w, NULL);
      json_value *xr = NULL;
      int r = ctl_call (k->control_socket, req, &xr, err);
      json_free (xr);
      if (r < 0)
        goto undo;
    }
  if (np_step ("attach", err) < 0)
    goto undo;
  if (k->ipam_type)
    {
      if (np_ipam_add (k, c->env.path, &ipam, err) < 0)
        goto undo;
      ipam_done = true;
    }
  if (np_step ("ipam", err) < 0)
    goto undo;
  if (np_result_init (c, &res, err) < 0)
    goto undo;
  const json_value *pobj = json_get (rep, "result");
  const char *pmac = json_string (json_get (pobj, "mac"));
  int idx;
  if (k->mode == NP_MODE_TAP)
    {
      struct np_link tl;
      int r = np_link_get (host_nl, 0, tapname, &tl, err);
      if (r != 0)
        {
          if (r > 0)
            cnf_err_set_code (err, CNI_ERR_DAEMON, 0, "netplugd made no tap %s in its netns", tapname);
          goto undo;
        }
      if (np_link_move (host_nl, tl.ifindex, pod_ns, c->env.ifname, err) < 0)
        goto undo;
      cnf_debug_kill_at ("NETPLUG_DEBUG_KILL_AT", "tap-move");
      if (np_link_get (pod_nl, 0, c->env.ifname, &tl, err) != 0)
        goto undo;
      uint8_t macb[6];
      bool have_mac = mac_arg && np_parse_mac (mac_arg, macb) == 0;
      if (np_link_set (pod_nl, tl.ifindex, NULL, have_mac ? macb : NULL, k->mtu, 1, err) < 0)
        goto undo;
      np_link_get (pod_nl, tl.ifindex, NULL, &tl, err);
      char macs[18];
      np_format_mac (tl.mac, macs, sizeof macs);
      idx = (int) cni_result_add_iface (&res, c->env.ifname, macs, c->env.netns);
      res.ifaces[idx].mtu = tl.mtu;
      np_result_merge_ipam (&res, &ipam, idx);
      if (np_pod_configure (pod_ns, pod_nl, tl.ifindex, &res, idx, err) < 0)
        goto undo;
      for (size_t i = 0; i < res.n_ips; i++)
        if (res.ips[i].iface == idx)
          {
            cnf_err e = NULL;
            np_announce (pod_ns, tl.ifindex, tl.mac, res.ips[i].address, &e);
            cnf_err_free (&e);
          }
    }
  else
    {
      idx = (int) cni_result_add_iface (&res, c->env.ifname, pmac, c->env.netns);
      res.ifaces[idx].socket_path = xstrdup (sock);
      np_result_merge_ipam (&res, &ipam, -1);
      cleanup_free char *qs = json_quote (sock);
      cleanup_free char *body = k->mode == NP_MODE_MEMIF
                                    ? xasprintf ("{\"role\":\"slave\",\"path\":%s,\"mode\":\"ethernet\"}", qs)
                                    : xasprintf ("{\"mode\":\"%s\",\"path\":%s}",
                                                 (k->vhost_role && strcmp (k->vhost_role, "server") == 0) ? "client" : "server", qs);
      if (np_devinfo_write (c, type_name (k->mode), type_name (k->mode), body, &devinfo, err) < 0
          || port_cache_save (c, port, pod_dir, sock, devinfo, NULL, err) < 0)
        goto undo;
    }
  if (np_step ("configure", err) < 0)
    goto undo;
  {
    cleanup_free char *result11 = cni_result_to_string (&res, "1.1.0");
    if (port_cache_save (c, port, pod_dir, sock, devinfo, result11, err) < 0)
      goto undo;
  }
  *out = cni_result_to_string (&res, c->version);
  ret = 0;
  goto out;
undo:
  {
    cnf_err e = NULL;
    if (cached)
      np_cache_remove (c->env.container_id, c->env.ifname);
    if (devinfo)
      np_devinfo_remove (devinfo);
    if (ipam_done && np_ipam_run (k, c->env.path, CNI_CMD_DEL, &e) < 0)
      log_warn ("undo: %s", e->msg);
    cnf_err_free (&e);
    if (port_made && ctl_simple (k->control_socket, "port-del", "name", port, &e) < 0)
      log_warn ("undo: %s", e->msg);
    cnf_err_free (&e);
    if (sock)
      rmdir (pod_dir);
  }
out:
  free (devinfo);
  json_free (rep);
  cni_result_free (&res);
  cni_result_free (&ipam);
  np_nl_close (pod_nl);
  np_nl_close (host_nl);
  if (pod_ns >= 0)
    close (pod_ns);
  if (host_ns >= 0)
    close (host_ns);
  return ret;
}

int
port_del_entry (const char *cid, const char *ifname, const char *netns, json_value *e, cnf_err *err)
{
  const char *port = json_string (json_get (e, "port"));
  const char *ctl = json_string (json_get (e, "controlSocket"));
  if (port == NULL || ctl == NULL)
    return 0;
  cleanup_close int lock = np_lock (port, err);
  if (lock < 0)
    return -1;
  cnf_err e2 = NULL;
  if (ctl_simple (ctl, "port-del", "name", port, &e2) < 0)
    {
      if (e2->code == CNI_ERR_TRY_AGAIN && access (ctl, F_OK) == 0)
        {
          /* netplugd is installed but not answering: the port still exists there. */
          cnf_err_move (err, &e2);
          return -1;
        }
      if (e2->sys_errno != ENOENT)
        log_warn ("DEL: %s", e2->msg);
      cnf_err_free (&e2);
    }
  const char *di = json_string (json_get (e, "devinfo"));
  if (di)
    np_devinfo_remove (di);
  const char *sock = json_string (json_get (e, "socket"));
  if (sock)
    unlink (sock);
  const char *pd = json_string (json_get (e, "podDir"));
  if (pd)
    rmdir (pd); /* only when the pod has no other port left */
  return 0;
}

int
port_check (struct np_call *c, json_value *e, cnf_err *err)
{
  const char *port = json_string (json_get (e, "port"));
  const char *ctl = json_string (json_get (e, "controlSocket"));
  json_writer *w = json_writer_new (false);
  json_w_obj_open (w);
  json_w_kstr (w, "op", "port-show");
  json_w_kstr (w, "name", port);
  json_w_obj_close (w);
  cleanup_free char *req = json_writer_steal (w, NULL);
  json_value *rep = NULL;
  if (ctl_call (ctl ? ctl : c->conf.control_socket, req, &rep, err) < 0)
    return cnf_err_wrap (err, "CHECK port %s", port);
  json_free (rep);
  const char *mode = json_string (json_get (e, "mode"));
  if (mode && strcmp (mode, "tap") == 0)
    {
      cleanup_close int ns = np_netns_open (c->env.netns, err);
      if (ns < 0)
        return -1;
      struct nl_sock *s = np_nl_open (ns, err);
      if (s == NULL)
        return -1;
      struct np_link l;
      int r = np_link_get (s, 0, c->env.ifname, &l, err);
      np_nl_close (s);
      if (r != 0)
        return r < 0 ? -1 : cnf_err_set_code (err, CNI_ERR_DEVICE, 0, "CHECK: %s not found in %s", c->env.ifname, c->env.netns);
    }
  else
    {
      const char *sock = json_string (json_get (e, "socket"));
      if (sock && access (sock, F_OK) < 0)
        return cnf_err_set_code (err, CNI_ERR_DEVICE, errno, "CHECK: socket %s", sock);
    }
  return 0;
}

int
port_status (struct np_call *c, cnf_err *err)
{
  json_value *rep = NULL;
  if (ctl_call (c->conf.control_socket, "{\"op\":\"health\"}", &rep, err) < 0)
    {
      int code = (*err)->code;
      if (code == CNI_ERR_TRY_AGAIN)
        (*err)->code = CNI_ERR_NOT_AVAILABLE;
      return -1;
    }
  const char *st = json_string (json_get (json_get (rep, "result"), "status"));
  int r = 0;
  if (st == NULL || strcmp (st, "ok") != 0)
    r = cnf_err_set_code (err, CNI_ERR_LIMITED, 0, "netplugd reports status '%s'", st ? st : "?");
  json_free (rep);
  return r;
}

int
port_gc (struct np_call *c, const json_value *valid)
{
  json_value *rep = NULL;
  cnf_err err = NULL;
  if (ctl_call (c->conf.control_socket, "{\"op\":\"port-list\"}", &rep, &err) < 0)
    {
      log_warn ("GC: %s", err->msg);
      cnf_err_free (&err);
      return 0;
    }
  int removed = 0;
  const json_value *ports = json_get (json_get (rep, "result"), "ports");
  for (size_t i = 0; i < json_len (ports); i++)
    {
      const json_value *p = json_at (ports, i);
      const json_value *owner = json_get (p, "owner");
      const char *net = json_string (json_get (owner, "cni_network"));
      const char *cid = json_string (json_get (owner, "container_id"));
      const char *ifn = json_string (json_get (owner, "ifname"));
      const char *name = json_string (json_get (p, "name"));
      if (name == NULL || net == NULL || cid == NULL || ifn == NULL || strcmp (net, c->conf.name) != 0)
        continue;
      bool keep = false;
      for (size_t k = 0; k < json_len (valid) && !keep; k++)
        {
          const json_value *a = json_at (valid, k);
          const char *vc = json_string (json_get (a, "containerID")), *vi = json_string (json_get (a, "ifname"));
          keep = vc && vi && strcmp (vc, cid) == 0 && strcmp (vi, ifn) == 0;
        }
      if (keep)
        continue;
      const char *sock = json_string (json_get (p, "socket"));
      if (ctl_simple (c->conf.control_socket, "port-del", "name", name, &err) < 0)
        {
          log_warn ("GC: %s", err->msg);
          cnf_err_free (&err);
          continue;
        }
      if (sock && str_has_prefix (sock, pods_dir ()))
        {
          cleanup_free char *dir = xstrdup (sock);
          char *slash = strrchr (dir, '/');
          *slash = '\0';
          unlink (sock);
          rmdir (dir);
        }
      np_cache_remove (cid, ifn);
      removed++;
    }
  json_free (rep);
  return removed;
}

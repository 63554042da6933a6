/* sriov.c — mode sriov: a VF netdev moved into the pod (or a DPDK-bound VF left in place),
 * VF settings applied through the PF.  Every ADD step has its undo; DEL restores the name,
 * MAC, MTU, altnames and VF settings, and returns the netdev to the host even when the pod
 * netns is gone. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include "lib/debug_stage.h"
#include "lib/log.h"
#include "lib/util.h"
#include "netplug/cni/cache.h"
#include "netplug/cni/ipam.h"
#include "netplug/cni/netplug.h"
#include "netplug/cni/nl.h"
#include "netplug/cni/sysfs.h"
#include "netplug/cni/vfops.h"

struct sriov_ctx
{
  struct np_call *c;
  struct np_pci pci;
  int lockfd, host_ns, pod_ns;
  struct nl_sock *host_nl, *pod_nl;
  struct vf_handle vh;
  bool is_vf, vf_saved, vf_applied, ipam_done, alts_removed, moved, cached;
  struct vf_state saved;
  struct vf_want want;
  struct np_link orig;
  int pod_ifindex;
  char *devinfo;
};

static void
ctx_close (struct sriov_ctx *x)
{
  np_nl_close (x->host_nl);
  np_nl_close (x->pod_nl);
  if (x->host_ns >= 0)
    close (x->host_ns);
  if (x->pod_ns >= 0)
    close (x->pod_ns);
  if (x->lockfd >= 0)
    close (x->lockfd);
  vf_close (&x->vh);
  free (x->devinfo);
}

static void
state_json (json_writer *w, const char *key, const struct vf_state *s)
{
  char mac[18];
  np_format_mac (s->mac, mac, sizeof mac);
  json_w_key (w, key);
  json_w_obj_open (w);
  json_w_kstr (w, "mac", mac);
  json_w_kint (w, "vlan", s->vlan);
  json_w_kint (w, "qos", s->qos);
  json_w_kint (w, "proto", s->proto);
  json_w_kint (w, "spoofchk", s->spoofchk);
  json_w_kint (w, "trust", s->trust);
  json_w_kint (w, "link_state", s->link_state);
  json_w_kuint (w, "min_tx_rate", s->min_tx_rate);
  json_w_kuint (w, "max_tx_rate", s->max_tx_rate);
  json_w_obj_close (w);
}

static void
state_from_json (const json_value *o, struct vf_state *s)
{
  int64_t v;
  memset (s, 0, sizeof (*s));
  np_parse_mac (json_string (json_get (o, "mac")), s->mac);
#define G(f, d) s->f = json_get_int64 (json_get (o, #f), &v) == 0 ? (int) v : (d)
  G (vlan, 0);
  G (qos, 0);
  G (proto, 0x8100);
  G (spoofchk, -1);
  G (trust, -1);
  G (link_state, 0);
#undef G
  s->min_tx_rate = json_get_int64 (json_get (o, "min_tx_rate"), &v) == 0 ? (uint32_t) v : 0;
  s->max_tx_rate = json_get_int64 (json_get (o, "max_tx_rate"), &v) == 0 ? (uint32_t) v : 0;
}

static void
want_from_config (const struct np_call *c, const char *mac, struct vf_want *w, const struct vf_state *saved)
{
  const struct np_config *k = &c->conf;
  memset (w, 0, sizeof (*w));
  w->v = *saved;
  if (mac && np_parse_mac (mac, w->v.mac) == 0)
    w->mac = true;
  if (k->vlan != NP_UNSET)
    {
      w->vlan = true;
      w->v.vlan = k->vlan;
      w->v.qos = k->vlan_qos != NP_UNSET ? k->vlan_qos : 0;
      w->v.proto = k->vlan_proto != NP_UNSET ? k->vlan_proto : 0x8100;
    }
  if (k->spoofchk != NP_UNSET)
    w->spoofchk = true, w->v.spoofchk = k->spoofchk;
  if (k->trust != NP_UNSET)
    w->trust = true, w->v.trust = k->trust;
  if (k->link_state != NP_UNSET)
    w->link_state = true, w->v.link_state = k->link_state;
  if (k->min_tx_rate != NP_UNSET || k->max_tx_rate != NP_UNSET)
    {
      w->rate = true;
      if (k->min_tx_rate != NP_UNSET)
        w->v.min_tx_rate = (uint32_t) k->min_tx_rate;
      if (k->max_tx_rate != NP_UNSET)
        w->v.max_tx_rate = (uint32_t) k->max_tx_rate;
    }
}

static void
want_json (json_writer *w, const struct vf_want *x)
{
  json_w_key (w, "vfChanged");
  json_w_obj_open (w);
  json_w_kbool (w, "mac", x->mac);
  json_w_kbool (w, "vlan", x->vlan);
  json_w_kbool (w, "spoofchk", x->spoofchk);
  json_w_kbool (w, "trust", x->trust);
  json_w_kbool (w, "link_state", x->link_state);
  json_w_kbool (w, "rate", x->rate);
  json_w_obj_close (w);
  state_json (w, "vfApplied", &x->v);
}

static void
want_from_json (const json_value *e, struct vf_want *x)
{
  const json_value *ch = json_get (e, "vfChanged");
  memset (x, 0, sizeof (*x));
#define B(f) json_get_bool (json_get (ch, #f), &x->f)
  B (mac);
  B (vlan);
  B (spoofchk);
  B (trust);
  B (link_state);
  B (rate);
#undef B
  state_from_json (json_get (e, "vfApplied"), &x->v);
}

int
np_pod_configure (int pod_nsfd, struct nl_sock *pod_nl, int ifindex, const struct cni_result *r, int iface_idx,
                  cnf_err *err)
{
  for (size_t i = 0; i < r->n_ips; i++)
    if (r->ips[i].iface == iface_idx && np_addr_add (pod_nl, ifindex, r->ips[i].address, err) < 0)
      return -1;
  for (size_t i = 0; i < r->n_routes; i++)
    {
      const struct cni_route *rt = &r->routes[i];
      const char *gw = rt->gw;
      bool v6 = cni_addr_is_v6 (rt->dst);
      if (gw == NULL)
        for (size_t k = 0; k < r->n_ips; k++)
          if (r->ips[k].iface == iface_idx && r->ips[k].gateway && cni_addr_is_v6 (r->ips[k].address) == v6)
            {
              gw = r->ips[k].gateway;
              break;
            }
      bool ours = false; /* only routes whose family we have an address for */
      for (size_t k = 0; k < r->n_ips; k++)
        if (r->ips[k].iface == iface_idx && cni_addr_is_v6 (r->ips[k].address) == v6)
          ours = true;
      if (ours && np_route_add (pod_nl, ifindex, rt->dst, gw, rt->mtu, rt->priority, rt->table, err) < 0)
        return -1;
    }
  return 0;
}

/* The cache entry: everything DEL needs even without the config or the netns.  It is first
 * written before the first change to the device, without a result ("pending"), so that a DEL
 * after a plugin killed half-way (timeout, OOM, node agent restart) still finds what to
 * restore; the finished ADD rewrites it with the result. */
static int
cache_save (struct sriov_ctx *x, const char *result11, cnf_err *err)
{
  const struct np_call *c = x->c;
  json_writer *w = json_writer_new (false);
  json_w_obj_open (w);
  json_w_kstr (w, "kind", "sriov");
  json_w_kstr (w, "network", c->conf.name);
  json_w_kstr (w, "containerID", c->env.container_id);
  json_w_kstr (w, "ifname", c->env.ifname);
  json_w_kstr (w, "netns", c->env.netns);
  json_w_kstr (w, "deviceID", x->pci.bdf);
  json_w_kbool (w, "dpdk", x->pci.dpdk);
  json_w_kbool (w, "isVF", x->is_vf);
  json_w_kstr (w, "pf", x->pci.pf_netdev);
  json_w_kint (w, "vf", x->pci.vf_index);
  if (!x->pci.dpdk)
    {
      char m[18];
      np_format_mac (x->orig.mac, m, sizeof m);
      json_w_kstr (w, "hostName", x->orig.name);
      json_w_kstr (w, "hostMac", m);
      json_w_kint (w, "hostMtu", x->orig.mtu);
      json_w_kbool (w, "hostUp", (x->orig.flags & IFF_UP) != 0);
      json_w_key (w, "altnames");
      json_w_arr_open (w);
      for (int i = 0; i < x->orig.n_alt; i++)
        json_w_str (w, x->orig.alt[i]);
      json_w_arr_close (w);
    }
  if (x->vf_saved)
    {
      state_json (w, "vfSaved", &x->saved);
      want_json (w, &x->want);
    }
  if (np_cache_write (w, c->env.container_id, c->env.ifname, x->devinfo, c->conf.raw, result11, err) < 0)
    return -1;
  x->cached = true;
  return 0;
}

static int
undo_add (struct sriov_ctx *x)
{
  cnf_err e = NULL;
  if (x->cached)
    np_cache_remove (x->c->env.container_id, x->c->env.ifname);
  if (x->devinfo)
    np_devinfo_remove (x->devinfo);
  if (x->moved && x->pod_nl)
    {
      /* Back to the host under the original name; addresses go with the netns change. */
      if (np_link_move (x->pod_nl, x->pod_ifindex, x->host_ns, x->orig.name, &e) < 0)
        log_warn ("undo: %s", e->msg);
      cnf_err_free (&e);
      struct np_link now;
      if (np_link_get (x->host_nl, 0, x->orig.name, &now, &e) == 0)
        np_link_set (x->host_nl, now.ifindex, NULL, x->orig.mac, x->orig.mtu, (x->orig.flags & IFF_UP) ? 1 : 0, &e);
      cnf_err_free (&e);
    }
  if (x->alts_removed)
    {
      struct np_link now;
      if (np_link_get (x->host_nl, 0, x->orig.name, &now, &e) == 0)
        for (int i = 0; i < x->orig.n_alt; i++)
          {
            np_link_altname (x->host_nl, now.ifindex, x->orig.alt[i], true, &e);
            cnf_err_free (&e);
          }
      cnf_err_free (&e);
    }
  if (x->ipam_done)
    {
      if (np_ipam_run (&x->c->conf, x->c->env.path, CNI_CMD_DEL, &e) < 0)
        log_warn ("undo: %s", e->msg);
      cnf_err_free (&e);
    }
  if (x->vf_applied)
    {
      if (vf_restore (&x->vh, x->pci.pf_netdev, x->pci.vf_index, &x->want, &x->saved, &e) < 0)
        log_warn ("undo: %s", e->msg);
      cnf_err_free (&e);
    }
  return -1;
}

static const char *
wanted_mac (const struct np_call *c)
{
  const json_value *rc = json_get (c->conf.root, "runtimeConfig");
  if (json_string (json_get (rc, "mac")))
    return json_string (json_get (rc, "mac"));
  if (c->env.args.mac)
    return c->env.args.mac;
  return c->conf.mac;
}

int
sriov_add (struct np_call *c, char **out, cnf_err *err)
{
  struct sriov_ctx x = { .c = c, .lockfd = -1, .host_ns = -1, .pod_ns = -1 };
  struct cni_result res = { 0 }, ipam = { 0 };
  const char *mac = wanted_mac (c);
  uint8_t macb[6];
  if (mac && np_parse_mac (mac, macb) < 0)
    return cnf_err_set_code (err, CNI_ERR_INVALID_ENV, 0, "CNI_ARGS MAC: '%s' is not a MAC address", mac);

  int ret = -1;
  if (np_pci_lookup (c->conf.device_id, &x.pci, err) < 0)
    goto out;
  x.is_vf = x.pci.vf_index >= 0;
  x.lockfd = np_lock (x.pci.bdf, err);
  if (x.lockfd < 0)
    goto out;
  json_value *existing = NULL;
  if (np_cache_read (c->env.container_id, c->env.ifname, &existing, err) < 0)
    goto out;
  if (existing)
    {
      json_free (existing);
      cnf_err_set_code (err, CNI_ERR_DEVICE, 0, "%s/%s is already attached (DEL it first)", c->env.container_id, c->env.ifname);
      goto out;
    }
  if (!x.pci.dpdk && x.pci.netdev[0] == '\0')
    {
      cnf_err_set_code (err, CNI_ERR_DEVICE, 0, "PCI device %s has no netdev and driver '%s' is not a DPDK driver",
                        x.pci.bdf, x.pci.driver);
      goto out;
    }
  if ((x.host_ns = np_netns_open (NULL, err)) < 0 || (x.pod_ns = np_netns_open (c->env.netns, err)) < 0)
    goto out;
  if ((x.host_nl = np_nl_open (-1, err)) == NULL || (x.pod_nl = np_nl_open (x.pod_ns, err)) == NULL)
    goto out;
  if (!x.pci.dpdk)
    {
      int r = np_link_get (x.host_nl, 0, x.pci.netdev, &x.orig, err);
      if (r != 0)
        {
          if (r > 0)
            cnf_err_set_code (err, CNI_ERR_DEVICE, 0, "netdev %s of %s is not in the host netns (already in use?)", x.pci.netdev, x.pci.bdf);
          goto out;
        }
      struct np_link clash;
      r = np_link_get (x.pod_nl, 0, c->env.ifname, &clash, err);
      if (r <= 0)
        {
          if (r == 0)
            cnf_err_set_code (err, CNI_ERR_DEVICE, EEXIST, "%s already exists in %s", c->env.ifname, c->env.netns);
          goto out;
        }
    }
  if (np_step ("lookup", err) < 0)
    goto undo;

  if (x.is_vf)
    {
      if (vf_open (&x.vh, err) < 0 || x.vh.ops->get (x.vh.h, x.pci.pf_netdev, x.pci.vf_index, &x.saved, err) < 0)
        goto undo;
      x.vf_saved = true;
      want_from_config (c, mac, &x.want, &x.saved);
      if (cache_save (&x, NULL, err) < 0)
        goto undo;
      cnf_debug_kill_at ("NETPLUG_DEBUG_KILL_AT", "vf-saved");
      if (vf_apply (&x.vh, x.pci.pf_netdev, x.pci.vf_index, &x.want, &x.saved, err) < 0)
        goto undo;
      x.vf_applied = true;
    }
  else if (c->conf.vlan != NP_UNSET || c->conf.spoofchk != NP_UNSET || c->conf.trust != NP_UNSET
           || c->conf.link_state != NP_UNSET || c->conf.min_tx_rate != NP_UNSET || c->conf.max_tx_rate != NP_UNSET)
    {
      cnf_err_set_code (err, CNI_ERR_INVALID_CONFIG, 0, "%s is not a VF (no physfn): VF settings cannot apply", x.pci.bdf);
      goto undo;
    }
  if (np_step ("vf-config", err) < 0)
    goto undo;
  if (!x.cached && cache_save (&x, NULL, err) < 0)
    goto undo;

  if (c->conf.ipam_type)
    {
      if (np_ipam_add (&c->conf, c->env.path, &ipam, err) < 0)
        goto undo; /* with the IPAM plugin's own code */
      x.ipam_done = true;
    }
  if (np_step ("ipam", err) < 0)
    goto undo;

  if (np_result_init (c, &res, err) < 0)
    goto undo;
  int idx;
  if (x.pci.dpdk)
    {
      idx = (int) cni_result_add_iface (&res, c->env.ifname, mac, NULL);
      res.ifaces[idx].pci_id = xstrdup (x.pci.bdf);
      np_result_merge_ipam (&res, &ipam, -1); /* addresses are the DPDK application's */
      cleanup_free char *body = xasprintf ("{\"pci-address\":\"%s\"%s%s%s}", x.pci.bdf, x.pci.pf_bdf[0] ? ",\"pf-pci-address\":\"" : "",
                                           x.pci.pf_bdf, x.pci.pf_bdf[0] ? "\"" : "");
      if (np_devinfo_write (c, "pci", "pci", body, &x.devinfo, err) < 0 || cache_save (&x, NULL, err) < 0)
        goto undo;
      for (int s = 4; s <= 6; s++)
        if (np_step ("dpdk", err) < 0)
          goto undo;
    }
  else
    {
      /* Altnames travel with the netdev: one may be taken in the pod (or name a host device
       * there), so they are dropped before the move and given back on DEL. */
      x.alts_removed = x.orig.n_alt > 0;
      for (int i = 0; i < x.orig.n_alt; i++)
        if (np_link_altname (x.host_nl, x.orig.ifindex, x.orig.alt[i], false, err) < 0)
          goto undo;
      /* One RTM_NEWLINK moves and renames: udev never sees the old name in the pod. */
      if (np_link_move (x.host_nl, x.orig.ifindex, x.pod_ns, c->env.ifname, err) < 0)
        goto undo;
      struct np_link pl;
      int r = np_link_get (x.pod_nl, 0, c->env.ifname, &pl, err);
      if (r != 0)
        {
          if (r > 0)
            cnf_err_set_code (err, CNI_ERR_NETLINK, 0, "%s vanished after the move", c->env.ifname);
          goto undo;
        }
      x.moved = true;
      x.pod_ifindex = pl.ifindex;
      if (np_step ("move", err) < 0)
        goto undo;
      /* Any altname left (added while we moved it) goes too. */
      for (int i = 0; i < pl.n_alt; i++)
        if (np_link_altname (x.pod_nl, pl.ifindex, pl.alt[i], false, err) < 0)
          goto undo;
      if (np_link_set (x.pod_nl, pl.ifindex, NULL, mac ? macb : NULL, c->conf.mtu, 1, err) < 0)
        goto undo;
      if (np_link_get (x.pod_nl, pl.ifindex, NULL, &pl, err) != 0)
        goto undo;
      if (np_step ("link-up", err) < 0)
        goto undo;
      char macs[18];
      np_format_mac (pl.mac, macs, sizeof macs);
      idx = (int) cni_result_add_iface (&res, c->env.ifname, macs, c->env.netns);
      res.ifaces[idx].mtu = pl.mtu;
      res.ifaces[idx].pci_id = xstrdup (x.pci.bdf);
      np_result_merge_ipam (&res, &ipam, idx);
      if (np_pod_configure (x.pod_ns, x.pod_nl, pl.ifindex, &res, idx, err) < 0)
        goto undo;
      if (np_step ("addresses", err) < 0)
        goto undo;
      for (size_t i = 0; i < res.n_ips; i++)
        if (res.ips[i].iface == idx)
          {
            cnf_err e = NULL;
            if (np_announce (x.pod_ns, pl.ifindex, pl.mac, res.ips[i].address, &e) < 0)
              log_warn ("%s", e->msg); /* a missed announcement is not worth failing the pod */
            cnf_err_free (&e);
          }
      if (np_step ("announce", err) < 0)
        goto undo;
    }

  {
    cleanup_free char *result11 = cni_result_to_string (&res, "1.1.0");
    if (cache_save (&x, result11, err) < 0)
      goto undo;
  }
  *out = cni_result_to_string (&res, c->version);
  ret = 0;
  goto out;
undo:
  undo_add (&x);
out:
  cni_result_free (&res);
  cni_result_free (&ipam);
  ctx_close (&x);
  return ret;
}

/* Find where the netdev is now and bring it home: the pod (by name), else the host
 * (by its sysfs netdev name or its original name, when the netns died). */
static int
return_netdev (const char *ifname, const char *netns, const json_value *e, int host_ns, struct nl_sock *host_nl,
               cnf_err *err)
{
  const char *host_name = json_string (json_get (e, "hostName"));
  uint8_t mac[6];
  int64_t mtu = 0;
  bool have_mac = np_parse_mac (json_string (json_get (e, "hostMac")), mac) == 0;
  json_get_int64 (json_get (e, "hostMtu"), &mtu);
  bool up = false;
  json_get_bool (json_get (e, "hostUp"), &up);
  int ifindex = -1;
  cnf_err e2 = NULL;
  int pod_ns = netns ? np_netns_open (netns, &e2) : -1;
  cnf_err_free (&e2);
  if (pod_ns >= 0)
    {
      struct nl_sock *pod_nl = np_nl_open (pod_ns, &e2);
      cnf_err_free (&e2);
      struct np_link l;
      if (pod_nl && np_link_get (pod_nl, 0, ifname, &l, &e2) == 0)
        {
          /* No explicit down: a netns change closes the device anyway. */
          if (np_link_move (pod_nl, l.ifindex, host_ns, host_name, &e2) < 0)
            {
              /* The original name is taken in the host: move first, keep the kernel's name. */
              cnf_err_free (&e2);
              if (np_link_move (pod_nl, l.ifindex, host_ns, NULL, err) < 0)
                {
                  np_nl_close (pod_nl);
                  close (pod_ns);
                  return -1; /* still in the pod: keep the cache so DEL can be retried */
                }
            }
          ifindex = l.ifindex;
        }
      cnf_err_free (&e2);
      np_nl_close (pod_nl);
      close (pod_ns);
    }
  struct np_link hl;
  int found = 1;
  if (ifindex > 0)
    found = np_link_get (host_nl, ifindex, NULL, &hl, &e2);
  cnf_err_free (&e2);
  if (found != 0)
    {
      /* The netns is gone: a physical VF came back to the host by itself. */
      struct np_pci pci;
      if (np_pci_lookup (json_string (json_get (e, "deviceID")), &pci, &e2) == 0 && pci.netdev[0])
        found = np_link_get (host_nl, 0, pci.netdev, &hl, &e2);
      cnf_err_free (&e2);
      if (found != 0 && host_name)
        found = np_link_get (host_nl, 0, host_name, &hl, &e2);
      cnf_err_free (&e2);
    }
  if (found != 0)
    {
      log_info ("%s: netdev gone (destroyed with its netns?): nothing to restore", ifname);
      return 0;
    }
  if (host_name && strcmp (hl.name, host_name) != 0)
    {
      np_link_set (host_nl, hl.ifindex, NULL, NULL, -1, 0, &e2);
      cnf_err_free (&e2);
      if (np_link_set (host_nl, hl.ifindex, host_name, NULL, -1, -1, &e2) < 0)
        log_warn ("%s", e2->msg);
      cnf_err_free (&e2);
    }
  bool mac_differs = have_mac && memcmp (hl.mac, mac, 6) != 0;
  bool mtu_differs = mtu > 0 && hl.mtu != mtu;
  bool up_differs = ((hl.flags & IFF_UP) != 0) != up;
  if ((mac_differs || mtu_differs || up_differs)
      && np_link_set (host_nl, hl.ifindex, NULL, mac_differs ? mac : NULL, mtu_differs ? (int) mtu : 0, up ? 1 : 0, &e2) < 0)
    log_warn ("%s", e2->msg);
  cnf_err_free (&e2);
  const json_value *alts = json_get (e, "altnames");
  for (size_t i = 0; i < json_len (alts); i++)
    {
      np_link_altname (host_nl, hl.ifindex, json_string (json_at (alts, i)), true, &e2);
      cnf_err_free (&e2);
    }
  return 0;
}

int
sriov_del_entry (const char *cid, const char *ifname, const char *netns, json_value *e, cnf_err *err)
{
  const char *bdf = json_string (json_get (e, "deviceID"));
  if (bdf == NULL)
    return 0;
  cleanup_close int lock = np_lock (bdf, err);
  if (lock < 0)
    return -1;
  bool dpdk = false, is_vf = false;
  json_get_bool (json_get (e, "dpdk"), &dpdk);
  json_get_bool (json_get (e, "isVF"), &is_vf);
  if (!dpdk)
    {
      cleanup_close int host_ns = np_netns_open (NULL, err);
      if (host_ns < 0)
        return -1;
      struct nl_sock *host_nl = np_nl_open (-1, err);
      if (host_nl == NULL)
        return -1;
      int r = return_netdev (ifname, netns ? netns : json_string (json_get (e, "netns")), e, host_ns, host_nl, err);
      np_nl_close (host_nl);
      if (r < 0)
        return -1;
    }
  if (is_vf && json_get (e, "vfSaved"))
    {
      struct vf_handle vh;
      struct vf_state saved;
      struct vf_want want;
      state_from_json (json_get (e, "vfSaved"), &saved);
      want_from_json (e, &want);
      cnf_err e2 = NULL;
      int64_t vf = -1;
      json_get_int64 (json_get (e, "vf"), &vf);
      if (vf_open (&vh, &e2) == 0)
        {
          if (vf_restore (&vh, json_string (json_get (e, "pf")), (int) vf, &want, &saved, &e2) < 0)
            log_warn ("DEL: %s", e2->msg);
          vf_close (&vh);
        }
      cnf_err_free (&e2);
    }
  const char *di = json_string (json_get (e, "devinfo"));
  if (di)
    np_devinfo_remove (di);
  return 0;
}

static bool
has_addr (struct nl_cache *cache, int ifindex, const char *cidr)
{
  struct nl_addr *want = NULL;
  if (nl_addr_parse (cidr, AF_UNSPEC, &want) < 0)
    return false;
  bool found = false;
  for (struct nl_object *o = nl_cache_get_first (cache); o && !found; o = nl_cache_get_next (o))
    {
      struct rtnl_addr *a = (struct rtnl_addr *) o;
      if (rtnl_addr_get_ifindex (a) == ifindex && nl_addr_cmp (rtnl_addr_get_local (a), want) == 0)
        found = true;
    }
  nl_addr_put (want);
  return found;
}

/* What CHECK compares against: the runtime's prevResult when it names our interface (later
 * plugins in the chain may have changed MTU or MAC), else our own cached result. */
static int
check_expectation (struct np_call *c, json_value *e, struct cni_result *r, int *idx, cnf_err *err)
{
  const char *ifname = c->env.ifname;
  if (c->conf.prev_result)
    {
      if (cni_result_from_json (c->conf.prev_result, r, err) < 0)
        return cnf_err_wrap (err, "CHECK: prevResult");
      for (size_t i = 0; i < r->n_ifaces; i++)
        if (r->ifaces[i].name && strcmp (r->ifaces[i].name, ifname) == 0)
          {
            *idx = (int) i;
            return 0;
          }
      cni_result_free (r);
    }
  const char *rs = json_string (json_get (e, "result"));
  if (rs == NULL || cni_result_parse (rs, strlen (rs), r, err) < 0)
    return cnf_err_set_code (err, CNI_ERR_IO, 0, "CHECK: cache entry has no result");
  *idx = 0;
  return 0;
}

int
sriov_check (struct np_call *c, json_value *e, cnf_err *err)
{
  struct cni_result r = { 0 };
  int idx = 0;
  if (check_expectation (c, e, &r, &idx, err) < 0)
    return -1;
  bool dpdk = false;
  json_get_bool (json_get (e, "dpdk"), &dpdk);
  int ret = 0;
  if (dpdk)
    {
      struct np_pci pci;
      if (np_pci_lookup (json_string (json_get (e, "deviceID")), &pci, err) < 0)
        ret = -1;
      else if (!pci.dpdk)
        ret = cnf_err_set_code (err, CNI_ERR_DEVICE, 0, "CHECK: %s is no longer bound to a DPDK driver (driver '%s')", pci.bdf, pci.driver);
      cni_result_free (&r);
      return ret;
    }
  cleanup_close int ns = np_netns_open (c->env.netns, err);
  if (ns < 0)
    {
      cni_result_free (&r);
      return -1;
    }
  struct nl_sock *s = np_nl_open (ns, err);
  struct np_link l;
  int found = s ? np_link_get (s, 0, c->env.ifname, &l, err) : -1;
  if (found != 0)
    {
      if (found > 0)
        cnf_err_set_code (err, CNI_ERR_DEVICE, 0, "CHECK: %s not found in %s", c->env.ifname, c->env.netns);
      ret = -1;
      goto done;
    }
  char mac[18];
  np_format_mac (l.mac, mac, sizeof mac);
  const struct cni_iface *want = idx < (int) r.n_ifaces ? &r.ifaces[idx] : NULL;
  if (want && want->mac && strcasecmp (want->mac, mac) != 0)
    {
      ret = cnf_err_set_code (err, CNI_ERR_DEVICE, 0, "CHECK: %s has MAC %s, expected %s", c->env.ifname, mac, want->mac);
      goto done;
    }
  if (want && want->mtu && want->mtu != l.mtu)
    {
      ret = cnf_err_set_code (err, CNI_ERR_DEVICE, 0, "CHECK: %s has MTU %d, expected %d", c->env.ifname, l.mtu, want->mtu);
      goto done;
    }
  if (!(l.flags & IFF_UP))
    {
      ret = cnf_err_set_code (err, CNI_ERR_DEVICE, 0, "CHECK: %s is down", c->env.ifname);
      goto done;
    }
  struct nl_cache *addrs = NULL;
  if (rtnl_addr_alloc_cache (s, &addrs) < 0)
    {
      ret = cnf_err_set_code (err, CNI_ERR_NETLINK, 0, "CHECK: cannot list addresses");
      goto done;
    }
  for (size_t i = 0; i < r.n_ips && ret == 0; i++)
    if (r.ips[i].iface == idx && !has_addr (addrs, l.ifindex, r.ips[i].address))
      ret = cnf_err_set_code (err, CNI_ERR_DEVICE, 0, "CHECK: %s lacks address %s", c->env.ifname, r.ips[i].address);
  nl_cache_free (addrs);
done:
  np_nl_close (s);
  cni_result_free (&r);
  return ret;
}

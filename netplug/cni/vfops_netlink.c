/* vfops_netlink.c — the real VF backend: IFLA_VFINFO_LIST through the PF over rtnetlink. */
#include <arpa/inet.h>
#include <linux/if_link.h>
#include <string.h>
#include "lib/util.h"
#include "netplug/cni/nl.h"
#include "netplug/cni/vfops.h"

/* The PF lives in the host netns: one socket per call keeps the backend stateless. */
#define WITH_SOCK(expr)                                   \
  do                                                      \
    {                                                     \
      struct nl_sock *s = np_nl_open (-1, err);           \
      if (s == NULL)                                      \
        return -1;                                        \
      int r_ = (expr);                                    \
      np_nl_close (s);                                    \
      return r_;                                          \
    }                                                     \
  while (0)

static int
nl_get (void *h, const char *pf, int vf, struct vf_state *st, cnf_err *err)
{
  WITH_SOCK (np_vf_get (s, pf, vf, st, err));
}

static int
nl_set_mac (void *h, const char *pf, int vf, const uint8_t mac[6], cnf_err *err)
{
  struct ifla_vf_mac m = { .vf = (uint32_t) vf };
  memcpy (m.mac, mac, 6);
  WITH_SOCK (np_vf_set (s, pf, vf, IFLA_VF_MAC, &m, sizeof m, false, err));
}

static int
nl_set_vlan (void *h, const char *pf, int vf, int vlan, int qos, int proto, cnf_err *err)
{
  if (proto == 0 || proto == 0x8100)
    {
      struct ifla_vf_vlan v = { .vf = (uint32_t) vf, .vlan = (uint32_t) vlan, .qos = (uint32_t) qos };
      WITH_SOCK (np_vf_set (s, pf, vf, IFLA_VF_VLAN, &v, sizeof v, false, err));
    }
  struct ifla_vf_vlan_info v = { .vf = (uint32_t) vf, .vlan = (uint32_t) vlan, .qos = (uint32_t) qos, .vlan_proto = htons ((uint16_t) proto) };
  WITH_SOCK (np_vf_set (s, pf, vf, IFLA_VF_VLAN_INFO, &v, sizeof v, true, err));
}

static int
nl_set_spoofchk (void *h, const char *pf, int vf, bool on, cnf_err *err)
{
  struct ifla_vf_spoofchk v = { .vf = (uint32_t) vf, .setting = on };
  WITH_SOCK (np_vf_set (s, pf, vf, IFLA_VF_SPOOFCHK, &v, sizeof v, false, err));
}

static int
nl_set_trust (void *h, const char *pf, int vf, bool on, cnf_err *err)
{
  struct ifla_vf_trust v = { .vf = (uint32_t) vf, .setting = on };
  WITH_SOCK (np_vf_set (s, pf, vf, IFLA_VF_TRUST, &v, sizeof v, false, err));
}

static int
nl_set_link_state (void *h, const char *pf, int vf, int state, cnf_err *err)
{
  struct ifla_vf_link_state v = { .vf = (uint32_t) vf, .link_state = (uint32_t) state };
  WITH_SOCK (np_vf_set (s, pf, vf, IFLA_VF_LINK_STATE, &v, sizeof v, false, err));
}

static int
nl_set_rate (void *h, const char *pf, int vf, uint32_t min, uint32_t max, cnf_err *err)
{
  struct ifla_vf_rate v = { .vf = (uint32_t) vf, .min_tx_rate = min, .max_tx_rate = max };
  WITH_SOCK (np_vf_set (s, pf, vf, IFLA_VF_RATE, &v, sizeof v, false, err));
}

const struct vf_ops vf_ops_netlink = {
  .name = "netlink",
  .get = nl_get,
  .set_mac = nl_set_mac,
  .set_vlan = nl_set_vlan,
  .set_spoofchk = nl_set_spoofchk,
  .set_trust = nl_set_trust,
  .set_link_state = nl_set_link_state,
  .set_rate = nl_set_rate,
};

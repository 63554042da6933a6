/* vfops.h — VF configuration through the PF (IFLA_VFINFO_LIST), behind an ops table.
 * The real backend speaks rtnetlink; the recording fake (NETPLUG_VFOPS=fake:<file>) keeps
 * VF state and an operation log in a JSON file, for hosts without SR-IOV hardware. */
#ifndef NETPLUG_VFOPS_H
#define NETPLUG_VFOPS_H

#include <stdbool.h>
#include <stdint.h>
#include "lib/error.h"

struct vf_state
{
  uint8_t mac[6];
  int vlan, qos, proto; /* proto 0x8100 / 0x88a8 */
  int spoofchk, trust;  /* -1: unknown (not reported by the driver) */
  int link_state;
  uint32_t min_tx_rate, max_tx_rate;
};

struct vf_ops
{
  const char *name;
  int (*get) (void *h, const char *pf, int vf, struct vf_state *st, cnf_err *err);
  int (*set_mac) (void *h, const char *pf, int vf, const uint8_t mac[6], cnf_err *err);
  int (*set_vlan) (void *h, const char *pf, int vf, int vlan, int qos, int proto, cnf_err *err);
  int (*set_spoofchk) (void *h, const char *pf, int vf, bool on, cnf_err *err);
  int (*set_trust) (void *h, const char *pf, int vf, bool on, cnf_err *err);
  int (*set_link_state) (void *h, const char *pf, int vf, int state, cnf_err *err);
  int (*set_rate) (void *h, const char *pf, int vf, uint32_t min, uint32_t max, cnf_err *err);
  void (*close) (void *h);
};

struct vf_handle
{
  const struct vf_ops *ops;
  void *h;
};

/* Choose the backend from NETPLUG_VFOPS ("netlink" default, "fake:<statefile>"). */
int vf_open (struct vf_handle *vh, cnf_err *err);
void vf_close (struct vf_handle *vh);
extern const struct vf_ops vf_ops_netlink, vf_ops_fake;
void *vf_fake_open (const char *file, cnf_err *err);

/* Which fields a config changes; apply them in order and undo in reverse on failure. */
struct vf_want
{
  bool mac, vlan, spoofchk, trust, link_state, rate;
  struct vf_state v;
};
/* Apply want; on failure restore what was applied (from saved) and return -1. */
int vf_apply (struct vf_handle *vh, const char *pf, int vf, const struct vf_want *want, const struct vf_state *saved,
              cnf_err *err);
/* Restore the fields of want from saved; best-effort: returns -1 if any failed, after trying all. */
int vf_restore (struct vf_handle *vh, const char *pf, int vf, const struct vf_want *want, const struct vf_state *saved,
                cnf_err *err);

#endif

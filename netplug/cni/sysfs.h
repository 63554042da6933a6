/* sysfs.h — PCI facts about a VF from sysfs: its PF and VF index (physfn, virtfnN), its netdev
 * and the PF's, its driver and IOMMU group.  The root is NETPLUG_SYSFS_ROOT (default /sys),
 * so tests can build a fake PCI tree whose net/ entries name real veths. */
#ifndef NETPLUG_SYSFS_H
#define NETPLUG_SYSFS_H

#include <stdbool.h>
#include "lib/error.h"

struct np_pci
{
  char bdf[16], pf_bdf[16];
  int vf_index;           /* -1: not a VF (no physfn) */
  char netdev[64];        /* "" when the device has no netdev (DPDK-bound) */
  char pf_netdev[64];
  char driver[64];        /* "" when unbound */
  bool dpdk;              /* vfio-pci, uio_pci_generic, igb_uio */
  int iommu_group;        /* -1 unknown */
};

const char *np_sysfs_root (void);
int np_pci_lookup (const char *bdf, struct np_pci *out, cnf_err *err);

#endif

/* config.h — netplug's network configuration (stdin), validated.  Compatible with sriov-cni
 * field names for mode sriov; memif / vhost-user / tap describe a port on netplugd.
 * The raw bytes are kept: IPAM plugins get exactly what the runtime sent. */
#ifndef NETPLUG_CONFIG_H
#define NETPLUG_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include "lib/error.h"
#include "lib/json.h"

enum np_mode { NP_MODE_SRIOV = 0, NP_MODE_MEMIF, NP_MODE_VHOST, NP_MODE_TAP };

#define NP_UNSET (-1)

struct np_config
{
  json_value *root;
  char *raw;
  size_t raw_len;
  const char *cni_version, *name, *type;
  enum np_mode mode;
  /* sriov */
  const char *device_id; /* PCI BDF (deviceID | pciBusID | runtimeConfig.deviceID) */
  int vlan, vlan_qos;    /* NP_UNSET when absent */
  int vlan_proto;        /* 0x8100 / 0x88a8, NP_UNSET when absent */
  const char *mac;       /* runtimeConfig.mac wins over mac */
  int spoofchk, trust;   /* 0/1, NP_UNSET */
  int link_state;        /* IFLA_VF_LINK_STATE_*, NP_UNSET */
  int64_t min_tx_rate, max_tx_rate; /* Mbps, NP_UNSET */
  int mtu;               /* 0: leave */
  const char *devinfo_file; /* runtimeConfig.CNIDeviceInfoFile | CNIDeviceInfoFile */
  /* netplugd ports */
  const char *control_socket, *network, *xconnect, *vhost_role;
  int64_t ring_size;
  /* IPAM */
  const json_value *ipam;
  const char *ipam_type; /* NULL: no IPAM */
  const json_value *prev_result;
  bool ipam_required_addr; /* mode tap/sriov-netdev: addresses go on the interface */
};

/* Parse and validate stdin bytes for a command (cmd from cni.h; GC/STATUS need less). */
int np_config_parse (const char *text, size_t len, int cmd, struct np_config *c, cnf_err *err);
void np_config_free (struct np_config *c);
const char *np_mode_name (enum np_mode m);
bool np_valid_pci_addr (const char *s);
/* Normalise "18:02.5" to "0000:18:02.5" into buf (>= 13 bytes). */
int np_normalize_pci_addr (const char *s, char *buf, size_t len);
/* Parse "aa:bb:cc:dd:ee:ff" into 6 bytes. */
int np_parse_mac (const char *s, uint8_t out[6]);

#endif

/* config.c — network configuration parsing and validation (see config.h). */
#include <ctype.h>
#include <linux/if_link.h>
#include <stdio.h>
#include <string.h>
#include "lib/util.h"
#include "netplug/cni/cni.h"
#include "netplug/cni/config.h"

const char *
np_mode_name (enum np_mode m)
{
  switch (m)
    {
    case NP_MODE_SRIOV: return "sriov";
    case NP_MODE_MEMIF: return "memif";
    case NP_MODE_VHOST: return "vhost-user";
    case NP_MODE_TAP: return "tap";
    }
  return "?";
}

int
np_parse_mac (const char *s, uint8_t out[6])
{
  unsigned v[6];
  char tail;
  if (s == NULL || strlen (s) != 17
      || sscanf (s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &tail) != 6)
    return -1;
  for (int i = 0; i < 6; i++)
    out[i] = (uint8_t) v[i];
  return 0;
}

bool
np_valid_pci_addr (const char *s)
{
  char buf[16];
  return np_normalize_pci_addr (s, buf, sizeof buf) == 0;
}

int
np_normalize_pci_addr (const char *s, char *buf, size_t len)
{
  unsigned dom = 0, bus, dev, fn;
  char tail;
  if (s == NULL || len < 13)
    return -1;
  size_t n = strlen (s);
  for (size_t i = 0; i < n; i++)
    if (!isxdigit ((unsigned char) s[i]) && s[i] != ':' && s[i] != '.')
      return -1;
  if (n == 12 && sscanf (s, "%4x:%2x:%2x.%1x%c", &dom, &bus, &dev, &fn, &tail) == 4)
    ;
  else if (n == 7 && sscanf (s, "%2x:%2x.%1x%c", &bus, &dev, &fn, &tail) == 3)
    ;
  else
    return -1;
  if (dev > 0x1f || fn > 7)
    return -1;
  snprintf (buf, len, "%04x:%02x:%02x.%x", dom, bus, dev, fn);
  return 0;
}

void
np_config_free (struct np_config *c)
{
  json_free (c->root);
  free (c->raw);
  memset (c, 0, sizeof (*c));
}

static int
onoff (const json_value *root, const char *key, int *out, cnf_err *err)
{
  const json_value *v = json_get (root, key);
  *out = NP_UNSET;
  if (v == NULL || json_is_null (v))
    return 0;
  const char *s = json_string (v);
  if (s && strcmp (s, "on") == 0)
    *out = 1;
  else if (s && strcmp (s, "off") == 0)
    *out = 0;
  else
    return cnf_err_set_code (err, CNI_ERR_INVALID_CONFIG, 0, "config: .%s: must be \"on\" or \"off\"", key);
  return 0;
}

static int
opt_int (const json_value *root, const char *key, int64_t lo, int64_t hi, int64_t *out, cnf_err *err)
{
  const json_value *v = json_get (root, key);
  *out = NP_UNSET;
  if (v == NULL || json_is_null (v))
    return 0;
  int64_t x;
  if (json_get_int64 (v, &x) < 0 || x < lo || x > hi)
    return cnf_err_set_code (err, CNI_ERR_INVALID_CONFIG, 0, "config: .%s: must be an integer in [%lld, %lld]", key,
                             (long long) lo, (long long) hi);
  *out = x;
  return 0;
}

static int
opt_str (const json_value *root, const char *key, const char **out, cnf_err *err)
{
  const json_value *v = json_get (root, key);
  *out = NULL;
  if (v == NULL || json_is_null (v))
    return 0;
  if ((*out = json_string (v)) == NULL)
    return cnf_err_set_code (err, CNI_ERR_INVALID_CONFIG, 0, "config: .%s: must be a string", key);
  return 0;
}

int
np_config_parse (const char *text, size_t len, int cmd, struct np_config *c, cnf_err *err)
{
  char eb[256];
  memset (c, 0, sizeof (*c));
  c->root = json_parse (text, len, eb, sizeof eb);
  if (c->root == NULL)
    return cnf_err_set_code (err, CNI_ERR_DECODE, 0, "config: %s", eb);
  c->raw = xmalloc (len + 1);
  memcpy (c->raw, text, len);
  c->raw[len] = '\0';
  c->raw_len = len;
  const json_value *r = c->root;
  if (json_typeof (r) != JSON_OBJECT)
    return cnf_err_set_code (err, CNI_ERR_DECODE, 0, "config: not a JSON object");
  c->cni_version = json_string (json_get (r, "cniVersion"));
  if (c->cni_version == NULL)
    return cnf_err_set_code (err, CNI_ERR_INVALID_CONFIG, 0, "config: .cniVersion: missing");
  if (!cni_version_supported (c->cni_version))
    return cnf_err_set_code (err, CNI_ERR_INCOMPATIBLE_VERSION, 0,
                             "config: .cniVersion: %s is not supported (supported: 0.3.0 0.3.1 0.4.0 1.0.0 1.1.0)", c->cni_version);
  int vn = cni_version_num (c->cni_version);
  if (cmd == CNI_CMD_CHECK && vn < 400)
    return cnf_err_set_code (err, CNI_ERR_INCOMPATIBLE_VERSION, 0, "config: CHECK needs cniVersion 0.4.0 or later (got %s)", c->cni_version);
  if ((cmd == CNI_CMD_GC || cmd == CNI_CMD_STATUS) && vn < 10100)
    return cnf_err_set_code (err, CNI_ERR_INCOMPATIBLE_VERSION, 0, "config: %s needs cniVersion 1.1.0 (got %s)",
                             cni_cmd_name (cmd), c->cni_version);
  c->name = json_string (json_get (r, "name"));
  if (c->name == NULL || *c->name == '\0')
    return cnf_err_set_code (err, CNI_ERR_INVALID_CONFIG, 0, "config: .name: missing");
  c->type = json_string (json_get (r, "type"));
  if (c->type == NULL)
    return cnf_err_set_code (err, CNI_ERR_INVALID_CONFIG, 0, "config: .type: missing");

  const char *mode;
  if (opt_str (r, "mode", &mode, err) < 0)
    return -1;
  if (mode == NULL || strcmp (mode, "sriov") == 0)
    c->mode = NP_MODE_SRIOV;
  else if (strcmp (mode, "memif") == 0)
    c->mode = NP_MODE_MEMIF;
  else if (strcmp (mode, "vhost-user") == 0)
    c->mode = NP_MODE_VHOST;
  else if (strcmp (mode, "tap") == 0)
    c->mode = NP_MODE_TAP;
  else
    return cnf_err_set_code (err, CNI_ERR_INVALID_CONFIG, 0, "config: .mode: unknown mode '%s' (sriov, memif, vhost-user, tap)", mode);

  const json_value *rc = json_get (r, "runtimeConfig");
  if (rc && json_typeof (rc) != JSON_OBJECT && !json_is_null (rc))
    return cnf_err_set_code (err, CNI_ERR_INVALID_CONFIG, 0, "config: .runtimeConfig: must be an object");

  /* deviceID: runtimeConfig (device plugin via Multus capabilities) > deviceID > pciBusID */
  const char *dev = NULL, *dev_top = NULL, *bus = NULL;
  if (opt_str (rc, "deviceID", &dev, err) < 0 || opt_str (r, "deviceID", &dev_top, err) < 0
      || opt_str (r, "pciBusID", &bus, err) < 0)
    return -1;
  c->device_id = dev ? dev : dev_top ? dev_top : bus;
  if (c->device_id && !np_valid_pci_addr (c->device_id))
    return cnf_err_set_code (err, CNI_ERR_INVALID_CONFIG, 0, "config: deviceID: '%s' is not a PCI address", c->device_id);

  int64_t x;
  if (opt_int (r, "vlan", 0, 4094, &x, err) < 0)
    return -1;
  c->vlan = (int) x;
  if (opt_int (r, "vlanQoS", 0, 7, &x, err) < 0)
    return -1;
  c->vlan_qos = (int) x;
  const char *proto;
  if (opt_str (r, "vlanProto", &proto, err) < 0)
    return -1;
  c->vlan_proto = NP_UNSET;
  if (proto)
    {
      if (strcasecmp (proto, "802.1q") == 0)
        c->vlan_proto = 0x8100;
      else if (strcasecmp (proto, "802.1ad") == 0)
        c->vlan_proto = 0x88a8;
      else
        return cnf_err_set_code (err, CNI_ERR_INVALID_CONFIG, 0, "config: .vlanProto: must be 802.1q or 802.1ad");
    }
  if ((c->vlan_qos > 0 || (c->vlan_proto != NP_UNSET && c->vlan_proto != 0x8100)) && c->vlan <= 0)
    return cnf_err_set_code (err, CNI_ERR_INVALID_CONFIG, 0, "config: .vlanQoS/.vlanProto need a non-zero .vlan");

  const char *mac_top = NULL, *mac_rc = NULL;
  if (opt_str (r, "mac", &mac_top, err) < 0 || opt_str (rc, "mac", &mac_rc, err) < 0)
    return -1;
  c->mac = mac_rc ? mac_rc : mac_top;
  uint8_t m[6];
  if (c->mac && np_parse_mac (c->mac, m) < 0)
    return cnf_err_set_code (err, CNI_ERR_INVALID_CONFIG, 0, "config: mac: '%s' is not a MAC address", c->mac);

  if (onoff (r, "spoofchk", &c->spoofchk, err) < 0 || onoff (r, "trust", &c->trust, err) < 0)
    return -1;
  const char *ls;
  if (opt_str (r, "link_state", &ls, err) < 0)
    return -1;
  c->link_state = NP_UNSET;
  if (ls)
    {
      if (strcmp (ls, "auto") == 0)
        c->link_state = IFLA_VF_LINK_STATE_AUTO;
      else if (strcmp (ls, "enable") == 0)
        c->link_state = IFLA_VF_LINK_STATE_ENABLE;
      else if (strcmp (ls, "disable") == 0)
        c->link_state = IFLA_VF_LINK_STATE_DISABLE;
      else
        return cnf_err_set_code (err, CNI_ERR_INVALID_CONFIG, 0, "config: .link_state: must be auto, enable or disable");
    }
  if (opt_int (r, "min_tx_rate", 0, UINT32_MAX, &c->min_tx_rate, err) < 0
      || opt_int (r, "max_tx_rate", 0, UINT32_MAX, &c->max_tx_rate, err) < 0)
    return -1;
  if (c->min_tx_rate > 0 && c->max_tx_rate > 0 && c->min_tx_rate > c->max_tx_rate)
    return cnf_err_set_code (err, CNI_ERR_INVALID_CONFIG, 0, "config: .min_tx_rate must not exceed .max_tx_rate");
  if (opt_int (r, "mtu", 68, 65535, &x, err) < 0)
    return -1;
  c->mtu = x == NP_UNSET ? 0 : (int) x;

  const char *di_rc = NULL, *di_top = NULL;
  if (opt_str (rc, "CNIDeviceInfoFile", &di_rc, err) < 0 || opt_str (r, "CNIDeviceInfoFile", &di_top, err) < 0)
    return -1;
  c->devinfo_file = di_rc ? di_rc : di_top;
  if (c->devinfo_file && c->devinfo_file[0] != '/')
    return cnf_err_set_code (err, CNI_ERR_INVALID_CONFIG, 0, "config: CNIDeviceInfoFile: must be an absolute path");

  if (opt_str (r, "controlSocket", &c->control_socket, err) < 0 || opt_str (r, "network", &c->network, err) < 0
      || opt_str (r, "xconnect", &c->xconnect, err) < 0 || opt_str (r, "vhostRole", &c->vhost_role, err) < 0
      || opt_int (r, "ringSize", 64, 32768, &c->ring_size, err) < 0)
    return -1;
  if (c->control_socket == NULL)
    c->control_socket = "/run/netplugd/ctl.sock";
  if (c->control_socket[0] != '/')
    return cnf_err_set_code (err, CNI_ERR_INVALID_CONFIG, 0, "config: .controlSocket: must be an absolute path");
  if (c->network && c->xconnect)
    return cnf_err_set_code (err, CNI_ERR_INVALID_CONFIG, 0, "config: .network and .xconnect are exclusive");
  if (c->vhost_role && strcmp (c->vhost_role, "client") != 0 && strcmp (c->vhost_role, "server") != 0)
    return cnf_err_set_code (err, CNI_ERR_INVALID_CONFIG, 0, "config: .vhostRole: must be client or server");
  if (c->ring_size > 0 && (c->ring_size & (c->ring_size - 1)) != 0)
    return cnf_err_set_code (err, CNI_ERR_INVALID_CONFIG, 0, "config: .ringSize: must be a power of two");

  c->ipam = json_get (r, "ipam");
  if (c->ipam && !json_is_null (c->ipam))
    {
      if (json_typeof (c->ipam) != JSON_OBJECT)
        return cnf_err_set_code (err, CNI_ERR_INVALID_CONFIG, 0, "config: .ipam: must be an object");
      c->ipam_type = json_string (json_get (c->ipam, "type"));
      if (c->ipam_type == NULL || *c->ipam_type == '\0' || strchr (c->ipam_type, '/'))
        return cnf_err_set_code (err, CNI_ERR_INVALID_CONFIG, 0, "config: .ipam.type: missing or not a plugin name");
    }
  c->prev_result = json_get (r, "prevResult");
  if (c->prev_result && json_is_null (c->prev_result))
    c->prev_result = NULL;
  if (c->prev_result && json_typeof (c->prev_result) != JSON_OBJECT)
    return cnf_err_set_code (err, CNI_ERR_INVALID_CONFIG, 0, "config: .prevResult: must be an object");

  if (cmd == CNI_CMD_ADD && c->mode == NP_MODE_SRIOV && c->device_id == NULL)
    return cnf_err_set_code (err, CNI_ERR_INVALID_CONFIG, 0, "config: mode sriov needs deviceID (or pciBusID, runtimeConfig.deviceID)");
  if (c->mode != NP_MODE_SRIOV && (c->vlan_qos > 0 || c->spoofchk != NP_UNSET || c->trust != NP_UNSET || c->link_state != NP_UNSET))
    return cnf_err_set_code (err, CNI_ERR_INVALID_CONFIG, 0, "config: VF settings only apply to mode sriov");
  return 0;
}

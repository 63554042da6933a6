/* sysfs.c — PCI VF discovery (see sysfs.h). */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "lib/util.h"
#include "netplug/cni/cni.h"
#include "netplug/cni/config.h"
#include "netplug/cni/sysfs.h"

const char *
np_sysfs_root (void)
{
  const char *r = getenv ("NETPLUG_SYSFS_ROOT");
  return (r && *r) ? r : "/sys";
}

static int
link_base (const char *path, char *out, size_t len)
{
  char buf[PATH_MAX];
  ssize_t n = readlink (path, buf, sizeof buf - 1);
  if (n < 0)
    return -1;
  buf[n] = '\0';
  const char *b = strrchr (buf, '/');
  b = b ? b + 1 : buf;
  if (strlen (b) >= len)
    return -1;
  strcpy (out, b);
  return 0;
}

/* The first entry of dir/net/ (a VF has one netdev). */
static void
first_netdev (const char *dev_dir, char *out, size_t len)
{
  out[0] = '\0';
  cleanup_free char *p = xasprintf ("%s/net", dev_dir);
  cleanup_dir DIR *d = opendir (p);
  if (d == NULL)
    return;
  struct dirent *de;
  while ((de = readdir (d)))
    if (de->d_name[0] != '.' && strlen (de->d_name) < len)
      {
        strcpy (out, de->d_name);
        return;
      }
}

int
np_pci_lookup (const char *bdf_in, struct np_pci *out, cnf_err *err)
{
  memset (out, 0, sizeof (*out));
  out->vf_index = -1;
  out->iommu_group = -1;
  if (np_normalize_pci_addr (bdf_in, out->bdf, sizeof out->bdf) < 0)
    return cnf_err_set_code (err, CNI_ERR_INVALID_CONFIG, 0, "deviceID '%s' is not a PCI address", bdf_in);
  cleanup_free char *dir = xasprintf ("%s/bus/pci/devices/%s", np_sysfs_root (), out->bdf);
  if (access (dir, F_OK) < 0)
    return cnf_err_set_code (err, CNI_ERR_DEVICE, errno, "PCI device %s (%s)", out->bdf, dir);
  cleanup_free char *drv = xasprintf ("%s/driver", dir);
  link_base (drv, out->driver, sizeof out->driver);
  out->dpdk = strcmp (out->driver, "vfio-pci") == 0 || strcmp (out->driver, "uio_pci_generic") == 0
              || strcmp (out->driver, "igb_uio") == 0;
  cleanup_free char *grp = xasprintf ("%s/iommu_group", dir);
  char g[32];
  if (link_base (grp, g, sizeof g) == 0)
    out->iommu_group = atoi (g);
  first_netdev (dir, out->netdev, sizeof out->netdev);
  cleanup_free char *physfn = xasprintf ("%s/physfn", dir);
  if (link_base (physfn, out->pf_bdf, sizeof out->pf_bdf) < 0)
    return 0; /* a PF or a plain device: no VF settings apply */
  cleanup_free char *pfdir = xasprintf ("%s/bus/pci/devices/%s", np_sysfs_root (), out->pf_bdf);
  first_netdev (pfdir, out->pf_netdev, sizeof out->pf_netdev);
  cleanup_dir DIR *d = opendir (pfdir);
  if (d == NULL)
    return cnf_err_set_code (err, CNI_ERR_DEVICE, errno, "PF %s of %s", out->pf_bdf, out->bdf);
  struct dirent *de;
  while ((de = readdir (d)))
    {
      if (!str_has_prefix (de->d_name, "virtfn"))
        continue;
      char target[32];
      cleanup_free char *l = xasprintf ("%s/%s", pfdir, de->d_name);
      if (link_base (l, target, sizeof target) == 0 && strcmp (target, out->bdf) == 0)
        {
          out->vf_index = atoi (de->d_name + 6);
          break;
        }
    }
  if (out->vf_index < 0)
    return cnf_err_set_code (err, CNI_ERR_DEVICE, 0, "PF %s has no virtfnN link to %s", out->pf_bdf, out->bdf);
  return 0;
}

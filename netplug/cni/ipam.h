/* ipam.h — IPAM delegation the CNI way: exec ipam.type found in CNI_PATH, with the caller's
 * environment (CNI_COMMAND replaced) and the full network config on stdin.  Older IPAM plugins
 * that reject the config's cniVersion (code 1) are retried with the newest version they list in
 * VERSION, and their result is converted back; GC/STATUS are only forwarded to plugins that
 * support 1.1.0. */
#ifndef NETPLUG_IPAM_H
#define NETPLUG_IPAM_H

#include "lib/error.h"
#include "netplug/cni/cni.h"
#include "netplug/cni/config.h"

/* Run plugin `type` with command cmd; stdout into *out (malloc'd). An error reply becomes *err
 * with the plugin's code and message. */
int np_plugin_exec (const char *cni_path, const char *type, enum cni_cmd cmd, const char *stdin_data, char **out,
                    cnf_err *err);
int np_ipam_add (const struct np_config *c, const char *cni_path, struct cni_result *res, cnf_err *err);
int np_ipam_run (const struct np_config *c, const char *cni_path, enum cni_cmd cmd, cnf_err *err);
/* Config text with cniVersion replaced (and prevResult dropped when drop_prev). */
char *np_config_with_version (const struct np_config *c, const char *version);

#endif

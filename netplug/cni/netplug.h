/* netplug.h — the commands of the netplug CNI plugin, per mode, and what they share:
 * the invocation (env + config), fault injection for tests, device-info files. */
#ifndef NETPLUG_NETPLUG_H
#define NETPLUG_NETPLUG_H

#include "lib/error.h"
#include "netplug/cni/cni.h"
#include "netplug/cni/config.h"

struct np_call
{
  struct cni_env env;
  struct np_config conf;
  const char *version; /* for the result/error */
};

/* NETPLUG_DEBUG_FAIL_AFTER=N: make ADD fail right after step N (1-based) completes.  In
 * --enable-debug-stages builds NETPLUG_DEBUG_KILL_AT=what SIGKILLs the plugin there instead
 * (lib/debug_stage.h), so that no undo runs and only DEL can clean up. */
int np_step (const char *what, cnf_err *err);

/* device-info-spec 1.1 file: path chosen from the config or the default dir; *path_out gets it. */
int np_devinfo_write (const struct np_call *c, const char *type, const char *body_key, const char *body_json,
                      char **path_out, cnf_err *err);
void np_devinfo_remove (const char *path);

/* Results start from prevResult when chained. */
int np_result_init (const struct np_call *c, struct cni_result *r, cnf_err *err);
/* Append the IPAM result's ips/routes/dns to r, attributed to interface idx (-1: none). */
void np_result_merge_ipam (struct cni_result *r, struct cni_result *ipam, int idx);

int sriov_add (struct np_call *c, char **out, cnf_err *err);
int sriov_del_entry (const char *cid, const char *ifname, const char *netns, json_value *entry, cnf_err *err);
int sriov_check (struct np_call *c, json_value *entry, cnf_err *err);

int port_add (struct np_call *c, char **out, cnf_err *err);
int port_del_entry (const char *cid, const char *ifname, const char *netns, json_value *entry, cnf_err *err);
int port_check (struct np_call *c, json_value *entry, cnf_err *err);
int port_status (struct np_call *c, cnf_err *err);
/* GC on netplugd's side: delete ports this network made whose attachment is not in valid
 * (covers a lost cache). Best-effort; returns how many were removed. */
int port_gc (struct np_call *c, const json_value *valid);

/* Shared with the port modes (tap): move a host link into the pod as ifname, address it. */
struct nl_sock;
int np_pod_configure (int pod_nsfd, struct nl_sock *pod_nl, int ifindex, const struct cni_result *r, int iface_idx,
                      cnf_err *err);

#endif

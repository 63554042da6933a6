/* cni.h — the CNI protocol layer of netplug: environment, CNI_ARGS, versions, the error
 * object on stdout, and a version-neutral result model that is parsed from any supported
 * cniVersion and written back in the version the runtime asked for.
 * Nothing here touches the network; everything is unit-tested (tests/unit/test_cni.c). */
#ifndef NETPLUG_CNI_H
#define NETPLUG_CNI_H

#include <stdbool.h>
#include "lib/error.h"
#include "lib/json.h"

/* Spec error codes. */
enum
{
  CNI_ERR_INCOMPATIBLE_VERSION = 1,
  CNI_ERR_UNSUPPORTED_FIELD = 2,
  CNI_ERR_UNKNOWN_CONTAINER = 3,
  CNI_ERR_INVALID_ENV = 4,
  CNI_ERR_IO = 5,
  CNI_ERR_DECODE = 6,
  CNI_ERR_INVALID_CONFIG = 7,
  CNI_ERR_TRY_AGAIN = 11,
  CNI_ERR_NOT_AVAILABLE = 50,
  CNI_ERR_LIMITED = 51,
  /* plugin-specific (100+) */
  CNI_ERR_DEVICE = 100,  /* device not found / busy / wrong state */
  CNI_ERR_NETLINK = 101, /* a kernel request failed */
  CNI_ERR_IPAM = 102,    /* the IPAM plugin failed */
  CNI_ERR_DAEMON = 103,  /* netplugd refused the request */
  CNI_ERR_INJECTED = 199 /* NETPLUG_DEBUG_FAIL_AFTER */
};

enum cni_cmd { CNI_CMD_NONE = 0, CNI_CMD_ADD, CNI_CMD_DEL, CNI_CMD_CHECK, CNI_CMD_GC, CNI_CMD_STATUS, CNI_CMD_VERSION };

#define CNI_VERSION_LATEST "1.1.0"
extern const char *const cni_supported_versions[]; /* NULL-terminated */

/* Version number as major*10000+minor*100+patch, or -1 if not supported. */
int cni_version_num (const char *v);
bool cni_version_supported (const char *v);

enum cni_cmd cni_cmd_parse (const char *s);
const char *cni_cmd_name (enum cni_cmd c);

struct cni_args
{
  char *pod_namespace, *pod_name, *pod_uid, *infra_container_id, *mac;
  bool ignore_unknown;
};
/* Parse "K=V;K=V". Unknown keys are an error (code 2... spec: 4) unless IgnoreUnknown=1|true. */
int cni_args_parse (const char *s, struct cni_args *out, cnf_err *err);
void cni_args_free (struct cni_args *a);

struct cni_env
{
  enum cni_cmd cmd;
  const char *container_id, *netns, *ifname, *path, *args_raw;
  struct cni_args args;
};
/* Read and validate CNI_* for the command (the spec's rules: which are required, formats). */
int cni_env_load (struct cni_env *env, cnf_err *err);
void cni_env_free (struct cni_env *env);
bool cni_valid_container_id (const char *s);
bool cni_valid_ifname (const char *s);

/* Write {cniVersion, code, msg, details} to fd (stdout). */
char *cni_error_json (const char *version, int code, const char *msg, const char *details);

/* ---- result model ---- */
struct cni_iface
{
  char *name, *mac, *sandbox, *socket_path, *pci_id;
  int mtu; /* 0: unset */
};
struct cni_ip
{
  char *address, *gateway; /* CIDR, plain */
  int iface;               /* index into interfaces, -1: none */
};
struct cni_route
{
  char *dst, *gw;
  int mtu, advmss, priority, table, scope; /* 1.1 route fields, 0 unset (scope -1 unset) */
};
struct cni_result
{
  struct cni_iface *ifaces;
  size_t n_ifaces;
  struct cni_ip *ips;
  size_t n_ips;
  struct cni_route *routes;
  size_t n_routes;
  json_value *dns_root; /* owns dns (parsed copy) */
  const json_value *dns;
};
void cni_result_free (struct cni_result *r);
/* Parse a result of any supported version (0.3.x/0.4.0 "ips[].version" and "interface" handled). */
int cni_result_from_json (const json_value *v, struct cni_result *r, cnf_err *err);
int cni_result_parse (const char *text, size_t len, struct cni_result *r, cnf_err *err);
size_t cni_result_add_iface (struct cni_result *r, const char *name, const char *mac, const char *sandbox);
/* Emit r as a result of cniVersion version (fields that version lacks are dropped). */
void cni_result_write (json_writer *w, const struct cni_result *r, const char *version);
char *cni_result_to_string (const struct cni_result *r, const char *version);
/* Is address (CIDR or plain) IPv6? */
bool cni_addr_is_v6 (const char *addr);

#endif

/* cni.c — CNI protocol layer (see cni.h). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "lib/util.h"
#include "netplug/cni/cni.h"

const char *const cni_supported_versions[] = { "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0", NULL };

int
cni_version_num (const char *v)
{
  if (v == NULL)
    return -1;
  for (size_t i = 0; cni_supported_versions[i]; i++)
    if (strcmp (v, cni_supported_versions[i]) == 0)
      {
        int a = 0, b = 0, c = 0;
        sscanf (v, "%d.%d.%d", &a, &b, &c);
        return a * 10000 + b * 100 + c;
      }
  return -1;
}

bool
cni_version_supported (const char *v)
{
  return cni_version_num (v) >= 0;
}

static const char *const cmd_names[] = { "", "ADD", "DEL", "CHECK", "GC", "STATUS", "VERSION" };

enum cni_cmd
cni_cmd_parse (const char *s)
{
  if (s == NULL)
    return CNI_CMD_NONE;
  for (int i = 1; i <= CNI_CMD_VERSION; i++)
    if (strcmp (s, cmd_names[i]) == 0)
      return (enum cni_cmd) i;
  return CNI_CMD_NONE;
}

const char *
cni_cmd_name (enum cni_cmd c)
{
  return (c >= 0 && c <= CNI_CMD_VERSION) ? cmd_names[c] : "";
}

void
cni_args_free (struct cni_args *a)
{
  free (a->pod_namespace);
  free (a->pod_name);
  free (a->pod_uid);
  free (a->infra_container_id);
  free (a->mac);
  memset (a, 0, sizeof (*a));
}

int
cni_args_parse (const char *s, struct cni_args *out, cnf_err *err)
{
  memset (out, 0, sizeof (*out));
  if (s == NULL || *s == '\0')
    return 0;
  cleanup_free char *copy = xstrdup (s);
  cleanup_free char *unknown = NULL;
  char *save = NULL;
  /* IgnoreUnknown may come after the unknown key: decide at the end. */
  for (char *kv = strtok_r (copy, ";", &save); kv; kv = strtok_r (NULL, ";", &save))
    {
      char *eq = strchr (kv, '=');
      if (eq == NULL || eq == kv)
        {
          cni_args_free (out);
          return cnf_err_set_code (err, CNI_ERR_INVALID_ENV, 0, "CNI_ARGS: invalid pair '%s': expected KEY=VALUE", kv);
        }
      *eq = '\0';
      const char *k = kv, *v = eq + 1;
      char **slot = NULL;
      if (strcmp (k, "K8S_POD_NAMESPACE") == 0)
        slot = &out->pod_namespace;
      else if (strcmp (k, "K8S_POD_NAME") == 0)
        slot = &out->pod_name;
      else if (strcmp (k, "K8S_POD_UID") == 0)
        slot = &out->pod_uid;
      else if (strcmp (k, "K8S_POD_INFRA_CONTAINER_ID") == 0)
        slot = &out->infra_container_id;
      else if (strcmp (k, "MAC") == 0)
        slot = &out->mac;
      else if (strcmp (k, "IgnoreUnknown") == 0)
        {
          if (strcasecmp (v, "1") == 0 || strcasecmp (v, "true") == 0)
            out->ignore_unknown = true;
          else if (strcasecmp (v, "0") != 0 && strcasecmp (v, "false") != 0)
            {
              cni_args_free (out);
              return cnf_err_set_code (err, CNI_ERR_INVALID_ENV, 0, "CNI_ARGS: IgnoreUnknown: invalid boolean '%s'", v);
            }
          continue;
        }
      if (slot == NULL)
        {
          if (unknown == NULL)
            unknown = xstrdup (k);
          continue;
        }
      free (*slot);
      *slot = xstrdup (v);
    }
  if (unknown && !out->ignore_unknown)
    {
      cni_args_free (out);
      return cnf_err_set_code (err, CNI_ERR_INVALID_ENV, 0, "CNI_ARGS: unknown key '%s' (set IgnoreUnknown=1 to ignore)", unknown);
    }
  return 0;
}

bool
cni_valid_container_id (const char *s)
{
  if (s == NULL || !isalnum ((unsigned char) s[0]))
    return false;
  for (const char *p = s; *p; p++)
    if (!isalnum ((unsigned char) *p) && *p != '_' && *p != '.' && *p != '-')
      return false;
  return true;
}

bool
cni_valid_ifname (const char *s)
{
  if (s == NULL || *s == '\0' || strlen (s) > 15 || strcmp (s, ".") == 0 || strcmp (s, "..") == 0)
    return false;
  for (const char *p = s; *p; p++)
    if (*p == '/' || *p == ':' || isspace ((unsigned char) *p) || !isprint ((unsigned char) *p))
      return false;
  return true;
}

static const char *
env_nonempty (const char *name)
{
  const char *v = getenv (name);
  return (v && *v) ? v : NULL;
}

int
cni_env_load (struct cni_env *env, cnf_err *err)
{
  memset (env, 0, sizeof (*env));
  const char *c = getenv ("CNI_COMMAND");
  if (c == NULL || *c == '\0')
    return cnf_err_set_code (err, CNI_ERR_INVALID_ENV, 0, "CNI_COMMAND is not set");
  env->cmd = cni_cmd_parse (c);
  if (env->cmd == CNI_CMD_NONE)
    return cnf_err_set_code (err, CNI_ERR_INVALID_ENV, 0, "CNI_COMMAND: unknown command '%s'", c);
  env->container_id = env_nonempty ("CNI_CONTAINERID");
  env->netns = env_nonempty ("CNI_NETNS");
  env->ifname = env_nonempty ("CNI_IFNAME");
  env->path = env_nonempty ("CNI_PATH");
  env->args_raw = env_nonempty ("CNI_ARGS");
  bool attach = env->cmd == CNI_CMD_ADD || env->cmd == CNI_CMD_DEL || env->cmd == CNI_CMD_CHECK;
  if (attach)
    {
      if (env->container_id == NULL)
        return cnf_err_set_code (err, CNI_ERR_INVALID_ENV, 0, "CNI_CONTAINERID is not set");
      if (!cni_valid_container_id (env->container_id))
        return cnf_err_set_code (err, CNI_ERR_INVALID_ENV, 0, "CNI_CONTAINERID: invalid '%s': must start with an alphanumeric and contain only [A-Za-z0-9_.-]", env->container_id);
      if (env->ifname == NULL)
        return cnf_err_set_code (err, CNI_ERR_INVALID_ENV, 0, "CNI_IFNAME is not set");
      if (!cni_valid_ifname (env->ifname))
        return cnf_err_set_code (err, CNI_ERR_INVALID_ENV, 0, "CNI_IFNAME: invalid interface name '%s'", env->ifname);
      if (env->cmd != CNI_CMD_DEL && env->netns == NULL)
        return cnf_err_set_code (err, CNI_ERR_INVALID_ENV, 0, "CNI_NETNS is not set");
      if (env->netns && env->netns[0] != '/')
        return cnf_err_set_code (err, CNI_ERR_INVALID_ENV, 0, "CNI_NETNS: '%s' is not an absolute path", env->netns);
    }
  if (env->cmd != CNI_CMD_VERSION && env->path == NULL)
    return cnf_err_set_code (err, CNI_ERR_INVALID_ENV, 0, "CNI_PATH is not set");
  if (env->cmd != CNI_CMD_VERSION)
    return cni_args_parse (env->args_raw, &env->args, err);
  return 0;
}

void
cni_env_free (struct cni_env *env)
{
  cni_args_free (&env->args);
}

char *
cni_error_json (const char *version, int code, const char *msg, const char *details)
{
  json_writer *w = json_writer_new (false);
  json_w_obj_open (w);
  json_w_kstr (w, "cniVersion", cni_version_supported (version) ? version : CNI_VERSION_LATEST);
  json_w_kint (w, "code", code);
  json_w_kstr (w, "msg", msg ? msg : "");
  if (details && *details)
    json_w_kstr (w, "details", details);
  json_w_obj_close (w);
  return json_writer_steal (w, NULL);
}

/* ---- result model ---- */

void
cni_result_free (struct cni_result *r)
{
  for (size_t i = 0; i < r->n_ifaces; i++)
    {
      free (r->ifaces[i].name);
      free (r->ifaces[i].mac);
      free (r->ifaces[i].sandbox);
      free (r->ifaces[i].socket_path);
      free (r->ifaces[i].pci_id);
    }
  for (size_t i = 0; i < r->n_ips; i++)
    {
      free (r->ips[i].address);
      free (r->ips[i].gateway);
    }
  for (size_t i = 0; i < r->n_routes; i++)
    {
      free (r->routes[i].dst);
      free (r->routes[i].gw);
    }
  free (r->ifaces);
  free (r->ips);
  free (r->routes);
  json_free (r->dns_root);
  memset (r, 0, sizeof (*r));
}

bool
cni_addr_is_v6 (const char *addr)
{
  return addr && strchr (addr, ':') != NULL;
}

size_t
cni_result_add_iface (struct cni_result *r, const char *name, const char *mac, const char *sandbox)
{
  r->ifaces = xrealloc (r->ifaces, (r->n_ifaces + 1) * sizeof (*r->ifaces));
  struct cni_iface *f = &r->ifaces[r->n_ifaces];
  memset (f, 0, sizeof (*f));
  f->name = xstrdup (name);
  f->mac = xstrdup (mac);
  f->sandbox = xstrdup (sandbox);
  return r->n_ifaces++;
}

static char *
str_member (const json_value *o, const char *k)
{
  return xstrdup (json_string (json_get (o, k)));
}

static int
int_member (const json_value *o, const char *k, int dflt)
{
  int64_t v;
  if (json_get_int64 (json_get (o, k), &v) < 0)
    return dflt;
  return (int) v;
}

int
cni_result_from_json (const json_value *v, struct cni_result *r, cnf_err *err)
{
  memset (r, 0, sizeof (*r));
  if (json_typeof (v) != JSON_OBJECT)
    return cnf_err_set_code (err, CNI_ERR_DECODE, 0, "result: not an object");
  const json_value *ifs = json_get (v, "interfaces");
  for (size_t i = 0; i < json_len (ifs); i++)
    {
      const json_value *o = json_at (ifs, i);
      if (json_typeof (o) != JSON_OBJECT)
        goto bad;
      size_t k = cni_result_add_iface (r, json_string (json_get (o, "name")), json_string (json_get (o, "mac")),
                                       json_string (json_get (o, "sandbox")));
      r->ifaces[k].mtu = int_member (o, "mtu", 0);
      r->ifaces[k].socket_path = str_member (o, "socketPath");
      r->ifaces[k].pci_id = str_member (o, "pciID");
    }
  const json_value *ips = json_get (v, "ips");
  for (size_t i = 0; i < json_len (ips); i++)
    {
      const json_value *o = json_at (ips, i);
      const char *a = json_string (json_get (o, "address"));
      if (a == NULL)
        goto bad;
      r->ips = xrealloc (r->ips, (r->n_ips + 1) * sizeof (*r->ips));
      struct cni_ip *ip = &r->ips[r->n_ips++];
      ip->address = xstrdup (a);
      ip->gateway = str_member (o, "gateway");
      ip->iface = int_member (o, "interface", -1);
      if (ip->iface >= (int) r->n_ifaces)
        ip->iface = -1;
    }
  const json_value *routes = json_get (v, "routes");
  for (size_t i = 0; i < json_len (routes); i++)
    {
      const json_value *o = json_at (routes, i);
      const char *d = json_string (json_get (o, "dst"));
      if (d == NULL)
        goto bad;
      r->routes = xrealloc (r->routes, (r->n_routes + 1) * sizeof (*r->routes));
      struct cni_route *rt = &r->routes[r->n_routes++];
      memset (rt, 0, sizeof (*rt));
      rt->dst = xstrdup (d);
      rt->gw = str_member (o, "gw");
      rt->mtu = int_member (o, "mtu", 0);
      rt->advmss = int_member (o, "advmss", 0);
      rt->priority = int_member (o, "priority", 0);
      rt->table = int_member (o, "table", 0);
      rt->scope = int_member (o, "scope", -1);
    }
  const json_value *dns = json_get (v, "dns");
  if (dns && json_typeof (dns) == JSON_OBJECT)
    {
      /* Keep a private copy: the caller may free its tree. */
      json_writer *w = json_writer_new (false);
      json_w_value (w, dns);
      size_t len;
      cleanup_free char *t = json_writer_steal (w, &len);
      char eb[128];
      r->dns_root = json_parse (t, len, eb, sizeof eb);
      r->dns = r->dns_root;
    }
  return 0;
bad:
  cni_result_free (r);
  return cnf_err_set_code (err, CNI_ERR_DECODE, 0, "result: malformed interfaces/ips/routes");
}

int
cni_result_parse (const char *text, size_t len, struct cni_result *r, cnf_err *err)
{
  char eb[256];
  json_value *v = json_parse (text, len, eb, sizeof eb);
  if (v == NULL)
    return cnf_err_set_code (err, CNI_ERR_DECODE, 0, "result: %s", eb);
  int ret = cni_result_from_json (v, r, err);
  json_free (v);
  return ret;
}

void
cni_result_write (json_writer *w, const struct cni_result *r, const char *version)
{
  int vn = cni_version_num (version);
  if (vn < 0)
    {
      version = CNI_VERSION_LATEST;
      vn = cni_version_num (version);
    }
  bool v11 = vn >= 10100, old = vn < 10000;
  json_w_obj_open (w);
  json_w_kstr (w, "cniVersion", version);
  if (r->n_ifaces)
    {
      json_w_key (w, "interfaces");
      json_w_arr_open (w);
      for (size_t i = 0; i < r->n_ifaces; i++)
        {
          const struct cni_iface *f = &r->ifaces[i];
          json_w_obj_open (w);
          json_w_kstr (w, "name", f->name ? f->name : "");
          if (f->mac)
            json_w_kstr (w, "mac", f->mac);
          if (v11 && f->mtu > 0)
            json_w_kint (w, "mtu", f->mtu);
          if (f->sandbox)
            json_w_kstr (w, "sandbox", f->sandbox);
          if (v11 && f->socket_path)
            json_w_kstr (w, "socketPath", f->socket_path);
          if (v11 && f->pci_id)
            json_w_kstr (w, "pciID", f->pci_id);
          json_w_obj_close (w);
        }
      json_w_arr_close (w);
    }
  if (r->n_ips)
    {
      json_w_key (w, "ips");
      json_w_arr_open (w);
      for (size_t i = 0; i < r->n_ips; i++)
        {
          const struct cni_ip *ip = &r->ips[i];
          json_w_obj_open (w);
          if (old)
            json_w_kstr (w, "version", cni_addr_is_v6 (ip->address) ? "6" : "4");
          if (ip->iface >= 0 && ip->iface < (int) r->n_ifaces)
            json_w_kint (w, "interface", ip->iface);
          json_w_kstr (w, "address", ip->address);
          if (ip->gateway)
            json_w_kstr (w, "gateway", ip->gateway);
          json_w_obj_close (w);
        }
      json_w_arr_close (w);
    }
  if (r->n_routes)
    {
      json_w_key (w, "routes");
      json_w_arr_open (w);
      for (size_t i = 0; i < r->n_routes; i++)
        {
          const struct cni_route *rt = &r->routes[i];
          json_w_obj_open (w);
          json_w_kstr (w, "dst", rt->dst);
          if (rt->gw)
            json_w_kstr (w, "gw", rt->gw);
          if (v11)
            {
              if (rt->mtu)
                json_w_kint (w, "mtu", rt->mtu);
              if (rt->advmss)
                json_w_kint (w, "advmss", rt->advmss);
              if (rt->priority)
                json_w_kint (w, "priority", rt->priority);
              if (rt->table)
                json_w_kint (w, "table", rt->table);
              if (rt->scope >= 0)
                json_w_kint (w, "scope", rt->scope);
            }
          json_w_obj_close (w);
        }
      json_w_arr_close (w);
    }
  if (r->dns)
    {
      json_w_key (w, "dns");
      json_w_value (w, r->dns);
    }
  else
    {
      json_w_key (w, "dns");
      json_w_obj_open (w);
      json_w_obj_close (w);
    }
  json_w_obj_close (w);
}

char *
cni_result_to_string (const struct cni_result *r, const char *version)
{
  json_writer *w = json_writer_new (false);
  cni_result_write (w, r, version);
  return json_writer_steal (w, NULL);
}

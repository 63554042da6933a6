/* main.c — netplug, a CNI 1.1 plugin: SR-IOV VFs (netdev or DPDK-bound) and memif /
 * vhost-user / tap ports on netplugd.  Reads CNI_* and the config on stdin, writes a result
 * or a {cniVersion, code, msg, details} error on stdout, exit status 0 or 1. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "lib/log.h"
#include "lib/util.h"
#include "netplug/cni/cache.h"
#include "netplug/cni/ipam.h"
#include "netplug/cni/netplug.h"

static int
emit_error (const char *version, cnf_err *err)
{
  if (*err == NULL) /* a failure path that forgot its error: still answer in CNI terms */
    cnf_err_set_code (err, CNI_ERR_DEVICE, 0, "internal error (no detail)");
  int code = (*err)->code ? (*err)->code : CNI_ERR_DEVICE;
  cleanup_free char *j = cni_error_json (version, code, (*err)->msg, NULL);
  printf ("%s\n", j);
  fflush (stdout);
  log_error ("%s", (*err)->msg);
  cnf_err_free (err);
  return 1;
}

static int
cmd_version (const char *in, size_t len)
{
  char eb[128];
  json_value *v = json_parse (in, len, eb, sizeof eb);
  const char *want = json_string (json_get (v, "cniVersion"));
  json_writer *w = json_writer_new (false);
  json_w_obj_open (w);
  json_w_kstr (w, "cniVersion", want && cni_version_supported (want) ? want : CNI_VERSION_LATEST);
  json_w_key (w, "supportedVersions");
  json_w_arr_open (w);
  for (size_t i = 0; cni_supported_versions[i]; i++)
    json_w_str (w, cni_supported_versions[i]);
  json_w_arr_close (w);
  json_w_obj_close (w);
  cleanup_free char *t = json_writer_steal (w, NULL);
  printf ("%s\n", t);
  json_free (v);
  return 0;
}

/* Tear down one cached attachment (DEL and GC). */
static int
del_entry (const char *cid, const char *ifname, const char *netns, json_value *e, cnf_err *err)
{
  const char *kind = json_string (json_get (e, "kind"));
  if (kind && strcmp (kind, "port") == 0)
    return port_del_entry (cid, ifname, netns, e, err);
  return sriov_del_entry (cid, ifname, netns, e, err);
}

static int
cmd_del (struct np_call *c, cnf_err *err)
{
  json_value *e = NULL;
  if (np_cache_read (c->env.container_id, c->env.ifname, &e, err) < 0)
    return -1;
  if (e && del_entry (c->env.container_id, c->env.ifname, c->env.netns, e, err) < 0)
    {
      json_free (e);
      return -1;
    }
  json_free (e);
  if (c->conf.ipam_type && np_ipam_run (&c->conf, c->env.path, CNI_CMD_DEL, err) < 0)
    return -1;
  np_cache_remove (c->env.container_id, c->env.ifname);
  return 0;
}

struct gc_ctx
{
  struct np_call *c;
  const json_value *valid;
  int removed;
};

static int
gc_one (const char *file, json_value *e, void *arg)
{
  struct gc_ctx *g = arg;
  const char *net = json_string (json_get (e, "network"));
  const char *cid = json_string (json_get (e, "containerID"));
  const char *ifn = json_string (json_get (e, "ifname"));
  if (net == NULL || cid == NULL || ifn == NULL || strcmp (net, g->c->conf.name) != 0)
    return 0;
  for (size_t i = 0; i < json_len (g->valid); i++)
    {
      const json_value *a = json_at (g->valid, i);
      const char *vc = json_string (json_get (a, "containerID")), *vi = json_string (json_get (a, "ifname"));
      if (vc && vi && strcmp (vc, cid) == 0 && strcmp (vi, ifn) == 0)
        return 0;
    }
  cnf_err err = NULL;
  if (del_entry (cid, ifn, NULL, e, &err) < 0)
    {
      log_warn ("GC %s/%s: %s", cid, ifn, err->msg);
      cnf_err_free (&err);
      return -1;
    }
  /* Release the address with the config the attachment was made with. */
  const char *cfg = json_string (json_get (e, "config"));
  struct np_config old;
  if (cfg && np_config_parse (cfg, strlen (cfg), CNI_CMD_DEL, &old, &err) == 0 && old.ipam_type)
    {
      setenv ("CNI_CONTAINERID", cid, 1);
      setenv ("CNI_IFNAME", ifn, 1);
      unsetenv ("CNI_NETNS");
      if (np_ipam_run (&old, g->c->env.path, CNI_CMD_DEL, &err) < 0)
        log_warn ("GC %s/%s: %s", cid, ifn, err->msg);
    }
  cnf_err_free (&err);
  np_config_free (&old);
  np_cache_remove (cid, ifn);
  g->removed++;
  return 0;
}

static int
cmd_gc (struct np_call *c, cnf_err *err)
{
  struct gc_ctx g = { .c = c };
  g.valid = json_get (c->conf.root, "cni.dev/valid-attachments");
  if (g.valid == NULL)
    g.valid = json_get (c->conf.root, "cni.dev/attachments");
  /* Without the list every attachment would look stale: refuse rather than wipe the node. */
  if (g.valid == NULL || json_typeof (g.valid) != JSON_ARRAY)
    return cnf_err_set_code (err, CNI_ERR_INVALID_CONFIG, 0, "config: GC needs cni.dev/valid-attachments (an array)");
  if (np_cache_foreach (gc_one, &g, err) < 0)
    return -1;
  /* Ports whose cache entry was lost are still known to netplugd by their owner. */
  if (c->conf.mode != NP_MODE_SRIOV)
    g.removed += port_gc (c, g.valid);
  unsetenv ("CNI_CONTAINERID");
  unsetenv ("CNI_IFNAME");
  if (c->conf.ipam_type && np_ipam_run (&c->conf, c->env.path, CNI_CMD_GC, err) < 0)
    return -1;
  return 0;
}

static int
cmd_check (struct np_call *c, cnf_err *err)
{
  json_value *e = NULL;
  if (np_cache_read (c->env.container_id, c->env.ifname, &e, err) < 0)
    return -1;
  if (e == NULL)
    return cnf_err_set_code (err, CNI_ERR_UNKNOWN_CONTAINER, 0, "CHECK: no attachment %s/%s", c->env.container_id, c->env.ifname);
  const char *kind = json_string (json_get (e, "kind"));
  int r = (kind && strcmp (kind, "port") == 0) ? port_check (c, e, err) : sriov_check (c, e, err);
  json_free (e);
  if (r < 0)
    return -1;
  if (c->conf.ipam_type && np_ipam_run (&c->conf, c->env.path, CNI_CMD_CHECK, err) < 0)
    return -1;
  return 0;
}

static int
cmd_status (struct np_call *c, cnf_err *err)
{
  if (c->conf.mode != NP_MODE_SRIOV && port_status (c, err) < 0)
    return -1;
  if (c->conf.ipam_type && np_ipam_run (&c->conf, c->env.path, CNI_CMD_STATUS, err) < 0)
    return -1;
  return 0;
}

int
main (int argc, char **argv)
{
  cnf_err err = NULL;
  log_set_prefix ("netplug");
  if (argc > 1 && (strcmp (argv[1], "--version") == 0 || strcmp (argv[1], "-v") == 0))
    {
      printf ("netplug CNI plugin %s (commit %s), CNI %s\n", PACKAGE_VERSION, GIT_COMMIT, CNI_VERSION_LATEST);
      return 0;
    }
  cleanup_free char *in = NULL;
  size_t len = 0;
  struct np_call c = { 0 };
  const char *cmdname = getenv ("CNI_COMMAND");
  if (cmdname && strcmp (cmdname, "VERSION") == 0)
    {
      if (read_fd_all (0, &in, &len, &err) < 0)
        cnf_err_free (&err);
      return cmd_version (in ? in : "", in ? len : 0);
    }
  if (cni_env_load (&c.env, &err) < 0)
    {
      char eb[64];
      json_value *v = read_fd_all (0, &in, &len, NULL) == 0 ? json_parse (in, len, eb, sizeof eb) : NULL;
      const char *ver = json_string (json_get (v, "cniVersion"));
      cleanup_free char *vcopy = xstrdup (ver);
      json_free (v);
      cni_env_free (&c.env);
      return emit_error (vcopy, &err);
    }
  if (read_fd_all (0, &in, &len, &err) < 0)
    {
      err->code = CNI_ERR_IO;
      return emit_error (NULL, &err);
    }
  int ret = -1;
  cleanup_free char *out = NULL;
  if (np_config_parse (in, len, c.env.cmd, &c.conf, &err) < 0)
    {
      cleanup_free char *ver = xstrdup (c.conf.cni_version);
      np_config_free (&c.conf);
      cni_env_free (&c.env);
      return emit_error (ver, &err);
    }
  c.version = c.conf.cni_version;
  switch (c.env.cmd)
    {
    case CNI_CMD_ADD:
      ret = c.conf.mode == NP_MODE_SRIOV ? sriov_add (&c, &out, &err) : port_add (&c, &out, &err);
      break;
    case CNI_CMD_DEL:
      ret = cmd_del (&c, &err);
      break;
    case CNI_CMD_CHECK:
      ret = cmd_check (&c, &err);
      break;
    case CNI_CMD_GC:
      ret = cmd_gc (&c, &err);
      break;
    case CNI_CMD_STATUS:
      ret = cmd_status (&c, &err);
      break;
    default:
      ret = cnf_err_set_code (&err, CNI_ERR_INVALID_ENV, 0, "unsupported command");
    }
  int rc = 0;
  if (ret < 0)
    rc = emit_error (c.version, &err);
  else if (out)
    printf ("%s\n", out);
  np_config_free (&c.conf);
  cni_env_free (&c.env);
  return rc;
}

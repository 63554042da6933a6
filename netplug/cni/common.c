/* common.c — what every mode shares: fault injection, device-info files, result assembly. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "lib/debug_stage.h"
#include "lib/util.h"
#include "netplug/cni/netplug.h"

static int step_no;

int
np_step (const char *what, cnf_err *err)
{
  step_no++;
  cnf_debug_kill_at ("NETPLUG_DEBUG_KILL_AT", what);
  const char *f = getenv ("NETPLUG_DEBUG_FAIL_AFTER");
  if (f && *f && atoi (f) == step_no)
    return cnf_err_set_code (err, CNI_ERR_INJECTED, 0, "injected failure after step %d (%s)", step_no, what);
  return 0;
}

void
np_devinfo_remove (const char *path)
{
  if (path)
    unlink (path);
}

int
np_devinfo_write (const struct np_call *c, const char *type, const char *body_key, const char *body_json,
                  char **path_out, cnf_err *err)
{
  cleanup_free char *path = NULL;
  if (c->conf.devinfo_file)
    path = xstrdup (c->conf.devinfo_file);
  else
    {
      const char *d = getenv ("NETPLUG_DEVINFO_DIR");
      path = xasprintf ("%s/%s-%s-device.json", (d && *d) ? d : "/var/run/k8s.cni.cncf.io/devinfo/cni",
                        c->env.container_id, c->env.ifname);
    }
  cleanup_free char *dir = xstrdup (path);
  char *slash = strrchr (dir, '/');
  *slash = '\0';
  if (dir[0] && mkdir_p_at (AT_FDCWD, dir, 0755, err) < 0)
    return -1;
  cleanup_close int dfd = open (dir[0] ? dir : "/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (dfd < 0)
    return cnf_err_set_code (err, CNI_ERR_IO, errno, "open %s", dir);
  cleanup_free char *text = xasprintf ("{\"type\":\"%s\",\"version\":\"1.1.0\",\"%s\":%s}\n", type, body_key, body_json);
  if (write_file_atomic_at (dfd, slash + 1, text, strlen (text), 0644, err) < 0)
    return cnf_err_wrap (err, "device-info file");
  *path_out = steal_ptr (&path);
  return 0;
}

int
np_result_init (const struct np_call *c, struct cni_result *r, cnf_err *err)
{
  memset (r, 0, sizeof (*r));
  if (c->conf.prev_result == NULL)
    return 0;
  if (cni_result_from_json (c->conf.prev_result, r, err) < 0)
    return cnf_err_wrap (err, "prevResult");
  return 0;
}

void
np_result_merge_ipam (struct cni_result *r, struct cni_result *ipam, int idx)
{
  for (size_t i = 0; i < ipam->n_ips; i++)
    {
      r->ips = xrealloc (r->ips, (r->n_ips + 1) * sizeof (*r->ips));
      r->ips[r->n_ips] = ipam->ips[i];
      r->ips[r->n_ips++].iface = idx;
    }
  for (size_t i = 0; i < ipam->n_routes; i++)
    {
      r->routes = xrealloc (r->routes, (r->n_routes + 1) * sizeof (*r->routes));
      r->routes[r->n_routes++] = ipam->routes[i];
    }
  free (ipam->ips);
  free (ipam->routes);
  ipam->ips = NULL;
  ipam->routes = NULL;
  ipam->n_ips = ipam->n_routes = 0;
  if (ipam->dns && r->dns == NULL)
    {
      r->dns_root = ipam->dns_root;
      r->dns = ipam->dns;
      ipam->dns_root = NULL;
      ipam->dns = NULL;
    }
}

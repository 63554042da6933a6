/* systemd.c — the --systemd-cgroup driver: the container's cgroup is a transient scope,
 * started over D-Bus (sd-bus) with the init's pid and Delegate=yes.  The properties systemd
 * owns (CPUWeight, CPUQuota, MemoryMax, TasksMax, AllowedCPUs, AllowedMemoryNodes) go in the
 * StartTransientUnit call so that a daemon-reload does not undo them; then every resource is
 * written into the scope's cgroup as with the cgroupfs driver (same values, plus what systemd
 * has no property for). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "internal.h"
#include "../lib/log.h"
#include "../lib/util.h"

#ifdef HAVE_SYSTEMD
#include <dlfcn.h>
#include <systemd/sd-bus.h>

/* libsystemd is loaded on first use, not linked: linked, it cost every cnfrun call ~1.5 ms and
 * ~1 MiB of RSS (it pulls in libgcrypt, lz4, zstd and lzma), and only --systemd-cgroup needs it.
 * The header still gives the types and prototypes the pointers are checked against. */
static struct
{
  bool tried;
  void *lib;
  __typeof__ (sd_bus_call) *call;
  __typeof__ (sd_bus_call_method) *call_method;
  __typeof__ (sd_bus_error_free) *error_free;
  __typeof__ (sd_bus_error_has_name) *error_has_name;
  __typeof__ (sd_bus_message_append) *message_append;
  __typeof__ (sd_bus_message_append_array) *message_append_array;
  __typeof__ (sd_bus_message_close_container) *message_close_container;
  __typeof__ (sd_bus_message_new_method_call) *message_new_method_call;
  __typeof__ (sd_bus_message_open_container) *message_open_container;
  __typeof__ (sd_bus_message_unref) *message_unref;
  __typeof__ (sd_bus_open_system) *open_system;
  __typeof__ (sd_bus_unref) *unref;
  char why[512]; /* why it could not be loaded */
} sdb;

static int
sdb_load (cnf_err *err)
{
  if (!sdb.tried)
    {
      sdb.tried = true;
      sdb.lib = cnf_dlopen ("libsystemd.so.0", sdb.why, sizeof sdb.why);
      if (sdb.lib)
        {
#define SDB_SYM(field, name) (sdb.field = (__typeof__ (sdb.field)) dlsym (sdb.lib, name)) != NULL
          if (!(SDB_SYM (call, "sd_bus_call") && SDB_SYM (call_method, "sd_bus_call_method")
                && SDB_SYM (error_free, "sd_bus_error_free") && SDB_SYM (error_has_name, "sd_bus_error_has_name")
                && SDB_SYM (message_append, "sd_bus_message_append")
                && SDB_SYM (message_append_array, "sd_bus_message_append_array")
                && SDB_SYM (message_close_container, "sd_bus_message_close_container")
                && SDB_SYM (message_new_method_call, "sd_bus_message_new_method_call")
                && SDB_SYM (message_open_container, "sd_bus_message_open_container")
                && SDB_SYM (message_unref, "sd_bus_message_unref") && SDB_SYM (open_system, "sd_bus_open_system")
                && SDB_SYM (unref, "sd_bus_unref")))
            {
              snprintf (sdb.why, sizeof sdb.why, "it lacks one of the sd-bus functions cnfrun calls");
              dlclose (sdb.lib);
              sdb.lib = NULL;
            }
#undef SDB_SYM
        }
    }
  if (sdb.lib == NULL)
    return cnf_err_set (err, 0, "--systemd-cgroup: cannot load libsystemd.so.0 (Debian package libsystemd0): %s",
                        sdb.why);
  return 0;
}

#define sd_bus_call (*sdb.call)
#define sd_bus_call_method (*sdb.call_method)
#define sd_bus_error_free (*sdb.error_free)
#define sd_bus_error_has_name (*sdb.error_has_name)
#define sd_bus_message_append (*sdb.message_append)
#define sd_bus_message_append_array (*sdb.message_append_array)
#define sd_bus_message_close_container (*sdb.message_close_container)
#define sd_bus_message_new_method_call (*sdb.message_new_method_call)
#define sd_bus_message_open_container (*sdb.message_open_container)
#define sd_bus_message_unref (*sdb.message_unref)
#define sd_bus_open_system (*sdb.open_system)
#define sd_bus_unref (*sdb.unref)

/* Properties systemd owns, from r (may be NULL). */
static int
append_props (sd_bus_message *m, const struct cg_resources *r)
{
  int k = 0;
  if (r == NULL)
    return 0;
  if (r->has_cpu_shares && r->cpu_shares)
    k = sd_bus_message_append (m, "(sv)", "CPUWeight", "t", cg_shares_to_weight (r->cpu_shares));
  if (k >= 0 && r->has_cpu_quota && r->cpu_quota > 0)
    {
      uint64_t period = r->has_cpu_period && r->cpu_period ? r->cpu_period : 100000;
      /* CPUQuotaPerSecUSec: quota per second of wall time */
      k = sd_bus_message_append (m, "(sv)", "CPUQuotaPerSecUSec", "t",
                                 (uint64_t) r->cpu_quota * 1000000 / period);
      if (k >= 0 && r->has_cpu_period && r->cpu_period)
        k = sd_bus_message_append (m, "(sv)", "CPUQuotaPeriodUSec", "t", r->cpu_period);
    }
  if (k >= 0 && r->has_mem_limit && r->mem_limit != 0)
    k = sd_bus_message_append (m, "(sv)", "MemoryMax", "t", r->mem_limit < 0 ? UINT64_MAX : (uint64_t) r->mem_limit);
  if (k >= 0 && r->has_pids_limit)
    k = sd_bus_message_append (m, "(sv)", "TasksMax", "t", r->pids_limit <= 0 ? UINT64_MAX : (uint64_t) r->pids_limit);
  return k;
}

static int
append_bytes_prop (sd_bus_message *m, const char *prop, const char *list)
{
  struct cpumask c = { 0 };
  size_t nbytes, i;
  uint8_t *bytes;
  int r;
  if (list == NULL || list[0] == '\0')
    return 0;
  if (cpumask_parse_list (list, &c) < 0)
    return -EINVAL;
  nbytes = c.nwords * 8;
  bytes = xzalloc (nbytes ? nbytes : 1);
  for (i = 0; i < nbytes * 8; i++)
    if (cpumask_test (&c, i))
      bytes[i / 8] |= (uint8_t) (1u << (i % 8));
  while (nbytes > 0 && bytes[nbytes - 1] == 0)
    nbytes--;
  r = sd_bus_message_open_container (m, 'r', "sv");
  if (r >= 0)
    r = sd_bus_message_append (m, "s", prop);
  if (r >= 0)
    r = sd_bus_message_open_container (m, 'v', "ay");
  if (r >= 0)
    r = sd_bus_message_append_array (m, 'y', bytes, nbytes);
  if (r >= 0)
    r = sd_bus_message_close_container (m);
  if (r >= 0)
    r = sd_bus_message_close_container (m);
  free (bytes);
  cpumask_free (&c);
  return r;
}

static int
bus_open (sd_bus **bus, cnf_err *err)
{
  int r;
  if (sdb_load (err) < 0)
    return -1;
  r = sd_bus_open_system (bus);
  if (r < 0)
    return cnf_err_set (err, -r, "--systemd-cgroup: connect to the systemd system bus");
  return 0;
}

int
cg_systemd_start (struct cg_handle *h, pid_t pid, const struct cg_resources *res, cnf_err *err)
{
  sd_bus *bus = NULL;
  sd_bus_message *m = NULL, *reply = NULL;
  sd_bus_error e = SD_BUS_ERROR_NULL;
  int r, i;

  if (bus_open (&bus, err) < 0)
    return -1;
  if (pid == 0)
    {
      /* update: change the properties of the running scope */
      r = sd_bus_message_new_method_call (bus, &m, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                          "org.freedesktop.systemd1.Manager", "SetUnitProperties");
      if (r >= 0)
        r = sd_bus_message_append (m, "sb", h->unit, 1);
    }
  else
    {
      r = sd_bus_message_new_method_call (bus, &m, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                          "org.freedesktop.systemd1.Manager", "StartTransientUnit");
      if (r >= 0)
        r = sd_bus_message_append (m, "ss", h->unit, "fail");
    }
  if (r >= 0)
    r = sd_bus_message_open_container (m, 'a', "(sv)");
  if (r >= 0 && pid > 0)
    r = sd_bus_message_append (m, "(sv)(sv)(sv)(sv)(sv)(sv)(sv)", "Description", "s", "cnfrun container", "Slice",
                               "s", h->slice, "Delegate", "b", 1, "PIDs", "au", 1, (uint32_t) pid,
                               "DefaultDependencies", "b", 0, "CPUAccounting", "b", 1, "MemoryAccounting", "b", 1);
  if (r >= 0 && pid > 0)
    r = sd_bus_message_append (m, "(sv)(sv)", "TasksAccounting", "b", 1, "IOAccounting", "b", 1);
  if (r >= 0)
    r = append_props (m, res);
  if (r >= 0 && res)
    r = append_bytes_prop (m, "AllowedCPUs", res->cpus);
  if (r >= 0 && res)
    r = append_bytes_prop (m, "AllowedMemoryNodes", res->mems);
  if (r >= 0)
    r = sd_bus_message_close_container (m);
  if (r >= 0 && pid > 0)
    r = sd_bus_message_append (m, "a(sa(sv))", 0);
  if (r < 0)
    {
      cnf_err_set (err, -r, "--systemd-cgroup: build the D-Bus request for %s", h->unit);
      goto out;
    }
  r = sd_bus_call (bus, m, 30 * 1000000ULL, &e, &reply);
  if (r < 0)
    {
      cnf_err_set (err, -r, "--systemd-cgroup: %s %s: %s", pid ? "start transient unit" : "set properties of",
                   h->unit, e.message ? e.message : "D-Bus call failed");
      goto out;
    }
  if (pid == 0)
    goto out;
  /* The job runs asynchronously; the scope's cgroup appears holding our pid. */
  for (i = 0; i < 500; i++)
    {
      h->dirfd = open (h->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (h->dirfd >= 0)
        break;
      usleep (10000);
    }
  if (h->dirfd < 0)
    {
      r = -1;
      cnf_err_set (err, ETIMEDOUT, "--systemd-cgroup: the scope %s did not appear at %s", h->unit, h->path);
      goto out;
    }
  /* systemd enables only the controllers it knows (not hugetlb, rdma, misc) for a delegated
   * scope; the rest are enabled in the ancestors here, and systemd leaves those alone. */
  {
    const char *need[16];
    size_t nneed = cg_needed_controllers (res, h, need, 16);
    if (cg_enable_controllers (h->mount, h->rel, need, nneed, err) < 0)
      r = -1;
  }
  if (r < 0 || cg_apply (h, res, false, err) < 0 || cg_isolation_setup (h, res, err) < 0)
    {
      cg_systemd_stop (h, NULL);
      close (h->dirfd);
      h->dirfd = -1;
      r = -1;
      goto out;
    }
  r = 0;
out:
  sd_bus_error_free (&e);
  sd_bus_message_unref (m);
  sd_bus_message_unref (reply);
  sd_bus_unref (bus);
  return r < 0 ? -1 : 0;
}

int
cg_systemd_stop (struct cg_handle *h, cnf_err *err)
{
  sd_bus *bus = NULL;
  sd_bus_error e = SD_BUS_ERROR_NULL;
  int r;
  if (h->unit == NULL)
    return 0;
  if (bus_open (&bus, err) < 0)
    return -1;
  r = sd_bus_call_method (bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                          "org.freedesktop.systemd1.Manager", "StopUnit", &e, NULL, "ss", h->unit, "replace");
  if (r < 0 && !sd_bus_error_has_name (&e, "org.freedesktop.systemd1.NoSuchUnit"))
    cnf_err_set (err, -r, "--systemd-cgroup: stop %s: %s", h->unit, e.message ? e.message : "D-Bus call failed");
  else
    r = 0;
  sd_bus_error_free (&e);
  sd_bus_unref (bus);
  return r < 0 ? -1 : 0;
}

#else

int
cg_systemd_start (struct cg_handle *h, pid_t pid, const struct cg_resources *res, cnf_err *err)
{
  return cnf_err_set (err, ENOTSUP, "--systemd-cgroup: cnfrun was built without libsystemd");
}

int
cg_systemd_stop (struct cg_handle *h, cnf_err *err)
{
  return 0;
}
#endif

/* apply.c — linux.resources onto cgroup v2 files: which controllers a request needs, the
 * checks that run before anything is created, enabling controllers down the path, and the
 * writes themselves (in an order the kernel accepts: cpuset before cpu, limits before swap). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "internal.h"
#include "../lib/log.h"
#include "../lib/util.h"

static const char *const all_controllers[] = { "cpuset", "cpu", "io", "memory", "hugetlb", "pids", "rdma", "misc" };

static void
add_ctrl (const char **out, size_t *n, size_t max, const char *c)
{
  size_t i;
  for (i = 0; i < *n; i++)
    if (strcmp (out[i], c) == 0)
      return;
  if (*n < max)
    out[(*n)++] = c;
}

size_t
cg_needed_controllers (const struct cg_resources *r, const struct cg_handle *h, const char **out, size_t max)
{
  size_t n = 0, i, k;
  if (h && h->iso_cpu_lb)
    add_ctrl (out, &n, max, "cpuset");
  if (h && h->iso_cpu_quota)
    add_ctrl (out, &n, max, "cpu");
  if (r == NULL)
    return n;
  if (r->has_cpu_shares || r->has_cpu_quota || r->has_cpu_period || r->has_cpu_burst || r->has_cpu_idle)
    add_ctrl (out, &n, max, "cpu");
  if ((r->cpus && r->cpus[0]) || (r->mems && r->mems[0]))
    add_ctrl (out, &n, max, "cpuset");
  if (r->has_mem_limit || r->has_mem_reservation || r->has_mem_swap)
    add_ctrl (out, &n, max, "memory");
  if (r->has_pids_limit)
    add_ctrl (out, &n, max, "pids");
  if (r->n_hugepages)
    add_ctrl (out, &n, max, "hugetlb");
  if (r->has_blkio_weight || r->n_weight_devices || r->n_throttle_read_bps || r->n_throttle_write_bps
      || r->n_throttle_read_iops || r->n_throttle_write_iops)
    add_ctrl (out, &n, max, "io");
  if (r->n_rdma)
    add_ctrl (out, &n, max, "rdma");
  for (i = 0; i < r->n_unified; i++)
    {
      const char *key = r->unified[i].key, *dot = key ? strchr (key, '.') : NULL;
      if (dot == NULL)
        continue;
      for (k = 0; k < sizeof all_controllers / sizeof *all_controllers; k++)
        if (strlen (all_controllers[k]) == (size_t) (dot - key) && strncmp (key, all_controllers[k], dot - key) == 0)
          add_ctrl (out, &n, max, all_controllers[k]);
    }
  return n;
}

int
cg_validate (const char *mount, const struct cg_resources *r, const struct cg_handle *h, cnf_err *err)
{
  const char *need[16];
  size_t n = cg_needed_controllers (r, h, need, 16), i;
  cleanup_close int mfd = open (mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  cleanup_free char *have = NULL;
  size_t hl;

  if (mfd < 0)
    return cnf_err_set (err, errno, "open %s", mount);
  if (read_file_at (mfd, "cgroup.controllers", &have, &hl, err) < 0)
    return -1;
  have[strcspn (have, "\n")] = '\0';
  for (i = 0; i < n; i++)
    if (!cg_file_has_word (mfd, "cgroup.controllers", need[i]))
      return cnf_err_set (err, 0, "%s is not enabled on the cgroup v2 hierarchy at %s (it has: %s)", need[i],
                          mount, have[0] ? have : "no controllers");
  if (h && h->iso_cpu_lb && (r == NULL || r->cpus == NULL || r->cpus[0] == '\0'))
    return cnf_err_set (err, EINVAL,
                        "annotation cpu-load-balancing.crio.io=disable needs linux.resources.cpu.cpus to be set");
  if (r == NULL)
    return 0;
  if ((r->has_cpu_rt_runtime && r->cpu_rt_runtime != 0) || (r->has_cpu_rt_period && r->cpu_rt_period != 0))
    return cnf_err_set (err, EOPNOTSUPP,
                        "linux.resources.cpu.realtimeRuntime/realtimePeriod: not supported on cgroup v2");
  if (r->has_net_class_id || r->n_net_priorities)
    log_warn ("linux.resources.network: net_cls/net_prio are cgroup v1 only; ignored on cgroup v2");
  if (r->has_mem_swappiness && r->mem_swappiness != (uint64_t) -1 && r->mem_swappiness != 0)
    log_debug ("linux.resources.memory.swappiness: no cgroup v2 equivalent; ignored");
  if (r->has_disable_oom_killer && r->disable_oom_killer)
    log_warn ("linux.resources.memory.disableOOMKiller: cgroup v2 has no way to disable the OOM killer; ignored");
  if (r->has_mem_swap)
    {
      int64_t v;
      bool set;
      if (cg_swap_to_v2 (r->has_mem_swap, r->mem_swap, r->has_mem_limit, r->mem_limit, &v, &set, err) < 0)
        return -1;
    }
  for (i = 0; i < r->n_hugepages; i++)
    {
      int64_t b = cg_hugepage_size_bytes (r->hugepages[i].page_size);
      char p[96];
      struct stat sb;
      if (b < 0)
        return cnf_err_set (err, EINVAL, "linux.resources.hugepageLimits[%zu].pageSize \"%s\": expected a size like 2MB",
                            i, r->hugepages[i].page_size ? r->hugepages[i].page_size : "");
      snprintf (p, sizeof p, "/sys/kernel/mm/hugepages/hugepages-%" PRId64 "kB", b >> 10);
      if (stat (p, &sb) < 0)
        return cnf_err_set (err, EINVAL, "linux.resources.hugepageLimits[%zu].pageSize \"%s\": this kernel has no such hugepage size",
                            i, r->hugepages[i].page_size);
    }
  for (i = 0; i < r->n_unified; i++)
    {
      const char *k = r->unified[i].key;
      if (k == NULL || k[0] == '\0' || strchr (k, '/') || k[0] == '.' || strchr (k, '.') == NULL)
        return cnf_err_set (err, EINVAL, "linux.resources.unified: \"%s\" is not a cgroup v2 file name", k ? k : "");
      if (str_has_prefix (k, "cgroup.") && strcmp (k, "cgroup.max.depth") && strcmp (k, "cgroup.max.descendants")
          && strcmp (k, "cgroup.freeze") && strcmp (k, "cgroup.type"))
        return cnf_err_set (err, EINVAL, "linux.resources.unified: \"%s\" may not be set by a container config", k);
      if (r->unified[i].value == NULL)
        return cnf_err_set (err, EINVAL, "linux.resources.unified.%s: value must be a string", k);
    }
  return 0;
}

int
cg_enable_controllers (const char *mount, const char *rel, const char *const *ctrls, size_t n, cnf_err *err)
{
  cleanup_free char *copy = xstrdup (rel);
  cleanup_close int fd = open (mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  char *p = copy + 1, *slash;
  size_t k;
  if (fd < 0)
    return cnf_err_set (err, errno, "open %s", mount);
  /* Ancestors only: the leaf holds the container's processes and, by the no-internal-processes
   * rule, may not distribute resources to children. */
  for (;;)
    {
      int nfd;
      /* Each file is read once per level (a kernfs open per controller check added up to ~50
       * opens per create); subtree_control again only after a write changed it. */
      cleanup_free char *avail = NULL, *enabled = NULL;
      size_t len;
      if (read_file_at (fd, "cgroup.controllers", &avail, &len, NULL) < 0)
        avail = xstrdup ("");
      if (read_file_at (fd, "cgroup.subtree_control", &enabled, &len, NULL) < 0)
        enabled = xstrdup ("");
      for (k = 0; k < sizeof all_controllers / sizeof *all_controllers; k++)
        {
          const char *c = all_controllers[k];
          bool needed = false;
          size_t j;
          char buf[32];
          for (j = 0; j < n; j++)
            needed |= strcmp (ctrls[j], c) == 0;
          if (!cg_words_have (avail, c) || cg_words_have (enabled, c))
            {
              if (needed && !cg_words_have (enabled, c))
                return cnf_err_set (err, EOPNOTSUPP, "controller %s is not available in the cgroup above %s%s", c,
                                    mount, rel);
              continue;
            }
          snprintf (buf, sizeof buf, "+%s", c);
          if (write_file_at (fd, "cgroup.subtree_control", buf, strlen (buf), NULL) < 0)
            {
              int e = errno;
              if (needed)
                return cnf_err_set (err, e, "enable %s in %s/%.*s/cgroup.subtree_control%s", c, mount,
                                    (int) (p - copy - 1), copy + 1,
                                    e == EBUSY ? " (that cgroup has processes of its own: choose a cgroupsPath "
                                                 "whose parents hold no processes)" : "");
            }
          else
            {
              free (enabled);
              if (read_file_at (fd, "cgroup.subtree_control", &enabled, &len, NULL) < 0)
                enabled = xstrdup ("");
            }
        }
      slash = strchr (p, '/');
      if (slash == NULL)
        break;
      *slash = '\0';
      nfd = openat (fd, p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (nfd < 0)
        return cnf_err_set (err, errno, "open %s%s", mount, copy);
      close (fd);
      fd = nfd;
      *slash = '/';
      p = slash + 1;
    }
  return 0;
}

static int
wr (struct cg_handle *h, const char *file, const char *val, cnf_err *err)
{
  if (write_file_at (h->dirfd, file, val, strlen (val), NULL) < 0)
    {
      int e = errno;
      return cnf_err_set (err, e, "write \"%s\" to %s/%s", val, h->path, file);
    }
  return 0;
}

static int
wr_u64 (struct cg_handle *h, const char *file, uint64_t v, cnf_err *err)
{
  char b[32];
  snprintf (b, sizeof b, "%" PRIu64, v);
  return wr (h, file, b, err);
}

static bool
has_file (struct cg_handle *h, const char *file)
{
  return faccessat (h->dirfd, file, F_OK, 0) == 0;
}

static int
apply_cpu (struct cg_handle *h, const struct cg_resources *r, bool update, cnf_err *err)
{
  char b[96];
  if (r->has_cpu_shares && r->cpu_shares)
    if (wr_u64 (h, "cpu.weight", cg_shares_to_weight (r->cpu_shares), err) < 0)
      return -1;
  if (h->iso_cpu_quota)
    {
      if (wr (h, "cpu.max", "max", err) < 0)
        return -1;
    }
  else
    {
      bool has_q = r->has_cpu_quota, has_p = r->has_cpu_period;
      int64_t q = r->cpu_quota;
      /* `update --cpu-period` alone keeps the quota in force. */
      if (update && has_p && !has_q)
        {
          cleanup_free char *cur = NULL;
          size_t l;
          if (read_file_at (h->dirfd, "cpu.max", &cur, &l, NULL) == 0 && strncmp (cur, "max", 3) != 0)
            {
              q = strtoll (cur, NULL, 10);
              has_q = true;
            }
        }
      if (cg_cpu_max_text (has_q, q, has_p, r->cpu_period, b, sizeof b) && wr (h, "cpu.max", b, err) < 0)
        return -1;
    }
  if (r->has_cpu_burst)
    {
      if (!has_file (h, "cpu.max.burst"))
        {
          if (r->cpu_burst)
            return cnf_err_set (err, EOPNOTSUPP, "linux.resources.cpu.burst: this kernel has no cpu.max.burst");
        }
      else if (wr_u64 (h, "cpu.max.burst", r->cpu_burst, err) < 0)
        return -1;
    }
  if (r->has_cpu_idle)
    {
      if (!has_file (h, "cpu.idle"))
        {
          if (r->cpu_idle)
            return cnf_err_set (err, EOPNOTSUPP, "linux.resources.cpu.idle: this kernel has no cpu.idle");
        }
      else
        {
          snprintf (b, sizeof b, "%" PRId64, r->cpu_idle);
          if (wr (h, "cpu.idle", b, err) < 0)
            return -1;
        }
    }
  return 0;
}

static int
apply_memory (struct cg_handle *h, const struct cg_resources *r, bool update, cnf_err *err)
{
  char b[32];
  int64_t swap;
  bool set;
  if (r->has_mem_reservation)
    {
      cg_limit_text (r->mem_reservation, b, sizeof b);
      if (wr (h, "memory.low", b, err) < 0)
        return -1;
    }
  if (cg_swap_to_v2 (r->has_mem_swap, r->mem_swap, r->has_mem_limit, r->mem_limit, &swap, &set, err) < 0)
    return -1;
  /* Raising both: memory.max first keeps v1's "limit <= memory+swap" reading sane. */
  if (r->has_mem_limit && r->mem_limit != 0)
    {
      cg_limit_text (r->mem_limit, b, sizeof b);
      if (wr (h, "memory.max", b, err) < 0)
        return -1;
    }
  if (set)
    {
      if (!has_file (h, "memory.swap.max"))
        {
          if (swap != -1)
            return cnf_err_set (err, EOPNOTSUPP, "linux.resources.memory.swap: %s has no memory.swap.max "
                                "(swap accounting is off in this kernel)", h->path);
        }
      else
        {
          cg_limit_text (swap, b, sizeof b);
          if (wr (h, "memory.swap.max", b, err) < 0)
            return -1;
        }
    }
  (void) update;
  return 0;
}

static int
apply_hugetlb (struct cg_handle *h, const struct cg_resources *r, cnf_err *err)
{
  size_t i;
  for (i = 0; i < r->n_hugepages; i++)
    {
      char f[96];
      snprintf (f, sizeof f, "hugetlb.%s.max", r->hugepages[i].page_size);
      if (wr_u64 (h, f, r->hugepages[i].limit, err) < 0)
        return -1;
      /* Reservations are charged at mmap time: a process over the limit gets ENOMEM from mmap
       * instead of SIGBUS on first touch. */
      snprintf (f, sizeof f, "hugetlb.%s.rsvd.max", r->hugepages[i].page_size);
      if (has_file (h, f) && wr_u64 (h, f, r->hugepages[i].limit, err) < 0)
        return -1;
    }
  return 0;
}

static int
write_throttles (struct cg_handle *h, const struct cg_throttle *t, size_t n, const char *key, cnf_err *err)
{
  size_t i;
  for (i = 0; i < n; i++)
    {
      char b[96];
      if (t[i].rate)
        snprintf (b, sizeof b, "%" PRId64 ":%" PRId64 " %s=%" PRIu64, t[i].major, t[i].minor, key, t[i].rate);
      else
        snprintf (b, sizeof b, "%" PRId64 ":%" PRId64 " %s=max", t[i].major, t[i].minor, key);
      if (wr (h, "io.max", b, err) < 0)
        return -1;
    }
  return 0;
}

static int
apply_io (struct cg_handle *h, const struct cg_resources *r, cnf_err *err)
{
  bool bfq = has_file (h, "io.bfq.weight");
  size_t i;
  char b[96];
  if (r->has_blkio_weight && r->blkio_weight)
    {
      /* BFQ takes the blkio range as is; io.weight needs the conversion. */
      if (bfq)
        snprintf (b, sizeof b, "%u", (unsigned) r->blkio_weight);
      else
        snprintf (b, sizeof b, "default %" PRIu64, cg_blkio_to_io_weight (r->blkio_weight));
      if (wr (h, bfq ? "io.bfq.weight" : "io.weight", b, err) < 0)
        return -1;
    }
  for (i = 0; i < r->n_weight_devices; i++)
    {
      const struct cg_weight_device *d = &r->weight_devices[i];
      if (!d->has_weight)
        continue;
      if (bfq)
        snprintf (b, sizeof b, "%" PRId64 ":%" PRId64 " %u", d->major, d->minor, (unsigned) d->weight);
      else
        snprintf (b, sizeof b, "%" PRId64 ":%" PRId64 " %" PRIu64, d->major, d->minor,
                  cg_blkio_to_io_weight (d->weight));
      if (wr (h, bfq ? "io.bfq.weight" : "io.weight", b, err) < 0)
        return -1;
    }
  if (write_throttles (h, r->throttle_read_bps, r->n_throttle_read_bps, "rbps", err) < 0
      || write_throttles (h, r->throttle_write_bps, r->n_throttle_write_bps, "wbps", err) < 0
      || write_throttles (h, r->throttle_read_iops, r->n_throttle_read_iops, "riops", err) < 0
      || write_throttles (h, r->throttle_write_iops, r->n_throttle_write_iops, "wiops", err) < 0)
    return -1;
  return 0;
}

static int
apply_rdma (struct cg_handle *h, const struct cg_resources *r, cnf_err *err)
{
  size_t i;
  for (i = 0; i < r->n_rdma; i++)
    {
      char b[256], hh[24] = "max", ho[24] = "max";
      if (r->rdma[i].has_handles)
        snprintf (hh, sizeof hh, "%u", r->rdma[i].hca_handles);
      if (r->rdma[i].has_objects)
        snprintf (ho, sizeof ho, "%u", r->rdma[i].hca_objects);
      snprintf (b, sizeof b, "%s hca_handle=%s hca_object=%s", r->rdma[i].device, hh, ho);
      if (wr (h, "rdma.max", b, err) < 0)
        return -1;
    }
  return 0;
}

static int
apply_unified (struct cg_handle *h, const struct cg_resources *r, cnf_err *err)
{
  size_t i;
  for (i = 0; i < r->n_unified; i++)
    {
      const char *k = r->unified[i].key;
      if (!has_file (h, k))
        return cnf_err_set (err, ENOENT, "linux.resources.unified.%s: no such file in %s (unknown name, or its "
                            "controller is not enabled)", k, h->path);
      if (wr (h, k, r->unified[i].value, err) < 0)
        return -1;
    }
  return 0;
}

int
cg_apply (struct cg_handle *h, const struct cg_resources *r, bool update, cnf_err *err)
{
  if (r == NULL)
    {
      if (h->iso_cpu_quota && wr (h, "cpu.max", "max", err) < 0)
        return -1;
      return update ? 0 : cg_devices_apply (h->dirfd, NULL, 0, err);
    }
  if (r->cpus && r->cpus[0] && wr (h, "cpuset.cpus", r->cpus, err) < 0)
    return -1;
  if (r->mems && r->mems[0] && wr (h, "cpuset.mems", r->mems, err) < 0)
    return -1;
  if (apply_cpu (h, r, update, err) < 0 || apply_memory (h, r, update, err) < 0)
    return -1;
  if (r->has_pids_limit)
    {
      char b[32];
      cg_limit_text (r->pids_limit <= 0 ? -1 : r->pids_limit, b, sizeof b);
      if (wr (h, "pids.max", b, err) < 0)
        return -1;
    }
  if (apply_hugetlb (h, r, err) < 0 || apply_io (h, r, err) < 0 || apply_rdma (h, r, err) < 0
      || apply_unified (h, r, err) < 0)
    return -1;
  /* `update` leaves the device program alone, as runc does. */
  if (!update && cg_devices_apply (h->dirfd, r->devices, r->n_devices, err) < 0)
    return -1;
  return 0;
}

/* spec_resources.c — linux.resources (also the document of `cnfrun update --resources FILE`)
 * into struct cg_resources.  Only what the JSON holds is marked present, so the cgroup
 * library writes only what was asked for.  Values are range-checked here, before any cgroup
 * file is touched. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "../lib/util.h"
#include "spec.h"
#include "spec_internal.h"

static int
rd_array (struct spec_pctx *c, const json_value *obj, const char *key, const json_value **a, size_t *n)
{
  int r = spec_rd_type (c, obj, key, JSON_ARRAY, a);
  *n = r > 0 ? json_len (*a) : 0;
  if (r <= 0)
    return r;
  for (size_t i = 0; i < *n; i++)
    if (json_typeof (json_at (*a, i)) != JSON_OBJECT)
      {
        size_t saved = spec_push_key (c, key);
        spec_push_idx (c, i);
        spec_fail (c, "must be an object, not %s", spec_type_word (json_typeof (json_at (*a, i))));
        spec_pop (c, saved);
        return -1;
      }
  return 1;
}

static int
required_i64 (struct spec_pctx *c, const json_value *o, const char *key, int64_t min, int64_t max, int64_t *out)
{
  int r = spec_rd_i64 (c, o, key, min, max, out);
  if (r == 0)
    return spec_fail_at (c, key, "missing");
  return r;
}

static int
parse_devices (struct spec_pctx *c, const json_value *res, struct cg_resources *out)
{
  const json_value *a;
  size_t n, saved;
  int r = rd_array (c, res, "devices", &a, &n);
  if (r <= 0)
    return r;
  saved = spec_push_key (c, "devices");
  out->devices = xzalloc ((n ? n : 1) * sizeof *out->devices);
  for (size_t i = 0; i < n; i++)
    {
      const json_value *o = json_at (a, i), *v;
      struct cg_device_rule *d = &out->devices[i];
      size_t s2 = spec_push_idx (c, i);
      out->n_devices = i + 1;
      if ((r = spec_rd_bool (c, o, "allow", &d->allow)) <= 0)
        return r < 0 ? -1 : spec_fail_at (c, "allow", "missing");
      d->type = 'a';
      if ((r = spec_rd_type (c, o, "type", JSON_STRING, &v)) < 0)
        return -1;
      if (r > 0)
        {
          const char *t = json_string (v);
          if (t[0] == '\0')
            d->type = 'a';
          else if (strlen (t) == 1 && strchr ("acb", t[0]))
            d->type = t[0];
          else
            return spec_fail_at (c, "type", "unknown device type \"%s\" (expected a, c or b)", t);
        }
      d->major = d->minor = -1;
      if (spec_rd_i64 (c, o, "major", -1, UINT32_MAX, &d->major) < 0
          || spec_rd_i64 (c, o, "minor", -1, UINT32_MAX, &d->minor) < 0)
        return -1;
      strcpy (d->access, "rwm");
      if ((r = spec_rd_type (c, o, "access", JSON_STRING, &v)) < 0)
        return -1;
      if (r > 0 && json_string (v)[0] != '\0')
        {
          const char *acc = json_string (v);
          bool seen[3] = { false, false, false };
          size_t k = 0;
          for (const char *p = acc; *p; p++)
            {
              const char *pos = strchr ("rwm", *p);
              if (pos == NULL || *p == '\0' || seen[pos - "rwm"])
                return spec_fail_at (c, "access", "invalid access \"%s\" (a subset of \"rwm\")", acc);
              seen[pos - "rwm"] = true;
            }
          for (int j = 0; j < 3; j++)
            if (seen[j])
              d->access[k++] = "rwm"[j];
          d->access[k] = '\0';
        }
      spec_pop (c, s2);
    }
  spec_pop (c, saved);
  return 1;
}

static int
parse_memory (struct spec_pctx *c, const json_value *res, struct cg_resources *out)
{
  const json_value *o;
  size_t saved;
  int r = spec_rd_type (c, res, "memory", JSON_OBJECT, &o);
  if (r <= 0)
    return r;
  saved = spec_push_key (c, "memory");
  if ((r = spec_rd_i64 (c, o, "limit", -1, INT64_MAX, &out->mem_limit)) < 0)
    return -1;
  out->has_mem_limit = r > 0;
  if ((r = spec_rd_i64 (c, o, "reservation", -1, INT64_MAX, &out->mem_reservation)) < 0)
    return -1;
  out->has_mem_reservation = r > 0;
  if ((r = spec_rd_i64 (c, o, "swap", -1, INT64_MAX, &out->mem_swap)) < 0)
    return -1;
  out->has_mem_swap = r > 0;
  /* kernel and kernelTCP are deprecated and have no cgroup v2 file: accepted, ignored. */
  {
    int64_t ignored;
    if (spec_rd_i64 (c, o, "kernel", INT64_MIN, INT64_MAX, &ignored) < 0
        || spec_rd_i64 (c, o, "kernelTCP", INT64_MIN, INT64_MAX, &ignored) < 0)
      return -1;
  }
  if ((r = spec_rd_u64 (c, o, "swappiness", UINT64_MAX, &out->mem_swappiness)) < 0)
    return -1;
  out->has_mem_swappiness = r > 0;
  if (r > 0 && out->mem_swappiness > 100)
    return spec_fail_at (c, "swappiness", "must be between 0 and 100");
  if ((r = spec_rd_bool (c, o, "disableOOMKiller", &out->disable_oom_killer)) < 0)
    return -1;
  out->has_disable_oom_killer = r > 0;
  {
    bool uh;
    if ((r = spec_rd_bool (c, o, "useHierarchy", &uh)) < 0)
      return -1;
    out->has_use_hierarchy = r > 0;
  }
  if ((r = spec_rd_bool (c, o, "checkBeforeUpdate", &out->check_before_update)) < 0)
    return -1;
  out->has_check_before_update = r > 0;
  if (out->has_mem_limit && out->has_mem_swap && out->mem_limit > 0 && out->mem_swap > 0
      && out->mem_swap < out->mem_limit)
    return spec_fail_at (c, "swap", "memory+swap limit %lld is below the memory limit %lld",
                         (long long) out->mem_swap, (long long) out->mem_limit);
  spec_pop (c, saved);
  return 1;
}

static int
parse_cpu (struct spec_pctx *c, const json_value *res, struct cg_resources *out)
{
  const json_value *o;
  size_t saved;
  int r = spec_rd_type (c, res, "cpu", JSON_OBJECT, &o);
  if (r <= 0)
    return r;
  saved = spec_push_key (c, "cpu");
  if ((r = spec_rd_u64 (c, o, "shares", UINT64_MAX, &out->cpu_shares)) < 0)
    return -1;
  out->has_cpu_shares = r > 0;
  if ((r = spec_rd_i64 (c, o, "quota", -1, INT64_MAX, &out->cpu_quota)) < 0)
    return -1;
  out->has_cpu_quota = r > 0;
  if ((r = spec_rd_u64 (c, o, "burst", UINT64_MAX, &out->cpu_burst)) < 0)
    return -1;
  out->has_cpu_burst = r > 0;
  if ((r = spec_rd_u64 (c, o, "period", UINT64_MAX, &out->cpu_period)) < 0)
    return -1;
  out->has_cpu_period = r > 0;
  if ((r = spec_rd_i64 (c, o, "realtimeRuntime", -1, INT64_MAX, &out->cpu_rt_runtime)) < 0)
    return -1;
  out->has_cpu_rt_runtime = r > 0;
  if ((r = spec_rd_u64 (c, o, "realtimePeriod", UINT64_MAX, &out->cpu_rt_period)) < 0)
    return -1;
  out->has_cpu_rt_period = r > 0;
  if ((r = spec_rd_i64 (c, o, "idle", 0, 1, &out->cpu_idle)) < 0)
    return -1;
  out->has_cpu_idle = r > 0;
  if (spec_rd_str (c, o, "cpus", &out->cpus) < 0 || spec_rd_str (c, o, "mems", &out->mems) < 0)
    return -1;
  if (out->cpus && out->cpus[0] == '\0')
    {
      free (out->cpus);
      out->cpus = NULL;
    }
  if (out->mems && out->mems[0] == '\0')
    {
      free (out->mems);
      out->mems = NULL;
    }
  if (out->cpus && !spec_valid_id_list (out->cpus))
    return spec_fail_at (c, "cpus", "invalid CPU list \"%s\"", out->cpus);
  if (out->mems && !spec_valid_id_list (out->mems))
    return spec_fail_at (c, "mems", "invalid memory node list \"%s\"", out->mems);
  if (out->has_cpu_period && out->cpu_period != 0 && (out->cpu_period < 1000 || out->cpu_period > 1000000))
    return spec_fail_at (c, "period", "must be between 1000 and 1000000 microseconds");
  if (out->has_cpu_quota && out->cpu_quota > 0 && out->cpu_quota < 1000)
    return spec_fail_at (c, "quota", "must be -1 (max) or at least 1000 microseconds");
  spec_pop (c, saved);
  return 1;
}

/* "2MB", "1GB", "64KB": the spelling of hugetlb.<size>.max. */
static bool
valid_page_size (const char *s)
{
  const char *p = s;
  if (*p < '1' || *p > '9')
    return false;
  while (*p >= '0' && *p <= '9')
    p++;
  return strcmp (p, "KB") == 0 || strcmp (p, "MB") == 0 || strcmp (p, "GB") == 0;
}

static int
parse_hugepages (struct spec_pctx *c, const json_value *res, struct cg_resources *out)
{
  const json_value *a;
  size_t n, saved;
  int r = rd_array (c, res, "hugepageLimits", &a, &n);
  if (r <= 0)
    return r;
  saved = spec_push_key (c, "hugepageLimits");
  out->hugepages = xzalloc ((n ? n : 1) * sizeof *out->hugepages);
  for (size_t i = 0; i < n; i++)
    {
      const json_value *o = json_at (a, i);
      struct cg_hugepage_limit *h = &out->hugepages[i];
      size_t s2 = spec_push_idx (c, i);
      out->n_hugepages = i + 1;
      if ((r = spec_rd_str (c, o, "pageSize", &h->page_size)) <= 0)
        return r < 0 ? -1 : spec_fail_at (c, "pageSize", "missing");
      if (!valid_page_size (h->page_size))
        return spec_fail_at (c, "pageSize", "invalid page size \"%s\" (like \"2MB\" or \"1GB\")", h->page_size);
      for (size_t j = 0; j < i; j++)
        if (strcmp (out->hugepages[j].page_size, h->page_size) == 0)
          return spec_fail_at (c, "pageSize", "duplicate page size \"%s\"", h->page_size);
      if ((r = spec_rd_u64 (c, o, "limit", UINT64_MAX, &h->limit)) <= 0)
        return r < 0 ? -1 : spec_fail_at (c, "limit", "missing");
      spec_pop (c, s2);
    }
  spec_pop (c, saved);
  return 1;
}

static int
parse_throttle (struct spec_pctx *c, const json_value *bio, const char *key, struct cg_throttle **out, size_t *nout)
{
  const json_value *a;
  size_t n, saved;
  int r = rd_array (c, bio, key, &a, &n);
  if (r <= 0)
    return r;
  saved = spec_push_key (c, key);
  *out = xzalloc ((n ? n : 1) * sizeof **out);
  *nout = n;
  for (size_t i = 0; i < n; i++)
    {
      const json_value *o = json_at (a, i);
      struct cg_throttle *t = &(*out)[i];
      size_t s2 = spec_push_idx (c, i);
      if (required_i64 (c, o, "major", 0, UINT32_MAX, &t->major) < 0
          || required_i64 (c, o, "minor", 0, UINT32_MAX, &t->minor) < 0)
        return -1;
      if ((r = spec_rd_u64 (c, o, "rate", UINT64_MAX, &t->rate)) <= 0)
        return r < 0 ? -1 : spec_fail_at (c, "rate", "missing");
      spec_pop (c, s2);
    }
  spec_pop (c, saved);
  return 1;
}

static int
rd_weight (struct spec_pctx *c, const json_value *o, const char *key, bool *has, uint16_t *out)
{
  uint64_t w;
  int r = spec_rd_u64 (c, o, key, UINT16_MAX, &w);
  if (r < 0)
    return -1;
  *has = r > 0;
  if (r > 0)
    {
      if (w != 0 && (w < 10 || w > 1000))
        return spec_fail_at (c, key, "must be between 10 and 1000");
      *out = (uint16_t) w;
    }
  return r;
}

static int
parse_blockio (struct spec_pctx *c, const json_value *res, struct cg_resources *out)
{
  const json_value *o, *a;
  size_t saved, n;
  int r = spec_rd_type (c, res, "blockIO", JSON_OBJECT, &o);
  if (r <= 0)
    return r;
  saved = spec_push_key (c, "blockIO");
  if (rd_weight (c, o, "weight", &out->has_blkio_weight, &out->blkio_weight) < 0
      || rd_weight (c, o, "leafWeight", &out->has_blkio_leaf_weight, &out->blkio_leaf_weight) < 0)
    return -1;
  if (rd_array (c, o, "weightDevice", &a, &n) < 0)
    return -1;
  if (a)
    {
      size_t s2 = spec_push_key (c, "weightDevice");
      out->weight_devices = xzalloc ((n ? n : 1) * sizeof *out->weight_devices);
      out->n_weight_devices = n;
      for (size_t i = 0; i < n; i++)
        {
          const json_value *wo = json_at (a, i);
          struct cg_weight_device *w = &out->weight_devices[i];
          size_t s3 = spec_push_idx (c, i);
          if (required_i64 (c, wo, "major", 0, UINT32_MAX, &w->major) < 0
              || required_i64 (c, wo, "minor", 0, UINT32_MAX, &w->minor) < 0)
            return -1;
          if (rd_weight (c, wo, "weight", &w->has_weight, &w->weight) < 0
              || rd_weight (c, wo, "leafWeight", &w->has_leaf_weight, &w->leaf_weight) < 0)
            return -1;
          spec_pop (c, s3);
        }
      spec_pop (c, s2);
    }
  if (parse_throttle (c, o, "throttleReadBpsDevice", &out->throttle_read_bps, &out->n_throttle_read_bps) < 0
      || parse_throttle (c, o, "throttleWriteBpsDevice", &out->throttle_write_bps, &out->n_throttle_write_bps) < 0
      || parse_throttle (c, o, "throttleReadIOPSDevice", &out->throttle_read_iops, &out->n_throttle_read_iops) < 0
      || parse_throttle (c, o, "throttleWriteIOPSDevice", &out->throttle_write_iops, &out->n_throttle_write_iops)
             < 0)
    return -1;
  spec_pop (c, saved);
  return 1;
}

static int
parse_network (struct spec_pctx *c, const json_value *res, struct cg_resources *out)
{
  const json_value *o, *a;
  size_t saved, n;
  int r = spec_rd_type (c, res, "network", JSON_OBJECT, &o);
  if (r <= 0)
    return r;
  saved = spec_push_key (c, "network");
  if ((r = spec_rd_u32 (c, o, "classID", &out->net_class_id)) < 0)
    return -1;
  out->has_net_class_id = r > 0;
  if (rd_array (c, o, "priorities", &a, &n) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    {
      const json_value *po = json_at (a, i);
      char *name = NULL;
      uint32_t prio;
      size_t s2 = spec_push_key (c, "priorities");
      spec_push_idx (c, i);
      if ((r = spec_rd_str (c, po, "name", &name)) <= 0)
        return r < 0 ? -1 : spec_fail_at (c, "name", "missing");
      free (name);
      if ((r = spec_rd_u32 (c, po, "priority", &prio)) <= 0)
        return r < 0 ? -1 : spec_fail_at (c, "priority", "missing");
      spec_pop (c, s2);
    }
  out->n_net_priorities = n;
  spec_pop (c, saved);
  return 1;
}

static int
parse_rdma (struct spec_pctx *c, const json_value *res, struct cg_resources *out)
{
  const json_value *o;
  size_t saved, n;
  int r = spec_rd_type (c, res, "rdma", JSON_OBJECT, &o);
  if (r <= 0)
    return r;
  saved = spec_push_key (c, "rdma");
  n = json_len (o);
  out->rdma = xzalloc ((n ? n : 1) * sizeof *out->rdma);
  for (size_t i = 0; i < n; i++)
    {
      const json_value *v = json_value_at (o, i);
      struct cg_rdma *d = &out->rdma[i];
      size_t s2 = spec_push_key (c, json_key_at (o, i));
      out->n_rdma = i + 1;
      d->device = xstrdup (json_key_at (o, i));
      if (d->device[0] == '\0' || strpbrk (d->device, " \n/"))
        return spec_fail (c, "invalid RDMA device name");
      if (json_typeof (v) != JSON_OBJECT)
        return spec_fail (c, "must be an object, not %s", spec_type_word (json_typeof (v)));
      if ((r = spec_rd_u32 (c, v, "hcaHandles", &d->hca_handles)) < 0)
        return -1;
      d->has_handles = r > 0;
      if ((r = spec_rd_u32 (c, v, "hcaObjects", &d->hca_objects)) < 0)
        return -1;
      d->has_objects = r > 0;
      spec_pop (c, s2);
    }
  spec_pop (c, saved);
  return 1;
}

static int
parse_unified (struct spec_pctx *c, const json_value *res, struct cg_resources *out)
{
  int r = spec_rd_kv (c, res, "unified", &out->unified, &out->n_unified);
  if (r <= 0)
    return r;
  for (size_t i = 0; i < out->n_unified; i++)
    {
      const char *k = out->unified[i].key;
      if (k[0] == '\0' || strchr (k, '/') || strcmp (k, ".") == 0 || strcmp (k, "..") == 0 || strchr (k, '.') == NULL)
        {
          size_t saved = spec_push_key (c, "unified");
          spec_push_key (c, k);
          spec_fail (c, "invalid cgroup file name \"%s\"", k);
          spec_pop (c, saved);
          return -1;
        }
      if (str_has_prefix (k, "cgroup."))
        {
          size_t saved = spec_push_key (c, "unified");
          spec_push_key (c, k);
          spec_fail (c, "cgroup core files cannot be set");
          spec_pop (c, saved);
          return -1;
        }
    }
  return 1;
}

int
spec_parse_resources (const json_value *v, const char *origin, const char *path, struct cg_resources *out,
                      cnf_err *err)
{
  struct spec_pctx c;
  const json_value *o;
  int r = 0;
  spec_pctx_init (&c, origin, path, err);
  if (json_typeof (v) != JSON_OBJECT)
    {
      spec_fail (&c, "must be an object, not %s", spec_type_word (json_typeof (v)));
      return -1;
    }
  if (parse_devices (&c, v, out) < 0 || parse_memory (&c, v, out) < 0 || parse_cpu (&c, v, out) < 0)
    r = -1;
  else if ((r = spec_rd_type (&c, v, "pids", JSON_OBJECT, &o)) > 0)
    {
      size_t saved = spec_push_key (&c, "pids");
      r = spec_rd_i64 (&c, o, "limit", INT64_MIN, INT64_MAX, &out->pids_limit);
      out->has_pids_limit = r > 0;
      spec_pop (&c, saved);
    }
  if (r >= 0
      && (parse_hugepages (&c, v, out) < 0 || parse_blockio (&c, v, out) < 0 || parse_network (&c, v, out) < 0
          || parse_rdma (&c, v, out) < 0 || parse_unified (&c, v, out) < 0))
    r = -1;
  if (r < 0)
    {
      cg_resources_free (out);
      memset (out, 0, sizeof *out);
      return -1;
    }
  return 0;
}

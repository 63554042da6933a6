/* resources_json.c — a linux.resources JSON object into struct cg_resources, for
 * `cnfrun update --resources`.  Errors name the JSON path. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "internal.h"
#include "../lib/util.h"

#define BAD(path, what) cnf_err_set (err, EINVAL, "%s: %s: %s", origin, path, what)

static int
get_i64 (const char *origin, const json_value *o, const char *key, const char *path, bool *has, int64_t *v,
         cnf_err *err)
{
  const json_value *x = json_get (o, key);
  if (x == NULL || json_is_null (x))
    return 0;
  if (json_get_int64 (x, v) < 0)
    return cnf_err_set (err, EINVAL, "%s: %s.%s: expected an integer", origin, path, key);
  if (has)
    *has = true;
  return 0;
}

static int
get_u64 (const char *origin, const json_value *o, const char *key, const char *path, bool *has, uint64_t *v,
         cnf_err *err)
{
  const json_value *x = json_get (o, key);
  if (x == NULL || json_is_null (x))
    return 0;
  if (json_get_uint64 (x, v) < 0)
    return cnf_err_set (err, EINVAL, "%s: %s.%s: expected a non-negative integer", origin, path, key);
  if (has)
    *has = true;
  return 0;
}

static int
throttles (const char *origin, const json_value *o, const char *key, struct cg_throttle **out, size_t *n, cnf_err *err)
{
  const json_value *a = json_get (o, key);
  size_t i;
  if (a == NULL || json_is_null (a))
    return 0;
  if (json_typeof (a) != JSON_ARRAY)
    return cnf_err_set (err, EINVAL, "%s: .blockIO.%s: expected an array", origin, key);
  *n = json_len (a);
  *out = xzalloc ((*n ? *n : 1) * sizeof **out);
  for (i = 0; i < *n; i++)
    {
      const json_value *e = json_at (a, i);
      if (json_get_int64 (json_get (e, "major"), &(*out)[i].major) < 0
          || json_get_int64 (json_get (e, "minor"), &(*out)[i].minor) < 0
          || json_get_uint64 (json_get (e, "rate"), &(*out)[i].rate) < 0)
        return cnf_err_set (err, EINVAL, "%s: .blockIO.%s[%zu]: needs integer major, minor and rate", origin, key, i);
    }
  return 0;
}

int
cg_resources_from_json (const char *origin, const json_value *obj, struct cg_resources *r, cnf_err *err)
{
  const json_value *x, *a;
  size_t i;
  *r = (struct cg_resources){ 0 };
  if (obj == NULL || json_typeof (obj) != JSON_OBJECT)
    return BAD ("(top)", "expected a linux.resources object");

  if ((a = json_get (obj, "devices")) && !json_is_null (a))
    {
      if (json_typeof (a) != JSON_ARRAY)
        return BAD (".devices", "expected an array");
      r->n_devices = json_len (a);
      r->devices = xzalloc ((r->n_devices ? r->n_devices : 1) * sizeof *r->devices);
      for (i = 0; i < r->n_devices; i++)
        {
          const json_value *e = json_at (a, i);
          struct cg_device_rule *d = &r->devices[i];
          const char *t = json_string (json_get (e, "type")), *acc = json_string (json_get (e, "access"));
          d->major = d->minor = -1;
          if (json_get_bool (json_get (e, "allow"), &d->allow) < 0)
            return cnf_err_set (err, EINVAL, "%s: .devices[%zu].allow: expected a boolean", origin, i);
          d->type = t && t[0] ? t[0] : 'a';
          if (json_get (e, "major") && !json_is_null (json_get (e, "major")))
            json_get_int64 (json_get (e, "major"), &d->major);
          if (json_get (e, "minor") && !json_is_null (json_get (e, "minor")))
            json_get_int64 (json_get (e, "minor"), &d->minor);
          if (acc && strlen (acc) > 3)
            return cnf_err_set (err, EINVAL, "%s: .devices[%zu].access: \"%s\" is not a subset of rwm", origin, i, acc);
          snprintf (d->access, sizeof d->access, "%s", acc ? acc : "rwm");
        }
    }
  if ((x = json_get (obj, "memory")) && !json_is_null (x))
    {
      if (get_i64 (origin, x, "limit", ".memory", &r->has_mem_limit, &r->mem_limit, err) < 0
          || get_i64 (origin, x, "reservation", ".memory", &r->has_mem_reservation, &r->mem_reservation, err) < 0
          || get_i64 (origin, x, "swap", ".memory", &r->has_mem_swap, &r->mem_swap, err) < 0
          || get_u64 (origin, x, "swappiness", ".memory", &r->has_mem_swappiness, &r->mem_swappiness, err) < 0)
        return -1;
      if (json_get (x, "disableOOMKiller") && json_get_bool (json_get (x, "disableOOMKiller"), &r->disable_oom_killer) == 0)
        r->has_disable_oom_killer = true;
      if (json_get (x, "checkBeforeUpdate") && json_get_bool (json_get (x, "checkBeforeUpdate"), &r->check_before_update) == 0)
        r->has_check_before_update = true;
    }
  if ((x = json_get (obj, "cpu")) && !json_is_null (x))
    {
      const char *s;
      if (get_u64 (origin, x, "shares", ".cpu", &r->has_cpu_shares, &r->cpu_shares, err) < 0
          || get_i64 (origin, x, "quota", ".cpu", &r->has_cpu_quota, &r->cpu_quota, err) < 0
          || get_u64 (origin, x, "burst", ".cpu", &r->has_cpu_burst, &r->cpu_burst, err) < 0
          || get_u64 (origin, x, "period", ".cpu", &r->has_cpu_period, &r->cpu_period, err) < 0
          || get_i64 (origin, x, "realtimeRuntime", ".cpu", &r->has_cpu_rt_runtime, &r->cpu_rt_runtime, err) < 0
          || get_u64 (origin, x, "realtimePeriod", ".cpu", &r->has_cpu_rt_period, &r->cpu_rt_period, err) < 0
          || get_i64 (origin, x, "idle", ".cpu", &r->has_cpu_idle, &r->cpu_idle, err) < 0)
        return -1;
      if ((s = json_string (json_get (x, "cpus"))))
        r->cpus = xstrdup (s);
      if ((s = json_string (json_get (x, "mems"))))
        r->mems = xstrdup (s);
    }
  if ((x = json_get (obj, "pids")) && !json_is_null (x))
    if (get_i64 (origin, x, "limit", ".pids", &r->has_pids_limit, &r->pids_limit, err) < 0)
      return -1;
  if ((a = json_get (obj, "hugepageLimits")) && !json_is_null (a))
    {
      if (json_typeof (a) != JSON_ARRAY)
        return BAD (".hugepageLimits", "expected an array");
      r->n_hugepages = json_len (a);
      r->hugepages = xzalloc ((r->n_hugepages ? r->n_hugepages : 1) * sizeof *r->hugepages);
      for (i = 0; i < r->n_hugepages; i++)
        {
          const json_value *e = json_at (a, i);
          const char *ps = json_string (json_get (e, "pageSize"));
          if (ps == NULL || json_get_uint64 (json_get (e, "limit"), &r->hugepages[i].limit) < 0)
            return cnf_err_set (err, EINVAL, "%s: .hugepageLimits[%zu]: needs pageSize and limit", origin, i);
          r->hugepages[i].page_size = xstrdup (ps);
        }
    }
  if ((x = json_get (obj, "blockIO")) && !json_is_null (x))
    {
      uint64_t w;
      bool has = false;
      if (get_u64 (origin, x, "weight", ".blockIO", &has, &w, err) < 0)
        return -1;
      if (has)
        {
          r->has_blkio_weight = true;
          r->blkio_weight = (uint16_t) w;
        }
      has = false;
      if (get_u64 (origin, x, "leafWeight", ".blockIO", &has, &w, err) < 0)
        return -1;
      if (has)
        {
          r->has_blkio_leaf_weight = true;
          r->blkio_leaf_weight = (uint16_t) w;
        }
      if ((a = json_get (x, "weightDevice")) && json_typeof (a) == JSON_ARRAY)
        {
          r->n_weight_devices = json_len (a);
          r->weight_devices = xzalloc ((r->n_weight_devices ? r->n_weight_devices : 1) * sizeof *r->weight_devices);
          for (i = 0; i < r->n_weight_devices; i++)
            {
              const json_value *e = json_at (a, i);
              struct cg_weight_device *d = &r->weight_devices[i];
              if (json_get_int64 (json_get (e, "major"), &d->major) < 0
                  || json_get_int64 (json_get (e, "minor"), &d->minor) < 0)
                return cnf_err_set (err, EINVAL, "%s: .blockIO.weightDevice[%zu]: needs major and minor", origin, i);
              if (json_get_uint64 (json_get (e, "weight"), &w) == 0)
                {
                  d->has_weight = true;
                  d->weight = (uint16_t) w;
                }
              if (json_get_uint64 (json_get (e, "leafWeight"), &w) == 0)
                {
                  d->has_leaf_weight = true;
                  d->leaf_weight = (uint16_t) w;
                }
            }
        }
      if (throttles (origin, x, "throttleReadBpsDevice", &r->throttle_read_bps, &r->n_throttle_read_bps, err) < 0
          || throttles (origin, x, "throttleWriteBpsDevice", &r->throttle_write_bps, &r->n_throttle_write_bps, err) < 0
          || throttles (origin, x, "throttleReadIOPSDevice", &r->throttle_read_iops, &r->n_throttle_read_iops, err) < 0
          || throttles (origin, x, "throttleWriteIOPSDevice", &r->throttle_write_iops, &r->n_throttle_write_iops, err)
                 < 0)
        return -1;
    }
  if ((x = json_get (obj, "rdma")) && json_typeof (x) == JSON_OBJECT)
    {
      r->n_rdma = json_len (x);
      r->rdma = xzalloc ((r->n_rdma ? r->n_rdma : 1) * sizeof *r->rdma);
      for (i = 0; i < r->n_rdma; i++)
        {
          const json_value *e = json_value_at (x, i);
          uint64_t v;
          r->rdma[i].device = xstrdup (json_key_at (x, i));
          if (json_get_uint64 (json_get (e, "hcaHandles"), &v) == 0)
            r->rdma[i].has_handles = true, r->rdma[i].hca_handles = (uint32_t) v;
          if (json_get_uint64 (json_get (e, "hcaObjects"), &v) == 0)
            r->rdma[i].has_objects = true, r->rdma[i].hca_objects = (uint32_t) v;
        }
    }
  if ((x = json_get (obj, "unified")) && json_typeof (x) == JSON_OBJECT)
    {
      r->n_unified = json_len (x);
      r->unified = xzalloc ((r->n_unified ? r->n_unified : 1) * sizeof *r->unified);
      for (i = 0; i < r->n_unified; i++)
        {
          const char *v = json_string (json_value_at (x, i));
          r->unified[i].key = xstrdup (json_key_at (x, i));
          if (v == NULL)
            return cnf_err_set (err, EINVAL, "%s: .unified.%s: expected a string", origin, r->unified[i].key);
          r->unified[i].value = xstrdup (v);
        }
    }
  return 0;
}

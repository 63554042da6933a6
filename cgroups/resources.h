/* resources.h — linux.resources of an OCI config as typed values, the input to the cgroup
 * library.  Filled by the spec parser (runtime/spec_parse.c) or by `cnfrun update`; consumed
 * by cgroups/ only.  A field that was absent from the JSON has its has_* flag false (or a NULL
 * pointer) so that the library writes only what was asked for. */
#ifndef CNF_CG_RESOURCES_H
#define CNF_CG_RESOURCES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cg_device_rule
{
  bool allow;
  char type;           /* 'a', 'c' or 'b' */
  int64_t major;       /* -1 = wildcard */
  int64_t minor;       /* -1 = wildcard */
  char access[4];      /* subset of "rwm", NUL-terminated */
};

struct cg_hugepage_limit
{
  char *page_size; /* "2MB", "1GB", as in hugetlb.<size>.max */
  uint64_t limit;
};

struct cg_throttle
{
  int64_t major, minor;
  uint64_t rate;
};

struct cg_weight_device
{
  int64_t major, minor;
  bool has_weight, has_leaf_weight;
  uint16_t weight, leaf_weight;
};

struct cg_rdma
{
  char *device;
  bool has_handles, has_objects;
  uint32_t hca_handles, hca_objects;
};

struct cg_kv
{
  char *key;
  char *value;
};

struct cg_resources
{
  /* devices */
  struct cg_device_rule *devices;
  size_t n_devices;

  /* memory; -1 means "max" (unlimited) where the spec allows it */
  bool has_mem_limit, has_mem_reservation, has_mem_swap, has_mem_swappiness;
  bool has_disable_oom_killer, has_use_hierarchy, has_check_before_update;
  int64_t mem_limit, mem_reservation, mem_swap;
  uint64_t mem_swappiness;
  bool disable_oom_killer, check_before_update;

  /* cpu */
  bool has_cpu_shares, has_cpu_quota, has_cpu_burst, has_cpu_period;
  bool has_cpu_rt_runtime, has_cpu_rt_period, has_cpu_idle;
  uint64_t cpu_shares;
  int64_t cpu_quota;     /* -1 = max */
  uint64_t cpu_burst, cpu_period;
  int64_t cpu_rt_runtime;
  uint64_t cpu_rt_period;
  int64_t cpu_idle;
  char *cpus;            /* cpuset.cpus, NULL if unset */
  char *mems;            /* cpuset.mems, NULL if unset */

  /* pids */
  bool has_pids_limit;
  int64_t pids_limit;    /* <= 0 means max */

  /* hugetlb: hugepageLimits[] -> hugetlb.<size>.max and, where the kernel has it,
   * hugetlb.<size>.rsvd.max with the same limit (reservation accounting stops the SIGBUS on
   * first touch: mmap fails instead). */
  struct cg_hugepage_limit *hugepages;
  size_t n_hugepages;

  /* blockIO */
  bool has_blkio_weight, has_blkio_leaf_weight;
  uint16_t blkio_weight, blkio_leaf_weight;
  struct cg_weight_device *weight_devices;
  size_t n_weight_devices;
  struct cg_throttle *throttle_read_bps, *throttle_write_bps, *throttle_read_iops, *throttle_write_iops;
  size_t n_throttle_read_bps, n_throttle_write_bps, n_throttle_read_iops, n_throttle_write_iops;

  /* network (v1 only; accepted, reported as unsupported on v2 when set) */
  bool has_net_class_id;
  uint32_t net_class_id;
  size_t n_net_priorities;

  /* rdma */
  struct cg_rdma *rdma;
  size_t n_rdma;

  /* unified: "file" -> "value" */
  struct cg_kv *unified;
  size_t n_unified;
};

void cg_resources_free (struct cg_resources *r); /* frees members, not r itself */

#endif

/* internal.h — what the cgroup library's files share: the handle, the value conversions
 * (pure, unit-tested), the hierarchy lookup, resource application, the eBPF device program
 * and CNF isolation.  Nothing outside cgroups/ and its unit tests includes this. */
#ifndef CNF_CG_INTERNAL_H
#define CNF_CG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "cgroup.h"

struct cg_handle
{
  char *mount;         /* the cgroup2 mount point, e.g. /sys/fs/cgroup */
  char *rel;           /* path below the mount, starting with '/' */
  char *path;          /* mount + rel */
  int dirfd;           /* O_DIRECTORY of path, -1 until it exists (systemd: until the scope starts) */
  bool systemd;
  char *unit;          /* systemd scope name */
  char *slice;         /* systemd slice name */
  int state_dirfd;     /* dup of the container state dir, -1 if none */
  bool default_parent; /* rel is /cnfrun/<id>: the parent may be removed when empty */
  struct cg_resources *pending; /* systemd: resources applied once the scope exists */
  /* CNF isolation asked for by annotations */
  bool iso_cpu_lb, iso_cpu_quota, iso_irq;
};

/* ---- values.c: conversions between OCI (v1-shaped) values and v2 files ---- */
/* cpu.shares (2..262144) -> cpu.weight (1..10000); 0 stays 0 (unset). */
uint64_t cg_shares_to_weight (uint64_t shares);
/* blkio weight (10..1000) -> io.weight (1..10000); 0 stays 0. */
uint64_t cg_blkio_to_io_weight (uint64_t w);
/* OCI memory.swap (memory+swap, v1 meaning) and memory.limit -> memory.swap.max.
 * has_limit/has_swap say which were given.  *out: -1 = "max"; *set false = write nothing. */
int cg_swap_to_v2 (bool has_swap, int64_t swap, bool has_limit, int64_t limit, int64_t *out, bool *set,
                   cnf_err *err);
/* cpu.max text from quota/period (quota < 0 = max); false if nothing to write. */
bool cg_cpu_max_text (bool has_quota, int64_t quota, bool has_period, uint64_t period, char *buf, size_t len);
/* "-1"/negative -> "max", else the decimal number. */
void cg_limit_text (int64_t v, char *buf, size_t len);
/* Hugepage size as written in OCI ("2MB", "1GB", "64KB") -> bytes; -1 if malformed. */
int64_t cg_hugepage_size_bytes (const char *s);

/* cgroupsPath -> path below the cgroup2 mount.  own is the runtime's own cgroup ("/a/b").
 * NULL/empty path: "/cnfrun/<id>".  Rejects "..". */
int cg_resolve_path (const char *cgroups_path, const char *id, const char *own, char **rel, cnf_err *err);
/* systemd "slice:prefix:name" -> slice, unit and the path below the mount. */
int cg_resolve_systemd (const char *cgroups_path, const char *id, char **slice, char **unit, char **rel,
                        cnf_err *err);
/* "a-b-c.slice" -> "/a.slice/a-b.slice/a-b-c.slice"; "-.slice" -> "". */
int cg_expand_slice (const char *slice, char **out, cnf_err *err);

/* CPU lists and masks, sized for any number of CPUs. */
struct cpumask
{
  uint64_t *bits;
  size_t nwords;
};
int cpumask_parse_list (const char *list, struct cpumask *m);   /* "0-3,7" */
int cpumask_parse_hex (const char *hex, struct cpumask *m);     /* "ff,ffffffff" (procfs) */
/* Hex in the procfs layout: comma-separated 32-bit groups, ngroups at least (0 = minimal). */
char *cpumask_format_hex (const struct cpumask *m, size_t ngroups);
char *cpumask_format_list (const struct cpumask *m);
void cpumask_set (struct cpumask *m, size_t cpu);
bool cpumask_test (const struct cpumask *m, size_t cpu);
bool cpumask_empty (const struct cpumask *m);
void cpumask_andnot (struct cpumask *dst, const struct cpumask *a, const struct cpumask *b); /* a & ~b */
void cpumask_or_and (struct cpumask *dst, const struct cpumask *b, const struct cpumask *c); /* dst |= b & c */
void cpumask_free (struct cpumask *m);
size_t cpumask_hex_groups (const char *hex); /* number of comma-separated groups in a procfs mask */

/* ---- mount.c ---- */
/* The cgroup2 mount point from /proc/self/mountinfo (malloc'd), or an error. */
int cg_find_mount (char **mount, cnf_err *err);
/* The calling process's cgroup on the unified hierarchy ("0::/x"), malloc'd. */
int cg_own_cgroup (char **rel, cnf_err *err);
/* Whether the space-separated list in file dirfd/name (or in the text list) contains word. */
bool cg_file_has_word (int dirfd, const char *name, const char *word);
bool cg_words_have (const char *list, const char *word);

/* ---- apply.c ---- */
/* Which controllers a resource set needs (NULL-terminated static strings). */
size_t cg_needed_controllers (const struct cg_resources *r, const struct cg_handle *h, const char **out,
                              size_t max);
/* Check that everything asked for is possible here, before anything is created. */
int cg_validate (const char *mount, const struct cg_resources *r, const struct cg_handle *h, cnf_err *err);
/* Write the fields set in r into the cgroup at dirfd.  update: `cnfrun update` semantics. */
int cg_apply (struct cg_handle *h, const struct cg_resources *r, bool update, cnf_err *err);
/* Enable controllers in subtree_control from the mount down to rel's parent. */
int cg_enable_controllers (const char *mount, const char *rel, const char *const *ctrls, size_t n, cnf_err *err);

/* ---- ebpf.c ---- */
struct bpf_insn_buf
{
  void *insns; /* struct bpf_insn[] */
  size_t n;
};
/* The rules a container gets: spec rules, then the default devices (last match wins). */
size_t cg_default_device_rules (const struct cg_device_rule **out);
int cg_devices_build (const struct cg_device_rule *rules, size_t n, struct bpf_insn_buf *out, cnf_err *err);
/* Evaluate the built program in C (for tests): 1 allow, 0 deny. */
int cg_devices_eval (const struct bpf_insn_buf *prog, char type, unsigned major, unsigned minor, const char *access);
void cg_devices_free (struct bpf_insn_buf *b);
/* Load and attach, replacing programs attached earlier. */
int cg_devices_apply (int cgfd, const struct cg_device_rule *rules, size_t n, cnf_err *err);

/* ---- isolation.c ---- */
void cg_isolation_from_annotations (struct cg_handle *h, const struct cg_kv *a, size_t n);
int cg_isolation_setup (struct cg_handle *h, const struct cg_resources *r, cnf_err *err); /* at create */
int cg_isolation_teardown (struct cg_handle *h, cnf_err *err);
const char *cg_irq_root (void);
/* IRQ masks: remove cpus from every <root>/N/smp_affinity and <root>/default_smp_affinity,
 * first saving the old masks to <state_dirfd>/irq-masks (with cgroup_path, for recovery);
 * restore puts those CPUs back and removes the file.  Absent file: nothing to do. */
#define CG_IRQ_SAVE_FILE "irq-masks"
#define CG_EXCL_SAVE_FILE "cpu-exclusive"
int cg_irq_disable (const char *root, const struct cpumask *cpus, const char *cgroup_path, int state_dirfd,
                    cnf_err *err);
int cg_irq_restore (int state_dirfd, cnf_err *err);

/* ---- systemd.c ---- */
int cg_systemd_start (struct cg_handle *h, pid_t pid, const struct cg_resources *r, cnf_err *err);
int cg_systemd_stop (struct cg_handle *h, cnf_err *err);

#endif

/* spec.h — an OCI runtime-spec 1.3 config.json as typed, validated data.
 * spec_load() parses and validates the whole document before any side effect and reports the
 * first problem with its JSON path ("config.json: .linux.namespaces[2].type: unknown namespace
 * \"foo\"").  Unknown fields are ignored, as the spec allows.  Every string is owned by the spec. */
#ifndef CNF_SPEC_H
#define CNF_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "../lib/error.h"
#include "../lib/json.h"
#include "../cgroups/resources.h"

enum ns_type { NS_PID = 0, NS_NET, NS_MNT, NS_IPC, NS_UTS, NS_USER, NS_CGROUP, NS_TIME, NS__COUNT };

struct spec_namespace
{
  bool present;  /* listed in linux.namespaces */
  char *path;    /* join this one (setns) instead of creating, or NULL */
};

struct spec_id_mapping
{
  uint32_t container_id, host_id, size;
};

struct spec_mount
{
  char *destination;
  char *source;   /* may be NULL */
  char *type;     /* may be NULL (then "bind" if options say bind) */
  char **options; /* NULL-terminated */
  size_t n_options;
  struct spec_id_mapping *uid_mappings, *gid_mappings;
  size_t n_uid_mappings, n_gid_mappings;
};

struct spec_rlimit
{
  int resource;   /* RLIMIT_* */
  char *name;     /* "RLIMIT_NOFILE" */
  uint64_t soft, hard;
};

enum spec_cap_set { CAP_SET_BOUNDING = 0, CAP_SET_EFFECTIVE, CAP_SET_INHERITABLE, CAP_SET_PERMITTED, CAP_SET_AMBIENT, CAP_SET__COUNT };

struct spec_caps
{
  bool present[CAP_SET__COUNT];
  int *caps[CAP_SET__COUNT];   /* CAP_* numbers */
  size_t n_caps[CAP_SET__COUNT];
};

struct spec_scheduler
{
  bool present;
  int policy;           /* SCHED_* */
  int nice;
  uint32_t priority;
  uint64_t flags;       /* SCHED_FLAG_* */
  uint64_t runtime, deadline, period;
};

struct spec_io_priority
{
  bool present;
  int class;            /* IOPRIO_CLASS_RT/BE/IDLE */
  int priority;         /* 0..7 */
};

struct spec_exec_cpu_affinity
{
  char *initial;        /* cpu list like "0-3,7", or NULL */
  char *final;
};

struct spec_user
{
  uint32_t uid, gid;
  bool has_umask;
  uint32_t umask;
  uint32_t *additional_gids;
  size_t n_additional_gids;
  char *username;       /* Windows only; ignored */
};

struct spec_process
{
  bool terminal;
  uint32_t console_height, console_width;
  bool has_console_size;
  char *cwd;
  char **args;          /* NULL-terminated, >= 1 element */
  size_t n_args;
  char **env;           /* NULL-terminated */
  size_t n_env;
  struct spec_user user;
  struct spec_caps caps;
  struct spec_rlimit *rlimits;
  size_t n_rlimits;
  bool no_new_privileges;
  char *apparmor_profile;
  bool has_oom_score_adj;
  int oom_score_adj;
  char *selinux_label;
  struct spec_scheduler scheduler;
  struct spec_io_priority io_priority;
  struct spec_exec_cpu_affinity exec_cpu_affinity;
};

struct spec_hook
{
  char *path;
  char **args;          /* NULL-terminated, may be NULL */
  char **env;           /* NULL-terminated, may be NULL */
  int timeout;          /* seconds, 0 = none */
};

enum spec_hook_kind { HOOK_PRESTART = 0, HOOK_CREATE_RUNTIME, HOOK_CREATE_CONTAINER, HOOK_START_CONTAINER, HOOK_POSTSTART, HOOK_POSTSTOP, HOOK__COUNT };

struct spec_device
{
  char *path;
  char type;            /* 'c', 'b', 'u' or 'p' */
  int64_t major, minor;
  bool has_file_mode, has_uid, has_gid;
  uint32_t file_mode, uid, gid;
};

struct spec_time_offset
{
  bool present;
  int64_t secs;
  uint32_t nanosecs;
};

struct spec_net_device
{
  char *host_name;      /* key of linux.netDevices */
  char *name;           /* name inside the container; NULL = keep host_name */
};

struct spec_memory_policy
{
  bool present;
  int mode;             /* MPOL_* */
  char *nodes;          /* node list "0-1", may be NULL for MPOL_DEFAULT/LOCAL */
  unsigned flags;       /* MPOL_F_STATIC_NODES / RELATIVE_NODES / NUMA_BALANCING */
};

struct spec_seccomp_arg
{
  unsigned index;
  uint64_t value, value_two;
  int op;               /* SCMP_CMP_* from seccomp.h */
};

struct spec_seccomp_syscall
{
  char **names;
  size_t n_names;
  uint32_t action;      /* SCMP_ACT_* (without errno) */
  bool has_errno_ret;
  uint32_t errno_ret;
  struct spec_seccomp_arg *args;
  size_t n_args;
};

struct spec_seccomp
{
  uint32_t default_action;
  bool has_default_errno_ret;
  uint32_t default_errno_ret;
  char **architectures;  /* "SCMP_ARCH_X86_64", ... */
  size_t n_architectures;
  char **flags;          /* "SECCOMP_FILTER_FLAG_*" */
  size_t n_flags;
  char *listener_path;
  char *listener_metadata;
  struct spec_seccomp_syscall *syscalls;
  size_t n_syscalls;
};

struct spec_linux
{
  struct spec_namespace ns[NS__COUNT];
  struct spec_id_mapping *uid_mappings, *gid_mappings;
  size_t n_uid_mappings, n_gid_mappings;
  struct spec_time_offset time_monotonic, time_boottime;
  struct spec_device *devices;
  size_t n_devices;
  char *cgroups_path;
  bool has_resources;
  struct cg_resources resources;
  char *rootfs_propagation;    /* "shared", "rshared", "slave", ... or NULL */
  unsigned long rootfs_propagation_flags; /* MS_* parsed from it, 0 if unset */
  char **masked_paths;
  size_t n_masked_paths;
  char **readonly_paths;
  size_t n_readonly_paths;
  char *mount_label;
  struct cg_kv *sysctl;
  size_t n_sysctl;
  struct spec_seccomp *seccomp;   /* NULL if absent */
  bool has_personality;
  unsigned long personality;      /* PER_LINUX or PER_LINUX32 */
  char **personality_flags;
  size_t n_personality_flags;
  char *intel_rdt_clos_id;
  struct spec_net_device *net_devices;
  size_t n_net_devices;
  struct spec_memory_policy memory_policy;
};

struct spec
{
  char *oci_version;
  char *root_path;       /* root.path as written */
  bool root_readonly;
  char *hostname;
  char *domainname;
  bool has_process;
  struct spec_process process;
  struct spec_mount *mounts;
  size_t n_mounts;
  struct spec_hook *hooks[HOOK__COUNT];
  size_t n_hooks[HOOK__COUNT];
  struct cg_kv *annotations;
  size_t n_annotations;
  bool has_linux;
  struct spec_linux linux_;
  json_value *doc;       /* the parsed document, kept for pass-through (annotations, state) */
};

/* Parse and validate.  `origin` names the document in messages ("config.json", "process.json").
 * On failure returns -1 with the JSON path in err->msg and nothing allocated. */
int spec_load_file (const char *path, struct spec **out, cnf_err *err);
int spec_load_buf (const char *origin, const char *buf, size_t len, struct spec **out, cnf_err *err);
/* Parse a lone process object (for `cnfrun exec --process FILE`). */
int spec_load_process_file (const char *path, struct spec_process *out, cnf_err *err);
void spec_free (struct spec *s);
void spec_process_free (struct spec_process *p);

/* Name tables shared with `features`, `exec --cap` and unit tests. */
const char *spec_ns_name (enum ns_type t);          /* "pid", "network", ... */
int spec_ns_from_name (const char *name);           /* -1 if unknown */
int spec_cap_from_name (const char *name);          /* "CAP_NET_ADMIN" -> 12, -1 if unknown */
const char *spec_cap_name (int cap);
int spec_rlimit_from_name (const char *name);       /* "RLIMIT_NOFILE" -> RLIMIT_NOFILE */
const char *spec_annotation (const struct spec *s, const char *key); /* NULL if absent */

/* Generic name tables (runtime/spec_names.c), each ended by { NULL, 0 }.  Used by the parser,
 * `features`, the process/seccomp setup code and the unit tests. */
struct spec_name
{
  const char *name;
  long value;
};
extern const struct spec_name spec_sched_policies[];   /* "SCHED_FIFO" -> SCHED_FIFO */
extern const struct spec_name spec_sched_flags[];      /* "SCHED_FLAG_RESET_ON_FORK" -> 0x01 */
extern const struct spec_name spec_ioprio_classes[];   /* "IOPRIO_CLASS_RT" -> 1 */
extern const struct spec_name spec_mpol_modes[];       /* "MPOL_BIND" -> 2 */
extern const struct spec_name spec_mpol_flags[];       /* "MPOL_F_STATIC_NODES" -> 1 << 15 */
extern const struct spec_name spec_personality_domains[]; /* "LINUX" -> PER_LINUX */
extern const struct spec_name spec_seccomp_actions[];  /* "SCMP_ACT_ERRNO" -> SCMP_ACT_ERRNO(0) */
extern const struct spec_name spec_seccomp_operators[]; /* "SCMP_CMP_EQ" -> SCMP_CMP_EQ */
extern const struct spec_name spec_seccomp_archs[];    /* "SCMP_ARCH_X86_64" -> index (names only) */
extern const struct spec_name spec_seccomp_flags[];    /* "SECCOMP_FILTER_FLAG_TSYNC" -> flag bit */
extern const struct spec_name spec_rlimit_names[];     /* "RLIMIT_NOFILE" -> RLIMIT_NOFILE */
/* Look a name up: 0 and *value on success, -1 if unknown. */
int spec_name_lookup (const struct spec_name *table, const char *name, long *value);
/* The first name with this value, or NULL. */
const char *spec_name_of (const struct spec_name *table, long value);
size_t spec_name_count (const struct spec_name *table);
int spec_cap_last (void);                           /* highest capability number known (40) */
const char *spec_rlimit_name (int resource);        /* RLIMIT_NOFILE -> "RLIMIT_NOFILE" */
/* A kernel cpu/node list such as "0-3,7,9-11": syntax only. */
bool spec_valid_id_list (const char *s);

/* linux.resources (or `cnfrun update --resources FILE`): parse and validate v into *out, which
 * must be zeroed; `path` is the JSON path of v (".linux.resources", or "" for a lone document).
 * On failure returns -1 with "origin: path.field: problem" and *out freed. */
int spec_parse_resources (const json_value *v, const char *origin, const char *path, struct cg_resources *out,
                          cnf_err *err);

#endif

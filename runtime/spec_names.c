/* spec_names.c — the name tables of runtime-spec values: namespace types, capabilities,
 * rlimits, scheduler policies and flags, I/O priority classes, memory policy modes and flags,
 * personality domains and the seccomp vocabulary.  Values come from the kernel/libc/libseccomp
 * headers, with fallbacks for constants newer than Debian 12's headers. */
#include <config.h>

#include <linux/capability.h>
#include <linux/ioprio.h>
#include <linux/mempolicy.h>
#include <sched.h>
#include <seccomp.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/resource.h>

#include "spec.h"

#ifndef SCHED_BATCH
#define SCHED_BATCH 3
#endif
#ifndef SCHED_IDLE
#define SCHED_IDLE 5
#endif
#ifndef SCHED_DEADLINE
#define SCHED_DEADLINE 6
#endif
#ifndef SCHED_FLAG_RESET_ON_FORK
#define SCHED_FLAG_RESET_ON_FORK 0x01
#define SCHED_FLAG_RECLAIM 0x02
#define SCHED_FLAG_DL_OVERRUN 0x04
#define SCHED_FLAG_KEEP_POLICY 0x08
#define SCHED_FLAG_KEEP_PARAMS 0x10
#define SCHED_FLAG_UTIL_CLAMP_MIN 0x20
#define SCHED_FLAG_UTIL_CLAMP_MAX 0x40
#endif
/* Debian 12's linux/mempolicy.h stops at MPOL_PREFERRED_MANY. */
#define CNF_MPOL_WEIGHTED_INTERLEAVE 6
#ifndef SECCOMP_FILTER_FLAG_TSYNC
#define SECCOMP_FILTER_FLAG_TSYNC (1UL << 0)
#define SECCOMP_FILTER_FLAG_LOG (1UL << 1)
#define SECCOMP_FILTER_FLAG_SPEC_ALLOW (1UL << 2)
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif
#ifndef SCMP_ACT_KILL_PROCESS
#define SCMP_ACT_KILL_PROCESS 0x80000000U
#endif
#ifndef SCMP_ACT_NOTIFY
#define SCMP_ACT_NOTIFY 0x7fc00000U
#endif
#ifndef SCMP_ACT_LOG
#define SCMP_ACT_LOG 0x7ffc0000U
#endif

static const char *const ns_names[NS__COUNT] = {
  [NS_PID] = "pid",   [NS_NET] = "network", [NS_MNT] = "mount",   [NS_IPC] = "ipc",
  [NS_UTS] = "uts",   [NS_USER] = "user",   [NS_CGROUP] = "cgroup", [NS_TIME] = "time",
};

const char *
spec_ns_name (enum ns_type t)
{
  if ((int) t < 0 || t >= NS__COUNT)
    return NULL;
  return ns_names[t];
}

int
spec_ns_from_name (const char *name)
{
  if (name == NULL)
    return -1;
  for (int i = 0; i < NS__COUNT; i++)
    if (strcmp (ns_names[i], name) == 0)
      return i;
  return -1;
}

/* Indexed by capability number; every capability up to CAP_CHECKPOINT_RESTORE (40). */
static const char *const cap_names[] = {
  "CAP_CHOWN",            "CAP_DAC_OVERRIDE",   "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
  "CAP_FSETID",           "CAP_KILL",           "CAP_SETGID",          "CAP_SETUID",
  "CAP_SETPCAP",          "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
  "CAP_NET_ADMIN",        "CAP_NET_RAW",        "CAP_IPC_LOCK",        "CAP_IPC_OWNER",
  "CAP_SYS_MODULE",       "CAP_SYS_RAWIO",      "CAP_SYS_CHROOT",      "CAP_SYS_PTRACE",
  "CAP_SYS_PACCT",        "CAP_SYS_ADMIN",      "CAP_SYS_BOOT",        "CAP_SYS_NICE",
  "CAP_SYS_RESOURCE",     "CAP_SYS_TIME",       "CAP_SYS_TTY_CONFIG",  "CAP_MKNOD",
  "CAP_LEASE",            "CAP_AUDIT_WRITE",    "CAP_AUDIT_CONTROL",   "CAP_SETFCAP",
  "CAP_MAC_OVERRIDE",     "CAP_MAC_ADMIN",      "CAP_SYSLOG",          "CAP_WAKE_ALARM",
  "CAP_BLOCK_SUSPEND",    "CAP_AUDIT_READ",     "CAP_PERFMON",         "CAP_BPF",
  "CAP_CHECKPOINT_RESTORE",
};
_Static_assert (sizeof cap_names / sizeof cap_names[0] == 41, "capability table");
#ifdef CAP_CHECKPOINT_RESTORE
_Static_assert (CAP_CHECKPOINT_RESTORE == 40, "capability numbering");
#endif

int
spec_cap_last (void)
{
  return (int) (sizeof cap_names / sizeof cap_names[0]) - 1;
}

int
spec_cap_from_name (const char *name)
{
  if (name == NULL)
    return -1;
  for (size_t i = 0; i < sizeof cap_names / sizeof cap_names[0]; i++)
    if (strcmp (cap_names[i], name) == 0)
      return (int) i;
  return -1;
}

const char *
spec_cap_name (int cap)
{
  if (cap < 0 || cap > spec_cap_last ())
    return NULL;
  return cap_names[cap];
}

const struct spec_name spec_rlimit_names[] = {
  { "RLIMIT_CPU", RLIMIT_CPU },         { "RLIMIT_FSIZE", RLIMIT_FSIZE },   { "RLIMIT_DATA", RLIMIT_DATA },
  { "RLIMIT_STACK", RLIMIT_STACK },     { "RLIMIT_CORE", RLIMIT_CORE },     { "RLIMIT_RSS", RLIMIT_RSS },
  { "RLIMIT_NPROC", RLIMIT_NPROC },     { "RLIMIT_NOFILE", RLIMIT_NOFILE }, { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },
  { "RLIMIT_AS", RLIMIT_AS },           { "RLIMIT_LOCKS", RLIMIT_LOCKS },   { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
  { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE }, { "RLIMIT_NICE", RLIMIT_NICE },   { "RLIMIT_RTPRIO", RLIMIT_RTPRIO },
  { "RLIMIT_RTTIME", RLIMIT_RTTIME },   { NULL, 0 },
};

int
spec_rlimit_from_name (const char *name)
{
  long v;
  if (spec_name_lookup (spec_rlimit_names, name, &v) < 0)
    return -1;
  return (int) v;
}

const char *
spec_rlimit_name (int resource)
{
  return spec_name_of (spec_rlimit_names, resource);
}

const struct spec_name spec_sched_policies[] = {
  { "SCHED_OTHER", SCHED_OTHER }, { "SCHED_FIFO", SCHED_FIFO }, { "SCHED_RR", SCHED_RR },
  { "SCHED_BATCH", SCHED_BATCH }, { "SCHED_ISO", 4 },           { "SCHED_IDLE", SCHED_IDLE },
  { "SCHED_DEADLINE", SCHED_DEADLINE }, { NULL, 0 },
};

const struct spec_name spec_sched_flags[] = {
  { "SCHED_FLAG_RESET_ON_FORK", SCHED_FLAG_RESET_ON_FORK },
  { "SCHED_FLAG_RECLAIM", SCHED_FLAG_RECLAIM },
  { "SCHED_FLAG_DL_OVERRUN", SCHED_FLAG_DL_OVERRUN },
  { "SCHED_FLAG_KEEP_POLICY", SCHED_FLAG_KEEP_POLICY },
  { "SCHED_FLAG_KEEP_PARAMS", SCHED_FLAG_KEEP_PARAMS },
  { "SCHED_FLAG_UTIL_CLAMP_MIN", SCHED_FLAG_UTIL_CLAMP_MIN },
  { "SCHED_FLAG_UTIL_CLAMP_MAX", SCHED_FLAG_UTIL_CLAMP_MAX },
  { NULL, 0 },
};

const struct spec_name spec_ioprio_classes[] = {
  { "IOPRIO_CLASS_RT", IOPRIO_CLASS_RT },
  { "IOPRIO_CLASS_BE", IOPRIO_CLASS_BE },
  { "IOPRIO_CLASS_IDLE", IOPRIO_CLASS_IDLE },
  { NULL, 0 },
};

const struct spec_name spec_mpol_modes[] = {
  { "MPOL_DEFAULT", MPOL_DEFAULT },
  { "MPOL_PREFERRED", MPOL_PREFERRED },
  { "MPOL_BIND", MPOL_BIND },
  { "MPOL_INTERLEAVE", MPOL_INTERLEAVE },
  { "MPOL_LOCAL", MPOL_LOCAL },
  { "MPOL_PREFERRED_MANY", 5 },
  { "MPOL_WEIGHTED_INTERLEAVE", CNF_MPOL_WEIGHTED_INTERLEAVE },
  { NULL, 0 },
};

const struct spec_name spec_mpol_flags[] = {
  { "MPOL_F_NUMA_BALANCING", MPOL_F_NUMA_BALANCING },
  { "MPOL_F_RELATIVE_NODES", MPOL_F_RELATIVE_NODES },
  { "MPOL_F_STATIC_NODES", MPOL_F_STATIC_NODES },
  { NULL, 0 },
};

const struct spec_name spec_personality_domains[] = {
  { "LINUX", PER_LINUX },
  { "LINUX32", PER_LINUX32 },
  { NULL, 0 },
};

const struct spec_name spec_seccomp_actions[] = {
  { "SCMP_ACT_KILL", (long) SCMP_ACT_KILL_THREAD },
  { "SCMP_ACT_KILL_PROCESS", (long) SCMP_ACT_KILL_PROCESS },
  { "SCMP_ACT_KILL_THREAD", (long) SCMP_ACT_KILL_THREAD },
  { "SCMP_ACT_TRAP", (long) SCMP_ACT_TRAP },
  { "SCMP_ACT_ERRNO", (long) SCMP_ACT_ERRNO (0) },
  { "SCMP_ACT_TRACE", (long) SCMP_ACT_TRACE (0) },
  { "SCMP_ACT_ALLOW", (long) SCMP_ACT_ALLOW },
  { "SCMP_ACT_LOG", (long) SCMP_ACT_LOG },
  { "SCMP_ACT_NOTIFY", (long) SCMP_ACT_NOTIFY },
  { NULL, 0 },
};

const struct spec_name spec_seccomp_operators[] = {
  { "SCMP_CMP_NE", SCMP_CMP_NE }, { "SCMP_CMP_LT", SCMP_CMP_LT }, { "SCMP_CMP_LE", SCMP_CMP_LE },
  { "SCMP_CMP_EQ", SCMP_CMP_EQ }, { "SCMP_CMP_GE", SCMP_CMP_GE }, { "SCMP_CMP_GT", SCMP_CMP_GT },
  { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ }, { NULL, 0 },
};

/* Names only: libseccomp resolves them (seccomp_arch_resolve_name without the prefix). */
const struct spec_name spec_seccomp_archs[] = {
  { "SCMP_ARCH_X86", 1 },       { "SCMP_ARCH_X86_64", 2 },    { "SCMP_ARCH_X32", 3 },
  { "SCMP_ARCH_ARM", 4 },       { "SCMP_ARCH_AARCH64", 5 },   { "SCMP_ARCH_MIPS", 6 },
  { "SCMP_ARCH_MIPS64", 7 },    { "SCMP_ARCH_MIPS64N32", 8 }, { "SCMP_ARCH_MIPSEL", 9 },
  { "SCMP_ARCH_MIPSEL64", 10 }, { "SCMP_ARCH_MIPSEL64N32", 11 }, { "SCMP_ARCH_PPC", 12 },
  { "SCMP_ARCH_PPC64", 13 },    { "SCMP_ARCH_PPC64LE", 14 },  { "SCMP_ARCH_S390", 15 },
  { "SCMP_ARCH_S390X", 16 },    { "SCMP_ARCH_PARISC", 17 },   { "SCMP_ARCH_PARISC64", 18 },
  { "SCMP_ARCH_RISCV64", 19 },  { "SCMP_ARCH_LOONGARCH64", 20 }, { "SCMP_ARCH_M68K", 21 },
  { "SCMP_ARCH_SH", 22 },       { "SCMP_ARCH_SHEB", 23 },     { NULL, 0 },
};

const struct spec_name spec_seccomp_flags[] = {
  { "SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC },
  { "SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG },
  { "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW },
  { "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV },
  { NULL, 0 },
};

int
spec_name_lookup (const struct spec_name *table, const char *name, long *value)
{
  if (name == NULL)
    return -1;
  for (; table->name; table++)
    if (strcmp (table->name, name) == 0)
      {
        if (value)
          *value = table->value;
        return 0;
      }
  return -1;
}

const char *
spec_name_of (const struct spec_name *table, long value)
{
  for (; table->name; table++)
    if (table->value == value)
      return table->name;
  return NULL;
}

size_t
spec_name_count (const struct spec_name *table)
{
  size_t n = 0;
  while (table[n].name)
    n++;
  return n;
}

/* "0-3,7": comma-separated decimal numbers or ascending ranges, no spaces. */
bool
spec_valid_id_list (const char *s)
{
  if (s == NULL || *s == '\0')
    return false;
  while (*s)
    {
      unsigned long a = 0, b;
      if (*s < '0' || *s > '9')
        return false;
      while (*s >= '0' && *s <= '9')
        {
          a = a * 10 + (unsigned long) (*s++ - '0');
          if (a > 1u << 24)
            return false;
        }
      if (*s == '-')
        {
          s++;
          if (*s < '0' || *s > '9')
            return false;
          b = 0;
          while (*s >= '0' && *s <= '9')
            {
              b = b * 10 + (unsigned long) (*s++ - '0');
              if (b > 1u << 24)
                return false;
            }
          if (b < a)
            return false;
        }
      if (*s == ',')
        {
          s++;
          if (*s == '\0')
            return false;
        }
      else if (*s != '\0')
        return false;
    }
  return true;
}

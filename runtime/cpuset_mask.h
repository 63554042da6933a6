/* cpuset_mask.h — CPU and NUMA node lists ("0-3,7", "0-2047:2") as bit masks sized dynamically
 * from the highest listed bit, never from a fixed CPU_SETSIZE (1,024), so hosts with more CPUs
 * work (runc #5023).  The same mask serves sched_setaffinity() and set_mempolicy(). */
#ifndef CNF_CPUSET_MASK_H
#define CNF_CPUSET_MASK_H

#include <stdbool.h>
#include <stddef.h>
#include "../lib/error.h"

/* Refuse lists that name bits this high: a typo like "0-99999999" must not allocate a huge mask. */
#define CPU_MASK_MAX_BITS (1U << 20)

struct cpu_mask
{
  unsigned long *bits;  /* n_longs words */
  size_t n_longs;
  size_t nbits;         /* highest set bit + 1 (0 for an empty list) */
};

/* Parse a Linux list ("0-3,7", "0-15:2" strides as in the kernel's bitmap_parselist, blanks
 * ignored).  `what` names the field in messages (".process.execCPUAffinity.final").  An empty
 * list gives an empty mask. */
int cpu_mask_parse (const char *list, const char *what, struct cpu_mask *m, cnf_err *err);
void cpu_mask_free (struct cpu_mask *m);
bool cpu_mask_test (const struct cpu_mask *m, size_t bit);
size_t cpu_mask_count (const struct cpu_mask *m);
/* The size in bytes to pass as cpusetsize (a multiple of sizeof (long)). */
size_t cpu_mask_bytes (const struct cpu_mask *m);
/* Format back to a canonical list ("0-3,7"); malloc'd. */
char *cpu_mask_format (const struct cpu_mask *m);

#endif

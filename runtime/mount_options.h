/* mount_options.h — the runtime-spec mount options table turned into data: legacy MS_* flags to set
 * and clear, MOUNT_ATTR_* for the new mount API (top mount and recursive), propagation, bind/rbind,
 * idmap/ridmap, and whatever is left joined as the filesystem data string ("mode=755,size=64k").
 * Pure parsing: no syscalls, unit-tested on every option. */
#ifndef CNF_MOUNT_OPTIONS_H
#define CNF_MOUNT_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "../lib/error.h"

struct mount_opts
{
  unsigned long ms_set;     /* MS_* requested (MS_RDONLY, MS_NOSUID, MS_BIND, MS_REC, MS_REMOUNT, ...) */
  unsigned long ms_clear;   /* MS_* explicitly cleared (rw, suid, dev, exec, atime, ...) */
  unsigned long propagation;/* MS_PRIVATE/MS_SHARED/MS_SLAVE/MS_UNBINDABLE (| MS_REC), 0 = unchanged; last wins */
  uint64_t attr_set;        /* MOUNT_ATTR_* for the mount itself */
  uint64_t attr_clr;
  uint64_t rec_attr_set;    /* MOUNT_ATTR_* applied recursively (rro, rnosuid, ...) */
  uint64_t rec_attr_clr;
  bool bind, rbind;
  bool remount;
  bool idmap, ridmap;
  bool tmpcopyup;
  char *data;               /* unknown options joined with ',', or NULL */
};

/* Parse the options of one mount.  Unknown words are filesystem data.  Never fails on content;
 * returns -1 only for an option that is empty or contains a comma. */
int mount_options_parse (char *const *options, size_t n, struct mount_opts *out, cnf_err *err);
void mount_opts_free (struct mount_opts *o);

/* Legacy propagation name ("rshared") -> MS_* | MS_REC, 0 if not a propagation word. */
unsigned long mount_propagation_from_name (const char *name);

#endif

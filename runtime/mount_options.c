/* mount_options.c — the OCI mount options table (see mount_options.h). */
#include <errno.h>
#include <string.h>
#include <sys/mount.h>
#include "mount_options.h"
#include "../lib/util.h"

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

enum opt_kind { K_FLAG, K_PROP, K_REC_ATTR, K_SPECIAL };

struct opt_def
{
  const char *name;
  enum opt_kind kind;
  bool clear;               /* the option removes the flag/attr */
  unsigned long ms;         /* MS_* for K_FLAG / K_PROP */
  uint64_t attr;            /* MOUNT_ATTR_* for K_FLAG / K_REC_ATTR */
};

/* Atime attributes are an enum inside MOUNT_ATTR__ATIME: "noatime" = set NOATIME, clear the group. */
#define ATIME_GROUP (1ULL << 63)  /* marker: attr is a value of MOUNT_ATTR__ATIME */

static const struct opt_def defs[] = {
  { "ro", K_FLAG, false, MS_RDONLY, MOUNT_ATTR_RDONLY },
  { "rw", K_FLAG, true, MS_RDONLY, MOUNT_ATTR_RDONLY },
  { "suid", K_FLAG, true, MS_NOSUID, MOUNT_ATTR_NOSUID },
  { "nosuid", K_FLAG, false, MS_NOSUID, MOUNT_ATTR_NOSUID },
  { "dev", K_FLAG, true, MS_NODEV, MOUNT_ATTR_NODEV },
  { "nodev", K_FLAG, false, MS_NODEV, MOUNT_ATTR_NODEV },
  { "exec", K_FLAG, true, MS_NOEXEC, MOUNT_ATTR_NOEXEC },
  { "noexec", K_FLAG, false, MS_NOEXEC, MOUNT_ATTR_NOEXEC },
  { "sync", K_FLAG, false, MS_SYNCHRONOUS, 0 },
  { "async", K_FLAG, true, MS_SYNCHRONOUS, 0 },
  { "dirsync", K_FLAG, false, MS_DIRSYNC, 0 },
  { "mand", K_FLAG, false, MS_MANDLOCK, 0 },
  { "nomand", K_FLAG, true, MS_MANDLOCK, 0 },
  { "atime", K_FLAG, true, MS_NOATIME, ATIME_GROUP | MOUNT_ATTR_NOATIME },
  { "noatime", K_FLAG, false, MS_NOATIME, ATIME_GROUP | MOUNT_ATTR_NOATIME },
  { "diratime", K_FLAG, true, MS_NODIRATIME, MOUNT_ATTR_NODIRATIME },
  { "nodiratime", K_FLAG, false, MS_NODIRATIME, MOUNT_ATTR_NODIRATIME },
  { "relatime", K_FLAG, false, MS_RELATIME, ATIME_GROUP | MOUNT_ATTR_RELATIME },
  { "norelatime", K_FLAG, true, MS_RELATIME, ATIME_GROUP | MOUNT_ATTR_RELATIME },
  { "strictatime", K_FLAG, false, MS_STRICTATIME, ATIME_GROUP | MOUNT_ATTR_STRICTATIME },
  { "nostrictatime", K_FLAG, true, MS_STRICTATIME, ATIME_GROUP | MOUNT_ATTR_STRICTATIME },
  { "nosymfollow", K_FLAG, false, MS_NOSYMFOLLOW, MOUNT_ATTR_NOSYMFOLLOW },
  { "symfollow", K_FLAG, true, MS_NOSYMFOLLOW, MOUNT_ATTR_NOSYMFOLLOW },
  { "remount", K_SPECIAL, false, MS_REMOUNT, 0 },
  { "bind", K_SPECIAL, false, MS_BIND, 0 },
  { "rbind", K_SPECIAL, false, MS_BIND | MS_REC, 0 },
  { "idmap", K_SPECIAL, false, 0, 0 },
  { "ridmap", K_SPECIAL, false, 0, 0 },
  { "tmpcopyup", K_SPECIAL, false, 0, 0 },
  { "private", K_PROP, false, MS_PRIVATE, 0 },
  { "rprivate", K_PROP, false, MS_PRIVATE | MS_REC, 0 },
  { "shared", K_PROP, false, MS_SHARED, 0 },
  { "rshared", K_PROP, false, MS_SHARED | MS_REC, 0 },
  { "slave", K_PROP, false, MS_SLAVE, 0 },
  { "rslave", K_PROP, false, MS_SLAVE | MS_REC, 0 },
  { "unbindable", K_PROP, false, MS_UNBINDABLE, 0 },
  { "runbindable", K_PROP, false, MS_UNBINDABLE | MS_REC, 0 },
  /* Recursive attributes (runtime-spec 1.1+, mount_setattr with AT_RECURSIVE). */
  { "rro", K_REC_ATTR, false, 0, MOUNT_ATTR_RDONLY },
  { "rrw", K_REC_ATTR, true, 0, MOUNT_ATTR_RDONLY },
  { "rnosuid", K_REC_ATTR, false, 0, MOUNT_ATTR_NOSUID },
  { "rsuid", K_REC_ATTR, true, 0, MOUNT_ATTR_NOSUID },
  { "rnodev", K_REC_ATTR, false, 0, MOUNT_ATTR_NODEV },
  { "rdev", K_REC_ATTR, true, 0, MOUNT_ATTR_NODEV },
  { "rnoexec", K_REC_ATTR, false, 0, MOUNT_ATTR_NOEXEC },
  { "rexec", K_REC_ATTR, true, 0, MOUNT_ATTR_NOEXEC },
  { "rnodiratime", K_REC_ATTR, false, 0, MOUNT_ATTR_NODIRATIME },
  { "rdiratime", K_REC_ATTR, true, 0, MOUNT_ATTR_NODIRATIME },
  { "rnoatime", K_REC_ATTR, false, 0, ATIME_GROUP | MOUNT_ATTR_NOATIME },
  { "ratime", K_REC_ATTR, true, 0, ATIME_GROUP | MOUNT_ATTR_NOATIME },
  { "rrelatime", K_REC_ATTR, false, 0, ATIME_GROUP | MOUNT_ATTR_RELATIME },
  { "rnorelatime", K_REC_ATTR, true, 0, ATIME_GROUP | MOUNT_ATTR_RELATIME },
  { "rstrictatime", K_REC_ATTR, false, 0, ATIME_GROUP | MOUNT_ATTR_STRICTATIME },
  { "rnostrictatime", K_REC_ATTR, true, 0, ATIME_GROUP | MOUNT_ATTR_STRICTATIME },
  { "rnosymfollow", K_REC_ATTR, false, 0, MOUNT_ATTR_NOSYMFOLLOW },
  { "rsymfollow", K_REC_ATTR, true, 0, MOUNT_ATTR_NOSYMFOLLOW },
};

static const struct opt_def *
find_def (const char *name)
{
  size_t i;
  for (i = 0; i < sizeof defs / sizeof defs[0]; i++)
    if (strcmp (defs[i].name, name) == 0)
      return &defs[i];
  return NULL;
}

unsigned long
mount_propagation_from_name (const char *name)
{
  const struct opt_def *d = name ? find_def (name) : NULL;
  return d && d->kind == K_PROP ? d->ms : 0;
}

/* Apply one attribute word to a (set, clr) pair.  Atime values replace the whole atime group. */
static void
apply_attr (uint64_t *set, uint64_t *clr, uint64_t attr, bool clear)
{
  if (attr & ATIME_GROUP)
    {
      uint64_t v = attr & ~ATIME_GROUP;
      *set &= ~(uint64_t) MOUNT_ATTR__ATIME;
      *clr |= MOUNT_ATTR__ATIME;
      /* Clearing an atime mode ("atime", "norelatime", "nostrictatime") falls back to relatime,
       * the kernel default, which is value 0 in the group. */
      if (!clear)
        *set |= v;
      return;
    }
  if (clear)
    {
      *set &= ~attr;
      *clr |= attr;
    }
  else
    {
      *set |= attr;
      *clr &= ~attr;
    }
}

int
mount_options_parse (char *const *options, size_t n, struct mount_opts *out, cnf_err *err)
{
  size_t i, dlen = 0;
  char *data = NULL;

  memset (out, 0, sizeof *out);
  for (i = 0; i < n && options && options[i]; i++)
    {
      const char *o = options[i];
      const struct opt_def *d;
      if (o[0] == '\0')
        {
          free (data);
          return cnf_err_set (err, EINVAL, "mount option %zu is empty", i);
        }
      d = find_def (o);
      if (d == NULL)
        {
          size_t l = strlen (o);
          data = xrealloc (data, dlen + l + 2);
          if (dlen)
            data[dlen++] = ',';
          memcpy (data + dlen, o, l + 1);
          dlen += l;
          continue;
        }
      switch (d->kind)
        {
        case K_FLAG:
          if (d->clear)
            {
              out->ms_set &= ~d->ms;
              out->ms_clear |= d->ms;
            }
          else
            {
              out->ms_set |= d->ms;
              out->ms_clear &= ~d->ms;
              /* The atime modes exclude each other in the legacy flags too. */
              if (d->ms & (MS_NOATIME | MS_RELATIME | MS_STRICTATIME))
                out->ms_set &= ~((MS_NOATIME | MS_RELATIME | MS_STRICTATIME) & ~d->ms);
            }
          if (d->attr)
            apply_attr (&out->attr_set, &out->attr_clr, d->attr, d->clear);
          break;
        case K_PROP:
          out->propagation = d->ms;
          break;
        case K_REC_ATTR:
          apply_attr (&out->rec_attr_set, &out->rec_attr_clr, d->attr, d->clear);
          break;
        case K_SPECIAL:
          if (strcmp (o, "bind") == 0)
            out->bind = true;
          else if (strcmp (o, "rbind") == 0)
            out->bind = out->rbind = true;
          else if (strcmp (o, "remount") == 0)
            out->remount = true;
          else if (strcmp (o, "idmap") == 0)
            out->idmap = true;
          else if (strcmp (o, "ridmap") == 0)
            out->idmap = out->ridmap = true;
          else if (strcmp (o, "tmpcopyup") == 0)
            out->tmpcopyup = true;
          out->ms_set |= d->ms;
          break;
        }
    }
  out->data = data;
  return 0;
}

void
mount_opts_free (struct mount_opts *o)
{
  free (o->data);
  o->data = NULL;
}

/* stats.c — the "data" object of runc's `events --stats`, read from the v2 files:
 * cpu (cpu.stat), memory (memory.current/max/peak/stat/events, swap), pids, hugetlb per page
 * size, and blkio (io.stat, as runc maps it).  Files a hierarchy lacks leave their part empty. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "internal.h"
#include "../lib/util.h"

static bool
read_u64 (int dfd, const char *file, uint64_t *v)
{
  cleanup_free char *t = NULL;
  size_t l;
  *v = 0;
  if (read_file_at (dfd, file, &t, &l, NULL) < 0)
    return false;
  if (strncmp (t, "max", 3) == 0)
    {
      *v = UINT64_MAX;
      return true;
    }
  *v = strtoull (t, NULL, 10);
  return true;
}

/* A "key value" line of a flat-keyed file. */
static uint64_t
keyed (const char *txt, const char *key)
{
  size_t kl = strlen (key);
  const char *p = txt;
  while (p && *p)
    {
      if (strncmp (p, key, kl) == 0 && p[kl] == ' ')
        return strtoull (p + kl + 1, NULL, 10);
      p = strchr (p, '\n');
      if (p)
        p++;
    }
  return 0;
}

static void
stats_cpu (int dfd, json_writer *w)
{
  cleanup_free char *t = NULL;
  size_t l;
  json_w_key (w, "cpu");
  json_w_obj_open (w);
  if (read_file_at (dfd, "cpu.stat", &t, &l, NULL) == 0)
    {
      json_w_key (w, "usage");
      json_w_obj_open (w);
      json_w_kuint (w, "total", keyed (t, "usage_usec") * 1000);
      json_w_kuint (w, "kernel", keyed (t, "system_usec") * 1000);
      json_w_kuint (w, "user", keyed (t, "user_usec") * 1000);
      json_w_obj_close (w);
      json_w_key (w, "throttling");
      json_w_obj_open (w);
      json_w_kuint (w, "periods", keyed (t, "nr_periods"));
      json_w_kuint (w, "throttledPeriods", keyed (t, "nr_throttled"));
      json_w_kuint (w, "throttledTime", keyed (t, "throttled_usec") * 1000);
      json_w_obj_close (w);
    }
  json_w_obj_close (w);
}

static void
stats_memory (int dfd, json_writer *w)
{
  cleanup_free char *st = NULL, *ev = NULL;
  uint64_t cur, max, peak, sw, swmax;
  size_t l;
  json_w_key (w, "memory");
  json_w_obj_open (w);
  if (!read_u64 (dfd, "memory.current", &cur))
    {
      json_w_obj_close (w);
      return;
    }
  read_u64 (dfd, "memory.max", &max);
  read_u64 (dfd, "memory.peak", &peak);
  read_file_at (dfd, "memory.stat", &st, &l, NULL);
  read_file_at (dfd, "memory.events", &ev, &l, NULL);
  if (st)
    json_w_kuint (w, "cache", keyed (st, "file"));
  json_w_key (w, "usage");
  json_w_obj_open (w);
  json_w_kuint (w, "limit", max);
  json_w_kuint (w, "usage", cur);
  json_w_kuint (w, "max", peak);
  json_w_kuint (w, "failcnt", ev ? keyed (ev, "max") : 0);
  json_w_obj_close (w);
  if (read_u64 (dfd, "memory.swap.current", &sw))
    {
      read_u64 (dfd, "memory.swap.max", &swmax);
      json_w_key (w, "swap");
      json_w_obj_open (w);
      /* runc reports swap as memory+swap, the v1 way. */
      json_w_kuint (w, "limit", swmax == UINT64_MAX || max == UINT64_MAX ? UINT64_MAX : swmax + max);
      json_w_kuint (w, "usage", sw + cur);
      json_w_kuint (w, "failcnt", 0);
      json_w_obj_close (w);
    }
  if (st)
    {
      char *p = st, *nl;
      json_w_key (w, "raw");
      json_w_obj_open (w);
      for (; *p; p = nl + 1)
        {
          char *sp = strchr (p, ' ');
          nl = strchr (p, '\n');
          if (sp == NULL || nl == NULL || sp > nl)
            break;
          *sp = '\0';
          json_w_kuint (w, p, strtoull (sp + 1, NULL, 10));
        }
      json_w_obj_close (w);
    }
  json_w_obj_close (w);
}

static void
stats_pids (int dfd, json_writer *w)
{
  uint64_t cur, max;
  json_w_key (w, "pids");
  json_w_obj_open (w);
  if (read_u64 (dfd, "pids.current", &cur))
    {
      json_w_kuint (w, "current", cur);
      if (read_u64 (dfd, "pids.max", &max) && max != UINT64_MAX)
        json_w_kuint (w, "limit", max);
    }
  json_w_obj_close (w);
}

static void
stats_hugetlb (int dfd, json_writer *w)
{
  DIR *d;
  struct dirent *e;
  int fd = fcntl (dfd, F_DUPFD_CLOEXEC, 3);
  json_w_key (w, "hugetlb");
  json_w_obj_open (w);
  d = fd >= 0 ? fdopendir (fd) : NULL;
  if (d == NULL && fd >= 0)
    close (fd);
  while (d && (e = readdir (d)) != NULL)
    {
      char size[32], f[96];
      cleanup_free char *ev = NULL;
      uint64_t cur, max;
      size_t l;
      const char *p = e->d_name + 8, *dot;
      /* hugetlb.<size>.current, not the .rsvd.current twin */
      if (!str_has_prefix (e->d_name, "hugetlb.") || (dot = strchr (p, '.')) == NULL || strcmp (dot, ".current") != 0
          || (size_t) (dot - p) >= sizeof size)
        continue;
      memcpy (size, p, dot - p);
      size[dot - p] = '\0';
      read_u64 (dfd, e->d_name, &cur);
      snprintf (f, sizeof f, "hugetlb.%s.max", size);
      read_u64 (dfd, f, &max);
      snprintf (f, sizeof f, "hugetlb.%s.events", size);
      read_file_at (dfd, f, &ev, &l, NULL);
      json_w_key (w, size);
      json_w_obj_open (w);
      json_w_kuint (w, "usage", cur);
      if (max != UINT64_MAX)
        json_w_kuint (w, "max", max);
      json_w_kuint (w, "failcnt", ev ? keyed (ev, "max") : 0);
      json_w_obj_close (w);
    }
  if (d)
    closedir (d);
  json_w_obj_close (w);
}

static void
blkio_entry (json_writer *w, unsigned maj, unsigned min, const char *op, uint64_t v)
{
  json_w_obj_open (w);
  json_w_kuint (w, "major", maj);
  json_w_kuint (w, "minor", min);
  json_w_kstr (w, "op", op);
  json_w_kuint (w, "value", v);
  json_w_obj_close (w);
}

static void
stats_blkio (int dfd, json_writer *w)
{
  cleanup_free char *t = NULL;
  size_t l;
  json_w_key (w, "blkio");
  json_w_obj_open (w);
  if (read_file_at (dfd, "io.stat", &t, &l, NULL) == 0 && t[0])
    {
      int pass;
      for (pass = 0; pass < 2; pass++)
        {
          char *line, *save = NULL, *copy = xstrdup (t);
          json_w_key (w, pass == 0 ? "ioServiceBytesRecursive" : "ioServicedRecursive");
          json_w_arr_open (w);
          for (line = strtok_r (copy, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
            {
              unsigned maj, min;
              unsigned long long rb = 0, wb = 0, ri = 0, wi = 0;
              char *p;
              if (sscanf (line, "%u:%u", &maj, &min) != 2)
                continue;
              if ((p = strstr (line, "rbytes=")))
                rb = strtoull (p + 7, NULL, 10);
              if ((p = strstr (line, "wbytes=")))
                wb = strtoull (p + 7, NULL, 10);
              if ((p = strstr (line, "rios=")))
                ri = strtoull (p + 5, NULL, 10);
              if ((p = strstr (line, "wios=")))
                wi = strtoull (p + 5, NULL, 10);
              blkio_entry (w, maj, min, "Read", pass == 0 ? rb : ri);
              blkio_entry (w, maj, min, "Write", pass == 0 ? wb : wi);
            }
          free (copy);
          json_w_arr_close (w);
        }
    }
  json_w_obj_close (w);
}

int
cg_stats_json (struct cg_handle *h, json_writer *w, cnf_err *err)
{
  if (h->dirfd < 0)
    return cnf_err_set (err, ENOENT, "cgroup %s does not exist", h->path);
  json_w_obj_open (w);
  stats_cpu (h->dirfd, w);
  stats_memory (h->dirfd, w);
  stats_pids (h->dirfd, w);
  stats_blkio (h->dirfd, w);
  stats_hugetlb (h->dirfd, w);
  json_w_obj_close (w);
  return 0;
}

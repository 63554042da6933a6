/* values.c — conversions from OCI's v1-shaped resource values to cgroup v2 files, cgroupsPath
 * resolution, and CPU masks of any size.  Pure functions: no I/O. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "../lib/util.h"

/* The conversion documented for runc/crun (cgroup v2 docs of the OCI runtimes):
 * weight = 1 + (shares - 2) * 9999 / 262142, mapping [2, 262144] onto [1, 10000]. */
uint64_t
cg_shares_to_weight (uint64_t shares)
{
  if (shares == 0)
    return 0;
  if (shares < 2)
    shares = 2;
  if (shares > 262144)
    shares = 262144;
  return 1 + ((shares - 2) * 9999) / 262142;
}

/* The same linear map from blkio's [10, 1000] onto io.weight's [1, 10000]. */
uint64_t
cg_blkio_to_io_weight (uint64_t w)
{
  if (w == 0)
    return 0;
  if (w < 10)
    w = 10;
  if (w > 1000)
    w = 1000;
  return 1 + ((w - 10) * 9999) / 990;
}

int
cg_swap_to_v2 (bool has_swap, int64_t swap, bool has_limit, int64_t limit, int64_t *out, bool *set, cnf_err *err)
{
  *set = false;
  *out = 0;
  if (!has_limit)
    limit = 0;
  if (!has_swap)
    swap = 0;
  /* v1 compatibility: an unlimited memory limit without a swap value means both unlimited. */
  if (limit == -1 && swap == 0)
    {
      *set = true;
      *out = -1;
      return 0;
    }
  if (swap == 0)
    return 0;
  if (swap == -1)
    {
      *set = true;
      *out = -1;
      return 0;
    }
  if (swap < -1)
    return cnf_err_set (err, EINVAL, "memory.swap: invalid value %" PRId64, swap);
  if (limit == 0 || limit == -1)
    return cnf_err_set (err, EINVAL, "memory.swap: a swap limit needs a memory limit");
  if (limit < 0)
    return cnf_err_set (err, EINVAL, "memory.limit: invalid value %" PRId64, limit);
  if (swap < limit)
    return cnf_err_set (err, EINVAL, "memory.swap (%" PRId64 ") must be >= memory.limit (%" PRId64
                        "): on cgroup v2 it is memory+swap, as on v1", swap, limit);
  *set = true;
  *out = swap - limit;
  return 0;
}

bool
cg_cpu_max_text (bool has_quota, int64_t quota, bool has_period, uint64_t period, char *buf, size_t len)
{
  char q[32];
  if (!has_quota)
    quota = 0;
  if (!has_period)
    period = 0;
  if (quota == 0 && period == 0)
    return false;
  if (quota > 0)
    snprintf (q, sizeof q, "%" PRId64, quota);
  else
    snprintf (q, sizeof q, "max");
  if (period)
    snprintf (buf, len, "%s %" PRIu64, q, period);
  else
    snprintf (buf, len, "%s", q);
  return true;
}

void
cg_limit_text (int64_t v, char *buf, size_t len)
{
  if (v < 0)
    snprintf (buf, len, "max");
  else
    snprintf (buf, len, "%" PRId64, v);
}

int64_t
cg_hugepage_size_bytes (const char *s)
{
  char *end;
  unsigned long long n;
  if (s == NULL || !isdigit ((unsigned char) *s))
    return -1;
  errno = 0;
  n = strtoull (s, &end, 10);
  if (errno || n == 0)
    return -1;
  if (strcmp (end, "KB") == 0)
    return (int64_t) n << 10;
  if (strcmp (end, "MB") == 0)
    return (int64_t) n << 20;
  if (strcmp (end, "GB") == 0)
    return (int64_t) n << 30;
  return -1;
}

static bool
has_dotdot (const char *p)
{
  const char *s = p;
  while ((s = strstr (s, "..")) != NULL)
    {
      bool start = s == p || s[-1] == '/';
      bool end = s[2] == '\0' || s[2] == '/';
      if (start && end)
        return true;
      s += 2;
    }
  return false;
}

/* Collapse "//" and trailing "/"; result starts with '/'. */
static char *
clean_path (const char *a, const char *b)
{
  size_t la = a ? strlen (a) : 0, lb = b ? strlen (b) : 0, i, o = 0;
  char *r = xmalloc (la + lb + 3);
  char *tmp = xasprintf ("/%s/%s", a ? a : "", b ? b : "");
  for (i = 0; tmp[i]; i++)
    {
      if (tmp[i] == '/' && o > 0 && r[o - 1] == '/')
        continue;
      if (tmp[i] == '.' && o > 0 && r[o - 1] == '/' && (tmp[i + 1] == '/' || tmp[i + 1] == '\0'))
        {
          i += tmp[i + 1] == '/';
          continue;
        }
      r[o++] = tmp[i];
    }
  while (o > 1 && r[o - 1] == '/')
    o--;
  r[o] = '\0';
  free (tmp);
  return r;
}

int
cg_resolve_path (const char *cgroups_path, const char *id, const char *own, char **rel, cnf_err *err)
{
  *rel = NULL;
  if (cgroups_path == NULL || cgroups_path[0] == '\0')
    {
      if (id == NULL || id[0] == '\0' || strchr (id, '/') || strcmp (id, "..") == 0 || strcmp (id, ".") == 0)
        return cnf_err_set (err, EINVAL, "cannot derive a cgroup path from container id \"%s\"", id ? id : "");
      *rel = xasprintf ("/cnfrun/%s", id);
      return 0;
    }
  if (has_dotdot (cgroups_path))
    return cnf_err_set (err, EINVAL, "linux.cgroupsPath \"%s\": \"..\" is not allowed", cgroups_path);
  if (strchr (cgroups_path, ':'))
    return cnf_err_set (err, EINVAL,
                        "linux.cgroupsPath \"%s\" looks like slice:prefix:name, which needs --systemd-cgroup",
                        cgroups_path);
  if (cgroups_path[0] == '/')
    *rel = clean_path (cgroups_path, NULL);
  else
    *rel = clean_path (own ? own : "/", cgroups_path);
  if (strcmp (*rel, "/") == 0)
    {
      free (*rel);
      *rel = NULL;
      return cnf_err_set (err, EINVAL, "linux.cgroupsPath \"%s\" is the root cgroup", cgroups_path);
    }
  return 0;
}

int
cg_expand_slice (const char *slice, char **out, cnf_err *err)
{
  size_t l = strlen (slice), i;
  char *base, *r;
  size_t rl = 0, cap;
  *out = NULL;
  if (!str_has_suffix (slice, ".slice") || l <= 6 || strchr (slice, '/'))
    return cnf_err_set (err, EINVAL, "invalid systemd slice name \"%s\"", slice);
  if (strcmp (slice, "-.slice") == 0)
    {
      *out = xstrdup ("");
      return 0;
    }
  base = strndup (slice, l - 6);
  if (base == NULL)
    abort ();
  if (base[0] == '-' || base[strlen (base) - 1] == '-' || strstr (base, "--"))
    {
      free (base);
      return cnf_err_set (err, EINVAL, "invalid systemd slice name \"%s\"", slice);
    }
  cap = (strlen (base) + 8) * (strlen (base) + 8);
  r = xmalloc (cap);
  r[0] = '\0';
  for (i = 0;; i++)
    {
      if (base[i] == '-' || base[i] == '\0')
        {
          rl += snprintf (r + rl, cap - rl, "/%.*s.slice", (int) i, base);
          if (base[i] == '\0')
            break;
        }
    }
  free (base);
  *out = r;
  return 0;
}

int
cg_resolve_systemd (const char *cgroups_path, const char *id, char **slice, char **unit, char **rel, cnf_err *err)
{
  cleanup_free char *copy = NULL, *slice_path = NULL;
  char *p1, *p2, *s, *prefix, *name;
  *slice = *unit = *rel = NULL;
  if (cgroups_path == NULL || cgroups_path[0] == '\0')
    {
      /* CRI-O always passes one; runc's default for a bare --systemd-cgroup is system.slice:runc:<id>. */
      copy = xasprintf ("system.slice:cnfrun:%s", id);
    }
  else
    copy = xstrdup (cgroups_path);
  p1 = strchr (copy, ':');
  p2 = p1 ? strchr (p1 + 1, ':') : NULL;
  if (p1 == NULL || p2 == NULL || strchr (p2 + 1, ':'))
    return cnf_err_set (err, EINVAL, "linux.cgroupsPath \"%s\": with --systemd-cgroup it must be slice:prefix:name",
                        cgroups_path);
  *p1 = *p2 = '\0';
  s = copy;
  prefix = p1 + 1;
  name = p2 + 1;
  if (strchr (s, '/') || strchr (prefix, '/') || strchr (name, '/') || name[0] == '\0')
    return cnf_err_set (err, EINVAL, "linux.cgroupsPath \"%s\": invalid slice:prefix:name", cgroups_path);
  if (s[0] == '\0')
    s = "system.slice";
  if (cg_expand_slice (s, &slice_path, err) < 0)
    return -1;
  if (str_has_suffix (name, ".slice"))
    return cnf_err_set (err, EINVAL, "linux.cgroupsPath \"%s\": a slice as the container's unit is not supported",
                        cgroups_path);
  if (prefix[0])
    *unit = xasprintf ("%s-%s.scope", prefix, name);
  else
    *unit = str_has_suffix (name, ".scope") ? xstrdup (name) : xasprintf ("%s.scope", name);
  *slice = xstrdup (s);
  *rel = xasprintf ("%s/%s", slice_path, *unit);
  return 0;
}

/* ---- CPU masks ---- */

static void
cpumask_grow (struct cpumask *m, size_t cpu)
{
  size_t need = cpu / 64 + 1;
  if (need > m->nwords)
    {
      m->bits = xrealloc (m->bits, need * sizeof *m->bits);
      memset (m->bits + m->nwords, 0, (need - m->nwords) * sizeof *m->bits);
      m->nwords = need;
    }
}

void
cpumask_set (struct cpumask *m, size_t cpu)
{
  cpumask_grow (m, cpu);
  m->bits[cpu / 64] |= UINT64_C (1) << (cpu % 64);
}

bool
cpumask_test (const struct cpumask *m, size_t cpu)
{
  return cpu / 64 < m->nwords && (m->bits[cpu / 64] >> (cpu % 64)) & 1;
}

bool
cpumask_empty (const struct cpumask *m)
{
  size_t i;
  for (i = 0; i < m->nwords; i++)
    if (m->bits[i])
      return false;
  return true;
}

void
cpumask_free (struct cpumask *m)
{
  free (m->bits);
  m->bits = NULL;
  m->nwords = 0;
}

int
cpumask_parse_list (const char *list, struct cpumask *m)
{
  const char *p = list;
  *m = (struct cpumask){ 0 };
  while (*p)
    {
      char *end;
      unsigned long a, b, i;
      while (*p == ' ' || *p == '\n')
        p++;
      if (*p == '\0')
        break;
      if (!isdigit ((unsigned char) *p))
        goto bad;
      a = strtoul (p, &end, 10);
      b = a;
      p = end;
      if (*p == '-')
        {
          p++;
          if (!isdigit ((unsigned char) *p))
            goto bad;
          b = strtoul (p, &end, 10);
          p = end;
        }
      if (b < a || b > (1UL << 20))
        goto bad;
      for (i = a; i <= b; i++)
        cpumask_set (m, i);
      while (*p == ' ' || *p == '\n')
        p++;
      if (*p == ',')
        p++;
      else if (*p)
        goto bad;
    }
  return 0;
bad:
  cpumask_free (m);
  errno = EINVAL;
  return -1;
}

size_t
cpumask_hex_groups (const char *hex)
{
  size_t n = 1;
  for (; *hex; hex++)
    if (*hex == ',')
      n++;
  return n;
}

int
cpumask_parse_hex (const char *hex, struct cpumask *m)
{
  size_t groups = cpumask_hex_groups (hex), g = groups;
  const char *p = hex;
  *m = (struct cpumask){ 0 };
  cpumask_grow (m, groups * 32);
  while (g > 0)
    {
      char buf[16];
      size_t l = 0;
      unsigned long v;
      char *end;
      while (*p && *p != ',' && *p != '\n' && l < 9)
        buf[l++] = *p++;
      buf[l] = '\0';
      if (l == 0 || l > 8)
        goto bad;
      v = strtoul (buf, &end, 16);
      if (*end)
        goto bad;
      g--;
      m->bits[(g * 32) / 64] |= (uint64_t) v << ((g * 32) % 64);
      if (*p == ',')
        p++;
    }
  while (*p == '\n' || *p == ' ')
    p++;
  if (*p)
    goto bad;
  return 0;
bad:
  cpumask_free (m);
  errno = EINVAL;
  return -1;
}

char *
cpumask_format_hex (const struct cpumask *m, size_t ngroups)
{
  size_t groups = m->nwords * 2, g, o = 0;
  char *r;
  while (groups > 1 && ((m->bits[(groups - 1) / 2] >> (((groups - 1) % 2) * 32)) & 0xffffffffu) == 0)
    groups--;
  if (groups == 0)
    groups = 1;
  if (ngroups > groups)
    groups = ngroups;
  r = xmalloc (groups * 9 + 1);
  for (g = groups; g > 0; g--)
    {
      size_t i = g - 1;
      uint32_t v = i / 2 < m->nwords ? (uint32_t) (m->bits[i / 2] >> ((i % 2) * 32)) : 0;
      /* the kernel's layout: the top group unpadded, the others 8 digits */
      o += sprintf (r + o, g == groups ? "%x" : ",%08x", v);
    }
  return r;
}

char *
cpumask_format_list (const struct cpumask *m)
{
  size_t n = m->nwords * 64, i, o = 0, cap = 16;
  char *r = xmalloc (cap);
  r[0] = '\0';
  for (i = 0; i < n; i++)
    {
      size_t j;
      if (!cpumask_test (m, i))
        continue;
      for (j = i; j + 1 < n && cpumask_test (m, j + 1); j++)
        ;
      if (cap - o < 48)
        {
          cap = cap * 2 + 48;
          r = xrealloc (r, cap);
        }
      if (j > i)
        o += sprintf (r + o, "%s%zu-%zu", o ? "," : "", i, j);
      else
        o += sprintf (r + o, "%s%zu", o ? "," : "", i);
      i = j;
    }
  return r;
}

void
cpumask_andnot (struct cpumask *dst, const struct cpumask *a, const struct cpumask *b)
{
  size_t i;
  struct cpumask r = { 0 };
  if (a->nwords)
    cpumask_grow (&r, a->nwords * 64 - 1);
  for (i = 0; i < a->nwords; i++)
    r.bits[i] = a->bits[i] & ~(i < b->nwords ? b->bits[i] : 0);
  cpumask_free (dst);
  *dst = r;
}

void
cpumask_or_and (struct cpumask *dst, const struct cpumask *b, const struct cpumask *c)
{
  size_t i, n = b->nwords < c->nwords ? b->nwords : c->nwords;
  if (n)
    cpumask_grow (dst, n * 64 - 1);
  for (i = 0; i < n; i++)
    dst->bits[i] |= b->bits[i] & c->bits[i];
}

/* cpuset_mask.c — dynamically sized CPU/node masks (see cpuset_mask.h). */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cpuset_mask.h"
#include "../lib/util.h"

#define LONG_BITS (sizeof (unsigned long) * CHAR_BIT)

static void
mask_grow (struct cpu_mask *m, size_t bit)
{
  size_t need = bit / LONG_BITS + 1;
  if (need > m->n_longs)
    {
      m->bits = xrealloc (m->bits, need * sizeof *m->bits);
      memset (m->bits + m->n_longs, 0, (need - m->n_longs) * sizeof *m->bits);
      m->n_longs = need;
    }
  if (bit + 1 > m->nbits)
    m->nbits = bit + 1;
}

static void
mask_set (struct cpu_mask *m, size_t bit)
{
  mask_grow (m, bit);
  m->bits[bit / LONG_BITS] |= 1UL << (bit % LONG_BITS);
}

static const char *
skip_blanks (const char *p)
{
  while (*p == ' ' || *p == '\t' || *p == '\n')
    p++;
  return p;
}

/* A decimal number; returns the end or NULL. */
static const char *
parse_num (const char *p, unsigned long *out)
{
  unsigned long v = 0;
  if (!isdigit ((unsigned char) *p))
    return NULL;
  while (isdigit ((unsigned char) *p))
    {
      v = v * 10 + (unsigned long) (*p - '0');
      if (v > CPU_MASK_MAX_BITS)
        v = CPU_MASK_MAX_BITS + 1; /* saturate; reported by the caller */
      p++;
    }
  *out = v;
  return p;
}

int
cpu_mask_parse (const char *list, const char *what, struct cpu_mask *m, cnf_err *err)
{
  const char *p = list ? list : "";
  struct cpu_mask r = { NULL, 0, 0 };

  p = skip_blanks (p);
  while (*p)
    {
      unsigned long lo, hi, stride = 1, b;
      const char *start = p;
      p = parse_num (p, &lo);
      if (p == NULL)
        goto bad;
      hi = lo;
      if (*p == '-')
        {
          p = parse_num (p + 1, &hi);
          if (p == NULL)
            goto bad;
          if (*p == ':')
            {
              p = parse_num (p + 1, &stride);
              if (p == NULL || stride == 0)
                goto bad;
            }
        }
      if (hi < lo)
        {
          cpu_mask_free (&r);
          return cnf_err_set (err, 0, "%s: bad range \"%.*s\" in \"%s\": end before start", what,
                              (int) strcspn (start, ","), start, list);
        }
      if (hi >= CPU_MASK_MAX_BITS)
        {
          cpu_mask_free (&r);
          return cnf_err_set (err, 0, "%s: \"%s\": number %lu is beyond the limit of %u", what, list, hi,
                              CPU_MASK_MAX_BITS - 1);
        }
      for (b = lo; b <= hi; b += stride)
        mask_set (&r, b);
      p = skip_blanks (p);
      if (*p == ',')
        {
          p = skip_blanks (p + 1);
          if (*p == '\0')
            goto bad;
        }
      else if (*p)
        goto bad;
    }
  *m = r;
  return 0;
bad:
  cpu_mask_free (&r);
  return cnf_err_set (err, 0, "%s: invalid list \"%s\" (expected e.g. \"0-3,7\")", what, list);
}

void
cpu_mask_free (struct cpu_mask *m)
{
  free (m->bits);
  m->bits = NULL;
  m->n_longs = 0;
  m->nbits = 0;
}

bool
cpu_mask_test (const struct cpu_mask *m, size_t bit)
{
  if (bit >= m->n_longs * LONG_BITS)
    return false;
  return (m->bits[bit / LONG_BITS] >> (bit % LONG_BITS)) & 1UL;
}

size_t
cpu_mask_count (const struct cpu_mask *m)
{
  size_t i, n = 0;
  for (i = 0; i < m->n_longs; i++)
    n += (size_t) __builtin_popcountl (m->bits[i]);
  return n;
}

size_t
cpu_mask_bytes (const struct cpu_mask *m)
{
  return m->n_longs * sizeof (unsigned long);
}

char *
cpu_mask_format (const struct cpu_mask *m)
{
  size_t cap = 64, len = 0, b = 0;
  char *out = xmalloc (cap);
  out[0] = '\0';
  while (b < m->nbits)
    {
      size_t e;
      char tmp[48];
      int n;
      if (!cpu_mask_test (m, b))
        {
          b++;
          continue;
        }
      e = b;
      while (e + 1 < m->nbits && cpu_mask_test (m, e + 1))
        e++;
      if (e == b)
        n = snprintf (tmp, sizeof tmp, "%s%zu", len ? "," : "", b);
      else
        n = snprintf (tmp, sizeof tmp, "%s%zu-%zu", len ? "," : "", b, e);
      if (len + (size_t) n + 1 > cap)
        {
          cap = (len + (size_t) n + 1) * 2;
          out = xrealloc (out, cap);
        }
      memcpy (out + len, tmp, (size_t) n + 1);
      len += (size_t) n;
      b = e + 1;
    }
  return out;
}

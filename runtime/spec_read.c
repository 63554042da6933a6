/* spec_read.c — the JSON-path-tracking readers of the spec parser (contract in
 * spec_internal.h): every read names the member's full path in its error, and absent or null
 * members read as "not set". */
#include <config.h>

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/util.h"
#include "spec.h"
#include "spec_internal.h"

void
spec_pctx_init (struct spec_pctx *c, const char *origin, const char *path, cnf_err *err)
{
  c->origin = origin ? origin : "config.json";
  c->err = err;
  c->len = 0;
  c->path[0] = '\0';
  if (path && *path)
    {
      size_t n = strlen (path);
      if (n >= sizeof c->path)
        n = sizeof c->path - 1;
      memcpy (c->path, path, n);
      c->path[n] = '\0';
      c->len = n;
    }
}

static bool
plain_key (const char *k)
{
  if (*k == '\0')
    return false;
  for (; *k; k++)
    if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') || (*k >= '0' && *k <= '9') || *k == '_'
          || *k == '-'))
      return false;
  return true;
}

static void
path_append (struct spec_pctx *c, const char *s, size_t n)
{
  if (c->len + n >= sizeof c->path)
    n = sizeof c->path - 1 - c->len;
  memcpy (c->path + c->len, s, n);
  c->len += n;
  c->path[c->len] = '\0';
}

size_t
spec_push_key (struct spec_pctx *c, const char *key)
{
  size_t saved = c->len;
  if (plain_key (key))
    {
      path_append (c, ".", 1);
      path_append (c, key, strlen (key));
    }
  else
    {
      char *q = json_quote (key);
      path_append (c, "[", 1);
      path_append (c, q, strlen (q));
      path_append (c, "]", 1);
      free (q);
    }
  return saved;
}

size_t
spec_push_idx (struct spec_pctx *c, size_t i)
{
  size_t saved = c->len;
  char buf[32], *p = buf + sizeof buf;
  *--p = ']';
  do
    *--p = (char) ('0' + i % 10);
  while ((i /= 10) != 0);
  *--p = '[';
  path_append (c, p, (size_t) (buf + sizeof buf - p));
  return saved;
}

static int
vfail (struct spec_pctx *c, const char *fmt, va_list ap)
{
  char msg[512];
  vsnprintf (msg, sizeof msg, fmt, ap);
  return cnf_err_set (c->err, 0, "%s: %s: %s", c->origin, c->len ? c->path : ".", msg);
}

int
spec_fail (struct spec_pctx *c, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  vfail (c, fmt, ap);
  va_end (ap);
  return -1;
}

int
spec_fail_at (struct spec_pctx *c, const char *key, const char *fmt, ...)
{
  va_list ap;
  size_t saved = spec_push_key (c, key);
  va_start (ap, fmt);
  vfail (c, fmt, ap);
  va_end (ap);
  spec_pop (c, saved);
  return -1;
}

const json_value *
spec_member (const json_value *obj, const char *key)
{
  const json_value *v = json_get (obj, key);
  if (v == NULL || json_is_null (v))
    return NULL;
  return v;
}

const char *
spec_type_word (json_type t)
{
  switch (t)
    {
    case JSON_STRING: return "a string";
    case JSON_NUMBER: return "a number";
    case JSON_BOOL: return "a boolean";
    case JSON_ARRAY: return "an array";
    case JSON_OBJECT: return "an object";
    default: return "null";
    }
}

int
spec_type_fail (struct spec_pctx *c, const char *want, const json_value *v)
{
  return spec_fail (c, "must be %s, not %s", want, spec_type_word (json_typeof (v)));
}

int
spec_rd_type (struct spec_pctx *c, const json_value *obj, const char *key, json_type t, const json_value **out)
{
  const json_value *v = spec_member (obj, key);
  *out = NULL;
  if (v == NULL)
    return 0;
  if (json_typeof (v) != t)
    {
      size_t saved = spec_push_key (c, key);
      spec_type_fail (c, spec_type_word (t), v);
      spec_pop (c, saved);
      return -1;
    }
  *out = v;
  return 1;
}

int
spec_rd_str (struct spec_pctx *c, const json_value *obj, const char *key, char **out)
{
  const json_value *v;
  int r = spec_rd_type (c, obj, key, JSON_STRING, &v);
  if (r <= 0)
    return r;
  free (*out);
  *out = xstrdup (json_string (v));
  return 1;
}

int
spec_rd_bool (struct spec_pctx *c, const json_value *obj, const char *key, bool *out)
{
  const json_value *v;
  int r = spec_rd_type (c, obj, key, JSON_BOOL, &v);
  if (r <= 0)
    return r;
  json_get_bool (v, out);
  return 1;
}

/* Tell "1.5" / "1e3" (not an integer) from an integer beyond the range. */
static int
number_fail (struct spec_pctx *c, const json_value *v, const char *range)
{
  double d = 0;
  json_get_double (v, &d);
  if (d != floor (d) || fabs (d) < 9.0e18)
    {
      int64_t i;
      uint64_t u;
      if (json_get_int64 (v, &i) < 0 && json_get_uint64 (v, &u) < 0 && fabs (d) < 9.0e18)
        return spec_fail (c, "must be an integer");
    }
  return spec_fail (c, "out of range: must be an integer in %s", range);
}

int
spec_val_u64 (struct spec_pctx *c, const json_value *v, uint64_t max, uint64_t *out)
{
  uint64_t x;
  if (json_typeof (v) != JSON_NUMBER)
    return spec_type_fail (c, "a number", v);
  if (json_get_uint64 (v, &x) < 0 || x > max)
    {
      char range[64];
      snprintf (range, sizeof range, "[0, %llu]", (unsigned long long) max);
      return number_fail (c, v, range);
    }
  *out = x;
  return 0;
}

int
spec_val_i64 (struct spec_pctx *c, const json_value *v, int64_t min, int64_t max, int64_t *out)
{
  int64_t x;
  if (json_typeof (v) != JSON_NUMBER)
    return spec_type_fail (c, "a number", v);
  if (json_get_int64 (v, &x) < 0 || x < min || x > max)
    {
      char range[64];
      snprintf (range, sizeof range, "[%lld, %lld]", (long long) min, (long long) max);
      return number_fail (c, v, range);
    }
  *out = x;
  return 0;
}

int
spec_rd_u64 (struct spec_pctx *c, const json_value *obj, const char *key, uint64_t max, uint64_t *out)
{
  const json_value *v = spec_member (obj, key);
  size_t saved;
  int r;
  if (v == NULL)
    return 0;
  saved = spec_push_key (c, key);
  r = spec_val_u64 (c, v, max, out);
  spec_pop (c, saved);
  return r < 0 ? -1 : 1;
}

int
spec_rd_i64 (struct spec_pctx *c, const json_value *obj, const char *key, int64_t min, int64_t max, int64_t *out)
{
  const json_value *v = spec_member (obj, key);
  size_t saved;
  int r;
  if (v == NULL)
    return 0;
  saved = spec_push_key (c, key);
  r = spec_val_i64 (c, v, min, max, out);
  spec_pop (c, saved);
  return r < 0 ? -1 : 1;
}

int
spec_rd_u32 (struct spec_pctx *c, const json_value *obj, const char *key, uint32_t *out)
{
  uint64_t x;
  int r = spec_rd_u64 (c, obj, key, UINT32_MAX, &x);
  if (r > 0)
    *out = (uint32_t) x;
  return r;
}

int
spec_rd_strv (struct spec_pctx *c, const json_value *obj, const char *key, char ***out, size_t *n)
{
  const json_value *a;
  size_t saved, len;
  char **v;
  int r = spec_rd_type (c, obj, key, JSON_ARRAY, &a);
  if (r <= 0)
    return r;
  saved = spec_push_key (c, key);
  len = json_len (a);
  for (size_t i = 0; i < len; i++)
    if (json_typeof (json_at (a, i)) != JSON_STRING)
      {
        spec_push_idx (c, i);
        spec_type_fail (c, "a string", json_at (a, i));
        spec_pop (c, saved);
        return -1;
      }
  spec_pop (c, saved);
  v = xzalloc ((len + 1) * sizeof *v);
  for (size_t i = 0; i < len; i++)
    v[i] = xstrdup (json_string (json_at (a, i)));
  strv_free (*out);
  *out = v;
  if (n)
    *n = len;
  return 1;
}

int
spec_rd_kv (struct spec_pctx *c, const json_value *obj, const char *key, struct cg_kv **out, size_t *n)
{
  const json_value *o;
  size_t saved, len;
  struct cg_kv *kv;
  int r = spec_rd_type (c, obj, key, JSON_OBJECT, &o);
  if (r <= 0)
    return r;
  saved = spec_push_key (c, key);
  len = json_len (o);
  for (size_t i = 0; i < len; i++)
    {
      const json_value *v = json_value_at (o, i);
      if (json_typeof (v) != JSON_STRING)
        {
          spec_push_key (c, json_key_at (o, i));
          spec_type_fail (c, "a string", v);
          spec_pop (c, saved);
          return -1;
        }
    }
  spec_pop (c, saved);
  kv = xzalloc ((len ? len : 1) * sizeof *kv);
  for (size_t i = 0; i < len; i++)
    {
      kv[i].key = xstrdup (json_key_at (o, i));
      kv[i].value = xstrdup (json_string (json_value_at (o, i)));
    }
  *out = kv;
  *n = len;
  return 1;
}

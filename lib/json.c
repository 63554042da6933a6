/* json.c — yajl behind the json.h API.  json_value is yajl's tree node; the writer wraps yajl_gen. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>
#include "json.h"
#include "util.h"

#define V(x) ((yajl_val) (x))

json_value *
json_parse (const char *text, size_t len, char *errbuf, size_t errlen)
{
  char *copy = NULL;
  const char *src = text;
  char local_err[256];
  yajl_val v;

  /* yajl_tree_parse wants a NUL-terminated string. */
  if (len == 0 || text[len - 1] != '\0')
    {
      if (memchr (text, '\0', len) != NULL)
        {
          if (errbuf && errlen)
            snprintf (errbuf, errlen, "parse error: NUL byte in JSON text");
          return NULL;
        }
      copy = xmalloc (len + 1);
      memcpy (copy, text, len);
      copy[len] = '\0';
      src = copy;
    }
  local_err[0] = '\0';
  v = yajl_tree_parse (src, local_err, sizeof (local_err));
  free (copy);
  if (v == NULL)
    {
      if (errbuf && errlen)
        {
          /* yajl's message spans lines with a context excerpt; keep the first line. */
          char *nl = strchr (local_err, '\n');
          if (nl)
            *nl = '\0';
          snprintf (errbuf, errlen, "%s", local_err[0] ? local_err : "parse error: invalid JSON");
        }
      return NULL;
    }
  return (json_value *) v;
}

json_value *
json_parse_fd (int fd, char *errbuf, size_t errlen)
{
  char *buf = NULL;
  size_t len = 0;
  cnf_err err = NULL;
  json_value *v;
  if (read_fd_all (fd, &buf, &len, &err) < 0)
    {
      if (errbuf && errlen)
        snprintf (errbuf, errlen, "%s", err->msg);
      cnf_err_free (&err);
      return NULL;
    }
  v = json_parse (buf, len, errbuf, errlen);
  free (buf);
  return v;
}

json_value *
json_parse_file (const char *path, char *errbuf, size_t errlen)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  json_value *v;
  if (fd < 0)
    {
      if (errbuf && errlen)
        snprintf (errbuf, errlen, "open %s: %s", path, strerror (errno));
      return NULL;
    }
  v = json_parse_fd (fd, errbuf, errlen);
  close (fd);
  return v;
}

void
json_free (json_value *root)
{
  if (root)
    yajl_tree_free (V (root));
}

json_type
json_typeof (const json_value *v)
{
  if (v == NULL)
    return JSON_INVALID;
  switch (V (v)->type)
    {
    case yajl_t_null:
      return JSON_NULL;
    case yajl_t_true:
    case yajl_t_false:
      return JSON_BOOL;
    case yajl_t_number:
      return JSON_NUMBER;
    case yajl_t_string:
      return JSON_STRING;
    case yajl_t_array:
      return JSON_ARRAY;
    case yajl_t_object:
      return JSON_OBJECT;
    default:
      return JSON_INVALID;
    }
}

const char *
json_type_name (json_type t)
{
  static const char *names[] = { "null", "boolean", "number", "string", "array", "object", "invalid" };
  return (unsigned) t <= JSON_INVALID ? names[t] : "invalid";
}

json_value *
json_get (const json_value *obj, const char *key)
{
  size_t i;
  if (obj == NULL || V (obj)->type != yajl_t_object)
    return NULL;
  /* Last one wins for duplicate keys, as Go's encoding/json does. */
  for (i = V (obj)->u.object.len; i > 0; i--)
    if (strcmp (V (obj)->u.object.keys[i - 1], key) == 0)
      return (json_value *) V (obj)->u.object.values[i - 1];
  return NULL;
}

size_t
json_len (const json_value *v)
{
  if (v == NULL)
    return 0;
  if (V (v)->type == yajl_t_object)
    return V (v)->u.object.len;
  if (V (v)->type == yajl_t_array)
    return V (v)->u.array.len;
  return 0;
}

const char *
json_key_at (const json_value *obj, size_t i)
{
  if (obj == NULL || V (obj)->type != yajl_t_object || i >= V (obj)->u.object.len)
    return NULL;
  return V (obj)->u.object.keys[i];
}

json_value *
json_value_at (const json_value *obj, size_t i)
{
  if (obj == NULL || V (obj)->type != yajl_t_object || i >= V (obj)->u.object.len)
    return NULL;
  return (json_value *) V (obj)->u.object.values[i];
}

json_value *
json_at (const json_value *arr, size_t i)
{
  if (arr == NULL || V (arr)->type != yajl_t_array || i >= V (arr)->u.array.len)
    return NULL;
  return (json_value *) V (arr)->u.array.values[i];
}

const char *
json_string (const json_value *v)
{
  if (v == NULL || V (v)->type != yajl_t_string)
    return NULL;
  return V (v)->u.string;
}

int
json_get_bool (const json_value *v, bool *out)
{
  if (v == NULL)
    return -1;
  if (V (v)->type == yajl_t_true)
    *out = true;
  else if (V (v)->type == yajl_t_false)
    *out = false;
  else
    return -1;
  return 0;
}

/* The number's text, checked to be a plain integer (no fraction, no exponent). */
static const char *
integer_text (const json_value *v)
{
  const char *r, *p;
  if (v == NULL || V (v)->type != yajl_t_number)
    return NULL;
  r = V (v)->u.number.r;
  if (r == NULL)
    return NULL;
  for (p = r; *p; p++)
    if (*p == '.' || *p == 'e' || *p == 'E')
      return NULL;
  return r;
}

int
json_get_int64 (const json_value *v, int64_t *out)
{
  const char *r = integer_text (v);
  char *end;
  long long x;
  if (r == NULL)
    return -1;
  errno = 0;
  x = strtoll (r, &end, 10);
  if (errno != 0 || *end != '\0')
    return -1;
  *out = x;
  return 0;
}

int
json_get_uint64 (const json_value *v, uint64_t *out)
{
  const char *r = integer_text (v);
  char *end;
  unsigned long long x;
  if (r == NULL || r[0] == '-')
    return -1;
  errno = 0;
  x = strtoull (r, &end, 10);
  if (errno != 0 || *end != '\0')
    return -1;
  *out = x;
  return 0;
}

int
json_get_double (const json_value *v, double *out)
{
  if (v == NULL || V (v)->type != yajl_t_number)
    return -1;
  *out = (V (v)->u.number.flags & YAJL_NUMBER_DOUBLE_VALID) ? V (v)->u.number.d : strtod (V (v)->u.number.r, NULL);
  return 0;
}

bool
json_is_null (const json_value *v)
{
  return v != NULL && V (v)->type == yajl_t_null;
}

/* ---- writer ---- */

struct json_writer
{
  yajl_gen g;
};

json_writer *
json_writer_new (bool pretty)
{
  json_writer *w = xzalloc (sizeof (*w));
  w->g = yajl_gen_alloc (NULL);
  if (w->g == NULL)
    abort ();
  yajl_gen_config (w->g, yajl_gen_beautify, pretty ? 1 : 0);
  yajl_gen_config (w->g, yajl_gen_validate_utf8, 1);
  if (pretty)
    yajl_gen_config (w->g, yajl_gen_indent_string, "  ");
  return w;
}

void
json_writer_free (json_writer *w)
{
  if (w == NULL)
    return;
  yajl_gen_free (w->g);
  free (w);
}

const char *
json_writer_text (json_writer *w, size_t *len)
{
  const unsigned char *buf = NULL;
  size_t l = 0;
  yajl_gen_get_buf (w->g, &buf, &l);
  if (len)
    *len = l;
  return (const char *) buf;
}

char *
json_writer_steal (json_writer *w, size_t *len)
{
  size_t l;
  const char *t = json_writer_text (w, &l);
  char *out = xmalloc (l + 1);
  memcpy (out, t, l);
  out[l] = '\0';
  if (len)
    *len = l;
  json_writer_free (w);
  return out;
}

void json_w_obj_open (json_writer *w) { yajl_gen_map_open (w->g); }
void json_w_obj_close (json_writer *w) { yajl_gen_map_close (w->g); }
void json_w_arr_open (json_writer *w) { yajl_gen_array_open (w->g); }
void json_w_arr_close (json_writer *w) { yajl_gen_array_close (w->g); }

void
json_w_key (json_writer *w, const char *key)
{
  yajl_gen_string (w->g, (const unsigned char *) key, strlen (key));
}

void
json_w_str (json_writer *w, const char *s)
{
  if (s == NULL)
    yajl_gen_null (w->g);
  else if (yajl_gen_string (w->g, (const unsigned char *) s, strlen (s)) == yajl_gen_invalid_string)
    {
      /* Invalid UTF-8: replace each byte >= 0x80 so the output stays valid JSON. */
      char *copy = xstrdup (s), *p;
      for (p = copy; *p; p++)
        if ((unsigned char) *p >= 0x80)
          *p = '?';
      yajl_gen_string (w->g, (const unsigned char *) copy, strlen (copy));
      free (copy);
    }
}

void json_w_int (json_writer *w, int64_t v) { yajl_gen_integer (w->g, (long long) v); }

void
json_w_uint (json_writer *w, uint64_t v)
{
  char buf[32];
  int n = snprintf (buf, sizeof (buf), "%llu", (unsigned long long) v);
  yajl_gen_number (w->g, buf, n);
}

void json_w_double (json_writer *w, double v) { yajl_gen_double (w->g, v); }
void json_w_bool (json_writer *w, bool v) { yajl_gen_bool (w->g, v ? 1 : 0); }
void json_w_null (json_writer *w) { yajl_gen_null (w->g); }

void
json_w_value (json_writer *w, const json_value *v)
{
  size_t i;
  if (v == NULL)
    {
      yajl_gen_null (w->g);
      return;
    }
  switch (V (v)->type)
    {
    case yajl_t_null:
      yajl_gen_null (w->g);
      break;
    case yajl_t_true:
      yajl_gen_bool (w->g, 1);
      break;
    case yajl_t_false:
      yajl_gen_bool (w->g, 0);
      break;
    case yajl_t_number:
      yajl_gen_number (w->g, V (v)->u.number.r, strlen (V (v)->u.number.r));
      break;
    case yajl_t_string:
      json_w_str (w, V (v)->u.string);
      break;
    case yajl_t_array:
      yajl_gen_array_open (w->g);
      for (i = 0; i < V (v)->u.array.len; i++)
        json_w_value (w, (json_value *) V (v)->u.array.values[i]);
      yajl_gen_array_close (w->g);
      break;
    case yajl_t_object:
      yajl_gen_map_open (w->g);
      for (i = 0; i < V (v)->u.object.len; i++)
        {
          json_w_key (w, V (v)->u.object.keys[i]);
          json_w_value (w, (json_value *) V (v)->u.object.values[i]);
        }
      yajl_gen_map_close (w->g);
      break;
    default:
      yajl_gen_null (w->g);
    }
}

void json_w_kstr (json_writer *w, const char *k, const char *s) { json_w_key (w, k); json_w_str (w, s); }
void json_w_kint (json_writer *w, const char *k, int64_t v) { json_w_key (w, k); json_w_int (w, v); }
void json_w_kuint (json_writer *w, const char *k, uint64_t v) { json_w_key (w, k); json_w_uint (w, v); }
void json_w_kbool (json_writer *w, const char *k, bool v) { json_w_key (w, k); json_w_bool (w, v); }

char *
json_quote (const char *s)
{
  json_writer *w = json_writer_new (false);
  json_w_str (w, s);
  return json_writer_steal (w, NULL);
}

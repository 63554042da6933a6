/* json.h — the project's only door to JSON (yajl underneath; nothing else includes yajl).
 * Parsing yields a read-only tree owned by its root; lookups return NULL/-1 on a missing key or
 * a type mismatch so that callers can report the JSON path themselves.  Writing goes through
 * json_writer, which always produces valid UTF-8 JSON (strings are escaped). */
#ifndef CNF_JSON_H
#define CNF_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct json_value json_value;

typedef enum { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT, JSON_INVALID } json_type;

/* Parse text (need not be NUL-terminated). On failure returns NULL and writes a one-line
 * message, e.g. "parse error: invalid object key (line 3)", into errbuf. */
json_value *json_parse (const char *text, size_t len, char *errbuf, size_t errlen);
/* Read and parse a whole file; errbuf gets "open …: No such file or directory" and the like. */
json_value *json_parse_file (const char *path, char *errbuf, size_t errlen);
json_value *json_parse_fd (int fd, char *errbuf, size_t errlen);
void json_free (json_value *root);

json_type json_typeof (const json_value *v);
const char *json_type_name (json_type t); /* "string", "object", ... */

/* Objects */
json_value *json_get (const json_value *obj, const char *key); /* NULL: absent or obj not an object */
size_t json_len (const json_value *v);                        /* members of an object or array, else 0 */
const char *json_key_at (const json_value *obj, size_t i);
json_value *json_value_at (const json_value *obj, size_t i);
/* Arrays */
json_value *json_at (const json_value *arr, size_t i);

/* Scalars: each returns 0 on success, -1 if v is NULL or has another type / is out of range. */
const char *json_string (const json_value *v); /* NULL unless a string */
int json_get_bool (const json_value *v, bool *out);
int json_get_int64 (const json_value *v, int64_t *out);  /* integral numbers only */
int json_get_uint64 (const json_value *v, uint64_t *out); /* integral, >= 0, full u64 range */
int json_get_double (const json_value *v, double *out);
bool json_is_null (const json_value *v);

/* Writer */
typedef struct json_writer json_writer;
json_writer *json_writer_new (bool pretty);
void json_writer_free (json_writer *w);
/* The text so far; valid until the next write or free. */
const char *json_writer_text (json_writer *w, size_t *len);
/* Take ownership of the text (malloc'd, NUL-terminated) and free the writer. */
char *json_writer_steal (json_writer *w, size_t *len);

void json_w_obj_open (json_writer *w);
void json_w_obj_close (json_writer *w);
void json_w_arr_open (json_writer *w);
void json_w_arr_close (json_writer *w);
void json_w_key (json_writer *w, const char *key);
void json_w_str (json_writer *w, const char *s); /* NULL writes null */
void json_w_int (json_writer *w, int64_t v);
void json_w_uint (json_writer *w, uint64_t v);
void json_w_double (json_writer *w, double v);
void json_w_bool (json_writer *w, bool v);
void json_w_null (json_writer *w);
/* Re-emit a parsed subtree as it is (annotations, prevResult pass-through). */
void json_w_value (json_writer *w, const json_value *v);
/* Shorthands for one object member. */
void json_w_kstr (json_writer *w, const char *key, const char *s);
void json_w_kint (json_writer *w, const char *key, int64_t v);
void json_w_kuint (json_writer *w, const char *key, uint64_t v);
void json_w_kbool (json_writer *w, const char *key, bool v);

/* Escape s as a JSON string literal with quotes, into a malloc'd buffer. */
char *json_quote (const char *s);

#endif

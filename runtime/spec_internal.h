/* spec_internal.h — the JSON-path-tracking readers shared by spec_parse.c and
 * spec_resources.c.  Each reader returns 1 when the member was present and stored, 0 when it
 * was absent (or JSON null, as Go's encoding/json treats it), and -1 with
 * "origin: .path.to.member: problem" in *c->err on a type or range error. */
#ifndef CNF_SPEC_INTERNAL_H
#define CNF_SPEC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "../lib/error.h"
#include "../lib/json.h"

struct spec_pctx
{
  const char *origin;
  cnf_err *err;
  size_t len;
  char path[1024];
};

void spec_pctx_init (struct spec_pctx *c, const char *origin, const char *path, cnf_err *err);
/* Push ".key" (or ["key"] for keys that are not plain identifiers) / "[i]"; return the old
 * length for spec_pop. */
size_t spec_push_key (struct spec_pctx *c, const char *key);
size_t spec_push_idx (struct spec_pctx *c, size_t i);
static inline void spec_pop (struct spec_pctx *c, size_t saved) { c->len = saved; c->path[saved] = '\0'; }
/* Fail at the current path. */
int spec_fail (struct spec_pctx *c, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
/* Fail at the current path plus one member key. */
int spec_fail_at (struct spec_pctx *c, const char *key, const char *fmt, ...) __attribute__ ((format (printf, 3, 4)));

/* Fail with "must be <want>, not <v's type>". */
int spec_type_fail (struct spec_pctx *c, const char *want, const json_value *v);
/* "a string", "an object", ... for messages. */
const char *spec_type_word (json_type t);
/* Present (not absent, not null)? */
const json_value *spec_member (const json_value *obj, const char *key);
int spec_rd_type (struct spec_pctx *c, const json_value *obj, const char *key, json_type t, const json_value **out);
int spec_rd_str (struct spec_pctx *c, const json_value *obj, const char *key, char **out);
int spec_rd_bool (struct spec_pctx *c, const json_value *obj, const char *key, bool *out);
int spec_rd_u64 (struct spec_pctx *c, const json_value *obj, const char *key, uint64_t max, uint64_t *out);
int spec_rd_i64 (struct spec_pctx *c, const json_value *obj, const char *key, int64_t min, int64_t max, int64_t *out);
int spec_rd_u32 (struct spec_pctx *c, const json_value *obj, const char *key, uint32_t *out);
/* Array of strings -> NULL-terminated vector. */
int spec_rd_strv (struct spec_pctx *c, const json_value *obj, const char *key, char ***out, size_t *n);
/* Object of string values -> key/value pairs. */
struct cg_kv;
int spec_rd_kv (struct spec_pctx *c, const json_value *obj, const char *key, struct cg_kv **out, size_t *n);
/* The value v itself (path already pushed). */
int spec_val_u64 (struct spec_pctx *c, const json_value *v, uint64_t max, uint64_t *out);
int spec_val_i64 (struct spec_pctx *c, const json_value *v, int64_t min, int64_t max, int64_t *out);

#endif

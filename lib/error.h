/* error.h — the error object threaded through every fallible call.
 * Convention: a function returns >= 0 on success and < 0 on failure, having set *err.
 * Messages say what was wrong and where ("config.json: .process.args: must be a non-empty array").
 * The caller owns *err and frees it with cnf_err_free (or reports it with cnf_err_report). */
#ifndef CNF_ERROR_H
#define CNF_ERROR_H

#include <stdarg.h>

struct cnf_error_s
{
  int sys_errno; /* errno that caused it, or 0 */
  int code;      /* optional domain code (CNI error code, exit code); 0 when unused */
  char *msg;     /* full text, including ": strerror" when sys_errno != 0 */
};
typedef struct cnf_error_s *cnf_err;

/* Set *err (if err is not NULL and *err is still unset; a set error is kept) and return -1.
 * With sys_errno != 0 the message ends with ": <strerror>". */
int cnf_err_set (cnf_err *err, int sys_errno, const char *fmt, ...) __attribute__ ((format (printf, 3, 4)));
/* The same, with an explicit domain code. */
int cnf_err_set_code (cnf_err *err, int code, int sys_errno, const char *fmt, ...) __attribute__ ((format (printf, 4, 5)));
/* Prefix the existing message with context: "ctx: old". Returns -1. */
int cnf_err_wrap (cnf_err *err, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
void cnf_err_free (cnf_err *err);
/* Move an error (src becomes NULL). */
void cnf_err_move (cnf_err *dst, cnf_err *src);

#endif

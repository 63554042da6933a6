/* error.c — the error object (see error.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "error.h"

static char *
vformat (int sys_errno, const char *fmt, va_list ap)
{
  char *msg = NULL;
  if (vasprintf (&msg, fmt, ap) < 0)
    return NULL;
  if (sys_errno != 0)
    {
      char *full = NULL;
      if (asprintf (&full, "%s: %s", msg, strerror (sys_errno)) < 0)
        return msg;
      free (msg);
      msg = full;
    }
  return msg;
}

static int
set_v (cnf_err *err, int code, int sys_errno, const char *fmt, va_list ap)
{
  if (err == NULL || *err != NULL)
    return -1;
  struct cnf_error_s *e = calloc (1, sizeof (*e));
  if (e == NULL)
    abort ();
  e->sys_errno = sys_errno;
  e->code = code;
  e->msg = vformat (sys_errno, fmt, ap);
  if (e->msg == NULL)
    abort ();
  *err = e;
  return -1;
}

int
cnf_err_set (cnf_err *err, int sys_errno, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  set_v (err, 0, sys_errno, fmt, ap);
  va_end (ap);
  return -1;
}

int
cnf_err_set_code (cnf_err *err, int code, int sys_errno, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  set_v (err, code, sys_errno, fmt, ap);
  va_end (ap);
  return -1;
}

int
cnf_err_wrap (cnf_err *err, const char *fmt, ...)
{
  va_list ap;
  char *prefix = NULL, *full = NULL;
  if (err == NULL || *err == NULL)
    return -1;
  va_start (ap, fmt);
  if (vasprintf (&prefix, fmt, ap) < 0)
    prefix = NULL;
  va_end (ap);
  if (prefix != NULL && asprintf (&full, "%s: %s", prefix, (*err)->msg) >= 0)
    {
      free ((*err)->msg);
      (*err)->msg = full;
    }
  free (prefix);
  return -1;
}

void
cnf_err_free (cnf_err *err)
{
  if (err == NULL || *err == NULL)
    return;
  free ((*err)->msg);
  free (*err);
  *err = NULL;
}

void
cnf_err_move (cnf_err *dst, cnf_err *src)
{
  cnf_err_free (dst);
  *dst = *src;
  *src = NULL;
}

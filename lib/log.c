/* log.c — text or JSON-lines logging (see log.h).  The JSON form is what containerd-shim and
 * CRI-O parse from --log files: {"level":"error","msg":"…","time":"RFC 3339"}. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "json.h"
#include "log.h"
#include "util.h"

static int log_fd = -1; /* -1: stderr only */
static enum log_format log_fmt = LOG_FMT_TEXT;
static enum log_level log_lvl = LOG_LVL_WARN;
static const char *log_prefix = NULL;

static const char *const level_names[] = { "error", "warning", "info", "debug" };

int
log_init (const char *path, enum log_format fmt, enum log_level level, cnf_err *err)
{
  log_fmt = fmt;
  log_lvl = level;
  if (path != NULL && path[0] != '\0')
    {
      int fd = open (path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
      if (fd < 0)
        return cnf_err_set (err, errno, "--log: open %s", path);
      if (log_fd >= 0)
        close (log_fd);
      log_fd = fd;
    }
  return 0;
}

void log_set_fd (int fd) { log_fd = fd; }
int log_get_fd (void) { return log_fd; }
enum log_level log_get_level (void) { return log_lvl; }
void log_set_prefix (const char *prefix) { log_prefix = prefix; }

static void
emit (int fd, enum log_level lvl, const char *msg, bool json)
{
  char ts[64];
  char *line = NULL;
  rfc3339_now (ts, sizeof ts);
  if (json)
    {
      json_writer *w = json_writer_new (false);
      size_t len;
      json_w_obj_open (w);
      json_w_kstr (w, "level", level_names[lvl]);
      json_w_kstr (w, "msg", msg);
      json_w_kstr (w, "time", ts);
      json_w_obj_close (w);
      line = json_writer_steal (w, &len);
      line = xrealloc (line, len + 2);
      line[len] = '\n';
      line[len + 1] = '\0';
    }
  else
    line = xasprintf ("time=\"%s\" level=%s msg=%s\n", ts, level_names[lvl], msg);
  write_all (fd, line, strlen (line));
  free (line);
}

static void
emit_stderr (enum log_level lvl, const char *msg)
{
  /* Plain text on the terminal: what runc users see ("cnfrun: container "x" does not exist"). */
  char *line = lvl == LOG_LVL_ERROR ? xasprintf ("%s%s%s\n", log_prefix ? log_prefix : "", log_prefix ? ": " : "", msg)
                                    : xasprintf ("%s%s%s: %s\n", log_prefix ? log_prefix : "", log_prefix ? " " : "",
                                                 level_names[lvl], msg);
  write_all (STDERR_FILENO, line, strlen (line));
  free (line);
}

void
log_msg (enum log_level lvl, const char *fmt, ...)
{
  va_list ap;
  char *msg = NULL;
  int saved = errno;
  if (lvl > log_lvl)
    return;
  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) < 0)
    msg = NULL;
  va_end (ap);
  if (msg == NULL)
    return;
  if (log_fd >= 0)
    {
      emit (log_fd, lvl, msg, log_fmt == LOG_FMT_JSON);
      /* Errors also go to stderr, where a person at a shell (and conmon) reads them. */
      if (lvl == LOG_LVL_ERROR)
        emit_stderr (lvl, msg);
    }
  else if (log_fmt == LOG_FMT_JSON)
    emit (STDERR_FILENO, lvl, msg, true);
  else
    emit_stderr (lvl, msg);
  free (msg);
  errno = saved;
}

void
log_err (cnf_err *err)
{
  if (err == NULL || *err == NULL)
    return;
  log_msg (LOG_LVL_ERROR, "%s", (*err)->msg);
  cnf_err_free (err);
}

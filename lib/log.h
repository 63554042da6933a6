/* log.h — leveled logging to stderr or to a --log file, as text or as JSON lines
 * {"level","msg","time"} (what containerd-shim reads back from log.json).
 * Before log_init() everything at warn and above goes to stderr as text. */
#ifndef CNF_LOG_H
#define CNF_LOG_H

#include "error.h"

enum log_level { LOG_LVL_ERROR = 0, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };
enum log_format { LOG_FMT_TEXT = 0, LOG_FMT_JSON };

/* path NULL: stderr. Returns -1 (with err) if the file cannot be opened. */
int log_init (const char *path, enum log_format fmt, enum log_level level, cnf_err *err);
/* Keep an already-open fd as the log sink (the container init inherits it). */
void log_set_fd (int fd);
int log_get_fd (void);
enum log_level log_get_level (void);
void log_set_prefix (const char *prefix); /* e.g. "cnfrun" for text lines */

void log_msg (enum log_level lvl, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
/* Log an error object at error level and free it. */
void log_err (cnf_err *err);

#define log_error(...) log_msg (LOG_LVL_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg (LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...) log_msg (LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) do { if (log_get_level () >= LOG_LVL_DEBUG) log_msg (LOG_LVL_DEBUG, __VA_ARGS__); } while (0)

#endif

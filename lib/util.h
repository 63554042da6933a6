/* util.h — small helpers shared by every program: cleanup attributes, allocation that aborts on
 * OOM, whole-file reads, atomic writes (temp file + rename), and writes to control files
 * (sysfs, procfs, cgroupfs) that report the path on failure, and dlopen with its reason. */
#ifndef CNF_UTIL_H
#define CNF_UTIL_H

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include "error.h"

void cleanup_freep (void *p);
void cleanup_closep (int *fd);
void cleanup_fclosep (FILE **f);
void cleanup_closedirp (DIR **d);
void cleanup_strvp (char ***v);
#define cleanup_free __attribute__ ((cleanup (cleanup_freep)))
#define cleanup_close __attribute__ ((cleanup (cleanup_closep)))
#define cleanup_fclose __attribute__ ((cleanup (cleanup_fclosep)))
#define cleanup_dir __attribute__ ((cleanup (cleanup_closedirp)))
#define cleanup_strv __attribute__ ((cleanup (cleanup_strvp)))

void *xmalloc (size_t n);
void *xzalloc (size_t n);
void *xrealloc (void *p, size_t n);
char *xstrdup (const char *s);   /* NULL stays NULL */
char *xasprintf (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
void strv_free (char **v);
size_t strv_len (char *const *v);

/* Steal an fd/pointer out of a cleanup variable. */
static inline int steal_fd (int *fd) { int r = *fd; *fd = -1; return r; }
static inline void *steal_ptr (void *pp) { void **p = (void **) pp; void *r = *p; *p = NULL; return r; }

/* Read a whole file (dirfd may be AT_FDCWD). The buffer is NUL-terminated. */
int read_file_at (int dirfd, const char *path, char **out, size_t *len, cnf_err *err);
int read_fd_all (int fd, char **out, size_t *len, cnf_err *err);
/* Write data to an existing control file (O_WRONLY|O_CLOEXEC, no create); one write() call. */
int write_file_at (int dirfd, const char *path, const char *data, size_t len, cnf_err *err);
/* Create/replace dirfd/name atomically: write "name.tmpXXXXXX", fsync, rename. */
int write_file_atomic_at (int dirfd, const char *name, const char *data, size_t len, mode_t mode, cnf_err *err);
/* The same without fsync: for runtime state on tmpfs (/run), where a rename is all the
 * atomicity there is to have and nothing outlives a reboot. */
int write_file_replace_at (int dirfd, const char *name, const char *data, size_t len, mode_t mode, cnf_err *err);
/* mkdir -p relative to dirfd; existing dirs are fine. */
int mkdir_p_at (int dirfd, const char *path, mode_t mode, cnf_err *err);
/* Remove a directory tree below dirfd/name without following symlinks (no error if absent). */
int rm_rf_at (int dirfd, const char *name, cnf_err *err);

/* Robust full write/read loops that retry on EINTR. */
ssize_t write_all (int fd, const void *buf, size_t len);
ssize_t read_all (int fd, void *buf, size_t len);

/* Monotonic milliseconds. */
long long now_ms (void);
/* RFC 3339 UTC timestamp with nanoseconds into buf (>= 40 bytes). */
void rfc3339_now (char *buf, size_t len);

bool str_has_prefix (const char *s, const char *prefix);
bool str_has_suffix (const char *s, const char *suffix);
/* Parse a decimal/0x number fully; -1 with errno=EINVAL on junk. */
int parse_u64 (const char *s, unsigned long long *out);
int parse_i64 (const char *s, long long *out);

/* dlopen (name, RTLD_NOW | RTLD_LOCAL), and on failure the loader's reason in why; in a static
 * program (cnfrun's default build) the reason adds that such a library needs the glibc the
 * program was built with. */
void *cnf_dlopen (const char *name, char *why, size_t why_len);

#endif

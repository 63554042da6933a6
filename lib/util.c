/* util.c — shared helpers (see util.h). */
#include <dlfcn.h>
#include <errno.h>
#include <gnu/libc-version.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "util.h"

void cleanup_freep (void *p) { free (*(void **) p); }
void cleanup_closep (int *fd) { if (*fd >= 0) { int e = errno; close (*fd); errno = e; } }
void cleanup_fclosep (FILE **f) { if (*f) fclose (*f); }
void cleanup_closedirp (DIR **d) { if (*d) closedir (*d); }
void cleanup_strvp (char ***v) { strv_free (*v); }

void *
xmalloc (size_t n)
{
  void *p = malloc (n ? n : 1);
  if (p == NULL)
    abort ();
  return p;
}

void *
xzalloc (size_t n)
{
  void *p = calloc (1, n ? n : 1);
  if (p == NULL)
    abort ();
  return p;
}

void *
xrealloc (void *p, size_t n)
{
  p = realloc (p, n ? n : 1);
  if (p == NULL)
    abort ();
  return p;
}

char *
xstrdup (const char *s)
{
  char *r;
  if (s == NULL)
    return NULL;
  r = strdup (s);
  if (r == NULL)
    abort ();
  return r;
}

char *
xasprintf (const char *fmt, ...)
{
  va_list ap;
  char *r;
  va_start (ap, fmt);
  if (vasprintf (&r, fmt, ap) < 0)
    abort ();
  va_end (ap);
  return r;
}

void
strv_free (char **v)
{
  char **p;
  if (v == NULL)
    return;
  for (p = v; *p; p++)
    free (*p);
  free (v);
}

size_t
strv_len (char *const *v)
{
  size_t n = 0;
  while (v && v[n])
    n++;
  return n;
}

ssize_t
write_all (int fd, const void *buf, size_t len)
{
  const char *p = buf;
  size_t done = 0;
  while (done < len)
    {
      ssize_t r = write (fd, p + done, len - done);
      if (r < 0)
        {
          if (errno == EINTR)
            continue;
          return -1;
        }
      done += r;
    }
  return done;
}

ssize_t
read_all (int fd, void *buf, size_t len)
{
  char *p = buf;
  size_t done = 0;
  while (done < len)
    {
      ssize_t r = read (fd, p + done, len - done);
      if (r < 0)
        {
          if (errno == EINTR)
            continue;
          return -1;
        }
      if (r == 0)
        break;
      done += r;
    }
  return done;
}

int
read_fd_all (int fd, char **out, size_t *len, cnf_err *err)
{
  size_t cap = 4096, n = 0;
  char *buf = xmalloc (cap);
  for (;;)
    {
      ssize_t r;
      if (n + 1 >= cap)
        buf = xrealloc (buf, cap *= 2);
      r = read (fd, buf + n, cap - n - 1);
      if (r < 0)
        {
          if (errno == EINTR)
            continue;
          free (buf);
          return cnf_err_set (err, errno, "read");
        }
      if (r == 0)
        break;
      n += r;
    }
  buf[n] = '\0';
  *out = buf;
  if (len)
    *len = n;
  return 0;
}

int
read_file_at (int dirfd, const char *path, char **out, size_t *len, cnf_err *err)
{
  int fd = openat (dirfd, path, O_RDONLY | O_CLOEXEC);
  int r;
  if (fd < 0)
    return cnf_err_set (err, errno, "open %s", path);
  r = read_fd_all (fd, out, len, err);
  close (fd);
  if (r < 0)
    return cnf_err_wrap (err, "%s", path);
  return 0;
}

int
write_file_at (int dirfd, const char *path, const char *data, size_t len, cnf_err *err)
{
  int fd = openat (dirfd, path, O_WRONLY | O_CLOEXEC);
  ssize_t r;
  if (fd < 0)
    return cnf_err_set (err, errno, "open %s", path);
  do
    r = write (fd, data, len);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    {
      int e = errno;
      close (fd);
      return cnf_err_set (err, e, "write %s", path);
    }
  close (fd);
  return 0;
}

static int write_replace (int dirfd, const char *name, const char *data, size_t len, mode_t mode, bool sync,
                          cnf_err *err);

int
write_file_atomic_at (int dirfd, const char *name, const char *data, size_t len, mode_t mode, cnf_err *err)
{
  return write_replace (dirfd, name, data, len, mode, true, err);
}

int
write_file_replace_at (int dirfd, const char *name, const char *data, size_t len, mode_t mode, cnf_err *err)
{
  return write_replace (dirfd, name, data, len, mode, false, err);
}

static int
write_replace (int dirfd, const char *name, const char *data, size_t len, mode_t mode, bool sync, cnf_err *err)
{
  char tmp[4096];
  int fd, i;
  for (i = 0; i < 100; i++)
    {
      snprintf (tmp, sizeof tmp, "%s.tmp%d.%d", name, (int) getpid (), i);
      fd = openat (dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
      if (fd >= 0 || errno != EEXIST)
        break;
    }
  if (fd < 0)
    return cnf_err_set (err, errno, "create %s", tmp);
  if (write_all (fd, data, len) < 0 || (sync && fsync (fd) < 0))
    {
      int e = errno;
      close (fd);
      unlinkat (dirfd, tmp, 0);
      return cnf_err_set (err, e, "write %s", name);
    }
  if (close (fd) < 0)
    {
      int e = errno;
      unlinkat (dirfd, tmp, 0);
      return cnf_err_set (err, e, "write %s", name);
    }
  if (renameat (dirfd, tmp, dirfd, name) < 0)
    {
      int e = errno;
      unlinkat (dirfd, tmp, 0);
      return cnf_err_set (err, e, "rename %s", name);
    }
  return 0;
}

int
mkdir_p_at (int dirfd, const char *path, mode_t mode, cnf_err *err)
{
  char *copy = xstrdup (path), *p;
  for (p = copy + 1; ; p++)
    {
      if (*p == '/' || *p == '\0')
        {
          char saved = *p;
          *p = '\0';
          if (mkdirat (dirfd, copy, mode) < 0 && errno != EEXIST)
            {
              int e = errno;
              cnf_err_set (err, e, "mkdir %s", copy);
              free (copy);
              return -1;
            }
          *p = saved;
          if (saved == '\0')
            break;
        }
    }
  free (copy);
  return 0;
}

static int
rm_rf_fd (int dfd, cnf_err *err)
{
  DIR *d = fdopendir (dfd);
  struct dirent *de;
  int ret = 0;
  if (d == NULL)
    {
      close (dfd);
      return cnf_err_set (err, errno, "fdopendir");
    }
  while ((de = readdir (d)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (unlinkat (dirfd (d), de->d_name, 0) == 0)
        continue;
      if (errno == EISDIR || errno == EPERM)
        {
          int sub = openat (dirfd (d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          if (sub >= 0 && rm_rf_fd (sub, err) < 0)
            ret = -1;
          if (unlinkat (dirfd (d), de->d_name, AT_REMOVEDIR) < 0 && errno != ENOENT && ret == 0)
            ret = cnf_err_set (err, errno, "rmdir %s", de->d_name);
        }
      else if (errno != ENOENT && ret == 0)
        ret = cnf_err_set (err, errno, "unlink %s", de->d_name);
    }
  closedir (d);
  return ret;
}

int
rm_rf_at (int dirfd, const char *name, cnf_err *err)
{
  int fd = openat (dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    {
      if (errno == ENOENT)
        return 0;
      if (errno == ENOTDIR || errno == ELOOP)
        return unlinkat (dirfd, name, 0) < 0 && errno != ENOENT ? cnf_err_set (err, errno, "unlink %s", name) : 0;
      return cnf_err_set (err, errno, "open %s", name);
    }
  if (rm_rf_fd (fd, err) < 0)
    return -1;
  if (unlinkat (dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
    return cnf_err_set (err, errno, "rmdir %s", name);
  return 0;
}

long long
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

void
rfc3339_now (char *buf, size_t len)
{
  struct timespec ts;
  struct tm tm;
  char base[32];
  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  strftime (base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf (buf, len, "%s.%09ldZ", base, ts.tv_nsec);
}

bool
str_has_prefix (const char *s, const char *prefix)
{
  return strncmp (s, prefix, strlen (prefix)) == 0;
}

bool
str_has_suffix (const char *s, const char *suffix)
{
  size_t a = strlen (s), b = strlen (suffix);
  return a >= b && strcmp (s + a - b, suffix) == 0;
}

int
parse_u64 (const char *s, unsigned long long *out)
{
  char *end;
  if (s == NULL || *s == '\0' || *s == '-')
    return errno = EINVAL, -1;
  errno = 0;
  *out = strtoull (s, &end, 0);
  if (errno != 0 || *end != '\0')
    return errno = errno ? errno : EINVAL, -1;
  return 0;
}

int
parse_i64 (const char *s, long long *out)
{
  char *end;
  if (s == NULL || *s == '\0')
    return errno = EINVAL, -1;
  errno = 0;
  *out = strtoll (s, &end, 0);
  if (errno != 0 || *end != '\0')
    return errno = errno ? errno : EINVAL, -1;
  return 0;
}

void *
cnf_dlopen (const char *name, char *why, size_t why_len)
{
  void *h = dlopen (name, RTLD_NOW | RTLD_LOCAL);
  if (h == NULL && why && why_len)
    {
      const char *e = dlerror ();
      /* AT_BASE is the dynamic loader's address: 0 in a static program. */
      bool is_static = getauxval (AT_BASE) == 0;
      snprintf (why, why_len, "%s%s%s%s", e ? e : "unknown error",
                is_static ? "; cnfrun is linked statically and loads this library through glibc's static "
                            "dlopen, which needs the glibc cnfrun was built with (" : "",
                is_static ? gnu_get_libc_version () : "",
                is_static ? "): rebuild cnfrun, or configure it with --disable-static-cnfrun" : "");
    }
  return h;
}

/* safe_path.c — path resolution confined to a root (see safe_path.h). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/openat2.h>
#include "safe_path.h"
#include "../lib/util.h"

int
safe_openat (int rootfd, const char *path, int flags, unsigned extra_resolve, cnf_err *err)
{
  struct open_how how = { 0 };
  int fd;
  how.flags = (unsigned) flags | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | extra_resolve;
  while (*path == '/')
    path++;
  if (*path == '\0')
    path = ".";
  do
    fd = (int) syscall (SYS_openat2, rootfd, path, &how, sizeof how);
  while (fd < 0 && errno == EAGAIN);
  if (fd < 0 && err)
    {
      int e = errno;
      cnf_err_set (err, e, "resolve \"%s\" inside the root", path);
      errno = e;
    }
  return fd;
}

/* Next component of *p (skipping slashes); returns its length, 0 at the end. */
static size_t
next_component (const char **p)
{
  size_t l;
  while (**p == '/')
    (*p)++;
  l = strcspn (*p, "/");
  return l;
}

/* Join "dir/target/rest" (or "target/rest" for an absolute target) for following a dangling
 * symlink by hand; every piece is resolved again inside the root afterwards. */
static char *
relink (const char *dir, size_t dirlen, const char *target, const char *rest)
{
  if (target[0] == '/')
    return xasprintf ("%s/%s", target, rest);
  return xasprintf ("%.*s/%s/%s", (int) dirlen, dir, target, rest);
}

int
safe_mkpath (int rootfd, const char *path, bool as_file, mode_t dir_mode, unsigned extra_resolve, cnf_err *err)
{
  cleanup_free char *prefix = NULL, *cur = NULL;
  const char *p;
  size_t plen, l;
  int fd, hops = 0;

  fd = safe_openat (rootfd, path, O_PATH, extra_resolve, NULL);
  if (fd >= 0 || errno != ENOENT)
    {
      if (fd < 0)
        return cnf_err_set (err, errno, "resolve \"%s\" inside the root", path);
      return fd;
    }
  cur = xstrdup (path);

restart:
  free (prefix);
  prefix = xmalloc (strlen (cur) + 2);
  prefix[0] = '\0';
  plen = 0;
  p = cur;
  while ((l = next_component (&p)) > 0)
    {
      const char *comp = p;
      bool last;
      cleanup_close int parent = -1;
      char name[256];
      size_t parent_len = plen;

      p += l;
      last = next_component (&p) == 0;
      if (l >= sizeof name)
        return cnf_err_set (err, ENAMETOOLONG, "path component of \"%s\"", path);
      memcpy (name, comp, l);
      name[l] = '\0';
      /* The parent is what we resolved so far (inside the root). */
      parent = safe_openat (rootfd, plen ? prefix : ".", O_PATH | O_DIRECTORY, extra_resolve, err);
      if (parent < 0)
        return -1;
      if (plen)
        prefix[plen++] = '/';
      memcpy (prefix + plen, name, l + 1);
      plen += l;

      fd = safe_openat (rootfd, prefix, O_PATH, extra_resolve, NULL);
      if (fd >= 0)
        {
          if (last)
            return fd;
          close (fd);
          continue;
        }
      if (errno != ENOENT)
        return cnf_err_set (err, errno, "resolve \"%s\" inside the root", prefix);
      if (strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
        return cnf_err_set (err, ENOENT, "resolve \"%s\" inside the root", prefix);
      /* Create exactly one component in a directory we resolved inside the root.  A name that is
       * a dangling symlink makes this fail with EEXIST instead of following it. */
      if (last && as_file)
        {
          int nfd = openat (parent, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
          if (nfd < 0 && errno != EEXIST)
            return cnf_err_set (err, errno, "create file \"%s\" inside the root", prefix);
          if (nfd >= 0)
            close (nfd);
        }
      else if (mkdirat (parent, name, dir_mode) < 0 && errno != EEXIST)
        return cnf_err_set (err, errno, "create directory \"%s\" inside the root", prefix);

      fd = safe_openat (rootfd, prefix, O_PATH, extra_resolve, NULL);
      if (fd < 0 && errno == ENOENT && !(extra_resolve & SAFE_NO_SYMLINKS))
        {
          /* A dangling symlink (/etc/resolv.conf -> ../run/x/resolv.conf): follow it by hand,
           * as the root would, and create its target inside the root. */
          char target[4096];
          ssize_t n = readlinkat (parent, name, target, sizeof target - 1);
          char *next;
          if (n <= 0)
            return cnf_err_set (err, ENOENT, "resolve \"%s\" inside the root", prefix);
          target[n] = '\0';
          if (++hops > 40)
            return cnf_err_set (err, ELOOP, "resolve \"%s\" inside the root", path);
          next = relink (prefix, parent_len, target, p);
          free (cur);
          cur = next;
          goto restart;
        }
      if (fd < 0)
        return cnf_err_set (err, errno, "resolve \"%s\" inside the root", prefix);
      if (last)
        return fd;
      close (fd);
    }
  /* The path was "/" or only slashes: the root itself. */
  return safe_openat (rootfd, ".", O_PATH, extra_resolve, err);
}

int
safe_open_parent (int rootfd, const char *path, bool create, unsigned extra_resolve, char *name, size_t name_len,
                  cnf_err *err)
{
  cleanup_free char *dir = xstrdup (path);
  char *slash;
  size_t l;

  l = strlen (dir);
  while (l > 1 && dir[l - 1] == '/')
    dir[--l] = '\0';
  slash = strrchr (dir, '/');
  if (slash)
    {
      if (strlen (slash + 1) >= name_len)
        return cnf_err_set (err, ENAMETOOLONG, "path \"%s\"", path);
      strcpy (name, slash + 1);
      *slash = '\0';
    }
  else
    {
      if (l >= name_len)
        return cnf_err_set (err, ENAMETOOLONG, "path \"%s\"", path);
      strcpy (name, dir);
      dir[0] = '\0';
    }
  if (name[0] == '\0' || strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
    return cnf_err_set (err, EINVAL, "path \"%s\" has no last component", path);
  if (create)
    return safe_mkpath (rootfd, dir, false, 0755, extra_resolve, err);
  return safe_openat (rootfd, dir, O_PATH | O_DIRECTORY, extra_resolve, err);
}

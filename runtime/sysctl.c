/* sysctl.c — linux.sysctl through a verified container procfs (see sysctl.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include "safe_path.h"
#include "sysctl.h"
#include "../lib/util.h"

#define PROC_ROOT_INO 1

int
sysctl_key_to_path (const char *key, char *out, size_t len)
{
  size_t i, n;
  bool path_form;
  if (key == NULL || key[0] == '\0' || strstr (key, "..") || key[0] == '/' || key[0] == '.')
    return -1;
  path_form = strchr (key, '/') != NULL;
  n = strlen (key);
  if (n + 5 > len)
    return -1;
  memcpy (out, "sys/", 4);
  for (i = 0; i < n; i++)
    out[4 + i] = (!path_form && key[i] == '.') ? '/' : key[i];
  out[4 + n] = '\0';
  return 0;
}

int
sysctl_open_procfs (int rootfd, cnf_err *err)
{
  struct statfs sfs;
  struct stat st;
  int fd = safe_openat (rootfd, "/proc", O_PATH | O_DIRECTORY, SAFE_NO_SYMLINKS, err);
  if (fd < 0)
    return cnf_err_wrap (err, "the container's /proc");
  if (fstatfs (fd, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC || fstat (fd, &st) < 0 || st.st_ino != PROC_ROOT_INO)
    {
      close (fd);
      return cnf_err_set (err, EXDEV, "the container's /proc is not the root of a procfs mount");
    }
  return fd;
}

int
sysctl_apply (int rootfd, const struct spec *s, cnf_err *err)
{
  cleanup_close int proc = -1;
  size_t i;
  if (s->linux_.n_sysctl == 0)
    return 0;
  proc = sysctl_open_procfs (rootfd, err);
  if (proc < 0)
    return -1;
  for (i = 0; i < s->linux_.n_sysctl; i++)
    {
      const char *key = s->linux_.sysctl[i].key, *val = s->linux_.sysctl[i].value ? s->linux_.sysctl[i].value : "";
      char path[512];
      struct open_how how = { 0 };
      cleanup_close int fd = -1;
      size_t l = strlen (val);

      if (sysctl_key_to_path (key, path, sizeof path) < 0)
        return cnf_err_set (err, EINVAL, "linux.sysctl: invalid key \"%s\"", key ? key : "");
      how.flags = O_WRONLY | O_CLOEXEC | O_NOFOLLOW;
      how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
      fd = (int) syscall (SYS_openat2, proc, path, &how, sizeof how);
      if (fd < 0)
        return cnf_err_set (err, errno, "linux.sysctl: open /proc/%s", path);
      if (write (fd, val, l) != (ssize_t) l)
        return cnf_err_set (err, errno, "linux.sysctl: write \"%s\" to %s", val, key);
    }
  return 0;
}

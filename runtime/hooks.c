/* hooks.c — run OCI hooks (see hooks.h).
 * The state is fed through a non-blocking pipe and the output collected in the same poll loop,
 * so a hook that never reads stdin, or floods stdout, cannot wedge the runtime past its timeout. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/close_range.h>
#include "hooks.h"
#include "../lib/log.h"
#include "../lib/util.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#define OUT_KEEP 1024 /* bytes of hook output kept for the error message */

int
hooks_poll_timeout (int timeout_s, long long start_ms, long long now)
{
  long long left;
  if (timeout_s <= 0)
    return -1;
  left = start_ms + (long long) timeout_s * 1000 - now;
  if (left < 0)
    return 0;
  return left > 1000000000LL ? 1000000000 : (int) left;
}

static void __attribute__ ((noreturn))
hook_child (const struct spec_hook *h, int in_fd, int out_fd)
{
  static char *const empty[] = { NULL };
  char *argv_default[2] = { h->path, NULL };
  sigset_t none;
  if (dup2 (in_fd, 0) < 0 || dup2 (out_fd, 1) < 0 || dup2 (out_fd, 2) < 0)
    _exit (126);
  /* No runtime fd (state locks, sync sockets, the console) reaches a hook. */
  if (syscall (SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
    {
      int fd;
      for (fd = 3; fd < 1024; fd++)
        close (fd);
    }
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  signal (SIGPIPE, SIG_DFL);
  execve (h->path, h->args && h->args[0] ? h->args : argv_default, h->env ? h->env : empty);
  dprintf (2, "exec %s: %s", h->path, strerror (errno));
  _exit (127);
}

static void
keep_tail (char *buf, size_t *len, const char *data, size_t n)
{
  if (n >= OUT_KEEP)
    {
      memcpy (buf, data + n - OUT_KEEP, OUT_KEEP);
      *len = OUT_KEEP;
      return;
    }
  if (*len + n > OUT_KEEP)
    {
      size_t drop = *len + n - OUT_KEEP;
      memmove (buf, buf + drop, *len - drop);
      *len -= drop;
    }
  memcpy (buf + *len, data, n);
  *len += n;
}

int
hooks_run_one (const struct spec_hook *h, size_t index, const char *kind, const char *state_json, cnf_err *err)
{
  int in_p[2] = { -1, -1 }, out_p[2] = { -1, -1 };
  int pidfd = -1, status = 0, ret = -1;
  pid_t pid;
  const char *data = state_json ? state_json : "";
  size_t dlen = strlen (data), off = 0, olen = 0;
  char obuf[OUT_KEEP + 1];
  long long start = now_ms ();
  bool exited = false, timed_out = false;

  if (h->path == NULL || h->path[0] != '/')
    return cnf_err_set (err, 0, "%s hook #%zu: path \"%s\" must be absolute", kind, index, h->path ? h->path : "");
  if (pipe2 (in_p, O_CLOEXEC) < 0 || pipe2 (out_p, O_CLOEXEC) < 0)
    {
      cnf_err_set (err, errno, "%s hook #%zu (%s): pipe", kind, index, h->path);
      goto out;
    }
  pid = fork ();
  if (pid < 0)
    {
      cnf_err_set (err, errno, "%s hook #%zu (%s): fork", kind, index, h->path);
      goto out;
    }
  if (pid == 0)
    hook_child (h, in_p[0], out_p[1]);
  close (in_p[0]);
  close (out_p[1]);
  in_p[0] = out_p[1] = -1;
  fcntl (in_p[1], F_SETFL, O_NONBLOCK);
  fcntl (out_p[0], F_SETFL, O_NONBLOCK);
  if (dlen == 0)
    {
      close (in_p[1]);
      in_p[1] = -1;
    }
  pidfd = (int) syscall (SYS_pidfd_open, pid, 0);

  for (;;)
    {
      struct pollfd pf[3];
      int n = 0, r, tmo, i_in = -1, i_out = -1, i_pid = -1;
      if (in_p[1] >= 0)
        {
          i_in = n;
          pf[n++] = (struct pollfd) { .fd = in_p[1], .events = POLLOUT };
        }
      if (out_p[0] >= 0)
        {
          i_out = n;
          pf[n++] = (struct pollfd) { .fd = out_p[0], .events = POLLIN };
        }
      if (pidfd >= 0 && !exited)
        {
          i_pid = n;
          pf[n++] = (struct pollfd) { .fd = pidfd, .events = POLLIN };
        }
      if (out_p[0] < 0 && exited)
        break;
      tmo = hooks_poll_timeout (h->timeout, start, now_ms ());
      /* Without a pidfd (old kernel), poll in short steps and reap with WNOHANG. */
      if (pidfd < 0 && (tmo < 0 || tmo > 50))
        tmo = 50;
      r = poll (pf, (nfds_t) n, tmo);
      if (r < 0 && errno != EINTR)
        {
          cnf_err_set (err, errno, "%s hook #%zu (%s): poll", kind, index, h->path);
          kill (pid, SIGKILL);
          waitpid (pid, NULL, 0);
          goto out;
        }
      if (i_in >= 0 && r > 0 && pf[i_in].revents)
        {
          ssize_t w = write (in_p[1], data + off, dlen - off);
          if (w > 0)
            off += (size_t) w;
          if ((w < 0 && errno != EAGAIN && errno != EINTR) || off == dlen || (pf[i_in].revents & (POLLERR | POLLHUP)))
            {
              close (in_p[1]); /* EPIPE: the hook does not read its stdin; that is its right */
              in_p[1] = -1;
            }
        }
      if (i_out >= 0 && r > 0 && pf[i_out].revents)
        {
          char tmp[4096];
          ssize_t rd = read (out_p[0], tmp, sizeof tmp);
          if (rd > 0)
            keep_tail (obuf, &olen, tmp, (size_t) rd);
          else if (rd == 0 || (errno != EAGAIN && errno != EINTR))
            {
              close (out_p[0]);
              out_p[0] = -1;
            }
        }
      if (!exited && ((i_pid >= 0 && r > 0 && pf[i_pid].revents) || pidfd < 0))
        {
          pid_t w = waitpid (pid, &status, WNOHANG);
          if (w == pid)
            exited = true;
        }
      if (!exited && h->timeout > 0 && hooks_poll_timeout (h->timeout, start, now_ms ()) == 0)
        {
          timed_out = true;
          kill (pid, SIGKILL);
          waitpid (pid, &status, 0);
          exited = true;
          break;
        }
      /* A grandchild may keep the output pipe open: once the hook exited, stop reading. */
      if (exited && out_p[0] >= 0)
        {
          char tmp[4096];
          ssize_t rd;
          while ((rd = read (out_p[0], tmp, sizeof tmp)) > 0)
            keep_tail (obuf, &olen, tmp, (size_t) rd);
          break;
        }
    }
  obuf[olen] = '\0';
  while (olen > 0 && (obuf[olen - 1] == '\n' || obuf[olen - 1] == ' '))
    obuf[--olen] = '\0';
  if (timed_out)
    cnf_err_set (err, 0, "%s hook #%zu (%s) timed out after %d s%s%s", kind, index, h->path, h->timeout,
                 olen ? ": " : "", obuf);
  else if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    ret = 0;
  else if (WIFEXITED (status))
    cnf_err_set_code (err, WEXITSTATUS (status), 0, "%s hook #%zu (%s) failed: exit status %d%s%s", kind, index,
                      h->path, WEXITSTATUS (status), olen ? ": " : "", obuf);
  else
    cnf_err_set (err, 0, "%s hook #%zu (%s) failed: killed by signal %d%s%s", kind, index, h->path,
                 WTERMSIG (status), olen ? ": " : "", obuf);
  if (ret == 0 && olen)
    log_debug ("%s hook #%zu (%s) output: %s", kind, index, h->path, obuf);
out:
  if (in_p[0] >= 0)
    close (in_p[0]);
  if (in_p[1] >= 0)
    close (in_p[1]);
  if (out_p[0] >= 0)
    close (out_p[0]);
  if (out_p[1] >= 0)
    close (out_p[1]);
  if (pidfd >= 0)
    close (pidfd);
  return ret;
}

/* Run hooks in order.  keep_going: a failure is logged as a warning and the next hook runs
 * (poststart, poststop); otherwise the first failure stops the run and is returned. */
static int
run_hooks (const struct spec_hook *hooks, size_t n, const char *kind, const char *state_json, bool keep_going,
           cnf_err *err)
{
  size_t i;
  int ret = 0;
  sigset_t pipe_set, old, pending;
  bool was_pending;
  if (n == 0)
    return 0;
  /* A hook that exits without reading its stdin must give us EPIPE, not a fatal SIGPIPE. */
  sigemptyset (&pipe_set);
  sigaddset (&pipe_set, SIGPIPE);
  sigpending (&pending);
  was_pending = sigismember (&pending, SIGPIPE);
  sigprocmask (SIG_BLOCK, &pipe_set, &old);
  for (i = 0; i < n && ret == 0; i++)
    {
      cnf_err e = NULL;
      if (hooks_run_one (&hooks[i], i, kind, state_json, keep_going ? &e : err) == 0)
        continue;
      if (!keep_going)
        ret = -1;
      else
        {
          log_warn ("%s", e ? e->msg : "hook failed");
          cnf_err_free (&e);
        }
    }
  if (!was_pending)
    {
      struct timespec zero = { 0, 0 };
      while (sigtimedwait (&pipe_set, NULL, &zero) == SIGPIPE)
        ;
    }
  sigprocmask (SIG_SETMASK, &old, NULL);
  return ret;
}

int
hooks_run (const struct spec_hook *hooks, size_t n, const char *kind, const char *state_json, cnf_err *err)
{
  return run_hooks (hooks, n, kind, state_json, false, err);
}

void
hooks_run_warn (const struct spec_hook *hooks, size_t n, const char *kind, const char *state_json)
{
  run_hooks (hooks, n, kind, state_json, true, NULL);
}

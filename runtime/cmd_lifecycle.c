/* cmd_lifecycle.c — create, start, run, state, kill, delete, list (runc's flags and output). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <poll.h>
#include <termios.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "container.h"
#include "signals.h"
#include "../lib/log.h"
#include "../lib/util.h"

static int
fail (cnf_err *err)
{
  log_err (err);
  return 1;
}

enum { OPT_PID_FILE = 256, OPT_CONSOLE, OPT_NO_PIVOT, OPT_NO_KEYRING, OPT_PRESERVE, OPT_NO_SUBREAPER, OPT_KEEP };

static const struct option create_opts[] = {
  { "bundle", required_argument, NULL, 'b' },
  { "pid-file", required_argument, NULL, OPT_PID_FILE },
  { "console-socket", required_argument, NULL, OPT_CONSOLE },
  { "no-pivot", no_argument, NULL, OPT_NO_PIVOT },
  { "no-new-keyring", no_argument, NULL, OPT_NO_KEYRING },
  { "preserve-fds", required_argument, NULL, OPT_PRESERVE },
  { "no-subreaper", no_argument, NULL, OPT_NO_SUBREAPER },
  { "detach", no_argument, NULL, 'd' },
  { "keep", no_argument, NULL, OPT_KEEP },
  { NULL, 0, NULL, 0 },
};

/* Parse create/run flags; returns the index of the ID operand or -1. */
static int
parse_create (const char *cmd, int argc, char **argv, struct create_opts *o, bool *detach, bool *keep, bool is_run)
{
  int c;
  unsigned long long n;
  cli_normalize_args (argc, argv, create_opts);
  opterr = 0;
  while ((c = getopt_long (argc, argv, is_run ? "+b:d" : "+b:", create_opts, NULL)) != -1)
    switch (c)
      {
      case 'b':
        o->bundle = optarg;
        break;
      case OPT_PID_FILE:
        o->pid_file = optarg;
        break;
      case OPT_CONSOLE:
        o->console_socket = optarg;
        break;
      case OPT_NO_PIVOT:
        o->no_pivot = true;
        break;
      case OPT_NO_KEYRING:
        o->no_new_keyring = true;
        break;
      case OPT_PRESERVE:
        if (parse_u64 (optarg, &n) < 0 || n > 1024)
          return cli_usage_error (cmd, "--preserve-fds: \"%s\" is not a number of fds", optarg), -1;
        o->preserve_fds = (int) n;
        break;
      case OPT_NO_SUBREAPER:
        break;
      case 'd':
        if (!is_run)
          return cli_usage_error (cmd, "unknown flag %s", argv[optind - 1]), -1;
        *detach = true;
        break;
      case OPT_KEEP:
        if (!is_run)
          return cli_usage_error (cmd, "unknown flag %s", argv[optind - 1]), -1;
        *keep = true;
        break;
      case ':':
        return cli_usage_error (cmd, "%s needs a value", argv[optind - 1]), -1;
      default:
        return cli_usage_error (cmd, "unknown flag %s", argv[optind - 1]), -1;
      }
  if (optind != argc - 1)
    return cli_usage_error (cmd, optind >= argc ? "missing container id" : "too many arguments"), -1;
  o->id = argv[optind];
  return optind;
}

int
cmd_create (struct cnf_global *g, int argc, char **argv)
{
  struct create_opts o = { 0 };
  struct cnf_state st;
  bool detach = false, keep = false;
  cnf_err err = NULL;
  if (parse_create ("create", argc, argv, &o, &detach, &keep, false) < 0)
    return 1;
  if (container_create (g, &o, &st, NULL, &err) < 0)
    return fail (&err);
  state_free (&st);
  return 0;
}

/* Only the id operand, no flags (start, state). */
static const char *
only_id (const char *cmd, int argc, char **argv)
{
  if (argc < 2)
    return cli_usage_error (cmd, "missing container id"), NULL;
  if (argc > 2)
    return cli_usage_error (cmd, "too many arguments"), NULL;
  if (argv[1][0] == '-')
    return cli_usage_error (cmd, "unknown flag %s", argv[1]), NULL;
  return argv[1];
}

int
cmd_start (struct cnf_global *g, int argc, char **argv)
{
  const char *id = only_id ("start", argc, argv);
  struct cnf_state st;
  cnf_err err = NULL;
  int r;
  if (id == NULL)
    return 1;
  if (state_load (g->root, id, &st, &err) < 0)
    return fail (&err);
  r = container_start (g, &st, &err);
  state_free (&st);
  return r < 0 ? fail (&err) : 0;
}

/* Receive the pty master that init sends over the internal console socket. */
static int
recv_master (int sock)
{
  char cbuf[CMSG_SPACE (sizeof (int))], dummy[64];
  struct iovec iov = { dummy, sizeof dummy };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf };
  struct cmsghdr *c;
  int fd = -1;
  if (recvmsg (sock, &msg, MSG_CMSG_CLOEXEC) < 0)
    return -1;
  for (c = CMSG_FIRSTHDR (&msg); c; c = CMSG_NXTHDR (&msg, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
      memcpy (&fd, CMSG_DATA (c), sizeof fd);
  return fd;
}

static void
copy_winsize (int master)
{
  struct winsize ws;
  if (ioctl (STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
    ioctl (master, TIOCSWINSZ, &ws);
}

/* Copy what is readable on `from` to `to`; false at EOF/error. */
static bool
pump (int from, int to)
{
  char buf[8192];
  ssize_t n = read (from, buf, sizeof buf);
  if (n <= 0)
    return false;
  write_all (to, buf, n);
  return true;
}

/* Foreground run: forward signals to init, proxy the pty if there is one, reap, and return
 * the exit status (128+signal). */
static int
wait_foreground (pid_t init, int master)
{
  sigset_t set;
  int sfd, status = 0, pfd;
  struct termios saved;
  bool raw = false, stdin_open = true, master_open = master >= 0;
  static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGPIPE, SIGALRM };
  size_t i;

  sigemptyset (&set);
  sigaddset (&set, SIGCHLD);
  for (i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++)
    sigaddset (&set, forwarded[i]);
  sigprocmask (SIG_BLOCK, &set, NULL);
  sfd = signalfd (-1, &set, SFD_CLOEXEC);
  pfd = syscall (SYS_pidfd_open, init, 0);
  if (master >= 0 && isatty (STDIN_FILENO) && tcgetattr (STDIN_FILENO, &saved) == 0)
    {
      struct termios t = saved;
      cfmakeraw (&t);
      raw = tcsetattr (STDIN_FILENO, TCSANOW, &t) == 0;
      copy_winsize (master);
    }
  for (;;)
    {
      struct signalfd_siginfo si;
      struct pollfd fds[3] = { { sfd, POLLIN, 0 },
                               { master_open ? master : -1, POLLIN, 0 },
                               { master_open && stdin_open ? STDIN_FILENO : -1, POLLIN, 0 } };
      pid_t r;
      /* Reap everything that was reparented to us; stop when init is gone. */
      while ((r = waitpid (-1, &status, WNOHANG)) > 0)
        if (r == init)
          goto done;
      if (r < 0 && errno == ECHILD)
        {
          status = 0;
          goto done;
        }
      if (poll (fds, 3, -1) < 0)
        continue;
      if ((fds[1].revents & (POLLIN | POLLHUP | POLLERR)) && !pump (master, STDOUT_FILENO))
        master_open = false; /* every slave fd closed: wait for SIGCHLD only */
      if (fds[2].revents & (POLLIN | POLLHUP) && !pump (STDIN_FILENO, master))
        stdin_open = false;
      if (!(fds[0].revents & POLLIN) || read (sfd, &si, sizeof si) != sizeof si)
        continue;
      if (si.ssi_signo == SIGWINCH && master >= 0)
        copy_winsize (master);
      else if (si.ssi_signo != SIGCHLD && pfd >= 0)
        syscall (SYS_pidfd_send_signal, pfd, si.ssi_signo, NULL, 0);
    }
done:
  if (master >= 0)
    {
      /* Drain what the process wrote just before it exited. */
      struct pollfd p = { master, POLLIN, 0 };
      while (poll (&p, 1, 0) > 0 && (p.revents & POLLIN) && pump (master, STDOUT_FILENO))
        ;
      close (master);
    }
  if (raw)
    tcsetattr (STDIN_FILENO, TCSANOW, &saved);
  if (pfd >= 0)
    close (pfd);
  close (sfd);
  if (WIFSIGNALED (status))
    return 128 + WTERMSIG (status);
  return WEXITSTATUS (status);
}

int
cmd_run (struct cnf_global *g, int argc, char **argv)
{
  struct create_opts o = { 0 };
  struct cnf_state st;
  bool detach = false, keep = false;
  cnf_err err = NULL;
  int status, tty_sock = -1, master = -1;
  pid_t init;
  if (parse_create ("run", argc, argv, &o, &detach, &keep, true) < 0)
    return 1;
  o.keep_child = !detach;
  if (!detach && o.console_socket == NULL)
    o.tty_sock_out = &tty_sock;
  if (container_create (g, &o, &st, NULL, &err) < 0)
    return fail (&err);
  init = st.pid;
  if (container_start (g, &st, &err) < 0)
    {
      cnf_err e2 = NULL;
      log_err (&err);
      if (container_delete (g, &st, true, &e2) < 0)
        log_err (&e2);
      state_free (&st);
      return 1;
    }
  if (detach)
    {
      state_free (&st);
      return 0;
    }
  if (tty_sock >= 0)
    {
      master = recv_master (tty_sock);
      close (tty_sock);
    }
  /* Do not hold the container's lock while it runs: kill/state/exec must work meanwhile. */
  state_free (&st);
  status = wait_foreground (init, master);
  if (!keep)
    {
      if (state_load (g->root, o.id, &st, &err) == 0)
        {
          if (container_delete (g, &st, true, &err) < 0)
            log_err (&err);
          state_free (&st);
        }
      else
        cnf_err_free (&err);
    }
  return status;
}

int
cmd_state (struct cnf_global *g, int argc, char **argv)
{
  const char *id = only_id ("state", argc, argv);
  struct cnf_state st;
  cnf_err err = NULL;
  char *json;
  if (id == NULL)
    return 1;
  if (state_load_nolock (g->root, id, &st, &err) < 0)
    return fail (&err);
  state_refresh (&st);
  json = state_to_oci_json (&st, true);
  printf ("%s\n", json);
  free (json);
  state_free (&st);
  return 0;
}

int
cmd_kill (struct cnf_global *g, int argc, char **argv)
{
  static const struct option opts[] = { { "all", no_argument, NULL, 'a' }, { NULL, 0, NULL, 0 } };
  struct cnf_state st;
  cnf_err err = NULL;
  bool all = false;
  int c, sig = SIGTERM, r;
  cli_normalize_args (argc, argv, opts);
  opterr = 0;
  while ((c = getopt_long (argc, argv, "+a", opts, NULL)) != -1)
    {
      if (c != 'a')
        return cli_usage_error ("kill", "unknown flag %s", argv[optind - 1]);
      all = true;
    }
  if (optind >= argc)
    return cli_usage_error ("kill", "missing container id");
  if (argc - optind > 2)
    return cli_usage_error ("kill", "too many arguments");
  if (argc - optind == 2)
    {
      sig = signal_parse (argv[optind + 1]);
      if (sig < 0)
        return cli_usage_error ("kill", "unknown signal \"%s\"", argv[optind + 1]);
    }
  if (state_load_nolock (g->root, argv[optind], &st, &err) < 0)
    return fail (&err);
  r = container_kill (g, &st, sig, all, &err);
  state_free (&st);
  return r < 0 ? fail (&err) : 0;
}

int
cmd_delete (struct cnf_global *g, int argc, char **argv)
{
  static const struct option opts[] = { { "force", no_argument, NULL, 'f' }, { NULL, 0, NULL, 0 } };
  struct cnf_state st;
  cnf_err err = NULL;
  bool force = false;
  int c, r;
  cli_normalize_args (argc, argv, opts);
  opterr = 0;
  while ((c = getopt_long (argc, argv, "+f", opts, NULL)) != -1)
    {
      if (c != 'f')
        return cli_usage_error ("delete", "unknown flag %s", argv[optind - 1]);
      force = true;
    }
  if (optind != argc - 1)
    return cli_usage_error ("delete", optind >= argc ? "missing container id" : "too many arguments");
  if (state_load (g->root, argv[optind], &st, &err) < 0)
    {
      /* runc: --force on a container that does not exist succeeds. */
      if (force && err->sys_errno == ENOENT)
        {
          cnf_err_free (&err);
          return 0;
        }
      /* A truncated or empty state file (a crash on a disk --root) names no process or cgroup
       * to clean up, but must not make the id unusable forever. */
      if (force && err->sys_errno == EBADMSG)
        {
          struct cnf_state bare = { .id = argv[optind], .dirfd = -1, .lockfd = -1 };
          log_warn ("%s: removing its state dir (its processes and cgroup, if any, are unknown)", err->msg);
          cnf_err_free (&err);
          return state_destroy (g->root, &bare, &err) < 0 ? fail (&err) : 0;
        }
      return fail (&err);
    }
  r = container_delete (g, &st, force, &err);
  state_free (&st);
  return r < 0 ? fail (&err) : 0;
}

int
cmd_list (struct cnf_global *g, int argc, char **argv)
{
  static const struct option opts[] = {
    { "format", required_argument, NULL, 'f' }, { "quiet", no_argument, NULL, 'q' }, { NULL, 0, NULL, 0 }
  };
  bool quiet = false, json = false;
  cleanup_dir DIR *d = NULL;
  struct dirent *de;
  json_writer *w = NULL;
  int c;
  cli_normalize_args (argc, argv, opts);
  opterr = 0;
  while ((c = getopt_long (argc, argv, "+f:q", opts, NULL)) != -1)
    switch (c)
      {
      case 'f':
        if (strcmp (optarg, "json") == 0)
          json = true;
        else if (strcmp (optarg, "table") != 0)
          return cli_usage_error ("list", "--format: unknown format \"%s\" (want table or json)", optarg);
        break;
      case 'q':
        quiet = true;
        break;
      default:
        return cli_usage_error ("list", "unknown flag %s", argv[optind - 1]);
      }
  if (optind != argc)
    return cli_usage_error ("list", "too many arguments");
  d = opendir (g->root);
  if (json)
    {
      w = json_writer_new (false);
      json_w_arr_open (w);
    }
  else if (!quiet)
    printf ("%-20s %-8s %-10s %-40s %-32s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER");
  while (d && (de = readdir (d)) != NULL)
    {
      struct cnf_state st;
      cnf_err err = NULL;
      if (de->d_name[0] == '.')
        continue;
      if (state_load_nolock (g->root, de->d_name, &st, &err) < 0)
        {
          cnf_err_free (&err);
          continue;
        }
      state_refresh (&st);
      if (quiet)
        printf ("%s\n", st.id);
      else if (json)
        {
          json_w_obj_open (w);
          json_w_kstr (w, "ociVersion", OCI_SPEC_VERSION);
          json_w_kstr (w, "id", st.id);
          json_w_kint (w, "pid", st.status == ST_STOPPED ? 0 : st.pid);
          json_w_kstr (w, "status", state_status_name (st.status));
          json_w_kstr (w, "bundle", st.bundle);
          json_w_kstr (w, "rootfs", st.rootfs);
          json_w_kstr (w, "created", st.created);
          json_w_kint (w, "owner", st.owner);
          if (st.annotations)
            {
              json_w_key (w, "annotations");
              json_w_value (w, st.annotations);
            }
          json_w_obj_close (w);
        }
      else
        printf ("%-20s %-8d %-10s %-40s %-32s %d\n", st.id, st.status == ST_STOPPED ? 0 : (int) st.pid,
                state_status_name (st.status), st.bundle ? st.bundle : "", st.created ? st.created : "",
                (int) st.owner);
      state_free (&st);
    }
  if (json)
    {
      json_w_arr_close (w);
      printf ("%s\n", json_writer_text (w, NULL));
      json_writer_free (w);
    }
  return 0;
}

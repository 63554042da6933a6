/* cmd_exec.c — `cnfrun exec`: run a new process in every namespace and the cgroup of a
 * running container.  exec ──clone3(CLONE_INTO_CGROUP)──► joiner (setns via the init's pidfd)
 * ──fork──► the process (inside the pid namespace), which applies the process config and
 * execs.  The sync socket is close-on-exec: EOF without an error message means exec worked.
 * execCPUAffinity.initial is applied before the cgroup move, .final just before exec. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/sched.h>
#include "cli.h"
#include "container.h"
#include "namespaces.h"
#include "process.h"
#include "seccomp.h"
#include "terminal.h"
#include "../lib/log.h"
#include "../lib/util.h"

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

enum { OPT_CONSOLE = 256, OPT_PID_FILE, OPT_CWD, OPT_NNP, OPT_PRESERVE, OPT_APPARMOR, OPT_LABEL, OPT_IGNORE_PAUSED };

struct exec_opts
{
  const char *process_file, *console_socket, *pid_file, *cwd, *user;
  char **env;
  size_t n_env;
  char **caps;
  size_t n_caps;
  uint32_t *gids;
  size_t n_gids;
  bool tty, detach, nnp, ignore_paused;
  int preserve_fds;
};

static char **
strv_append (char **v, size_t *n, const char *s)
{
  v = xrealloc (v, (*n + 2) * sizeof *v);
  v[(*n)++] = xstrdup (s);
  v[*n] = NULL;
  return v;
}

static int
parse_user (const char *s, struct spec_user *u, cnf_err *err)
{
  unsigned long long uid, gid;
  cleanup_free char *copy = xstrdup (s);
  char *colon = strchr (copy, ':');
  if (colon)
    *colon = '\0';
  if (parse_u64 (copy, &uid) < 0 || uid > UINT32_MAX)
    return cnf_err_set (err, EINVAL, "--user: \"%s\" is not uid[:gid] (names are not resolved)", s);
  u->uid = (uint32_t) uid;
  if (colon)
    {
      if (parse_u64 (colon + 1, &gid) < 0 || gid > UINT32_MAX)
        return cnf_err_set (err, EINVAL, "--user: \"%s\" is not uid[:gid]", s);
      u->gid = (uint32_t) gid;
    }
  return 0;
}

static void
add_cap (struct spec_caps *c, enum spec_cap_set set, int cap)
{
  size_t i;
  for (i = 0; i < c->n_caps[set]; i++)
    if (c->caps[set][i] == cap)
      return;
  c->caps[set] = xrealloc (c->caps[set], (c->n_caps[set] + 1) * sizeof (int));
  c->caps[set][c->n_caps[set]++] = cap;
  c->present[set] = true;
}

/* Build the process to run: --process FILE, or the container's own process with overrides. */
static int
build_process (struct spec *s, struct exec_opts *eo, char **args, int n_args, cnf_err *err)
{
  struct spec_process *p = &s->process;
  size_t i;
  int a;
  if (eo->process_file)
    {
      struct spec_process np = { 0 };
      if (spec_load_process_file (eo->process_file, &np, err) < 0)
        return -1;
      spec_process_free (p);
      *p = np;
      s->has_process = true;
    }
  else
    {
      if (n_args == 0)
        return cnf_err_set (err, EINVAL, "exec: no command given (and no --process file)");
      strv_free (p->args);
      p->args = xzalloc ((n_args + 1) * sizeof (char *));
      for (a = 0; a < n_args; a++)
        p->args[a] = xstrdup (args[a]);
      p->n_args = n_args;
      p->terminal = eo->tty;
    }
  for (i = 0; i < eo->n_env; i++)
    p->env = strv_append (p->env, &p->n_env, eo->env[i]);
  if (eo->cwd)
    {
      free (p->cwd);
      p->cwd = xstrdup (eo->cwd);
    }
  if (eo->user && parse_user (eo->user, &p->user, err) < 0)
    return -1;
  if (eo->n_gids)
    {
      free (p->user.additional_gids);
      p->user.additional_gids = eo->gids;
      p->user.n_additional_gids = eo->n_gids;
      eo->gids = NULL;
    }
  for (i = 0; i < eo->n_caps; i++)
    {
      int cap = spec_cap_from_name (eo->caps[i]);
      if (cap < 0)
        return cnf_err_set (err, EINVAL, "--cap: unknown capability \"%s\"", eo->caps[i]);
      add_cap (&p->caps, CAP_SET_BOUNDING, cap);
      add_cap (&p->caps, CAP_SET_EFFECTIVE, cap);
      add_cap (&p->caps, CAP_SET_PERMITTED, cap);
    }
  if (eo->nnp)
    p->no_new_privileges = true;
  if (p->terminal && eo->console_socket == NULL)
    return cnf_err_set (err, EINVAL, "--tty needs --console-socket (cnfrun does not proxy a terminal for exec)");
  return 0;
}

static int
sync_read_result (int fd, pid_t *pid, cnf_err *err)
{
  char buf[4096 + 8];
  ssize_t n;
  for (;;)
    {
      int32_t type, value;
      do
        n = recv (fd, buf, sizeof buf - 1, 0);
      while (n < 0 && errno == EINTR);
      if (n <= 0)
        return 0; /* EOF: the process exec'd (or its joiner died; then pid is still 0) */
      if ((size_t) n < 8)
        continue;
      memcpy (&type, buf, 4);
      memcpy (&value, buf + 4, 4);
      buf[n] = '\0';
      if (type == 1)
        *pid = value;
      else
        return cnf_err_set (err, 0, "exec failed: %s", buf + 8);
    }
}

static void __attribute__ ((noreturn))
exec_child_fail (int fd, cnf_err *err)
{
  char buf[4096 + 8];
  int32_t type = 2, value = 0;
  size_t l = strlen ((*err)->msg);
  if (l > 4096)
    l = 4096;
  memcpy (buf, &type, 4);
  memcpy (buf + 4, &value, 4);
  memcpy (buf + 8, (*err)->msg, l);
  send (fd, buf, 8 + l, MSG_NOSIGNAL);
  _exit (127);
}

static int
wait_child (pid_t pid)
{
  sigset_t set;
  int sfd, status = 0, pfd;
  static const int fwd[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };
  size_t i;
  sigemptyset (&set);
  sigaddset (&set, SIGCHLD);
  for (i = 0; i < sizeof fwd / sizeof fwd[0]; i++)
    sigaddset (&set, fwd[i]);
  sigprocmask (SIG_BLOCK, &set, NULL);
  sfd = signalfd (-1, &set, SFD_CLOEXEC);
  pfd = syscall (SYS_pidfd_open, pid, 0);
  for (;;)
    {
      struct signalfd_siginfo si;
      pid_t r;
      while ((r = waitpid (-1, &status, WNOHANG)) > 0)
        if (r == pid)
          goto done;
      if (r < 0 && errno == ECHILD)
        goto done;
      if (read (sfd, &si, sizeof si) == sizeof si && si.ssi_signo != SIGCHLD && pfd >= 0)
        syscall (SYS_pidfd_send_signal, pfd, si.ssi_signo, NULL, 0);
    }
done:
  if (pfd >= 0)
    close (pfd);
  close (sfd);
  return WIFSIGNALED (status) ? 128 + WTERMSIG (status) : WEXITSTATUS (status);
}

int
cmd_exec (struct cnf_global *g, int argc, char **argv)
{
  static const struct option opts[] = {
    { "process", required_argument, NULL, 'p' },     { "tty", no_argument, NULL, 't' },
    { "console-socket", required_argument, NULL, OPT_CONSOLE }, { "detach", no_argument, NULL, 'd' },
    { "pid-file", required_argument, NULL, OPT_PID_FILE }, { "cwd", required_argument, NULL, OPT_CWD },
    { "env", required_argument, NULL, 'e' },         { "user", required_argument, NULL, 'u' },
    { "additional-gids", required_argument, NULL, 'g' }, { "cap", required_argument, NULL, 'c' },
    { "no-new-privs", no_argument, NULL, OPT_NNP },  { "preserve-fds", required_argument, NULL, OPT_PRESERVE },
    { "apparmor", required_argument, NULL, OPT_APPARMOR }, { "process-label", required_argument, NULL, OPT_LABEL },
    { "ignore-paused", no_argument, NULL, OPT_IGNORE_PAUSED }, { NULL, 0, NULL, 0 },
  };
  struct exec_opts eo = { 0 };
  struct cnf_state st;
  struct spec *s = NULL;
  cnf_err err = NULL;
  unsigned long long n;
  int c, sp[2] = { -1, -1 }, pidfd = -1, cgfd = -1, console_fd = -1, ret = 1;
  enum cnf_status status;
  pid_t joiner, pid = 0;
  const char *id;
  cleanup_free char *state_json = NULL;

  cli_normalize_args (argc, argv, opts);
  opterr = 0;
  while ((c = getopt_long (argc, argv, "+p:tde:u:g:c:", opts, NULL)) != -1)
    switch (c)
      {
      case 'p':
        eo.process_file = optarg;
        break;
      case 't':
        eo.tty = true;
        break;
      case OPT_CONSOLE:
        eo.console_socket = optarg;
        break;
      case 'd':
        eo.detach = true;
        break;
      case OPT_PID_FILE:
        eo.pid_file = optarg;
        break;
      case OPT_CWD:
        eo.cwd = optarg;
        break;
      case 'e':
        if (strchr (optarg, '=') == NULL)
          return cli_usage_error ("exec", "--env: \"%s\" is not KEY=VALUE", optarg);
        eo.env = strv_append (eo.env, &eo.n_env, optarg);
        break;
      case 'u':
        eo.user = optarg;
        break;
      case 'g':
        if (parse_u64 (optarg, &n) < 0 || n > UINT32_MAX)
          return cli_usage_error ("exec", "--additional-gids: \"%s\" is not a gid", optarg);
        eo.gids = xrealloc (eo.gids, (eo.n_gids + 1) * sizeof (uint32_t));
        eo.gids[eo.n_gids++] = (uint32_t) n;
        break;
      case 'c':
        eo.caps = strv_append (eo.caps, &eo.n_caps, optarg);
        break;
      case OPT_NNP:
        eo.nnp = true;
        break;
      case OPT_PRESERVE:
        if (parse_u64 (optarg, &n) < 0 || n > 1024)
          return cli_usage_error ("exec", "--preserve-fds: \"%s\" is not a number of fds", optarg);
        eo.preserve_fds = (int) n;
        break;
      case OPT_APPARMOR:
      case OPT_LABEL:
        return cli_usage_error ("exec", "%s: AppArmor and SELinux labels are not supported by cnfrun", argv[optind - 1]);
      case OPT_IGNORE_PAUSED:
        eo.ignore_paused = true;
        break;
      case ':':
        return cli_usage_error ("exec", "%s needs a value", argv[optind - 1]);
      default:
        return cli_usage_error ("exec", "unknown flag %s", argv[optind - 1]);
      }
  if (optind >= argc)
    return cli_usage_error ("exec", "missing container id");
  id = argv[optind++];

  if (state_load_nolock (g->root, id, &st, &err) < 0)
    goto out_err;
  status = state_refresh (&st);
  if (status == ST_STOPPED || status == ST_CREATING)
    {
      cnf_err_set (&err, 0, "cannot exec in a stopped container: container not running");
      goto out_err;
    }
  if (status == ST_PAUSED && !eo.ignore_paused)
    {
      cnf_err_set (&err, 0, "cannot exec in a paused container (use --ignore-paused to try anyway)");
      goto out_err;
    }
  if (container_load_spec (&st, &s, &err) < 0 || build_process (s, &eo, argv + optind, argc - optind, &err) < 0)
    goto out_err;
  pidfd = syscall (SYS_pidfd_open, st.pid, 0);
  if (pidfd < 0 || !state_pid_alive (&st))
    {
      cnf_err_set (&err, 0, "container not running: no such process");
      goto out_err;
    }
  if (eo.console_socket && (console_fd = terminal_connect_socket (eo.console_socket, &err)) < 0)
    goto out_err;
  state_json = state_to_oci_json (&st, false);
  if (st.cgroup_path)
    cgfd = open (st.cgroup_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (s->process.exec_cpu_affinity.initial && process_set_affinity (0, s->process.exec_cpu_affinity.initial, &err) < 0)
    goto out_err;
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
    {
      cnf_err_set (&err, errno, "socketpair");
      goto out_err;
    }
  prctl (PR_SET_CHILD_SUBREAPER, 1);
  {
    struct clone_args ca = { .exit_signal = SIGCHLD };
    if (cgfd >= 0)
      {
        ca.flags = CLONE_INTO_CGROUP;
        ca.cgroup = (uint64_t) cgfd;
      }
    joiner = syscall (SYS_clone3, &ca, sizeof ca);
    if (joiner < 0 && cgfd >= 0)
      joiner = fork (); /* kernel without CLONE_INTO_CGROUP: the cgroup is not joined */
  }
  if (joiner < 0)
    {
      cnf_err_set (&err, errno, "clone");
      goto out_err;
    }
  if (joiner == 0)
    {
      pid_t child;
      close (sp[0]);
      prctl (PR_SET_PDEATHSIG, SIGKILL);
      /* Not dumpable until execve resets it: once the process has the container's user and
       * capabilities, a process of the container must not ptrace it or open its /proc files
       * (its fds reach the host: the sync socket, the log, a seccomp listener). */
      prctl (PR_SET_DUMPABLE, 0, 0, 0, 0);
      /* The seccomp listener is a host path: connect before entering the container's mounts. */
      if (s->has_linux && seccomp_listener_prepare (s->linux_.seccomp, &err) < 0)
        exec_child_fail (sp[1], &err);
      if (ns_join_container (pidfd, st.pid, &err) < 0)
        exec_child_fail (sp[1], &err);
      child = fork ();
      if (child < 0)
        {
          cnf_err_set (&err, errno, "fork");
          exec_child_fail (sp[1], &err);
        }
      if (child == 0)
        {
          /* The sync socket stays open (close-on-exec) so that an exec failure is still reported. */
          int keep[2] = { sp[1], seccomp_listener_fd () };
          struct process_opts po = { .preserve_fds = eo.preserve_fds, .is_init = false, .keep_fds = keep,
                                     .n_keep_fds = keep[1] >= 0 ? 2 : 1, .state_json = state_json };
          sigset_t none;
          prctl (PR_SET_PDEATHSIG, 0);
          sigemptyset (&none);
          sigprocmask (SIG_SETMASK, &none, NULL);
          if (console_fd >= 0 && terminal_setup (console_fd, &s->process, &err) < 0)
            exec_child_fail (sp[1], &err);
          if (console_fd >= 0)
            close (console_fd);
          process_exec (s, &s->process, &po, &err);
          exec_child_fail (sp[1], &err);
        }
      {
        char buf[8];
        int32_t type = 1, value = child;
        memcpy (buf, &type, 4);
        memcpy (buf + 4, &value, 4);
        send (sp[1], buf, 8, MSG_NOSIGNAL);
      }
      _exit (0);
    }
  close (sp[1]);
  sp[1] = -1;
  if (console_fd >= 0)
    {
      close (console_fd);
      console_fd = -1;
    }
  if (sync_read_result (sp[0], &pid, &err) < 0)
    {
      waitpid (joiner, NULL, 0);
      if (pid > 0)
        waitpid (pid, NULL, 0);
      goto out_err;
    }
  waitpid (joiner, NULL, 0);
  if (pid <= 0)
    {
      cnf_err_set (&err, 0, "exec failed: the joining process died");
      goto out_err;
    }
  if (eo.pid_file && container_write_pid_file (eo.pid_file, pid, &err) < 0)
    goto out_err;
  if (eo.detach)
    ret = 0;
  else
    ret = wait_child (pid);
  goto out;
out_err:
  log_err (&err);
  ret = ret == 0 ? 1 : ret;
out:
  if (sp[0] >= 0)
    close (sp[0]);
  if (pidfd >= 0)
    close (pidfd);
  if (cgfd >= 0)
    close (cgfd);
  if (console_fd >= 0)
    close (console_fd);
  spec_free (s);
  state_free (&st);
  strv_free (eo.env);
  strv_free (eo.caps);
  free (eo.gids);
  return ret;
}

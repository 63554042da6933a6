/* main.c — netplugd: configuration (file + flags), EAL start-up, and the control thread's event
 * loop (control socket, memif control channels, timers, signals).  Workers run on the other
 * EAL lcores (fwd.c).  Runs in the foreground and logs to stderr (journald under systemd). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include "lib/log.h"
#include "lib/util.h"
#include "netplugd.h"

struct np_daemon np;

struct handler
{
  np_fd_cb cb;
  void *arg;
};
static struct handler *handlers;
static int nhandlers;
static int epfd = -1;

int
np_loop_add (int fd, uint32_t events, np_fd_cb cb, void *arg)
{
  struct epoll_event ev = { .events = events, .data.fd = fd };
  if (fd >= nhandlers)
    {
      int n = fd + 256;
      handlers = xrealloc (handlers, sizeof *handlers * n);
      memset (handlers + nhandlers, 0, sizeof *handlers * (n - nhandlers));
      nhandlers = n;
    }
  handlers[fd].cb = cb;
  handlers[fd].arg = arg;
  return epoll_ctl (epfd, EPOLL_CTL_ADD, fd, &ev);
}

void
np_loop_del (int fd)
{
  if (fd >= 0 && fd < nhandlers)
    handlers[fd].cb = NULL;
  epoll_ctl (epfd, EPOLL_CTL_DEL, fd, NULL);
}

static void
usage (FILE *f)
{
  fprintf (f,
           "Usage: netplugd [options] [-- extra EAL arguments]\n"
           "  -c, --config FILE       JSON config file (keys as the long options, allow as an array)\n"
           "  -l, --lcores LIST       EAL lcores; the first runs the control thread (default 0,1);\n"
           "                          with '@' an lcore-to-CPU map (EAL --lcores), e.g. 0@0,1@1,2@1\n"
           "  -m, --memory MB         DPDK memory (default 256)\n"
           "      --socket-dir DIR    where memif/vhost-user sockets may live (default /run/netplug)\n"
           "      --ctl-socket PATH   control socket (default /run/netplugd/ctl.sock)\n"
           "      --state-file PATH   desired state (default /var/lib/netplugd/state.json, \"\" = none)\n"
           "  -a, --allow BDF         allow one PCI device (repeatable; none: --no-pci)\n"
           "      --file-prefix NAME  EAL file prefix (default netplugd)\n"
           "      --no-huge           never use hugepages (default: use them if enough are free)\n"
           "      --mbufs N           mbuf pool size (default 16383)\n"
           "      --metrics SPEC      Prometheus metrics on unix:/path or tcp:PORT (127.0.0.1); off by default\n"
           "  -v, --verbose           debug logging\n"
           "  -V, --version\n");
}

static void
cfg_defaults (struct np_config *c)
{
  c->lcores = xstrdup ("0,1");
  c->mem_mb = 256;
  c->file_prefix = xstrdup ("netplugd");
  c->socket_dir = xstrdup ("/run/netplug");
  c->ctl_socket = xstrdup ("/run/netplugd/ctl.sock");
  c->state_file = xstrdup ("/var/lib/netplugd/state.json");
  c->huge = true;
  c->mbufs = 16383;
}

static void
set_str (char **dst, const char *v)
{
  free (*dst);
  *dst = xstrdup (v);
}

static int
cfg_file (struct np_config *c, const char *path, cnf_err *err)
{
  char ebuf[256];
  json_value *root = json_parse_file (path, ebuf, sizeof ebuf);
  if (!root)
    return cnf_err_set (err, 0, "%s", ebuf);
  if (json_typeof (root) != JSON_OBJECT)
    {
      json_free (root);
      return cnf_err_set (err, 0, "%s: must be an object", path);
    }
  for (size_t i = 0; i < json_len (root); i++)
    {
      const char *k = json_key_at (root, i);
      json_value *v = json_value_at (root, i);
      const char *s = json_string (v);
      uint64_t u;
      bool b;
      if (!strcmp (k, "lcores") && s)
        set_str (&c->lcores, s);
      else if (!strcmp (k, "memory") && json_get_uint64 (v, &u) == 0 && u >= 64)
        c->mem_mb = (unsigned) u;
      else if (!strcmp (k, "socket_dir") && s)
        set_str (&c->socket_dir, s);
      else if (!strcmp (k, "ctl_socket") && s)
        set_str (&c->ctl_socket, s);
      else if (!strcmp (k, "state_file") && s)
        set_str (&c->state_file, s);
      else if (!strcmp (k, "file_prefix") && s)
        set_str (&c->file_prefix, s);
      else if (!strcmp (k, "metrics") && s)
        set_str (&c->metrics, s);
      else if (!strcmp (k, "hugepages") && json_get_bool (v, &b) == 0)
        c->huge = b;
      else if (!strcmp (k, "mbufs") && json_get_uint64 (v, &u) == 0 && u >= 1024)
        c->mbufs = (unsigned) u;
      else if (!strcmp (k, "allow") && json_typeof (v) == JSON_ARRAY)
        {
          for (size_t j = 0; j < json_len (v); j++)
            if (json_string (json_at (v, j)))
              {
                size_t n = strv_len (c->allow);
                c->allow = xrealloc (c->allow, sizeof (char *) * (n + 2));
                c->allow[n] = xstrdup (json_string (json_at (v, j)));
                c->allow[n + 1] = NULL;
              }
        }
      else
        {
          cnf_err_set (err, 0, "%s: .%s: unknown key or bad value", path, k);
          json_free (root);
          return -1;
        }
    }
  json_free (root);
  return 0;
}

/* Enough free hugepages for mem_mb? */
static bool
huge_available (unsigned mem_mb)
{
  FILE *f = fopen ("/proc/meminfo", "re");
  char line[256];
  unsigned long free_pages = 0, kb = 0;
  if (!f)
    return false;
  while (fgets (line, sizeof line, f))
    {
      sscanf (line, "HugePages_Free: %lu", &free_pages);
      sscanf (line, "Hugepagesize: %lu kB", &kb);
    }
  fclose (f);
  return free_pages * kb >= (unsigned long) mem_mb * 1024;
}

static volatile sig_atomic_t quit;

int
main (int argc, char **argv)
{
  static const struct option opts[] = {
    { "config", required_argument, NULL, 'c' },     { "lcores", required_argument, NULL, 'l' },
    { "memory", required_argument, NULL, 'm' },     { "socket-dir", required_argument, NULL, 'S' },
    { "ctl-socket", required_argument, NULL, 'C' }, { "state-file", required_argument, NULL, 's' },
    { "allow", required_argument, NULL, 'a' },      { "file-prefix", required_argument, NULL, 'P' },
    { "no-huge", no_argument, NULL, 'H' },          { "mbufs", required_argument, NULL, 'M' },
    { "metrics", required_argument, NULL, 'X' },    { "verbose", no_argument, NULL, 'v' },          { "version", no_argument, NULL, 'V' },
    { "help", no_argument, NULL, 'h' },             { NULL, 0, NULL, 0 },
  };
  struct np_config *c = &np.cfg;
  cnf_err err = NULL;
  enum log_level lvl = LOG_LVL_INFO;
  int o, i;
  unsigned long long u;

  log_set_prefix ("netplugd");
  cfg_defaults (c);
  /* the config file first, so that flags override it */
  for (i = 1; i < argc - 1; i++)
    if ((!strcmp (argv[i], "-c") || !strcmp (argv[i], "--config")) && cfg_file (c, argv[i + 1], &err) < 0)
      {
        log_err (&err);
        return 2;
      }
  while ((o = getopt_long (argc, argv, "c:l:m:a:vVh", opts, NULL)) != -1)
    switch (o)
      {
      case 'c':
        break;
      case 'l':
        set_str (&c->lcores, optarg);
        break;
      case 'm':
        if (parse_u64 (optarg, &u) < 0 || u < 64 || u > 65536)
          {
            fprintf (stderr, "netplugd: --memory: a size in MiB (64..65536)\n");
            return 2;
          }
        c->mem_mb = (unsigned) u;
        break;
      case 'S':
        set_str (&c->socket_dir, optarg);
        break;
      case 'C':
        set_str (&c->ctl_socket, optarg);
        break;
      case 's':
        set_str (&c->state_file, optarg);
        break;
      case 'a':
        {
          size_t n = strv_len (c->allow);
          c->allow = xrealloc (c->allow, sizeof (char *) * (n + 2));
          c->allow[n] = xstrdup (optarg);
          c->allow[n + 1] = NULL;
          break;
        }
      case 'P':
        set_str (&c->file_prefix, optarg);
        break;
      case 'H':
        c->huge = false;
        break;
      case 'M':
        if (parse_u64 (optarg, &u) < 0 || u < 1024)
          {
            fprintf (stderr, "netplugd: --mbufs: at least 1024\n");
            return 2;
          }
        c->mbufs = (unsigned) u;
        break;
      case 'X':
        set_str (&c->metrics, optarg);
        break;
      case 'v':
        lvl = LOG_LVL_DEBUG;
        break;
      case 'V':
        printf ("netplugd %s (protocol %d)\n", NP_VERSION, NP_PROTOCOL);
        return 0;
      case 'h':
        usage (stdout);
        return 0;
      default:
        usage (stderr);
        return 2;
      }
  if (log_init (NULL, LOG_FMT_TEXT, lvl, &err) < 0)
    {
      log_err (&err);
      return 1;
    }
  if (c->socket_dir[0] != '/' || c->ctl_socket[0] != '/')
    {
      log_error ("--socket-dir and --ctl-socket must be absolute paths");
      return 2;
    }

  /* EAL arguments */
  char *eal[64 + 2 * 16];
  int n = 0;
  char mem[16];
  bool huge = c->huge && huge_available (c->mem_mb);
  snprintf (mem, sizeof mem, "%u", c->mem_mb);
  eal[n++] = argv[0];
  /* "0,1-3" is a core list; "0@0,1@1,2@1" maps lcores onto CPUs (EAL --lcores) */
  eal[n++] = strchr (c->lcores, '@') || strchr (c->lcores, '(') ? "--lcores" : "-l";
  eal[n++] = c->lcores;
  eal[n++] = "-m";
  eal[n++] = mem;
  eal[n++] = "--file-prefix";
  eal[n++] = c->file_prefix;
  eal[n++] = "--log-level=lib.eal:warning";
  if (!huge)
    {
      /* --no-huge implies legacy memory, which --in-memory refuses; no shared config instead */
      eal[n++] = "--no-huge";
      eal[n++] = "--no-shconf";
    }
  else
    /* Hugepages as unlinked memory: nothing is left in a hugetlbfs after a stop or a SIGKILL
     * (named map files there would keep their pages reserved until someone deletes them).
     * netplugd has no secondary processes to share its memory with. */
    eal[n++] = "--in-memory";
  if (!c->allow || !c->allow[0])
    eal[n++] = "--no-pci";
  for (i = 0; c->allow && c->allow[i] && n < 60; i++)
    {
      eal[n++] = "-a";
      eal[n++] = c->allow[i];
    }
  for (i = optind; i < argc && n < (int) (sizeof eal / sizeof eal[0]) - 1; i++)
    eal[n++] = argv[i];
  eal[n] = NULL;
  log_info ("starting: lcores %s, %u MiB %s, socket dir %s, control %s", c->lcores, c->mem_mb,
            huge ? "hugepages" : "without hugepages", c->socket_dir, c->ctl_socket);
  /* Blocked before EAL starts its threads, which inherit the mask: a process-directed SIGTERM
   * must reach the signalfd below, not kill the process in a thread that left it unblocked. */
  sigset_t ss;
  sigemptyset (&ss);
  sigaddset (&ss, SIGTERM);
  sigaddset (&ss, SIGINT);
  sigaddset (&ss, SIGHUP);
  sigprocmask (SIG_BLOCK, &ss, NULL);
  if (rte_eal_init (n, eal) < 0)
    {
      log_error ("EAL initialisation failed: %s", rte_strerror (rte_errno));
      return 1;
    }
  np.pool = rte_pktmbuf_pool_create ("np_mbufs", c->mbufs, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id ());
  if (!np.pool)
    {
      log_error ("mbuf pool of %u: %s", c->mbufs, rte_strerror (rte_errno));
      return 1;
    }
  epfd = epoll_create1 (EPOLL_CLOEXEC);
  if (np_fwd_init (&err) < 0)
    {
      log_err (&err);
      return 1;
    }
  if (mkdir_p_at (AT_FDCWD, c->socket_dir, 0755, &err) < 0)
    {
      log_err (&err);
      return 1;
    }
  if (c->state_file[0])
    {
      char *dir = xstrdup (c->state_file), *sl = strrchr (dir, '/');
      if (sl && sl != dir)
        {
          *sl = 0;
          mkdir_p_at (AT_FDCWD, dir, 0700, NULL);
        }
      free (dir);
    }
  if (np_state_restore (&err) < 0)
    {
      log_err (&err);
      return 1;
    }
  if (np_ctl_listen (c->ctl_socket, &err) < 0)
    {
      log_err (&err);
      return 1;
    }
  if (c->metrics && *c->metrics && np_metrics_listen (c->metrics, &err) < 0)
    {
      log_err (&err);
      return 1;
    }
  int sfd = signalfd (-1, &ss, SFD_CLOEXEC | SFD_NONBLOCK);
  struct epoll_event sev = { .events = EPOLLIN, .data.fd = sfd };
  epoll_ctl (epfd, EPOLL_CTL_ADD, sfd, &sev);
  signal (SIGPIPE, SIG_IGN);

  if (np_fwd_start () < 0)
    {
      log_error ("cannot launch workers");
      return 1;
    }
  log_info ("ready: %u worker(s), %u ports, %u networks", np.nworkers, np.nports, np.nnets);
  long long last_sweep = now_ms ();
  while (!quit)
    {
      struct epoll_event evs[32];
      int k = epoll_wait (epfd, evs, 32, 1000);
      for (i = 0; i < k; i++)
        {
          int fd = evs[i].data.fd;
          if (fd == sfd)
            {
              struct signalfd_siginfo si;
              if (read (sfd, &si, sizeof si) == sizeof si && si.ssi_signo != SIGHUP)
                quit = 1;
              continue;
            }
          if (fd < nhandlers && handlers[fd].cb)
            handlers[fd].cb (fd, evs[i].events, handlers[fd].arg);
        }
      if (now_ms () - last_sweep >= 1000)
        {
          last_sweep = now_ms ();
          for (unsigned j = 0; j < NP_MAX_NETWORKS; j++)
            if (np.nets[j] && np.nets[j]->type == NP_NET_BRIDGE)
              np_bridge_flush_port (np.nets[j], UINT16_MAX); /* expire aged entries */
        }
    }
  log_info ("stopping");
  np_fwd_stop ();
  np_ports_release ();
  rte_eal_cleanup ();
  return 0;
}

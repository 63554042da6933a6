/* cmd_cgroup.c — the commands that act on a container's cgroup: update, pause, resume, ps and
 * events, with runc's flags and output shapes.  All cgroup work is in cgroups/. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "state.h"
#include "spec.h"
#include "../cgroups/cgroup.h"
#include "../lib/log.h"
#include "../lib/util.h"

extern char **environ;

static int
fail (cnf_err *err)
{
  log_err (err);
  return 1;
}

/* Load the state (locked when lock) and open the container's cgroup. */
static int
open_container (struct cnf_global *g, const char *id, bool lock, struct cnf_state *st, struct cg_handle **cg,
                cnf_err *err)
{
  *cg = NULL;
  if ((lock ? state_load (g->root, id, st, err) : state_load_nolock (g->root, id, st, err)) < 0)
    return -1;
  if (st->cgroup_path == NULL)
    {
      cnf_err_set (err, ENOENT, "container \"%s\" has no cgroup", id);
      state_free (st);
      return -1;
    }
  if (cg_open (st->cgroup_path, st->systemd_cgroup, st->systemd_unit, st->dirfd, cg, err) < 0)
    {
      state_free (st);
      return -1;
    }
  return 0;
}

/* runc's byte sizes: "512m", "1g", "1024", "-1" (k, m, g, t, p; optional trailing b/B). */
static int
parse_bytes (const char *s, int64_t *out)
{
  char *end;
  long long v;
  int64_t mul = 1;
  errno = 0;
  v = strtoll (s, &end, 10);
  if (errno || end == s)
    return -1;
  if (v == -1 && *end == '\0')
    {
      *out = -1;
      return 0;
    }
  switch (*end)
    {
    case 'k': case 'K': mul = INT64_C (1) << 10; end++; break;
    case 'm': case 'M': mul = INT64_C (1) << 20; end++; break;
    case 'g': case 'G': mul = INT64_C (1) << 30; end++; break;
    case 't': case 'T': mul = INT64_C (1) << 40; end++; break;
    case 'p': case 'P': mul = INT64_C (1) << 50; end++; break;
    default: break;
    }
  if (*end == 'b' || *end == 'B')
    end++;
  if (*end || v < 0)
    return -1;
  *out = v * mul;
  return 0;
}

enum
{
  U_RES = 256, U_BLKIO, U_PERIOD, U_QUOTA, U_BURST, U_SHARES, U_RT_PERIOD, U_RT_RUNTIME, U_CPUS, U_MEMS, U_KMEM,
  U_KTCP, U_MEM, U_MEMRES, U_SWAP, U_PIDS, U_IDLE, U_L3, U_MBW
};

int
cmd_update (struct cnf_global *g, int argc, char **argv)
{
  static const struct option opts[] = {
    { "resources", required_argument, NULL, 'r' },      { "blkio-weight", required_argument, NULL, U_BLKIO },
    { "cpu-period", required_argument, NULL, U_PERIOD }, { "cpu-quota", required_argument, NULL, U_QUOTA },
    { "cpu-burst", required_argument, NULL, U_BURST },   { "cpu-share", required_argument, NULL, U_SHARES },
    { "cpu-rt-period", required_argument, NULL, U_RT_PERIOD },
    { "cpu-rt-runtime", required_argument, NULL, U_RT_RUNTIME },
    { "cpuset-cpus", required_argument, NULL, U_CPUS },  { "cpuset-mems", required_argument, NULL, U_MEMS },
    { "kernel-memory", required_argument, NULL, U_KMEM },
    { "kernel-memory-tcp", required_argument, NULL, U_KTCP },
    { "memory", required_argument, NULL, U_MEM },        { "memory-reservation", required_argument, NULL, U_MEMRES },
    { "memory-swap", required_argument, NULL, U_SWAP },  { "pids-limit", required_argument, NULL, U_PIDS },
    { "cpu-idle", required_argument, NULL, U_IDLE },     { "l3-cache-schema", required_argument, NULL, U_L3 },
    { "mem-bw-schema", required_argument, NULL, U_MBW }, { NULL, 0, NULL, 0 },
  };
  struct cg_resources res = { 0 }, flags = { 0 };
  const char *resources = NULL;
  struct cnf_state st;
  struct cg_handle *cg = NULL;
  cnf_err err = NULL;
  int c, r;
  long long ll;
  unsigned long long ull;
  int64_t b;

  cli_normalize_args (argc, argv, opts);
  opterr = 0;
  optind = 1;
  while ((c = getopt_long (argc, argv, "+r:", opts, NULL)) != -1)
    {
      const char *name = argv[optind - 1];
      switch (c)
        {
        case 'r': resources = optarg; break;
        case U_BLKIO:
          if (parse_u64 (optarg, &ull) < 0 || ull > 1000)
            goto bad;
          flags.has_blkio_weight = true;
          flags.blkio_weight = (uint16_t) ull;
          break;
        case U_PERIOD:
          if (parse_u64 (optarg, &ull) < 0)
            goto bad;
          flags.has_cpu_period = true;
          flags.cpu_period = ull;
          break;
        case U_QUOTA:
          if (parse_i64 (optarg, &ll) < 0)
            goto bad;
          flags.has_cpu_quota = true;
          flags.cpu_quota = ll;
          break;
        case U_BURST:
          if (parse_u64 (optarg, &ull) < 0)
            goto bad;
          flags.has_cpu_burst = true;
          flags.cpu_burst = ull;
          break;
        case U_SHARES:
          if (parse_u64 (optarg, &ull) < 0)
            goto bad;
          flags.has_cpu_shares = true;
          flags.cpu_shares = ull;
          break;
        case U_RT_PERIOD:
          if (parse_u64 (optarg, &ull) < 0)
            goto bad;
          flags.has_cpu_rt_period = true;
          flags.cpu_rt_period = ull;
          break;
        case U_RT_RUNTIME:
          if (parse_i64 (optarg, &ll) < 0)
            goto bad;
          flags.has_cpu_rt_runtime = true;
          flags.cpu_rt_runtime = ll;
          break;
        case U_IDLE:
          if (parse_i64 (optarg, &ll) < 0)
            goto bad;
          flags.has_cpu_idle = true;
          flags.cpu_idle = ll;
          break;
        case U_CPUS: free (flags.cpus); flags.cpus = xstrdup (optarg); break;
        case U_MEMS: free (flags.mems); flags.mems = xstrdup (optarg); break;
        case U_KMEM: case U_KTCP:
          log_warn ("update %s: kernel memory limits do not exist on cgroup v2; ignored", name);
          break;
        case U_L3: case U_MBW:
          cg_resources_free (&flags);
          return cli_usage_error ("update", "%s: Intel RDT is not supported by cnfrun", name);
        case U_MEM:
          if (parse_bytes (optarg, &b) < 0)
            goto bad;
          flags.has_mem_limit = true;
          flags.mem_limit = b;
          break;
        case U_MEMRES:
          if (parse_bytes (optarg, &b) < 0)
            goto bad;
          flags.has_mem_reservation = true;
          flags.mem_reservation = b;
          break;
        case U_SWAP:
          if (parse_bytes (optarg, &b) < 0)
            goto bad;
          flags.has_mem_swap = true;
          flags.mem_swap = b;
          break;
        case U_PIDS:
          if (parse_i64 (optarg, &ll) < 0)
            goto bad;
          flags.has_pids_limit = true;
          flags.pids_limit = ll;
          break;
        default:
          cg_resources_free (&flags);
          return cli_usage_error ("update", "unknown flag %s", name);
        bad:
          cg_resources_free (&flags);
          return cli_usage_error ("update", "%s: invalid value \"%s\"", name, optarg);
        }
    }
  if (optind != argc - 1)
    {
      cg_resources_free (&flags);
      return cli_usage_error ("update", optind >= argc ? "missing container id" : "too many arguments");
    }
  if (resources)
    {
      char ebuf[256] = "";
      json_value *doc = strcmp (resources, "-") == 0 ? json_parse_fd (0, ebuf, sizeof ebuf)
                                                     : json_parse_file (resources, ebuf, sizeof ebuf);
      if (doc == NULL)
        {
          cg_resources_free (&flags);
          cnf_err_set (&err, EINVAL, "update --resources %s: %s", resources, ebuf);
          return fail (&err);
        }
      /* The same parser and messages as config.json's .linux.resources. */
      res = (struct cg_resources){ 0 };
      r = spec_parse_resources (doc, strcmp (resources, "-") == 0 ? "stdin" : resources, "", &res, &err);
      json_free (doc);
      if (r < 0)
        {
          cg_resources_free (&flags);
          cg_resources_free (&res);
          return fail (&err);
        }
    }
  /* Flags given on the command line win over the same fields in --resources. */
#define TAKE(h, f) if (flags.h) { res.h = true; res.f = flags.f; }
  TAKE (has_blkio_weight, blkio_weight);
  TAKE (has_cpu_period, cpu_period);
  TAKE (has_cpu_quota, cpu_quota);
  TAKE (has_cpu_burst, cpu_burst);
  TAKE (has_cpu_shares, cpu_shares);
  TAKE (has_cpu_rt_period, cpu_rt_period);
  TAKE (has_cpu_rt_runtime, cpu_rt_runtime);
  TAKE (has_cpu_idle, cpu_idle);
  TAKE (has_mem_limit, mem_limit);
  TAKE (has_mem_reservation, mem_reservation);
  TAKE (has_mem_swap, mem_swap);
  TAKE (has_pids_limit, pids_limit);
#undef TAKE
  if (flags.cpus)
    {
      free (res.cpus);
      res.cpus = steal_ptr (&flags.cpus);
    }
  if (flags.mems)
    {
      free (res.mems);
      res.mems = steal_ptr (&flags.mems);
    }
  cg_resources_free (&flags);

  if (open_container (g, argv[optind], true, &st, &cg, &err) < 0)
    {
      cg_resources_free (&res);
      return fail (&err);
    }
  switch (state_refresh (&st))
    {
    case ST_CREATED: case ST_RUNNING: case ST_PAUSED:
      r = cg_update (cg, &res, &err);
      break;
    default:
      r = cnf_err_set (&err, 0, "container \"%s\" is not running", st.id);
      break;
    }
  cg_handle_free (cg);
  state_free (&st);
  cg_resources_free (&res);
  return r < 0 ? fail (&err) : 0;
}

static int
pause_resume (struct cnf_global *g, int argc, char **argv, bool pause)
{
  const char *cmd = pause ? "pause" : "resume";
  struct cnf_state st;
  struct cg_handle *cg = NULL;
  cnf_err err = NULL;
  enum cnf_status s;
  int r;
  if (argc != 2 || argv[1][0] == '-')
    return cli_usage_error (cmd, argc < 2 ? "missing container id" : "expects exactly one container id");
  if (open_container (g, argv[1], true, &st, &cg, &err) < 0)
    return fail (&err);
  s = state_refresh (&st);
  if (pause && s != ST_RUNNING)
    r = cnf_err_set (&err, 0, "container \"%s\" is not running", st.id);
  else if (!pause && s != ST_PAUSED)
    r = cnf_err_set (&err, 0, "container \"%s\" is not paused", st.id);
  else
    r = cg_freeze (cg, pause, &err);
  if (r == 0)
    {
      st.status = pause ? ST_PAUSED : state_refresh (&st);
      r = state_save (&st, &err);
    }
  cg_handle_free (cg);
  state_free (&st);
  return r < 0 ? fail (&err) : 0;
}

int
cmd_pause (struct cnf_global *g, int argc, char **argv)
{
  return pause_resume (g, argc, argv, true);
}

int
cmd_resume (struct cnf_global *g, int argc, char **argv)
{
  return pause_resume (g, argc, argv, false);
}

static int
cmp_pid (const void *a, const void *b)
{
  pid_t x = *(const pid_t *) a, y = *(const pid_t *) b;
  return (x > y) - (x < y);
}

/* runc's table: ps(1) with the given options, keeping the header and the container's lines. */
static int
ps_table (pid_t *pids, size_t n, int nargs, char **args, cnf_err *err)
{
  char **av = xzalloc ((size_t) (nargs + 3) * sizeof *av);
  posix_spawn_file_actions_t fa;
  int p[2], status, i, pid_col = -1, line_no = 0;
  pid_t child;
  FILE *f;
  char *line = NULL;
  size_t cap = 0;
  av[0] = (char *) "ps";
  if (nargs == 0)
    av[1] = (char *) "-ef";
  for (i = 0; i < nargs; i++)
    av[i + 1] = args[i];
  if (pipe2 (p, O_CLOEXEC) < 0)
    {
      free (av);
      return cnf_err_set (err, errno, "pipe");
    }
  posix_spawn_file_actions_init (&fa);
  posix_spawn_file_actions_adddup2 (&fa, p[1], 1);
  i = posix_spawnp (&child, "ps", &fa, NULL, av, environ);
  posix_spawn_file_actions_destroy (&fa);
  free (av);
  close (p[1]);
  if (i != 0)
    {
      close (p[0]);
      return cnf_err_set (err, i, "run ps");
    }
  f = fdopen (p[0], "r");
  while (f && getline (&line, &cap, f) > 0)
    {
      if (line_no++ == 0)
        {
          /* find the PID column in the header */
          char *copy = xstrdup (line), *save = NULL, *t;
          int col = 0;
          for (t = strtok_r (copy, " \t\n", &save); t; t = strtok_r (NULL, " \t\n", &save), col++)
            if (strcmp (t, "PID") == 0)
              pid_col = col;
          free (copy);
          fputs (line, stdout);
          continue;
        }
      if (pid_col >= 0)
        {
          char *copy = xstrdup (line), *save = NULL, *t;
          int col = 0;
          pid_t v = -1;
          for (t = strtok_r (copy, " \t\n", &save); t; t = strtok_r (NULL, " \t\n", &save), col++)
            if (col == pid_col)
              {
                v = (pid_t) atoi (t);
                break;
              }
          free (copy);
          if (bsearch (&v, pids, n, sizeof *pids, cmp_pid))
            fputs (line, stdout);
        }
    }
  free (line);
  if (f)
    fclose (f);
  waitpid (child, &status, 0);
  if (pid_col < 0)
    return cnf_err_set (err, 0, "ps: no PID column in its output");
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    return cnf_err_set (err, 0, "ps failed");
  return 0;
}

int
cmd_ps (struct cnf_global *g, int argc, char **argv)
{
  static const struct option opts[] = { { "format", required_argument, NULL, 'f' }, { NULL, 0, NULL, 0 } };
  const char *format = "table";
  struct cnf_state st;
  struct cg_handle *cg = NULL;
  cnf_err err = NULL;
  pid_t *pids = NULL;
  size_t n = 0, i;
  int c, r;
  cli_normalize_args (argc, argv, opts);
  opterr = 0;
  optind = 1;
  while ((c = getopt_long (argc, argv, "+f:", opts, NULL)) != -1)
    {
      if (c != 'f')
        return cli_usage_error ("ps", "unknown flag %s", argv[optind - 1]);
      format = optarg;
    }
  if (strcmp (format, "table") != 0 && strcmp (format, "json") != 0)
    return cli_usage_error ("ps", "--format: \"%s\" is not table or json", format);
  if (optind >= argc)
    return cli_usage_error ("ps", "missing container id");
  if (open_container (g, argv[optind], false, &st, &cg, &err) < 0)
    return fail (&err);
  r = cg_pids (cg, &pids, &n, &err);
  cg_handle_free (cg);
  state_free (&st);
  if (r < 0)
    return fail (&err);
  qsort (pids, n, sizeof *pids, cmp_pid);
  if (strcmp (format, "json") == 0)
    {
      if (argc - optind > 1)
        {
          free (pids);
          return cli_usage_error ("ps", "ps options cannot be used with --format json");
        }
      printf ("[");
      for (i = 0; i < n; i++)
        printf ("%s%d", i ? "," : "", (int) pids[i]);
      printf ("]\n");
      free (pids);
      return 0;
    }
  fflush (stdout);
  r = ps_table (pids, n, argc - optind - 1, argv + optind + 1, &err);
  free (pids);
  return r < 0 ? fail (&err) : 0;
}

/* "5s", "500ms", "1m", "2" (seconds) -> milliseconds */
static long long
parse_interval (const char *s)
{
  char *end;
  double v = strtod (s, &end);
  if (end == s || v <= 0)
    return -1;
  if (*end == '\0' || strcmp (end, "s") == 0)
    return (long long) (v * 1000);
  if (strcmp (end, "ms") == 0)
    return (long long) v;
  if (strcmp (end, "m") == 0)
    return (long long) (v * 60000);
  return -1;
}

static int
print_stats (struct cg_handle *cg, const char *id, cnf_err *err)
{
  json_writer *w = json_writer_new (false);
  char *txt;
  json_w_obj_open (w);
  json_w_kstr (w, "type", "stats");
  json_w_kstr (w, "id", id);
  json_w_key (w, "data");
  if (cg_stats_json (cg, w, err) < 0)
    {
      json_writer_free (w);
      return -1;
    }
  json_w_obj_close (w);
  txt = json_writer_steal (w, NULL);
  printf ("%s\n", txt);
  fflush (stdout);
  free (txt);
  return 0;
}

static uint64_t
oom_kills (const char *cgpath)
{
  cleanup_free char *p = xasprintf ("%s/memory.events", cgpath), *t = NULL;
  const char *k;
  size_t l;
  if (read_file_at (AT_FDCWD, p, &t, &l, NULL) < 0 || (k = strstr (t, "oom_kill ")) == NULL)
    return 0;
  return strtoull (k + 9, NULL, 10);
}

int
cmd_events (struct cnf_global *g, int argc, char **argv)
{
  static const struct option opts[] = { { "stats", no_argument, NULL, 's' },
                                        { "interval", required_argument, NULL, 'i' },
                                        { NULL, 0, NULL, 0 } };
  bool stats = false;
  long long interval = 5000, next;
  struct cnf_state st;
  struct cg_handle *cg = NULL;
  cnf_err err = NULL;
  uint64_t ooms;
  int c, r = 0;
  cli_normalize_args (argc, argv, opts);
  opterr = 0;
  optind = 1;
  while ((c = getopt_long (argc, argv, "+", opts, NULL)) != -1)
    switch (c)
      {
      case 's': stats = true; break;
      case 'i':
        interval = parse_interval (optarg);
        if (interval <= 0)
          return cli_usage_error ("events", "--interval: invalid duration \"%s\"", optarg);
        break;
      default: return cli_usage_error ("events", "unknown flag %s", argv[optind - 1]);
      }
  if (optind != argc - 1)
    return cli_usage_error ("events", optind >= argc ? "missing container id" : "too many arguments");
  if (open_container (g, argv[optind], false, &st, &cg, &err) < 0)
    return fail (&err);
  if (state_refresh (&st) == ST_STOPPED)
    {
      r = cnf_err_set (&err, 0, "container \"%s\" is not running", st.id);
      goto out;
    }
  if (stats)
    {
      r = print_stats (cg, st.id, &err);
      goto out;
    }
  ooms = oom_kills (st.cgroup_path);
  next = now_ms ();
  /* Stats every interval, an "oom" event as soon as memory.events counts a new OOM kill. */
  while (state_refresh (&st) != ST_STOPPED)
    {
      uint64_t o = oom_kills (st.cgroup_path);
      if (o > ooms)
        {
          printf ("{\"type\":\"oom\",\"id\":\"%s\"}\n", st.id);
          fflush (stdout);
          ooms = o;
        }
      if (now_ms () >= next)
        {
          if (print_stats (cg, st.id, &err) < 0)
            {
              r = -1;
              break;
            }
          next += interval;
        }
      usleep (interval < 200 ? (useconds_t) interval * 1000 : 200000);
    }
out:
  cg_handle_free (cg);
  state_free (&st);
  return r < 0 ? fail (&err) : 0;
}

/* main.c — cnfrun's entry: global flags, the command table, and the CVE-2019-5736 re-exec
 * for every command that creates or enters a container.  Flags follow runc's command line;
 * go-runc's single-dash long flags ("-no-subreaper", "-pid-file") are accepted too. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <seccomp.h>
#include "cli.h"
#include "cloned_binary.h"
#include "../lib/log.h"
#include "../lib/util.h"

extern char **environ;

struct command
{
  const char *name;
  cnf_cmd_fn fn;
  bool reexec; /* needs the sealed-memfd copy of the binary */
  const char *summary;
};

static const struct command commands[] = {
  { "create", cmd_create, true, "create a container" },
  { "start", cmd_start, false, "start a created container" },
  { "run", cmd_run, true, "create and start a container" },
  { "exec", cmd_exec, true, "run a new process inside a container" },
  { "state", cmd_state, false, "output the state of a container" },
  { "kill", cmd_kill, false, "send a signal to the container's init process" },
  { "delete", cmd_delete, false, "delete a container and everything it holds" },
  { "list", cmd_list, false, "list containers" },
  { "ps", cmd_ps, false, "list the processes of a container" },
  { "pause", cmd_pause, false, "freeze every process of a container" },
  { "resume", cmd_resume, false, "thaw a paused container" },
  { "update", cmd_update, false, "change a container's resource limits" },
  { "events", cmd_events, false, "show resource usage statistics" },
  { "spec", cmd_spec, false, "write a default config.json" },
  { "features", cmd_features, false, "show the features this runtime implements" },
};

static void
print_version (void)
{
  const struct scmp_version *v = seccomp_version ();
  printf ("cnfrun version %s\ncommit: %s\nspec: %s\nlibseccomp: %u.%u.%u\n", PACKAGE_VERSION, GIT_COMMIT,
          OCI_SPEC_VERSION, v ? v->major : 0, v ? v->minor : 0, v ? v->micro : 0);
}

static void
print_usage (FILE *f)
{
  size_t i;
  fprintf (f, "Usage: cnfrun [global options] COMMAND [options] [ID] [args]\n\nCommands:\n");
  for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf (f, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf (f, "\nGlobal options:\n"
              "  --root DIR            state directory (default /run/cnfrun)\n"
              "  --log PATH            also log to PATH\n"
              "  --log-format FORMAT   text or json\n"
              "  --debug               debug logging\n"
              "  --systemd-cgroup      use systemd to manage cgroups (slice:prefix:name paths)\n"
              "  --rootless VALUE      accepted for compatibility (true|false|auto)\n"
              "  -v, --version         print the version\n"
              "  -h, --help            this help\n");
}

int
cli_usage_error (const char *cmd, const char *fmt, ...)
{
  va_list ap;
  char *msg = NULL;
  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) < 0)
    msg = NULL;
  va_end (ap);
  log_error ("%s: %s", cmd, msg ? msg : "bad usage");
  free (msg);
  return 1;
}

/* go-runc and urfave/cli let long flags start with one dash.  Rewrite "-name[=v]" to
 * "--name[=v]" up to the first operand, so that getopt_long keeps "-p" style short flags
 * and never permutes the container's own arguments (`exec ID ls -la`). */
void
cli_normalize_args (int argc, char **argv, const struct option *longopts)
{
  int i;
  for (i = 1; i < argc; i++)
    {
      const char *a = argv[i];
      const struct option *o;
      size_t nlen;
      if (strcmp (a, "--") == 0 || a[0] != '-' || a[1] == '\0')
        return;
      if (a[1] != '-' && a[2] != '\0')
        {
          argv[i] = xasprintf ("-%s", a);
          a = argv[i];
        }
      if (a[1] != '-')
        {
          /* A lone short flag: skip its value if it takes one. */
          for (o = longopts; o->name; o++)
            if (o->val == a[1] && o->flag == NULL && o->has_arg == required_argument)
              {
                i++;
                break;
              }
          continue;
        }
      nlen = strcspn (a + 2, "=");
      if (a[2 + nlen] == '=')
        continue;
      for (o = longopts; o->name; o++)
        if (strlen (o->name) == nlen && strncmp (o->name, a + 2, nlen) == 0)
          {
            if (o->has_arg == required_argument)
              i++;
            break;
          }
    }
}

int
main (int argc, char **argv)
{
  static const struct option opts[] = {
    { "root", required_argument, NULL, 'r' },     { "log", required_argument, NULL, 'l' },
    { "log-format", required_argument, NULL, 'f' }, { "debug", no_argument, NULL, 'D' },
    { "systemd-cgroup", no_argument, NULL, 's' }, { "rootless", required_argument, NULL, 'R' },
    { "criu", required_argument, NULL, 'C' },    { "version", no_argument, NULL, 'v' },
    { "help", no_argument, NULL, 'h' },           { NULL, 0, NULL, 0 },
  };
  struct cnf_global g = { .root = "/run/cnfrun", .log_format = "text" };
  const struct command *cmd = NULL;
  cnf_err err = NULL;
  size_t i;
  int c;

  log_set_prefix ("cnfrun");
  if (getenv ("XDG_RUNTIME_DIR") && geteuid () != 0)
    g.root = xasprintf ("%s/cnfrun", getenv ("XDG_RUNTIME_DIR"));
  cli_normalize_args (argc, argv, opts);
  opterr = 0;
  while ((c = getopt_long (argc, argv, "+vh", opts, NULL)) != -1)
    switch (c)
      {
      case 'r':
        g.root = optarg;
        break;
      case 'l':
        g.log_path = optarg;
        break;
      case 'f':
        if (strcmp (optarg, "text") != 0 && strcmp (optarg, "json") != 0)
          {
            log_error ("--log-format: unknown format \"%s\" (want text or json)", optarg);
            return 1;
          }
        g.log_format = optarg;
        break;
      case 'D':
        g.debug = true;
        break;
      case 's':
        g.systemd_cgroup = true;
        break;
      case 'R':
        g.rootless = strcmp (optarg, "true") == 0;
        break;
      case 'C':
        break;
      case 'v':
        print_version ();
        return 0;
      case 'h':
        print_usage (stdout);
        return 0;
      default:
        log_error ("unknown global option %s", argv[optind - 1]);
        return 1;
      }
  if (log_init (g.log_path, strcmp (g.log_format, "json") == 0 ? LOG_FMT_JSON : LOG_FMT_TEXT,
                g.debug ? LOG_LVL_DEBUG : LOG_LVL_WARN, &err) < 0)
    {
      log_err (&err);
      return 1;
    }
  if (optind >= argc)
    {
      print_usage (stderr);
      return 1;
    }
  if (strcmp (argv[optind], "help") == 0)
    {
      print_usage (stdout);
      return 0;
    }
  for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (strcmp (argv[optind], commands[i].name) == 0)
      cmd = &commands[i];
  if (cmd == NULL)
    {
      log_error ("unknown command \"%s\" (see cnfrun --help)", argv[optind]);
      return 1;
    }
  if (cmd->reexec && cloned_binary_ensure (argv, environ, &err) < 0)
    {
      log_err (&err);
      return 1;
    }
  {
    int ci = optind;
    optind = 0; /* fresh getopt state for the command's own flags */
    return cmd->fn (&g, argc - ci, argv + ci);
  }
}

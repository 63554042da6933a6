/* cli.h — global options and the command table of the cnfrun command line (runc-compatible).
 * Each command is `int cmd_X (struct cnf_global *g, int argc, char **argv)`: argv[0] is the
 * command name, options follow (parsed with getopt_long_only so go-runc's "-flag" works).
 * A command returns the process exit status; errors are reported through log_error(), which
 * goes to stderr and, with --log, to the log file in the chosen --log-format. */
#ifndef CNF_CLI_H
#define CNF_CLI_H

#include <stdbool.h>

struct cnf_global
{
  const char *root;        /* --root, default /run/cnfrun */
  const char *log_path;    /* --log */
  const char *log_format;  /* "text" | "json" */
  bool debug;
  bool systemd_cgroup;
  bool rootless;           /* --rootless is accepted for compatibility; ignored when root */
};

typedef int (*cnf_cmd_fn) (struct cnf_global *g, int argc, char **argv);

/* Lifecycle (runtime/cmd_lifecycle.c) */
int cmd_create (struct cnf_global *g, int argc, char **argv);
int cmd_start (struct cnf_global *g, int argc, char **argv);
int cmd_run (struct cnf_global *g, int argc, char **argv);
int cmd_state (struct cnf_global *g, int argc, char **argv);
int cmd_kill (struct cnf_global *g, int argc, char **argv);
int cmd_delete (struct cnf_global *g, int argc, char **argv);
int cmd_list (struct cnf_global *g, int argc, char **argv);
int cmd_exec (struct cnf_global *g, int argc, char **argv);
/* Documents (runtime/cmd_spec.c, runtime/features.c) */
int cmd_spec (struct cnf_global *g, int argc, char **argv);
int cmd_features (struct cnf_global *g, int argc, char **argv);
/* Cgroup commands (runtime/cmd_cgroup.c) */
int cmd_update (struct cnf_global *g, int argc, char **argv);
int cmd_pause (struct cnf_global *g, int argc, char **argv);
int cmd_resume (struct cnf_global *g, int argc, char **argv);
int cmd_ps (struct cnf_global *g, int argc, char **argv);
int cmd_events (struct cnf_global *g, int argc, char **argv);

struct option;
/* Rewrite go-runc style "-long-flag" to "--long-flag" before the first operand (see main.c). */
void cli_normalize_args (int argc, char **argv, const struct option *longopts);

/* Exit with usage text for a command on a bad flag: "cnfrun create: --bundle needs a value". */
int cli_usage_error (const char *cmd, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

#endif

/* cmd_spec.c — `cnfrun spec [--bundle DIR] [--rootless]`: write a starting config.json, the same
 * container runc's `spec` describes (namespaces, mounts, masked and read-only paths, default
 * capabilities, `sh` on a terminal).  --rootless maps the caller's uid/gid to root in a new user
 * namespace and keeps the host network, as runc does.  An existing config.json is never replaced. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../lib/json.h"
#include "../lib/log.h"
#include "../lib/util.h"
#include "cli.h"
#include "seccomp.h"
#include "spec.h"

static void
w_strs (json_writer *w, const char *key, const char *const *v)
{
  json_w_key (w, key);
  json_w_arr_open (w);
  for (; *v; v++)
    json_w_str (w, *v);
  json_w_arr_close (w);
}

static void
w_mount (json_writer *w, const char *dest, const char *type, const char *src, const char *const *opts)
{
  json_w_obj_open (w);
  json_w_kstr (w, "destination", dest);
  json_w_kstr (w, "type", type);
  json_w_kstr (w, "source", src);
  if (opts)
    w_strs (w, "options", opts);
  json_w_obj_close (w);
}

static void
w_mapping (json_writer *w, const char *key, unsigned host_id)
{
  json_w_key (w, key);
  json_w_arr_open (w);
  json_w_obj_open (w);
  json_w_kuint (w, "containerID", 0);
  json_w_kuint (w, "hostID", host_id);
  json_w_kuint (w, "size", 1);
  json_w_obj_close (w);
  json_w_arr_close (w);
}

/* The default document; exposed for the unit tests through spec_load_buf. */
char *cmd_spec_default_config (bool rootless, size_t *len);

char *
cmd_spec_default_config (bool rootless, size_t *len)
{
  static const char *const caps[] = { "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL };
  static const char *const env[]
      = { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm", NULL };
  static const char *const args[] = { "sh", NULL };
  static const char *const dev_opts[] = { "nosuid", "strictatime", "mode=755", "size=65536k", NULL };
  static const char *const pts_opts[]
      = { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", NULL };
  static const char *const pts_opts_rootless[] = { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", NULL };
  static const char *const shm_opts[] = { "nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL };
  static const char *const mq_opts[] = { "nosuid", "noexec", "nodev", NULL };
  static const char *const sys_opts[] = { "nosuid", "noexec", "nodev", "ro", NULL };
  static const char *const sys_opts_rootless[] = { "rbind", "nosuid", "noexec", "nodev", "ro", NULL };
  static const char *const cg_opts[] = { "nosuid", "noexec", "nodev", "relatime", "ro", NULL };
  static const char *const masked[]
      = { "/proc/acpi",        "/proc/asound",     "/proc/kcore",       "/proc/keys",
          "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
          "/sys/firmware",     "/proc/scsi",       "/sys/devices/virtual/tpm", NULL };
  static const char *const readonly[]
      = { "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL };
  /* No ambient set: without the inheritable one the kernel refuses to raise it (newer runc
   * dropped it from its example for the same reason). */
  static const char *const sets[] = { "bounding", "effective", "permitted" };
  json_writer *w = json_writer_new (true);

  json_w_obj_open (w);
  json_w_kstr (w, "ociVersion", "1.3.0");

  json_w_key (w, "process");
  json_w_obj_open (w);
  json_w_kbool (w, "terminal", true);
  json_w_key (w, "user");
  json_w_obj_open (w);
  json_w_kuint (w, "uid", 0);
  json_w_kuint (w, "gid", 0);
  json_w_obj_close (w);
  w_strs (w, "args", args);
  w_strs (w, "env", env);
  json_w_kstr (w, "cwd", "/");
  json_w_key (w, "capabilities");
  json_w_obj_open (w);
  for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
    w_strs (w, sets[i], caps);
  json_w_obj_close (w);
  json_w_key (w, "rlimits");
  json_w_arr_open (w);
  json_w_obj_open (w);
  json_w_kstr (w, "type", "RLIMIT_NOFILE");
  json_w_kuint (w, "hard", 1024);
  json_w_kuint (w, "soft", 1024);
  json_w_obj_close (w);
  json_w_arr_close (w);
  json_w_kbool (w, "noNewPrivileges", true);
  json_w_obj_close (w);

  json_w_key (w, "root");
  json_w_obj_open (w);
  json_w_kstr (w, "path", "rootfs");
  json_w_kbool (w, "readonly", true);
  json_w_obj_close (w);
  json_w_kstr (w, "hostname", "cnfrun");

  json_w_key (w, "mounts");
  json_w_arr_open (w);
  w_mount (w, "/proc", "proc", "proc", NULL);
  w_mount (w, "/dev", "tmpfs", "tmpfs", dev_opts);
  w_mount (w, "/dev/pts", "devpts", "devpts", rootless ? pts_opts_rootless : pts_opts);
  w_mount (w, "/dev/shm", "tmpfs", "shm", shm_opts);
  w_mount (w, "/dev/mqueue", "mqueue", "mqueue", mq_opts);
  /* Without its own network namespace a rootless container cannot mount a fresh sysfs. */
  if (rootless)
    w_mount (w, "/sys", "none", "/sys", sys_opts_rootless);
  else
    w_mount (w, "/sys", "sysfs", "sysfs", sys_opts);
  w_mount (w, "/sys/fs/cgroup", "cgroup", "cgroup", cg_opts);
  json_w_arr_close (w);

  json_w_key (w, "linux");
  json_w_obj_open (w);
  if (rootless)
    {
      w_mapping (w, "uidMappings", (unsigned) geteuid ());
      w_mapping (w, "gidMappings", (unsigned) getegid ());
    }
  else
    {
      json_w_key (w, "resources");
      json_w_obj_open (w);
      json_w_key (w, "devices");
      json_w_arr_open (w);
      json_w_obj_open (w);
      json_w_kbool (w, "allow", false);
      json_w_kstr (w, "access", "rwm");
      json_w_obj_close (w);
      json_w_arr_close (w);
      json_w_obj_close (w);
    }
  json_w_key (w, "namespaces");
  json_w_arr_open (w);
  {
    static const char *const full[] = { "pid", "network", "ipc", "uts", "mount", "cgroup", NULL };
    static const char *const rl[] = { "pid", "ipc", "uts", "mount", "cgroup", "user", NULL };
    for (const char *const *n = rootless ? rl : full; *n; n++)
      {
        json_w_obj_open (w);
        json_w_kstr (w, "type", *n);
        json_w_obj_close (w);
      }
  }
  json_w_arr_close (w);
  w_strs (w, "maskedPaths", masked);
  w_strs (w, "readonlyPaths", readonly);
  json_w_obj_close (w);

  json_w_obj_close (w);
  return json_writer_steal (w, len);
}

/* The default document with linux.seccomp set to a shipped profile (parsed, so a broken
 * profile is reported here rather than at create). */
static char *
with_seccomp_profile (const char *doc, size_t len, const char *profile, size_t *out_len, cnf_err *err)
{
  cleanup_free char *text = NULL;
  json_value *root, *prof;
  json_writer *w;
  char perr[256];
  size_t i, j;
  if (seccomp_profile_load (profile, &text, err) < 0)
    return NULL;
  prof = json_parse (text, strlen (text), perr, sizeof perr);
  if (prof == NULL)
    {
      cnf_err_set (err, 0, "--profile %s: %s", profile, perr);
      return NULL;
    }
  root = json_parse (doc, len, NULL, 0);
  w = json_writer_new (true);
  json_w_obj_open (w);
  for (i = 0; i < json_len (root); i++)
    {
      const char *k = json_key_at (root, i);
      json_value *v = json_value_at (root, i);
      json_w_key (w, k);
      if (strcmp (k, "linux") != 0)
        {
          json_w_value (w, v);
          continue;
        }
      json_w_obj_open (w);
      for (j = 0; j < json_len (v); j++)
        if (strcmp (json_key_at (v, j), "seccomp") != 0)
          {
            json_w_key (w, json_key_at (v, j));
            json_w_value (w, json_value_at (v, j));
          }
      json_w_key (w, "seccomp");
      json_w_value (w, prof);
      json_w_obj_close (w);
    }
  json_w_obj_close (w);
  json_free (root);
  json_free (prof);
  return json_writer_steal (w, out_len);
}

int
cmd_spec (struct cnf_global *g, int argc, char **argv)
{
  static const struct option opts[] = {
    { "bundle", required_argument, NULL, 'b' },
    { "rootless", no_argument, NULL, 'r' },
    { "profile", required_argument, NULL, 'p' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  const char *bundle = NULL, *profile = NULL;
  bool rootless = false;
  int c, dfd, fd;
  char *doc;
  size_t len;
  (void) g;

  optind = 0;
  opterr = 0;
  while ((c = getopt_long_only (argc, argv, "+b:h", opts, NULL)) != -1)
    switch (c)
      {
      case 'b':
        bundle = optarg;
        break;
      case 'r':
        rootless = true;
        break;
      case 'p':
        profile = optarg;
        break;
      case 'h':
        printf ("Usage: cnfrun spec [--bundle DIR] [--rootless] [--profile default|cnf-dataplane|cnf-strict]\n"
                "Write a default config.json into DIR (default: the current directory),\n"
                "with linux.seccomp set to a shipped seccomp profile when --profile is given.\n");
        return 0;
      case ':':
        return cli_usage_error ("spec", "%s needs a value", argv[optind - 1]);
      default:
        return cli_usage_error ("spec", "unknown flag %s", argv[optind - 1]);
      }
  if (optind != argc)
    return cli_usage_error ("spec", "unexpected argument \"%s\"", argv[optind]);

  doc = cmd_spec_default_config (rootless, &len);
  if (profile)
    {
      cnf_err err = NULL;
      char *full = with_seccomp_profile (doc, len, profile, &len, &err);
      free (doc);
      if (full == NULL)
        {
          log_error ("spec: %s", err->msg);
          cnf_err_free (&err);
          return 1;
        }
      doc = full;
    }
  dfd = open (bundle ? bundle : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    {
      log_error ("spec: open bundle %s: %s", bundle ? bundle : ".", strerror (errno));
      free (doc);
      return 1;
    }
  fd = openat (dfd, "config.json", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0)
    {
      int e = errno;
      close (dfd);
      if (e == EEXIST)
        log_error ("spec: %s%sconfig.json exists: remove it first", bundle ? bundle : "", bundle ? "/" : "");
      else
        log_error ("spec: create %s%sconfig.json: %s", bundle ? bundle : "", bundle ? "/" : "", strerror (e));
      free (doc);
      return 1;
    }
  if (write_all (fd, doc, len) < 0 || write_all (fd, "\n", 1) < 0 || close (fd) < 0)
    {
      int e = errno;
      unlinkat (dfd, "config.json", 0);
      close (dfd);
      free (doc);
      log_error ("spec: write config.json: %s", strerror (e));
      return 1;
    }
  close (dfd);
  free (doc);
  return 0;
}

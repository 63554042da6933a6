/* features.c — `cnfrun features`: the runtime-spec features document (features.md,
 * features-linux.md) describing what this build on this kernel really implements.  Kernel-
 * dependent entries (rro, idmapped mounts) are probed, not assumed. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../lib/json.h"
#include "../lib/util.h"
#include "cli.h"
#include "seccomp.h"
#include "spec.h"

#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif

/* mount_setattr(2) arrived in Linux 5.12 together with MOUNT_ATTR_IDMAP, and with AT_RECURSIVE
 * it is how "rro" is applied.  A call with an invalid fd fails with EBADF/EINVAL when the
 * syscall exists and ENOSYS (or EPERM under a seccomp filter) when it does not. */
static bool
kernel_has_mount_setattr (void)
{
  long r = syscall (SYS_mount_setattr, -1, "", 0, NULL, (size_t) 0);
  return r < 0 && errno != ENOSYS && errno != EPERM;
}

/* The options runtime/mount_options.c implements (runtime-spec config.md "Linux mount options").
 * The recursive attribute options are applied with mount_setattr(AT_RECURSIVE) and the idmap
 * ones with MOUNT_ATTR_IDMAP: they are listed only when the kernel has that syscall. */
static const char *const mount_options[] = {
  "async",   "atime",   "bind",        "dev",       "diratime",  "dirsync", "exec",   "mand",
  "noatime", "nodev",   "nodiratime",  "noexec",    "nomand",    "norelatime", "nostrictatime", "nosuid",
  "nosymfollow", "private", "rbind",   "relatime",  "remount",   "ro",      "rprivate", "rshared",
  "rslave",  "runbindable", "rw",      "shared",    "slave",     "strictatime", "suid", "symfollow",
  "sync",    "unbindable", NULL,
};

static const char *const mount_options_setattr[] = {
  "rro",     "rrw",     "rnosuid",     "rsuid",     "rnodev",    "rdev",    "rnoexec", "rexec",
  "rnodiratime", "rdiratime", "rnoatime", "ratime", "rrelatime", "rnorelatime", "rstrictatime",
  "rnostrictatime", "rnosymfollow", "rsymfollow", "idmap", "ridmap", NULL,
};

static void
w_list (json_writer *w, const char *key, const char *const *v)
{
  json_w_key (w, key);
  json_w_arr_open (w);
  for (; v && *v; v++)
    json_w_str (w, *v);
  json_w_arr_close (w);
}

static void
w_table (json_writer *w, const char *key, const struct spec_name *t)
{
  json_w_key (w, key);
  json_w_arr_open (w);
  for (; t->name; t++)
    json_w_str (w, t->name);
  json_w_arr_close (w);
}

static void
w_enabled (json_writer *w, const char *key, bool on)
{
  json_w_key (w, key);
  json_w_obj_open (w);
  json_w_kbool (w, "enabled", on);
  json_w_obj_close (w);
}

/* The document as text; exposed for the unit tests. */
char *features_document (size_t *len);

char *
features_document (size_t *len)
{
  static const char *const hooks[]
      = { "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop", NULL };
  bool setattr = kernel_has_mount_setattr ();
  json_writer *w = json_writer_new (true);
  const struct scmp_version *sv = seccomp_version ();

  json_w_obj_open (w);
  json_w_kstr (w, "ociVersionMin", "1.0.0");
  json_w_kstr (w, "ociVersionMax", "1.3.0");
  w_list (w, "hooks", hooks);

  json_w_key (w, "mountOptions");
  json_w_arr_open (w);
  for (const char *const *o = mount_options; *o; o++)
    json_w_str (w, *o);
  if (setattr)
    for (const char *const *o = mount_options_setattr; *o; o++)
      json_w_str (w, *o);
  json_w_arr_close (w);

  json_w_key (w, "linux");
  json_w_obj_open (w);
  json_w_key (w, "namespaces");
  json_w_arr_open (w);
  for (int i = 0; i < NS__COUNT; i++)
    json_w_str (w, spec_ns_name ((enum ns_type) i));
  json_w_arr_close (w);
  json_w_key (w, "capabilities");
  json_w_arr_open (w);
  for (int i = 0; i <= spec_cap_last (); i++)
    json_w_str (w, spec_cap_name (i));
  json_w_arr_close (w);

  json_w_key (w, "cgroup");
  json_w_obj_open (w);
  json_w_kbool (w, "v1", false);
  json_w_kbool (w, "v2", true);
#ifdef HAVE_SYSTEMD
  json_w_kbool (w, "systemd", true);
#else
  json_w_kbool (w, "systemd", false);
#endif
  json_w_kbool (w, "systemdUser", false);
  json_w_kbool (w, "rdma", true);
  json_w_obj_close (w);

  json_w_key (w, "seccomp");
  json_w_obj_open (w);
  json_w_kbool (w, "enabled", true);
  w_list (w, "actions", seccomp_supported_actions ());
  w_list (w, "operators", seccomp_supported_operators ());
  w_list (w, "archs", seccomp_supported_archs ());
  w_table (w, "knownFlags", spec_seccomp_flags);
  w_list (w, "supportedFlags", seccomp_supported_flags ());
  json_w_obj_close (w);

  w_enabled (w, "apparmor", false);
  w_enabled (w, "selinux", false);
  w_enabled (w, "intelRdt", false);

  /* "irrespective of the availability of the features on the host": the runtime parses and
   * uses uidMappings/gidMappings of mounts; whether this kernel can is in mountOptions. */
  json_w_key (w, "mountExtensions");
  json_w_obj_open (w);
  w_enabled (w, "idmap", true);
  json_w_obj_close (w);

  w_enabled (w, "netDevices", true);

  json_w_key (w, "memoryPolicy");
  json_w_obj_open (w);
  w_table (w, "modes", spec_mpol_modes);
  w_table (w, "flags", spec_mpol_flags);
  json_w_obj_close (w);
  json_w_obj_close (w); /* linux */

  json_w_key (w, "annotations");
  json_w_obj_open (w);
  json_w_kstr (w, "io.github.cnfrun.version", PACKAGE_VERSION);
  if (sv)
    {
      char buf[48];
      snprintf (buf, sizeof buf, "%u.%u.%u", sv->major, sv->minor, sv->micro);
      json_w_kstr (w, "io.github.seccomp.libseccomp.version", buf);
    }
  json_w_obj_close (w);

  json_w_obj_close (w);
  return json_writer_steal (w, len);
}

int
cmd_features (struct cnf_global *g, int argc, char **argv)
{
  static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
  char *doc;
  size_t len;
  int c;
  (void) g;
  optind = 0;
  opterr = 0;
  while ((c = getopt_long_only (argc, argv, "+h", opts, NULL)) != -1)
    {
      if (c == 'h')
        {
          printf ("Usage: cnfrun features\nPrint the runtime-spec features document of this runtime.\n");
          return 0;
        }
      return cli_usage_error ("features", "unknown flag %s", argv[optind - 1]);
    }
  if (optind != argc)
    return cli_usage_error ("features", "unexpected argument \"%s\"", argv[optind]);
  doc = features_document (&len);
  if (write_all (STDOUT_FILENO, doc, len) < 0 || write_all (STDOUT_FILENO, "\n", 1) < 0)
    {
      free (doc);
      return 1;
    }
  free (doc);
  return 0;
}

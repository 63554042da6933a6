/* Unit tests of runtime/mount_options: every option of the runtime-spec table maps to the
 * right legacy flags, mount_setattr attributes, propagation, or filesystem data; sysctl keys. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <cmocka.h>
#include "runtime/mount_options.h"
#include "runtime/sysctl.h"
#include "runtime/mounts.h"

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

struct expect
{
  const char *opt;
  unsigned long ms_set, ms_clear, propagation;
  uint64_t attr_set, attr_clr, rec_set, rec_clr;
};

#define AT MOUNT_ATTR__ATIME
static const struct expect table[] = {
  { "ro", MS_RDONLY, 0, 0, MOUNT_ATTR_RDONLY, 0, 0, 0 },
  { "rw", 0, MS_RDONLY, 0, 0, MOUNT_ATTR_RDONLY, 0, 0 },
  { "suid", 0, MS_NOSUID, 0, 0, MOUNT_ATTR_NOSUID, 0, 0 },
  { "nosuid", MS_NOSUID, 0, 0, MOUNT_ATTR_NOSUID, 0, 0, 0 },
  { "dev", 0, MS_NODEV, 0, 0, MOUNT_ATTR_NODEV, 0, 0 },
  { "nodev", MS_NODEV, 0, 0, MOUNT_ATTR_NODEV, 0, 0, 0 },
  { "exec", 0, MS_NOEXEC, 0, 0, MOUNT_ATTR_NOEXEC, 0, 0 },
  { "noexec", MS_NOEXEC, 0, 0, MOUNT_ATTR_NOEXEC, 0, 0, 0 },
  { "sync", MS_SYNCHRONOUS, 0, 0, 0, 0, 0, 0 },
  { "async", 0, MS_SYNCHRONOUS, 0, 0, 0, 0, 0 },
  { "dirsync", MS_DIRSYNC, 0, 0, 0, 0, 0, 0 },
  { "remount", MS_REMOUNT, 0, 0, 0, 0, 0, 0 },
  { "mand", MS_MANDLOCK, 0, 0, 0, 0, 0, 0 },
  { "nomand", 0, MS_MANDLOCK, 0, 0, 0, 0, 0 },
  { "atime", 0, MS_NOATIME, 0, 0, AT, 0, 0 },
  { "noatime", MS_NOATIME, 0, 0, MOUNT_ATTR_NOATIME, AT, 0, 0 },
  { "diratime", 0, MS_NODIRATIME, 0, 0, MOUNT_ATTR_NODIRATIME, 0, 0 },
  { "nodiratime", MS_NODIRATIME, 0, 0, MOUNT_ATTR_NODIRATIME, 0, 0, 0 },
  { "relatime", MS_RELATIME, 0, 0, MOUNT_ATTR_RELATIME, AT, 0, 0 },
  { "norelatime", 0, MS_RELATIME, 0, 0, AT, 0, 0 },
  { "strictatime", MS_STRICTATIME, 0, 0, MOUNT_ATTR_STRICTATIME, AT, 0, 0 },
  { "nostrictatime", 0, MS_STRICTATIME, 0, 0, AT, 0, 0 },
  { "nosymfollow", MS_NOSYMFOLLOW, 0, 0, MOUNT_ATTR_NOSYMFOLLOW, 0, 0, 0 },
  { "symfollow", 0, MS_NOSYMFOLLOW, 0, 0, MOUNT_ATTR_NOSYMFOLLOW, 0, 0 },
  { "bind", MS_BIND, 0, 0, 0, 0, 0, 0 },
  { "rbind", MS_BIND | MS_REC, 0, 0, 0, 0, 0, 0 },
  { "private", 0, 0, MS_PRIVATE, 0, 0, 0, 0 },
  { "rprivate", 0, 0, MS_PRIVATE | MS_REC, 0, 0, 0, 0 },
  { "shared", 0, 0, MS_SHARED, 0, 0, 0, 0 },
  { "rshared", 0, 0, MS_SHARED | MS_REC, 0, 0, 0, 0 },
  { "slave", 0, 0, MS_SLAVE, 0, 0, 0, 0 },
  { "rslave", 0, 0, MS_SLAVE | MS_REC, 0, 0, 0, 0 },
  { "unbindable", 0, 0, MS_UNBINDABLE, 0, 0, 0, 0 },
  { "runbindable", 0, 0, MS_UNBINDABLE | MS_REC, 0, 0, 0, 0 },
  { "rro", 0, 0, 0, 0, 0, MOUNT_ATTR_RDONLY, 0 },
  { "rrw", 0, 0, 0, 0, 0, 0, MOUNT_ATTR_RDONLY },
  { "rnosuid", 0, 0, 0, 0, 0, MOUNT_ATTR_NOSUID, 0 },
  { "rsuid", 0, 0, 0, 0, 0, 0, MOUNT_ATTR_NOSUID },
  { "rnodev", 0, 0, 0, 0, 0, MOUNT_ATTR_NODEV, 0 },
  { "rdev", 0, 0, 0, 0, 0, 0, MOUNT_ATTR_NODEV },
  { "rnoexec", 0, 0, 0, 0, 0, MOUNT_ATTR_NOEXEC, 0 },
  { "rexec", 0, 0, 0, 0, 0, 0, MOUNT_ATTR_NOEXEC },
  { "rnodiratime", 0, 0, 0, 0, 0, MOUNT_ATTR_NODIRATIME, 0 },
  { "rdiratime", 0, 0, 0, 0, 0, 0, MOUNT_ATTR_NODIRATIME },
  { "rnoatime", 0, 0, 0, 0, 0, MOUNT_ATTR_NOATIME, AT },
  { "ratime", 0, 0, 0, 0, 0, 0, AT },
  { "rrelatime", 0, 0, 0, 0, 0, MOUNT_ATTR_RELATIME, AT },
  { "rnorelatime", 0, 0, 0, 0, 0, 0, AT },
  { "rstrictatime", 0, 0, 0, 0, 0, MOUNT_ATTR_STRICTATIME, AT },
  { "rnostrictatime", 0, 0, 0, 0, 0, 0, AT },
  { "rnosymfollow", 0, 0, 0, 0, 0, MOUNT_ATTR_NOSYMFOLLOW, 0 },
  { "rsymfollow", 0, 0, 0, 0, 0, 0, MOUNT_ATTR_NOSYMFOLLOW },
};

static void
test_each_option (void **state)
{
  size_t i;
  for (i = 0; i < sizeof table / sizeof table[0]; i++)
    {
      struct mount_opts o;
      char *opts[] = { (char *) table[i].opt, NULL };
      print_message ("# option %s\n", table[i].opt);
      assert_int_equal (mount_options_parse (opts, 1, &o, NULL), 0);
      assert_int_equal (o.ms_set, table[i].ms_set);
      assert_int_equal (o.ms_clear, table[i].ms_clear);
      assert_int_equal (o.propagation, table[i].propagation);
      assert_int_equal (o.attr_set, table[i].attr_set);
      assert_int_equal (o.attr_clr, table[i].attr_clr);
      assert_int_equal (o.rec_attr_set, table[i].rec_set);
      assert_int_equal (o.rec_attr_clr, table[i].rec_clr);
      assert_null (o.data);
      mount_opts_free (&o);
    }
}

static void
test_specials (void **state)
{
  struct mount_opts o;
  char *a[] = { "bind", NULL }, *b[] = { "rbind", NULL }, *c[] = { "idmap", NULL }, *d[] = { "ridmap", NULL },
       *e[] = { "tmpcopyup", NULL }, *f[] = { "remount", NULL };
  assert_int_equal (mount_options_parse (a, 1, &o, NULL), 0);
  assert_true (o.bind && !o.rbind);
  assert_int_equal (mount_options_parse (b, 1, &o, NULL), 0);
  assert_true (o.bind && o.rbind);
  assert_int_equal (mount_options_parse (c, 1, &o, NULL), 0);
  assert_true (o.idmap && !o.ridmap);
  assert_int_equal (mount_options_parse (d, 1, &o, NULL), 0);
  assert_true (o.idmap && o.ridmap);
  assert_int_equal (mount_options_parse (e, 1, &o, NULL), 0);
  assert_true (o.tmpcopyup);
  assert_int_equal (mount_options_parse (f, 1, &o, NULL), 0);
  assert_true (o.remount);
}

static void
test_data_and_order (void **state)
{
  struct mount_opts o;
  char *opts[] = { "nosuid", "mode=755", "ro", "size=65536k", "newinstance", "rw", "noatime", "strictatime", "rshared",
                   "private", NULL };
  cnf_err err = NULL;
  assert_int_equal (mount_options_parse (opts, 10, &o, &err), 0);
  /* Unknown words keep their order as the filesystem data. */
  assert_string_equal (o.data, "mode=755,size=65536k,newinstance");
  /* Later words win: rw after ro; strictatime after noatime; private after rshared. */
  assert_int_equal (o.ms_set & MS_RDONLY, 0);
  assert_int_equal (o.ms_clear & MS_RDONLY, MS_RDONLY);
  assert_int_equal (o.attr_set & MOUNT_ATTR_RDONLY, 0);
  assert_int_equal (o.attr_clr & MOUNT_ATTR_RDONLY, MOUNT_ATTR_RDONLY);
  assert_int_equal (o.attr_set & MOUNT_ATTR__ATIME, MOUNT_ATTR_STRICTATIME);
  assert_int_equal (o.ms_set & (MS_NOATIME | MS_STRICTATIME), MS_STRICTATIME);
  assert_int_equal (o.propagation, MS_PRIVATE);
  assert_int_equal (o.attr_set & MOUNT_ATTR_NOSUID, MOUNT_ATTR_NOSUID);
  mount_opts_free (&o);

  {
    char *bad[] = { "", NULL };
    assert_int_equal (mount_options_parse (bad, 1, &o, &err), -1);
    assert_non_null (err);
    cnf_err_free (&err);
  }
  assert_int_equal (mount_options_parse (NULL, 0, &o, NULL), 0);
  assert_null (o.data);
  assert_int_equal (mount_propagation_from_name ("rslave"), MS_SLAVE | MS_REC);
  assert_int_equal (mount_propagation_from_name ("nosuid"), 0);
  assert_int_equal (mount_propagation_from_name (NULL), 0);
}

static void
test_sysctl_keys (void **state)
{
  char p[128];
  assert_int_equal (sysctl_key_to_path ("net.ipv4.ip_forward", p, sizeof p), 0);
  assert_string_equal (p, "sys/net/ipv4/ip_forward");
  assert_int_equal (sysctl_key_to_path ("net/ipv4/conf/eth0.100/forwarding", p, sizeof p), 0);
  assert_string_equal (p, "sys/net/ipv4/conf/eth0.100/forwarding");
  assert_int_equal (sysctl_key_to_path ("kernel.shm_rmid_forced", p, sizeof p), 0);
  assert_string_equal (p, "sys/kernel/shm_rmid_forced");
  assert_int_equal (sysctl_key_to_path ("", p, sizeof p), -1);
  assert_int_equal (sysctl_key_to_path ("net/../../self/mem", p, sizeof p), -1);
  assert_int_equal (sysctl_key_to_path ("/etc/shadow", p, sizeof p), -1);
  assert_int_equal (sysctl_key_to_path ("net.ipv4.ip_forward", p, 8), -1);
}

static void
test_needs_idmap (void **state)
{
  char *idm[] = { "bind", "idmap", NULL }, *ridm[] = { "rbind", "ridmap", NULL }, *plain[] = { "bind", "ro", NULL },
       *tmp[] = { "idmap", NULL };
  struct spec_id_mapping map = { 0, 1000, 10 };
  struct spec_mount m = { .destination = "/x", .source = "/src", .type = "bind", .options = idm, .n_options = 2 };
  assert_true (mounts_needs_idmap (&m));
  m.options = ridm;
  assert_true (mounts_needs_idmap (&m));
  m.options = plain;
  assert_false (mounts_needs_idmap (&m));
  /* mappings on the mount imply an idmap */
  m.uid_mappings = m.gid_mappings = &map;
  m.n_uid_mappings = m.n_gid_mappings = 1;
  assert_true (mounts_needs_idmap (&m));
  /* a tmpfs with idmap is built by the init itself, not on the host side */
  m.type = "tmpfs";
  m.options = tmp;
  m.n_options = 1;
  assert_false (mounts_needs_idmap (&m));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_each_option),
    cmocka_unit_test (test_specials),
    cmocka_unit_test (test_data_and_order),
    cmocka_unit_test (test_sysctl_keys),
    cmocka_unit_test (test_needs_idmap),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}

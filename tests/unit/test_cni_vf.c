/* test_cni_vf.c — VF state save, apply and restore against the recording fake backend,
 * including the rollback when one setting fails half-way. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "lib/json.h"
#include "lib/util.h"
#include "netplug/cni/vfops.h"

static char file[64];

static int
setup (void **state)
{
  snprintf (file, sizeof file, "/tmp/test_cni_vf.%d.json", getpid ());
  unlink (file);
  cleanup_free char *sel = xasprintf ("fake:%s", file);
  setenv ("NETPLUG_VFOPS", sel, 1);
  unsetenv ("NETPLUG_FAKE_VF_FAIL");
  return 0;
}

static int
teardown (void **state)
{
  unlink (file);
  cleanup_free char *lock = xasprintf ("%s.lock", file);
  unlink (lock);
  return 0;
}

static size_t
log_len (void)
{
  char eb[128];
  json_value *v = json_parse_file (file, eb, sizeof eb);
  size_t n = json_len (json_get (v, "log"));
  json_free (v);
  return n;
}

static void
test_apply_restore (void **state)
{
  struct vf_handle vh;
  cnf_err err = NULL;
  assert_int_equal (vf_open (&vh, &err), 0);
  assert_string_equal (vh.ops->name, "fake");
  struct vf_state saved, now;
  assert_int_equal (vh.ops->get (vh.h, "pf0", 3, &saved, &err), 0);
  assert_int_equal (saved.spoofchk, 1);
  assert_int_equal (saved.vlan, 0);
  struct vf_want w = { .mac = true, .vlan = true, .spoofchk = true, .trust = true, .link_state = true, .rate = true, .v = saved };
  memcpy (w.v.mac, "\x02\x01\x02\x03\x04\x05", 6);
  w.v.vlan = 42;
  w.v.qos = 5;
  w.v.proto = 0x88a8;
  w.v.spoofchk = 0;
  w.v.trust = 1;
  w.v.link_state = 2;
  w.v.min_tx_rate = 10;
  w.v.max_tx_rate = 20;
  assert_int_equal (vf_apply (&vh, "pf0", 3, &w, &saved, &err), 0);
  assert_int_equal (vh.ops->get (vh.h, "pf0", 3, &now, &err), 0);
  assert_int_equal (now.vlan, 42);
  assert_int_equal (now.qos, 5);
  assert_int_equal (now.proto, 0x88a8);
  assert_int_equal (now.spoofchk, 0);
  assert_int_equal (now.trust, 1);
  assert_int_equal (now.link_state, 2);
  assert_int_equal (now.max_tx_rate, 20);
  assert_memory_equal (now.mac, "\x02\x01\x02\x03\x04\x05", 6);
  assert_int_equal (log_len (), 6);
  /* another VF is untouched */
  struct vf_state other;
  assert_int_equal (vh.ops->get (vh.h, "pf0", 4, &other, &err), 0);
  assert_int_equal (other.vlan, 0);
  assert_int_equal (vf_restore (&vh, "pf0", 3, &w, &saved, &err), 0);
  assert_int_equal (vh.ops->get (vh.h, "pf0", 3, &now, &err), 0);
  assert_memory_equal (&now, &saved, sizeof now);
  assert_int_equal (log_len (), 12);
  vf_close (&vh);
}

static void
test_only_wanted_fields (void **state)
{
  struct vf_handle vh;
  cnf_err err = NULL;
  assert_int_equal (vf_open (&vh, &err), 0);
  struct vf_state saved;
  vh.ops->get (vh.h, "pf1", 0, &saved, &err);
  struct vf_want w = { .vlan = true, .v = saved };
  w.v.vlan = 7;
  assert_int_equal (vf_apply (&vh, "pf1", 0, &w, &saved, &err), 0);
  assert_int_equal (log_len (), 1);
  vf_close (&vh);
}

static void
test_rollback_on_failure (void **state)
{
  struct vf_handle vh;
  cnf_err err = NULL;
  assert_int_equal (vf_open (&vh, &err), 0);
  struct vf_state saved, now;
  vh.ops->get (vh.h, "pf0", 1, &saved, &err);
  struct vf_want w = { .mac = true, .vlan = true, .spoofchk = true, .trust = true, .v = saved };
  w.v.vlan = 9;
  w.v.spoofchk = 0;
  w.v.mac[5] = 9;
  setenv ("NETPLUG_FAKE_VF_FAIL", "set_trust", 1);
  assert_int_equal (vf_apply (&vh, "pf0", 1, &w, &saved, &err), -1);
  assert_non_null (strstr (err->msg, "VF 1 of pf0"));
  cnf_err_free (&err);
  unsetenv ("NETPLUG_FAKE_VF_FAIL");
  assert_int_equal (vh.ops->get (vh.h, "pf0", 1, &now, &err), 0);
  assert_memory_equal (&now, &saved, sizeof now); /* mac, vlan, spoofchk undone */
  vf_close (&vh);
}

static void
test_backend_selection (void **state)
{
  struct vf_handle vh;
  cnf_err err = NULL;
  setenv ("NETPLUG_VFOPS", "bogus", 1);
  assert_int_equal (vf_open (&vh, &err), -1);
  cnf_err_free (&err);
  setenv ("NETPLUG_VFOPS", "fake:relative", 1);
  assert_int_equal (vf_open (&vh, &err), -1);
  cnf_err_free (&err);
  unsetenv ("NETPLUG_VFOPS");
  assert_int_equal (vf_open (&vh, &err), 0);
  assert_string_equal (vh.ops->name, "netlink");
  vf_close (&vh);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_apply_restore, setup, teardown),
    cmocka_unit_test_setup_teardown (test_only_wanted_fields, setup, teardown),
    cmocka_unit_test_setup_teardown (test_rollback_on_failure, setup, teardown),
    cmocka_unit_test_setup_teardown (test_backend_selection, setup, teardown),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}

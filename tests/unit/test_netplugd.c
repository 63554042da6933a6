/* test_netplugd.c — netplugd's pure pieces: request-field validation and the memif wire layout. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "netplug/netplugd/memif.h"
#include "netplug/netplugd/memif_proto.h"
#include "netplug/netplugd/validate.h"

static void
test_names (void **state)
{
  assert_true (np_valid_name ("pod-1_net.0:a"));
  assert_true (np_valid_name ("a"));
  assert_false (np_valid_name (""));
  assert_false (np_valid_name (NULL));
  assert_false (np_valid_name ("."));
  assert_false (np_valid_name (".."));
  assert_false (np_valid_name ("a/b"));
  assert_false (np_valid_name ("a b"));
  assert_false (np_valid_name ("0123456789012345678901234567890123456789012345678901234567890123")); /* 64 */
  assert_true (np_valid_name ("012345678901234567890123456789012345678901234567890123456789012"));   /* 63 */
  assert_true (np_valid_ifname ("eth0"));
  assert_false (np_valid_ifname ("0123456789abcdef")); /* 16 */
  assert_false (np_valid_ifname ("a/b"));
  assert_false (np_valid_ifname ("a:1"));
  assert_false (np_valid_ifname (".."));
}

static void
test_mac (void **state)
{
  uint8_t m[6];
  assert_int_equal (np_parse_mac ("02:00:00:0a:Bc:ff", m), 0);
  assert_int_equal (m[0], 2);
  assert_int_equal (m[4], 0xbc);
  assert_int_equal (m[5], 0xff);
  assert_int_equal (np_parse_mac ("01:00:5e:00:00:01", m), -1); /* multicast */
  assert_int_equal (np_parse_mac ("02:00:00:0a:bc", m), -1);
  assert_int_equal (np_parse_mac ("02-00-00-0a-bc-ff", m), -1);
  assert_int_equal (np_parse_mac ("02:00:00:0a:bc:fg", m), -1);
  assert_int_equal (np_parse_mac ("02:00:00:0a:bc:ff:", m), -1);
  assert_int_equal (np_parse_mac (" 2:00:00:0a:bc:ff", m), -1);
  assert_int_equal (np_parse_mac (NULL, m), -1);
}

static void
test_socket_path (void **state)
{
  assert_int_equal (np_socket_path_ok ("/run/netplug", "/run/netplug/a.sock"), 0);
  assert_int_equal (np_socket_path_ok ("/run/netplug/", "/run/netplug/pod/net1.sock"), 0);
  assert_int_equal (np_socket_path_ok ("/run/netplug", "/run/netplug"), -1);
  assert_int_equal (np_socket_path_ok ("/run/netplug", "/run/netplug/"), -1);
  assert_int_equal (np_socket_path_ok ("/run/netplug", "/run/netplugx/a.sock"), -1);
  assert_int_equal (np_socket_path_ok ("/run/netplug", "/run/netplug/../etc/a"), -1);
  assert_int_equal (np_socket_path_ok ("/run/netplug", "/run/netplug/a/.."), -1);
  assert_int_equal (np_socket_path_ok ("/run/netplug", "/run/netplug/./a"), -1);
  assert_int_equal (np_socket_path_ok ("/run/netplug", "/run/netplug//a"), -1);
  assert_int_equal (np_socket_path_ok ("/run/netplug", "run/netplug/a"), -1);
  assert_int_equal (np_socket_path_ok ("/run/netplug", "/tmp/a.sock"), -1);
  char longp[200] = "/run/netplug/";
  memset (longp + 13, 'a', 100);
  assert_int_equal (np_socket_path_ok ("/run/netplug", longp), -1); /* does not fit sun_path */
}

static void
test_memif_layout (void **state)
{
  /* the wire format other implementations (DPDK, VPP, libmemif) expect */
  assert_int_equal (sizeof (struct memif_msg), 128);
  assert_int_equal (sizeof (struct memif_msg_hello), 32 + 11);
  assert_int_equal (sizeof (struct memif_msg_init), 2 + 4 + 1 + 24 + 32);
  assert_int_equal (sizeof (struct memif_msg_add_region), 10);
  assert_int_equal (sizeof (struct memif_msg_add_ring), 13);
  assert_int_equal (sizeof (struct memif_msg_disconnect), 100);
  assert_int_equal (offsetof (struct memif_msg, u), 2);
  assert_int_equal (sizeof (struct memif_desc), 16);
  assert_int_equal (offsetof (struct memif_desc, length), 4);
  assert_int_equal (offsetof (struct memif_desc, offset), 8);
  assert_int_equal (offsetof (struct memif_ring, head), 6);
  assert_int_equal (offsetof (struct memif_ring, tail), 64);
  assert_int_equal (offsetof (struct memif_ring, desc), 128);
  assert_int_equal (MEMIF_VERSION, 0x0200);
}

/* Check m in h; accept it when valid.  Returns the reason or NULL. */
static const char *
step (struct memif_handshake *h, const struct memif_msg *m, bool fd)
{
  const char *why = memif_msg_check (h, m, sizeof *m, false, fd);
  if (!why)
    memif_handshake_accept (h, m);
  return why;
}

static void
test_memif_handshake (void **state)
{
  struct memif_handshake h = { .id = 3 };
  struct memif_msg m;

  memset (&m, 0, sizeof m);
  m.type = MEMIF_MSG_TYPE_ADD_REGION;
  assert_string_equal (step (&h, &m, true), "region before init");
  assert_string_equal (memif_msg_check (&h, &m, 100, false, true), "short message");
  assert_string_equal (memif_msg_check (&h, &m, sizeof m, true, true), "oversized message");
  m.type = MEMIF_MSG_TYPE_INIT;
  m.u.init.version = MEMIF_VERSION;
  assert_string_equal (step (&h, &m, false), "no such interface id");
  m.u.init.id = 3;
  assert_null (step (&h, &m, false));
  assert_string_equal (step (&h, &m, false), "unexpected init");

  memset (&m, 0, sizeof m);
  m.type = MEMIF_MSG_TYPE_ADD_REGION;
  m.u.add_region.size = 4096;
  assert_string_equal (step (&h, &m, false), "region without a file descriptor");
  m.u.add_region.index = 1;
  assert_string_equal (step (&h, &m, true), "bad region index");
  m.u.add_region.index = 0;
  assert_null (step (&h, &m, true));

  memset (&m, 0, sizeof m);
  m.type = MEMIF_MSG_TYPE_ADD_RING;
  m.u.add_ring.log2_ring_size = 8; /* 128 + 256 * 16 bytes: more than the 4 KiB region */
  assert_string_equal (step (&h, &m, true), "ring outside its region");
  m.u.add_ring.log2_ring_size = 4;
  m.u.add_ring.offset = 32;
  assert_string_equal (step (&h, &m, true), "ring outside its region");
  m.u.add_ring.offset = 0;
  assert_null (step (&h, &m, true));
  m.type = MEMIF_MSG_TYPE_CONNECT;
  assert_string_equal (step (&h, &m, false), "connect before rings");
  m.type = MEMIF_MSG_TYPE_ADD_RING;
  m.u.add_ring.flags = MEMIF_MSG_ADD_RING_FLAG_C2S;
  assert_null (step (&h, &m, true));
  m.type = MEMIF_MSG_TYPE_CONNECT;
  assert_null (step (&h, &m, false));
  assert_true (h.connected);
  assert_string_equal (step (&h, &m, false), "connect before rings");
  m.type = MEMIF_MSG_TYPE_ADD_REGION;
  assert_string_equal (step (&h, &m, true), "region before init");

  memif_handshake_reset (&h);
  assert_int_equal (h.id, 3);
  assert_false (h.got_init);
  assert_int_equal (h.nregions, 0);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_names),
    cmocka_unit_test (test_mac),
    cmocka_unit_test (test_socket_path),
    cmocka_unit_test (test_memif_layout),
    cmocka_unit_test (test_memif_handshake),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}

/* test_cni.c — netplug's CNI protocol layer: CNI_ARGS, env validation, error encoding, result
 * version conversion, config validation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "lib/json.h"
#include "lib/util.h"
#include "netplug/cni/cni.h"
#include "netplug/cni/config.h"

static void
test_args (void **state)
{
  struct cni_args a;
  cnf_err err = NULL;
  assert_int_equal (cni_args_parse ("K8S_POD_NAMESPACE=ns;K8S_POD_NAME=p;K8S_POD_UID=u1;K8S_POD_INFRA_CONTAINER_ID=abc;MAC=02:00:00:00:00:01", &a, &err), 0);
  assert_string_equal (a.pod_namespace, "ns");
  assert_string_equal (a.pod_name, "p");
  assert_string_equal (a.pod_uid, "u1");
  assert_string_equal (a.infra_container_id, "abc");
  assert_string_equal (a.mac, "02:00:00:00:00:01");
  cni_args_free (&a);
  /* unknown keys: an error unless IgnoreUnknown, which may come later in the string */
  assert_int_equal (cni_args_parse ("FOO=1;K8S_POD_NAME=p", &a, &err), -1);
  assert_int_equal (err->code, CNI_ERR_INVALID_ENV);
  assert_non_null (strstr (err->msg, "FOO"));
  cnf_err_free (&err);
  assert_int_equal (cni_args_parse ("FOO=1;IgnoreUnknown=true;K8S_POD_NAME=p", &a, &err), 0);
  assert_true (a.ignore_unknown);
  cni_args_free (&a);
  assert_int_equal (cni_args_parse ("IgnoreUnknown=1;BAR=x", &a, &err), 0);
  cni_args_free (&a);
  assert_int_equal (cni_args_parse ("novalue", &a, &err), -1);
  cnf_err_free (&err);
  assert_int_equal (cni_args_parse ("IgnoreUnknown=maybe", &a, &err), -1);
  cnf_err_free (&err);
  assert_int_equal (cni_args_parse ("", &a, &err), 0);
  assert_int_equal (cni_args_parse (NULL, &a, &err), 0);
  /* values may contain '=' */
  assert_int_equal (cni_args_parse ("K8S_POD_NAME=a=b", &a, &err), 0);
  assert_string_equal (a.pod_name, "a=b");
  cni_args_free (&a);
}

/* Only the CNI variables: clearenv () would also drop CMOCKA_MESSAGE_OUTPUT mid-run. */
static void
clear_cni_env (void)
{
  static const char *const vars[] = { "CNI_COMMAND", "CNI_CONTAINERID", "CNI_IFNAME", "CNI_NETNS", "CNI_PATH", "CNI_ARGS" };
  for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
    unsetenv (vars[i]);
}

static void
test_env_rules (void **state)
{
  assert_true (cni_valid_container_id ("abc-1.2_3"));
  assert_false (cni_valid_container_id ("-abc"));
  assert_false (cni_valid_container_id ("a/b"));
  assert_false (cni_valid_container_id (""));
  assert_true (cni_valid_ifname ("eth0"));
  assert_true (cni_valid_ifname ("net1-abcdefghij")); /* 15 */
  assert_false (cni_valid_ifname ("net1-abcdefghijk"));
  assert_false (cni_valid_ifname ("."));
  assert_false (cni_valid_ifname (".."));
  assert_false (cni_valid_ifname ("a/b"));
  assert_false (cni_valid_ifname ("a:b"));
  assert_false (cni_valid_ifname ("a b"));

  struct cni_env env;
  cnf_err err = NULL;
  clear_cni_env ();
  assert_int_equal (cni_env_load (&env, &err), -1);
  assert_int_equal (err->code, CNI_ERR_INVALID_ENV);
  cnf_err_free (&err);
  setenv ("CNI_COMMAND", "ADD", 1);
  setenv ("CNI_CONTAINERID", "c1", 1);
  setenv ("CNI_IFNAME", "eth0", 1);
  setenv ("CNI_PATH", "/opt/cni/bin", 1);
  assert_int_equal (cni_env_load (&env, &err), -1); /* ADD needs CNI_NETNS */
  assert_non_null (strstr (err->msg, "CNI_NETNS"));
  cnf_err_free (&err);
  setenv ("CNI_COMMAND", "DEL", 1); /* DEL does not */
  assert_int_equal (cni_env_load (&env, &err), 0);
  cni_env_free (&env);
  setenv ("CNI_NETNS", "relative", 1);
  assert_int_equal (cni_env_load (&env, &err), -1);
  cnf_err_free (&err);
  setenv ("CNI_NETNS", "/var/run/netns/x", 1);
  setenv ("CNI_COMMAND", "BOGUS", 1);
  assert_int_equal (cni_env_load (&env, &err), -1);
  cnf_err_free (&err);
  setenv ("CNI_COMMAND", "GC", 1);
  unsetenv ("CNI_CONTAINERID");
  unsetenv ("CNI_IFNAME");
  assert_int_equal (cni_env_load (&env, &err), 0); /* GC is not per attachment */
  cni_env_free (&env);
  setenv ("CNI_COMMAND", "CHECK", 1);
  setenv ("CNI_CONTAINERID", "c1", 1);
  setenv ("CNI_IFNAME", "eth0/1", 1);
  assert_int_equal (cni_env_load (&env, &err), -1);
  assert_int_equal (err->code, CNI_ERR_INVALID_ENV);
  cnf_err_free (&err);
  clear_cni_env ();
}

static void
test_error_json (void **state)
{
  cleanup_free char *j = cni_error_json ("0.4.0", 7, "bad \"thing\"", "why");
  char eb[128];
  json_value *v = json_parse (j, strlen (j), eb, sizeof eb);
  assert_non_null (v);
  assert_string_equal (json_string (json_get (v, "cniVersion")), "0.4.0");
  int64_t code;
  assert_int_equal (json_get_int64 (json_get (v, "code"), &code), 0);
  assert_int_equal (code, 7);
  assert_string_equal (json_string (json_get (v, "msg")), "bad \"thing\"");
  assert_string_equal (json_string (json_get (v, "details")), "why");
  json_free (v);
  cleanup_free char *k = cni_error_json ("9.9.9", 11, "later", NULL); /* unknown version: latest */
  v = json_parse (k, strlen (k), eb, sizeof eb);
  assert_string_equal (json_string (json_get (v, "cniVersion")), CNI_VERSION_LATEST);
  assert_null (json_get (v, "details"));
  json_free (v);
}

static const char *result11 = "{\"cniVersion\":\"1.1.0\",\"interfaces\":[{\"name\":\"net1\",\"mac\":\"02:00:00:00:00:01\","
                              "\"mtu\":1400,\"sandbox\":\"/run/netns/x\",\"socketPath\":\"/run/netplug/net1.sock\",\"pciID\":\"0000:3b:02.0\"}],"
                              "\"ips\":[{\"interface\":0,\"address\":\"10.1.0.5/24\",\"gateway\":\"10.1.0.1\"},"
                              "{\"interface\":0,\"address\":\"fd00::5/64\"}],"
                              "\"routes\":[{\"dst\":\"0.0.0.0/0\",\"gw\":\"10.1.0.1\",\"mtu\":1300,\"priority\":5}],"
                              "\"dns\":{\"nameservers\":[\"10.1.0.2\"]}}";

static json_value *
convert (const char *in, const char *version)
{
  struct cni_result r;
  cnf_err err = NULL;
  assert_int_equal (cni_result_parse (in, strlen (in), &r, &err), 0);
  cleanup_free char *out = cni_result_to_string (&r, version);
  cni_result_free (&r);
  char eb[128];
  json_value *v = json_parse (out, strlen (out), eb, sizeof eb);
  assert_non_null (v);
  assert_string_equal (json_string (json_get (v, "cniVersion")), version);
  return v;
}

static void
test_result_versions (void **state)
{
  json_value *v = convert (result11, "1.1.0");
  const json_value *i0 = json_at (json_get (v, "interfaces"), 0);
  assert_string_equal (json_string (json_get (i0, "socketPath")), "/run/netplug/net1.sock");
  assert_string_equal (json_string (json_get (i0, "pciID")), "0000:3b:02.0");
  assert_non_null (json_get (i0, "mtu"));
  assert_null (json_get (json_at (json_get (v, "ips"), 0), "version"));
  assert_non_null (json_get (json_at (json_get (v, "routes"), 0), "mtu"));
  assert_string_equal (json_string (json_at (json_get (json_get (v, "dns"), "nameservers"), 0)), "10.1.0.2");
  json_free (v);

  v = convert (result11, "1.0.0"); /* 1.1 fields dropped, no ips[].version */
  i0 = json_at (json_get (v, "interfaces"), 0);
  assert_null (json_get (i0, "socketPath"));
  assert_null (json_get (i0, "pciID"));
  assert_null (json_get (i0, "mtu"));
  assert_null (json_get (json_at (json_get (v, "ips"), 0), "version"));
  assert_null (json_get (json_at (json_get (v, "routes"), 0), "mtu"));
  json_free (v);

  const char *vs[] = { "0.3.0", "0.3.1", "0.4.0" };
  for (int k = 0; k < 3; k++)
    {
      v = convert (result11, vs[k]);
      assert_string_equal (json_string (json_get (json_at (json_get (v, "ips"), 0), "version")), "4");
      assert_string_equal (json_string (json_get (json_at (json_get (v, "ips"), 1), "version")), "6");
      int64_t idx;
      assert_int_equal (json_get_int64 (json_get (json_at (json_get (v, "ips"), 0), "interface"), &idx), 0);
      assert_int_equal (idx, 0);
      json_free (v);
    }

  /* and back up: a 0.3.1 IPAM result (with version) becomes 1.1.0 */
  const char *old = "{\"cniVersion\":\"0.3.1\",\"ips\":[{\"version\":\"4\",\"address\":\"10.0.0.2/24\",\"gateway\":\"10.0.0.1\"}],"
                    "\"routes\":[{\"dst\":\"0.0.0.0/0\"}]}";
  v = convert (old, "1.1.0");
  const json_value *ip = json_at (json_get (v, "ips"), 0);
  assert_null (json_get (ip, "version"));
  assert_null (json_get (ip, "interface"));
  assert_string_equal (json_string (json_get (ip, "address")), "10.0.0.2/24");
  json_free (v);

  struct cni_result r;
  cnf_err err = NULL;
  assert_int_equal (cni_result_parse ("{\"ips\":[{}]}", 11, &r, &err), -1);
  assert_int_equal (err->code, CNI_ERR_DECODE);
  cnf_err_free (&err);
  assert_int_equal (cni_result_parse ("[1]", 3, &r, &err), -1);
  cnf_err_free (&err);
}

static int
parse_cfg (const char *text, int cmd, struct np_config *c, int *code)
{
  cnf_err err = NULL;
  int r = np_config_parse (text, strlen (text), cmd, c, &err);
  *code = err ? err->code : 0;
  cnf_err_free (&err);
  return r;
}

static void
test_config (void **state)
{
  struct np_config c;
  int code;
  assert_int_equal (parse_cfg ("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"netplug\",\"pciBusID\":\"3b:02.1\",\"vlan\":5,"
                               "\"vlanQoS\":2,\"vlanProto\":\"802.1ad\",\"spoofchk\":\"off\",\"trust\":\"on\",\"link_state\":\"disable\","
                               "\"min_tx_rate\":1,\"max_tx_rate\":9,\"mtu\":9000,\"runtimeConfig\":{\"mac\":\"02:00:00:00:00:09\","
                               "\"CNIDeviceInfoFile\":\"/tmp/x.json\"},\"mac\":\"02:00:00:00:00:01\"}",
                               CNI_CMD_ADD, &c, &code), 0);
  assert_int_equal (c.mode, NP_MODE_SRIOV);
  assert_string_equal (c.device_id, "3b:02.1");
  assert_int_equal (c.vlan, 5);
  assert_int_equal (c.vlan_qos, 2);
  assert_int_equal (c.vlan_proto, 0x88a8);
  assert_int_equal (c.spoofchk, 0);
  assert_int_equal (c.trust, 1);
  assert_int_equal (c.mtu, 9000);
  assert_string_equal (c.mac, "02:00:00:00:00:09"); /* runtimeConfig wins */
  assert_string_equal (c.devinfo_file, "/tmp/x.json");
  assert_string_equal (c.control_socket, "/run/netplugd/ctl.sock");
  np_config_free (&c);

  /* runtimeConfig.deviceID (device plugin) beats the top-level one */
  assert_int_equal (parse_cfg ("{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"type\":\"netplug\",\"deviceID\":\"0000:01:00.1\","
                               "\"runtimeConfig\":{\"deviceID\":\"0000:01:00.2\"}}", CNI_CMD_ADD, &c, &code), 0);
  assert_string_equal (c.device_id, "0000:01:00.2");
  np_config_free (&c);

  struct { const char *cfg; int cmd, code; } bad[] = {
    { "{", CNI_CMD_ADD, CNI_ERR_DECODE },
    { "[]", CNI_CMD_ADD, CNI_ERR_DECODE },
    { "{\"name\":\"n\",\"type\":\"netplug\"}", CNI_CMD_ADD, CNI_ERR_INVALID_CONFIG },
    { "{\"cniVersion\":\"0.2.0\",\"name\":\"n\",\"type\":\"netplug\"}", CNI_CMD_ADD, CNI_ERR_INCOMPATIBLE_VERSION },
    { "{\"cniVersion\":\"0.3.1\",\"name\":\"n\",\"type\":\"netplug\",\"deviceID\":\"0000:01:00.1\"}", CNI_CMD_CHECK, CNI_ERR_INCOMPATIBLE_VERSION },
    { "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"netplug\"}", CNI_CMD_GC, CNI_ERR_INCOMPATIBLE_VERSION },
    { "{\"cniVersion\":\"1.0.0\",\"type\":\"netplug\"}", CNI_CMD_ADD, CNI_ERR_INVALID_CONFIG },
    { "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"netplug\"}", CNI_CMD_ADD, CNI_ERR_INVALID_CONFIG }, /* no deviceID */
    { "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"netplug\",\"mode\":\"x\"}", CNI_CMD_ADD, CNI_ERR_INVALID_CONFIG },
    { "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"netplug\",\"deviceID\":\"zz\"}", CNI_CMD_ADD, CNI_ERR_INVALID_CONFIG },
    { "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"netplug\",\"deviceID\":\"0000:01:00.1\",\"vlan\":4095}", CNI_CMD_ADD, CNI_ERR_INVALID_CONFIG },
    { "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"netplug\",\"deviceID\":\"0000:01:00.1\",\"vlanQoS\":3}", CNI_CMD_ADD, CNI_ERR_INVALID_CONFIG },
    { "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"netplug\",\"deviceID\":\"0000:01:00.1\",\"spoofchk\":true}", CNI_CMD_ADD, CNI_ERR_INVALID_CONFIG },
    { "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"netplug\",\"deviceID\":\"0000:01:00.1\",\"mac\":\"nope\"}", CNI_CMD_ADD, CNI_ERR_INVALID_CONFIG },
    { "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"netplug\",\"deviceID\":\"0000:01:00.1\",\"min_tx_rate\":10,\"max_tx_rate\":5}", CNI_CMD_ADD, CNI_ERR_INVALID_CONFIG },
    { "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"netplug\",\"deviceID\":\"0000:01:00.1\",\"ipam\":{}}", CNI_CMD_ADD, CNI_ERR_INVALID_CONFIG },
    { "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"netplug\",\"deviceID\":\"0000:01:00.1\",\"ipam\":{\"type\":\"../x\"}}", CNI_CMD_ADD, CNI_ERR_INVALID_CONFIG },
    { "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"netplug\",\"mode\":\"memif\",\"network\":\"a\",\"xconnect\":\"b\"}", CNI_CMD_ADD, CNI_ERR_INVALID_CONFIG },
    { "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"netplug\",\"mode\":\"memif\",\"controlSocket\":\"rel\"}", CNI_CMD_ADD, CNI_ERR_INVALID_CONFIG },
    { "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"netplug\",\"mode\":\"memif\",\"trust\":\"on\"}", CNI_CMD_ADD, CNI_ERR_INVALID_CONFIG },
    { "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"netplug\",\"mode\":\"memif\",\"prevResult\":3}", CNI_CMD_ADD, CNI_ERR_INVALID_CONFIG },
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      if (parse_cfg (bad[i].cfg, bad[i].cmd, &c, &code) != -1 || code != bad[i].code)
        fail_msg ("case %zu (%s): code %d, want %d", i, bad[i].cfg, code, bad[i].code);
      np_config_free (&c);
    }
  /* DEL does not need deviceID (the cache has it) */
  assert_int_equal (parse_cfg ("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"netplug\"}", CNI_CMD_DEL, &c, &code), 0);
  np_config_free (&c);
  char buf[16];
  assert_int_equal (np_normalize_pci_addr ("3B:02.7", buf, sizeof buf), 0);
  assert_string_equal (buf, "0000:3b:02.7");
  assert_int_equal (np_normalize_pci_addr ("0000:3b:20.0", buf, sizeof buf), -1);
  assert_int_equal (np_normalize_pci_addr ("0000:3b:02.8", buf, sizeof buf), -1);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_args),         cmocka_unit_test (test_env_rules), cmocka_unit_test (test_error_json),
    cmocka_unit_test (test_result_versions), cmocka_unit_test (test_config),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}

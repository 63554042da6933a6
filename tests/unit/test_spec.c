/* Unit tests of runtime/spec_parse.c, spec_names.c, spec_resources.c and the documents of
 * `cnfrun spec` / `cnfrun features`: a full config exercising every field, every class of
 * error with its exact JSON path, ranges, and name-table round trips. */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/ioprio.h>
#include <linux/mempolicy.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <unistd.h>
#include <cmocka.h>

#include "lib/json.h"
#include "lib/util.h"
#include "runtime/spec.h"

char *cmd_spec_default_config (bool rootless, size_t *len);
char *features_document (size_t *len);

/* cmd_spec.c and features.c are linked in; the CLI error helper lives in runtime/main.c. */
int
cli_usage_error (const char *cmd, const char *fmt, ...)
{
  (void) cmd;
  (void) fmt;
  return 1;
}

#ifndef CNF_TEST_DATA
#define CNF_TEST_DATA "tests/data"
#endif

/* A minimal valid document with room for extra process members, linux members and top-level members. */
#define DOC3(PROC, LINUX, TOP)                                                                                       \
  "{\"ociVersion\":\"1.3.0\",\"root\":{\"path\":\"rootfs\"},\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"" PROC "},"   \
  "\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"},{\"type\":\"network\"},{\"type\":\"uts\"},"     \
  "{\"type\":\"ipc\"}]" LINUX "}" TOP "}"
#define DOCP(PROC) DOC3 (PROC, "", "")
#define DOCL(LINUX) DOC3 ("", LINUX, "")
#define DOCT(TOP) DOC3 ("", "", TOP)

static struct spec *
load_ok (const char *doc)
{
  struct spec *s = NULL;
  cnf_err err = NULL;
  int r = spec_load_buf ("config.json", doc, strlen (doc), &s, &err);
  if (r < 0)
    fail_msg ("unexpected error: %s\n  doc: %s", err->msg, doc);
  assert_non_null (s);
  return s;
}

static void
expect_err (const char *doc, const char *msg)
{
  struct spec *s = (struct spec *) 0x1;
  cnf_err err = NULL;
  int r = spec_load_buf ("config.json", doc, strlen (doc), &s, &err);
  if (r == 0)
    fail_msg ("expected \"%s\", got success\n  doc: %s", msg, doc);
  assert_null (s);
  assert_non_null (err);
  if (strcmp (err->msg, msg) != 0)
    fail_msg ("expected \"%s\"\n     got \"%s\"", msg, err->msg);
  cnf_err_free (&err);
}

static void
test_full (void **state)
{
  struct spec *s = NULL;
  cnf_err err = NULL;
  (void) state;
  if (spec_load_file (CNF_TEST_DATA "/spec-full.json", &s, &err) < 0)
    fail_msg ("%s", err->msg);
  assert_string_equal (s->oci_version, "1.3.0");
  assert_string_equal (s->root_path, "rootfs");
  assert_true (s->root_readonly);
  assert_string_equal (s->hostname, "cnf-full");
  assert_string_equal (s->domainname, "example.org");

  /* process */
  struct spec_process *p = &s->process;
  assert_true (s->has_process);
  assert_true (p->terminal);
  assert_true (p->has_console_size);
  assert_int_equal (p->console_height, 25);
  assert_int_equal (p->console_width, 80);
  assert_int_equal (p->user.uid, 1000);
  assert_int_equal (p->user.gid, 1000);
  assert_true (p->user.has_umask);
  assert_int_equal (p->user.umask, 022);
  assert_int_equal (p->user.n_additional_gids, 2);
  assert_int_equal (p->user.additional_gids[1], 4294967295u);
  assert_int_equal (p->n_args, 3);
  assert_string_equal (p->args[2], "echo hi");
  assert_null (p->args[3]);
  assert_int_equal (p->n_env, 3);
  assert_string_equal (p->env[1], "EMPTY=");
  assert_string_equal (p->cwd, "/work");
  /* duplicates in a set collapse */
  assert_true (p->caps.present[CAP_SET_BOUNDING]);
  assert_int_equal (p->caps.n_caps[CAP_SET_BOUNDING], 3);
  assert_int_equal (p->caps.caps[CAP_SET_BOUNDING][0], 12);
  assert_int_equal (p->caps.caps[CAP_SET_BOUNDING][2], 40);
  assert_true (p->caps.present[CAP_SET_INHERITABLE]);
  assert_int_equal (p->caps.n_caps[CAP_SET_INHERITABLE], 0);
  assert_int_equal (p->caps.n_caps[CAP_SET_AMBIENT], 1);
  assert_int_equal (p->n_rlimits, 2);
  assert_int_equal (p->rlimits[0].resource, RLIMIT_NOFILE);
  assert_string_equal (p->rlimits[0].name, "RLIMIT_NOFILE");
  assert_int_equal (p->rlimits[0].soft, 1024);
  assert_int_equal (p->rlimits[0].hard, 4096);
  assert_int_equal (p->rlimits[1].resource, RLIMIT_MEMLOCK);
  assert_true (p->rlimits[1].hard == UINT64_MAX);
  assert_true (p->no_new_privileges);
  assert_string_equal (p->apparmor_profile, "unconfined");
  assert_true (p->has_oom_score_adj);
  assert_int_equal (p->oom_score_adj, -500);
  assert_non_null (p->selinux_label);
  assert_true (p->scheduler.present);
  assert_int_equal (p->scheduler.policy, SCHED_FIFO);
  assert_int_equal (p->scheduler.priority, 50);
  assert_int_equal (p->scheduler.flags, 0x01 | 0x20);
  assert_true (p->io_priority.present);
  assert_int_equal (p->io_priority.class, IOPRIO_CLASS_RT);
  assert_int_equal (p->io_priority.priority, 3);
  assert_string_equal (p->exec_cpu_affinity.initial, "0");
  assert_string_equal (p->exec_cpu_affinity.final, "0-1,3");

  /* mounts */
  assert_int_equal (s->n_mounts, 4);
  assert_string_equal (s->mounts[0].destination, "/proc");
  assert_null (s->mounts[0].options);
  assert_int_equal (s->mounts[1].n_options, 4);
  assert_string_equal (s->mounts[1].options[2], "mode=755");
  assert_null (s->mounts[1].options[4]);
  assert_int_equal (s->mounts[2].n_uid_mappings, 1);
  assert_int_equal (s->mounts[2].uid_mappings[0].host_id, 100000);
  assert_int_equal (s->mounts[2].gid_mappings[0].size, 65536);
  assert_string_equal (s->mounts[3].type, "hugetlbfs");

  /* hooks */
  assert_int_equal (s->n_hooks[HOOK_PRESTART], 1);
  assert_int_equal (s->n_hooks[HOOK_CREATE_RUNTIME], 1);
  assert_string_equal (s->hooks[HOOK_CREATE_RUNTIME][0].args[1], "A=1");
  assert_string_equal (s->hooks[HOOK_CREATE_RUNTIME][0].env[0], "X=1");
  assert_int_equal (s->hooks[HOOK_CREATE_RUNTIME][0].timeout, 5);
  assert_int_equal (s->hooks[HOOK_PRESTART][0].timeout, 0);
  assert_null (s->hooks[HOOK_PRESTART][0].args);
  assert_int_equal (s->n_hooks[HOOK_POSTSTART], 2);
  assert_int_equal (s->n_hooks[HOOK_POSTSTOP], 1);
  assert_int_equal (s->n_hooks[HOOK_START_CONTAINER], 1);
  assert_int_equal (s->n_hooks[HOOK_CREATE_CONTAINER], 1);

  assert_int_equal (s->n_annotations, 2);
  assert_string_equal (spec_annotation (s, "io.example/key"), "value");
  assert_null (spec_annotation (s, "nope"));

  /* linux */
  struct spec_linux *l = &s->linux_;
  assert_true (s->has_linux);
  for (int i = 0; i < NS__COUNT; i++)
    {
      assert_true (l->ns[i].present);
      assert_null (l->ns[i].path);
    }
  assert_int_equal (l->n_uid_mappings, 1);
  assert_int_equal (l->uid_mappings[0].container_id, 0);
  assert_int_equal (l->gid_mappings[0].host_id, 100000);
  assert_true (l->time_monotonic.present);
  assert_int_equal (l->time_monotonic.secs, -86400);
  assert_int_equal (l->time_monotonic.nanosecs, 500);
  assert_true (l->time_boottime.present);
  assert_int_equal (l->time_boottime.secs, 3600);
  assert_int_equal (l->n_devices, 3);
  assert_int_equal (l->devices[0].type, 'c');
  assert_int_equal (l->devices[0].major, 10);
  assert_int_equal (l->devices[0].minor, 229);
  assert_true (l->devices[0].has_file_mode);
  assert_int_equal (l->devices[0].file_mode, 0666);
  assert_true (l->devices[0].has_uid);
  assert_false (l->devices[1].has_file_mode);
  assert_int_equal (l->devices[2].type, 'p');
  assert_int_equal (l->n_net_devices, 2);
  assert_string_equal (l->net_devices[0].host_name, "eth1");
  assert_null (l->net_devices[0].name);
  assert_string_equal (l->net_devices[1].host_name, "ens2f0v3");
  assert_string_equal (l->net_devices[1].name, "net1");
  assert_string_equal (l->cgroups_path, "/cnfrun/full");
  assert_string_equal (l->rootfs_propagation, "rslave");
  assert_int_equal (l->rootfs_propagation_flags, MS_SLAVE | MS_REC);
  assert_int_equal (l->n_masked_paths, 2);
  assert_int_equal (l->n_readonly_paths, 2);
  assert_string_equal (l->readonly_paths[1], "/proc/sysrq-trigger");
  assert_non_null (l->mount_label);
  assert_int_equal (l->n_sysctl, 4);
  assert_string_equal (l->sysctl[0].key, "net.ipv4.ip_forward");
  assert_string_equal (l->sysctl[0].value, "1");
  assert_true (l->has_personality);
  assert_int_equal (l->personality, PER_LINUX32);
  assert_true (l->memory_policy.present);
  assert_int_equal (l->memory_policy.mode, MPOL_BIND);
  assert_string_equal (l->memory_policy.nodes, "0-1");
  assert_int_equal (l->memory_policy.flags, MPOL_F_STATIC_NODES);

  /* seccomp */
  struct spec_seccomp *sc = l->seccomp;
  assert_non_null (sc);
  assert_int_equal (sc->default_action, 0x00050000u);
  assert_true (sc->has_default_errno_ret);
  assert_int_equal (sc->default_errno_ret, 1);
  assert_int_equal (sc->n_architectures, 3);
  assert_string_equal (sc->architectures[0], "SCMP_ARCH_X86_64");
  assert_int_equal (sc->n_flags, 0);
  assert_non_null (sc->flags);
  assert_string_equal (sc->listener_path, "/run/agent.sock");
  assert_string_equal (sc->listener_metadata, "meta");
  assert_int_equal (sc->n_syscalls, 4);
  assert_int_equal (sc->syscalls[0].n_names, 2);
  assert_int_equal (sc->syscalls[0].action, 0x7fff0000u);
  assert_int_equal (sc->syscalls[1].n_args, 2);
  assert_int_equal (sc->syscalls[1].args[1].index, 5);
  assert_int_equal (sc->syscalls[1].args[1].value, 255);
  assert_int_equal (sc->syscalls[1].args[1].value_two, 8);
  assert_int_equal (sc->syscalls[1].args[1].op, 7);
  assert_int_equal (sc->syscalls[2].action, 0x00030000u);
  assert_true (sc->syscalls[3].has_errno_ret);
  assert_int_equal (sc->syscalls[3].errno_ret, 38);

  /* resources */
  struct cg_resources *r = &l->resources;
  assert_true (l->has_resources);
  assert_int_equal (r->n_devices, 4);
  assert_false (r->devices[0].allow);
  assert_int_equal (r->devices[0].type, 'a');
  assert_int_equal (r->devices[0].major, -1);
  assert_int_equal (r->devices[0].minor, -1);
  assert_string_equal (r->devices[0].access, "rwm");
  assert_string_equal (r->devices[1].access, "rwm"); /* "mwr" normalised */
  assert_int_equal (r->devices[2].major, 136);
  assert_int_equal (r->devices[2].minor, -1);
  assert_string_equal (r->devices[2].access, "rw");
  assert_int_equal (r->devices[3].type, 'b');
  assert_int_equal (r->devices[3].major, -1);
  assert_int_equal (r->devices[3].minor, 3);
  assert_true (r->has_mem_limit);
  assert_int_equal (r->mem_limit, 536870912);
  assert_true (r->has_mem_swap);
  assert_int_equal (r->mem_swap, -1);
  assert_true (r->has_mem_swappiness);
  assert_int_equal (r->mem_swappiness, 10);
  assert_true (r->has_disable_oom_killer);
  assert_true (r->has_use_hierarchy);
  assert_true (r->has_check_before_update);
  assert_true (r->check_before_update);
  assert_int_equal (r->cpu_shares, 1024);
  assert_int_equal (r->cpu_quota, 50000);
  assert_int_equal (r->cpu_burst, 10000);
  assert_int_equal (r->cpu_period, 100000);
  assert_int_equal (r->cpu_rt_runtime, 950000);
  assert_int_equal (r->cpu_rt_period, 1000000);
  assert_true (r->has_cpu_idle);
  assert_string_equal (r->cpus, "0-1");
  assert_string_equal (r->mems, "0");
  assert_true (r->has_pids_limit);
  assert_int_equal (r->pids_limit, 1024);
  assert_int_equal (r->n_hugepages, 2);
  assert_string_equal (r->hugepages[0].page_size, "2MB");
  assert_int_equal (r->hugepages[0].limit, 209715200);
  assert_string_equal (r->hugepages[1].page_size, "1GB");
  assert_int_equal (r->hugepages[1].limit, 0);
  assert_int_equal (r->blkio_weight, 500);
  assert_int_equal (r->blkio_leaf_weight, 300);
  assert_int_equal (r->n_weight_devices, 1);
  assert_true (r->weight_devices[0].has_weight);
  assert_false (r->weight_devices[0].has_leaf_weight);
  assert_int_equal (r->n_throttle_read_bps, 1);
  assert_int_equal (r->throttle_write_bps[0].rate, 2097152);
  assert_int_equal (r->throttle_read_iops[0].rate, 100);
  assert_int_equal (r->throttle_write_iops[0].major, 8);
  assert_true (r->has_net_class_id);
  assert_int_equal (r->net_class_id, 1048577);
  assert_int_equal (r->n_net_priorities, 1);
  assert_int_equal (r->n_rdma, 1);
  assert_string_equal (r->rdma[0].device, "mlx5_1");
  assert_int_equal (r->rdma[0].hca_handles, 3);
  assert_int_equal (r->rdma[0].hca_objects, 10000);
  assert_int_equal (r->n_unified, 2);
  assert_string_equal (r->unified[1].key, "io.weight");
  assert_string_equal (r->unified[1].value, "default 100");

  assert_non_null (s->doc);
  spec_free (s);
}

static void
test_minimal (void **state)
{
  (void) state;
  struct spec *s = load_ok ("{\"ociVersion\":\"1.0.2-dev\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"a\"],\"cwd\":\"/\"}}");
  assert_false (s->has_linux);
  assert_false (s->process.terminal);
  assert_null (s->process.env);
  assert_false (s->process.caps.present[CAP_SET_BOUNDING]);
  assert_false (s->linux_.has_resources);
  assert_false (s->process.scheduler.present);
  assert_false (s->linux_.memory_policy.present);
  assert_int_equal (s->n_mounts, 0);
  spec_free (s);
  /* null is "absent", as Go's encoding/json reads it; unknown members are ignored */
  s = load_ok (DOC3 (",\"env\":null,\"user\":null", ",\"resources\":null,\"seccomp\":null,\"whatever\":[{}]",
                     ",\"hooks\":null,\"vm\":{\"x\":1}"));
  assert_null (s->process.env);
  assert_null (s->linux_.seccomp);
  spec_free (s);
}

static void
test_errors_top (void **state)
{
  (void) state;
  expect_err ("{", "config.json: parse error: premature EOF");
  expect_err ("[]", "config.json: .: must be an object, not an array");
  expect_err ("{\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"a\"],\"cwd\":\"/\"}}", "config.json: .ociVersion: missing");
  expect_err ("{\"ociVersion\":1}", "config.json: .ociVersion: must be a string, not a number");
  expect_err ("{\"ociVersion\":\"2.0.0\"}",
              "config.json: .ociVersion: unsupported version \"2.0.0\": cnfrun implements 1.x (up to 1.3.0)");
  expect_err ("{\"ociVersion\":\"v1\"}", "config.json: .ociVersion: \"v1\" is not a semantic version");
  expect_err ("{\"ociVersion\":\"1.0.0\"}", "config.json: .root: missing");
  expect_err ("{\"ociVersion\":\"1.0.0\",\"root\":\"r\"}", "config.json: .root: must be an object, not a string");
  expect_err ("{\"ociVersion\":\"1.0.0\",\"root\":{}}", "config.json: .root.path: missing");
  expect_err ("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\",\"readonly\":\"yes\"}}",
              "config.json: .root.readonly: must be a boolean, not a string");
  expect_err ("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"}}", "config.json: .process: missing");
  expect_err (DOCT (",\"hostname\":7"), "config.json: .hostname: must be a string, not a number");
  expect_err (DOCT (",\"annotations\":{\"a\":1}"), "config.json: .annotations.a: must be a string, not a number");
  expect_err (DOCT (",\"annotations\":{\"a.b/c\":true}"),
              "config.json: .annotations[\"a.b/c\"]: must be a string, not a boolean");
  expect_err (DOCT (",\"hostname\":\"h123456789h123456789h123456789h123456789h123456789h123456789h1234\""),
              "config.json: .hostname: longer than 64 bytes");
  expect_err (DOCT (",\"mounts\":{}"), "config.json: .mounts: must be an array, not an object");
  expect_err (DOCT (",\"mounts\":[{\"destination\":\"/a\"},7]"), "config.json: .mounts[1]: must be an object, not a number");
  expect_err (DOCT (",\"mounts\":[{\"type\":\"tmpfs\"}]"), "config.json: .mounts[0].destination: missing");
  expect_err (DOCT (",\"mounts\":[{\"destination\":\"/a\"},{\"destination\":\"rel/b\"}]"),
              "config.json: .mounts[1].destination: must be an absolute path, not \"rel/b\"");
  expect_err (DOCT (",\"mounts\":[{\"destination\":\"/a\",\"options\":[\"ro\",1]}]"),
              "config.json: .mounts[0].options[1]: must be a string, not a number");
  expect_err (DOCT (",\"hooks\":{\"prestart\":[{\"args\":[]}]}"), "config.json: .hooks.prestart[0].path: missing");
  expect_err (DOCT (",\"hooks\":{\"poststop\":[{\"path\":\"true\"}]}"),
              "config.json: .hooks.poststop[0].path: must be an absolute path, not \"true\"");
  expect_err (DOCT (",\"hooks\":{\"createRuntime\":[{\"path\":\"/t\",\"timeout\":0}]}"),
              "config.json: .hooks.createRuntime[0].timeout: must be greater than zero");
  expect_err ("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"a\"],\"cwd\":\"/\"},\"hostname\":\"h\"}",
              "config.json: .hostname: cannot set the hostname without a new UTS namespace");
}

static void
test_errors_process (void **state)
{
  (void) state;
#define PBASE "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"process\":%s}"
  static const struct
  {
    const char *proc, *msg;
  } cases[] = {
    { "{\"cwd\":\"/\"}", ".process.args: must be a non-empty array of strings" },
    { "{\"args\":[],\"cwd\":\"/\"}", ".process.args: must be a non-empty array of strings" },
    { "{\"args\":\"sh\",\"cwd\":\"/\"}", ".process.args: must be a non-empty array of strings" },
    { "{\"args\":[\"sh\",3],\"cwd\":\"/\"}", ".process.args[1]: must be a string, not a number" },
    { "{\"args\":[\"sh\"]}", ".process.cwd: missing" },
    { "{\"args\":[\"sh\"],\"cwd\":\"tmp\"}", ".process.cwd: must be an absolute path, not \"tmp\"" },
    { "{\"args\":[\"sh\"],\"cwd\":\"/\",\"env\":[\"A=1\",\"NOEQUALS\"]}", ".process.env[1]: \"NOEQUALS\" is not NAME=VALUE" },
    { "{\"args\":[\"sh\"],\"cwd\":\"/\",\"env\":[\"=x\"]}", ".process.env[0]: \"=x\" is not NAME=VALUE" },
    { "{\"args\":[\"sh\"],\"cwd\":\"/\",\"terminal\":1}", ".process.terminal: must be a boolean, not a number" },
    { "{\"args\":[\"sh\"],\"cwd\":\"/\",\"consoleSize\":{\"width\":80}}", ".process.consoleSize.height: missing" },
    { "{\"args\":[\"sh\"],\"cwd\":\"/\",\"user\":{\"uid\":-1}}",
      ".process.user.uid: out of range: must be an integer in [0, 4294967295]" },
    { "{\"args\":[\"sh\"],\"cwd\":\"/\",\"user\":{\"uid\":4294967296}}",
      ".process.user.uid: out of range: must be an integer in [0, 4294967295]" },
    { "{\"args\":[\"sh\"],\"cwd\":\"/\",\"user\":{\"gid\":1.5}}", ".process.user.gid: must be an integer" },
    { "{\"args\":[\"sh\"],\"cwd\":\"/\",\"user\":{\"gid\":\"0\"}}", ".process.user.gid: must be a number, not a string" },
    { "{\"args\":[\"sh\"],\"cwd\":\"/\",\"user\":{\"umask\":512}}", ".process.user.umask: must be at most 0777 (511)" },
    { "{\"args\":[\"sh\"],\"cwd\":\"/\",\"user\":{\"additionalGids\":[1,-2]}}",
      ".process.user.additionalGids[1]: out of range: must be an integer in [0, 4294967295]" },
    { "{\"args\":[\"sh\"],\"cwd\":\"/\",\"capabilities\":{\"bounding\":[\"CAP_KILL\",\"CAP_FOO\"]}}",
      ".process.capabilities.bounding[1]: unknown capability \"CAP_FOO\"" },
    { "{\"args\":[\"sh\"],\"cwd\":\"/\",\"capabilities\":{\"ambient\":[\"kill\"]}}",
      ".process.capabilities.ambient[0]: unknown capability \"kill\"" },
    { "{\"args\":[\"sh\"],\"cwd\":\"/\",\"capabilities\":{\"effective\":\"CAP_KILL\"}}",
      ".process.capabilities.effective: must be an array, not a string" },
    { "{\"args\":[\"sh\"],\"cwd\":\"/\",\"rlimits\":[{\"type\":\"RLIMIT_FOO\",\"soft\":1,\"hard\":1}]}",
      ".process.rlimits[0].type: unknown rlimit \"RLIMIT_FOO\"" },
    { "{\"args\":[\"sh\"],\"cwd\":\"/\",\"rlimits\":[{\"type\":\"RLIMIT_CORE\",\"soft\":1,\"hard\":1},{\"type\":\"RLIMIT_CORE\",\"soft\":1,\"hard\":1}]}",
      ".process.rlimits[1].type: duplicate rlimit \"RLIMIT_CORE\"" },
    { "{\"args\":[\"sh\"],\"cwd\":\"/\",\"rlimits\":[{\"type\":\"RLIMIT_CORE\",\"hard\":1}]}",
      ".process.rlimits[0].soft: missing" },
    { "{\"args\":[\"sh\"],\"cwd\":\"/\",\"rlimits\":[{\"type\":\"RLIMIT_CORE\",\"soft\":2,\"hard\":1}]}",
      ".process.rlimits[0].soft: soft limit 2 exceeds the hard limit 1" },
    { "{\"args\":[\"sh\"],\"cwd\":\"/\",\"rlimits\":[{\"type\":\"RLIMIT_CORE\",\"soft\":-1,\"hard\":1}]}",
      ".process.rlimits[0].soft: out of range: must be an integer in [0, 18446744073709551615]" },
    { "{\"args\":[\"sh\"],\"cwd\":\"/\",\"oomScoreAdj\":1001}",
      ".process.oomScoreAdj: out of range: must be an integer in [-1000, 1000]" },
    { "{\"args\":[\"sh\"],\"cwd\":\"/\",\"scheduler\":{}}", ".process.scheduler.policy: missing" },
    { "{\"args\":[\"sh\"],\"cwd\":\"/\",\"scheduler\":{\"policy\":\"SCHED_FAST\"}}",
      ".process.scheduler.policy: unknown scheduler policy \"SCHED_FAST\"" },
    { "{\"args\":[\"sh\"],\"cwd\":\"/\",\"scheduler\":{\"policy\":\"SCHED_ISO\"}}",
      ".process.scheduler.policy: SCHED_ISO is not implemented by Linux" },
    { "{\"args\":[\"sh\"],\"cwd\":\"/\",\"scheduler\":{\"policy\":\"SCHED_OTHER\",\"nice\":20}}",
      ".process.scheduler.nice: must be between -20 and 19" },
    { "{\"args\":[\"sh\"],\"cwd\":\"/\",\"scheduler\":{\"policy\":\"SCHED_OTHER\",\"priority\":5}}",
      ".process.scheduler.priority: only SCHED_FIFO and SCHED_RR take a priority" },
    { "{\"args\":[\"sh\"],\"cwd\":\"/\",\"scheduler\":{\"policy\":\"SCHED_RR\",\"priority\":100}}",
      ".process.scheduler.priority: must be between 1 and 99 for SCHED_FIFO and SCHED_RR" },
    { "{\"args\":[\"sh\"],\"cwd\":\"/\",\"scheduler\":{\"policy\":\"SCHED_RR\",\"priority\":1,\"flags\":[\"SCHED_FLAG_X\"]}}",
      ".process.scheduler.flags[0]: unknown scheduler flag \"SCHED_FLAG_X\"" },
    { "{\"args\":[\"sh\"],\"cwd\":\"/\",\"scheduler\":{\"policy\":\"SCHED_FIFO\"}}",
      ".process.scheduler.priority: must be between 1 and 99 for SCHED_FIFO and SCHED_RR" },
    { "{\"args\":[\"sh\"],\"cwd\":\"/\",\"scheduler\":{\"policy\":\"SCHED_BATCH\",\"runtime\":5}}",
      ".process.scheduler: runtime, deadline and period are only for SCHED_DEADLINE" },
    { "{\"args\":[\"sh\"],\"cwd\":\"/\",\"scheduler\":{\"policy\":\"SCHED_DEADLINE\"}}",
      ".process.scheduler.runtime: SCHED_DEADLINE needs a runtime greater than zero" },
    { "{\"args\":[\"sh\"],\"cwd\":\"/\",\"scheduler\":{\"policy\":\"SCHED_DEADLINE\",\"runtime\":20,\"deadline\":10}}",
      ".process.scheduler.runtime: must not exceed the deadline" },
    { "{\"args\":[\"sh\"],\"cwd\":\"/\",\"ioPriority\":{\"class\":\"IOPRIO_CLASS_NONE\"}}",
      ".process.ioPriority.class: unknown I/O priority class \"IOPRIO_CLASS_NONE\"" },
    { "{\"args\":[\"sh\"],\"cwd\":\"/\",\"ioPriority\":{\"class\":\"IOPRIO_CLASS_BE\",\"priority\":8}}",
      ".process.ioPriority.priority: out of range: must be an integer in [0, 7]" },
    { "{\"args\":[\"sh\"],\"cwd\":\"/\",\"execCPUAffinity\":{\"initial\":\"0-\"}}",
      ".process.execCPUAffinity.initial: invalid CPU list \"0-\"" },
    { "{\"args\":[\"sh\"],\"cwd\":\"/\",\"execCPUAffinity\":{\"final\":\"3-1\"}}",
      ".process.execCPUAffinity.final: invalid CPU list \"3-1\"" },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      char doc[1024], msg[512];
      snprintf (doc, sizeof doc, PBASE, cases[i].proc);
      snprintf (msg, sizeof msg, "config.json: %s", cases[i].msg);
      expect_err (doc, msg);
    }
}

static void
test_errors_linux (void **state)
{
  (void) state;
  static const struct
  {
    const char *linux_, *msg;
  } cases[] = {
    { "\"namespaces\":{}", ".linux.namespaces: must be an array, not an object" },
    { "\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"},{\"type\":\"net\"}]",
      ".linux.namespaces[2].type: unknown namespace type \"net\"" },
    { "\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"},{\"type\":\"network\"},{\"type\":\"foo\"}]",
      ".linux.namespaces[3].type: unknown namespace type \"foo\"" },
    { "\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"pid\"}]", ".linux.namespaces[1].type: duplicate namespace type \"pid\"" },
    { "\"namespaces\":[{\"path\":\"/proc/1/ns/pid\"}]", ".linux.namespaces[0].type: missing" },
    { "\"namespaces\":[{\"type\":\"network\",\"path\":\"netns\"}]",
      ".linux.namespaces[0].path: must be an absolute path, not \"netns\"" },
    { "\"namespaces\":[{\"type\":\"user\"}]", ".linux.uidMappings: required when a new user namespace is created" },
    { "\"namespaces\":[{\"type\":\"user\"}],\"uidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}]",
      ".linux.gidMappings: required when a new user namespace is created" },
    { "\"uidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}]",
      ".linux.uidMappings: mappings given but linux.namespaces has no user namespace" },
    { "\"namespaces\":[{\"type\":\"user\"}],\"uidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":0}]",
      ".linux.uidMappings[0].size: must be greater than zero" },
    { "\"namespaces\":[{\"type\":\"user\"}],\"uidMappings\":[{\"containerID\":0,\"size\":1}]",
      ".linux.uidMappings[0].hostID: missing" },
    { "\"namespaces\":[{\"type\":\"user\"}],\"uidMappings\":[{\"containerID\":4294967295,\"hostID\":0,\"size\":2}]",
      ".linux.uidMappings[0]: range overflows 32-bit ids" },
    { "\"timeOffsets\":{\"monotonic\":{\"secs\":1}}", ".linux.timeOffsets: requires a time namespace in linux.namespaces" },
    { "\"namespaces\":[{\"type\":\"time\",\"path\":\"/proc/1/ns/time\"}],\"timeOffsets\":{\"boottime\":{\"secs\":1}}",
      ".linux.timeOffsets: cannot be set when joining an existing time namespace" },
    { "\"namespaces\":[{\"type\":\"time\"}],\"timeOffsets\":{\"realtime\":{\"secs\":1}}",
      ".linux.timeOffsets.realtime: unknown clock (expected \"monotonic\" or \"boottime\")" },
    { "\"namespaces\":[{\"type\":\"time\"}],\"timeOffsets\":{\"boottime\":{\"nanosecs\":1000000000}}",
      ".linux.timeOffsets.boottime.nanosecs: must be less than 1000000000" },
    { "\"devices\":[{\"path\":\"/dev/x\",\"type\":\"q\",\"major\":1,\"minor\":1}]",
      ".linux.devices[0].type: unknown device type \"q\" (expected c, b, u or p)" },
    { "\"devices\":[{\"path\":\"/dev/x\",\"type\":\"c\",\"major\":1}]",
      ".linux.devices[0].minor: missing (required for type c)" },
    { "\"devices\":[{\"path\":\"dev/x\",\"type\":\"c\",\"major\":1,\"minor\":1}]",
      ".linux.devices[0].path: must be an absolute path, not \"dev/x\"" },
    { "\"devices\":[{\"path\":\"/dev/x\",\"type\":\"c\",\"major\":1,\"minor\":1,\"fileMode\":65535}]",
      ".linux.devices[0].fileMode: must be permission bits (at most 07777)" },
    { "\"rootfsPropagation\":\"sideways\"", ".linux.rootfsPropagation: unknown propagation \"sideways\"" },
    { "\"maskedPaths\":[\"/proc/kcore\",\"proc/keys\"]", ".linux.maskedPaths[1]: must be an absolute path, not \"proc/keys\"" },
    { "\"sysctl\":{\"kernel.panic\":\"1\"}",
      ".linux.sysctl[\"kernel.panic\"]: sysctl \"kernel.panic\" is not namespaced: refusing to change the host" },
    { "\"sysctl\":{\"vm.swappiness\":1}", ".linux.sysctl[\"vm.swappiness\"]: must be a string, not a number" },
    { "\"netDevices\":{\"eth0\":{\"name\":\"this-name-is-too-long\"}}",
      ".linux.netDevices.eth0.name: invalid network interface name \"this-name-is-too-long\"" },
    { "\"netDevices\":{\"eth0\":{\"name\":\"x\"},\"eth1\":{\"name\":\"x\"}}",
      ".linux.netDevices.eth1: two devices would be named \"x\" in the container" },
    { "\"netDevices\":{\"eth0\":{\"name\":\"a/b\"}}", ".linux.netDevices.eth0.name: invalid network interface name \"a/b\"" },
    { "\"netDevices\":{\"eth0\":[]}", ".linux.netDevices.eth0: must be an object, not an array" },
    { "\"memoryPolicy\":{\"mode\":\"MPOL_FAST\"}", ".linux.memoryPolicy.mode: unknown memory policy mode \"MPOL_FAST\"" },
    { "\"memoryPolicy\":{\"nodes\":\"0\"}", ".linux.memoryPolicy.mode: missing" },
    { "\"memoryPolicy\":{\"mode\":\"MPOL_BIND\"}", ".linux.memoryPolicy.nodes: required for MPOL_BIND" },
    { "\"memoryPolicy\":{\"mode\":\"MPOL_DEFAULT\",\"nodes\":\"0\"}", ".linux.memoryPolicy.nodes: must be empty for MPOL_DEFAULT" },
    { "\"memoryPolicy\":{\"mode\":\"MPOL_INTERLEAVE\",\"nodes\":\"0,x\"}", ".linux.memoryPolicy.nodes: invalid node list \"0,x\"" },
    { "\"memoryPolicy\":{\"mode\":\"MPOL_BIND\",\"nodes\":\"0\",\"flags\":[\"MPOL_F_STATIC_NODES\",\"MPOL_F_RELATIVE_NODES\"]}",
      ".linux.memoryPolicy.flags: MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES are mutually exclusive" },
    { "\"memoryPolicy\":{\"mode\":\"MPOL_BIND\",\"nodes\":\"0\",\"flags\":[\"MPOL_F_NODE\"]}",
      ".linux.memoryPolicy.flags[0]: unknown memory policy flag \"MPOL_F_NODE\"" },
    { "\"memoryPolicy\":{\"mode\":\"MPOL_INTERLEAVE\",\"nodes\":\"0\",\"flags\":[\"MPOL_F_NUMA_BALANCING\"]}",
      ".linux.memoryPolicy.flags: MPOL_F_NUMA_BALANCING needs MPOL_BIND or MPOL_PREFERRED_MANY" },
    { "\"sysctl\":{\"kernel.hostname\":\"x\"}", ".linux.sysctl[\"kernel.hostname\"]: not allowed: set .hostname instead" },
    { "\"sysctl\":{\"net/../kernel/panic\":\"1\"}", ".linux.sysctl[\"net/../kernel/panic\"]: invalid sysctl name" },
    { "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":70000}",
      ".linux.seccomp.defaultAction: errnoRet 70000 is out of range (0..65535)" },
    { "\"personality\":{\"domain\":\"LINUX64\"}", ".linux.personality.domain: unknown personality domain \"LINUX64\"" },
    { "\"intelRdt\":{\"closID\":\"x\"}", ".linux.intelRdt: Intel RDT is not supported by cnfrun" },
    { "\"seccomp\":{}", ".linux.seccomp.defaultAction: missing" },
    { "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_NOPE\"}", ".linux.seccomp.defaultAction: unknown seccomp action \"SCMP_ACT_NOPE\"" },
    { "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_Z80\"]}",
      ".linux.seccomp.architectures[0]: unknown seccomp architecture \"SCMP_ARCH_Z80\"" },
    { "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":[\"SECCOMP_FILTER_FLAG_X\"]}",
      ".linux.seccomp.flags[0]: unknown seccomp flag \"SECCOMP_FILTER_FLAG_X\"" },
    { "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"defaultErrnoRet\":1}",
      ".linux.seccomp.defaultErrnoRet: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take an errno" },
    { "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[],\"action\":\"SCMP_ACT_ERRNO\"}]}",
      ".linux.seccomp.syscalls[0].names: must be a non-empty array of strings" },
    { "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"x\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":6,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}]}",
      ".linux.seccomp.syscalls[0].args[0].index: out of range: must be an integer in [0, 5]" },
    { "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"x\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,\"value\":1,\"op\":\"EQ\"}]}]}",
      ".linux.seccomp.syscalls[0].args[0].op: unknown seccomp operator \"EQ\"" },
    { "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"x\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}",
      ".linux.seccomp.listenerPath: required when a rule uses SCMP_ACT_NOTIFY" },
    { "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_NOTIFY\",\"listenerPath\":\"/s\"}",
      ".linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action" },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      char doc[2048], msg[512];
      /* Documents whose linux object carries its own namespaces list. */
      if (strncmp (cases[i].linux_, "\"namespaces\"", 12) == 0)
        snprintf (doc, sizeof doc,
                  "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"a\"],\"cwd\":\"/\"},"
                  "\"linux\":{%s}}",
                  cases[i].linux_);
      else
        snprintf (doc, sizeof doc, DOCL (",%s"), cases[i].linux_);
      snprintf (msg, sizeof msg, "config.json: %s", cases[i].msg);
      expect_err (doc, msg);
    }
}

/* Actions and flags that need a given libseccomp API level parse everywhere, and are either
 * accepted or refused as unsupported by this kernel/libseccomp (never as unknown). */
static void
test_seccomp_host_dependent (void **state)
{
  static const char *const docs[] = {
    DOCL (",\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":[\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\"]}"),
    DOCL (",\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\"]}"),
    DOCL (",\"seccomp\":{\"defaultAction\":\"SCMP_ACT_LOG\"}"),
    DOCL (",\"seccomp\":{\"defaultAction\":\"SCMP_ACT_KILL_PROCESS\"}"),
    DOCL (",\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/run/a.sock\","
          "\"syscalls\":[{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}"),
  };
  (void) state;
  for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++)
    {
      struct spec *s = NULL;
      cnf_err err = NULL;
      if (spec_load_buf ("config.json", docs[i], strlen (docs[i]), &s, &err) == 0)
        {
          assert_non_null (s->linux_.seccomp);
          spec_free (s);
          continue;
        }
      if (strstr (err->msg, "not supported") == NULL)
        fail_msg ("%s", err->msg);
      cnf_err_free (&err);
    }
}

static void
test_cross_checks (void **state)
{
  (void) state;
  /* namespaced sysctls need their namespace */
  expect_err ("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"a\"],\"cwd\":\"/\"},"
              "\"linux\":{\"namespaces\":[{\"type\":\"mount\"}],\"sysctl\":{\"net.ipv4.ip_forward\":\"1\"}}}",
              "config.json: .linux.sysctl[\"net.ipv4.ip_forward\"]: needs a network namespace in linux.namespaces");
  expect_err ("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"a\"],\"cwd\":\"/\"},"
              "\"linux\":{\"namespaces\":[{\"type\":\"mount\"}],\"netDevices\":{\"eth0\":{}}}}",
              "config.json: .linux.netDevices: requires a network namespace in linux.namespaces");
  expect_err ("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"a\"],\"cwd\":\"/\"},"
              "\"linux\":{\"namespaces\":[{\"type\":\"pid\"}],\"maskedPaths\":[\"/proc/kcore\"]}}",
              "config.json: .linux.maskedPaths: requires a mount namespace in linux.namespaces");
  /* idmapped mounts */
  expect_err (DOCT (",\"mounts\":[{\"destination\":\"/a\",\"type\":\"tmpfs\",\"uidMappings\":[{\"containerID\":0,"
                    "\"hostID\":1,\"size\":1}],\"gidMappings\":[{\"containerID\":0,\"hostID\":1,\"size\":1}]}]"),
              "config.json: .mounts[0].uidMappings: idmapped mounts are only supported for bind mounts");
  expect_err (DOCT (",\"mounts\":[{\"destination\":\"/a\",\"options\":[\"bind\"],\"uidMappings\":[{\"containerID\":0,"
                    "\"hostID\":1,\"size\":1}]}]"),
              "config.json: .mounts[0].gidMappings: an idmapped mount needs both uidMappings and gidMappings");
  expect_err (DOCT (",\"mounts\":[{\"destination\":\"/a\",\"source\":\"/b\",\"options\":[\"rbind\",\"idmap\"]}]"),
              "config.json: .mounts[0].options[1]: \"idmap\" without uidMappings/gidMappings needs a user namespace");
  /* a namespace joined by path needs no mappings; a bind idmapped mount is fine */
  struct spec *s = load_ok (
      "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"process\":{\"args\":[\"a\"],\"cwd\":\"/\"},"
      "\"mounts\":[{\"destination\":\"/a\",\"source\":\"/b\",\"options\":[\"rbind\",\"ridmap\"]}],"
      "\"linux\":{\"namespaces\":[{\"type\":\"user\",\"path\":\"/proc/1/ns/user\"},{\"type\":\"mount\"},"
      "{\"type\":\"network\",\"path\":\"/var/run/netns/x\"},{\"type\":\"ipc\"}],\"sysctl\":{\"net.core.somaxconn\":\"1024\","
      "\"net/ipv4/conf/eth0.100/forwarding\":\"1\",\"fs/mqueue/msg_max\":\"10\"}}}");
  assert_true (s->linux_.ns[NS_USER].present);
  assert_string_equal (s->linux_.ns[NS_USER].path, "/proc/1/ns/user");
  assert_string_equal (s->linux_.ns[NS_NET].path, "/var/run/netns/x");
  assert_false (s->linux_.ns[NS_PID].present);
  spec_free (s);
  s = load_ok (DOCL (",\"netDevices\":{\"eth0\":{\"name\":\"net%d\"},\"eth1\":{\"name\":\"net%d\"}}"));
  assert_int_equal (s->linux_.n_net_devices, 2);
  spec_free (s);
}

static void
test_resources (void **state)
{
  (void) state;
  static const struct
  {
    const char *res, *msg;
  } cases[] = {
    { "{\"devices\":[{\"access\":\"rwm\"}]}", ".devices[0].allow: missing" },
    { "{\"devices\":[{\"allow\":true,\"type\":\"x\"}]}", ".devices[0].type: unknown device type \"x\" (expected a, c or b)" },
    { "{\"devices\":[{\"allow\":true,\"access\":\"rwx\"}]}", ".devices[0].access: invalid access \"rwx\" (a subset of \"rwm\")" },
    { "{\"devices\":[{\"allow\":true,\"access\":\"rr\"}]}", ".devices[0].access: invalid access \"rr\" (a subset of \"rwm\")" },
    { "{\"devices\":[{\"allow\":true,\"major\":-2}]}", ".devices[0].major: out of range: must be an integer in [-1, 4294967295]" },
    { "{\"memory\":{\"limit\":-2}}", ".memory.limit: out of range: must be an integer in [-1, 9223372036854775807]" },
    { "{\"memory\":{\"limit\":\"1G\"}}", ".memory.limit: must be a number, not a string" },
    { "{\"memory\":{\"swappiness\":101}}", ".memory.swappiness: must be between 0 and 100" },
    { "{\"memory\":{\"limit\":2000,\"swap\":1000}}", ".memory.swap: memory+swap limit 1000 is below the memory limit 2000" },
    { "{\"cpu\":{\"cpus\":\"0-a\"}}", ".cpu.cpus: invalid CPU list \"0-a\"" },
    { "{\"cpu\":{\"mems\":\",\"}}", ".cpu.mems: invalid memory node list \",\"" },
    { "{\"cpu\":{\"period\":10}}", ".cpu.period: must be between 1000 and 1000000 microseconds" },
    { "{\"cpu\":{\"quota\":-5}}", ".cpu.quota: out of range: must be an integer in [-1, 9223372036854775807]" },
    { "{\"cpu\":{\"idle\":2}}", ".cpu.idle: out of range: must be an integer in [0, 1]" },
    { "{\"pids\":{\"limit\":1.5}}", ".pids.limit: must be an integer" },
    { "{\"hugepageLimits\":[{\"limit\":1}]}", ".hugepageLimits[0].pageSize: missing" },
    { "{\"hugepageLimits\":[{\"pageSize\":\"2M\",\"limit\":1}]}",
      ".hugepageLimits[0].pageSize: invalid page size \"2M\" (like \"2MB\" or \"1GB\")" },
    { "{\"hugepageLimits\":[{\"pageSize\":\"2MB\"}]}", ".hugepageLimits[0].limit: missing" },
    { "{\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":1},{\"pageSize\":\"2MB\",\"limit\":2}]}",
      ".hugepageLimits[1].pageSize: duplicate page size \"2MB\"" },
    { "{\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":-1}]}",
      ".hugepageLimits[0].limit: out of range: must be an integer in [0, 18446744073709551615]" },
    { "{\"blockIO\":{\"weight\":5}}", ".blockIO.weight: must be between 10 and 1000" },
    { "{\"blockIO\":{\"weight\":70000}}", ".blockIO.weight: out of range: must be an integer in [0, 65535]" },
    { "{\"blockIO\":{\"weightDevice\":[{\"major\":8,\"weight\":100}]}}", ".blockIO.weightDevice[0].minor: missing" },
    { "{\"blockIO\":{\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0}]}}", ".blockIO.throttleReadBpsDevice[0].rate: missing" },
    { "{\"network\":{\"priorities\":[{\"priority\":1}]}}", ".network.priorities[0].name: missing" },
    { "{\"rdma\":{\"mlx5_0\":{\"hcaHandles\":-1}}}", ".rdma.mlx5_0.hcaHandles: out of range: must be an integer in [0, 4294967295]" },
    { "{\"unified\":{\"../memory.max\":\"1\"}}", ".unified[\"../memory.max\"]: invalid cgroup file name \"../memory.max\"" },
    { "{\"unified\":{\"cgroup.procs\":\"1\"}}", ".unified[\"cgroup.procs\"]: cgroup core files cannot be set" },
    { "{\"unified\":{\"memory.max\":1}}", ".unified[\"memory.max\"]: must be a string, not a number" },
    { "[]", ".: must be an object, not an array" },
    { "{\"blockIO\":{\"throttleReadIOPSDevice\":[7]}}", ".blockIO.throttleReadIOPSDevice[0]: must be an object, not a number" },
    { "{\"rdma\":{\"mlx5_0\":true}}", ".rdma.mlx5_0: must be an object, not a boolean" },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      char eb[128], msg[512];
      struct cg_resources r = { 0 };
      cnf_err err = NULL;
      json_value *v = json_parse (cases[i].res, strlen (cases[i].res), eb, sizeof eb);
      assert_non_null (v);
      if (spec_parse_resources (v, "update.json", "", &r, &err) == 0)
        fail_msg ("expected an error for %s", cases[i].res);
      snprintf (msg, sizeof msg, "update.json: %s", cases[i].msg);
      if (strcmp (err->msg, msg) != 0)
        fail_msg ("expected \"%s\"\n     got \"%s\"", msg, err->msg);
      assert_null (r.devices);
      assert_null (r.hugepages);
      cnf_err_free (&err);
      json_free (v);
    }
  /* the same errors inside a config carry the full path */
  expect_err (DOCL (",\"resources\":{\"memory\":{\"limit\":true}}"),
              "config.json: .linux.resources.memory.limit: must be a number, not a boolean");
  expect_err (DOCL (",\"resources\":{\"hugepageLimits\":[{\"pageSize\":\"1GB\",\"limit\":\"x\"}]}"),
              "config.json: .linux.resources.hugepageLimits[0].limit: must be a number, not a string");

  /* a lone update document: only what was given is marked present */
  {
    const char *doc = "{\"cpu\":{\"cpus\":\"\",\"quota\":-1},\"pids\":{\"limit\":-1},\"memory\":{\"limit\":-1}}";
    char eb[128];
    struct cg_resources r = { 0 };
    cnf_err err = NULL;
    json_value *v = json_parse (doc, strlen (doc), eb, sizeof eb);
    assert_int_equal (spec_parse_resources (v, "update.json", "", &r, &err), 0);
    assert_true (r.has_cpu_quota);
    assert_int_equal (r.cpu_quota, -1);
    assert_null (r.cpus);
    assert_false (r.has_cpu_shares);
    assert_true (r.has_pids_limit);
    assert_int_equal (r.pids_limit, -1);
    assert_true (r.has_mem_limit);
    assert_false (r.has_mem_swap);
    assert_int_equal (r.n_devices, 0);
    cg_resources_free (&r);
    json_free (v);
  }
}

static void
test_names (void **state)
{
  (void) state;
  static const char *const ns[] = { "pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time" };
  for (int i = 0; i < NS__COUNT; i++)
    {
      assert_string_equal (spec_ns_name ((enum ns_type) i), ns[i]);
      assert_int_equal (spec_ns_from_name (ns[i]), i);
    }
  assert_int_equal (spec_ns_from_name ("net"), -1);
  assert_null (spec_ns_name (NS__COUNT));

  assert_int_equal (spec_cap_last (), 40);
  for (int c = 0; c <= spec_cap_last (); c++)
    {
      const char *n = spec_cap_name (c);
      assert_non_null (n);
      assert_int_equal (spec_cap_from_name (n), c);
    }
  assert_int_equal (spec_cap_from_name ("CAP_NET_ADMIN"), 12);
  assert_int_equal (spec_cap_from_name ("CAP_SYS_ADMIN"), 21);
  assert_int_equal (spec_cap_from_name ("CAP_PERFMON"), 38);
  assert_int_equal (spec_cap_from_name ("CAP_BPF"), 39);
  assert_int_equal (spec_cap_from_name ("CAP_CHECKPOINT_RESTORE"), 40);
  assert_int_equal (spec_cap_from_name ("NET_ADMIN"), -1);
  assert_null (spec_cap_name (41));
  assert_null (spec_cap_name (-1));

  assert_int_equal (spec_rlimit_from_name ("RLIMIT_NOFILE"), RLIMIT_NOFILE);
  assert_int_equal (spec_rlimit_from_name ("RLIMIT_RTTIME"), RLIMIT_RTTIME);
  assert_int_equal (spec_rlimit_from_name ("NOFILE"), -1);
  assert_int_equal (spec_name_count (spec_rlimit_names), 16);

  const struct spec_name *tables[] = { spec_rlimit_names,     spec_sched_policies,   spec_sched_flags,
                                       spec_ioprio_classes,   spec_mpol_modes,       spec_mpol_flags,
                                       spec_personality_domains, spec_seccomp_actions, spec_seccomp_operators,
                                       spec_seccomp_archs,    spec_seccomp_flags };
  for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
    for (const struct spec_name *e = tables[t]; e->name; e++)
      {
        long v = -12345;
        assert_int_equal (spec_name_lookup (tables[t], e->name, &v), 0);
        assert_int_equal (v, e->value);
        assert_non_null (spec_name_of (tables[t], e->value));
      }
  {
    long v;
    assert_int_equal (spec_name_lookup (spec_sched_policies, "SCHED_DEADLINE", &v), 0);
    assert_int_equal (v, 6);
    assert_int_equal (spec_name_lookup (spec_sched_policies, "SCHED_IDLE", &v), 0);
    assert_int_equal (v, SCHED_IDLE);
    assert_int_equal (spec_name_lookup (spec_ioprio_classes, "IOPRIO_CLASS_IDLE", &v), 0);
    assert_int_equal (v, IOPRIO_CLASS_IDLE);
    assert_int_equal (spec_name_lookup (spec_mpol_modes, "MPOL_WEIGHTED_INTERLEAVE", &v), 0);
    assert_int_equal (v, 6);
    assert_int_equal (spec_name_lookup (spec_mpol_modes, "MPOL_PREFERRED_MANY", &v), 0);
    assert_int_equal (v, 5);
    assert_int_equal (spec_name_lookup (spec_mpol_flags, "MPOL_F_NUMA_BALANCING", &v), 0);
    assert_int_equal (v, 1 << 13);
    assert_int_equal (spec_name_lookup (spec_seccomp_actions, "SCMP_ACT_KILL_PROCESS", &v), 0);
    assert_int_equal ((unsigned long) v, 0x80000000ul);
    assert_int_equal (spec_name_lookup (spec_seccomp_actions, "SCMP_ACT_TRACE", &v), 0);
    assert_int_equal ((unsigned long) v, 0x7ff00000ul);
    assert_int_equal (spec_name_lookup (spec_seccomp_operators, "SCMP_CMP_MASKED_EQ", &v), 0);
    assert_int_equal (v, 7);
    assert_int_equal (spec_name_lookup (spec_sched_flags, "SCHED_FLAG_UTIL_CLAMP_MAX", &v), 0);
    assert_int_equal (v, 0x40);
    assert_int_equal (spec_name_lookup (spec_sched_flags, "nope", &v), -1);
    assert_null (spec_name_of (spec_sched_flags, 0x1000));
  }

  assert_true (spec_valid_id_list ("0"));
  assert_true (spec_valid_id_list ("0-3,7,9-11"));
  assert_true (spec_valid_id_list ("2047"));
  assert_false (spec_valid_id_list (""));
  assert_false (spec_valid_id_list ("1,"));
  assert_false (spec_valid_id_list ("-1"));
  assert_false (spec_valid_id_list ("1 - 2"));
  assert_false (spec_valid_id_list ("5-2"));
  assert_false (spec_valid_id_list ("99999999999"));
}

static void
test_process_file (void **state)
{
  (void) state;
  char path[] = "/tmp/cnfrun-test-spec-XXXXXX";
  const char *good = "{\"args\":[\"ls\",\"-l\"],\"cwd\":\"/tmp\",\"env\":[\"A=b\"],\"user\":{\"uid\":5},"
                     "\"capabilities\":{\"bounding\":[\"CAP_KILL\"]},\"terminal\":false}";
  const char *bad = "{\"args\":[\"ls\"],\"cwd\":\"/\",\"capabilities\":{\"permitted\":[\"CAP_KILL\",\"CAP_NOPE\"]}}";
  struct spec_process p;
  cnf_err err = NULL;
  int fd = mkstemp (path);
  assert_true (fd >= 0);
  assert_true (write (fd, good, strlen (good)) == (ssize_t) strlen (good));
  close (fd);
  assert_int_equal (spec_load_process_file (path, &p, &err), 0);
  assert_int_equal (p.n_args, 2);
  assert_string_equal (p.cwd, "/tmp");
  assert_int_equal (p.user.uid, 5);
  assert_int_equal (p.caps.caps[CAP_SET_BOUNDING][0], 5);
  spec_process_free (&p);

  fd = open (path, O_WRONLY | O_TRUNC);
  assert_true (write (fd, bad, strlen (bad)) == (ssize_t) strlen (bad));
  close (fd);
  assert_int_equal (spec_load_process_file (path, &p, &err), -1);
  {
    char msg[256];
    snprintf (msg, sizeof msg, "%s: .capabilities.permitted[1]: unknown capability \"CAP_NOPE\"", path);
    assert_string_equal (err->msg, msg);
  }
  cnf_err_free (&err);
  assert_null (p.args);
  unlink (path);

  assert_int_equal (spec_load_file ("/nonexistent/config.json", &(struct spec *){ NULL }, &err), -1);
  assert_non_null (strstr (err->msg, "config.json: "));
  cnf_err_free (&err);
}

static void
test_data_files (void **state)
{
  (void) state;
  /* tests/data/spec-bad-*.json: each carries the message it must produce in its first line's
   * companion file spec-bad-*.err. */
  static const char *const bad[] = { "spec-bad-nsType", "spec-bad-cap", "spec-bad-noVersion", "spec-bad-args",
                                     "spec-bad-version2", "spec-bad-userns", "spec-bad-timeoffsets",
                                     "spec-bad-malformed", "spec-bad-hugepages" };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      char path[512], *want = NULL;
      size_t len;
      struct spec *s = NULL;
      cnf_err err = NULL;
      snprintf (path, sizeof path, CNF_TEST_DATA "/%s.err", bad[i]);
      if (read_file_at (AT_FDCWD, path, &want, &len, &err) < 0)
        fail_msg ("%s", err->msg);
      while (len && want[len - 1] == '\n')
        want[--len] = '\0';
      snprintf (path, sizeof path, CNF_TEST_DATA "/%s.json", bad[i]);
      assert_int_equal (spec_load_file (path, &s, &err), -1);
      if (strcmp (err->msg, want) != 0)
        fail_msg ("%s: expected \"%s\"\n     got \"%s\"", bad[i], want, err->msg);
      cnf_err_free (&err);
      free (want);
    }
}

static void
test_default_spec (void **state)
{
  (void) state;
  for (int rootless = 0; rootless < 2; rootless++)
    {
      size_t len;
      char *doc = cmd_spec_default_config (rootless, &len);
      struct spec *s = NULL;
      cnf_err err = NULL;
      if (spec_load_buf ("config.json", doc, len, &s, &err) < 0)
        fail_msg ("default spec does not validate: %s", err->msg);
      assert_true (s->process.terminal);
      assert_string_equal (s->process.args[0], "sh");
      assert_int_equal (s->n_mounts, 7);
      assert_true (s->linux_.ns[NS_PID].present);
      assert_true (s->linux_.ns[NS_MNT].present);
      assert_int_equal (s->linux_.ns[NS_NET].present, !rootless);
      assert_int_equal (s->linux_.ns[NS_USER].present, rootless);
      if (rootless)
        {
          assert_int_equal (s->linux_.uid_mappings[0].host_id, geteuid ());
          assert_int_equal (s->linux_.gid_mappings[0].size, 1);
        }
      assert_int_equal (s->linux_.n_masked_paths, 11);
      assert_false (s->process.caps.present[CAP_SET_AMBIENT]);
      assert_int_equal (s->process.caps.n_caps[CAP_SET_BOUNDING], 3);
      assert_int_equal (s->linux_.n_readonly_paths, 5);
      spec_free (s);
      free (doc);
    }
}

static void
test_features (void **state)
{
  (void) state;
  size_t len;
  char eb[128];
  char *doc = features_document (&len);
  json_value *v = json_parse (doc, len, eb, sizeof eb);
  assert_non_null (v);
  assert_string_equal (json_string (json_get (v, "ociVersionMin")), "1.0.0");
  assert_string_equal (json_string (json_get (v, "ociVersionMax")), "1.3.0");
  assert_int_equal (json_len (json_get (v, "hooks")), 6);
  json_value *lx = json_get (v, "linux");
  assert_int_equal (json_len (json_get (lx, "namespaces")), 8);
  assert_int_equal (json_len (json_get (lx, "capabilities")), 41);
  bool b;
  assert_int_equal (json_get_bool (json_get (json_get (lx, "cgroup"), "v2"), &b), 0);
  assert_true (b);
  assert_int_equal (json_get_bool (json_get (json_get (lx, "cgroup"), "v1"), &b), 0);
  assert_false (b);
  assert_int_equal (json_get_bool (json_get (json_get (lx, "netDevices"), "enabled"), &b), 0);
  assert_true (b);
  assert_int_equal (json_len (json_get (json_get (lx, "memoryPolicy"), "modes")), 7);
  assert_int_equal (json_len (json_get (json_get (lx, "memoryPolicy"), "flags")), 3);
  assert_non_null (json_get (json_get (v, "annotations"), "io.github.cnfrun.version"));
  /* rro and idmap appear together with mountExtensions.idmap.enabled */
  {
    json_value *mo = json_get (v, "mountOptions");
    bool rro = false, idmap = false;
    for (size_t i = 0; i < json_len (mo); i++)
      {
        rro |= strcmp (json_string (json_at (mo, i)), "rro") == 0;
        idmap |= strcmp (json_string (json_at (mo, i)), "idmap") == 0;
      }
    assert_int_equal (json_get_bool (json_get (json_get (json_get (lx, "mountExtensions"), "idmap"), "enabled"), &b), 0);
    assert_true (b);
    assert_int_equal (rro, idmap);
  }
  json_free (v);
  free (doc);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_full),          cmocka_unit_test (test_minimal),      cmocka_unit_test (test_errors_top),
    cmocka_unit_test (test_errors_process), cmocka_unit_test (test_errors_linux), cmocka_unit_test (test_cross_checks), cmocka_unit_test (test_seccomp_host_dependent),
    cmocka_unit_test (test_resources),     cmocka_unit_test (test_names),        cmocka_unit_test (test_process_file),
    cmocka_unit_test (test_data_files),    cmocka_unit_test (test_default_spec), cmocka_unit_test (test_features),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}

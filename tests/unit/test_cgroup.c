/* test_cgroup.c — the cgroup library's pure logic: value conversions, cgroupsPath and systemd
 * path resolution, CPU masks, the eBPF device program (built and evaluated in C), resources
 * JSON, and IRQ mask save/restore against a fake /proc/irq tree. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <linux/bpf.h>
#include "cgroups/internal.h"
#include "lib/util.h"

static void
test_shares_to_weight (void **s)
{
  assert_int_equal (cg_shares_to_weight (0), 0);
  assert_int_equal (cg_shares_to_weight (2), 1);
  assert_int_equal (cg_shares_to_weight (1024), 39);
  assert_int_equal (cg_shares_to_weight (262144), 10000);
  assert_int_equal (cg_shares_to_weight (1), 1);          /* clamped */
  assert_int_equal (cg_shares_to_weight (1000000), 10000); /* clamped */
  assert_int_equal (cg_blkio_to_io_weight (10), 1);
  assert_int_equal (cg_blkio_to_io_weight (1000), 10000);
  assert_int_equal (cg_blkio_to_io_weight (500), 1 + (490 * 9999) / 990);
}

static void
test_swap (void **s)
{
  int64_t v;
  bool set;
  cnf_err err = NULL;
  /* memory+swap 3G with memory 1G: 2G of swap */
  assert_int_equal (cg_swap_to_v2 (true, 3LL << 30, true, 1LL << 30, &v, &set, &err), 0);
  assert_true (set);
  assert_int_equal (v, 2LL << 30);
  /* equal: no swap */
  assert_int_equal (cg_swap_to_v2 (true, 1LL << 30, true, 1LL << 30, &v, &set, &err), 0);
  assert_true (set);
  assert_int_equal (v, 0);
  /* -1: unlimited */
  assert_int_equal (cg_swap_to_v2 (true, -1, true, 1LL << 30, &v, &set, &err), 0);
  assert_true (set);
  assert_int_equal (v, -1);
  /* unlimited memory and no swap given: both unlimited */
  assert_int_equal (cg_swap_to_v2 (false, 0, true, -1, &v, &set, &err), 0);
  assert_true (set);
  assert_int_equal (v, -1);
  /* nothing given */
  assert_int_equal (cg_swap_to_v2 (false, 0, true, 1 << 20, &v, &set, &err), 0);
  assert_false (set);
  /* swap below memory is an error, as is swap without a memory limit */
  assert_int_equal (cg_swap_to_v2 (true, 1 << 20, true, 2 << 20, &v, &set, &err), -1);
  assert_non_null (strstr (err->msg, "must be >="));
  cnf_err_free (&err);
  assert_int_equal (cg_swap_to_v2 (true, 1 << 20, false, 0, &v, &set, &err), -1);
  assert_non_null (strstr (err->msg, "needs a memory limit"));
  cnf_err_free (&err);
}

static void
test_cpu_max (void **s)
{
  char b[64];
  assert_false (cg_cpu_max_text (false, 0, false, 0, b, sizeof b));
  assert_true (cg_cpu_max_text (true, 50000, true, 100000, b, sizeof b));
  assert_string_equal (b, "50000 100000");
  assert_true (cg_cpu_max_text (true, -1, true, 100000, b, sizeof b));
  assert_string_equal (b, "max 100000");
  assert_true (cg_cpu_max_text (true, 20000, false, 0, b, sizeof b));
  assert_string_equal (b, "20000");
  assert_true (cg_cpu_max_text (false, 0, true, 250000, b, sizeof b));
  assert_string_equal (b, "max 250000");
  cg_limit_text (-1, b, sizeof b);
  assert_string_equal (b, "max");
  cg_limit_text (4096, b, sizeof b);
  assert_string_equal (b, "4096");
  assert_int_equal (cg_hugepage_size_bytes ("2MB"), 2 << 20);
  assert_int_equal (cg_hugepage_size_bytes ("1GB"), 1LL << 30);
  assert_int_equal (cg_hugepage_size_bytes ("64KB"), 64 << 10);
  assert_int_equal (cg_hugepage_size_bytes ("2M"), -1);
  assert_int_equal (cg_hugepage_size_bytes ("MB"), -1);
}

static void
test_paths (void **s)
{
  char *rel = NULL, *slice = NULL, *unit = NULL;
  cnf_err err = NULL;
  assert_int_equal (cg_resolve_path (NULL, "abc", "/user.slice", &rel, &err), 0);
  assert_string_equal (rel, "/cnfrun/abc");
  free (rel);
  assert_int_equal (cg_resolve_path ("/kubepods//pod1/ctr/", "x", "/", &rel, &err), 0);
  assert_string_equal (rel, "/kubepods/pod1/ctr");
  free (rel);
  assert_int_equal (cg_resolve_path ("a/b", "x", "/runtime.slice/me", &rel, &err), 0);
  assert_string_equal (rel, "/runtime.slice/me/a/b");
  free (rel);
  assert_int_equal (cg_resolve_path ("./a", "x", "/", &rel, &err), 0);
  assert_string_equal (rel, "/a");
  free (rel);
  assert_int_equal (cg_resolve_path ("/a/../../etc", "x", "/", &rel, &err), -1);
  assert_non_null (strstr (err->msg, ".."));
  cnf_err_free (&err);
  assert_int_equal (cg_resolve_path ("/", "x", "/", &rel, &err), -1);
  cnf_err_free (&err);
  assert_int_equal (cg_resolve_path ("system.slice:crio:abc", "x", "/", &rel, &err), -1);
  assert_non_null (strstr (err->msg, "--systemd-cgroup"));
  cnf_err_free (&err);
  assert_int_equal (cg_resolve_path (NULL, "..", "/", &rel, &err), -1);
  cnf_err_free (&err);

  assert_int_equal (cg_resolve_systemd ("kubepods-besteffort-pod12.slice:crio:abc", "abc", &slice, &unit, &rel, &err), 0);
  assert_string_equal (slice, "kubepods-besteffort-pod12.slice");
  assert_string_equal (unit, "crio-abc.scope");
  assert_string_equal (rel, "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod12.slice/crio-abc.scope");
  free (slice), free (unit), free (rel);
  assert_int_equal (cg_resolve_systemd (NULL, "abc", &slice, &unit, &rel, &err), 0);
  assert_string_equal (rel, "/system.slice/cnfrun-abc.scope");
  free (slice), free (unit), free (rel);
  assert_int_equal (cg_resolve_systemd (":p:n", "abc", &slice, &unit, &rel, &err), 0);
  assert_string_equal (rel, "/system.slice/p-n.scope");
  free (slice), free (unit), free (rel);
  assert_int_equal (cg_resolve_systemd ("/abs/path", "abc", &slice, &unit, &rel, &err), -1);
  cnf_err_free (&err);
  assert_int_equal (cg_resolve_systemd ("bad--x.slice:p:n", "abc", &slice, &unit, &rel, &err), -1);
  cnf_err_free (&err);
  assert_int_equal (cg_expand_slice ("-.slice", &rel, &err), 0);
  assert_string_equal (rel, "");
  free (rel);
}

static void
test_cpumask (void **s)
{
  struct cpumask m = { 0 }, c = { 0 }, r = { 0 };
  char *t;
  assert_int_equal (cpumask_parse_list ("0-3,7,64-65", &m), 0);
  t = cpumask_format_list (&m);
  assert_string_equal (t, "0-3,7,64-65");
  free (t);
  t = cpumask_format_hex (&m, 0);
  assert_string_equal (t, "3,00000000,0000008f");
  free (t);
  assert_int_equal (cpumask_parse_list ("3-1", &c), -1);
  assert_int_equal (cpumask_parse_list ("x", &c), -1);
  cpumask_free (&m);
  /* procfs layout with many groups (> 1024 cpus) keeps its width */
  assert_int_equal (cpumask_parse_hex ("ff,ffffffff", &m), 0);
  assert_true (cpumask_test (&m, 39));
  assert_false (cpumask_test (&m, 40));
  assert_int_equal (cpumask_parse_list ("2-3,33", &c), 0);
  cpumask_andnot (&r, &m, &c);
  t = cpumask_format_hex (&r, cpumask_hex_groups ("ff,ffffffff"));
  assert_string_equal (t, "fd,fffffff3");
  free (t);
  cpumask_free (&m);
  assert_int_equal (cpumask_parse_list ("1200", &m), 0);
  t = cpumask_format_hex (&m, 0);
  assert_int_equal (cpumask_hex_groups (t), 38);
  free (t);
  cpumask_free (&m);
  cpumask_free (&c);
  cpumask_free (&r);
}

/* Controller lists as cgroup.controllers prints them: whole words only. */
static void
test_words_have (void **s)
{
  assert_true (cg_words_have ("cpuset cpu io memory hugetlb pids\n", "cpu"));
  assert_true (cg_words_have ("cpuset cpu io memory hugetlb pids\n", "pids"));
  assert_true (cg_words_have ("hugetlb", "hugetlb"));
  assert_false (cg_words_have ("cpuset io\n", "cpu"));
  assert_false (cg_words_have ("cpuset io\n", "iop"));
  assert_false (cg_words_have ("", "cpu"));
  assert_false (cg_words_have ("\n", "cpu"));
}

static void
test_devices (void **s)
{
  struct cg_device_rule rules[] = {
    { false, 'a', -1, -1, "rwm" },     /* runc spec's default deny-all first */
    { true, 'c', 10, 196, "rw" },      /* /dev/vfio/vfio */
    { true, 'c', 241, -1, "rw" },      /* /dev/vfio/N (dynamic major) */
    { true, 'b', 8, 0, "r" },          /* read-only sda */
    { false, 'c', 241, 7, "w" },       /* but group 7 not writable */
  };
  struct bpf_insn_buf b;
  cnf_err err = NULL;
  assert_int_equal (cg_devices_build (rules, 5, &b, &err), 0);
  /* defaults survive the leading deny-all */
  assert_int_equal (cg_devices_eval (&b, 'c', 1, 3, "rw"), 1);
  assert_int_equal (cg_devices_eval (&b, 'c', 136, 4, "rw"), 1);
  assert_int_equal (cg_devices_eval (&b, 'c', 10, 200, "rw"), 1);
  assert_int_equal (cg_devices_eval (&b, 'c', 10, 196, "rw"), 1);
  assert_int_equal (cg_devices_eval (&b, 'c', 10, 196, "m"), 1); /* mknod allowed by default */
  assert_int_equal (cg_devices_eval (&b, 'c', 241, 3, "rw"), 1);
  assert_int_equal (cg_devices_eval (&b, 'c', 241, 7, "r"), 1);
  assert_int_equal (cg_devices_eval (&b, 'c', 241, 7, "w"), 0);
  assert_int_equal (cg_devices_eval (&b, 'b', 8, 0, "r"), 1);
  assert_int_equal (cg_devices_eval (&b, 'b', 8, 0, "w"), 0);
  assert_int_equal (cg_devices_eval (&b, 'b', 8, 1, "r"), 0);
  assert_int_equal (cg_devices_eval (&b, 'c', 4, 1, "r"), 0);
  cg_devices_free (&b);
  /* no rules at all: default deny plus the defaults */
  assert_int_equal (cg_devices_build (NULL, 0, &b, &err), 0);
  assert_int_equal (cg_devices_eval (&b, 'c', 1, 5, "r"), 1);
  assert_int_equal (cg_devices_eval (&b, 'b', 7, 0, "r"), 0);
  cg_devices_free (&b);
  /* an allow-all at the end wins */
  {
    struct cg_device_rule all[] = { { true, 'a', -1, -1, "rwm" } };
    assert_int_equal (cg_devices_build (all, 1, &b, &err), 0);
    assert_int_equal (cg_devices_eval (&b, 'b', 8, 0, "rw"), 1);
    cg_devices_free (&b);
  }
  /* a deny-all as the spec's first rule is evaluated last and ends the program there: no
   * unreachable default-deny after it (the verifier refuses dead code) */
  {
    struct cg_device_rule deny[] = { { false, 'a', -1, -1, "rwm" } };
    const struct bpf_insn *in;
    assert_int_equal (cg_devices_build (deny, 1, &b, &err), 0);
    in = b.insns;
    assert_int_equal (in[b.n - 2].code, BPF_ALU64 | BPF_MOV | BPF_K);
    assert_int_equal (in[b.n - 2].imm, 0);
    assert_int_equal (in[b.n - 1].code, BPF_JMP | BPF_EXIT);
    {
      const struct cg_device_rule *defs;
      size_t nd = cg_default_device_rules (&defs), exits = 0, i;
      for (i = 0; i < b.n; i++)
        exits += in[i].code == (BPF_JMP | BPF_EXIT);
      assert_int_equal (exits, nd + 1); /* one per rule, no trailing default deny */
    }
    assert_int_equal (cg_devices_eval (&b, 'c', 1, 3, "rw"), 1);
    assert_int_equal (cg_devices_eval (&b, 'c', 4, 1, "r"), 0);
    cg_devices_free (&b);
  }
  {
    struct cg_device_rule bad[] = { { true, 'c', 1, 1, "x" } };
    assert_int_equal (cg_devices_build (bad, 1, &b, &err), -1);
    assert_non_null (strstr (err->msg, "access"));
    cnf_err_free (&err);
  }
}

static void
put (const char *dir, const char *name, const char *val)
{
  char p[512];
  int fd;
  snprintf (p, sizeof p, "%s/%s", dir, name);
  fd = open (p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  assert_true (fd >= 0);
  assert_int_equal (write (fd, val, strlen (val)), (ssize_t) strlen (val));
  close (fd);
}

static char *
get (const char *dir, const char *name)
{
  char p[512], *out = NULL;
  size_t l;
  snprintf (p, sizeof p, "%s/%s", dir, name);
  assert_int_equal (read_file_at (AT_FDCWD, p, &out, &l, NULL), 0);
  out[strcspn (out, "\n")] = '\0';
  return out;
}

/* A fake /proc/irq: masks lose the container's cpus and get exactly them back. */
static void
test_irq (void **s)
{
  char tmpl[] = "/tmp/cg-irq-XXXXXX", root[300], state[300];
  struct cpumask cpus = { 0 };
  cnf_err err = NULL;
  int sfd;
  char *t;
  assert_non_null (mkdtemp (tmpl));
  snprintf (root, sizeof root, "%s/irq", tmpl);
  snprintf (state, sizeof state, "%s/state", tmpl);
  mkdir (root, 0755);
  mkdir (state, 0755);
  mkdir (strcat (strcpy ((char[400]){ 0 }, root), "/10"), 0755);
  mkdir (strcat (strcpy ((char[400]){ 0 }, root), "/11"), 0755);
  mkdir (strcat (strcpy ((char[400]){ 0 }, root), "/12"), 0755);
  put (root, "default_smp_affinity", "f\n");
  put (root, "10/smp_affinity", "f\n");
  put (root, "11/smp_affinity", "4\n"); /* only on an isolated cpu: left alone */
  put (root, "12/smp_affinity", "3\n"); /* no overlap: untouched */
  sfd = open (state, O_RDONLY | O_DIRECTORY);
  assert_int_equal (cpumask_parse_list ("2-3", &cpus), 0);
  assert_int_equal (cg_irq_disable (root, &cpus, "/sys/fs/cgroup/x", sfd, &err), 0);
  t = get (root, "10/smp_affinity");
  assert_string_equal (t, "3");
  free (t);
  t = get (root, "11/smp_affinity");
  assert_string_equal (t, "4");
  free (t);
  t = get (root, "default_smp_affinity");
  assert_string_equal (t, "3");
  free (t);
  assert_int_equal (faccessat (sfd, CG_IRQ_SAVE_FILE, F_OK, 0), 0);
  /* something else changed irq 10 meanwhile (cpu 1 removed): it keeps that change */
  put (root, "10/smp_affinity", "1\n");
  /* crash recovery: the saved cgroup does not exist, so the masks come back */
  {
    char sroot[300];
    snprintf (sroot, sizeof sroot, "%s", tmpl);
    rename (state, strcat (strcpy ((char[400]){ 0 }, tmpl), "/ctr1"));
    assert_int_equal (cg_recover_stale (sroot, &err), 0);
    close (sfd);
    sfd = open (strcat (strcpy ((char[400]){ 0 }, tmpl), "/ctr1"), O_RDONLY | O_DIRECTORY);
  }
  t = get (root, "10/smp_affinity");
  assert_string_equal (t, "d");
  free (t);
  t = get (root, "default_smp_affinity");
  assert_string_equal (t, "f");
  free (t);
  assert_int_equal (faccessat (sfd, CG_IRQ_SAVE_FILE, F_OK, 0), -1);
  /* restore without a record: nothing to do */
  assert_int_equal (cg_irq_restore (sfd, &err), 0);
  close (sfd);
  cpumask_free (&cpus);
  rm_rf_at (AT_FDCWD, tmpl, NULL);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_shares_to_weight), cmocka_unit_test (test_swap),   cmocka_unit_test (test_cpu_max),
    cmocka_unit_test (test_paths),            cmocka_unit_test (test_cpumask), cmocka_unit_test (test_devices),
    cmocka_unit_test (test_irq),              cmocka_unit_test (test_words_have),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}

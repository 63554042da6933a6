# runtime/local.mk — the cnfrun OCI runtime.  Runtime engineers APPEND their lines
# (RUNTIME_CORE_SOURCES += …, RUNTIME_LIBS += …, cnfrun_SOURCES += …); never rewrite this block.
RUNTIME_CORE_SOURCES = runtime/spec.h runtime/cli.h runtime/state.c runtime/state.h \
	runtime/signals.c runtime/signals.h runtime/procfs.c runtime/procfs.h
RUNTIME_CFLAGS = $(AM_CFLAGS) $(LIBCAP_CFLAGS) $(LIBNL_CFLAGS) $(LIBNL_ROUTE_CFLAGS) $(SECCOMP_CFLAGS) $(SYSTEMD_CFLAGS)
RUNTIME_LIBS = $(LIBCAP_LIBS) $(SECCOMP_LIBS)

noinst_LIBRARIES += runtime/libcnfrt.a
runtime_libcnfrt_a_SOURCES = $(RUNTIME_CORE_SOURCES)
runtime_libcnfrt_a_CFLAGS = $(RUNTIME_CFLAGS)

bin_PROGRAMS += cnfrun
cnfrun_SOURCES = runtime/main.c runtime/cmd_lifecycle.c runtime/container.c runtime/container.h \
	runtime/namespaces.c runtime/namespaces.h runtime/cmd_exec.c runtime/cloned_binary.c runtime/cloned_binary.h
cnfrun_CFLAGS = $(RUNTIME_CFLAGS)
cnfrun_LDADD = runtime/libcnfrt.a $(LIBCNFCG) lib/libcnf.a $(CNFRUN_DEP_LIBS)
cnfrun_LDFLAGS = $(AM_LDFLAGS) $(CNFRUN_LDFLAGS)

# seccomp (linux.seccomp, profiles, features lists)
RUNTIME_CORE_SOURCES += runtime/seccomp.c runtime/seccomp.h
RUNTIME_CFLAGS += -DCNF_SECCOMP_SRCDIR='"$(abs_top_srcdir)/seccomp-profiles"'
# A static probe copied into test rootfs: runs one syscall and prints the errno (tests/integration/seccomp.bats).
noinst_PROGRAMS += tests/integration/seccomp_probe
tests_integration_seccomp_probe_SOURCES = tests/integration/seccomp_probe.c
tests_integration_seccomp_probe_LDFLAGS = -static
tests_integration_seccomp_probe_CFLAGS = $(CNF_BASE_CFLAGS) # static: never sanitized
# A static attacker for the CVE regression tests (tests/integration/cve.bats).
noinst_PROGRAMS += tests/integration/cve_probe
tests_integration_cve_probe_SOURCES = tests/integration/cve_probe.c
tests_integration_cve_probe_LDFLAGS = -static
tests_integration_cve_probe_CFLAGS = $(CNF_BASE_CFLAGS) # static: never sanitized
# A minimal seccomp agent (listenerPath end) for the SCMP_ACT_NOTIFY test.
noinst_PROGRAMS += tests/integration/seccomp_agent
tests_integration_seccomp_agent_SOURCES = tests/integration/seccomp_agent.c
tests_integration_seccomp_agent_CFLAGS = $(AM_CFLAGS) $(SECCOMP_CFLAGS)
tests_integration_seccomp_agent_LDADD = $(SECCOMP_LIBS)
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_seccomp
tests_unit_test_seccomp_SOURCES = tests/unit/test_seccomp.c
tests_unit_test_seccomp_CFLAGS = $(RUNTIME_CFLAGS) $(CMOCKA_CFLAGS) -DCNF_SRCDIR='"$(abs_top_srcdir)"'
tests_unit_test_seccomp_LDADD = runtime/libcnfrt.a $(LIBCNFCG) $(LIBCNF) $(RUNTIME_LIBS) $(CMOCKA_LIBS)
endif
# rootfs engineer: mounts, devices, safe paths, sysctl
RUNTIME_CORE_SOURCES += runtime/rootfs.c runtime/rootfs.h runtime/mounts.c runtime/mounts.h \
	runtime/mount_options.c runtime/mount_options.h runtime/devices.c runtime/devices.h \
	runtime/safe_path.c runtime/safe_path.h runtime/sysctl.c runtime/sysctl.h

# process engineer: process setup and exec, capabilities, terminal, hooks, netDevices, CPU masks
RUNTIME_CORE_SOURCES += runtime/process.c runtime/process.h runtime/caps.c runtime/caps.h \
	runtime/terminal.c runtime/terminal.h runtime/hooks.c runtime/hooks.h \
	runtime/netdev.c runtime/netdev.h runtime/cpuset_mask.c runtime/cpuset_mask.h
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_mount_options tests/unit/test_safe_path
tests_unit_test_mount_options_SOURCES = tests/unit/test_mount_options.c
tests_unit_test_mount_options_CFLAGS = $(RUNTIME_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_mount_options_LDADD = runtime/libcnfrt.a $(LIBCNFCG) $(LIBCNF) $(RUNTIME_LIBS) $(CMOCKA_LIBS)
tests_unit_test_safe_path_SOURCES = tests/unit/test_safe_path.c
tests_unit_test_safe_path_CFLAGS = $(RUNTIME_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_safe_path_LDADD = runtime/libcnfrt.a $(LIBCNFCG) $(LIBCNF) $(RUNTIME_LIBS) $(CMOCKA_LIBS)
endif
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_process tests/unit/test_process_hooks tests/unit/test_cpuset_mask
tests_unit_test_process_SOURCES = tests/unit/test_process.c
tests_unit_test_process_CFLAGS = $(RUNTIME_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_process_LDADD = runtime/libcnfrt.a $(LIBCNFCG) $(LIBCNF) $(RUNTIME_LIBS) $(CMOCKA_LIBS)
tests_unit_test_process_hooks_SOURCES = tests/unit/test_process_hooks.c
tests_unit_test_process_hooks_CFLAGS = $(RUNTIME_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_process_hooks_LDADD = runtime/libcnfrt.a $(LIBCNFCG) $(LIBCNF) $(RUNTIME_LIBS) $(CMOCKA_LIBS)
tests_unit_test_cpuset_mask_SOURCES = tests/unit/test_cpuset_mask.c
tests_unit_test_cpuset_mask_CFLAGS = $(RUNTIME_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_cpuset_mask_LDADD = runtime/libcnfrt.a $(LIBCNF) $(CMOCKA_LIBS)
endif

# spec engineer: config.json parsing/validation, name tables, linux.resources, `spec`, `features`
RUNTIME_CORE_SOURCES += runtime/spec_parse.c runtime/spec_read.c runtime/spec_internal.h runtime/spec_names.c \
	runtime/spec_resources.c
cnfrun_SOURCES += runtime/cmd_spec.c runtime/features.c
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_spec
tests_unit_test_spec_SOURCES = tests/unit/test_spec.c runtime/cmd_spec.c runtime/features.c
tests_unit_test_spec_CFLAGS = $(RUNTIME_CFLAGS) $(CMOCKA_CFLAGS) -DCNF_TEST_DATA='"$(abs_top_srcdir)/tests/data"'
tests_unit_test_spec_LDADD = runtime/libcnfrt.a $(LIBCNFCG) $(LIBCNF) $(RUNTIME_LIBS) $(CMOCKA_LIBS)
endif
cnfrun_SOURCES += runtime/cmd_cgroup.c

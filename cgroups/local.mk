# cgroups/local.mk — the cgroup v2 library (owned by the cgroups helper; append, don't rewrite).
noinst_LIBRARIES += cgroups/libcnfcg.a
cgroups_libcnfcg_a_SOURCES = cgroups/resources.c cgroups/resources.h cgroups/cgroup.h cgroups/internal.h \
	cgroups/cgroup.c cgroups/mount.c cgroups/values.c cgroups/apply.c cgroups/ebpf.c cgroups/isolation.c \
	cgroups/stats.c cgroups/systemd.c
cgroups_libcnfcg_a_CFLAGS = $(AM_CFLAGS) $(SYSTEMD_CFLAGS)
LIBCNFCG = cgroups/libcnfcg.a

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_cgroup
tests_unit_test_cgroup_SOURCES = tests/unit/test_cgroup.c
tests_unit_test_cgroup_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_cgroup_LDADD = $(LIBCNFCG) $(LIBCNF) $(CMOCKA_LIBS)
endif

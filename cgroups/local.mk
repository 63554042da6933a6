# cgroups/local.mk — the cgroup v2 library (owned by the cgroups helper; append, don't rewrite).
noinst_LIBRARIES += cgroups/libcnfcg.a
cgroups_libcnfcg_a_SOURCES = cgroups/resources.c cgroups/resources.h
cgroups_libcnfcg_a_CFLAGS = $(AM_CFLAGS)
LIBCNFCG = cgroups/libcnfcg.a

# runtime/local.mk — the cnfrun OCI runtime.  Runtime engineers APPEND their lines
# (RUNTIME_CORE_SOURCES += …, RUNTIME_LIBS += …, cnfrun_SOURCES += …); never rewrite this block.
RUNTIME_CORE_SOURCES = runtime/spec.h runtime/cli.h runtime/state.c runtime/state.h \
	runtime/signals.c runtime/signals.h runtime/procfs.c runtime/procfs.h
RUNTIME_CFLAGS = $(AM_CFLAGS) $(LIBCAP_CFLAGS) $(LIBNL_CFLAGS) $(LIBNL_ROUTE_CFLAGS) $(SECCOMP_CFLAGS) $(SYSTEMD_CFLAGS)
RUNTIME_LIBS = $(LIBCAP_LIBS) $(LIBNL_ROUTE_LIBS) $(LIBNL_LIBS) $(SECCOMP_LIBS) $(SYSTEMD_LIBS)

noinst_LIBRARIES += runtime/libcnfrt.a
runtime_libcnfrt_a_SOURCES = $(RUNTIME_CORE_SOURCES)
runtime_libcnfrt_a_CFLAGS = $(RUNTIME_CFLAGS)

bin_PROGRAMS += cnfrun
cnfrun_SOURCES = runtime/main.c runtime/cmd_lifecycle.c runtime/container.c runtime/container.h \
	runtime/namespaces.c runtime/namespaces.h runtime/cmd_exec.c runtime/cloned_binary.c runtime/cloned_binary.h
cnfrun_CFLAGS = $(RUNTIME_CFLAGS)
cnfrun_LDADD = runtime/libcnfrt.a $(LIBCNFCG) $(LIBCNF) $(RUNTIME_LIBS)

# lib/local.mk — the shared helpers every program links.
noinst_LIBRARIES += lib/libcnf.a
lib_libcnf_a_SOURCES = lib/json.c lib/json.h lib/error.c lib/error.h lib/log.c lib/log.h lib/util.c lib/util.h \
	lib/debug_stage.c lib/debug_stage.h
lib_libcnf_a_CFLAGS = $(AM_CFLAGS) $(YAJL_CFLAGS)
LIBCNF = lib/libcnf.a $(YAJL_LIBS)

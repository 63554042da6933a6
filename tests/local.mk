# tests/local.mk — unit test programs of the shared modules (lib/, runtime state and signals).
# Each folder registers its own unit tests in its own fragment.
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_json tests/unit/test_state
tests_unit_test_json_SOURCES = tests/unit/test_json.c
tests_unit_test_json_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_json_LDADD = $(LIBCNF) $(CMOCKA_LIBS)
tests_unit_test_state_SOURCES = tests/unit/test_state.c
tests_unit_test_state_CFLAGS = $(RUNTIME_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_state_LDADD = runtime/libcnfrt.a $(LIBCNFCG) $(LIBCNF) $(RUNTIME_LIBS) $(CMOCKA_LIBS)
endif

# Build every test program without running automake's harness (tests/run runs them).
check-build: $(check_PROGRAMS)
.PHONY: check-build

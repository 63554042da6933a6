# tests/fuzz/targets.mk — builds the libFuzzer targets with clang, ASan and UBSan (tests/fuzz/run
# calls it).  Not part of the automake build: every object here must carry libFuzzer's coverage
# instrumentation, so the pure modules each target needs are compiled again with clang into
# $(O), using the config.h of the configured build in $(BUILDDIR).
#   make -f tests/fuzz/targets.mk SRCDIR=. BUILDDIR=./build O=./build/fuzz
CC = clang
SAN = -fsanitize=address,undefined -fno-sanitize-recover=undefined
PKGS = yajl libseccomp libcap libnl-3.0 libnl-route-3.0
CFLAGS = -g -O1 -fno-omit-frame-pointer $(SAN) -fsanitize=fuzzer-no-link -include $(BUILDDIR)/config.h \
	-I$(SRCDIR) -I$(BUILDDIR) $(shell pkg-config --cflags $(PKGS)) -MMD -MP \
	-DCNF_SECCOMP_SRCDIR='"$(SRCDIR)/seccomp-profiles"'
LDLIBS = $(shell pkg-config --libs $(PKGS))
# netplugd headers include DPDK's (rte_mbuf.h): only the ctl target needs its include path.
DPDK_CFLAGS = $(shell pkg-config --cflags libdpdk)

LIB = lib/json.c lib/error.c lib/log.c lib/util.c
SPEC = runtime/spec_parse.c runtime/spec_read.c runtime/spec_names.c runtime/spec_resources.c runtime/seccomp.c \
	cgroups/resources.c runtime/mount_options.c runtime/cpuset_mask.c runtime/process.c \
	runtime/caps.c runtime/procfs.c
CNI = netplug/cni/cni.c netplug/cni/config.c
CTL = netplug/netplugd/ctl.c netplug/netplugd/model.c netplug/netplugd/validate.c
MEMIF = netplug/netplugd/memif_proto.c

TARGETS = spec cni ctl memif state
all: $(addprefix $(O)/fuzz_,$(TARGETS))

obj = $(patsubst %.c,$(O)/obj/%.o,$(1))
$(O)/fuzz_spec: $(call obj,tests/fuzz/fuzz_spec.c $(SPEC) $(LIB))
$(O)/fuzz_cni: $(call obj,tests/fuzz/fuzz_cni.c $(CNI) $(LIB))
$(O)/fuzz_ctl: $(call obj,tests/fuzz/fuzz_ctl.c tests/fuzz/netplugd_fake.c $(CTL) $(LIB))
$(O)/fuzz_memif: $(call obj,tests/fuzz/fuzz_memif.c $(MEMIF))
$(O)/fuzz_state: $(call obj,tests/fuzz/fuzz_state.c runtime/state.c runtime/procfs.c $(LIB))

$(O)/fuzz_%:
	$(CC) $(SAN) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)

$(O)/obj/netplug/netplugd/%.o $(O)/obj/tests/fuzz/fuzz_ctl.o $(O)/obj/tests/fuzz/netplugd_fake.o: EXTRA = $(DPDK_CFLAGS)
$(O)/obj/%.o: $(SRCDIR)/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(EXTRA) -c -o $@ $<

-include $(shell find $(O)/obj -name '*.d' 2>/dev/null)
.PHONY: all

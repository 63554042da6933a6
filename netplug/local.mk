# netplug/local.mk — owned by netplug/

if HAVE_DPDK
# netplugd (DPDK forwarder) and netplugctl — owned by the netplugd engineer.
sbin_PROGRAMS += netplugd netplugctl
netplugd_SOURCES = netplug/netplugd/main.c netplug/netplugd/netplugd.h netplug/netplugd/model.c \
	netplug/netplugd/ctl.c netplug/netplugd/fwd.c netplug/netplugd/memif.c netplug/netplugd/memif.h \
	netplug/netplugd/memif_proto.c netplug/netplugd/memif_proto.h netplug/netplugd/tap.c netplug/netplugd/vhost.c \
	netplug/netplugd/ethdev.c netplug/netplugd/metrics.c netplug/netplugd/validate.c netplug/netplugd/validate.h
netplugd_CFLAGS = $(AM_CFLAGS) $(DPDK_CFLAGS)
netplugd_LDADD = $(LIBCNF) $(DPDK_LIBS)
netplugctl_SOURCES = netplug/netplugctl.c
netplugctl_LDADD = $(LIBCNF)
EXTRA_DIST += netplug/netplugd.service netplug/PROTOCOL.md
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_netplugd
tests_unit_test_netplugd_SOURCES = tests/unit/test_netplugd.c netplug/netplugd/validate.c netplug/netplugd/validate.h \
	netplug/netplugd/memif.h netplug/netplugd/memif_proto.c netplug/netplugd/memif_proto.h
tests_unit_test_netplugd_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_netplugd_LDADD = $(LIBCNF) $(CMOCKA_LIBS)
endif
endif

# --- netplug CNI plugin (netplug/cni/): builds without DPDK ---
NETPLUG_CNI_CFLAGS = $(AM_CFLAGS) $(LIBNL_CFLAGS) $(LIBNL_ROUTE_CFLAGS)
NETPLUG_CNI_LIBS = $(LIBNL_ROUTE_LIBS) $(LIBNL_LIBS)
noinst_LIBRARIES += netplug/cni/libnetplugcni.a
netplug_cni_libnetplugcni_a_SOURCES = netplug/cni/cni.c netplug/cni/cni.h netplug/cni/config.c netplug/cni/config.h \
	netplug/cni/cache.c netplug/cni/cache.h netplug/cni/ipam.c netplug/cni/ipam.h netplug/cni/sysfs.c netplug/cni/sysfs.h \
	netplug/cni/vfops.c netplug/cni/vfops.h netplug/cni/vfops_fake.c netplug/cni/vfops_netlink.c \
	netplug/cni/nl.c netplug/cni/nl.h netplug/cni/common.c netplug/cni/netplug.h \
	netplug/cni/sriov.c netplug/cni/port.c
netplug_cni_libnetplugcni_a_CFLAGS = $(NETPLUG_CNI_CFLAGS)
# The binary cannot be $(builddir)/netplug: that is the object directory of netplug/*.  It is
# built as netplug/cni/netplug (so CNI_PATH=$(builddir)/netplug/cni works) and installed as
# $(bindir)/netplug (automake drops the directory on install).
bin_PROGRAMS += netplug/cni/netplug
netplug_cni_netplug_SOURCES = netplug/cni/main.c
netplug_cni_netplug_CFLAGS = $(NETPLUG_CNI_CFLAGS)
netplug_cni_netplug_LDADD = netplug/cni/libnetplugcni.a $(LIBCNF) $(NETPLUG_CNI_LIBS)
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_cni tests/unit/test_cni_vf
tests_unit_test_cni_SOURCES = tests/unit/test_cni.c
tests_unit_test_cni_CFLAGS = $(NETPLUG_CNI_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_cni_LDADD = netplug/cni/libnetplugcni.a $(LIBCNF) $(NETPLUG_CNI_LIBS) $(CMOCKA_LIBS)
tests_unit_test_cni_vf_SOURCES = tests/unit/test_cni_vf.c
tests_unit_test_cni_vf_CFLAGS = $(NETPLUG_CNI_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_cni_vf_LDADD = netplug/cni/libnetplugcni.a $(LIBCNF) $(NETPLUG_CNI_LIBS) $(CMOCKA_LIBS)
endif

# man/local.mk — man pages (roff), installed by `make install`.  Owners append their pages.
dist_man_MANS += man/cnfrun.8
dist_man_MANS += man/cnfrun-annotations.7
dist_man_MANS += man/netplug.8
dist_man_MANS += man/netplugd.8
dist_man_MANS += man/netplugctl.8

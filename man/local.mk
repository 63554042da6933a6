# man/local.mk — man pages (roff), installed by `make install`.  Owners append their pages.
dist_man_MANS += man/cnfrun.8
dist_man_MANS += man/cnfrun-annotations.7

# seccomp-profiles/local.mk — the shipped OCI seccomp profiles (`cnfrun spec --profile NAME`).
# cnfrun looks in $CNFRUN_SECCOMP_PROFILES, /usr/local/share/cnfrun/seccomp, /usr/share/cnfrun/seccomp,
# then (from a build dir) the source tree; install them where a default prefix finds them.
seccompdir = $(datadir)/cnfrun/seccomp
dist_seccomp_DATA = seccomp-profiles/default.json seccomp-profiles/cnf-dataplane.json \
	seccomp-profiles/cnf-strict.json seccomp-profiles/cnf-dataplane.md seccomp-profiles/README.md

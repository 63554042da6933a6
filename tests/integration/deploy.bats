#!/usr/bin/env bats
# deploy/: every manifest and config snippet parses, and every name it references (programs,
# paths, annotation keys, netplug config fields, other manifests, the image) exists in the project.
# The checks are in deploy-check.py (Debian's python3-yaml, tomllib of Python 3.11); the last
# test breaks one name at a time in a copy of deploy/ and expects the check to name it.
load helpers

check() { /usr/bin/python3 "$BATS_TEST_DIRNAME/deploy-check.py" "$1" "${2:-$SRCDIR/deploy}" "$SRCDIR"; }

setup() {
  /usr/bin/python3 -c 'import yaml, tomllib' 2>/dev/null ||
    skip "needs Debian's python3 (3.11, tomllib) with python3-yaml (scripts/install-deps)"
}

@test "deploy: every manifest and config snippet parses" {
  run check parse
  assert_success
  [ "$(ls "$SRCDIR"/deploy/*.yaml | wc -l)" -ge 6 ]
  [ -f "$SRCDIR/deploy/containerd-cnfrun.toml" ] && [ -f "$SRCDIR/deploy/crio-cnfrun.conf" ]
}

@test "deploy: every program named is one the project builds and installs" {
  run check binaries
  assert_success
  for b in cnfrun netplugd netplugctl netplug/cni/netplug; do
    [ -x "$BUILDDIR/$b" ]
  done
}

@test "deploy: every netplug/netplugd/cnfrun path is one the sources use" {
  run check paths
  assert_success
}

@test "deploy: every annotation key is read by the project (or by Multus / the device plugin)" {
  run check annotations
  assert_success
}

@test "deploy: the NetworkAttachmentDefinitions are configs netplug reads" {
  run check cni
  assert_success
}

@test "deploy: RuntimeClass, runtime handlers, networks, image and pod resources agree" {
  run check references
  assert_success
}

# break FILE SED-SCRIPT EXPECTED: in a copy of deploy/, the check must fail and say EXPECTED.
break_one() {
  local d=$BATS_TEST_TMPDIR/deploy
  rm -rf "$d"
  cp -r "$SRCDIR/deploy" "$d"
  sed -i "$2" "$d/$1"
  ! cmp -s "$SRCDIR/deploy/$1" "$d/$1" || { echo "sed '$2' changed nothing in $1"; return 1; }
  run check all "$d"
  assert_failure
  assert_output --partial "$3"
}

@test "deploy: the check fails when a manifest names something the project lacks" {
  break_one containerd-cnfrun.toml 's|/usr/local/bin/cnfrun|/usr/local/bin/cnfrunx|' "/usr/local/bin/cnfrunx is not a program"
  break_one netplug-installer-daemonset.yaml 's|/usr/local/bin/netplug |/usr/local/sbin/netplug |' "/usr/local/sbin/netplug is not a program"
  break_one netplug-installer-daemonset.yaml 's|/opt/cni/bin/netplug$|/opt/cni/bin/netplug-cni|' "/opt/cni/bin/netplug-cni"
  break_one cnf-testpmd-pod.yaml 's|exec dpdk-testpmd|exec dpdk-testpmd2|' "dpdk-testpmd2 is not installed"
  break_one netplugd-daemonset.yaml 's|/run/netplugd/ctl.sock|/run/netplugd/control.sock|g' "/run/netplugd/control.sock: the project's sources use no such path"
  break_one netplugd-daemonset.yaml 's|path: /run/netplug$|path: /run/netplug-sockets|' "/run/netplug-sockets"
  break_one cnf-testpmd-pod.yaml 's|cpu-quota.crio.io: "disable"|cpu-quotas.crio.io: "disable"|' "annotation cpu-quotas.crio.io: no source file"
  break_one crio-cnfrun.conf 's|"irq-load-balancing.crio.io",|"irq-load-balancing.crio.io", "netplug.cnfrun.io/sandboxes",|' "netplug.cnfrun.io/sandboxes"
  break_one containerd-cnfrun.toml '/"irq-load-balancing.crio.io",/d' "irq-load-balancing.crio.io is not in containerd's pod_annotations"
  break_one crio-cnfrun.conf '/"cpu-quota.crio.io",/d' "cpu-quota.crio.io is not in CRI-O's allowed_annotations"
  break_one nad-memif.yaml 's|"network": "dataplane"|"netwrk": "dataplane"|' 'config field "netwrk"'
  break_one nad-memif.yaml 's|"mode": "memif"|"mode": "memfd"|' 'mode "memfd"'
  break_one nad-memif.yaml 's|"type": "netplug"|"type": "netplugx"|' '"type": "netplugx" is not a plugin'
  break_one nad-memif.yaml 's|"network": "dataplane"|"network": "dataplane2"|' 'network "dataplane2" is created by no manifest'
  break_one nad-sriov.yaml '/resourceName/d' "without the device plugin's k8s.v1.cni.cncf.io/resourceName"
  break_one runtimeclass.yaml 's|^handler: cnfrun|handler: cnfrun2|' "handler cnfrun2 is not a containerd runtime"
  break_one cnf-testpmd-pod.yaml 's|runtimeClassName: cnfrun|runtimeClassName: runc|' "runtimeClassName runc"
  break_one cnf-testpmd-pod.yaml 's|socket=/run/netplug/memif1.sock|socket=/run/netplug/memif2.sock|' "interface memif1"
  break_one cnf-testpmd-pod.yaml 's|"name": "memif-dataplane"|"name": "memif-data"|' "network memif-data: no such"
  break_one cnf-testpmd-pod.yaml '0,/cpu: "2"/s|cpu: "2"|cpu: "1500m"|' "requests must equal limits"
  break_one cnf-testpmd-pod.yaml 's|cpu: "2"|cpu: "1500m"|g' "cpu 1500m is not an integer"
  break_one netplugd-daemonset.yaml 's|privileged: true|privileged: false|' "not privileged"
  break_one netplugd-daemonset.yaml 's|image: localhost/cnfrun:latest|image: cnfrun:1|' "are not the one deploy/Containerfile builds"
  break_one runtimeclass.yaml 's|^handler: cnfrun|handler = cnfrun|' "YAML does not parse"
  break_one crio-cnfrun.conf 's|^runtime_type = "oci"|runtime_type = oci|' "TOML does not parse"
}

# netplugd-helpers.bash — shared by the netplugd-*.bats files: start/stop a netplugd in a
# scratch dir, and drive interactive testpmd memif clients through fifos.
# Every DPDK process here runs with --no-pci, its own --file-prefix and no hugepages (memif copy
# mode needs no shared hugepage memory on either side).

NPD_PREFIX=${NPD_PREFIX:-npdt$$}

npd_start() { # npd_start [extra netplugd flags...]; NPD_HUGE=1: with hugepages
  NPD_DIR=${NPD_DIR:-$(mktemp -d /tmp/npd.XXXXXX)}
  mkdir -p "$NPD_DIR/sock"
  local huge=--no-huge
  [ -n "${NPD_HUGE:-}" ] && huge=
  "$NETPLUGD" -l 0,1 -m 128 $huge --mbufs 4095 --file-prefix "$NPD_PREFIX" \
    --socket-dir "$NPD_DIR/sock" --ctl-socket "$NPD_DIR/ctl.sock" --state-file "$NPD_DIR/state.json" "$@" \
    >>"$NPD_DIR/netplugd.log" 2>&1 &
  NPD_PID=$!
  local i
  for i in $(seq 100); do
    "$NETPLUGCTL" --socket "$NPD_DIR/ctl.sock" health >/dev/null 2>&1 && return 0
    kill -0 "$NPD_PID" 2>/dev/null || break
    sleep 0.1
  done
  cat "$NPD_DIR/netplugd.log" >&2
  return 1
}

npd_stop() {
  if [ -n "${NPD_PID:-}" ]; then
    kill "$NPD_PID" 2>/dev/null || true
    wait "$NPD_PID" 2>/dev/null || true
    NPD_PID=
  fi
  rm -rf /var/run/dpdk/"$NPD_PREFIX" /var/run/dpdk/"$NPD_PREFIX"-*
}

ctl() { "$NETPLUGCTL" --socket "$NPD_DIR/ctl.sock" "$@"; }

# Value of a counter: npd_counter PORT FIELD (rx_packets, tx_packets, ...)
npd_counter() {
  ctl --json stats "$1" | python3 -c "import json,sys; print(json.load(sys.stdin)['result']['ports']['$1']['$2'])"
}

# tp_start NAME SOCKET [testpmd args after --]: interactive testpmd memif client, commands via fifo.
tp_start() {
  local name=$1 sock=$2
  shift 2
  tp_launch "$name" --no-huge -m 64 --file-prefix "$NPD_PREFIX-$name" \
    --vdev="net_memif0,role=client,socket=$sock,socket-abstract=no" -- "$@"
}

# tpv_start NAME PATH MAC: testpmd with a virtio_user vhost-user server port (needs hugepages).
tpv_start() {
  tp_launch "$1" -m 64 --in-memory --single-file-segments \
    --vdev="virtio_user0,path=$2,server=1,queues=1,mac=$3" --
}

# hugepages_reserve PAGES: make sure PAGES 2 MiB pages are free, raising nr_hugepages if needed
# (never above 512 pages = 1 GiB in total).  Remembers what it added for hugepages_release.
hugepages_reserve() {
  local want=$1 free total
  free=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
  total=$(cat /proc/sys/vm/nr_hugepages)
  NPD_HUGE_ADDED=0
  if [ "$free" -lt "$want" ]; then
    [ $((total + want - free)) -le 512 ] || return 1
    echo $((total + want - free)) >/proc/sys/vm/nr_hugepages
    NPD_HUGE_ADDED=$((want - free))
  fi
  [ "$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)" -ge "$want" ]
}

hugepages_release() {
  local free total
  [ "${NPD_HUGE_ADDED:-0}" -gt 0 ] || return 0
  free=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
  total=$(cat /proc/sys/vm/nr_hugepages)
  # give back only pages that are free again (others may have started using some)
  [ "$free" -ge "$NPD_HUGE_ADDED" ] && echo $((total - NPD_HUGE_ADDED)) >/proc/sys/vm/nr_hugepages
  NPD_HUGE_ADDED=0
}

tp_launch() {
  local name=$1
  shift
  local eal=() 
  while [ $# -gt 0 ] && [ "$1" != -- ]; do eal+=("$1"); shift; done
  shift
  rm -f "$NPD_DIR/$name.in"
  mkfifo "$NPD_DIR/$name.in"
  stdbuf -oL dpdk-testpmd --lcores 0@0,1@0 --no-pci "${eal[@]}" -- -i --total-num-mbufs=2048 \
    --forward-mode=rxonly "$@" <"$NPD_DIR/$name.in" >"$NPD_DIR/$name.log" 2>&1 &
  eval "TP_PID_$name=$!"
  # keep the fifo open for writing for the life of testpmd
  eval "exec {TP_FD_$name}>\"$NPD_DIR/$name.in\""
  local i
  for i in $(seq 200); do
    grep -q "testpmd>" "$NPD_DIR/$name.log" 2>/dev/null && return 0
    sleep 0.1
  done
  cat "$NPD_DIR/$name.log" >&2
  return 1
}

# A testpmd that died closes its fifo: a plain write would then raise SIGPIPE and kill the bats
# test silently (no TAP line, bats exits abnormally). Ignore SIGPIPE for the write so the test
# fails with the reason and testpmd's last lines instead.
tp_cmd() { # tp_cmd NAME "command"
  local fdv="TP_FD_$1"
  if ! (trap '' PIPE; echo "$2" >&"${!fdv}") 2>/dev/null; then
    echo "tp_cmd: testpmd $1 no longer reads its commands (exited?); last lines of its log:" >&2
    tail -n 25 "$NPD_DIR/$1.log" >&2
    return 1
  fi
}

# tp_stat NAME rx|tx: packets counted by testpmd port 0 (show port stats 0)
tp_stat() {
  local name=$1 what=$2 n before
  before=$(grep -c "NIC statistics for port 0" "$NPD_DIR/$name.log")
  tp_cmd "$name" "show port stats 0"
  for n in $(seq 50); do
    [ "$(grep -c "NIC statistics for port 0" "$NPD_DIR/$name.log")" -gt "$before" ] &&
      [ "$(sed -n '/NIC statistics for port 0/,$p' "$NPD_DIR/$name.log" | grep -c TX-packets)" -gt "$before" ] && break
    sleep 0.1
  done
  if [ "$what" = rx ]; then
    sed -n '/NIC statistics for port 0/,$p' "$NPD_DIR/$name.log" | grep "RX-packets" | tail -1 | awk '{print $2}'
  else
    sed -n '/NIC statistics for port 0/,$p' "$NPD_DIR/$name.log" | grep "TX-packets" | tail -1 | awk '{print $2}'
  fi
}

# tp_link_down NAME: testpmd's port 0 reports its link down ("show port info 0"), i.e. its memif
# interrupt thread has finished handling the disconnect.
tp_link_down() {
  local before
  before=$(grep -c "Link status:" "$NPD_DIR/$1.log")
  tp_cmd "$1" "show port info 0" || return 1
  for _ in $(seq 20); do
    [ "$(grep -c "Link status:" "$NPD_DIR/$1.log")" -gt "$before" ] && break
    sleep 0.05
  done
  grep "Link status:" "$NPD_DIR/$1.log" | tail -1 | grep -q down
}

# tp_alive NAME: testpmd NAME still runs (not exited, not a zombie).
tp_alive() {
  local pidv="TP_PID_$1" st
  [ -n "${!pidv:-}" ] || return 1
  st=$(ps -o stat= -p "${!pidv}" 2>/dev/null) || return 1
  [ -n "$st" ] && [ "${st#Z}" = "$st" ]
}

tp_stop() {
  local name=$1 pidv="TP_PID_$1" fdv="TP_FD_$1"
  [ -n "${!pidv:-}" ] || return 0
  (trap '' PIPE; echo quit >&"${!fdv}") 2>/dev/null || true
  eval "exec ${!fdv}>&-" 2>/dev/null || true
  local i
  for i in $(seq 30); do kill -0 "${!pidv}" 2>/dev/null || break; sleep 0.1; done
  kill -9 "${!pidv}" 2>/dev/null || true
  wait "${!pidv}" 2>/dev/null || true
  eval "TP_PID_$name="
}

# wait_for CMD...: retry for up to 10 s (the machine may be loaded)
wait_for() {
  local i
  for i in $(seq 100); do "$@" && return 0; sleep 0.1; done
  return 1
}

counter_above() { [ "$(npd_counter "$1" "$2")" -gt "$3" ]; }

# wait_eq EXPECTED CMD...: retry CMD until it prints EXPECTED (10 s)
wait_eq() {
  local want=$1 i got
  shift
  for i in $(seq 100); do
    got=$("$@")
    [ "$got" = "$want" ] && return 0
    sleep 0.1
  done
  echo "wait_eq: $* = $got, expected $want" >&2
  return 1
}

port_state_is() { ctl --json port show "$1" | grep -q "\"state\":\"$2\""; }

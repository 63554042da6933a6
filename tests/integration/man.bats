#!/usr/bin/env bats
# man.bats — the man pages document every flag, config key, environment variable and
# annotation that the programs really take.  The lists come from the programs themselves: the
# getopt `struct option` arrays and short-option strings, the --help output, and the
# getenv/strcmp literals in the sources, so a new flag without documentation fails here.

load helpers

setup() {
  MAN=$SRCDIR/man
  TMP=$(mktemp -d /tmp/cnfrun-man.XXXXXX)
}

teardown() {
  rm -rf "$TMP"
}

# The page's text with roff escapes undone: fonts dropped, \- and \(hy turned into -.
man_text() {
  sed -e 's/\\f[BIRP]//g' -e 's/\\f(..//g' -e 's/\\f\[[^]]*\]//g' -e 's/\\-/-/g' -e 's/\\(hy/-/g' \
      -e 's/\\e/\\/g' -e 's/\\&//g' "$1"
}

# sections PAGE REGEX: the lines of the .SH sections whose title matches REGEX, so that a word
# used in passing elsewhere (an example, the description) does not count as documentation.
sections() {
  awk -v re="^($2)\$" '/^\.SH / { t = substr($0, 5); gsub(/"/, "", t); on = (t ~ re); next } on' "$1"
}

# missing PAGE[:SECTION-REGEX] WORD...: print every WORD that does not appear in PAGE (or in
# those of its sections) as a whole token.
missing() {
  local page=${1%%:*} re= text w
  [ "$1" = "$page" ] || re=${1#*:}
  shift
  if [ -n "$re" ]; then
    text=$(sections "$page" "$re" > "$TMP/section" && man_text "$TMP/section")
    [ -n "$text" ] || { echo "(no section matching $re in $(basename "$page"))"; return; }
  else
    text=$(man_text "$page")
  fi
  for w in "$@"; do
    grep -qE -- "(^|[^A-Za-z0-9_-])${w//./\\.}([^A-Za-z0-9_-]|\$)" <<<"$text" || echo "$w"
  done
}

# Long options of every `struct option` entry in FILES, as --name.
long_opts() {
  grep -ohE '\{ *"[A-Za-z0-9-]+", *(no|required|optional)_argument' "$@" | sed -E 's/^\{ *"([^"]+)".*/--\1/' | sort -u
}

# Short options of every getopt_long(_only) call in FILES, as -x.
short_opts() {
  grep -ohE 'getopt_long(_only)? *\([^;]*' "$@" | grep -oE '"[^"]*"' | tr -d '"+:' | fold -w1 | grep . | sed 's/^/-/' | sort -u
}

# Every string literal X in `PATTERN ("X"` calls in FILES (getenv, strcmp (k, ...), opt_str (r, ...)).
literals_of() {
  local pattern=$1
  shift
  grep -ohE "${pattern}\"[^\"]+\"" "$@" | sed -E 's/.*"([^"]+)"$/\1/' | sort -u
}

# Flags in a --help text: every -x / --name token that starts a word.
help_flags() {
  grep -oE -- '(^|[][ ,|])--?[A-Za-z][A-Za-z0-9-]*' | sed -E 's/^[][ ,|]//' | sort -u
}

# Fail, listing what is missing, unless the list is empty; refuse an empty source list too.
check_page() {
  local page=$1 what=$2
  shift 2
  [ $# -gt 0 ] || fail "no $what extracted for $(basename "$page"): the extraction is broken"
  local out
  out=$(missing "$page" "$@")
  [ -z "$out" ] || fail "$(basename "$page") does not document these $what: $(echo $out)"
}

@test "man: the checker finds a flag that a page leaves out" {
  grep -v -- '\\-\\-no-pivot' "$MAN/cnfrun.8" > "$TMP/cnfrun.8"
  run missing "$TMP/cnfrun.8" --no-pivot --root
  assert_output "--no-pivot"
  run check_page "$TMP/cnfrun.8" flags --no-pivot
  assert_failure
  assert_output --partial "--no-pivot"
  # In a section only: the page's EXAMPLES use --pid-file, COMMANDS must document it too.
  run missing "$MAN/cnfrun.8:EXAMPLES" --pid-file --no-pivot
  assert_output "--no-pivot"
  run missing "$MAN/cnfrun.8:NO SUCH SECTION" --root
  assert_output --partial "no section"
}

@test "man: cnfrun(8) has every flag of every command" {
  mapfile -t flags < <(long_opts "$SRCDIR"/runtime/*.c; short_opts "$SRCDIR"/runtime/*.c)
  [ "${#flags[@]}" -gt 40 ] || fail "only ${#flags[@]} flags found in runtime/*.c"
  check_page "$MAN/cnfrun.8:GLOBAL OPTIONS|COMMANDS" flags "${flags[@]}"
  mapfile -t helpf < <("$CNFRUN" --help | help_flags; "$CNFRUN" spec --help | help_flags)
  check_page "$MAN/cnfrun.8:GLOBAL OPTIONS|COMMANDS" "flags from --help" "${helpf[@]}"
}

@test "man: cnfrun(8) has every command and environment variable" {
  mapfile -t cmds < <(grep -ohE '\{ "[a-z]+", cmd_[a-z]+' "$SRCDIR/runtime/main.c" | sed -E 's/\{ "([a-z]+)".*/\1/')
  [ "${#cmds[@]}" -ge 15 ] || fail "only ${#cmds[@]} commands found in runtime/main.c"
  local c
  for c in "${cmds[@]}"; do
    grep -qF "\\fB$c\\fR" "$MAN/cnfrun.8" || fail "cnfrun.8 has no bold command $c"
  done
  mapfile -t envs < <(literals_of 'getenv \(' "$SRCDIR"/runtime/*.c "$SRCDIR"/cgroups/*.c)
  check_page "$MAN/cnfrun.8:ENVIRONMENT" "environment variables" "${envs[@]}"
}

@test "man: cnfrun-annotations(7) has every annotation the runtime reads" {
  # Annotation-shaped literals (x.io, x.io/y, io.kubernetes.*) in the runtime and cgroup code;
  # features.c only writes the features document's own annotations (documented in cnfrun(8)).
  mapfile -t keys < <(ls "$SRCDIR"/runtime/*.c "$SRCDIR"/cgroups/*.c | grep -v '/features\.c$' |
    xargs grep -ohE '"([A-Za-z0-9-]+\.)+io(/[A-Za-z0-9._-]+)?"|"io\.kubernetes\.[A-Za-z0-9._-]+"' | tr -d '"' | sort -u)
  printf '%s\n' "${keys[@]}" | grep -qx 'cpu-load-balancing.crio.io' || fail "extraction found: ${keys[*]}"
  printf '%s\n' "${keys[@]}" | grep -qx 'io.kubernetes.cri.sandbox-id' || fail "extraction found: ${keys[*]}"
  check_page "$MAN/cnfrun-annotations.7:.*ANNOTATIONS" annotations "${keys[@]}"
  mapfile -t fkeys < <(literals_of 'json_w_kstr \(w, ' "$SRCDIR/runtime/features.c" | grep -E '^io\.')
  check_page "$MAN/cnfrun.8:COMMANDS" "features annotations" "${fkeys[@]}"
}

@test "man: netplugd(8) has every flag and config-file key" {
  local src=$SRCDIR/netplug/netplugd/main.c
  mapfile -t flags < <(long_opts "$src"; short_opts "$src")
  check_page "$MAN/netplugd.8:OPTIONS" flags "${flags[@]}"
  mapfile -t keys < <(literals_of '!strcmp \(k, ' "$src")
  [ "${#keys[@]}" -ge 10 ] || fail "only ${#keys[@]} config keys found in $src"
  check_page "$MAN/netplugd.8:CONFIGURATION FILE" "config-file keys" "${keys[@]}"
  mapfile -t drops < <(grep -ohE '\] = "[a-z-]+"' "$SRCDIR/netplug/netplugd/fwd.c" | tr -d '"] =')
  check_page "$MAN/netplugd.8:METRICS" "drop causes" "${drops[@]}"
  mapfile -t metrics < <(grep -ohE 'netplugd_[a-z_%]+' "$SRCDIR/netplug/netplugd/metrics.c" | grep -v '%' | sort -u
                         grep -oE '"(rx|tx)_(packets|bytes)"' "$SRCDIR/netplug/netplugd/metrics.c" | tr -d '"' | sed 's/.*/netplugd_port_&_total/')
  check_page "$MAN/netplugd.8:METRICS" metrics "${metrics[@]}"
  [ -x "$NETPLUGD" ] || skip "netplugd not built (no DPDK): source lists checked only"
  mapfile -t helpf < <("$NETPLUGD" --help | help_flags)
  check_page "$MAN/netplugd.8:OPTIONS" "flags from --help" "${helpf[@]}"
}

@test "man: netplugctl(8) has every flag and command" {
  local src=$SRCDIR/netplug/netplugctl.c
  mapfile -t flags < <(literals_of 'strcmp \(argv\[i\], ' "$src")
  [ -x "$NETPLUGCTL" ] || skip "netplugctl not built (no DPDK)"
  mapfile -t -O "${#flags[@]}" flags < <("$NETPLUGCTL" --help | help_flags)
  [ "${#flags[@]}" -gt 15 ] || fail "only ${#flags[@]} flags found"
  check_page "$MAN/netplugctl.8:GLOBAL OPTIONS|COMMANDS" flags "${flags[@]}"
  # Command words: the first word of each usage line and the words after `port`/`network`.
  mapfile -t words < <("$NETPLUGCTL" --help | sed -n '2,$p' | grep -oE '(^ +|\| )[a-z]+( (add|del|list|show))?' | sed -E 's/^[ |]+//' | sort -u)
  check_page "$MAN/netplugctl.8:COMMANDS" commands "${words[@]}"
}

@test "man: netplug(8) has every flag, mode, config key, CNI_ARGS key and environment variable" {
  local d=$SRCDIR/netplug/cni
  mapfile -t flags < <(literals_of 'strcmp \(argv\[1\], ' "$d/main.c")
  check_page "$MAN/netplug.8:OPTIONS" flags "${flags[@]}"
  mapfile -t modes < <(grep -ohE 'return "[a-z-]+"' "$d/config.c" | sed -E 's/return "(.*)"/\1/')
  check_page "$MAN/netplug.8:MODES" modes "${modes[@]}"
  mapfile -t keys < <(literals_of '(opt_str|opt_int|onoff) \((r|rc), ' "$d/config.c"
                      literals_of 'json_get \((r|c->conf\.root), ' "$d/config.c" "$d/main.c")
  [ "${#keys[@]}" -ge 25 ] || fail "only ${#keys[@]} config keys found"
  check_page "$MAN/netplug.8:CONFIGURATION" "config keys" "${keys[@]}"
  mapfile -t args < <(literals_of 'strcmp \(k, ' "$d/cni.c")
  check_page "$MAN/netplug.8:ENVIRONMENT" "CNI_ARGS keys" "${args[@]}"
  mapfile -t envs < <(literals_of '(getenv|env_nonempty) \(' "$d"/*.c)
  [ "${#envs[@]}" -ge 12 ] || fail "only ${#envs[@]} environment variables found"
  check_page "$MAN/netplug.8:ENVIRONMENT" "environment variables" "${envs[@]}"
}

@test "man: every page has NAME, DESCRIPTION, EXAMPLES and SEE ALSO; section 8 pages EXIT STATUS too" {
  local p sec
  for p in "$MAN"/*.[1-8]; do
    for sec in NAME DESCRIPTION EXAMPLES "SEE ALSO"; do
      grep -qx "\.SH \"\{0,1\}$sec\"\{0,1\}" "$p" || fail "$(basename "$p") has no $sec section"
    done
    case $p in *.8) grep -qx '\.SH "\{0,1\}EXIT STATUS"\{0,1\}' "$p" || fail "$(basename "$p") has no EXIT STATUS section" ;; esac
  done
}

@test "man: every page renders without warnings" {
  local p
  for p in "$MAN"/*.[1-8]; do
    run bash -c "LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z '$p' 2>&1"
    assert_success
    [ -z "$output" ] || fail "$(basename "$p"): $output"
  done
}

@test "man: make install-man installs every page" {
  [ -f "$BUILDDIR/Makefile" ] || skip "no configured build dir at $BUILDDIR"
  run make -s -C "$BUILDDIR" install-man DESTDIR="$TMP/dest"
  assert_success
  local p
  for p in "$MAN"/*.[1-8]; do
    [ -n "$(find "$TMP/dest" -path "*/man${p##*.}/$(basename "$p")")" ] || fail "$(basename "$p") not installed"
  done
  [ "$(find "$TMP/dest" -type f | wc -l)" -eq "$(ls "$MAN"/*.[1-8] | wc -l)" ]
}

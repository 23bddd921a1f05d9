# bench/lib/common.sh — what every bench/NAME/run shares, sourced (not run):
# messages, bounded durations, provenance of what is measured, a temporary
# folder and the processes to stop with it, figure formatting, and replacing
# the run's own section of docs/benchmarks.md.
#
# Before sourcing, the script sets BENCH_NAME (the folder name under bench/,
# which is also the name of its section) and `set -euo pipefail`.
#
# shellcheck shell=bash
# The variables set here are read by the scripts that source this file:
# shellcheck disable=SC2034

[[ -n "${BENCH_NAME:-}" ]] || { echo "bench/lib/common.sh: set BENCH_NAME before sourcing" >&2; exit 2; }

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BENCH_SELF="bench/$BENCH_NAME/run"
DOC="$ROOT/docs/benchmarks.md"
BEGIN_MARK="<!-- bench:$BENCH_NAME:begin -->"
END_MARK="<!-- bench:$BENCH_NAME:end -->"

die() { echo "$BENCH_SELF: $*" >&2; exit 1; }
warn() { echo "$BENCH_SELF: warning: $*" >&2; }

# A bounded duration: wrk's own syntax (10, 10s, 2m), at most 10 minutes a run.
seconds_of() {
  local d="$1"
  [[ "$d" =~ ^([0-9]+)(s|m)?$ ]] || die "duration must look like 10s or 2m, not '$d'"
  local n="${BASH_REMATCH[1]}"
  [[ "${BASH_REMATCH[2]}" == m ]] && n=$((n * 60))
  ((n >= 1 && n <= 600)) || die "duration must be from 1s to 10m, not '$d'"
  echo "$n"
}

# provenance BINARY: what is measured, taken before the run (another build may
# replace the binary meanwhile). Sets COMMIT, PROVENANCE (text to append after
# the commit) and BUILT (the binary's time, UTC).
provenance() {
  local binary="$1"
  COMMIT="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  PROVENANCE=""
  [[ -n "$(git -C "$ROOT" --no-optional-locks status --porcelain -- src 2>/dev/null)" ]] &&
    PROVENANCE=", with uncommitted changes in src/"
  if [[ -n "$(find "$ROOT/src" "$ROOT/CMakeLists.txt" -newer "$binary" -print -quit 2>/dev/null)" ]]; then
    PROVENANCE="$PROVENANCE; the binary was older than some of src/"
    warn "$binary is older than some of src/: rebuild for a current figure"
  fi
  BUILT="$(date -u -r "$binary" +%Y-%m-%dT%H:%MZ)"
}

# --- a temporary folder, and the processes to stop when the script ends -----
# bench_tmp creates TMP and installs the traps; add each started process to
# BENCH_PIDS: they are stopped in the order they were added, then TMP goes.
BENCH_PIDS=()
stop_pid() {
  local pid="$1" i
  [[ -n "$pid" ]] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  trap - EXIT INT TERM
  local pid
  for pid in "${BENCH_PIDS[@]}"; do stop_pid "$pid"; done
  rm -rf "$TMP"
}
bench_tmp() {
  TMP="$(mktemp -d -t "epinet-bench-$BENCH_NAME.XXXXXX")"
  trap cleanup EXIT
  trap 'echo "$BENCH_SELF: interrupted" >&2; exit 130' INT
  trap 'exit 143' TERM
}

# --- figures ------------------------------------------------------------------
# median: of the numbers on standard input (separated by spaces or newlines).
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END {
  if (NR % 2) printf "%s", a[(NR + 1) / 2]; else printf "%s", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
fmt_int() { awk -v v="$1" 'BEGIN { s = sprintf("%.0f", v); o = ""
  while (length(s) > 3) { o = "," substr(s, length(s) - 2) o; s = substr(s, 1, length(s) - 3) }
  print s o }'; }
fmt_ms() { awk -v v="$1" 'BEGIN { if (v < 10) printf "%.2f", v; else printf "%.1f", v }'; }
pct() { awk -v v="$1" 'BEGIN { printf "%.1f %%", v * 100 }'; }

# machine: sets NPROC, CPU, NOW and LOAD (the load average, read at the end of a run).
machine() {
  NPROC="$(nproc)"
  CPU="$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
  [[ -n "$CPU" ]] || CPU="unknown CPU"
  NOW="$(date -u +%Y-%m-%dT%H:%MZ)"
  LOAD="$(cut -d' ' -f1-3 /proc/loadavg)"
}

# --- docs/benchmarks.md -------------------------------------------------------
# write_section TEXT: replaces this benchmark's section (the lines between its
# markers, markers included) with TEXT, which must start and end with the
# markers; appends it if the page has no such section; creates the page if
# there is none. Text outside the markers is kept.
write_section() {
  local section="$1"
  if [[ ! -f "$DOC" ]]; then
    mkdir -p "$(dirname "$DOC")"
    cat >"$DOC" <<'EOF'
# Benchmarks

The machines this project is built and tested on are shared and noisy: the same command gives
figures that differ by tens of percent from one minute to the next. So every figure here is a
**ratio against a reference measured in the same run on the same machine**, with the two
measured in interleaved rounds so that background load falls on both alike. Absolute requests
per second are listed for context only. Each section says on which machine (cores, CPU model)
and when it was measured, and the command that reproduces it.

`make bench` (which runs `bench/run-all`) re-runs every benchmark and rewrites its section of
this page; each section lies between `<!-- bench:NAME:begin -->` and `<!-- bench:NAME:end -->`
markers and is generated by `bench/NAME/run --write`. Text outside the markers is kept.

EOF
  fi
  if grep -qF "$BEGIN_MARK" "$DOC" && grep -qF "$END_MARK" "$DOC"; then
    SECTION="$section" awk -v b="$BEGIN_MARK" -v e="$END_MARK" '
      $0 == b { print ENVIRON["SECTION"]; skip = 1; next }
      $0 == e { skip = 0; next }
      !skip { print }' "$DOC" >"$TMP/doc.md"
  else
    { cat "$DOC"; [[ -z "$(tail -c 2 "$DOC" | tr -d '\n')" ]] || echo; echo "$section"; } >"$TMP/doc.md"
  fi
  cat "$TMP/doc.md" >"$DOC"
  echo "$BENCH_SELF: wrote the $BENCH_NAME section of ${DOC#"$ROOT"/}" >&2
}

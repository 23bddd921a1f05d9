# bench/lib/wrk.sh — what the HTTP benchmarks (bench/http, bench/scan) share,
# sourced (not run): their common options, starting epinet and nginx on free
# loopback ports, wrk runs and their parsing, the interleaved rounds
# (epinet, nginx, epinet, nginx, ...) and the tables that report them.
#
# Before sourcing, the script sets BENCH_NAME and `set -euo pipefail`.
# Usage, in order:
#   wrk_defaults; parse options with wrk_option (see bench/http/run);
#   wrk_check; provenance "$BINARY"; bench_tmp;
#   start_epinet ...; start_nginx; wait_healthy ...;
#   EPINET_WRK=(...) NGINX_WRK=(...) run_rounds; rounds_report; machine.
#
# shellcheck shell=bash
# The variables set here are read by the scripts that source this file:
# shellcheck disable=SC2034

# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# --- options --------------------------------------------------------------------
wrk_defaults() {
  DURATION="${BENCH_DURATION:-10s}"
  ROUNDS="${BENCH_ROUNDS:-3}"
  CONNECTIONS=64
  WRK_THREADS=2
  WARMUP=3s
  BINARY="$ROOT/build/epinet"
  EPINET_THREADS_SET=""
  WRITE=0
}

# The help lines of the options wrk_option knows (but --write and --help,
# which each script words itself).
wrk_options_help() {
  cat <<'EOF'
  --duration D     length of each measured wrk run (default 10s; env BENCH_DURATION)
  --rounds N       interleaved rounds, each one epinet run then one nginx run
                   (default 3, at least 2; env BENCH_ROUNDS)
  --connections N  wrk connections (default 64)
  --threads N      wrk threads (default 2)
  --warmup D       wrk warm-up against each server before measuring (default 3s)
  --binary PATH    the epinet binary (default build/epinet)
  --epinet-threads N  EPINET_THREADS for the server (default: its own, one per core)
EOF
}

# wrk_option "$@": takes one shared option off the front of the arguments,
# setting OPTION_SHIFT to the number of words it used; returns 1 if the first
# word is not one of them.
wrk_option() {
  OPTION_SHIFT=2
  case "$1" in
    --duration | --rounds | --connections | --threads | --warmup | --binary | --epinet-threads)
      (($# >= 2)) || die "$1 needs a value"
      case "$1" in
        --duration) DURATION="$2" ;;
        --rounds) ROUNDS="$2" ;;
        --connections) CONNECTIONS="$2" ;;
        --threads) WRK_THREADS="$2" ;;
        --warmup) WARMUP="$2" ;;
        --binary) BINARY="$2" ;;
        --epinet-threads) EPINET_THREADS_SET="$2" ;;
      esac
      ;;
    --write) WRITE=1; OPTION_SHIFT=1 ;;
    *) return 1 ;;
  esac
}

# wrk_check: validates the shared options and finds wrk and nginx (NGINX).
wrk_check() {
  seconds_of "$DURATION" >/dev/null
  seconds_of "$WARMUP" >/dev/null
  [[ "$ROUNDS" =~ ^[0-9]+$ ]] && ((ROUNDS >= 2 && ROUNDS <= 20)) || die "--rounds must be from 2 to 20"
  [[ "$CONNECTIONS" =~ ^[0-9]+$ ]] && ((CONNECTIONS >= 1 && CONNECTIONS <= 10000)) || die "--connections must be 1..10000"
  [[ "$WRK_THREADS" =~ ^[0-9]+$ ]] && ((WRK_THREADS >= 1 && WRK_THREADS <= CONNECTIONS)) ||
    die "--threads must be from 1 to --connections"

  [[ -z "$EPINET_THREADS_SET" || "$EPINET_THREADS_SET" =~ ^[0-9]+$ ]] || die "--epinet-threads must be a number"
  [[ -x "$BINARY" ]] || die "$BINARY not found: build it first with 'make build' or 'cmake --build build'"
  command -v wrk >/dev/null || die "wrk not found: apt-get install -y wrk"
  NGINX="$(command -v nginx || true)"
  [[ -z "$NGINX" && -x /usr/sbin/nginx ]] && NGINX=/usr/sbin/nginx
  [[ -n "$NGINX" ]] || die "nginx not found: apt-get install -y nginx-light"
}

# --- servers --------------------------------------------------------------------
# A loopback port that nothing listens on right now.
free_port() {
  local p i
  for i in $(seq 1 200); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  die "no free loopback port found"
}

# Wait until GET http://ADDR/healthz answers 200 with the expected body.
wait_healthy() {
  local name="$1" addr="$2" pid="$3" log="$4" i body
  for i in $(seq 1 300); do
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2 || true; die "$name exited during start"; }
    if body="$(curl -fsS --max-time 2 "http://$addr/healthz" 2>/dev/null)"; then
      [[ "$body" == '{"status":"ok"}' ]] || die "$name answered /healthz with '$body'"
      return 0
    fi
    sleep 0.1
  done
  cat "$log" >&2 || true
  die "$name did not answer on $addr within 30 s"
}

# epinet_command NAME=VALUE... -- ARGS...: sets EPINET_CMD to the command that
# runs $BINARY ARGS with only the EPINET_* settings named (none from the
# caller's environment or config file). Run it as "${EPINET_CMD[@]}": env
# execs the binary, so $! of a background run is the server's own pid.
epinet_command() {
  local settings=() unset_epinet=() v
  while (($#)) && [[ "$1" != -- ]]; do settings+=("$1"); shift; done
  (($#)) && shift
  for v in $(compgen -e); do [[ "$v" == EPINET_* ]] && unset_epinet+=(-u "$v"); done
  EPINET_CMD=(env "${unset_epinet[@]}" "${settings[@]}" "$BINARY" "$@")
}

# start_epinet NAME=VALUE...: `epinet serve` in the background on a free
# loopback port, at log level warn, with EPINET_THREADS from --epinet-threads
# and the settings given. Sets EPINET_PORT, EPINET_ADDR, EPINET_PID and
# EPINET_LOG. Does not wait: see wait_healthy.
start_epinet() {
  EPINET_PORT="$(free_port)"
  EPINET_ADDR="127.0.0.1:$EPINET_PORT"
  EPINET_LOG="$TMP/epinet.log"
  epinet_command "$@" EPINET_LISTEN="$EPINET_ADDR" EPINET_LOG_LEVEL=warn \
    ${EPINET_THREADS_SET:+EPINET_THREADS="$EPINET_THREADS_SET"} -- serve
  "${EPINET_CMD[@]}" >"$EPINET_LOG" 2>&1 &
  EPINET_PID=$!
  BENCH_PIDS+=("$EPINET_PID")
}

# The EPINET_THREADS the server reported at start (its "listening" line).
epinet_threads_used() { grep -o '"threads":[0-9]*' "$EPINET_LOG" | head -1 | cut -d: -f2; }

# start_nginx: nginx with 2 workers answering every request with a static
# 200 {"status":"ok"} from its configuration, access log off, in the
# background on a free loopback port (not epinet's). Sets NGINX_ADDR,
# NGINX_PID, NGINX_ERROR_LOG and NGINX_VERSION. Does not wait.
start_nginx() {
  NGINX_PORT="$(free_port)"
  [[ "$NGINX_PORT" != "${EPINET_PORT:-}" ]] || NGINX_PORT="$(free_port)"
  NGINX_ADDR="127.0.0.1:$NGINX_PORT"
  NGINX_ERROR_LOG="$TMP/nginx/error.log"
  mkdir -p "$TMP/nginx"
  local user=""
  [[ "$(id -u)" == 0 ]] && user="user root;"
  cat >"$TMP/nginx/nginx.conf" <<EOF
$user
daemon off;
worker_processes 2;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  default_type application/json;
  client_body_temp_path $TMP/nginx/client_body;
  proxy_temp_path $TMP/nginx/proxy;
  fastcgi_temp_path $TMP/nginx/fastcgi;
  uwsgi_temp_path $TMP/nginx/uwsgi;
  scgi_temp_path $TMP/nginx/scgi;
  keepalive_requests 1000000;
  server {
    listen $NGINX_ADDR;
    location / { return 200 '{"status":"ok"}'; }
  }
}
EOF
  "$NGINX" -p "$TMP/nginx" -e "$TMP/nginx/error.log" -c "$TMP/nginx/nginx.conf" >"$TMP/nginx.log" 2>&1 &
  NGINX_PID=$!
  BENCH_PIDS+=("$NGINX_PID")
  NGINX_VERSION="$("$NGINX" -v 2>&1 | sed 's|.*nginx/||')"
}

# --- wrk ------------------------------------------------------------------------
# Latency in wrk's units (us, ms, s) to milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
    printf "%.3f", n }'
}

# What a socket error (connect, read, write, timeout) does to a run: warn, or
# fail (the run does not count).
WRK_SOCKET_ERRORS=warn

# run_wrk NAME DURATION OUTFILE WRK_ARGS...: one wrk run with the shared
# -t/-c and --latency; the arguments name the URL (and a script); fails on
# wrk's own failure or any non-2xx answer.
run_wrk() {
  local name="$1" dur="$2" out="$3"
  shift 3
  # wrk's own -d bounds it; timeout is the backstop.
  timeout --foreground --signal=INT --kill-after=10 "$(($(seconds_of "$dur") + 30))" \
    wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$dur" --latency "$@" >"$out" 2>&1 ||
    { cat "$out" >&2; die "wrk against $name failed"; }
  if grep -q 'Non-2xx or 3xx responses' "$out"; then
    cat "$out" >&2
    die "$name answered some requests with an error status: the run does not count"
  fi
  if grep -q 'Socket errors' "$out"; then
    if [[ "$WRK_SOCKET_ERRORS" == fail ]]; then
      cat "$out" >&2
      die "socket errors against $name: the run does not count"
    fi
    warn "socket errors against $name: $(grep 'Socket errors' "$out" | sed 's/^ *//')"
  fi
}

# parse_wrk OUTFILE -> "rps p50_ms p99_ms"
parse_wrk() {
  local out="$1" rps p50 p99
  rps="$(awk '/^Requests\/sec:/ { print $2 }' "$out")"
  p50="$(awk '$1 == "50%" { print $2; exit }' "$out")"
  p99="$(awk '$1 == "99%" { print $2; exit }' "$out")"
  [[ -n "$rps" && -n "$p50" && -n "$p99" ]] || { cat "$out" >&2; die "cannot parse wrk output"; }
  echo "$rps $(to_ms "$p50") $(to_ms "$p99")"
}

# --- interleaved rounds -----------------------------------------------------------
# The wrk arguments (URL, script) for each side, and the words for the progress lines.
EPINET_WRK=() NGINX_WRK=()
EPINET_UNIT="req/s" NGINX_UNIT="req/s"

# Hooks a script may redefine: called right before / after each wrk run with
# the server's name (epinet, nginx), the run's label (warm, 1, 2, ...) and
# wrk's output file, for example to sample the server or to check what the wrk
# script counted.
before_run() { :; }
after_run() { :; }

# run_side NAME LABEL DURATION OUTFILE: one wrk run against epinet or nginx.
run_side() {
  local args
  if [[ "$1" == epinet ]]; then args=("${EPINET_WRK[@]}"); else args=("${NGINX_WRK[@]}"); fi
  before_run "$1" "$2" "$4"
  run_wrk "$1" "$3" "$4" "${args[@]}"
  after_run "$1" "$2" "$4"
}

# run_rounds: a warm-up of each server, then ROUNDS rounds of one epinet run
# and one nginx run. The outputs stay in $TMP/warm-epinet.txt, $TMP/epinet-R.txt,
# $TMP/warm-nginx.txt and $TMP/nginx-R.txt; fills E_RPS, E_P50, E_P99, N_RPS,
# N_P50, N_P99, RATIOS (epinet/nginx per round) and RATIO (their median), and
# fails if a server died meanwhile.
run_rounds() {
  echo "bench/$BENCH_NAME: epinet on $EPINET_ADDR, nginx on $NGINX_ADDR; wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION --latency," \
    "$ROUNDS interleaved rounds after a $WARMUP warm-up each" >&2

  run_side epinet warm "$WARMUP" "$TMP/warm-epinet.txt"
  run_side nginx warm "$WARMUP" "$TMP/warm-nginx.txt"

  E_RPS=() E_P50=() E_P99=() N_RPS=() N_P50=() N_P99=() RATIOS=()
  local r rps p50 p99
  for r in $(seq 1 "$ROUNDS"); do
    run_side epinet "$r" "$DURATION" "$TMP/epinet-$r.txt"
    read -r rps p50 p99 < <(parse_wrk "$TMP/epinet-$r.txt")
    E_RPS+=("$rps") E_P50+=("$p50") E_P99+=("$p99")
    run_side nginx "$r" "$DURATION" "$TMP/nginx-$r.txt"
    read -r rps p50 p99 < <(parse_wrk "$TMP/nginx-$r.txt")
    N_RPS+=("$rps") N_P50+=("$p50") N_P99+=("$p99")
    RATIOS+=("$(awk -v e="${E_RPS[-1]}" -v n="$rps" 'BEGIN { printf "%.4f", e / n }')")
    echo "  round $r: epinet ${E_RPS[-1]} $EPINET_UNIT, nginx $rps $NGINX_UNIT, ratio ${RATIOS[-1]}" >&2
  done

  # Both servers must have lived through the whole run.
  kill -0 "$EPINET_PID" 2>/dev/null || { cat "$EPINET_LOG" >&2; die "epinet died during the run"; }
  kill -0 "$NGINX_PID" 2>/dev/null || die "nginx died during the run"
  RATIO="$(echo "${RATIOS[*]}" | median)"
}

# rounds_report HEADLINE EPINET_LABEL NGINX_LABEL [RATE_HEADING [EPINET_RATE NGINX_RATE]]:
# the headline ratio, the table of medians and the table of rounds, in Markdown.
# HEADLINE names what is compared, e.g. "`GET /healthz` requests per second".
rounds_report() {
  local headline="$1" e_label="$2" n_label="$3" rate="${4:-req/s}" e_rate="${5:-epinet req/s}" n_rate="${6:-nginx req/s}"
  cat <<EOF
**epinet / nginx, $headline: $(pct "$RATIO")** (median of $ROUNDS per-round ratios)

| server | $rate (median) | p50 latency | p99 latency | vs nginx |
|---|---:|---:|---:|---:|
| $e_label | $(fmt_int "$(echo "${E_RPS[*]}" | median)") | $(fmt_ms "$(echo "${E_P50[*]}" | median)") ms | $(fmt_ms "$(echo "${E_P99[*]}" | median)") ms | $(pct "$RATIO") |
| $n_label | $(fmt_int "$(echo "${N_RPS[*]}" | median)") | $(fmt_ms "$(echo "${N_P50[*]}" | median)") ms | $(fmt_ms "$(echo "${N_P99[*]}" | median)") ms | 100 % |

Rounds, in the order they ran:

| round | $e_rate | $n_rate | epinet/nginx | epinet p50 / p99 | nginx p50 / p99 |
|---:|---:|---:|---:|---:|---:|
EOF
  local i
  for i in "${!RATIOS[@]}"; do
    echo "| $((i + 1)) | $(fmt_int "${E_RPS[$i]}") | $(fmt_int "${N_RPS[$i]}") | $(pct "${RATIOS[$i]}") |" \
      "$(fmt_ms "${E_P50[$i]}") / $(fmt_ms "${E_P99[$i]}") ms | $(fmt_ms "${N_P50[$i]}") / $(fmt_ms "${N_P99[$i]}") ms |"
  done
}

# Shared helpers for the deploy/integration test scripts (sourced, not run).
# Every process started with `spawn` is killed on exit; every temp dir from `make_tmp` removed.

CCP_PIDS=()
CCP_TMP=""

ccp_cleanup() {
  local pid
  for pid in "${CCP_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${CCP_PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  if [[ -n "$CCP_TMP" && -z "${CCP_KEEP_TMP:-}" ]]; then
    rm -rf "$CCP_TMP"
  fi
}
trap ccp_cleanup EXIT
trap 'exit 130' INT TERM

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

need() {
  local cmd
  for cmd in "$@"; do
    command -v "$cmd" >/dev/null || fail "'$cmd' not found (scripts/install-deps.sh installs it)"
  done
}

make_tmp() {
  CCP_TMP=$(mktemp -d "${TMPDIR:-/tmp}/ccpulse-deploy-test.XXXXXX")
}

# free_ports N: prints N distinct free TCP ports on 127.0.0.1, one per line. The sockets are
# closed before the ports are used, so another process could take one in between; ports are
# picked by the kernel from the ephemeral range, which makes that unlikely.
free_ports() {
  python3 - "$1" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
for s in socks:
    print(s.getsockname()[1])
PY
}

# spawn LOGFILE CMD ARGS...: starts CMD in the background, logging to LOGFILE; sets SPAWNED_PID.
spawn() {
  local log=$1
  shift
  "$@" >"$log" 2>&1 &
  SPAWNED_PID=$!
  CCP_PIDS+=("$SPAWNED_PID")
}

# wait_until DEADLINE_SECONDS DESCRIPTION CMD ARGS...: polls CMD every 0.1 s until it succeeds;
# fails the test with DESCRIPTION when the deadline passes. Every PID in CCP_PIDS must stay alive.
wait_until() {
  local deadline=$((SECONDS + $1)) what=$2 pid
  shift 2
  until "$@" >/dev/null 2>&1; do
    for pid in "${CCP_PIDS[@]}"; do
      kill -0 "$pid" 2>/dev/null || fail "process $pid exited while waiting for: $what"
    done
    ((SECONDS < deadline)) || fail "timed out waiting for: $what"
    sleep 0.1
  done
}

# metric_value URL SERIES: prints the value of the exposition line starting with SERIES (exact).
metric_value() {
  curl -sf "$1" | awk -v s="$2" 'index($0, s " ") == 1 { print $2; found = 1 } END { exit !found }'
}

#!/usr/bin/env bash
# Runs the Provisio benchmarks: release builds of `provisio` and `provisio-bench`, a release server with a fresh
# data directory on its own loopback block, `registrations`, `telemetry` (with mosquitto as the baseline) and
# `twin-method` against it, then stops the server and prints every result line.
#
# Environment:
#   BENCH_SKIP_BUILD=1        use the existing release binaries
#   BENCH_BIN=DIR             use provisio and provisio-bench from DIR (implies BENCH_SKIP_BUILD=1)
#   BENCH_LOG_LEVEL=info      the server's log level (info is the default configuration)
#   BENCH_REGISTRATIONS_ARGS  extra arguments, e.g. "--devices 1000 --concurrency 16"
#   BENCH_TELEMETRY_ARGS      default "--rounds 3" (Provisio and mosquitto alternate, 200,000 messages each per round)
#   BENCH_TWIN_ARGS           e.g. "--patches 1000"
#   BENCH_PKI_ARGS            e.g. "--certificates 2000 --revoked 100000" (in process; needs openssl and sqlite3)
#   BENCH_ONLY                space-separated subset of: registrations telemetry twin-method pki
#   BENCH_KEEP=1              keep the scratch directory (data, server log, results)
#   BENCH_RESULTS=FILE        also append every result line to FILE
#   BENCH_SERVER_BIN=DIR      run the server binary from DIR (the load generator stays the current one)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

if [[ -n "${BENCH_BIN:-}" ]]; then
  bin=$BENCH_BIN
else
  if [[ "${BENCH_SKIP_BUILD:-0}" != 1 ]]; then
    echo "== release build (provisio, provisio-bench)"
    swift build -c release --product provisio
    swift build -c release --product provisio-bench
  fi
  bin=$(swift build -c release --show-bin-path)
fi
for tool in provisio provisio-bench; do
  [[ -x "$bin/$tool" ]] || { echo "missing $bin/$tool (run without BENCH_SKIP_BUILD)" >&2; exit 1; }
done

# A loopback block of its own: 127.250-254.Y.0/24 (the end-to-end tests use 127.10-249.x.x, the default server 127.0.0.x).
block="127.$((250 + RANDOM % 5)).$((RANDOM % 256))"
work=$(mktemp -d /tmp/provisio-bench.XXXXXX)
results="$work/results.jsonl"
cat > "$work/provisio.yaml" <<EOF
apiVersion: provisio/v1
kind: ServerConfiguration
logLevel: ${BENCH_LOG_LEVEL:-info}
dps: {hostName: $block.1, mqttPort: 8883, httpsPort: 8443, registrationRateLimit: 100000}
shards:
  - {name: hub-1, hostName: $block.2, mqttPort: 8883, httpsPort: 8443}
  - {name: hub-2, hostName: $block.3, mqttPort: 8883, httpsPort: 8443}
  - {name: hub-3, hostName: $block.4, mqttPort: 8883, httpsPort: 8443}
EOF

server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [[ "${BENCH_KEEP:-0}" == 1 ]]; then
    echo "== kept $work (server.log, results.jsonl, data/)"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

server_bin=${BENCH_SERVER_BIN:-$bin}
echo "== starting $server_bin/provisio serve on $block.1-4 (data: $work/data)"
"$server_bin/provisio" serve --data-dir "$work/data" --config "$work/provisio.yaml" > "$work/server.out" 2> "$work/server.log" &
server_pid=$!
for _ in $(seq 1 600); do
  grep -q '^ready' "$work/server.out" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { echo "provisio serve exited:" >&2; tail -20 "$work/server.log" >&2; exit 1; }
  sleep 0.2
done
grep -q '^ready' "$work/server.out" || { echo "provisio serve was not ready within 120 s" >&2; exit 1; }
head -1 "$work/server.out"
connection="$work/data/connection.json"

run() {
  local name=$1
  shift
  if [[ -n "${BENCH_ONLY:-}" && " $BENCH_ONLY " != *" $name "* ]]; then return 0; fi
  echo "== provisio-bench $name $*"
  "$bin/provisio-bench" "$name" --connection "$connection" --server-pid "$server_pid" "$@" | tee "$work/$name.out"
  grep '^{"benchmark":' "$work/$name.out" >> "$results" || true
}

echo "== $(date -u +%Y-%m-%dT%H:%M:%SZ) $(uname -srm), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
# shellcheck disable=SC2086 # the extra arguments are meant to split
run registrations ${BENCH_REGISTRATIONS_ARGS:-}
# shellcheck disable=SC2086
run telemetry ${BENCH_TELEMETRY_ARGS:---rounds 3}
# shellcheck disable=SC2086
run twin-method ${BENCH_TWIN_ARGS:-}

# The PKI benchmark runs in process (its own CA and SQLite store in a scratch directory), not against the server.
if [[ -z "${BENCH_ONLY:-}" || " $BENCH_ONLY " == *" pki "* ]]; then
  echo "== provisio-bench pki ${BENCH_PKI_ARGS:-}"
  # shellcheck disable=SC2086
  "$bin/provisio-bench" pki --work-directory "$work" ${BENCH_PKI_ARGS:-} | tee "$work/pki.out"
  grep '^{"benchmark":' "$work/pki.out" >> "$results" || true
fi

echo "== server: $(grep -c '' "$work/server.log") log lines; errors/warnings: $(grep -ciE 'error|warning|critical' "$work/server.log" || true)"
echo "== results (one JSON line per benchmark)"
cat "$results" 2>/dev/null || true
if [[ -n "${BENCH_RESULTS:-}" && -f "$results" ]]; then cat "$results" >> "$BENCH_RESULTS"; fi

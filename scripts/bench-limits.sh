#!/usr/bin/env bash
# What the hardening limits cost: registrations/s and telemetry msg/s of a baseline server binary and of the
# current one, alternating in one run with the same load generator (the current provisio-bench), then the
# ratios current/baseline. A ratio near 1.0 (inside the spread between rounds) means no measurable cost.
#
# Usage: scripts/bench-limits.sh BASELINE_BIN_DIR [PAIRS]
#   BASELINE_BIN_DIR  a directory holding the baseline `provisio` (e.g. a release build of the commit before the
#                     limits: git worktree add /tmp/base <commit> && (cd /tmp/base && swift build -c release --product provisio))
#   PAIRS             baseline/current rounds (default 3)
# Environment: BENCH_SKIP_BUILD=1 uses the existing release binaries of this tree; BENCH_REGISTRATIONS_ARGS and
# BENCH_TELEMETRY_ARGS pass through (default telemetry: one round, Provisio only).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
baseline=${1:?usage: scripts/bench-limits.sh BASELINE_BIN_DIR [PAIRS]}
pairs=${2:-3}
[[ -x "$baseline/provisio" ]] || { echo "no provisio in $baseline" >&2; exit 1; }
if [[ "${BENCH_SKIP_BUILD:-0}" != 1 ]]; then
  swift build -c release --product provisio
  swift build -c release --product provisio-bench
fi
current=$(swift build -c release --show-bin-path)
results=$(mktemp /tmp/provisio-bench-limits.XXXXXX)
export BENCH_ONLY="registrations telemetry" BENCH_SKIP_BUILD=1 BENCH_BIN="$current"
export BENCH_TELEMETRY_ARGS="${BENCH_TELEMETRY_ARGS:---rounds 1 --skip-mosquitto}"
for pair in $(seq 1 "$pairs"); do
  for side in baseline current; do
    server=$baseline
    [[ $side == current ]] && server=$current
    echo "== pair $pair: $side server ($server/provisio)"
    before=$(grep -c '' "$results" || true)
    BENCH_SERVER_BIN=$server BENCH_RESULTS="$results" scripts/bench.sh > "$results.$side.$pair.log" 2>&1 \
      || { echo "bench.sh failed ($side, pair $pair):" >&2; tail -20 "$results.$side.$pair.log" >&2; exit 1; }
    after=$(grep -c '' "$results" || true)
    tail -n "$((after - before))" "$results" | sed "s/^{/{\"side\":\"$side\",\"pair\":$pair,/" >> "$results.tagged"
  done
done
python3 - "$results.tagged" <<'EOF'
import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
figures = {("registrations", "httpsKeepAlivePerSecond"): "registrations/s (HTTPS keep-alive)",
           ("registrations", "mqttPerSecond"): "registrations/s (MQTT, TLS per device)",
           ("telemetry", "provisioPerSecond"): "telemetry msg/s (QoS 1, 100 devices)"}
print("\n== limits cost: current / baseline, same run, alternating servers")
for (benchmark, key), label in figures.items():
    values = {"baseline": [], "current": []}
    for row in rows:
        if row["benchmark"] == benchmark and key in row.get("summary", {}):
            values[row["side"]].append(row["summary"][key])
    if not values["baseline"] or not values["current"]:
        continue
    base, cur = statistics.median(values["baseline"]), statistics.median(values["current"])
    print(f"{label:42} baseline {base:10.1f}  current {cur:10.1f}  ratio {cur / base:5.3f}"
          f"   (rounds: baseline {', '.join(f'{v:.0f}' for v in values['baseline'])}; current {', '.join(f'{v:.0f}' for v in values['current'])})")
EOF
echo "== logs: $results.*.log"

#!/usr/bin/env bash
# TLS vs h2c for the gRPC Drive stream of external vehicle processes on 127.0.0.1 (docs/security.md, "Cost").
# Usage: tools/tls-bench.sh [runs per mode, default 3] [simulated seconds, default 20]
# Needs the Release builds of src/AutomationStack.Cli and tools/AutomationStack.CertTool. Alternates h2c and TLS runs
# of tests/AutomationStack.Cli.Tests/scenarios/netns-udp-platoon.yaml (two trucks, --external truck1,truck2, both
# vehicle processes started by this script) and prints each run's real-time factor and exchange time from kpi.json.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-3}
duration=${2:-20}
bin=$root/src/AutomationStack.Cli/bin/Release/net10.0
certtool=$root/tools/AutomationStack.CertTool/bin/Release/net10.0/certtool.dll
scenario=$root/tests/AutomationStack.Cli.Tests/scenarios/netns-udp-platoon.yaml
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dotnet "$certtool" tls --out "$work/pki" --hosts 127.0.0.1 --vehicles truck1,truck2 >/dev/null
for i in $(seq "$runs"); do
  for mode in h2c tls; do
    out=$work/$mode-$i
    run_tls=()
    if [ "$mode" = tls ]; then
      run_tls=(--tls-cert "$work/pki/bridge.pem" --tls-key "$work/pki/bridge.key" --tls-client-ca "$work/pki/ca.pem")
    fi
    dotnet "$bin/automationstack.dll" run "$scenario" --out "$out" --duration "$duration" --quiet \
      --external truck1,truck2 "${run_tls[@]}" >"$out.txt" 2>"$out.err" &
    run=$!
    until grep -q 'attach with --bridge' "$out.err" 2>/dev/null; do sleep 0.1; done
    url=$(grep -o 'https\?://127\.0\.0\.1:[0-9]*/' "$out.err" | head -1)
    vehicles=()
    for id in truck1 truck2; do
      vehicle_tls=()
      if [ "$mode" = tls ]; then
        vehicle_tls=(--tls-ca "$work/pki/ca.pem" --tls-cert "$work/pki/$id.pem" --tls-key "$work/pki/$id.key")
      fi
      dotnet "$bin/AutomationStack.Vehicle.dll" --bridge "$url" --vehicle "$id" "${vehicle_tls[@]}" >"$out-$id.log" 2>&1 &
      vehicles+=($!)
    done
    wait "$run" || true
    wait "${vehicles[@]}" || true
    python3 - "$out/kpi.json" "$mode" <<'PY'
import json, sys
k = json.load(open(sys.argv[1]))
b = k["bridge"]
print(f"{sys.argv[2]:4} real-time factor {k['real_time_factor']:6.1f}x  exchange {b['exchange_us_per_vehicle_frame']:7.1f} us per vehicle frame"
      f"  overhead {b['overhead_us_per_vehicle_step']:6.1f} us per vehicle step  passed {k['passed']}")
PY
  done
done

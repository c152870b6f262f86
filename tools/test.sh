#!/usr/bin/env bash
# The whole test suite: installs what the tests need when missing (Node.js + npm and SUMO 1.15 + sumo-tools from
# Debian, @mcap/core, protobufjs and @foxglove/schemas from npm), builds everything in Release and runs every NUnit test project with `dotnet test`. Ends with one line
# "tests: N passed, N failed, N skipped".
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "test: installing nodejs and npm (Debian packages)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi

# SUMO 1.15 for the TraCI client's integration tests (they fail under CI=true when sumo is missing).
if ! command -v sumo >/dev/null 2>&1 || ! command -v netgenerate >/dev/null 2>&1; then
  echo "test: installing sumo and sumo-tools (Debian packages)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sumo sumo-tools >/dev/null
fi
export SUMO_HOME="${SUMO_HOME:-/usr/share/sumo}"

if [ ! -f tools/mcap-validate/node_modules/@mcap/core/package.json ] \
  || [ ! -f tools/mcap-validate/node_modules/protobufjs/package.json ] \
  || [ ! -f tools/mcap-validate/node_modules/@foxglove/schemas/package.json ]; then
  echo "test: installing @mcap/core, protobufjs, @foxglove/schemas (npm ci in tools/mcap-validate)"
  npm ci --prefix tools/mcap-validate --no-audit --no-fund --loglevel=error
fi

echo "test: building (Release)"
dotnet build AutomationStack.sln -c Release -nologo -v q -clp:ErrorsOnly

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
dotnet test AutomationStack.sln -c Release --no-build -nologo 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# One closing line summed over all test assemblies.
awk '
  /(Passed|Failed)! +- +Failed: / {
    for (i = 1; i <= NF; i++) {
      gsub(",", "", $(i+1))
      if ($i == "Failed:") f += $(i+1)
      if ($i == "Passed:") p += $(i+1)
      if ($i == "Skipped:") s += $(i+1)
    }
  }
  END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }
' "$log"
exit "$status"

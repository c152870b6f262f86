#!/usr/bin/env bash
# The whole test suite: installs what the tests need when missing (Node.js + npm, SUMO 1.15 + sumo-tools and afl++ from
# Debian, @mcap/core, protobufjs and @foxglove/schemas from npm, and for the visualizer's tests Xvfb, GLFW, Mesa's
# EGL/llvmpipe and ffmpeg from Debian), builds everything in Release and runs every NUnit test project with `dotnet test`. Ends with one line
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

# afl++ for the fuzz harness's afl smoke runs (tests/AutomationStack.Fuzz.Tests; they fail under CI=true without it).
if ! command -v afl-fuzz >/dev/null 2>&1; then
  echo "test: installing afl++ (Debian package)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq afl++ >/dev/null
fi

# The visualizer's tests: headless frames need Mesa's EGL and llvmpipe (libegl1, libegl-mesa0, libgl1-mesa-dri), the
# window test GLFW (libglfw3) under Xvfb (xvfb, xauth), and the MP4 check ffmpeg.
viz_packages=()
command -v xvfb-run >/dev/null 2>&1 || viz_packages+=(xvfb xauth)
command -v ffmpeg >/dev/null 2>&1 || viz_packages+=(ffmpeg)
[ -e /usr/lib/x86_64-linux-gnu/libglfw.so.3 ] || ldconfig -p 2>/dev/null | grep -q 'libglfw\.so\.3' || viz_packages+=(libglfw3)
[ -e /usr/lib/x86_64-linux-gnu/libEGL_mesa.so.0 ] || ldconfig -p 2>/dev/null | grep -q 'libEGL_mesa\.so\.0' || viz_packages+=(libegl1 libegl-mesa0 libgl1-mesa-dri)
if [ "${#viz_packages[@]}" -gt 0 ]; then
  echo "test: installing ${viz_packages[*]} (Debian packages, for the visualizer)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${viz_packages[@]}" >/dev/null
fi

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

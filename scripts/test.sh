#!/usr/bin/env bash
# Set-up and test: installs what is missing, builds, and runs every test
# (release build, then the sanitizer build).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-deps.sh
scripts/build.sh release
ctest --preset release
if [ "${LOOPSCOPE_SKIP_ASAN:-0}" != "1" ]; then
  scripts/build.sh asan
  ctest --preset asan
fi

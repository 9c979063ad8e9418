#!/usr/bin/env bash
# Set-up and run: installs what is missing, builds, and opens Loopscope with its first
# lesson. Without a display the app runs the same lesson headless and writes the report
# (charts and data) to ./loopscope-report, which it names on the console.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-deps.sh
scripts/build.sh release
exec build/release/app/loopscope "$@"

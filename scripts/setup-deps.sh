#!/usr/bin/env bash
# Installs the Debian 12 packages Loopscope needs to build, test and run, if missing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config file dpkg-dev
  qt6-base-dev qt6-base-dev-tools qt6-svg-dev libqt6svg6 libgl1-mesa-dev
  libqcustomplot-dev qcoro-qt6-dev libqscintilla2-qt6-dev libhttp-parser-dev
  python3 python3-fastapi python3-uvicorn python3-httpx python3-requests
  wrk xvfb xauth imagemagick
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "loopscope: installing ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update
  "${sudo_cmd[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
fi

#!/usr/bin/env bash
# Sets up a fresh machine: Debian packages (Chromium + Vulkan loader for headless WebGPU,
# flatc for regenerating the schema) and the npm dependencies (npm ci also compiles dist/).
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(chromium libvulkan1 flatbuffers-compiler)
missing=()
for p in "${PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  elif command -v sudo >/dev/null; then
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "setup: not root and no sudo; ask an administrator to run: apt-get install ${missing[*]}" >&2
    echo "setup: continuing without them (WebGPU and browser tests will report the missing pieces)" >&2
  fi
fi

npm ci --no-audit --no-fund

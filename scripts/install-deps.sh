#!/usr/bin/env bash
# Installs the Debian packages Mimir AIP builds and tests against. Idempotent: installs only what
# is missing, so it is cheap to run before every build. Needs root (or sudo) on Debian 12.
set -euo pipefail

packages=(libhiredis-dev libcurl4-openssl-dev libjansson-dev redis-server gcc make pkg-config valgrind python3 python3-pip openssl curl)

missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done

if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    echo "installing: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v swift >/dev/null 2>&1; then
    echo "error: no Swift toolchain on PATH; install Swift 6.1 or newer (swift.org) and retry" >&2
    exit 1
fi

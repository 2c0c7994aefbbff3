#!/bin/sh
# Installs Debian's `janus` package for the audio benchmark, once.
#
# The bench starts Janus itself with generated configuration files
# (bench/janus/*.jcfg, loopback only), so the packaged service must not
# run: on Debian the package's service is started only where
# /usr/sbin/policy-rc.d allows it, and this script stops it if it did start.
#
# Usage: bench/janus/setup.sh   (as root, or with sudo available)
set -eu

if command -v janus >/dev/null 2>&1; then
    echo "janus is already installed: $(janus --version 2>/dev/null | head -n 1)"
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    as_root=""
elif command -v sudo >/dev/null 2>&1; then
    as_root="sudo"
else
    echo "error: installing janus needs root or sudo" >&2
    exit 1
fi

$as_root apt-get update
DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y --no-install-recommends janus

# The bench's own Janus listens on 127.0.0.1 only; a packaged service
# would listen on every interface with the default configuration.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet janus 2>/dev/null; then
    $as_root systemctl disable --now janus
fi

echo "installed: $(janus --version 2>/dev/null | head -n 1)"

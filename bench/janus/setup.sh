#!/bin/sh
# Installs Debian's `janus` package for the audio benchmark, once, and
# creates the local veth interface whose address Janus gathers ICE
# candidates on.
#
# The bench starts Janus itself with generated configuration files
# (bench/janus/*.jcfg), so the packaged service must not run: on Debian
# the package's service is started only where /usr/sbin/policy-rc.d
# allows it, and this script stops it if it did start.
#
# Janus 1.1.2 gathers no ICE candidate on a loopback interface, so the
# bench gives it 198.18.0.1/32 (RFC 2544's benchmarking range) on the
# veth pair lbench0/lbench1 in this network namespace. As an address of
# this host, traffic to it never leaves the machine. Without the pair the
# bench skips Janus and prints the reason.
#
# Usage: bench/janus/setup.sh   (as root, or with sudo available)
# Both steps do nothing when already done.
set -eu

BENCH_INTERFACE=lbench0
BENCH_PEER=lbench1
BENCH_ADDRESS=198.18.0.1/32

if [ "$(id -u)" -eq 0 ]; then
    as_root=""
elif command -v sudo >/dev/null 2>&1; then
    as_root="sudo -n"
else
    as_root="unavailable"
fi

install_janus() {
    if command -v janus >/dev/null 2>&1; then
        echo "janus is already installed: $(janus --version 2>/dev/null | head -n 1)"
        return 0
    fi
    if [ "$as_root" = unavailable ]; then
        echo "error: installing janus needs root or sudo" >&2
        exit 1
    fi
    $as_root apt-get update
    DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y --no-install-recommends janus

    # The bench's own Janus listens on 127.0.0.1 and the bench address
    # only. A packaged service would listen on every interface with the
    # default configuration.
    if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet janus 2>/dev/null; then
        $as_root systemctl disable --now janus
    fi
    echo "installed: $(janus --version 2>/dev/null | head -n 1)"
}

# Prints why the bench address cannot be created and returns, so that the
# Janus install still counts: the bench then skips Janus with that reason.
skip_bench_address() {
    echo "warning: cannot create $BENCH_ADDRESS on $BENCH_INTERFACE: $1" >&2
    echo "warning: lectern-bench audio will skip Janus until it exists" >&2
}

has_bench_address() {
    ip -o -4 address show dev "$BENCH_INTERFACE" 2>/dev/null | grep -q " ${BENCH_ADDRESS%/*}/"
}

create_bench_address() {
    if [ "$as_root" = unavailable ]; then
        if has_bench_address; then
            echo "$BENCH_INTERFACE already holds $BENCH_ADDRESS"
        else
            skip_bench_address "creating an interface needs root or sudo"
        fi
        return 0
    fi
    created=""
    if ! ip link show "$BENCH_INTERFACE" >/dev/null 2>&1; then
        if ! error=$($as_root ip link add "$BENCH_INTERFACE" type veth peer name "$BENCH_PEER" 2>&1); then
            skip_bench_address "ip link add failed: $error"
            return 0
        fi
        created="yes"
        # Janus gathers IPv4 only here, and link-local IPv6 addresses on
        # the pair would only add noise.
        $as_root sysctl -q -w "net.ipv6.conf.$BENCH_INTERFACE.disable_ipv6=1" >/dev/null 2>&1 || true
        $as_root sysctl -q -w "net.ipv6.conf.$BENCH_PEER.disable_ipv6=1" >/dev/null 2>&1 || true
    fi
    if ! has_bench_address; then
        if ! error=$($as_root ip address add "$BENCH_ADDRESS" dev "$BENCH_INTERFACE" 2>&1); then
            skip_bench_address "ip address add failed: $error"
            return 0
        fi
        created="yes"
    fi
    # Bringing a link up that is up already does nothing.
    if ! error=$($as_root ip link set "$BENCH_PEER" up 2>&1 && $as_root ip link set "$BENCH_INTERFACE" up 2>&1); then
        skip_bench_address "ip link set up failed: $error"
        return 0
    fi
    if [ -n "$created" ]; then
        echo "created $BENCH_INTERFACE (veth, peer $BENCH_PEER) with $BENCH_ADDRESS for Janus's ICE candidates"
    else
        echo "$BENCH_INTERFACE already holds $BENCH_ADDRESS and is up"
    fi
}

install_janus
create_bench_address

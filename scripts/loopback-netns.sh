#!/bin/sh
# Runs a command in a fresh network namespace whose only interface is `lo` (up): everything the command starts —
# test servers, Chromium, WebRTC media — can reach 127.0.0.1 / ::1 and nothing else, and Chromium can gather no
# ICE host candidate but loopback ones. Nothing is left behind: the namespace goes away with its last process.
# Janus gathers no ICE candidate on a loopback interface, so the namespace also gets a veth pair `pj0`/`pj1` with
# 127.0.0.2/32 on pj0: a Janus started with `nat: { ice_enforce_list = "pj0" }` offers that address, which the
# namespace routes over `lo` like the rest of 127.0.0.0/8 (a `dummy` interface does not work).
#
#   sh scripts/loopback-netns.sh node --import tsx --test test/e2e/*.test.ts
#
# As root: `unshare --net`. Otherwise: `unshare --user --map-root-user --net` (needs unprivileged user namespaces).
# Already somewhere with no address outside `lo` (a nested run): runs the command as is.
set -eu

if [ "$#" -eq 0 ]; then
  echo "usage: $0 command [argument...]" >&2
  exit 2
fi
if ! command -v unshare >/dev/null 2>&1 || ! command -v ip >/dev/null 2>&1; then
  echo "$0: needs unshare (util-linux) and ip (iproute2): apt-get install -y util-linux iproute2" >&2
  exit 1
fi

if [ -z "$(ip -o address show | grep -v '^[0-9]*: \(lo\|pj0\) ' || true)" ]; then
  exec "$@"
fi

if [ "$(id -u)" -eq 0 ]; then
  namespaces="--net"
else
  namespaces="--user --map-root-user --net"
fi
# Fail here, with a clear message, rather than have the namespace's failure pass for the command's.
if ! unshare $namespaces true 2>/dev/null; then
  echo "$0: cannot create a network namespace (unshare $namespaces): run as root or enable unprivileged user namespaces" >&2
  exit 1
fi
exec unshare $namespaces -- sh -c '
  ip link set lo up &&
  ip link add pj0 type veth peer name pj1 &&
  ip link set pj0 addrgenmode none &&
  ip link set pj1 addrgenmode none &&
  ip addr add 127.0.0.2/32 dev pj0 &&
  ip link set pj0 up &&
  ip link set pj1 up &&
  exec "$@"' loopback-netns "$@"

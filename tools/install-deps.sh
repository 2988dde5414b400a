#!/bin/sh
# Installs the Debian packages hvtrace needs to build and test, when they are missing.
# As root it runs apt-get; otherwise it prints the exact command and fails.
set -e
need=""
command -v gcc >/dev/null 2>&1 || need="$need gcc libc6-dev"
command -v make >/dev/null 2>&1 || need="$need make"
[ -f /usr/include/libelf.h ] && [ -f /usr/include/gelf.h ] || need="$need libelf-dev"
[ -f /usr/include/cmocka.h ] || need="$need libcmocka-dev"
command -v musl-gcc >/dev/null 2>&1 || need="$need musl-tools"
command -v pkg-config >/dev/null 2>&1 || need="$need pkg-config"
[ -x /bin/busybox ] || need="$need busybox-static"
[ -x /usr/bin/python3 ] || need="$need python3"   # a dynamically linked program the tests run
[ -x /usr/bin/strace ] || need="$need strace"     # a ptrace client the tests run in the guest
[ -x /usr/bin/gdb ] || need="$need gdb"           # make test-gdb: the stock gdb against hvtrace gdb
command -v clang >/dev/null 2>&1 || need="$need clang"   # make fuzz: libFuzzer targets
[ -n "$need" ] || exit 0
if [ "$(id -u)" != 0 ]; then
	echo "hvtrace: missing packages:$need" >&2
	echo "hvtrace: install them with: sudo apt-get install -y$need" >&2
	exit 1
fi
echo "hvtrace: installing$need" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null 2>&1 || apt-get update
# shellcheck disable=SC2086
apt-get install -y -qq $need >/dev/null || apt-get install -y $need

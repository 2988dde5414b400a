#!/bin/sh
# Exit 0 when /dev/kvm can be opened for reading and writing. Otherwise: with
# HVTRACE_REQUIRE_KVM=1 (CI) that is a failure (exit 2); without it the KVM-backed
# group named in $1 is skipped (exit 1) with a line saying so.
if [ -r /dev/kvm ] && [ -w /dev/kvm ] && (exec 3<>/dev/kvm) 2>/dev/null; then
	exit 0
fi
if [ "${HVTRACE_REQUIRE_KVM:-0}" = 1 ]; then
	echo "FAIL: /dev/kvm is missing or not usable, and HVTRACE_REQUIRE_KVM=1 requires it ($1 tests)" >&2
	exit 2
fi
echo "SKIP: $1 tests need a usable /dev/kvm (set HVTRACE_REQUIRE_KVM=1 to make this a failure)" >&2
exit 1

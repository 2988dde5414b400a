#!/bin/sh
# Runs one KVM-backed test group whose command prints "N passed, N failed" last, and
# records that line in BUILD/result-GROUP.txt (skip or failure when /dev/kvm is unusable,
# see require_kvm.sh).  usage: run_group.sh BUILD GROUP COMMAND...
build=$1 group=$2
shift 2
sh "$(dirname "$0")/require_kvm.sh" "$group"
case $? in
0) ;;
1) echo "0 passed, 0 failed, 1 skipped" > "$build/result-$group.txt"; exit 0 ;;
*) echo "0 passed, 1 failed" > "$build/result-$group.txt"; exit 1 ;;
esac
# Live output (a slow lane shows its progress), and the command's own status.
{ "$@"; echo $? > "$build/$group.rc"; } 2>&1 | tee "$build/$group.log"
rc=$(cat "$build/$group.rc" 2>/dev/null || echo 1)
tail -n 1 "$build/$group.log" > "$build/result-$group.txt"
exit "$rc"

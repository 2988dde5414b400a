#!/bin/sh
# Runs cmocka test binaries, prints their output, and records "N passed, N failed" for
# the group in BUILD/result-GROUP.txt. The vcpu group needs /dev/kvm (see require_kvm.sh).
# usage: run_cmocka.sh BUILD GROUP BINARY...
build=$1 group=$2
shift 2
if [ "$group" != unit ]; then
	sh "$(dirname "$0")/require_kvm.sh" "$group"
	case $? in
	0) ;;
	1) echo "0 passed, 0 failed, 1 skipped" > "$build/result-$group.txt"; exit 0 ;;
	*) echo "0 passed, 1 failed" > "$build/result-$group.txt"; exit 1 ;;
	esac
fi
passed=0 failed=0 skipped=0
for t in "$@"; do
	t0=$(date +%s)
	out=$("$t" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	echo "($(basename "$t"): $(($(date +%s) - t0)) s)"
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -n 1)
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -n 1)
	s=$(printf '%s\n' "$out" | sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' | tail -n 1)
	skipped=$((skipped + ${s:-0}))
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	if [ "$rc" -ne 0 ] && [ -z "$f" ]; then
		echo "FAIL: $t exited with status $rc"
		failed=$((failed + 1))
	fi
done
line="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && line="$line, $skipped skipped"
echo "$group: $line"
echo "$line" > "$build/result-$group.txt"
[ "$failed" -eq 0 ]

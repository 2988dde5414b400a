#!/bin/sh
# Adds up the per-group results of `make test` into the one closing line.
# usage: summary.sh BUILD [GROUP...]   (default: every group of `make test`)
build=$1
shift
groups=${*:-unit vcpu-auto vcpu-exit vcpu-shared cli diff-auto diff-exit diff-shared shell-auto shell-exit shell-shared dynamic-auto dynamic-exit dynamic-shared guest-strace-auto guest-strace-exit guest-strace-shared strace gdb}
passed=0 failed=0 skipped=0
for g in $groups; do
	f="$build/result-$g.txt"
	if [ ! -f "$f" ]; then
		echo "missing result for $g tests"
		failed=$((failed + 1))
		continue
	fi
	line=$(cat "$f")
	echo "  $g: $line"
	p=$(echo "$line" | sed -n 's/^\([0-9]*\) passed.*/\1/p')
	fl=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
	s=$(echo "$line" | sed -n 's/.* \([0-9]*\) skipped.*/\1/p')
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${fl:-0}))
	skipped=$((skipped + ${s:-0}))
done
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]

#!/bin/sh
# The C API examples (examples/) against their target program. usage: run_examples.sh DIR
dir=$1
pass=0 fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
ko() { echo "FAIL $1"; fail=$((fail + 1)); }

# count_instructions: the checksum loop is the same instructions per byte, so the
# counts for 10, 20 and 30 bytes step evenly, by a positive amount; and a count is the
# same on every run.
count() { head -c "$1" /dev/zero | tr '\0' a | "$dir/count_instructions" checksum "$dir/target" |
	sed -n 's/^checksum call 1: \([0-9]*\) instructions$/\1/p'; }
c10=$(count 10) c20=$(count 20) c30=$(count 30) again=$(count 20)
if [ -n "$c10" ] && [ -n "$c20" ] && [ -n "$c30" ] && [ "$c20" -gt "$c10" ] &&
   [ $((c30 - c20)) -eq $((c20 - c10)) ] && [ "$again" = "$c20" ]; then
	ok "count-instructions ($c10, $c20, $c30)"
else
	ko "count-instructions: '$c10' '$c20' '$c30' (again '$again')"
fi
out=$(printf x | "$dir/count_instructions" nosuchfunction "$dir/target" 2>&1); rc=$?
[ $rc = 2 ] && echo "$out" | grep -q "no function nosuchfunction" && ok "count-instructions-unknown-function" ||
	ko "count-instructions-unknown-function ($rc): $out"

# assert_register: the length is checksum's second argument (rsi).
out=$(printf hello | "$dir/assert_register" checksum rsi 5 "$dir/target"); rc=$?
[ $rc = 0 ] && echo "$out" | grep -q "^ok: rsi = 0x5 at all 1 calls of checksum" && ok "assert-register-holds" ||
	ko "assert-register-holds ($rc): $out"
out=$(printf hello | "$dir/assert_register" checksum rsi 6 "$dir/target"); rc=$?
[ $rc = 1 ] && echo "$out" | grep -q "^FAIL: rsi = 0x5 (want 0x6) at call 1 of checksum" && ok "assert-register-fails" ||
	ko "assert-register-fails ($rc): $out"

# fuzz_loop: the seeded run finds the "BUG" crash, and only inputs starting with it.
out=$("$dir/fuzz_loop" 40 1 "$dir/target"); rc=$?
crashes=$(echo "$out" | grep -c "^run [0-9]*: Segmentation fault .*input: 42 55 47")
others=$(echo "$out" | grep "^run " | grep -vc "input: 42 55 47")
if [ $rc = 0 ] && [ "$crashes" -ge 1 ] && [ "$others" = 0 ] &&
   echo "$out" | grep -q "^40 runs, $crashes crashes$"; then
	ok "fuzz-loop ($crashes crashes in 40 runs)"
else
	ko "fuzz-loop ($rc): $out"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]

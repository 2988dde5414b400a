#!/bin/sh
# Host-side tracing benchmarks, in one run: a getpid loop untraced under hvtrace, traced
# by a C API recorder (a line formatted per syscall, no stop), traced by stopping it at
# each entry and exit, and natively under Debian's strace -f -o FILE, pinned to one CPU
# (strace across CPUs is several times slower on these machines).
# usage: run_host.sh HVTRACE BENCH_DIR
set -e
hv=$1 dir=$2
n=200000
untraced=$("$hv" run -- "$dir/getpid_loop" $n)
recorded=$("$dir/host_trace" record "$dir/getpid_loop" $n 2>/dev/null)
stopped=$("$dir/host_trace" stop "$dir/getpid_loop" $((n / 20)) 2>/dev/null)
out=$(mktemp)
hv_strace=$("$hv" strace -f -o "$out" "$dir/getpid_loop" $n)
lines=$(grep -c '^[0-9]* *getpid() *= ' "$out" || true)
rm -f "$out"
if command -v strace >/dev/null 2>&1; then
	out=$(mktemp)
	strace_nat=$(taskset -c 0 strace -f -o "$out" "$dir/getpid_loop" $((n / 10)))
	rm -f "$out"
else
	strace_nat=0
fi
awk -v u="$untraced" -v r="$recorded" -v s="$stopped" -v st="$strace_nat" -v hs="$hv_strace" -v n="$n" -v l="$lines" 'BEGIN {
	printf "hvtrace bench: host-side tracing of a getpid loop (per syscall)\n"
	printf "  %-48s %10.1f ns\n", "hvtrace, untraced", u
	printf "  %-48s %10.1f ns\n", "hvtrace, C API recorder (no stop)", r
	printf "  %-48s %10.1f ns\n", "hvtrace, C API stopping at entry and exit", s
	printf "  %-48s %10.1f ns   (%d of %d getpid lines)\n", "hvtrace strace -f -o FILE", hs, l, n
	if (st > 0)
		printf "  %-48s %10.1f ns\n", "native strace -f -o FILE (one CPU)", st
	printf "  ratio recorder / untraced:                     %8.2fx   (target <= 2)\n", r / u
	if (st > 0)
		printf "  ratio recorder / native strace:                %8.3fx   (target <= 0.25)\n", r / st
	printf "  ratio hvtrace strace / untraced:               %8.2fx   (target <= 2)\n", hs / u
	if (st > 0)
		printf "  ratio hvtrace strace / native strace:          %8.3fx   (target <= 0.25)\n", hs / st
	printf "  ratio stopping / recorder:                     %8.1fx\n", s / r
}'

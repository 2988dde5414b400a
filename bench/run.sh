#!/bin/sh
# Measures, in one run: the platform floors, native getpid, and getpid under hvtrace,
# then prints the ratios.  usage: run.sh HVTRACE BENCH_DIR N_GETPID N_FLOOR
set -e
hv=$1 dir=$2 n=$3 nf=$4
floors=$("$dir/floors" "$nf")
exit_ns=${floors% *}
sys_ns=${floors#* }
native=$("$dir/getpid_loop" 1000000)
under=$("$hv" run -- "$dir/getpid_loop" "$n")
awk -v e="$exit_ns" -v s="$sys_ns" -v nat="$native" -v hv="$under" -v n="$n" 'BEGIN {
	printf "hvtrace bench (getpid x %d under hvtrace, x 1000000 natively)\n", n
	printf "  %-46s %12.1f ns\n", "platform floor: bare VM exit round trip", e
	printf "  %-46s %12.1f ns\n", "platform floor: bare syscall instruction", s
	printf "  %-46s %12.1f ns\n", "native getpid", nat
	printf "  %-46s %12.1f ns\n", "hvtrace getpid (exit transport)", hv
	printf "  ratio hvtrace/native getpid:          %8.1fx\n", hv / nat
	printf "  ratio hvtrace getpid/VM exit floor:   %8.2fx\n", hv / e
	printf "  ratio hvtrace getpid/syscall floor:   %8.1fx\n", hv / s
}'

#!/bin/sh
# Measures, in one run: the platform floors, native getpid, and getpid under hvtrace with
# each syscall transport, then prints the ratios.
# usage: run.sh HVTRACE BENCH_DIR N_GETPID N_FLOOR
set -e
hv=$1 dir=$2 n=$3 nf=$4
floors=$("$dir/floors" "$nf")
exit_ns=${floors% *}
sys_ns=${floors#* }
native=$("$dir/getpid_loop" 1000000)
via_exit=$("$hv" run --syscall-transport exit -- "$dir/getpid_loop" "$n")
via_auto=$("$hv" run --syscall-transport auto -- "$dir/getpid_loop" $((n * 20)))
via_shared=$("$hv" run --syscall-transport shared -- "$dir/getpid_loop" $((n * 20)))
clock_native=$("$dir/clock_loop" 2000000)
clock_hv=$("$hv" run -- "$dir/clock_loop" 2000000)
awk -v e="$exit_ns" -v s="$sys_ns" -v nat="$native" -v x="$via_exit" -v a="$via_auto" \
    -v sh="$via_shared" -v n="$n" -v cn="$clock_native" -v ch="$clock_hv" 'BEGIN {
	printf "hvtrace bench: getpid x %d (exit transport), x %d (auto, shared), x 1000000 natively\n", n, n * 20
	printf "  %-48s %10.1f ns\n", "platform floor: bare VM exit round trip", e
	printf "  %-48s %10.1f ns\n", "platform floor: bare syscall instruction", s
	printf "  %-48s %10.1f ns\n", "native getpid", nat
	printf "  %-48s %10.1f ns\n", "hvtrace getpid, exit transport", x
	printf "  %-48s %10.1f ns\n", "hvtrace getpid, shared transport", sh
	printf "  %-48s %10.1f ns\n", "hvtrace getpid, auto transport (default)", a
	printf "  ratio exit transport / bare VM exit floor:     %8.2fx\n", x / e
	printf "  ratio auto / bare syscall floor:               %8.2fx   (target <= 1.5)\n", a / s
	printf "  ratio auto / exit transport:                   %8.3fx   (target <= 1/15 = 0.067)\n", a / x
	printf "  ratio auto / native getpid:                    %8.1fx\n", a / nat
	printf "  ratio exit transport / native getpid:          %8.1fx\n", x / nat
	printf "  %-48s %10.1f ns\n", "native clock_gettime (vDSO)", cn
	printf "  %-48s %10.1f ns\n", "hvtrace clock_gettime (hvtrace vDSO)", ch
	printf "  ratio hvtrace / native clock_gettime:          %8.2fx   (target <= 2)\n", ch / cn
}'

#!/bin/sh
# ptrace benchmarks, the same static tracer natively and under hvtrace in the same run:
# PTRACE_SYSCALL over getpid calls (two stops each) and PTRACE_SINGLESTEP steps.
# usage: run_ptrace.sh HVTRACE BENCH_DIR
set -e
hv=$1 dir=$2
sys_nat=$("$dir/ptrace_loop" syscall 10000)
sys_hv=$("$hv" run -- "$dir/ptrace_loop" syscall 10000)
step_nat=$("$dir/ptrace_loop" step 20000)
step_hv=$("$hv" run -- "$dir/ptrace_loop" step 2000)
awk -v sn="$sys_nat" -v sh="$sys_hv" -v tn="$step_nat" -v th="$step_hv" 'BEGIN {
	printf "hvtrace bench: a guest tracer (ptrace)\n"
	printf "  %-48s %10.1f us\n", "native PTRACE_SYSCALL, per traced getpid", sn / 1000
	printf "  %-48s %10.1f us\n", "hvtrace PTRACE_SYSCALL, per traced getpid", sh / 1000
	printf "  ratio hvtrace / native traced syscall:         %8.1fx\n", sh / sn
	printf "  %-48s %10.0f steps/s\n", "native PTRACE_SINGLESTEP", 1e9 / tn
	printf "  %-48s %10.0f steps/s\n", "hvtrace PTRACE_SINGLESTEP", 1e9 / th
	printf "  ratio hvtrace / native step time:              %8.1fx\n", th / tn
}'

#!/bin/sh
# Process-model benchmarks, native and under hvtrace in the same run: fork+exit+wait,
# a pipe round trip between two processes, and the parallel speed-up of 8 CPU-bound
# threads over one. usage: run_proc.sh HVTRACE BENCH_DIR
set -e
hv=$1 dir=$2
cpus=$(nproc)
fork_nat=$("$dir/proc_loop" fork 2000)
fork_hv=$("$hv" run -- "$dir/proc_loop" fork 300)
pipe_nat=$("$dir/proc_loop" pipe 20000)
pipe_hv=$("$hv" run -- "$dir/proc_loop" pipe 2000)
it=30000000
t1_nat=$("$dir/proc_loop" threads 1 $it)
t8_nat=$("$dir/proc_loop" threads 8 $it)
t1_hv=$("$hv" run -- "$dir/proc_loop" threads 1 $it)
t8_hv=$("$hv" run -- "$dir/proc_loop" threads 8 $it)
awk -v fn="$fork_nat" -v fh="$fork_hv" -v pn="$pipe_nat" -v ph="$pipe_hv" -v c="$cpus" \
    -v t1n="$t1_nat" -v t8n="$t8_nat" -v t1h="$t1_hv" -v t8h="$t8_hv" 'BEGIN {
	best = 8 < c ? 8 : c
	printf "hvtrace bench: process model (%d host CPUs)\n", c
	printf "  %-48s %10.1f us\n", "native fork+exit+wait", fn / 1000
	printf "  %-48s %10.1f us\n", "hvtrace fork+exit+wait", fh / 1000
	printf "  ratio hvtrace / native fork+exit+wait:         %8.1fx\n", fh / fn
	printf "  %-48s %10.1f us\n", "native pipe round trip (2 processes)", pn / 1000
	printf "  %-48s %10.1f us\n", "hvtrace pipe round trip (2 processes)", ph / 1000
	printf "  ratio hvtrace / native pipe round trip:        %8.1fx\n", ph / pn
	printf "  8 threads of CPU work vs 1 (each the same work): native %.2fx, hvtrace %.2fx of the 1-thread time\n", t8n / t1n, t8h / t1h
	printf "  ideal: 8/min(8, CPUs) = %.2fx; hvtrace / ideal: %.2f\n", 8 / best, (t8h / t1h) / (8 / best)
}'

#!/bin/bash
# Runs inside the SVM lane's VM (see run-svm.sh), from the copied source tree: the groups
# of `make test` (Makefile, tests/summary.sh), run the same way, against kvm_amd.
build=$1
export HVTRACE_REQUIRE_KVM=1 PATH=/usr/bin:/bin:/usr/sbin:/sbin
# The loops of the suite that scale (HVTRACE_TEST_SCALE) are divided by this: on this
# lane's one emulated CPU an exit costs ~0.1-0.25 ms and a `shared` call ~10 ms (the
# guest spins until the scheduler tick lets the server thread run), so the million
# calls of test_transport become 1000.
export HVTRACE_TEST_SCALE=1000
# Tests whose behaviour QEMU's CPU emulation cannot show skip themselves on this lane
# (listed in tests/svm/README.md).
export HVTRACE_LANE=svm-tcg
export HVTRACE_GUESTS=$build/tests/guests HVTRACE_BIN=$build/hvtrace
export HVTRACE_DIFF_TIMEOUT=300
# The differential suite compares with the VM's own kernel (Debian 12's 6.1), which is
# older than the host's: programs testing newer Linux are not run here (README.md).
export HVTRACE_DIFF_SKIP="ptrace_set_syscall_info"
rm -f "$build"/result-*.txt
echo "@@@ lane: $(nproc) CPUs, clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
"$build/hvtrace" --platform
# Each test binary runs under `timeout` (its process group: the hvtrace it starts too), so
# that one that hangs is reported as failed (status 124) and the lane goes on.
vcpu="" unit="" wrap=/tmp/svm-tests
mkdir -p "$wrap"
for t in "$build"/tests/test_*; do
	w=$wrap/$(basename "$t")
	printf '#!/bin/sh\nexec timeout -k 10 300 %s "$@"\n' "$PWD/$t" > "$w"
	chmod +x "$w"
	# As the Makefile: tests/unit/ is the unit group, tests/vcpu/ the vcpu groups.
	if [ -e "tests/unit/$(basename "$t").c" ]; then unit="$unit $w"
	elif [ -e "tests/vcpu/$(basename "$t").c" ]; then vcpu="$vcpu $w"; fi
done
# Every group of `make test` except the differential suites' -auto and -shared runs
# (README.md): on this one-CPU VM `auto` is the exit transport (hvtrace falls back to
# exits when one CPU is online), and `shared` costs ~10 ms a call. The three transports
# all run in the vcpu groups.
all="unit vcpu-auto vcpu-exit vcpu-shared cli diff-exit shell-exit dynamic-exit guest-strace-exit strace gdb examples"
# SVM_GROUPS (from run-svm.sh) narrows the run for experiments; the default is all.
groups=${SVM_GROUPS:-$all}
for g in $groups; do
	start=$(date +%s)
	tr=${g##*-}
	extra="--syscall-transport $tr"
	case $g in
	unit) sh tests/run_cmocka.sh "$build" unit $unit ;;
	vcpu-*) HVTRACE_TEST_TRANSPORT=$tr sh tests/run_cmocka.sh "$build" "$g" $vcpu ;;
	cli) sh tests/run_group.sh "$build" cli sh tests/cli/run_cli.sh "$build/hvtrace" "$build" ;;
	diff-*) HVTRACE_DIFF_MODE=prebuilt HVTRACE_DIFF_EXTRA=$extra \
			sh tests/run_group.sh "$build" "$g" bash tests/diff/run_diff.sh "$build/hvtrace" "$build" ;;
	shell-*) HVTRACE_DIFF_EXTRA=$extra sh tests/run_group.sh "$build" "$g" bash tests/diff/run_shell.sh "$build/hvtrace" "$build" ;;
	dynamic-*) HVTRACE_DIFF_EXTRA=$extra sh tests/run_group.sh "$build" "$g" bash tests/diff/run_dynamic.sh "$build/hvtrace" "$build" ;;
	guest-strace-*) HVTRACE_DIFF_EXTRA=$extra \
			sh tests/run_group.sh "$build" "$g" bash tests/diff/run_guest_strace.sh "$build/hvtrace" "$build" ;;
	strace) sh tests/run_group.sh "$build" strace bash tests/strace/run_strace_diff.sh "$build/hvtrace" "$build" ;;
	gdb) sh tests/run_group.sh "$build" gdb bash tests/gdb/run_gdb.sh "$build/hvtrace" "$build" ;;
	examples) sh tests/run_group.sh "$build" examples sh tests/examples/run_examples.sh "$build/examples" ;;
	*) echo "unknown group $g"; echo "0 passed, 1 failed" > "$build/result-$g.txt" ;;
	esac
	echo "@@@ group $g took $(($(date +%s) - start)) s"
done
sh tests/summary.sh "$build" $groups

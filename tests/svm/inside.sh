#!/bin/bash
# Runs inside the SVM lane's VM (see run-svm.sh), from the copied source tree.
build=$1
export HVTRACE_REQUIRE_KVM=1 PATH=/bin
# Emulation makes guest code far slower than on hardware: the loops of the suite that
# scale (HVTRACE_TEST_SCALE) are divided by this; no group is skipped.
export HVTRACE_TEST_SCALE=20
# Tests whose behaviour QEMU's CPU emulation cannot show skip themselves on this lane
# (listed in tests/svm/README.md).
export HVTRACE_LANE=svm-tcg
rm -f "$build"/result-*.txt
"$build/hvtrace" --platform
vcpu="" unit=""
for t in "$build"/tests/test_*; do
	case $(basename "$t") in
	test_guest_mem|test_paging|test_elf_load|test_exec_stack|test_fdtable) unit="$unit $t" ;;
	*) vcpu="$vcpu $t" ;;
	esac
done
HVTRACE_GUESTS=$build/tests/guests sh tests/run_cmocka.sh "$build" unit $unit
for tr in auto exit shared; do
	HVTRACE_TEST_TRANSPORT=$tr HVTRACE_GUESTS=$build/tests/guests \
		sh tests/run_cmocka.sh "$build" "vcpu-$tr" $vcpu
done
for tr in auto exit shared; do
	HVTRACE_DIFF_MODE=prebuilt HVTRACE_DIFF_EXTRA="--syscall-transport $tr" HVTRACE_DIFF_TIMEOUT=600 \
		sh tests/run_group.sh "$build" "diff-$tr" bash tests/diff/run_diff.sh "$build/hvtrace" "$build"
done
sh tests/summary.sh "$build" unit vcpu-auto vcpu-exit vcpu-shared diff-auto diff-exit diff-shared

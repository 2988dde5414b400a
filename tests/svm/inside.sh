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
# SVM_GROUPS (from run-svm.sh) narrows the run for experiments; the default is all.
groups=${SVM_GROUPS:-unit vcpu-auto vcpu-exit vcpu-shared diff-auto diff-exit diff-shared}
for g in $groups; do
	start=$(date +%s)
	case $g in
	unit) HVTRACE_GUESTS=$build/tests/guests sh tests/run_cmocka.sh "$build" unit $unit ;;
	vcpu-*) HVTRACE_TEST_TRANSPORT=${g#vcpu-} HVTRACE_GUESTS=$build/tests/guests \
			sh tests/run_cmocka.sh "$build" "$g" $vcpu ;;
	diff-*) HVTRACE_DIFF_MODE=prebuilt HVTRACE_DIFF_EXTRA="--syscall-transport ${g#diff-}" \
			HVTRACE_DIFF_TIMEOUT=600 \
			sh tests/run_group.sh "$build" "$g" bash tests/diff/run_diff.sh "$build/hvtrace" "$build" ;;
	esac
	echo "@@@ group $g took $(($(date +%s) - start)) s"
done
sh tests/summary.sh "$build" $groups

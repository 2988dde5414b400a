#!/usr/bin/env bash
# make test-svm: the test suite against a real kvm_amd. Our machines' /dev/kvm is
# paravirtual (kvm_pvm), so this boots Debian's own kernel under QEMU with an emulated
# AMD CPU that has SVM (TCG: software emulation), loads kvm + kvm_amd there, and runs
# the suite inside, once, in one boot. Prints the guest's output and ends with the same
# "N passed, N failed" line as `make test`, exiting with the suite's status.
#
# usage: run-svm.sh BUILD_DIR
# knobs: SVM_TIMEOUT seconds, SVM_MEM, SVM_SMP, SVM_GROUPS (e.g. "vcpu-exit": a subset)
#
# Not run in this lane (see tests/svm/README.md): the cli group.
set -euo pipefail
build=$1
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

need=""
command -v qemu-system-x86_64 >/dev/null 2>&1 || need="$need qemu-system-x86"
{ [ -x /bin/busybox ] && /bin/busybox --list 2>/dev/null | grep -qx insmod; } || need="$need busybox-static"
[ -x /bin/bash-static ] || need="$need bash-static"
ls /lib/modules/*/kernel/arch/x86/kvm/kvm-amd.ko >/dev/null 2>&1 || need="$need linux-image-amd64"
if [ -n "$need" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "test-svm: missing packages:$need; install them with: sudo apt-get install -y$need" >&2
		exit 1
	fi
	echo "test-svm: installing$need" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null 2>&1 || true
	# shellcheck disable=SC2086
	apt-get install -y -qq $need >/dev/null
fi
kver=$(ls /lib/modules | sort -V | while read -r v; do
	if [ -e "/lib/modules/$v/kernel/arch/x86/kvm/kvm-amd.ko" ] && [ -r "/boot/vmlinuz-$v" ]; then echo "$v"; fi
done | tail -n 1)
[ -n "$kver" ] || { echo "test-svm: no kernel with kvm-amd.ko and /boot/vmlinuz" >&2; exit 1; }

work=$(mktemp -d /tmp/hvtrace-svm.XXXXXX)
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"/bin "$root"/m "$root"/proc "$root"/sys "$root"/dev "$root"/tmp "$root"/hv
cp /bin/busybox "$root/bin/busybox"
cp /bin/bash-static "$root/bin/bash"
ln -s busybox "$root/bin/sh"
mod=/lib/modules/$kver/kernel
for m in virt/lib/irqbypass drivers/crypto/ccp/ccp arch/x86/kvm/kvm arch/x86/kvm/kvm-amd; do
	cp "$mod/$m.ko" "$root/m/"
done

# The suite: binaries built on this host, the scripts, and the guest sources (their
# run specifications), with their timestamps.
cd "$top"
mkdir -p "$root/hv/$build"
cp -a "$build/hvtrace" "$build/tests" "$build/guest" "$build/diff-inputs" "$build/guest-agent" "$root/hv/$build/"
find "$root/hv/$build" -name '*.d' -delete
cp -a tests "$root/hv/"
# Shared libraries of the dynamic binaries, at their own paths.
for f in "$build/hvtrace" "$build"/tests/test_*; do
	[ -x "$f" ] || continue
	ldd "$f" 2>/dev/null | awk '/=> \// { print $3 } /^\t\/lib/ { print $1 }'
done | sort -u | while read -r lib; do
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done

sed -e "s|@BUILD@|$build|g" -e "s|@GROUPS@|${SVM_GROUPS:-}|g" "$here/init.sh" > "$root/init"
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$work/initrd.gz"

echo "test-svm: booting Debian $kver under qemu-system-x86_64 -accel tcg -cpu EPYC (kvm_amd inside)"
set +e
timeout "${SVM_TIMEOUT:-1500}" qemu-system-x86_64 -accel tcg -cpu EPYC -smp "${SVM_SMP:-2}" \
	-m "${SVM_MEM:-2G}" -nodefaults -display none -serial stdio -no-reboot \
	-kernel "/boot/vmlinuz-$kver" -initrd "$work/initrd.gz" \
	-append "console=ttyS0 quiet panic=-1" 2>&1 | grep --line-buffered -v '^qemu-system-x86_64: warning: TCG' | tee "$work/log"
set -e
status=$(sed -n 's/^@@@ exit status \([0-9]*\).*/\1/p' "$work/log" | tail -n 1)
if [ -z "$status" ]; then
	echo "test-svm: no exit status from the guest (timeout after ${SVM_TIMEOUT:-1500} s, or a panic)"
	echo "0 passed, 1 failed"
	exit 1
fi
exit "$status"

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
mkdir -p "$root"/bb "$root"/m "$root"/usr "$root"/etc "$root"/proc "$root"/sys "$root"/dev "$root"/tmp \
	"$root"/run "$root"/var "$root"/root "$root"/hv
cp /bin/busybox "$root/bb/busybox"
# The host's /usr and /etc are mounted over 9p (init.sh): the merged-/usr links.
for d in bin sbin lib lib64; do ln -s "usr/$d" "$root/$d"; done
mod=/lib/modules/$kver/kernel
for m in virt/lib/irqbypass drivers/crypto/ccp/ccp arch/x86/kvm/kvm arch/x86/kvm/kvm-amd \
	drivers/virtio/virtio drivers/virtio/virtio_ring drivers/virtio/virtio_pci_legacy_dev \
	drivers/virtio/virtio_pci_modern_dev drivers/virtio/virtio_pci fs/netfs/netfs fs/fscache/fscache \
	net/9p/9pnet net/9p/9pnet_virtio fs/9p/9p; do
	cp "$mod/$m.ko" "$root/m/"
done

# The suite: binaries built on this host, the scripts, and the guest sources (their
# run specifications), with their timestamps.
cd "$top"
mkdir -p "$root/hv/$build"
cp -a "$build/hvtrace" "$build/tests" "$build/guest" "$build/diff-inputs" "$build/guest-agent" "$build/examples" "$root/hv/$build/"
find "$root/hv/$build" -name '*.d' -delete
cp -a tests "$root/hv/"

sed -e "s|@BUILD@|$build|g" -e "s|@GROUPS@|${SVM_GROUPS:-}|g" -e "s|@KVMAMD@|${SVM_KVM_AMD:-}|g" -e "s|@INSIDE@|${SVM_INSIDE:-tests/svm/inside.sh}|g" "$here/init.sh" > "$root/init"
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$work/initrd.gz"

# One vCPU. With two, QEMU 7.2's TCG (thread=multi, its default here) stops delivering
# interrupts to the VM's CPUs after a while with kvm_amd running guests (README.md: the
# LAPIC timer's vector waits in IRR with IF=1, the CPUs idle; the whole VM stalls), and
# thread=single runs both vCPUs on one host thread, where a spinning vCPU holds the other
# for a whole time slice. tsc=reliable: no TSC watchdog, so host load cannot demote the
# clocksource to the emulated HPET (an exit to QEMU for every clock read).
accel=${SVM_ACCEL:-tcg} smp=${SVM_SMP:-1}
echo "test-svm: booting Debian $kver under qemu-system-x86_64 -accel $accel -smp $smp -cpu EPYC (kvm_amd inside)"
# A stalled VM can be looked at while it runs: socat - UNIX-CONNECT:$work/monitor.sock
# ("info registers -a", "cpu 1", "info lapic"; boot with SVM_APPEND=nokaslr for symbols).
echo "test-svm: QEMU monitor at $work/monitor.sock"
set +e
timeout "${SVM_TIMEOUT:-1500}" qemu-system-x86_64 -accel "$accel" -cpu EPYC -smp "$smp" \
	-m "${SVM_MEM:-2G}" -nodefaults -display none -serial stdio -no-reboot \
	-virtfs local,path=/usr,mount_tag=hostusr,security_model=none,readonly=on \
	-virtfs local,path=/etc,mount_tag=hostetc,security_model=none,readonly=on \
	-monitor "unix:$work/monitor.sock,server,nowait" ${SVM_QEMU_EXTRA:-} -kernel "/boot/vmlinuz-$kver" -initrd "$work/initrd.gz" \
	-append "console=ttyS0 quiet panic=-1 tsc=reliable ${SVM_APPEND:-}" 2>&1 | grep --line-buffered -v '^qemu-system-x86_64: warning: TCG' | tee "$work/log"
set -e
status=$(sed -n 's/^@@@ exit status \([0-9]*\).*/\1/p' "$work/log" | tail -n 1)
# No exit status: the VM stalled (README.md) or panicked. The marker lets CI tell that
# from a failed test, which it must never retry.
rm -f "$build/svm-no-status"
if [ -z "$status" ]; then
	echo "test-svm: no exit status from the guest (timeout after ${SVM_TIMEOUT:-1500} s, or a panic)"
	echo "0 passed, 1 failed"
	: > "$build/svm-no-status"
	exit 1
fi
exit "$status"

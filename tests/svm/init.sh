#!/bb/busybox sh
# /init of the SVM lane's VM (tests/svm/run-svm.sh fills in the @...@ fields).
# The initramfs holds busybox (/bb), the kvm and 9p modules (/m) and the suite (/hv);
# the host's /usr and /etc come read-only over 9p, so the suite finds the same tools,
# shared libraries and dynamic programs (strace, python3, gcc...) as under `make test`.
export PATH=/bb
/bb/busybox --install -s /bb
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp; mount -t tmpfs run /run; mount -t tmpfs var /var
mkdir -p /var/tmp /dev/shm /dev/pts && mount -t tmpfs shm /dev/shm && mount -t devpts pts /dev/pts
# What a Debian system has and the suite uses: bash's <(...) needs /dev/fd, and the gdb
# tests connect to the stub over 127.0.0.1.
ln -s /proc/self/fd /dev/fd
ifconfig lo 127.0.0.1 up
fail() { echo "@@@ $1"; dmesg | grep -i -E "$2" | tail -n 5; echo "@@@ exit status 1"; poweroff -f; }
cd /m
for m in irqbypass ccp kvm; do insmod $m.ko || fail "insmod $m failed" kvm; done
insmod kvm-amd.ko @KVMAMD@ || fail "insmod kvm-amd failed" 'kvm|svm'
[ -c /dev/kvm ] || fail "no /dev/kvm: kvm_amd did not load" 'kvm|svm'
for m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci netfs fscache 9pnet \
	9pnet_virtio 9p; do
	insmod $m.ko || fail "insmod $m failed" '9p|virtio'
done
cd /
for d in usr etc; do
	mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=262144 host$d /$d ||
		fail "cannot mount the host's /$d" '9p|virtio'
done
export PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME=/root
cd /hv && SVM_GROUPS="@GROUPS@" /bin/bash @INSIDE@ @BUILD@
echo "@@@ exit status $?"
/bb/poweroff -f

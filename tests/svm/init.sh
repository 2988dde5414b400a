#!/bin/sh
# /init of the SVM lane's VM (tests/svm/run-svm.sh fills in @BUILD@).
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev; mount -t tmpfs tmp /tmp
cd /m && insmod irqbypass.ko && insmod ccp.ko && insmod kvm.ko && insmod kvm-amd.ko && cd /
if [ ! -c /dev/kvm ]; then
	echo "@@@ no /dev/kvm: kvm_amd did not load"; dmesg | grep -i -E 'kvm|svm' | tail -n 5
	echo "@@@ exit status 1"; poweroff -f
fi
cd /hv && SVM_GROUPS="@GROUPS@" /bin/bash tests/svm/inside.sh @BUILD@
echo "@@@ exit status $?"
poweroff -f

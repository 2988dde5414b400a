#!/bin/sh
# Command-line behaviour: exit statuses and the messages for bad input.
# usage: run_cli.sh HVTRACE BUILD_DIR   (prints "N passed, N failed")
hv=$1 build=$2
tmp=$(mktemp -d /tmp/hvtrace-cli.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

# check NAME EXPECTED_STATUS PATTERN -- COMMAND...: status must match and stderr+stdout
# must contain PATTERN (grep -E).
check() {
	name=$1 want=$2 pat=$3
	shift 4
	out=$("$@" 2>&1)
	got=$?
	if [ "$got" = "$want" ] && printf '%s\n' "$out" | grep -Eq -- "$pat"; then
		echo "PASS $name"
		pass=$((pass + 1))
	else
		echo "FAIL $name: status $got (want $want), output:"
		printf '%s\n' "$out" | sed 's/^/    /' | head -n 5
		fail=$((fail + 1))
	fi
}

gcc -static -O1 -o "$tmp/hello" tests/guest/hello.c
gcc -static -O1 -o "$tmp/segv" tests/guest/sig_segv.c
gcc -static -O1 -o "$tmp/yama" tests/cli/yama_probe.c
gcc -static -O1 -o "$tmp/limits" tests/cli/limits_probe.c
printf '#!/bin/sh\necho hi\n' > "$tmp/script.sh"
chmod +x "$tmp/script.sh"
# An ELF header for AArch64 (e_machine 183), otherwise plausible.
printf '\177ELF\002\001\001\000\000\000\000\000\000\000\000\000\002\000\267\000\001\000\000\000' > "$tmp/arm64"
head -c 64 /dev/zero >> "$tmp/arm64"
printf '\177ELF\001\001\001\000\000\000\000\000\000\000\000\000' > "$tmp/elf32"
head -c 64 /dev/zero >> "$tmp/elf32"
head -c 7 "$tmp/hello" > "$tmp/truncated"

check version 0 '^hvtrace [0-9]' -- "$hv" --version
check help 0 'usage: hvtrace run' -- "$hv" --help
check no-args 2 'usage' -- "$hv"
check unknown-command 2 "unknown command 'frobnicate'" -- "$hv" frobnicate
check run-without-program 2 'no program given' -- "$hv" run
check bad-mem 2 '--mem 12X' -- "$hv" run --mem 12X -- "$tmp/hello"
check hello 0 'hello, world' -- "$hv" run -- "$tmp/hello"
check missing-file 127 "$tmp/nope: No such file or directory" -- "$hv" run -- "$tmp/nope"
check not-elf 126 'script.sh: not an ELF file' -- "$hv" run -- "$tmp/script.sh"
check truncated-elf 126 'truncated: not an ELF file' -- "$hv" run -- "$tmp/truncated"
check not-x86-64 126 'arm64: not an x86-64 program' -- "$hv" run -- "$tmp/arm64"
check not-64-bit 126 'elf32: not a 64-bit little-endian ELF file' -- "$hv" run -- "$tmp/elf32"
check directory 126 'is a directory' -- "$hv" run -- "$tmp"
# A dynamically linked program whose loader is not there (a --root without it): as
# execve(2), ENOENT, which a shell reports with 127.
mkdir -p "$tmp/noldso/bin"
cp /bin/true "$tmp/noldso/bin/true"
check dynamic-no-interpreter 127 'program interpreter /lib64/ld-linux-x86-64.so.2: No such file' -- "$hv" run --root "$tmp/noldso" -- /bin/true
check segv-report 139 'killed by SIGSEGV \(SEGV_MAPERR, address 0x0, rip 0x[0-9a-f]+\)' -- "$hv" run -- "$tmp/segv"
check path-lookup 0 'hello, world' -- env PATH="$tmp:/usr/bin:/bin" "$hv" run -- hello
mkdir -p "$tmp/root/bin"
cp "$tmp/hello" "$tmp/root/bin/hello"
# Yama's ptrace_scope inside the guest (an unprivileged tracer; tests/cli/yama_probe.c).
check ptrace-scope-0 0 'sibling: ok' -- "$hv" run --ptrace-scope 0 -- "$tmp/yama"
check ptrace-scope-1 0 'child: ok.*sibling: EPERM.*sibling after PR_SET_PTRACER_ANY: ok.*traceme: ok' -- \
	sh -c "\"$hv\" run -- \"$tmp/yama\" | tr '\n' ' '"
check ptrace-scope-2 0 'child: EPERM.*traceme: EPERM' -- sh -c "\"$hv\" run --ptrace-scope 2 -- \"$tmp/yama\" | tr '\n' ' '"
check ptrace-scope-3 0 'child: EPERM.*sibling after PR_SET_PTRACER_ANY: EPERM.*traceme: EPERM' -- \
	sh -c "\"$hv\" run --ptrace-scope 3 -- \"$tmp/yama\" | tr '\n' ' '"
check bad-ptrace-scope 2 '--ptrace-scope 4: expected 0, 1, 2 or 3' -- "$hv" run --ptrace-scope 4 -- "$tmp/hello"
check root-dir 0 'hello, world' -- "$hv" run --root "$tmp/root" -- /bin/hello
check root-outside 127 'No such file' -- "$hv" run --root "$tmp/root" -- "$tmp/hello"
# Limits: tasks (the first task counts: 4 tasks = 3 children), wall time.
check max-tasks 0 'forks: 3, refused: EAGAIN' -- "$hv" run --max-tasks 4 -- "$tmp/limits" forks 10
check max-tasks-unlimited 0 'forks: 10, refused: none' -- "$hv" run -- "$tmp/limits" forks 10
# Out of guest RAM: ENOMEM for a request larger than --mem, the OOM kill for the process
# that touches more than there is, and the VM goes on.
check oom 0 '1 TiB mmap: ENOMEM 1 TiB MAP_NORESERVE mmap: granted 1 TiB brk: refused toucher: killed by SIGKILL after: 16 MiB touched' -- \
	sh -c "\"$hv\" run --mem 64M -- \"$tmp/limits\" oom 2>/dev/null | tr '\n' ' '"
check oom-reported 0 'guest out of memory .*: killed process 2 \(limits\)' -- "$hv" run --mem 64M -- "$tmp/limits" oom
# Dead processes give all their memory back, page tables too: 2500 forks in 64 MiB (when
# page-table frames were never reused, the guest ran out after ~1500).
check fork-churn 0 '^churn: 2500 children, 0 wrong$' -- "$hv" run --mem 64M -- "$tmp/limits" churn 2500
check bad-max-tasks 2 '--max-tasks 0: expected a number' -- "$hv" run --max-tasks 0 -- "$tmp/hello"
check timeout 124 '--timeout 0.3 reached: the guest was killed' -- "$hv" run --timeout 0.3 -- "$tmp/limits" spin
# Started with SIGQUIT blocked (inherited by every thread): kvm_pvm then never ended
# KVM_RUN for a kick (vmm/vcpu.c, vcpu_set_owner), and the timeout never came.
check timeout-sigquit-blocked 124 '--timeout 0.3 reached: the guest was killed' -- python3 -c \
	'import os, signal, sys; signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGQUIT}); os.execv(sys.argv[1], sys.argv[1:])' \
	"$(command -v timeout)" -s KILL 60 "$hv" run --timeout 0.3 -- "$tmp/limits" spin
check timeout-not-reached 0 'hello, world' -- "$hv" run --timeout 1m -- "$tmp/hello"
check bad-timeout 2 '--timeout 5x: expected seconds' -- "$hv" run --timeout 5x -- "$tmp/hello"
# The control socket (default place: $XDG_RUNTIME_DIR/hvtrace/PID.sock) and hvtrace ps.
mkdir -p "$tmp/xdg"
XDG_RUNTIME_DIR=$tmp/xdg "$hv" run -- "$tmp/limits" spin & vm=$!
for i in $(seq 200); do [ -S "$tmp/xdg/hvtrace/$vm.sock" ] && break; sleep 0.05; done
check control-socket-owner-only 0 '^srw------- ' -- ls -l "$tmp/xdg/hvtrace/$vm.sock"
check control-dir-owner-only 0 '^drwx------ ' -- ls -ld "$tmp/xdg/hvtrace"
check ps-lists-tasks 0 "^$vm +1 +1 +0 R +limits" -- env XDG_RUNTIME_DIR="$tmp/xdg" "$hv" ps
# Once set up, hvtrace runs under its own seccomp filter (vmm/sandbox.h) on every thread.
# (Sanitizer builds run without it: their reports start a symbolizer.)
case $build in
*asan*) check sandbox-off-under-sanitizers 0 '^Seccomp:.0' -- grep -E '^Seccomp:' /proc/$vm/status ;;
*)
	check sandbox-on 0 '^Seccomp:.2' -- grep -E '^Seccomp:' /proc/$vm/status
	check sandbox-all-threads 0 '^0$' -- sh -c "grep -L 'Seccomp:.2' /proc/$vm/task/*/status | wc -l"
	;;
esac
kill -9 $vm 2>/dev/null; wait $vm 2>/dev/null
"$hv" run --no-sandbox -- "$tmp/limits" spin & vm=$!
sleep 0.5
check sandbox-off 0 '^Seccomp:.0' -- grep -E '^Seccomp:' /proc/$vm/status
kill -9 $vm 2>/dev/null; wait $vm 2>/dev/null
check ps-forgets-dead-vms 0 '^1$' -- sh -c "XDG_RUNTIME_DIR='$tmp/xdg' '$hv' ps | wc -l"
check ps-removes-stale-socket 0 '^0$' -- sh -c "ls '$tmp/xdg/hvtrace' | wc -l"
# A host tracer that is itself SIGKILLed leaves the task it stopped running, untraced
# (the VM's end of the control socket sees the session go and detaches). Waits are
# bounded numbers of polls, never durations compared.
XDG_RUNTIME_DIR=$tmp/xdg "$hv" run -- "$tmp/limits" ticks >"$tmp/ticks.out" 2>&1 & vm=$!
for i in $(seq 200); do [ -S "$tmp/xdg/hvtrace/$vm.sock" ] && break; sleep 0.05; done
XDG_RUNTIME_DIR=$tmp/xdg "$hv" gdb --attach "$vm:1" --socket "$tmp/gdb.sock" >/dev/null 2>&1 & stub=$!
for i in $(seq 200); do
	XDG_RUNTIME_DIR=$tmp/xdg "$hv" ps | grep -Eq "^$vm +1 +1 +0 T " && break
	sleep 0.05
done
check tracer-stopped-task 0 "^$vm +1 +1 +0 T +limits" -- env XDG_RUNTIME_DIR="$tmp/xdg" "$hv" ps
kill -9 $stub; wait $stub 2>/dev/null
ticks=$(wc -l <"$tmp/ticks.out")
for i in $(seq 200); do [ "$(wc -l <"$tmp/ticks.out")" -gt $((ticks + 3)) ] && break; sleep 0.05; done
check killed-tracer-leaves-task-running 0 "^$vm +1 +1 +0 [RS] +limits" -- sh -c \
	"[ \$(wc -l <'$tmp/ticks.out') -gt $((ticks + 3)) ] && XDG_RUNTIME_DIR='$tmp/xdg' '$hv' ps"
kill -9 $vm 2>/dev/null; wait $vm 2>/dev/null
# Ctrl-C on the terminal ends a guest that loops without a syscall: hvtrace passes the
# SIGINT it gets to the guest's foreground group (tools/run_signals.h), which dies of it
# as natively: status 130. (env: a shell starts background jobs with SIGINT ignored.)
mkdir -p "$tmp/xdg-int"
XDG_RUNTIME_DIR=$tmp/xdg-int env --default-signal=INT timeout -s KILL 120 "$hv" run -- "$tmp/limits" spin \
	2>"$tmp/int.err" & vm=$!
for i in $(seq 200); do [ -n "$(ls "$tmp/xdg-int/hvtrace" 2>/dev/null)" ] && break; sleep 0.05; done
kill -INT $vm
wait $vm; got=$?
check ctrl-c-runaway 0 '^130 hvtrace: .*limits \(pid 1\) killed by SIGINT' -- echo "$got" $(cat "$tmp/int.err")
# The program inherits ignored dispositions through hvtrace as through execve: a
# background job ignores SIGINT natively and under hvtrace.
check ignored-signals-inherited 0 '^SIGINT ignored$' -- sh -c "\"$tmp/limits\" sigint & wait"
check ignored-signals-inherited-hv 0 '^SIGINT ignored$' -- sh -c "\"$hv\" run -- \"$tmp/limits\" sigint & wait"
check default-signals-hv 0 '^SIGINT default$' -- env --default-signal=INT "$hv" run -- "$tmp/limits" sigint
check verbose-enosys 0 'unimplemented syscall' -- "$hv" run --verbose -- "$tmp/hello"

# The vDSO image is a valid ELF shared object exporting Linux's symbols.
vdso=$build/guest-agent/vdso.so
check vdso-elf 0 'DYN \(Shared object file\)' -- readelf -h "$vdso"
check vdso-symbols 0 '__vdso_clock_gettime@@LINUX_2.6' -- readelf -W --dyn-syms "$vdso"
check vdso-getcpu 0 '__vdso_getcpu@@LINUX_2.6' -- readelf -W --dyn-syms "$vdso"
check vdso-no-relocations 0 'There are no relocations' -- readelf -r "$vdso"

# /dev/kvm not accessible: an unprivileged user who is not in its group.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1 && ! setpriv --reuid=65534 --regid=65534 --clear-groups test -w /dev/kvm; then
	check kvm-permission 125 "/dev/kvm: Permission denied: add your user to the 'kvm' group" -- \
		setpriv --reuid=65534 --regid=65534 --clear-groups "$hv" run -- "$tmp/hello"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]

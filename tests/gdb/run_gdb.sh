#!/bin/bash
# End to end: Debian's gdb against `hvtrace gdb`, in batch sessions over TCP (and a raw
# protocol client for what gdb never sends). Every gdb and stub runs under a timeout.
# usage: run_gdb.sh HVTRACE BUILD_DIR   (prints "N passed, N failed" last)
hv=$(realpath "$1") build=$2
tmp=$(mktemp -d /tmp/hvtrace-gdb.XXXXXX)
pass=0 fail=0
stub_pid=

cleanup() {
	[ -n "$stub_pid" ] && kill -9 "$stub_pid" 2>/dev/null
	[ -n "$HVTRACE_GDB_KEEP" ] && echo "kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT

ok() { echo "PASS $1"; pass=$((pass + 1)); }
bad() {
	echo "FAIL $1: $2"
	[ -f "$3" ] && sed 's/^/    /' "$3" | tail -n 25
	# The program's output or gdb's transcript alone rarely says why: show the rest of
	# the session too (the stub's packet log without the bulky memory and register ones).
	local f base=${3%.*}
	case $3 in
	*.prog | *.out)
		for f in "$base.out" "$base.stub"; do
			[ "$f" != "$3" ] && [ -f "$f" ] &&
				{ echo "  $f:"; grep -Ev '^gdb (->|<-) \$?[mgpqX]' "$f" | sed 's/^/    /' | tail -n 40; }
		done
		;;
	esac
	fail=$((fail + 1))
}

if ! command -v gdb > /dev/null; then
	echo "gdb is not installed"
	echo "0 passed, 1 failed"
	exit 1
fi
for p in tests/gdb/progs/*.c; do
	n=$(basename "$p" .c)
	gcc -static -g -O0 -pthread -o "$tmp/$n" "$p" || { echo "cannot build $p"; echo "0 passed, 1 failed"; exit 1; }
done

# start_stub NAME [STUB OPTIONS --] PROG ARGS...: starts `hvtrace gdb --port 0` and reads
# the port it listens on into $port.
start_stub() {
	local name=$1
	shift
	HVTRACE_GDB_DEBUG=1 timeout 120 "$hv" gdb --port 0 "$@" > "$tmp/$name.prog" 2> "$tmp/$name.stub" &
	stub_pid=$!
	port=
	for _ in $(seq 100); do
		port=$(sed -n 's/^hvtrace gdb: listening on port \([0-9]*\)$/\1/p' "$tmp/$name.stub" 2> /dev/null)
		[ -n "$port" ] && return 0
		kill -0 "$stub_pid" 2> /dev/null || break
		sleep 0.1
	done
	return 1
}

# end_stub: waits for the stub to leave (it does once gdb is gone) and sets $stub_rc.
end_stub() {
	wait "$stub_pid"
	stub_rc=$?
	stub_pid=
}

# session NAME PROG TARGET GDB-ARGS...: one batch gdb session against a fresh stub for
# PROG; the transcript is $tmp/NAME.out, the program's output $tmp/NAME.prog. PROG may
# be "PROG ARG..." (the arguments are programs of $tmp too).
session() {
	local name=$1 target=$3 prog args=()
	read -r -a args <<< "$2"
	prog=${args[0]}
	args=("${args[@]/#/$tmp/}")
	shift 3
	if ! start_stub "$name" -- "${args[@]}"; then
		bad "$name" "the stub did not listen" "$tmp/$name.stub"
		return 1
	fi
	timeout 60 gdb -batch -nx -ex 'set confirm off' -ex "target $target :$port" "$@" \
		"$tmp/$prog" > "$tmp/$name.out" 2>&1
	end_stub
}

# expect NAME FILE PATTERN...: every extended regex must match a line of FILE.
expect() {
	local name=$1 file=$2 p
	shift 2
	for p in "$@"; do
		if ! grep -Eq -- "$p" "$file"; then
			bad "$name" "no line matches /$p/" "$file"
			return
		fi
	done
	ok "$name"
}

# --- the command line ------------------------------------------------------------------
# cli NAME STATUS PATTERN -- ARGS...: `hvtrace gdb ARGS` exits STATUS saying PATTERN.
cli() {
	local name=$1 want=$2 pat=$3 out got
	shift 4
	out=$(timeout 30 "$hv" gdb "$@" 2>&1)
	got=$?
	if [ "$got" = "$want" ] && printf '%s\n' "$out" | grep -Eq -- "$pat"; then
		ok "$name"
	else
		printf '%s\n' "$out" > "$tmp/$name.out"
		bad "$name" "status $got (want $want)" "$tmp/$name.out"
	fi
}
cli cli-help 0 'usage: hvtrace gdb' -- --help
cli cli-no-program 2 'no program given' --
cli cli-bad-port 2 '--port 70000: expected 0 to 65535' -- --port 70000 "$tmp/basic"
cli cli-attach-syntax 2 '--attach nocolon: expected VM:PID' -- --attach nocolon
cli cli-attach-and-program 2 'takes no program' -- --attach vm:1 "$tmp/basic"
cli cli-missing-program 127 'nope' -- "$tmp/nope"
cli cli-attach-nowhere 1 'attach to .*/none.sock:1' -- --attach "$tmp/none.sock:1"

# --- the single-threaded program ---------------------------------------------------
session break basic remote -ex 'break leaf' -ex continue -ex bt -ex 'p x' -ex finish -ex continue
expect break-hits-at-the-line "$tmp/break.out" '^Breakpoint 1, leaf \(x=8\) at .*basic.c:11$'
expect bt-lists-the-callers "$tmp/break.out" '^#1 .* middle \(a=7\) at .*basic.c:17$' '^#2 .* main \(\) at .*basic.c:28$'
expect print-argument "$tmp/break.out" '^\$1 = 8$'
expect finish-returns "$tmp/break.out" '^0x[0-9a-f]+ in middle \(a=7\) at .*basic.c:17$' '^Value returned is \$2 = 17$'
expect exit-reported "$tmp/break.out" 'exited normally'
expect program-ran "$tmp/break.prog" '^local=45 counter=17 total=3$'
[ "$stub_rc" = 0 ] && ok stub-exit-status || bad stub-exit-status "status $stub_rc"

session stepping basic remote -ex 'tbreak main' -ex continue -ex next -ex next -ex until -ex 'until 28' \
	-ex step -ex 'info breakpoints' -ex stepi -ex 'p $pc' -ex 'next' -ex 'next' -ex 'p counter'
expect tbreak-stops-once "$tmp/stepping.out" '^Temporary breakpoint 1, main \(\) at .*basic.c:23$' '^No breakpoints or watchpoints'
expect next-goes-line-by-line "$tmp/stepping.out" '^24[[:space:]]' '^26[[:space:]]'
expect until-leaves-the-loop "$tmp/stepping.out" '^27[[:space:]]' 'main \(\) at .*basic.c:28$'
expect step-enters-the-call "$tmp/stepping.out" '^middle \(a=7\) at .*basic.c:17$'
expect stepi-moves-by-instruction "$tmp/stepping.out" '^0x[0-9a-f]+[[:space:]]+17[[:space:]]' '^\$1 = .*<middle\+[0-9]+>'
expect next-steps-over-calls "$tmp/stepping.out" '^18[[:space:]]' '^\$2 = 0$'

session data basic remote -ex 'break 30' -ex continue -ex 'p ratio' -ex 'set var ratio = 2.25' -ex 'p ratio * 2' \
	-ex 'x/4xb &watched' -ex 'set var watched = 100' -ex 'p/x watched' -ex continue
expect print-global "$tmp/data.out" '^\$1 = 0.5$'
expect set-var-double "$tmp/data.out" '^\$2 = 4.5$'
expect examine-memory "$tmp/data.out" '^0x[0-9a-f]+ <watched>:[[:space:]]+0x2a[[:space:]]+0x00[[:space:]]+0x00[[:space:]]+0x00$'
expect set-var-reaches-the-program "$tmp/data.out" '^\$3 = 0x64$' 'exited with code 03'
expect set-var-program-output "$tmp/data.prog" '^local=103 '

session registers basic remote -ex 'break middle' -ex continue -ex 'info registers' \
	-ex 'info registers fs_base gs_base orig_rax mxcsr fctrl ftag' -ex 'p $xmm0' -ex 'p $ymm1.v8_int32' \
	-ex 'p $st0' -ex 'set var $rax = 0x1234' -ex 'p/x $rax' -ex 'set var $xmm2.v4_int32[1] = 77' \
	-ex 'p $xmm2.v4_int32[1]' -ex 'info all-registers' -ex 'p $_siginfo' \
	-ex 'set var $ymm3.v8_int32 = {1,2,3,4,5,6,7,8}' -ex 'p $ymm3.v8_int32' -ex kill
expect info-registers-gprs "$tmp/registers.out" '^rax +0x7 ' '^r15 ' '^rip +0x[0-9a-f]+ +0x[0-9a-f]+ <middle\+[0-9]+>' \
	'^eflags +0x[0-9a-f]+ +\[ .*IF.* \]' '^cs +0x33 ' '^ss +0x2b ' '^gs +0x0 '
expect info-registers-linux "$tmp/registers.out" '^fs_base +0x[1-9a-f][0-9a-f]* ' '^gs_base +0x0 ' '^orig_rax +0xffffffffffffffff '
expect info-registers-fpu "$tmp/registers.out" '^mxcsr +0x1f80 +\[ IM DM ZM OM UM PM \]' '^fctrl +0x37f ' '^ftag +0xffff '
expect vector-registers "$tmp/registers.out" 'v4_int32 = ' '^\$2 = \{.*\}$' '^ymm15 ' '^st7 '
expect set-registers "$tmp/registers.out" '^\$4 = 0x1234$' '^\$5 = 77$'
expect set-avx-register "$tmp/registers.out" '= \{1, 2, 3, 4, 5, 6, 7, 8\}$'

session watch basic remote -ex 'break main' -ex continue -ex 'watch watched' -ex continue -ex 'delete' \
	-ex 'rwatch counter' -ex continue -ex delete -ex 'awatch total' -ex continue -ex continue
expect watch-write "$tmp/watch.out" '^Hardware watchpoint 2: watched$' '^Old value = 1$' '^New value = 42$'
expect rwatch-read "$tmp/watch.out" '^Hardware read watchpoint 3: counter$' '^Value = 17$'
expect awatch-access "$tmp/watch.out" '^Hardware access \(read/write\) watchpoint 4: total$' '^Value = 3$'

session hbreak basic remote -ex 'hbreak leaf' -ex continue -ex 'p x' -ex continue
expect hbreak-hits "$tmp/hbreak.out" '^Hardware assisted breakpoint 1 at ' '^Breakpoint 1, leaf \(x=8\)' '^\$1 = 8$' 'exited normally'

session detach basic remote -ex 'break middle' -ex continue -ex detach
expect detach-lets-it-run "$tmp/detach.out" 'detached'
expect detach-program-finishes "$tmp/detach.prog" '^local=45 counter=17 total=3$'
[ "$stub_rc" = 0 ] && ok detach-stub-status || bad detach-stub-status "status $stub_rc"

session kill basic remote -ex 'break middle' -ex continue -ex kill -ex 'info inferiors'
expect kill-ends-it "$tmp/kill.out" 'killed'
if grep -q local= "$tmp/kill.prog"; then bad kill-program-never-finishes "it printed" "$tmp/kill.prog"; else ok kill-program-never-finishes; fi

session extended basic extended-remote -ex 'break leaf' -ex continue -ex 'p x' -ex kill -ex 'info inferiors'
expect extended-remote "$tmp/extended.out" '^Breakpoint 1, leaf \(x=8\)' '^\$1 = 8$' 'killed'

# gdb without the program: it reads it from the target (qXfer:exec-file, vFile), and
# the target's /proc is the guest's.
if start_stub nofile -- "$tmp/basic"; then
	timeout 60 gdb -batch -nx -ex 'set confirm off' -ex "target remote :$port" -ex 'break leaf' -ex continue \
		-ex 'p x' -ex 'info proc mappings' -ex continue > "$tmp/nofile.out" 2>&1
	end_stub
	expect vfile-reads-the-program "$tmp/nofile.out" '^Reading symbols from target:.*/basic\.\.\.$' \
		'^Breakpoint 1, leaf \(x=8\)' '^\$1 = 8$' 'exited normally'
	expect vfile-guest-proc "$tmp/nofile.out" '^ +0x400000 +0x401000 .* r--p +.*/basic$' ' r-xp +\[vdso\]$'
	if grep -q 'unable to open /proc file' "$tmp/nofile.out"; then
		bad vfile-no-proc-warning "gdb could not read the target's /proc" "$tmp/nofile.out"
	else
		ok vfile-no-proc-warning
	fi
else
	bad vfile-reads-the-program "the stub did not listen" "$tmp/nofile.stub"
fi

# extended-remote's run (vRun): the program again, with exactly gdb's arguments; each
# run replaces the last (vKill first).
session rerun "args one" extended-remote -ex 'break main' -ex run -ex 'p argc' -ex continue \
	-ex 'run a "b c"' -ex 'p argc' -ex 'p argv[2]' -ex continue -ex 'info inferiors' -ex run -ex 'p argc' -ex kill
expect run-restarts "$tmp/rerun.out" '^\$1 = 1$' '^\[Inferior 1 \(process [0-9]+\) exited with code 01\]$'
expect run-passes-arguments "$tmp/rerun.out" '^\$2 = 3$' '^\$3 = 0x[0-9a-f]+ "b c"$' \
	'^\[Inferior 1 \(process [0-9]+\) exited with code 03\]$' '^\$4 = 3$' 'killed'
expect run-program-output "$tmp/rerun.prog" '^arg1=a$' '^arg2=b c$'
if grep -q '^arg1=one$' "$tmp/rerun.prog"; then bad run-kills-the-first "it ran on" "$tmp/rerun.prog"; else ok run-kills-the-first; fi
expect run-is-vrun "$tmp/rerun.stub" '^gdb -> vRun;;61;622063$'

# --- threads -------------------------------------------------------------------------
session threads threads remote -ex 'break worker_mark' -ex continue -ex 'info threads' -ex continue -ex continue \
	-ex 'info breakpoints' -ex 'thread 1' -ex bt -ex delete -ex continue
expect threads-stop-in-a-worker "$tmp/threads.out" 'hit Breakpoint 1, worker_mark \(id=[0-2]\)'
expect info-threads-lists-all "$tmp/threads.out" '^  4 +Thread 1\.[0-9]+ ' '^\* [2-4] +Thread 1\.[0-9]+ .* worker_mark'
expect every-thread-hits "$tmp/threads.out" 'breakpoint already hit 3 times'
expect thread-switch "$tmp/threads.out" 'Switching to thread 1 ' '^#[0-9] .* main \(\) at .*threads.c:3[0-9]$'
expect threads-finish "$tmp/threads.prog" '^marks 1 2 3$'

# Only the stepped thread runs during next (vCont;s:THREAD alone); the other workers keep
# their breakpoint hits for the continues.
session thread-step threads remote -ex 'set scheduler-locking step' -ex 'break worker_mark' -ex continue \
	-ex next -ex next -ex 'p marks' -ex continue -ex continue -ex 'info breakpoints' -ex delete -ex continue
expect next-in-a-thread "$tmp/thread-step.out" '^14[[:space:]]' '^worker \(arg=0x[0-9a-f]+\) at .*threads.c:2[23]$'
expect scheduler-locking-others-wait "$tmp/thread-step.out" '^\$1 = \{(1, 0, 0|0, 2, 0|0, 0, 3)\}$' 'breakpoint already hit 3 times'
expect thread-step-finishes "$tmp/thread-step.prog" '^marks 1 2 3$'

# --- signals, fork, exec ---------------------------------------------------------------
session signals signals remote -ex continue -ex 'p $_siginfo.si_code' -ex continue -ex 'p handled' \
	-ex 'p $_siginfo.si_signo' -ex 'p $_siginfo.si_code' -ex 'p $_siginfo._sifields._sigfault.si_addr' -ex continue
expect signal-stops "$tmp/signals.out" 'Program received signal SIGUSR1' 'Program received signal SIGSEGV' 'basic|signals.c:17'
expect signal-delivered "$tmp/signals.out" '^\$2 = 10$' 'Program terminated with signal SIGSEGV'
expect siginfo-of-a-raise "$tmp/signals.out" '^\$1 = -6$'
expect siginfo-of-a-fault "$tmp/signals.out" '^\$3 = 11$' '^\$4 = 1$' '^\$5 = \(void \*\) 0x8$'

session fork-parent forker remote -ex 'break parent_done' -ex 'break child_work' -ex continue -ex 'p status' -ex continue
expect fork-follows-parent "$tmp/fork-parent.out" 'Detaching after fork from child process' '^Breakpoint 1, parent_done \(status=7\)' 'exited normally'
expect fork-child-unhindered "$tmp/fork-parent.prog" '^child exited 7$'
# The fork is reported where it happens, in the parent (fork:pPID.TID), as gdbserver.
expect fork-stop-at-the-fork "$tmp/fork-parent.stub" '^gdb <- \$T05thread:p1\.1;.*fork:p[0-9a-f]+\.[0-9a-f]+;'

# next over the fork and on: the child's SIGCHLD (passed) comes during a step, which
# must stay a step.
session fork-next forker remote -ex 'break main' -ex continue -ex next -ex next -ex 'p pid > 1' -ex next -ex next \
	-ex next -ex continue
expect fork-next-line-by-line "$tmp/fork-next.out" '^\[Detaching after fork from child process [0-9]+\]$' \
	'^21[[:space:]]' '^23[[:space:]]' '^\$1 = 1$' '^24[[:space:]]' '^25[[:space:]]' '^26[[:space:]]' 'exited normally'

session fork-catch forker remote -ex 'catch fork' -ex continue -ex bt -ex continue
expect catch-fork "$tmp/fork-catch.out" '^Catchpoint 1 \(forked process [0-9]+\), .* in _Fork \(\)' '^#[0-9]+ .* main \(\) at .*forker.c:' 'exited normally'
expect catch-fork-child-runs "$tmp/fork-catch.prog" '^child exited 7$'

# Both processes kept: the child breaks, ends; the parent then sees its status.
session fork-both forker remote -ex 'set detach-on-fork off' -ex 'set schedule-multiple on' -ex 'catch fork' \
	-ex 'break parent_done' -ex 'break child_work' -ex continue -ex continue -ex 'info inferiors' -ex 'p x' \
	-ex continue -ex 'inferior 1' -ex continue -ex 'p status' -ex continue
expect fork-both-kept "$tmp/fork-both.out" '^Catchpoint 1 \(forked process [0-9]+\)' '^\[New inferior 2 \(process [0-9]+\)\]' \
	'^  1 +process [0-9]+ ' '^\* 2 +process [0-9]+ '
expect fork-both-child-breaks "$tmp/fork-both.out" 'hit Breakpoint 3\.2, child_work \(x=6\)' '^\$1 = 6$' \
	'^\[Inferior 2 \(process [0-9]+\) exited with code 07\]$'
expect fork-both-parent-goes-on "$tmp/fork-both.out" 'hit Breakpoint 2\.1, parent_done \(status=7\)' '^\$2 = 7$' \
	'^\[Inferior 1 \(process [0-9]+\) exited normally\]$'
expect fork-both-output "$tmp/fork-both.prog" '^child exited 7$'

session fork-child forker remote -ex 'set follow-fork-mode child' -ex 'break child_work' -ex continue -ex 'p x' \
	-ex 'info auxv' -ex continue
expect fork-follows-child "$tmp/fork-child.out" 'hit Breakpoint 1, child_work \(x=6\)|^Breakpoint 1, child_work \(x=6\)' '^\$1 = 6$' 'exited with code 07'
expect fork-parent-detached "$tmp/fork-child.prog" '^child exited 7$'
expect fork-child-auxv "$tmp/fork-child.out" '^6 +AT_PAGESZ +System page size +4096$'

# vfork + exec, gdb following the parent: the child is reported (vfork:) and detached;
# gdb takes its breakpoints out of the shared memory until the parent's vforkdone, so
# the child does not hit them and the parent hits them after.
session vfork "vforker basic" remote -ex 'break after_spawn' -ex 'break execv' -ex continue -ex 'p status' \
	-ex continue -ex continue
expect vfork-child-detached "$tmp/vfork.out" '^\[Detaching after vfork from child process [0-9]+\]' \
	'^Breakpoint 1, after_spawn \(status=0\)' '^\$1 = 0$' 'exited normally'
n=$(grep -c '^Breakpoint 1, after_spawn' "$tmp/vfork.out")
[ "$n" = 2 ] && ok vfork-parent-keeps-breakpoints || bad vfork-parent-keeps-breakpoints "$n hits, want 2" "$tmp/vfork.out"
expect vfork-runs "$tmp/vfork.prog" '^local=45 ' '^spawned child exited 0$'
if grep -q 'Breakpoint 2, ' "$tmp/vfork.out"; then bad vfork-no-child-stop "gdb saw the child" "$tmp/vfork.out"; else ok vfork-no-child-stop; fi
expect vfork-stops "$tmp/vfork.stub" '^gdb <- \$T05thread:p1\.1;.*vfork:p[0-9a-f]+\.[0-9a-f]+;' '^gdb <- \$T05thread:p1\.1;.*vforkdone:;'

# Following the vfork child through its exec.
session vfork-child "vforker basic" remote -ex 'set follow-fork-mode child' -ex 'catch vfork' -ex 'catch exec' \
	-ex continue -ex continue -ex 'info inferiors' -ex 'break leaf' -ex continue -ex 'p x' -ex continue
expect vfork-child-caught "$tmp/vfork-child.out" '^Catchpoint 1 \(vforked process [0-9]+\), .* in vfork \(\)' \
	'^\[Attaching after Thread [0-9.]+ vfork to child Thread [0-9.]+\]'
expect vfork-child-exec-caught "$tmp/vfork-child.out" 'Catchpoint 2 \(exec.d .*/basic\)' \
	'^\[Detaching vfork parent process [0-9]+ after child exec\]' '^\* 2 +process [0-9]+ .*/basic'
expect vfork-child-breaks "$tmp/vfork-child.out" 'hit Breakpoint 3, leaf \(x=8\)' '^\$1 = 8$' \
	'^\[Inferior 2 \(process [0-9]+\) exited normally\]$'
expect vfork-child-output "$tmp/vfork-child.prog" '^local=45 ' '^spawned child exited 0$'

# Both kept: the child's exec is caught while its parent waits.
session vfork-both "vforker basic" remote -ex 'set detach-on-fork off' -ex 'set schedule-multiple on' \
	-ex 'catch exec' -ex 'break after_spawn' -ex continue -ex 'info inferiors' -ex continue -ex 'inferior 1' \
	-ex continue -ex 'p status' -ex 'delete' -ex continue
expect vfork-both-exec "$tmp/vfork-both.out" 'Catchpoint 1 \(exec.d .*/basic\)' '^  1 +process [0-9]+ .*/vforker' \
	'^\* 2 +process [0-9]+ .*/basic' '^\[Inferior 2 \(process [0-9]+\) exited normally\]$'
expect vfork-both-parent "$tmp/vfork-both.out" 'Breakpoint 2\.1, after_spawn \(status=0\)|Breakpoint 2, after_spawn \(status=0\)' \
	'^\$1 = 0$' '^\[Inferior 1 \(process [0-9]+\) exited normally\]$'
expect vfork-both-output "$tmp/vfork-both.prog" '^local=45 ' '^spawned child exited 0$'

if start_stub exec -- "$tmp/execer" "$tmp/basic"; then
	timeout 60 gdb -batch -nx -ex 'set confirm off' -ex 'set breakpoint pending on' -ex "target remote :$port" \
		-ex 'break leaf' -ex continue -ex 'p x' -ex continue "$tmp/execer" > "$tmp/exec.out" 2>&1
	end_stub
	expect exec-event "$tmp/exec.out" 'is executing new program: .*/basic$' '^Breakpoint 1, leaf \(x=8\)' '^\$1 = 8$' 'exited normally'
else
	bad exec-event "the stub did not listen" "$tmp/exec.stub"
fi

# --- Ctrl-C: SIGINT to gdb once the program runs (the stub's log says when) ----------
# One SIGINT, to gdb alone: `timeout` without --foreground passes a signal to its child
# and then to its whole process group, so gdb got two; the second, while the first
# interrupt was still answered, made gdb ask "not responding, stop debugging it?" and
# batch mode said yes ("Disconnected from target", half of the runs on an idle machine).
interrupt_session() {
	start_stub interrupt -- "$tmp/spin" || return 1
	timeout --foreground 60 gdb -batch -nx -ex 'set confirm off' -ex "target remote :$port" -ex continue \
		-ex 'p spins > 0' -ex 'set var stop = 1' -ex continue "$tmp/spin" > "$tmp/interrupt.out" 2>&1 &
	gdb_pid=$!
	for _ in $(seq 300); do grep -q '^gdb -> vCont;c' "$tmp/interrupt.stub" && break; sleep 0.1; done
	sleep 1
	kill -INT "$gdb_pid"
	wait "$gdb_pid"
	end_stub
}
interrupt_session
if [ -f "$tmp/interrupt.out" ]; then
	expect ctrl-c-interrupts "$tmp/interrupt.out" 'Program received signal SIGINT' '^\$1 = 1$' 'exited with code 05'
	expect ctrl-c-reply-is-sigint "$tmp/interrupt.stub" '^gdb <- \$T02thread:p1\.1;'
else
	bad ctrl-c-interrupts "the stub did not listen" "$tmp/interrupt.stub"
fi

# --- attach to a running `hvtrace run` ----------------------------------------------------
timeout 120 "$hv" run --control "$tmp/ctl.sock" -- "$tmp/spin" > "$tmp/attach.prog" 2>&1 &
run_pid=$!
for _ in $(seq 100); do [ -S "$tmp/ctl.sock" ] && grep -q '^spinning$' "$tmp/attach.prog" && break; sleep 0.1; done
if start_stub attach --attach "$tmp/ctl.sock:1"; then
	timeout 60 gdb -batch -nx -ex 'set confirm off' -ex "target remote :$port" -ex bt -ex 'set var stop = 1' \
		-ex detach "$tmp/spin" > "$tmp/attach.out" 2>&1
	end_stub
	wait "$run_pid"
	run_rc=$?
	expect attach-sees-the-program "$tmp/attach.out" 'main \(\) at .*spin.c:' 'detached'
	[ "$run_rc" = 5 ] && ok attach-detach-runs-on || bad attach-detach-runs-on "hvtrace run exited $run_rc" "$tmp/attach.prog"
else
	kill "$run_pid" 2> /dev/null
	bad attach-sees-the-program "the stub did not listen" "$tmp/attach.stub"
fi

# --multi: nothing to debug until gdb's `attach PID` (vAttach) in the VM `monitor vm`
# names; detach leaves it running.
timeout 120 "$hv" run --control "$tmp/ctl2.sock" -- "$tmp/spin" > "$tmp/vattach.prog" 2>&1 &
run_pid=$!
for _ in $(seq 100); do [ -S "$tmp/ctl2.sock" ] && grep -q '^spinning$' "$tmp/vattach.prog" && break; sleep 0.1; done
if start_stub vattach --multi; then
	timeout 60 gdb -batch -nx -ex 'set confirm off' -ex "target extended-remote :$port" -ex 'info inferiors' \
		-ex "monitor vm $tmp/ctl2.sock" -ex 'attach 1' -ex bt -ex 'p spins > 0' -ex 'set var stop = 1' \
		-ex detach -ex 'info inferiors' "$tmp/spin" > "$tmp/vattach.out" 2>&1
	end_stub
	wait "$run_pid"
	run_rc=$?
	expect vattach-monitor-vm "$tmp/vattach.out" "^attach PID now attaches to task PID of VM $tmp/ctl2.sock$"
	expect vattach-sees-the-task "$tmp/vattach.out" 'main \(\) at .*spin.c:' '^\$1 = 1$' \
		'^\[Inferior 1 \(process 1\) detached\]$'
	[ "$run_rc" = 5 ] && ok vattach-detach-runs-on || bad vattach-detach-runs-on "hvtrace run exited $run_rc" "$tmp/vattach.prog"
	[ "$stub_rc" = 0 ] && ok vattach-stub-status || bad vattach-stub-status "status $stub_rc" "$tmp/vattach.stub"
else
	kill "$run_pid" 2> /dev/null
	bad vattach-sees-the-task "the stub did not listen" "$tmp/vattach.stub"
fi

# Killing one of two processes (vKill;PID): the other goes on and sees it killed.
session kill-one forker remote -ex 'set detach-on-fork off' -ex 'set schedule-multiple on' -ex 'break child_work' \
	-ex continue -ex 'kill inferiors 2' -ex 'info inferiors' -ex 'inferior 1' -ex continue
expect kill-one-process "$tmp/kill-one.out" '^\* 2 +<null> ' '^\[Inferior 1 \(process [0-9]+\) exited with code 01\]$'
expect kill-one-parent-sees-it "$tmp/kill-one.prog" '^child exited 0$'

# --- the raw client over --socket: malformed packets ------------------------------------
HVTRACE_GDB_DEBUG= timeout 120 "$hv" gdb --socket "$tmp/raw.sock" -- "$tmp/basic" > "$tmp/raw.prog" 2> "$tmp/raw.stub" &
stub_pid=$!
for _ in $(seq 100); do [ -S "$tmp/raw.sock" ] && break; sleep 0.1; done
timeout 60 python3 tests/gdb/raw_client.py --socket "$tmp/raw.sock" > "$tmp/raw.out" 2>&1
raw_rc=$?
end_stub
grep -E '^(PASS|FAIL) ' "$tmp/raw.out"
pass=$((pass + $(grep -c '^PASS ' "$tmp/raw.out")))
fail=$((fail + $(grep -c '^FAIL ' "$tmp/raw.out")))
if [ "$raw_rc" != 0 ] && ! grep -q '^FAIL ' "$tmp/raw.out"; then
	bad raw-client "exited $raw_rc" "$tmp/raw.out"
fi
if [ "$stub_rc" -gt 128 ] && [ "$stub_rc" != 137 ]; then
	bad raw-stub-survives "the stub exited $stub_rc" "$tmp/raw.stub"
else
	ok raw-stub-survives
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

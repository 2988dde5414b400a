#!/usr/bin/env bash
# `hvtrace strace` against the native strace (/usr/bin/strace) on the same static
# programs (tests/strace/progs/*.c): the traces must match once normalised
# (tests/strace/normalize.py says what is normalised and why), and the options that
# change the output (-c, -ff, -e trace=/status=, -s, -x, -y, --json, -T/-t) must do
# what strace does. No timing thresholds: times are only checked for their format.
#
# usage: tests/strace/run_strace_diff.sh HVTRACE_BINARY BUILD_DIR
#
# Both sides run with `env -i` and glibc's rseq registration off (hvtrace answers rseq
# with ENOSYS; natively it succeeds: with it off neither side calls it).
set -u
HV=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
BUILD=$(cd "$2" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$BUILD/strace-diff
STRACE=/usr/bin/strace
TIMEOUT=${HVTRACE_STRACE_TIMEOUT:-60}
NORM="python3 $HERE/normalize.py"
pass=0
fail=0

ok() { echo "PASS $1"; pass=$((pass + 1)); }
ko() { echo "FAIL $1"; fail=$((fail + 1)); }

if [ ! -x "$STRACE" ]; then
    echo "FAIL strace: $STRACE is missing (tools/install-deps.sh installs it)"
    echo "0 passed, 1 failed"
    exit 1
fi

rm -rf "$OUT" && mkdir -p "$OUT/bin"
for src in "$HERE"/progs/*.c; do
    name=$(basename "$src" .c)
    if ! gcc -static -O1 -o "$OUT/bin/$name" "$src" -lpthread 2>"$OUT/$name.cc.log"; then
        ko "build $name"; cat "$OUT/$name.cc.log"
    fi
done

# run_native/run_hv OUTFILE ARGS... PROG: the same environment on both sides. The
# program's stdout goes to /dev/null (it shows in the trace), stdin is /dev/null.
ENVV=(env -i PATH=/usr/bin:/bin GLIBC_TUNABLES=glibc.pthread.rseq=0)
# Descriptors the harness may have open beyond stdio (files.c dup2s onto 10) are closed:
# a guest of hvtrace inherits only 0, 1 and 2.
run_native() { (cd "$OUT" && exec "${ENVV[@]}" timeout "$TIMEOUT" "$STRACE" "$@" </dev/null >/dev/null 2>"$OUT/last-native.err" 10>&-); }
run_hv() { (cd "$OUT" && "${ENVV[@]}" timeout "$TIMEOUT" "$HV" strace "$@" </dev/null >/dev/null 2>"$OUT/last-hv.err" 10>&-); }

# compare NAME NATIVE_TRACE HV_TRACE [normalize.py options]
compare() {
    local name=$1 a=$2 b=$3
    shift 3
    $NORM "$@" "$a" > "$a.norm" 2>&1
    $NORM "$@" "$b" > "$b.norm" 2>&1
    local file=$OUT/${name//[^A-Za-z0-9_.=-]/_}.diff
    if diff -u "$a.norm" "$b.norm" > "$file"; then
        ok "$name"
    else
        ko "$name"; head -40 "$file"
    fi
}

# 1. Full traces with -f, and the exit status hvtrace strace returns (the program's).
#    threads: pthread_join's futex waits (and the wakes) happen or not depending on
#    whether a thread has already finished, natively too: futex lines are dropped.
for name in files forkwait threads signals timers misc longstr execve execthread mem killed; do
    prog=$OUT/bin/$name
    [ -x "$prog" ] || continue
    run_native -f -o "$OUT/$name.native" "$prog"; nrc=$?
    run_hv -f -o "$OUT/$name.hv" "$prog"; hrc=$?
    drop=()
    [ "$name" = threads ] && drop=(--drop '^futex\(')
    compare "trace-$name" "$OUT/$name.native" "$OUT/$name.hv" "${drop[@]}"
    # strace itself re-raises a fatal signal (137 for SIGKILL in a shell); hvtrace
    # returns what `hvtrace run` would, which is the same number.
    if [ "$nrc" = "$hrc" ]; then ok "status-$name ($hrc)"; else ko "status-$name: native $nrc, hvtrace $hrc"; fi
done

# 1b. Argument decoding of calls whose results differ under hvtrace (sockets are not
#     served, MAP_FIXED_NOREPLACE at 0 is refused): arguments only.
run_native -f -o "$OUT/flagset.native" "$OUT/bin/flagset"
run_hv -f -o "$OUT/flagset.hv" "$OUT/bin/flagset"
compare "decode-flagset" "$OUT/flagset.native" "$OUT/flagset.hv" --no-results

# 1b'. Sockets and ioctls, arguments only: hvtrace serves no sockets (ENOSYS) and few
#      ioctls, so results differ. sockets.c is a real Unix-socket session natively; the
#      calls whose output arguments only a successful call fills are left out (their
#      failed forms are in sockaddrs.c, their filled forms in the unit tests, whose
#      lines are checked against the native trace next). sockaddrs.c and ioctls.c make
#      every form of address, message header and request on both sides; -x, -xx, -s, -v
#      change how they show.
run_native -f -o "$OUT/sockets.native" "$OUT/bin/sockets"; nrc=$?
run_hv -f -o "$OUT/sockets.hv" "$OUT/bin/sockets"; hrc=$?
compare "decode-sockets" "$OUT/sockets.native" "$OUT/sockets.hv" --no-results \
    --drop '^(socketpair|accept4?|getsockname|getpeername|recvfrom|recvmsg)\('
if [ "$nrc" = 0 ] && [ "$hrc" = 0 ]; then ok "status-sockets"; else ko "status-sockets: native $nrc, hvtrace $hrc"; fi
# The lines tests/unit/test_strace_net.c expects for the successful calls: strace's own.
$NORM "$OUT/sockets.native" > "$OUT/sockets.native.full"
missing=0
while IFS= read -r line; do
    grep -Fxq -- "$line" "$OUT/sockets.native.full" || { echo "    not in the native trace: $line"; missing=$((missing + 1)); }
done <<'LINES'
socketpair(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0, [3, 4]) = 0
recvfrom(4, "ping", 64, MSG_DONTWAIT, NULL, NULL) = 4
accept4(5, {sa_family=AF_UNIX}, [110 => 2], SOCK_CLOEXEC) = 7
getsockname(5, {sa_family=AF_UNIX, sun_path="/tmp/hvt_strace_sockets.sock"}, [110 => 31]) = 0
getpeername(6, {sa_family=AF_UNIX, sun_path="/tmp/hvt_strace_sockets.sock"}, [110 => 31]) = 0
recvmsg(7, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base="hello world", iov_len=64}], msg_iovlen=1, msg_control=[{cmsg_len=20, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, cmsg_data=[8]}], msg_controllen=24, msg_flags=MSG_CMSG_CLOEXEC}, MSG_CMSG_CLOEXEC) = 11
recvfrom(9, "dgram", 64, MSG_DONTWAIT, {sa_family=AF_UNIX, sun_path=@"hvt_strace_sockets.peer"}, [110 => 26]) = 5
recvmsg(9, {msg_name={sa_family=AF_UNIX, sun_path=@"hvt_strace_sockets.peer"}, msg_namelen=110 => 26, msg_iov=[{iov_base="again", iov_len=64}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, MSG_DONTWAIT) = 5
LINES
if [ "$missing" = 0 ]; then ok "native-socket-lines"; else ko "native-socket-lines ($missing missing)"; fi
for opts in "" "-x" "-xx" "-s 4"; do
    read -r -a o <<<"$opts"
    run_native -f "${o[@]}" -o "$OUT/sockaddrs.native" "$OUT/bin/sockaddrs"
    run_hv -f "${o[@]}" -o "$OUT/sockaddrs.hv" "$OUT/bin/sockaddrs"
    compare "decode-sockaddrs $opts" "$OUT/sockaddrs.native" "$OUT/sockaddrs.hv" --no-results
done
for opts in "" "-v" "-xx"; do
    read -r -a o <<<"$opts"
    run_native -f "${o[@]}" -o "$OUT/ioctls.native" "$OUT/bin/ioctls"
    run_hv -f "${o[@]}" -o "$OUT/ioctls.hv" "$OUT/bin/ioctls"
    compare "decode-ioctls $opts" "$OUT/ioctls.native" "$OUT/ioctls.hv" --no-results
done

# 1c. Every syscall transport of the guest (hvtrace run --syscall-transport) gives
#     the native trace: the fast path must hand out the same stops.
for tr in exit shared; do
    run_hv -f --syscall-transport "$tr" -o "$OUT/files-$tr.hv" "$OUT/bin/files"
    compare "transport-$tr" "$OUT/files.native" "$OUT/files-$tr.hv"
done

# 2. A SIGKILL'd tracee: the trace ends with the kill line and "+++ killed by SIGKILL +++".
if [ -f "$OUT/killed.hv" ] && [ "$(tail -n 1 "$OUT/killed.hv" | sed 's/^[0-9]* *//')" = "+++ killed by SIGKILL +++" ] &&
   grep -q 'kill([0-9]*, SIGKILL) *= ?$' "$OUT/killed.hv"; then
    ok "killed-by-sigkill"
else
    ko "killed-by-sigkill"; tail -n 3 "$OUT/killed.hv"
fi

# 2b. Many threads at once: every call of every thread is there, each entry has its
#     result (joined across "<unfinished ...>"), each thread ends with its exit line.
run_hv -f -e trace=getppid,exit -o "$OUT/many.hv" "$OUT/bin/manythreads"
entries=$(grep -c 'getppid(' "$OUT/many.hv")
results=$($NORM "$OUT/many.hv" | grep -c '^getppid() = PPID$')
exits=$(grep -c '+++ exited with 0 +++' "$OUT/many.hv")
if [ "$entries" = 2400 ] && [ "$results" = 2400 ] && [ "$exits" = 9 ]; then
    ok "many-threads (2400 calls, 9 exits)"
else
    ko "many-threads: $entries entries, $results results, $exits exits (want 2400, 2400, 9)"
fi
run_hv -f -c -o "$OUT/many.count.hv" "$OUT/bin/manythreads"
if grep -Eq '^ *[0-9.]+ +[0-9.]+ +[0-9]+ +2400 +getppid$' "$OUT/many.count.hv"; then
    ok "many-threads -c"
else
    ko "many-threads -c"; grep getppid "$OUT/many.count.hv"
fi

# 2b'. Issue #8's load: 64 threads x 10 000 getpid calls, exactly 640 000 lines, each
#      with its result (a line split by <unfinished ...> counts once, joined).
gcc -static -O1 -o "$OUT/bin/load_threads" tests/vcpu/guests/load_threads.c -lpthread
#      HVTRACE_TEST_SCALE (the SVM lane's slow emulated CPU) divides the calls per thread.
per=$((10000 / ${HVTRACE_TEST_SCALE:-1})); [ "$per" -ge 10 ] || per=10
run_hv -f -e trace=getpid -o "$OUT/load.hv" "$OUT/bin/load_threads" 64 $per; lrc=$?
lines=$($NORM "$OUT/load.hv" | grep -c '^getpid() = ')
if [ "$lrc" = 0 ] && [ "$lines" = $((64 * per)) ]; then
    ok "load-64-threads ($lines lines)"
else
    ko "load-64-threads: status $lrc, $lines getpid lines (want $((64 * per)))"
fi

# 2c. Killed with threads inside syscalls: nothing left open, every task accounted for.
run_hv -f -o "$OUT/killthreads.hv" "$OUT/bin/killthreads"; krc=$?
killed=$(grep -c '+++ killed by SIGKILL +++' "$OUT/killthreads.hv")
dangling=$($NORM "$OUT/killthreads.hv" | grep -c 'unfinished')
if [ "$krc" = 137 ] && [ "$killed" = 5 ] && [ "$dangling" = 0 ]; then
    ok "killed-with-threads"
else
    ko "killed-with-threads: status $krc, $killed killed lines (want 5), $dangling left unfinished"
fi

# 3. Filters: -e trace= with names, classes and negation; -e status=failed; -e signal=.
i=0
for expr in "trace=openat,close" "trace=%file" "trace=%desc,%process" "trace=!%memory,write" \
            "status=failed" "trace=none" "signal=none" "trace=%signal" "trace=%clock,%creds" \
            "trace=%stat,%lstat" "trace=%fstat" "trace=%%stat" "trace=%pure" "trace=%memory" \
            "status=successful" "signal=!SIGUSR1" "trace=/^(open|close)"; do
    i=$((i + 1))
    prog=$OUT/bin/files
    case $expr in signal=*|*%signal*|*%clock*) prog=$OUT/bin/signals ;; esac
    [ "$expr" = "trace=%clock,%creds" ] && prog=$OUT/bin/mem
    run_native -f -e "$expr" -o "$OUT/filter$i.native" "$prog"
    run_hv -f -e "$expr" -o "$OUT/filter$i.hv" "$prog"
    compare "filter-$expr" "$OUT/filter$i.native" "$OUT/filter$i.hv"
done

# 4. Strings: -s, -x, -xx; -v (execve's environment in full, full structures are
#    compared on uname only: stat times differ between runs of the program).
i=0
for opts in "-s 5" "-s 0" "-x" "-xx" "-s 100 -x"; do
    i=$((i + 1))
    read -r -a o <<<"$opts"
    run_native -f "${o[@]}" -o "$OUT/str$i.native" "$OUT/bin/longstr"
    run_hv -f "${o[@]}" -o "$OUT/str$i.hv" "$OUT/bin/longstr"
    compare "strings $opts" "$OUT/str$i.native" "$OUT/str$i.hv" --drop '^getrandom'
done
run_native -f -v -e trace=execve -o "$OUT/verbose.native" "$OUT/bin/execve"
run_hv -f -v -e trace=execve -o "$OUT/verbose.hv" "$OUT/bin/execve"
compare "verbose-execve" "$OUT/verbose.native" "$OUT/verbose.hv"

# 4b. Terminal ioctls, on a pseudo-terminal from script(1) (skipped without it).
if command -v script >/dev/null; then
    # -v only for the ioctls: the verbose fstat of the pty shows its (differing) times.
    for v in "" "-v -e trace=ioctl"; do
        (cd "$OUT" && script -qc "env -i PATH=/usr/bin:/bin GLIBC_TUNABLES=glibc.pthread.rseq=0 $STRACE -f $v -o $OUT/tty${v%% *}.native $OUT/bin/tty" /dev/null >/dev/null 2>&1)
        (cd "$OUT" && script -qc "env -i PATH=/usr/bin:/bin GLIBC_TUNABLES=glibc.pthread.rseq=0 $HV strace -f $v -o $OUT/tty${v%% *}.hv $OUT/bin/tty" /dev/null >/dev/null 2>&1)
        compare "tty-ioctls $v" "$OUT/tty${v%% *}.native" "$OUT/tty${v%% *}.hv"
    done
fi

# 5. -y: descriptors with paths. Pipes show as pipe:[INODE] natively; hvtrace's API
#    gives no inode, so they show bare there: the <pipe:[N]> suffixes are removed.
run_native -f -y -o "$OUT/fdpaths.native" "$OUT/bin/files"
run_hv -f -y -o "$OUT/fdpaths.hv" "$OUT/bin/files"
sed -i -E 's/<pipe:\[[0-9]+\]>//g' "$OUT/fdpaths.native"
compare "fd-paths -y" "$OUT/fdpaths.native" "$OUT/fdpaths.hv"

# 6. -c: the same calls and errors per syscall (times are not compared), and the
#    table's exact layout (header, rules, total line).
counts() {
    awk '$NF ~ /^[a-z_0-9]+$/ && $NF != "syscall" {
             if (NF == 6) print $NF, $4, $5; else if (NF == 5) print $NF, $4, 0 }' "$1" | sort
}
for name in files forkwait; do
    run_native -f -c -o "$OUT/$name.count.native" "$OUT/bin/$name"
    run_hv -f -c -o "$OUT/$name.count.hv" "$OUT/bin/$name"
    if diff <(counts "$OUT/$name.count.native") <(counts "$OUT/$name.count.hv") > "$OUT/$name.count.diff" &&
       [ -s "$OUT/$name.count.hv" ]; then
        ok "summary-counts-$name"
    else
        ko "summary-counts-$name"; cat "$OUT/$name.count.diff"
    fi
    layout() { sed -n -e '1,2p' -e '/total$/{x;p;x;p}' "$1" | sed -E 's/[0-9]+(\.[0-9]+)?/N/g' | tr -s ' '; }
    if diff <(layout "$OUT/$name.count.native") <(layout "$OUT/$name.count.hv") >/dev/null &&
       head -n 1 "$OUT/$name.count.hv" | grep -qx '% time     seconds  usecs/call     calls    errors syscall'; then
        ok "summary-layout-$name"
    else
        ko "summary-layout-$name"; head -n 3 "$OUT/$name.count.hv"
    fi
done
# The table counts what -e trace= selects, nothing else (-e status= only filters lines).
run_native -f -c -e trace=%file,close -e status=failed -o "$OUT/files.countf.native" "$OUT/bin/files"
run_hv -f -c -e trace=%file,close -e status=failed -o "$OUT/files.countf.hv" "$OUT/bin/files"
if diff <(counts "$OUT/files.countf.native") <(counts "$OUT/files.countf.hv") > "$OUT/files.countf.diff"; then
    ok "summary-counts -e trace="
else
    ko "summary-counts -e trace="; cat "$OUT/files.countf.diff"
fi
# -w: the same table of latencies; strace's refusals of -w alone and of -c with -C.
run_native -f -c -w -o "$OUT/files.countw.native" "$OUT/bin/files"
run_hv -f -c -w -o "$OUT/files.countw.hv" "$OUT/bin/files"; wrc=$?
if [ "$wrc" = 0 ] && diff <(counts "$OUT/files.countw.native") <(counts "$OUT/files.countw.hv") >/dev/null &&
   diff <(layout "$OUT/files.countw.native") <(layout "$OUT/files.countw.hv") >/dev/null; then
    ok "summary-wall-clock -w"
else
    ko "summary-wall-clock -w (status $wrc)"; head -n 4 "$OUT/files.countw.hv"
fi
"$HV" strace -w true > "$OUT/w-alone.hv" 2>&1; w1=$?
"$HV" strace -c -C true > "$OUT/c-with-C.hv" 2>&1; w2=$?
if [ "$w1" != 0 ] && grep -q -- '-w/--summary-wall-clock must be given with (-c/--summary-only or -C/--summary)' "$OUT/w-alone.hv" &&
   [ "$w2" != 0 ] && grep -q -- '-c/--summary-only and -C/--summary are mutually exclusive' "$OUT/c-with-C.hv"; then
    ok "summary-usage-refused"
else
    ko "summary-usage-refused"; cat "$OUT/w-alone.hv" "$OUT/c-with-C.hv"
fi
# What -c measures: the host's CPU time serving each call (strace's system time), not
# its latency. Three 100 ms sleeps last at least 0.3 s (-w must say so: a lower bound,
# not a threshold), while the CPU they cost is a small part of that: counted as
# latency, -c would say 0.3 s as well.
secs() { awk -v n="$2" '$NF == n { print $2 }' "$1"; }
run_hv -c -o "$OUT/summary.cpu.hv" "$OUT/bin/summary"
run_hv -c -w -o "$OUT/summary.wall.hv" "$OUT/bin/summary"
cpu=$(secs "$OUT/summary.cpu.hv" clock_nanosleep); wall=$(secs "$OUT/summary.wall.hv" clock_nanosleep)
if [ -n "$cpu" ] && [ -n "$wall" ] && awk -v c="$cpu" -v w="$wall" 'BEGIN { exit !(w >= 0.3 && c < 0.3) }' &&
   grep -Eq '^ *[0-9.]+ +[0-9.]+ +[0-9]+ +100 +getppid$' "$OUT/summary.cpu.hv"; then
    ok "summary-cpu-time (clock_nanosleep: -c ${cpu}s, -w ${wall}s)"
else
    ko "summary-cpu-time (clock_nanosleep: -c ${cpu:-?}s, -w ${wall:-?}s)"; cat "$OUT/summary.cpu.hv"
fi
# -C: the trace and the table.
run_hv -f -C -o "$OUT/both.hv" "$OUT/bin/longstr"
if grep -q '^[0-9]* *write(1, "short\\n", 6) *= 6$' "$OUT/both.hv" && grep -q ' total$' "$OUT/both.hv"; then
    ok "summary-with-trace -C"
else
    ko "summary-with-trace -C"
fi

# 7. -ff -o PREFIX: one file per process, each like the native one.
rm -rf "$OUT/ffn" "$OUT/ffh" && mkdir -p "$OUT/ffn" "$OUT/ffh"
run_native -ff -o "$OUT/ffn/t" "$OUT/bin/forkwait"
run_hv -ff -o "$OUT/ffh/t" "$OUT/bin/forkwait"
nn=$(ls "$OUT/ffn" | wc -l); nh=$(ls "$OUT/ffh" | wc -l)
if [ "$nn" = "$nh" ] && [ "$nh" = 3 ] && ! grep -q '^\[pid' "$OUT"/ffh/t.*; then
    ok "ff-files ($nh)"
else
    ko "ff-files: native $nn files, hvtrace $nh"
fi
# The files, in pid order, concatenated with their pid as the line prefix, are a -f trace.
ffjoin() { for f in $(ls "$1" | sort -t. -k2 -n); do sed "s/^/${f#t.} /" "$1/$f"; done; }
ffjoin "$OUT/ffn" > "$OUT/ff.native"; ffjoin "$OUT/ffh" > "$OUT/ff.hv"
compare "ff-contents" "$OUT/ff.native" "$OUT/ff.hv"

# 8. Without -o: the trace goes to stderr, "[pid N] " prefixes with more than one task.
(cd "$OUT" && "${ENVV[@]}" timeout "$TIMEOUT" "$HV" strace -f -q "$OUT/bin/forkwait" </dev/null >/dev/null 2>"$OUT/stderr.hv")
# (Whether the child's getpid is split by the parent's lines depends on timing: the
# check takes both forms.)
if grep -Eq '^\[pid +[0-9]+\] (getpid\(\)|<\.\.\. getpid resumed>\)) += [0-9]+$' "$OUT/stderr.hv" &&
   grep -Eq '^getppid\(\) += [0-9]+$' "$OUT/stderr.hv"; then
    ok "stderr-pid-prefix"
else
    ko "stderr-pid-prefix"; head -5 "$OUT/stderr.hv"
fi
if head -n 1 "$OUT/stderr.hv" | grep -q '^execve(' && ! grep -q 'attached' "$OUT/stderr.hv"; then
    ok "stderr-quiet-q"
else
    ko "stderr-quiet-q"
fi

# 9. --json: one valid object per line; the failed open carries its errno.
run_hv -f --json -o "$OUT/json.hv" "$OUT/bin/files"
if [ -s "$OUT/json.hv" ] && python3 -c '
import json, sys
n = 0
for line in open(sys.argv[1]):
    o = json.loads(line)
    assert {"type", "pid", "tid", "time"} <= o.keys(), o
    n += 1
assert n > 10
' "$OUT/json.hv" && python3 -m json.tool --json-lines "$OUT/json.hv" >/dev/null &&
   grep '"syscall": "openat"' "$OUT/json.hv" | grep '"/nonexistent/file' | grep -q '"errno": "ENOENT"' &&
   grep -q '"type": "exit", "pid": [0-9]*, "tid": [0-9]*, "exit_code": 0' "$OUT/json.hv"; then
    ok "json"
else
    ko "json"; head -3 "$OUT/json.hv"
fi

# 10. Timestamps and durations: formats only.
run_hv -f -tt -T -o "$OUT/times.hv" "$OUT/bin/longstr"
if grep -Eq '^[0-9]+ +[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6} write\(1, "short\\n", 6\) += 6 <[0-9]+\.[0-9]{6}>$' "$OUT/times.hv"; then
    ok "timestamps -tt -T"
else
    ko "timestamps -tt -T"; grep short "$OUT/times.hv"
fi
run_hv -ttt -r -e trace=write -o "$OUT/times2.hv" "$OUT/bin/longstr"
if grep -Eq '^[0-9]{10}\.[0-9]{6} +[0-9]+\.[0-9]{6} write\(1, "short' "$OUT/times2.hv"; then
    ok "timestamps -ttt -r"
else
    ko "timestamps -ttt -r"; head -2 "$OUT/times2.hv"
fi

# 11. -p VM:PID: attach to a running `hvtrace run` (its VM id is its host pid, as
#     `hvtrace ps` lists it), see its calls, and detach on SIGINT (Ctrl-C) leaving it
#     running. Waits are bounded by counts of polls, not by durations compared.
"$HV" run "$OUT/bin/sleeper" </dev/null >/dev/null 2>&1 &
vm=$!
for _ in $(seq 100); do "$HV" ps 2>/dev/null | grep -q "^$vm .* sleeper" && break; sleep 0.1; done
"$HV" strace -p "$vm:1" -e trace=getpid,clock_nanosleep,restart_syscall -o "$OUT/attach.hv" 2>"$OUT/attach.err" &
st=$!
for _ in $(seq 100); do
    n=$(grep -c '^getpid() *= 1$' "$OUT/attach.hv" 2>/dev/null)
    [ "${n:-0}" -ge 3 ] && break
    sleep 0.1
done
kill -INT "$st"
wait "$st"; arc=$?
if [ "$arc" = 0 ] && [ "$(grep -c '^getpid() *= 1$' "$OUT/attach.hv")" -ge 3 ] &&
   grep -q "strace: Process 1 attached" "$OUT/attach.err" && grep -q "strace: Process 1 detached" "$OUT/attach.err" &&
   kill -0 "$vm" 2>/dev/null && "$HV" ps | grep -q "^$vm .* sleeper"; then
    ok "attach-detach -p"
else
    ko "attach-detach -p (status $arc)"; head -5 "$OUT/attach.hv" "$OUT/attach.err"
fi
# -C on an attached task: its times come from the stops (hvt_event.cpu_time, the
# task's host thread), and a 50 ms sleep costs far less CPU than its 50 ms.
"$HV" strace -C -p "$vm:1" -e trace=getpid,clock_nanosleep -o "$OUT/attach.count.hv" 2>/dev/null &
st=$!
for _ in $(seq 100); do
    n=$(grep -c '^getpid() *= 1$' "$OUT/attach.count.hv" 2>/dev/null)
    [ "${n:-0}" -ge 3 ] && break
    sleep 0.1
done
kill -INT "$st"
wait "$st"; arc=$?
calls=$(awk '$NF == "clock_nanosleep" { print $4 }' "$OUT/attach.count.hv")
cpu=$(awk '$NF == "clock_nanosleep" { print $2 }' "$OUT/attach.count.hv")
if [ "$arc" = 0 ] && grep -Eq '^ *[0-9.]+ +[0-9.]+ +[0-9]+ +[0-9]+ +getpid$' "$OUT/attach.count.hv" &&
   [ -n "$calls" ] && awk -v c="$cpu" -v n="$calls" 'BEGIN { exit !(c < n * 0.05) }'; then
    ok "attach-summary -C -p ($calls sleeps: ${cpu}s)"
else
    ko "attach-summary -C -p (status $arc)"; cat "$OUT/attach.count.hv"
fi
kill -KILL "$vm" 2>/dev/null
wait "$vm" 2>/dev/null

# 12. Ctrl-C on a spawned program: the tracer passes SIGINT to it (strace sends the
#     signal it got to the programs it started), the sleep ends interrupted, the trace
#     is complete and the status is the program's (130). si_pid is the sender: strace's
#     pid natively, 0 (the host) under hvtrace.
(cd "$OUT" && timeout --preserve-status -s INT 1 "$STRACE" -o "$OUT/int.native" "$OUT/bin/longsleep"); nrc=$?
(cd "$OUT" && timeout --preserve-status -s INT 1 "$HV" strace -o "$OUT/int.hv" "$OUT/bin/longsleep"); hrc=$?
sed -i -E 's/si_pid=[0-9]+/si_pid=N/' "$OUT/int.native" "$OUT/int.hv"
if [ "$nrc" = "$hrc" ] && diff <(tail -n 3 "$OUT/int.native") <(tail -n 3 "$OUT/int.hv") >/dev/null; then
    ok "ctrl-c-spawned ($hrc)"
else
    ko "ctrl-c-spawned: status native $nrc, hvtrace $hrc"; tail -n 3 "$OUT/int.native" "$OUT/int.hv"
fi

# 13. Bad usage is refused like strace refuses it.
if "$HV" strace -e trace=nosuchcall true 2>&1 | grep -q "invalid system call 'nosuchcall'"; then
    ok "bad-syscall-name"
else
    ko "bad-syscall-name"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

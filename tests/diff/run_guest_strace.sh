#!/usr/bin/env bash
# A real ptrace client written by others: Debian's own /usr/bin/strace (dynamically
# linked) runs inside hvtrace and traces static test programs. For each program,
# `strace -ff` must write, per traced process, what it writes natively once pids,
# addresses and the harness's paths are normalised; `strace -c` must count the same
# calls and errors per syscall (times are not compared).
#
# usage: tests/diff/run_guest_strace.sh HVTRACE_BINARY BUILD_DIR
# The programs are the differential suite's glibc builds (BUILD_DIR/guest/*.glibc,
# made by run_diff.sh). Both sides run with glibc's rseq registration off and the same
# environment; rseq lines (a program that execs with its own environment registers
# again) are not compared: hvtrace does not offer rseq (ENOSYS).
set -u
HV=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
BUILD=$(cd "$2" && pwd)
EXTRA=()
read -r -a EXTRA <<<"${HVTRACE_DIFF_EXTRA:-}"
TIMEOUT=${HVTRACE_DIFF_TIMEOUT:-60}
OUT=$BUILD/guest-strace
STRACE=/usr/bin/strace
# Programs whose traces do not depend on timing natively (proc_fork_wait's killed
# children, for one, are seen at different points of their start).
PROGRAMS=(proc_exec pipe_dup proc_vfork_dup2 proc_cow proc2_fds)

if [ ! -x "$STRACE" ]; then
    echo "FAIL guest-strace: $STRACE is missing (tools/install-deps.sh installs it)"
    echo "0 passed, 1 failed"
    exit 1
fi

# Renames every pid of a run to P1, P2, ... in order of appearance of its file, and
# hides what differs between any two runs (addresses, the env size).
normalise() {
    local dir=$1
    local pids
    pids=$(ls "$dir" | sed 's/^t\.//' | sort -n)
    local sedargs=() i=1
    for p in $pids; do
        # Only where a pid stands: the result of the calls that return one, si_pid,
        # and the pid arguments of wait4/kill.
        sedargs+=(-e "/^(clone|clone3|fork|vfork|wait4|waitid|getpid|getppid|gettid|set_tid_address)\\(/s/ = $p\$/ = P$i/"
                  -e "s/(si_pid=|wait4\\(|waitid\\(P_PID, |kill\\(|tgkill\\()$p\\b/\\1P$i/g")
        i=$((i+1))
    done
    i=1
    for p in $pids; do
        # SIGCHLD reaches a waiting parent before or after its wait4 returns depending
        # on timing, natively too: those lines are not compared.
        sed -E "${sedargs[@]}" -e 's/0x[0-9a-f]+/0xX/g' -e 's/ {2,}/ /g' \
            -e 's|/\* [0-9]+ vars \*/|/* N vars */|' -e 's/getrandom\("[^"]*"/getrandom("..."/' \
            -e '/^--- SIGCHLD /d' -e '/^rseq\(/d' "$dir/t.$p" > "$dir.P$i"
        i=$((i+1))
    done
}

# The calls/errors/syscall columns of strace -c.
counts() {
    awk '$NF ~ /^[a-z_0-9]+$/ && $NF != "syscall" && $NF != "total" && $NF != "rseq" {
             if (NF == 6) print $NF, $4, $5; else if (NF == 5) print $NF, $4, 0 }' "$1" | sort
}

run_side() {
    local side=$1 prog=$2 dir=$3
    local prefix=()
    [ "$side" = hvtrace ] && prefix=("$HV" run "${EXTRA[@]}" --)
    rm -rf "$dir" && mkdir -p "$dir"
    (cd "$BUILD" && env -i GLIBC_TUNABLES=glibc.pthread.rseq=0 PATH=/usr/bin:/bin \
        timeout "$TIMEOUT" "${prefix[@]}" "$STRACE" -ff -qq -o "$dir/t" "$prog" </dev/null >/dev/null 2>&1)
    (cd "$BUILD" && env -i GLIBC_TUNABLES=glibc.pthread.rseq=0 PATH=/usr/bin:/bin \
        timeout "$TIMEOUT" "${prefix[@]}" "$STRACE" -f -c -o "$dir.count" "$prog" </dev/null >/dev/null 2>&1)
    normalise "$dir"
    counts "$dir.count" > "$dir.counts"
}

pass=0
fail=0
mkdir -p "$OUT"
for name in "${PROGRAMS[@]}"; do
    prog=$(cd "$BUILD/guest" && pwd)/$name.glibc
    if [ ! -x "$prog" ]; then
        echo "FAIL strace-$name: $prog not built"
        fail=$((fail+1))
        continue
    fi
    run_side native "$prog" "$OUT/$name.native"
    run_side hvtrace "$prog" "$OUT/$name.hvtrace"
    ok=1
    n_native=$(ls "$OUT/$name.native" | wc -l)
    n_hv=$(ls "$OUT/$name.hvtrace" | wc -l)
    if [ "$n_native" != "$n_hv" ] || [ "$n_native" = 0 ]; then
        echo "FAIL strace-$name (processes traced: native $n_native, hvtrace $n_hv)"
        ok=0
    fi
    for f in "$OUT/$name.native".P*; do
        [ $ok = 1 ] || break
        g=$OUT/$name.hvtrace.${f##*.}
        if ! cmp -s "$f" "$g"; then
            echo "FAIL strace-$name (${f##*.} differs)"
            diff "$f" "$g" | head -8 | sed 's/^/    /'
            ok=0
        fi
    done
    if [ $ok = 1 ] && ! cmp -s "$OUT/$name.native.counts" "$OUT/$name.hvtrace.counts"; then
        echo "FAIL strace-$name (strace -c counts differ)"
        diff "$OUT/$name.native.counts" "$OUT/$name.hvtrace.counts" | head -8 | sed 's/^/    /'
        ok=0
    fi
    if [ $ok = 1 ]; then
        echo "PASS strace-$name"
        pass=$((pass+1))
    else
        fail=$((fail+1))
    fi
done
echo "$pass passed, $fail failed"
[ $fail = 0 ]

#!/usr/bin/env bash
# Differential shell tests: Debian's busybox-static runs each script natively and
# under hvtrace; stdout and exit status must be identical. Exercises fork, exec of
# applets through /proc/self/exe, pipes, wait, $?, subshells, redirections, traps.
#
# usage: tests/diff/run_shell.sh HVTRACE_BINARY BUILD_DIR
# Environment: HVTRACE_DIFF_EXTRA (hvtrace options before "--"), HVTRACE_DIFF_TIMEOUT.
set -u
HV=$1
BUILD=$2
TIMEOUT=${HVTRACE_DIFF_TIMEOUT:-60}
read -r -a EXTRA <<<"${HVTRACE_DIFF_EXTRA:-}"
. "$(dirname "${BASH_SOURCE[0]}")/compare_runs.sh"
BB=$(command -v busybox || true)
if [ -z "$BB" ] || ! file -L "$BB" 2>/dev/null | grep -q 'statically linked'; then
    echo "FAIL busybox-static is not installed (tools/install-deps.sh installs it)"
    echo "0 passed, 1 failed"
    exit 1
fi
case $HV in */*) HV=$(cd "$(dirname "$HV")" && pwd)/$(basename "$HV") ;; esac
mkdir -p "$BUILD/shell-out" || exit 2
OUT=$(cd "$BUILD/shell-out" && pwd)
pass=0 fail=0

# name|script
cases=(
'pipeline|echo hello | tr a-z A-Z; for i in 1 2 3; do echo $i; done | wc -l; (exit 3); echo $?'
'status|false; echo $?; true; echo $?; sh -c "exit 7"; echo $?; ( exit 130 ); echo $?'
'subshell|x=1; (x=2; echo in $x); echo out $x; echo $( echo nested $(echo deep) )'
'loops|i=0; while [ $i -lt 5 ]; do i=$((i+1)); printf "%s," $i; done; echo; for w in a b c; do echo -n $w; done; echo'
'redirect|echo one > f1; echo two >> f1; cat < f1; wc -l < f1; cat f1 | sort -r; rm f1; cat missing 2>/dev/null || echo missing-ok'
'arith|echo $((6*7)) $((2**10)) $((17 % 5)) $(( (3+4)*2 ))'
'background|sleep 0.1 & p=$!; echo started; wait $p; echo waited $?; (exit 4) & wait $!; echo bg $?'
'pipestatus|echo abc | (read v; echo got $v); seq 1 2000 | tail -n 3; yes | head -n 3'
'killed|sh -c "kill -TERM \$\$"; echo term $?; sh -c "kill -9 \$\$"; echo kill $?'
'trap|trap "echo trapped" USR1; kill -USR1 $$; echo after; trap "echo bye" EXIT; echo end'
'exec|sh -c "exec echo replaced; echo not-reached"; echo $?'
'textutils|printf "b\na\nc\na\n" | sort | uniq -c | sort -rn; echo "x,y,z" | cut -d, -f2; echo hello world | awk "{print \$2, length(\$1)}"'
'find|mkdir -p d/e; touch d/e/f d/g; find d | sort; ls d | sort; rm -r d; echo gone'
)

tmp=$(mktemp -d /tmp/hvtrace-shell.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
for c in "${cases[@]}"; do
    name=${c%%|*}
    script=${c#*|}
    for side in native hvtrace; do
        rm -rf "$tmp/cwd"; mkdir -p "$tmp/cwd"
        side_prefix $side
        (cd "$tmp/cwd" && env -i PATH=/usr/bin:/bin timeout "$TIMEOUT" "${prefix[@]}" "$BB" sh -c "$script" \
            </dev/null >"$OUT/$name.$side.out" 2>"$OUT/$name.$side.err")
        echo $? >"$OUT/$name.$side.status"
    done
    compare_case "sh-$name" "$name"
done
echo "$pass passed, $fail failed"
[ $fail = 0 ]

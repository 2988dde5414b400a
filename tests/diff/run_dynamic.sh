#!/usr/bin/env bash
# Differential tests of Debian's own dynamically linked programs: each command runs
# natively and under hvtrace (its dynamic loader loaded beside it, as Linux does);
# stdout and exit status must be identical.
#
# usage: tests/diff/run_dynamic.sh HVTRACE_BINARY BUILD_DIR
# Environment: HVTRACE_DIFF_EXTRA (hvtrace options before "--"), HVTRACE_DIFF_TIMEOUT.
set -u
HV=$1
BUILD=$2
TIMEOUT=${HVTRACE_DIFF_TIMEOUT:-60}
read -r -a EXTRA <<<"${HVTRACE_DIFF_EXTRA:-}"
. "$(dirname "${BASH_SOURCE[0]}")/compare_runs.sh"
case $HV in */*) HV=$(cd "$(dirname "$HV")" && pwd)/$(basename "$HV") ;; esac
mkdir -p "$BUILD/dynamic-out" || exit 2
OUT=$(cd "$BUILD/dynamic-out" && pwd)
pass=0 fail=0

# name|stdin|output filter (a sed script, or empty)|command words (bash syntax)
# /proc's link count is the number of host processes: it may differ between two runs.
cases=(
'true|||/bin/true'
'false|||/bin/false'
'ls-root||/ proc$/d|/bin/ls -la /'
'env|||/usr/bin/env -i A=1 B=two /usr/bin/env'
'sh-arith|||/bin/sh -c "echo \$((6*7))"'
'sh-pipeline|||/bin/sh -c "printf \"b\\na\\n\" | sort; echo done"'
'sort|c\nb\na\nb||/usr/bin/sort -u'
'python|||/usr/bin/python3 -c "print(sum(range(10)))"'
'cat-missing|||/bin/cat /nonexistent-hvtrace-file'
)

tmp=$(mktemp -d /tmp/hvtrace-dyn.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
for c in "${cases[@]}"; do
    IFS='|' read -r name input filter cmd <<<"$c"
    eval "words=($cmd)"
    if [ ! -x "${words[0]}" ]; then
        echo "FAIL dyn-$name: ${words[0]} is missing on this machine"
        fail=$((fail+1))
        continue
    fi
    printf "%b" "${input:+$input\n}" >"$tmp/in"
    for side in native hvtrace; do
        side_prefix $side
        (cd "$tmp" && env -i PATH=/usr/bin:/bin LANG=C timeout "$TIMEOUT" "${prefix[@]}" "${words[@]}" \
            <"$tmp/in" >"$OUT/$name.$side.raw" 2>"$OUT/$name.$side.err")
        echo $? >"$OUT/$name.$side.status"
        sed -e "${filter:-}" "$OUT/$name.$side.raw" >"$OUT/$name.$side.out"
    done
    compare_case "dyn-$name" "$name"
done
echo "$pass passed, $fail failed"
[ $fail = 0 ]

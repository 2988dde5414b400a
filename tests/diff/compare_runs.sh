# Shared by the differential scripts (sourced): compares one case's native and hvtrace
# runs kept in $OUT/NAME.{native,hvtrace}.{out,err,status} and counts it in $pass or
# $fail. usage: compare_case LABEL NAME
compare_case() {
    local label=$1 name=$2
    if cmp -s "$OUT/$name.native.out" "$OUT/$name.hvtrace.out" &&
       cmp -s "$OUT/$name.native.status" "$OUT/$name.hvtrace.status"; then
        echo "PASS $label"
        pass=$((pass+1))
    else
        echo "FAIL $label (status native=$(cat "$OUT/$name.native.status") hvtrace=$(cat "$OUT/$name.hvtrace.status"))"
        diff "$OUT/$name.native.out" "$OUT/$name.hvtrace.out" | head -10 | sed 's/^/    /'
        tail -3 "$OUT/$name.hvtrace.err" | sed 's/^/    stderr: /'
        # A sanitizer's verdict and where it points, which the tail above would cut.
        grep -E "ERROR: AddressSanitizer|runtime error|SUMMARY:|^    #[0-9] " "$OUT/$name.hvtrace.err" |
            head -12 | sed 's/^/    sanitizer: /'
        fail=$((fail+1))
    fi
}

# The command prefix of one side: nothing natively, hvtrace run with its options.
side_prefix() {
    if [ "$1" = native ]; then
        prefix=()
    else
        prefix=("$HV" run "${EXTRA[@]}" --)
    fi
}

#!/usr/bin/env bash
# Differential tests: run every tests/guest/*.c program natively and under
# hvtrace, and require identical stdout and exit status.
#
# usage: tests/diff/run_diff.sh HVTRACE_BINARY BUILD_DIR [NAME-FILTER]
#
#   HVTRACE_BINARY  the VMM; each program runs as
#                   HVTRACE_BINARY run [$HVTRACE_DIFF_EXTRA] -- BINARY ARGS...
#   BUILD_DIR       binaries go to BUILD_DIR/guest/NAME.{glibc,musl};
#                   run outputs to BUILD_DIR/diff-out/ (kept for inspection)
#   NAME-FILTER     optional substring; only tests whose "NAME.VARIANT"
#                   (e.g. "hello.glibc") contains it are built and run
#
# Environment:
#   HVTRACE_DIFF_EXTRA    extra hvtrace options placed before "--" (words)
#   HVTRACE_DIFF_TIMEOUT  seconds per run (default 60)
#   HVTRACE_DIFF_SKIP     program names (space-separated) not run here, reported as
#                         skipped (a lane whose native kernel lacks what they test)
#
# Per-program specification, in the program's leading comment lines:
#   // diff-args: ARG ...     arguments; "..." or '...' group words (no
#                             escapes); the token @TMP@ becomes a fresh empty
#                             temporary directory (same path for both runs,
#                             re-created empty before each run)
#   // diff-stdin: TEXT       stdin is TEXT plus a newline, with backslash
#                             escapes (\n, \t, \\, \0NNN) expanded as by
#                             printf %b; or, when TEXT
#                             starts with "@": @bytes:N = N deterministic
#                             pseudo-random bytes. Default: /dev/null.
#   // diff-musl: no          do not build/run a musl-gcc variant
#
# Both runs get: the same binary path string (argv[0]), the environment
# `env -i HV_A=alpha HV_B=beta PATH=/usr/bin:/bin`, the working directory
# BUILD_DIR/guest-cwd, the same stdin file, `ulimit -c 0`, and `timeout`.
# A native death by signal N shows up as status 128+N; hvtrace must exit
# with 128+N too. Prints PASS/FAIL per binary and a final
# "N passed, M failed" line; exits 1 when M > 0.

set -u

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
    echo "usage: $0 HVTRACE_BINARY BUILD_DIR [NAME-FILTER]" >&2
    exit 2
fi

HV=$1
BUILD=$2
FILTER=${3:-}
TIMEOUT=${HVTRACE_DIFF_TIMEOUT:-60}

read -r -a EXTRA <<<"${HVTRACE_DIFF_EXTRA:-}"

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
GUEST_SRC=$(cd "$HERE/../guest" && pwd)

# Absolute paths: the runs happen in another working directory.
case $HV in
    */*) HV=$(cd "$(dirname "$HV")" 2>/dev/null && pwd)/$(basename "$HV") ;;
    *)   HV=$(command -v "$HV" || echo "$HV") ;;
esac
[ -x "$HV" ] || echo "warning: hvtrace binary '$HV' is not executable; every run under it will fail" >&2

mkdir -p "$BUILD" || exit 2
BUILD=$(cd "$BUILD" && pwd)
BIN_DIR=$BUILD/guest
OUT_DIR=$BUILD/diff-out
IN_DIR=$BUILD/diff-inputs
RUN_CWD=$BUILD/guest-cwd
mkdir -p "$BIN_DIR" "$OUT_DIR" "$IN_DIR" "$RUN_CWD" || exit 2

TMPROOT=$(mktemp -d /tmp/hvtrace-diff.XXXXXX) || exit 2
trap 'rm -rf "$TMPROOT"' EXIT

ulimit -c 0

# HVTRACE_DIFF_MODE: full (build and run), build (build binaries and inputs only, for
# the SVM lane), prebuilt (run what was built; no compiler needed).
MODE=${HVTRACE_DIFF_MODE:-full}
HAVE_MUSL=0
command -v musl-gcc >/dev/null 2>&1 && HAVE_MUSL=1
[ "$MODE" = prebuilt ] && ls "$BIN_DIR"/*.musl >/dev/null 2>&1 && HAVE_MUSL=1

passed=0
failed=0
skipped=0

# spec_value FILE KEY -> value of the first "// diff-KEY:" line (trimmed)
spec_value() {
    local line
    line=$(grep -m1 -E "^//[[:space:]]*diff-$2:" "$1") || return 1
    line=${line#*diff-"$2":}
    line="${line#"${line%%[![:space:]]*}"}"
    line="${line%"${line##*[![:space:]]}"}"
    printf '%s' "$line"
}

# split_words STRING -> WORDS array; whitespace-separated, with '...' and
# "..." quoting (no escapes, no expansion).
split_words() {
    local s=$1 c q="" w="" have=0 i
    WORDS=()
    for ((i = 0; i < ${#s}; i++)); do
        c=${s:i:1}
        if [ -n "$q" ]; then
            if [ "$c" = "$q" ]; then q=""; else w+=$c; fi
        elif [ "$c" = '"' ] || [ "$c" = "'" ]; then
            q=$c; have=1
        elif [ "$c" = " " ] || [ "$c" = $'\t' ]; then
            if [ $have = 1 ]; then WORDS+=("$w"); w=""; have=0; fi
        else
            w+=$c; have=1
        fi
    done
    if [ $have = 1 ]; then WORDS+=("$w"); fi
}

# stdin_file SRC ID -> path of the stdin file for this test (echo), or fail
stdin_file() {
    local spec f n
    if ! spec=$(spec_value "$1" stdin); then
        echo /dev/null
        return 0
    fi
    case $spec in
        @bytes:*)
            n=${spec#@bytes:}
            [[ $n =~ ^[0-9]+$ ]] || { echo "bad diff-stdin spec '$spec'" >&2; return 1; }
            f=$IN_DIR/bytes-$n.bin
            if [ ! -f "$f" ]; then
                local gen=$IN_DIR/genbytes
                if [ ! -x "$gen" ] || [ "$HERE/genbytes.c" -nt "$gen" ]; then
                    gcc -O1 -o "$gen" "$HERE/genbytes.c" || return 1
                fi
                "$gen" "$n" >"$f.tmp" && mv "$f.tmp" "$f" || return 1
            fi
            ;;
        @*)
            echo "unknown diff-stdin generator '$spec'" >&2
            return 1
            ;;
        *)
            f=$IN_DIR/$2.stdin
            printf '%b\n' "$spec" >"$f" || return 1
            ;;
    esac
    echo "$f"
}

# build SRC VARIANT BIN -> 0 on success; compiler output in BIN.log
build() {
    local src=$1 variant=$2 bin=$3 cc
    # Up to date: newer than its source and than the headers beside it.
    local stale=0 h
    for h in "$src" "$(dirname "$src")"/*.h; do
        [ -e "$h" ] && [ "$h" -nt "$bin" ] && stale=1
    done
    if [ -x "$bin" ] && { [ "$MODE" = prebuilt ] || [ $stale = 0 ]; }; then
        return 0
    fi
    local link=-static
    case $variant in
        glibc) cc=gcc ;;
        pie)   cc=gcc; link=-static-pie ;;
        musl)  cc=musl-gcc ;;
    esac
    rm -f "$bin"
    if "$cc" $link -O1 -o "$bin.tmp" "$src" -lm >"$bin.log" 2>&1; then
        mv "$bin.tmp" "$bin"
    else
        rm -f "$bin.tmp"
        return 1
    fi
}

# run_one TMPDIR STDIN OUTPREFIX CMD... -> sets RUN_STATUS; stdout/stderr in
# OUTPREFIX.out / OUTPREFIX.err
run_one() {
    local tdir=$1 in=$2 prefix=$3
    shift 3
    rm -rf "$tdir"
    mkdir -p "$tdir"
    # The outer group swallows bash's "Segmentation fault" job report.
    { (
        cd "$RUN_CWD" &&
            exec env -i HV_A=alpha HV_B=beta PATH=/usr/bin:/bin \
                timeout "$TIMEOUT" "$@" <"$in" >"$prefix.out" 2>"$prefix.err"
    ); } 2>/dev/null
    RUN_STATUS=$?
    echo "$RUN_STATUS" >"$prefix.status"
}

indent() { sed 's/^/    /'; }

fail() {
    echo "FAIL $1"
    failed=$((failed + 1))
}

for src in "$GUEST_SRC"/*.c; do
    [ -e "$src" ] || continue
    name=$(basename "$src" .c)
    # glibc static and static-PIE (ET_EXEC and ET_DYN images), musl static.
    variants=(glibc pie)
    if [ $HAVE_MUSL = 1 ] && [ "$(spec_value "$src" musl || true)" != no ]; then
        variants+=(musl)
    fi
    for variant in "${variants[@]}"; do
        id=$name.$variant
        case $id in *"$FILTER"*) ;; *) continue ;; esac
        bin=$BIN_DIR/$id
        case " ${HVTRACE_DIFF_SKIP:-} " in *" $name "*)
            echo "SKIP $id (HVTRACE_DIFF_SKIP)"
            skipped=$((skipped + 1))
            continue ;;
        esac

        if ! build "$src" "$variant" "$bin"; then
            fail "$id"
            echo "  build failed:"
            head -n 20 "$bin.log" | indent
            continue
        fi
        if ! in=$(stdin_file "$src" "$id"); then
            fail "$id"
            echo "  could not prepare stdin"
            continue
        fi
        if [ "$MODE" = build ]; then
            passed=$((passed + 1))
            continue
        fi

        args=()
        if spec=$(spec_value "$src" args); then
            split_words "$spec"
            args=("${WORDS[@]}")
        fi
        tdir=$TMPROOT/$id
        for i in "${!args[@]}"; do
            args[i]=${args[i]//@TMP@/$tdir}
        done

        t_start=$SECONDS
        run_one "$tdir" "$in" "$OUT_DIR/$id.native" "$bin" "${args[@]}"
        st_native=$RUN_STATUS
        run_one "$tdir" "$in" "$OUT_DIR/$id.hvtrace" "$HV" run "${EXTRA[@]}" -- "$bin" "${args[@]}"
        st_hv=$RUN_STATUS
        rm -rf "$tdir"

        same_out=1
        cmp -s "$OUT_DIR/$id.native.out" "$OUT_DIR/$id.hvtrace.out" || same_out=0
        if [ $same_out = 1 ] && [ "$st_native" = "$st_hv" ]; then
            echo "PASS $id ($((SECONDS - t_start)) s)"
            passed=$((passed + 1))
            continue
        fi
        fail "$id"
        echo "  status: native=$st_native hvtrace=$st_hv"
        [ "$st_hv" = 124 ] && echo "  (hvtrace run timed out after ${TIMEOUT}s)"
        if [ $same_out = 0 ]; then
            echo "  stdout differs (native=$(wc -c <"$OUT_DIR/$id.native.out") bytes, hvtrace=$(wc -c <"$OUT_DIR/$id.hvtrace.out") bytes):"
            diff -a -U1 --label native --label hvtrace \
                "$OUT_DIR/$id.native.out" "$OUT_DIR/$id.hvtrace.out" | head -n 20 | cut -c1-200 | indent
        fi
        if [ -s "$OUT_DIR/$id.hvtrace.err" ]; then
            echo "  hvtrace stderr (last lines):"
            tail -n 8 "$OUT_DIR/$id.hvtrace.err" | cut -c1-200 | indent
            # A sanitizer's verdict and its stack, which the tail above cuts off.
            grep -E "ERROR: AddressSanitizer|runtime error|SUMMARY:|^ +#[0-9]+ " "$OUT_DIR/$id.hvtrace.err" |
                head -n 16 | cut -c1-200 | sed 's/^/  sanitizer: /'
        fi
    done
done

if [ "$skipped" -gt 0 ]; then
    echo "$passed passed, $failed failed, $skipped skipped"
else
    echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]

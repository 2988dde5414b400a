#!/bin/bash
# make fuzz: every fuzzer for a bounded time, each a group line; ends with "N passed,
# N failed". A finding fails its fuzzer and leaves its input under BUILD/fuzz/.
# - libFuzzer targets (clang -fsanitize=fuzzer,address,undefined), from tests/fuzz/corpus/:
#   the ELF parser, the seccomp BPF checker and interpreter, and any other
#   tests/fuzz/fuzz_*.c (each names the sources it needs on a "// sources:" line);
# - the hostile guest (tests/fuzz/guest_fuzz.c) under hvtrace, seed after seed.
# usage: run_fuzz.sh HVTRACE BUILD_DIR SECONDS_PER_FUZZER
# FUZZ_ONLY=guest runs the hostile guest alone (CI runs it so under the ASan build).
set -u
hv=$1 build=$2 secs=${3:-30}
out=$build/fuzz
mkdir -p "$out"
pass=0 fail=0

libfuzzer=true
[ "${FUZZ_ONLY:-}" = guest ] && libfuzzer=false
if $libfuzzer && ! command -v clang >/dev/null 2>&1; then
	echo "FAIL libfuzzer: clang is missing (tools/install-deps.sh installs it)"
	fail=$((fail + 1))
fi
# "// sources: @libhvtrace" (fuzz_ptrace): the library that runs guests (vmm, kernel,
# ptrace, arch, the C API), compiled once with the fuzzer's coverage (in parallel, into
# BUILD/fuzz/lib/), with the agent and vDSO objects `make` built. Such a target's guest
# program, tests/fuzz/TARGET_fuzz_guest.c, is built static next to the fuzzer.
lib_objs=
fuzz_lib() {
	[ -n "$lib_objs" ] && return 0
	local dir=$out/lib srcs
	mkdir -p "$dir"
	srcs=$(ls vmm/*.c kernel/*.c ptrace/*.c arch/x86_64/*.c tools/api/*.c)
	if ! echo "$srcs" | xargs -P "$(nproc)" -I{} sh -c 'o="$1/$(echo "$2" | tr / _ | sed "s/\.c\$/.o/")"
		exec clang -g -O1 -std=gnu11 -D_GNU_SOURCE -I. -Iinclude -I"$3/gen" \
			-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -c -o "$o" "$2"' \
			sh "$dir" {} "$build" > "$dir/build.log" 2>&1; then
		return 1
	fi
	lib_objs="$(echo "$srcs" | tr / _ | sed "s|^|$dir/|; s|\.c\$|.o|" | tr '\n' ' ')"
	lib_objs="$lib_objs $build/guest-agent/agent.o $build/guest-agent/vdso_blob.o -lpthread"
}

for src in tests/fuzz/fuzz_*.c; do
	$libfuzzer && command -v clang >/dev/null 2>&1 || break
	name=$(basename "$src" .c)
	target=${name#fuzz_}
	deps=$(sed -n 's|^// sources: *||p' "$src")
	case $target in
	elf) deps=${deps:-vmm/elf_load.c} ;;
	seccomp_bpf) deps=${deps:-kernel/seccomp_bpf.c} ;;
	esac
	case " $deps " in
	*" @libhvtrace "*)
		if ! fuzz_lib; then
			echo "FAIL $name: the library does not build for fuzzing"
			sed 's/^/    /' "$out/lib/build.log" | head -20
			fail=$((fail + 1))
			continue
		fi
		g=tests/fuzz/${target}_fuzz_guest.c
		if [ -f "$g" ]; then
			if ! gcc -static -O1 -o "$out/${target}_fuzz_guest" "$g" 2> "$out/$name.guest.log"; then
				echo "FAIL $name: its guest does not build"; sed 's/^/    /' "$out/$name.guest.log" | head -20
				fail=$((fail + 1))
				continue
			fi
		fi
		deps=${deps/@libhvtrace/$lib_objs} ;;
	esac
	if ! clang -g -O1 -std=gnu11 -D_GNU_SOURCE -I. -Iinclude -I"$build/gen" \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-o "$out/$name" "$src" $deps -lelf 2> "$out/$name.build.log"; then
		echo "FAIL $name: does not build"; sed 's/^/    /' "$out/$name.build.log" | head -20
		fail=$((fail + 1))
		continue
	fi
	corpus=$out/$name.corpus
	mkdir -p "$corpus"
	[ -d "tests/fuzz/corpus/$target" ] && cp -n tests/fuzz/corpus/"$target"/* "$corpus"/ 2>/dev/null
	"$out/$name" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$out/$name-" "$corpus" > "$out/$name.log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$name.log")
	if [ $rc = 0 ]; then
		echo "PASS $name: ${runs:-?} executions, 0 findings"
		pass=$((pass + 1))
	else
		echo "FAIL $name: ${runs:-?} executions, a finding (status $rc):"
		grep -E "ERROR|SUMMARY|artifact" "$out/$name.log" | head -5 | sed 's/^/    /'
		fail=$((fail + 1))
	fi
done

# The hostile guest: seeds from FUZZ_SEED (default: a new one each run, printed, so that
# a finding can be replayed with FUZZ_SEED=N), until the time is up.
gcc -static -O1 -o "$out/guest_fuzz" tests/fuzz/guest_fuzz.c -lpthread
seed=${FUZZ_SEED:-$(( $(date +%s) % 100000 ))}
end=$(( $(date +%s) + secs ))
n=0 bad=0
while [ "$(date +%s)" -lt "$end" ] || [ $n = 0 ]; do
	# The VMM's peak RSS rides along (python's getrusage of the child): it must stay
	# bounded whatever the guest does.
	res=$(python3 - "$hv" "$out/guest_fuzz" "$seed" 2> "$out/guest.err" <<'PY'
import resource, subprocess, sys
hv, guest, seed = sys.argv[1:4]
p = subprocess.run([hv, "run", "--timeout", "120", "--max-tasks", "64", "--", guest,
                    "--seed", seed, "--iters", "20000"], capture_output=True, text=True)
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
sys.stderr.write(p.stderr)
print(p.returncode, rss, p.stdout.strip().splitlines()[-1] if p.stdout.strip() else "")
PY
)
	rc=${res%% *}
	rss=$(echo "$res" | cut -d' ' -f2)
	if [ "$rc" != 0 ] || [ "${rss:-0}" -gt 1024 ] || grep -qE "AddressSanitizer|runtime error|LeakSanitizer" "$out/guest.err"; then
		echo "FAIL guest_fuzz seed $seed: status $rc, peak RSS ${rss} MiB: $res"
		sed 's/^/    /' "$out/guest.err" | head -10
		bad=$((bad + 1))
	fi
	n=$((n + 1))
	seed=$((seed + 1))
done
if [ $bad = 0 ]; then
	echo "PASS guest_fuzz: $n seeds x 16 workers x ~1250 calls, 0 findings"
	pass=$((pass + 1))
else
	echo "FAIL guest_fuzz: $bad of $n seeds"
	fail=$((fail + 1))
fi
echo "$pass passed, $fail failed"
[ $fail = 0 ]

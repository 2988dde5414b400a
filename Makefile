# hvtrace build. Objects go under build/ (build/asan/ for `make asan ...`).
#   make            build/hvtrace and build/libhvtrace.a
#   make test       every test (unit, vCPU-level, differential)
#   make asan test  the same with AddressSanitizer + UBSan
#   make bench      benchmarks with ratios against native and platform floors
#   make example    run the built-in example under hvtrace

CC ?= gcc
ifeq ($(filter asan,$(MAKECMDGOALS)),asan)
BUILD := build/asan
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else
BUILD := build
SAN :=
endif

CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-missing-field-initializers -Wno-format-truncation \
	-D_GNU_SOURCE -I. -Iinclude -I$(BUILD)/gen $(SAN) -MMD -MP
LDFLAGS := $(SAN)
LDLIBS := -lelf -lpthread

LIB_SRCS := $(wildcard vmm/*.c kernel/*.c ptrace/*.c arch/x86_64/*.c tools/api/*.c tools/strace/*.c tools/gdb/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o) $(BUILD)/guest-agent/agent.o $(BUILD)/guest-agent/vdso_blob.o
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
VCPU_SRCS := $(wildcard tests/vcpu/test_*.c)
VCPU_BINS := $(VCPU_SRCS:tests/vcpu/%.c=$(BUILD)/tests/%)
VCPU_GUESTS := $(patsubst tests/vcpu/guests/%.S,$(BUILD)/tests/guests/%,$(wildcard tests/vcpu/guests/*.S)) \
	$(patsubst tests/vcpu/guests/%.c,$(BUILD)/tests/guests/%,$(wildcard tests/vcpu/guests/*.c))

.PHONY: all asan test test-unit test-vcpu test-cli test-diff test-strace test-gdb test-examples test-svm fuzz bench example examples clean deps
all: $(BUILD)/hvtrace $(BUILD)/libhvtrace.a $(BUILD)/hvtrace.pc
asan: all

deps: $(BUILD)/.deps-ok
$(BUILD)/.deps-ok: tools/install-deps.sh
	@sh tools/install-deps.sh
	@mkdir -p $(@D) && touch $@

$(BUILD)/gen/syscall_names.h: | $(BUILD)/.deps-ok
	@mkdir -p $(@D)
	@echo '#include <asm/unistd_64.h>' | $(CC) -E -dM - | \
	  awk '$$1 == "#define" && $$2 ~ /^__NR_/ { n = substr($$2, 6); printf "[%s] = \"%s\",\n", $$3, n }' | \
	  sort -t'[' -k2 -n > $@.tmp && mv $@.tmp $@

$(BUILD)/%.o: %.c $(BUILD)/gen/syscall_names.h | $(BUILD)/.deps-ok
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/guest-agent/agent.o: guest-agent/agent.S | $(BUILD)/.deps-ok
	@mkdir -p $(@D)
	$(CC) -c -o $@ $<

# The guest's vDSO: a flat PIC image without libc, never sanitized (it runs in the guest).
VDSO_CFLAGS := -std=gnu11 -O2 -fPIC -fno-stack-protector -fno-builtin -fno-sanitize=all \
	-nostdlib -shared -I. -Wall -Wextra -Werror -Wl,-T,guest-agent/vdso.lds \
	-Wl,--hash-style=both -Wl,-soname=linux-vdso.so.1 -Wl,--build-id=none \
	-Wl,-z,max-page-size=4096 -Wl,-z,noexecstack
$(BUILD)/guest-agent/vdso.so: guest-agent/vdso.c guest-agent/vdso.lds guest-agent/vvar.h | $(BUILD)/.deps-ok
	@mkdir -p $(@D)
	$(CC) $(VDSO_CFLAGS) -o $@ guest-agent/vdso.c
	@test $$(stat -c %s $@) -le 4096 || { echo "vdso.so is larger than one page" >&2; rm -f $@; exit 1; }

$(BUILD)/guest-agent/vdso_blob.o: guest-agent/vdso_blob.S $(BUILD)/guest-agent/vdso.so
	$(CC) -c -DVDSO_SO='"$(BUILD)/guest-agent/vdso.so"' -o $@ $<

$(BUILD)/libhvtrace.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/hvtrace: $(BUILD)/tools/hvtrace.o $(BUILD)/tools/run_signals.o $(BUILD)/libhvtrace.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# pkg-config for the C API, pointing into this build (examples/Makefile uses it).
$(BUILD)/hvtrace.pc: Makefile
	@mkdir -p $(@D)
	@printf '%s\n' 'includedir=$(CURDIR)/include' 'libdir=$(abspath $(BUILD))' '' \
	  'Name: hvtrace' 'Description: trace Linux x86-64 programs in hvtrace guests from the host' \
	  'Version: 0.1.0' 'Cflags: -I$${includedir}' 'Libs: $${libdir}/libhvtrace.a $(SAN) $(LDLIBS)' > $@

# Tests ---------------------------------------------------------------------------------
$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libhvtrace.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $< $(BUILD)/libhvtrace.a $(LDFLAGS) $(LDLIBS) -lcmocka

$(BUILD)/tests/%: tests/vcpu/%.c $(BUILD)/libhvtrace.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $< $(BUILD)/libhvtrace.a $(LDFLAGS) $(LDLIBS) -lcmocka

$(BUILD)/tests/guests/%: tests/vcpu/guests/%.S
	@mkdir -p $(@D)
	$(CC) -nostdlib -static -Wl,--build-id=none -o $@ $<

$(BUILD)/tests/guests/%: tests/vcpu/guests/%.c
	@mkdir -p $(@D)
	$(CC) -static -O1 -o $@ $<

# Every group runs even when an earlier one fails; the summary line adds them up.
test: $(BUILD)/hvtrace
	@rm -f $(BUILD)/result-*.txt; rc=0; \
	for g in test-unit test-vcpu test-cli test-diff test-strace test-gdb test-examples; do \
	  $(MAKE) --no-print-directory BUILD=$(BUILD) SAN="$(SAN)" $$g || rc=1; \
	done; sh tests/summary.sh $(BUILD) || rc=1; exit $$rc

# The ELF tests also parse the real static guests of the vCPU group.
test-unit: $(UNIT_BINS) $(VCPU_GUESTS)
	@HVTRACE_GUESTS=$(BUILD)/tests/guests sh tests/run_cmocka.sh $(BUILD) unit $(UNIT_BINS)

# The KVM-backed groups run once per syscall transport (kernel/transport.h).
TRANSPORTS := auto exit shared

test-vcpu: $(VCPU_BINS) $(VCPU_GUESTS) $(BUILD)/hvtrace
	@rc=0; for tr in $(TRANSPORTS); do \
	  HVTRACE_TEST_TRANSPORT=$$tr HVTRACE_GUESTS=$(BUILD)/tests/guests HVTRACE_BIN=$(BUILD)/hvtrace \
	    sh tests/run_cmocka.sh $(BUILD) vcpu-$$tr $(VCPU_BINS) || rc=1; \
	done; exit $$rc

test-cli: $(BUILD)/hvtrace
	@sh tests/run_group.sh $(BUILD) cli sh tests/cli/run_cli.sh $(BUILD)/hvtrace $(BUILD)

# The stock gdb against `hvtrace gdb` (tests/gdb/).
test-gdb: $(BUILD)/hvtrace
	@sh tests/run_group.sh $(BUILD) gdb bash tests/gdb/run_gdb.sh $(BUILD)/hvtrace $(BUILD)

test-diff: $(BUILD)/hvtrace
	@rc=0; for tr in $(TRANSPORTS); do \
	  HVTRACE_DIFF_EXTRA="--syscall-transport $$tr" \
	    sh tests/run_group.sh $(BUILD) diff-$$tr bash tests/diff/run_diff.sh $(BUILD)/hvtrace $(BUILD) || rc=1; \
	  HVTRACE_DIFF_EXTRA="--syscall-transport $$tr" \
	    sh tests/run_group.sh $(BUILD) shell-$$tr bash tests/diff/run_shell.sh $(BUILD)/hvtrace $(BUILD) || rc=1; \
	  HVTRACE_DIFF_EXTRA="--syscall-transport $$tr" \
	    sh tests/run_group.sh $(BUILD) dynamic-$$tr bash tests/diff/run_dynamic.sh $(BUILD)/hvtrace $(BUILD) || rc=1; \
	  HVTRACE_DIFF_EXTRA="--syscall-transport $$tr" \
	    sh tests/run_group.sh $(BUILD) guest-strace-$$tr bash tests/diff/run_guest_strace.sh $(BUILD)/hvtrace $(BUILD) || rc=1; \
	done; exit $$rc

# hvtrace strace against the native strace (tests/strace/).
test-strace: $(BUILD)/hvtrace
	@sh tests/run_group.sh $(BUILD) strace bash tests/strace/run_strace_diff.sh $(BUILD)/hvtrace $(BUILD)

# The C API examples (examples/), built through pkg-config, run against their target.
examples: $(BUILD)/libhvtrace.a $(BUILD)/hvtrace.pc
	@$(MAKE) --no-print-directory -C examples PKG_CONFIG_PATH=$(abspath $(BUILD)) OUT=$(abspath $(BUILD)/examples)

test-examples: examples
	@sh tests/run_group.sh $(BUILD) examples sh tests/examples/run_examples.sh $(BUILD)/examples

# The SVM lane: the same suite against a real kvm_amd under QEMU (tests/svm/).
test-svm: $(BUILD)/hvtrace $(UNIT_BINS) $(VCPU_BINS) $(VCPU_GUESTS) examples
	@HVTRACE_DIFF_MODE=build bash tests/diff/run_diff.sh $(BUILD)/hvtrace $(BUILD) > $(BUILD)/diff-build.log 2>&1 || \
	  { cat $(BUILD)/diff-build.log; exit 1; }
	@bash tests/svm/run-svm.sh $(BUILD)

# Fuzzing: every fuzzer for FUZZ_SECONDS (short in CI, longer on request).
FUZZ_SECONDS ?= 30
fuzz: $(BUILD)/hvtrace
	@FUZZ_ONLY=$(FUZZ_ONLY) sh tests/run_group.sh $(BUILD) fuzz bash tests/fuzz/run_fuzz.sh $(BUILD)/hvtrace $(BUILD) $(FUZZ_SECONDS)

# Benchmarks and the example -----------------------------------------------------------
bench: $(BUILD)/hvtrace
	@$(MAKE) --no-print-directory -C bench BUILD=$(abspath $(BUILD)) HVTRACE=$(abspath $(BUILD)/hvtrace)

example: $(BUILD)/hvtrace
	@mkdir -p $(BUILD)/examples
	$(CC) -static -O1 -o $(BUILD)/examples/hello tests/guest/hello.c
	$(BUILD)/hvtrace run -- $(BUILD)/examples/hello

clean:
	rm -rf build

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

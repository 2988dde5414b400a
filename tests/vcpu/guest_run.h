/* Helpers for vCPU-level tests that run the tiny assembly guests of tests/vcpu/guests/
 * through hv_run_program() and look up their symbols with libelf, so that assertions
 * about fault addresses are exact. Include after <cmocka.h>. */
#ifndef HV_TESTS_VCPU_GUEST_RUN_H
#define HV_TESTS_VCPU_GUEST_RUN_H

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernel/run.h"

/* Skips the calling test on a test lane whose CPU emulation cannot show the behaviour
 * (HVTRACE_LANE, set by tests/svm/inside.sh). Every such test is listed, with the
 * reason, in tests/svm/README.md; the skip is reported by cmocka, never silent. */
#define SKIP_ON_LANE(lane, why)                                                        \
	do {                                                                           \
		const char *l_ = getenv("HVTRACE_LANE");                               \
		if (l_ && !strcmp(l_, (lane))) {                                      \
			print_message("skipped on the %s lane: %s\n", (lane), (why));     \
			skip();                                                        \
		}                                                                      \
	} while (0)

/* Guest RAM for these tests: plenty for a few MiB of touched pages. */
#define GUEST_TEST_MEM (256ull << 20)

/* Host path of the built guest `name` (in $HVTRACE_GUESTS, set by `make test-vcpu`). */
static inline const char *guest_path(const char *name)
{
	static char buf[4096];
	const char *dir = getenv("HVTRACE_GUESTS");

	snprintf(buf, sizeof buf, "%s/%s", dir && *dir ? dir : "build/tests/guests", name);
	return buf;
}

/* Runs guest `name` with optional arguments (NULL-terminated list after argv[0]) and
 * returns hv_run_program()'s result; fails the test if the VMM itself failed. */
static inline void run_guest_argv(const char *name, const char *const *args, struct hv_run_result *res)
{
	char *argv[16];
	char *envp[] = {"HVTRACE_TEST=1", NULL};
	struct hv_run_options opt = {.mem_size = GUEST_TEST_MEM, .root = NULL, .umask = 022, .path = NULL};
	int argc = 0;
	char path[4096];

	snprintf(path, sizeof path, "%s", guest_path(name));
	argv[argc++] = path;
	for (int i = 0; args && args[i] && argc < 15; i++)
		argv[argc++] = (char *)args[i];
	argv[argc] = NULL;
	/* `make test-vcpu` runs the whole group once per syscall transport. */
	const char *tr = getenv("HVTRACE_TEST_TRANSPORT");
	if (tr && *tr)
		opt.transport = !strcmp(tr, "exit") ? 1 : !strcmp(tr, "shared") ? 2 : 0;
	int r = hv_run_program(&opt, argc, argv, envp, res);
	if (res->outcome == HV_LOAD_FAILED || res->outcome == HV_VM_FAILED)
		fail_msg("%s: could not run: %s (r=%d)", path, res->message, r);
}

static inline void run_guest(const char *name, struct hv_run_result *res)
{
	run_guest_argv(name, NULL, res);
}

static inline void run_guest_arg(const char *name, const char *arg, struct hv_run_result *res)
{
	const char *args[] = {arg, NULL};

	run_guest_argv(name, args, res);
}

/* Value of symbol `sym` in the symbol table of guest `name`; fails the test if absent. */
static inline uint64_t guest_sym(const char *name, const char *sym)
{
	const char *path = guest_path(name);
	uint64_t value = 0;
	int found = 0;

	if (elf_version(EV_CURRENT) == EV_NONE)
		fail_msg("libelf: %s", elf_errmsg(-1));
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fail_msg("%s: cannot open", path);
	Elf *e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e) {
		close(fd);
		fail_msg("%s: %s", path, elf_errmsg(-1));
	}
	Elf_Scn *scn = NULL;
	while (!found && (scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || !sh.sh_entsize)
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		for (size_t i = 0; d && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym s;
			if (!gelf_getsym(d, (int)i, &s))
				continue;
			const char *n = elf_strptr(e, sh.sh_link, s.st_name);
			if (n && !strcmp(n, sym)) {
				value = s.st_value;
				found = 1;
				break;
			}
		}
	}
	elf_end(e);
	close(fd);
	if (!found)
		fail_msg("%s: no symbol %s", path, sym);
	return value;
}

/* Prints what ended the guest, for failure messages. */
static inline void print_result(const char *what, const struct hv_run_result *res)
{
	print_message("%s: outcome %d exit %d signo %d si_code %#x addr %#llx rip %#llx msg '%s'\n", what,
		      res->outcome, res->exit_code, res->signo, res->si_code,
		      (unsigned long long)res->fault_addr, (unsigned long long)res->fault_rip, res->message);
}

/* The guest must have exited normally with `code`. */
#define assert_guest_exited(res, code)                                         \
	do {                                                                   \
		if ((res)->outcome != HV_EXITED || (res)->exit_code != (code)) \
			print_result("unexpected end", (res));                 \
		assert_int_equal((res)->outcome, HV_EXITED);                   \
		assert_int_equal((res)->exit_code, (code));                    \
		assert_int_equal(hv_run_status(res), (code));                  \
	} while (0)

/* The guest must have been killed by signal `sig` with si_code `code`. */
#define assert_guest_signaled(res, sig, code)                                              \
	do {                                                                               \
		if ((res)->outcome != HV_SIGNALED || (res)->signo != (sig) || (res)->si_code != (code)) \
			print_result("unexpected end", (res));                             \
		assert_int_equal((res)->outcome, HV_SIGNALED);                             \
		assert_int_equal((res)->signo, (sig));                                     \
		assert_int_equal((res)->si_code, (code));                                  \
		assert_int_equal(hv_run_status(res), 128 + (sig));                         \
	} while (0)

#endif

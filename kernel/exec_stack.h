/* The initial process stack exactly as Linux's create_elf_tables() lays it out:
 * argc, argv[], NULL, envp[], NULL, auxv pairs, AT_NULL, then (upwards) padding, the
 * 16 AT_RANDOM bytes, the platform string, the argument and environment strings, the
 * execfn string and a final NULL word below stack_top. Pure: unit-tested on its own. */
#ifndef HV_KERNEL_EXEC_STACK_H
#define HV_KERNEL_EXEC_STACK_H

#include <stdint.h>

struct auxv_entry {
	uint64_t type;
	uint64_t val;
};

#define STACK_MAX_AUXV 40

struct stack_spec {
	uint64_t stack_top;
	int argc;
	char *const *argv;
	int envc;
	char *const *envp;
	const char *execfn;
	const char *platform;
	uint8_t random[16];
	/* Entries in Linux's order. AT_EXECFN, AT_RANDOM and AT_PLATFORM are given with a
	 * value of 0 and filled in with the addresses of their strings. */
	int nauxv;
	struct auxv_entry auxv[STACK_MAX_AUXV];
	uint64_t max_bytes; /* E2BIG past this (Linux: a quarter of RLIMIT_STACK) */
};

struct stack_image {
	uint8_t *bytes;  /* contents of [sp, stack_top), malloc'd */
	uint64_t size;
	uint64_t sp;     /* guest address of argc: the initial RSP, 16-byte aligned */
	uint64_t arg_start, arg_end, env_start, env_end; /* the strings, for /proc/PID/cmdline */
};

/* 0, -E2BIG or -ENOMEM. */
int exec_build_stack(const struct stack_spec *spec, struct stack_image *out);

#endif

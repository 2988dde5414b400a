#include "kernel/exec_stack.h"

#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ARG_STRLEN (32 * 4096) /* Linux: one argument or variable at most 128 KiB */

int exec_build_stack(const struct stack_spec *spec, struct stack_image *out)
{
	uint64_t top = spec->stack_top;
	uint64_t strings = 8; /* the NULL word right below stack_top */

	memset(out, 0, sizeof *out);
	strings += strlen(spec->execfn) + 1;
	for (int i = 0; i < spec->argc; i++) {
		uint64_t l = strlen(spec->argv[i]) + 1;
		if (l > MAX_ARG_STRLEN)
			return -E2BIG;
		strings += l;
	}
	for (int i = 0; i < spec->envc; i++) {
		uint64_t l = strlen(spec->envp[i]) + 1;
		if (l > MAX_ARG_STRLEN)
			return -E2BIG;
		strings += l;
	}
	uint64_t p = top - strings;
	uint64_t argv_strings = p;
	p &= ~15ull; /* arch_align_stack() without randomization */
	uint64_t platform = p - (strlen(spec->platform) + 1);
	p = platform;
	uint64_t random = p - 16;
	p = random;
	uint64_t auxv_words = 2 * ((uint64_t)spec->nauxv + 1);
	uint64_t items = (uint64_t)spec->argc + 1 + (uint64_t)spec->envc + 1 + 1;
	uint64_t sp = ((p - auxv_words * 8) - items * 8) & ~15ull;
	if (top - sp > spec->max_bytes)
		return -E2BIG;

	out->size = top - sp;
	out->sp = sp;
	out->bytes = calloc(1, out->size);
	if (!out->bytes)
		return -ENOMEM;
#define AT(addr) (out->bytes + ((addr) - sp))
	uint64_t s = argv_strings;
	uint64_t *w = (uint64_t *)AT(sp);
	*w++ = (uint64_t)spec->argc;
	for (int i = 0; i < spec->argc; i++) {
		size_t l = strlen(spec->argv[i]) + 1;
		memcpy(AT(s), spec->argv[i], l);
		*w++ = s;
		s += l;
	}
	*w++ = 0;
	out->arg_start = argv_strings;
	out->arg_end = out->env_start = s;
	for (int i = 0; i < spec->envc; i++) {
		size_t l = strlen(spec->envp[i]) + 1;
		memcpy(AT(s), spec->envp[i], l);
		*w++ = s;
		s += l;
	}
	*w++ = 0;
	out->env_end = s;
	uint64_t execfn = s;
	memcpy(AT(s), spec->execfn, strlen(spec->execfn) + 1);
	memcpy(AT(platform), spec->platform, strlen(spec->platform) + 1);
	memcpy(AT(random), spec->random, 16);
	for (int i = 0; i < spec->nauxv; i++) {
		uint64_t v = spec->auxv[i].val;
		switch (spec->auxv[i].type) {
		case AT_EXECFN: v = execfn; break;
		case AT_RANDOM: v = random; break;
		case AT_PLATFORM: v = platform; break;
		}
		*w++ = spec->auxv[i].type;
		*w++ = v;
	}
	*w++ = AT_NULL;
	*w++ = 0;
#undef AT
	return 0;
}

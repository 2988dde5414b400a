/* libFuzzer target: the seccomp filter checker and interpreter (kernel/seccomp_bpf.c).
 * The input is a filter (8 bytes an instruction) followed by a struct seccomp_data; a
 * filter the checker accepts must run to a return without reading out of bounds. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/seccomp_bpf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seccomp_data d;

	if (size < sizeof d)
		return 0;
	memcpy(&d, data + size - sizeof d, sizeof d);
	size -= sizeof d;
	unsigned n = (unsigned)(size / sizeof(struct sock_filter));
	if (n == 0 || n > SECCOMP_BPF_MAX_INSNS)
		return 0;
	/* A copy of exactly n instructions: ASan sees any read past the end. */
	struct sock_filter *prog = malloc(n * sizeof *prog);
	if (!prog)
		abort();
	memcpy(prog, data, n * sizeof *prog);
	if (seccomp_bpf_check(prog, n) == 0)
		(void)seccomp_bpf_run(prog, n, &d);
	free(prog);
	return 0;
}

/* libFuzzer target: hvtrace strace's argument and result decoders (tools/strace/) on
 * any syscall number, any arguments and any guest memory. The input is a header (the
 * number, six arguments, the result, the format flags) and the guest memory image,
 * mapped at BASE; arguments may point anywhere in or around it.
// sources: tools/strace/decode.c tools/strace/decode_kinds.c tools/strace/decode_net.c tools/strace/decode_signals.c tools/strace/decode_structs.c tools/strace/decode_sys.c tools/strace/flags.c tools/strace/ioctl.c tools/strace/ioctl_names.c tools/strace/ioctl_term.c tools/strace/msghdr.c tools/strace/names.c tools/strace/sockaddr.c tools/strace/sockets.c tools/strace/syscalls.c tools/strace/text.c
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tools/strace/strace.h"

#define BASE 0x10000ull

struct image {
	const uint8_t *p;
	size_t n;
};

static ssize_t fake_read(void *ctx, int tid, uint64_t addr, void *buf, size_t len)
{
	const struct image *m = ctx;
	(void)tid;
	if (addr < BASE || addr - BASE >= m->n)
		return -EFAULT;
	size_t off = (size_t)(addr - BASE);
	size_t n = len < m->n - off ? len : m->n - off;
	memcpy(buf, m->p + off, n);
	return (ssize_t)n;
}

struct header {
	uint16_t nr;
	uint8_t flags;
	uint8_t strsize;
	uint32_t arg_is_ptr; /* bit i: argument i is BASE + (its value mod the image) */
	uint64_t args[6];
	int64_t ret;
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct header h;
	if (size < sizeof h)
		return 0;
	memcpy(&h, data, sizeof h);
	struct image m = {data + sizeof h, size - sizeof h};
	struct st_fmt fmt = {.strsize = h.strsize, .xflag = h.flags & 3, .is_verbose = h.flags & 4};
	struct sbuf out;
	sb_init(&out);
	struct st_dec d = {.out = &out, .fmt = &fmt, .read = fake_read, .read_ctx = &m};
	sb_init(&d.aux);
	struct st_call c = {.tid = 1, .nr = h.nr % 512, .prev_nr = -1, .sp = BASE};
	for (int i = 0; i < 6; i++)
		c.args[i] = (h.arg_is_ptr >> i) & 1 ? BASE + (m.n ? h.args[i] % (m.n + 16) : 0) : h.args[i];
	st_decode_args(&d, &c);
	c.is_exit = true;
	c.ret = (long)h.ret;
	st_decode_args(&d, &c);
	st_decode_ret(&d, &c);
	sb_free(&d.aux);
	sb_free(&out);
	return 0;
}

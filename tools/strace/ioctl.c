/* ioctl(fd, request, arg) as strace prints it: the request by name (ioctl_names.c) or,
 * unknown, as _IOC(dir, type, nr, size); the argument decoded for the requests
 * strace decodes, else its value in hex. An argument the call writes is shown at
 * exit (and, as strace, its ", " separator with it), as an address when it failed. */
#include <asm/termbits.h> /* the kernel's termios2; struct winsize and termio are libc's */
#include <string.h>
#include <sys/ioctl.h>

#include "tools/strace/ioctl.h"
#include "tools/strace/sysent.h"

/* asm-generic/ioctl.h's layout of a request number. */
#define IOC_NR(c) ((c) & 0xff)
#define IOC_TYPE(c) (((c) >> 8) & 0xff)
#define IOC_SIZE(c) (((c) >> 16) & 0x3fff)
#define IOC_DIR(c) ((c) >> 30)

/* strace's ioctl_print_code; the direction bits in its order, READ before WRITE. */
static void print_ioc(struct sbuf *b, uint32_t code)
{
	static const char *const dirs[] = {"_IOC_NONE", "_IOC_WRITE", "_IOC_READ", "_IOC_READ|_IOC_WRITE"};
	sb_printf(b, "_IOC(%s, %#x, %#x, %#x)", dirs[IOC_DIR(code)], IOC_TYPE(code), IOC_NR(code),
		  IOC_SIZE(code));
}

static bool is_output(unsigned char kind)
{
	return kind >= IO_FIRST_OUT;
}

/* A struct termios, termios2 or termio at p. */
static int read_termios(struct st_dec *d, int tid, uint64_t p, unsigned char kind, struct st_termios *t,
			uint8_t *cc)
{
	if (kind == IO_TERMIO_IN || kind == IO_TERMIO_OUT) {
		struct termio k;
		if (st_read(d, tid, p, &k, sizeof k))
			return -1;
		*t = (struct st_termios){k.c_iflag, k.c_oflag, k.c_cflag, k.c_lflag, k.c_line, cc, NCC};
		memcpy(cc, k.c_cc, NCC);
		return 0;
	}
	struct termios2 k;
	bool is_2 = kind == IO_TERMIOS2_IN || kind == IO_TERMIOS2_OUT;
	/* struct termios is termios2 without the speeds. */
	if (st_read(d, tid, p, &k, is_2 ? sizeof k : offsetof(struct termios2, c_ispeed)))
		return -1;
	*t = (struct st_termios){k.c_iflag, k.c_oflag, k.c_cflag, k.c_lflag, k.c_line, cc, NCCS,
				 is_2, is_2 ? k.c_ispeed : 0, is_2 ? k.c_ospeed : 0};
	memcpy(cc, k.c_cc, NCCS);
	return 0;
}

/* The argument read from memory: false when it cannot be (the caller shows the
 * address). Preconditions: kind reads memory. */
static bool print_pointed(struct st_dec *d, int tid, uint64_t p, unsigned char kind)
{
	struct sbuf *b = d->out;
	union {
		int i;
		unsigned u;
		unsigned short us;
		long l;
		unsigned long ul;
		uint64_t pair[2];
		struct winsize ws;
	} v;
	switch (kind) {
	case IO_TERMIOS_IN: case IO_TERMIOS_OUT: case IO_TERMIOS2_IN: case IO_TERMIOS2_OUT:
	case IO_TERMIO_IN: case IO_TERMIO_OUT: {
		struct st_termios t;
		uint8_t cc[NCCS];
		if (read_termios(d, tid, p, kind, &t, cc))
			return false;
		st_print_termios(b, &t, d->fmt->is_verbose);
		return true;
	}
	case IO_WINSIZE_IN: case IO_WINSIZE_OUT:
		if (st_read(d, tid, p, &v.ws, sizeof v.ws))
			return false;
		sb_printf(b, "{ws_row=%u, ws_col=%u, ws_xpixel=%u, ws_ypixel=%u}", v.ws.ws_row,
			  v.ws.ws_col, v.ws.ws_xpixel, v.ws.ws_ypixel);
		return true;
	case IO_SHORT_OUT:
		if (st_read(d, tid, p, &v.us, sizeof v.us))
			return false;
		sb_printf(b, "[%hu]", v.us);
		return true;
	case IO_LONG_OUT: case IO_ULONG_OUT: case IO_U64_OUT:
		if (st_read(d, tid, p, &v.ul, sizeof v.ul))
			return false;
		sb_printf(b, kind == IO_LONG_OUT ? "[%ld]" : "[%lu]", v.ul);
		return true;
	case IO_U64_PAIR:
		if (st_read(d, tid, p, v.pair, sizeof v.pair))
			return false;
		sb_printf(b, "[%llu, %llu]", (unsigned long long)v.pair[0], (unsigned long long)v.pair[1]);
		return true;
	}
	/* The rest are one int. */
	if (st_read(d, tid, p, &v.u, sizeof v.u))
		return false;
	sb_putc(b, '[');
	if (kind == IO_MODEM_IN || kind == IO_MODEM_OUT)
		st_print_modem_flags(b, v.u);
	else if (kind == IO_FSFLAGS_IN || kind == IO_FSFLAGS_OUT)
		st_print_fs_flags(b, v.u);
	else
		sb_printf(b, kind == IO_UINT_OUT ? "%u" : "%d", v.i);
	sb_putc(b, ']');
	return true;
}

static void print_arg(struct st_dec *d, struct st_call *c, unsigned char kind)
{
	static const struct st_xlat tcxonc[] = {
		{TCOOFF, "TCOOFF"}, {TCOON, "TCOON"}, {TCIOFF, "TCIOFF"}, {TCION, "TCION"}, {0, NULL},
	};
	static const struct st_xlat tcflsh[] = {
		{TCIFLUSH, "TCIFLUSH"}, {TCOFLUSH, "TCOFLUSH"}, {TCIOFLUSH, "TCIOFLUSH"}, {0, NULL},
	};
	struct sbuf *b = d->out;
	uint64_t arg = c->args[2];
	switch (kind) {
	case IO_HEX: sb_printf(b, "%#llx", (unsigned long long)arg); return;
	case IO_INT: sb_printf(b, "%d", (int)arg); return;
	case IO_ULONG: sb_printf(b, "%llu", (unsigned long long)arg); return;
	case IO_FD: st_print_fd(d, c->tid, (int)arg); return;
	case IO_TCXONC: st_print_xval(b, tcxonc, arg, "TC???"); return;
	case IO_TCFLSH: st_print_xval(b, tcflsh, arg, "TC???"); return;
	case IO_CHAR: st_print_buf(d, c->tid, arg, 1, 0); return;
	}
	if ((is_output(kind) && c->ret < 0) || !print_pointed(d, c->tid, arg, kind))
		st_print_ptr(b, arg);
}

void st_dec_ioctl(struct st_dec *d, struct st_call *c)
{
	/* The request is an unsigned int: what the register holds above it is ignored. */
	const struct st_ioctl *io = st_ioctl_find((uint32_t)c->args[1]);
	unsigned char kind = io ? io->arg : IO_HEX;
	if (c->is_exit) {
		if (is_output(kind)) {
			sb_puts(d->out, ", ");
			print_arg(d, c, kind);
		}
		return;
	}
	st_print_fd(d, c->tid, (long)c->args[0]);
	sb_puts(d->out, ", ");
	if (io)
		sb_puts(d->out, io->name);
	else
		print_ioc(d->out, (uint32_t)c->args[1]);
	if (kind == IO_NONE || is_output(kind))
		return;
	sb_puts(d->out, ", ");
	print_arg(d, c, kind);
}

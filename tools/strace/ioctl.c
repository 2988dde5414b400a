/* ioctl: the terminal requests a program's start-up makes (isatty, window size,
 * process group) are decoded as strace does; other requests show in hex with their
 * argument as an address. */
#include <string.h>
#include <sys/ioctl.h>

#include "tools/strace/sysent.h"

#define X(v) {(uint64_t)(v), #v}
#define END {0, NULL}

/* The kernel's struct termios (TCGETS): not the C library's, which is larger. */
struct kernel_termios {
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line;
	uint8_t c_cc[19];
};

static const struct st_xlat requests[] = {
	{0x5401, "TCGETS"}, {0x5402, "TCSETS"}, {0x5403, "TCSETSW"}, {0x5404, "TCSETSF"},
	{0x540f, "TIOCGPGRP"}, {0x5410, "TIOCSPGRP"}, {0x5413, "TIOCGWINSZ"},
	{0x5414, "TIOCSWINSZ"}, {0x541b, "FIONREAD"}, {0x5421, "FIONBIO"},
	{0x5450, "FIONCLEX"}, {0x5451, "FIOCLEX"}, {0x5429, "TIOCGSID"}, {0x540e, "TIOCSCTTY"},
	{0x5422, "TIOCNOTTY"}, END,
};

static const struct st_xlat iflags[] = {
	{01, "IGNBRK"}, {02, "BRKINT"}, {04, "IGNPAR"}, {010, "PARMRK"}, {020, "INPCK"},
	{040, "ISTRIP"}, {0100, "INLCR"}, {0200, "IGNCR"}, {0400, "ICRNL"}, {01000, "IUCLC"},
	{02000, "IXON"}, {04000, "IXANY"}, {010000, "IXOFF"}, {020000, "IMAXBEL"},
	{040000, "IUTF8"}, END,
};
static const struct st_xlat oflags[] = {
	{01, "OPOST"}, {02, "OLCUC"}, {04, "ONLCR"}, {010, "OCRNL"}, {020, "ONOCR"},
	{040, "ONLRET"}, {0100, "OFILL"}, {0200, "OFDEL"}, END,
};
static const struct st_xlat cflags[] = {
	{0100, "CSTOPB"}, {0200, "CREAD"}, {0400, "PARENB"}, {01000, "PARODD"}, {02000, "HUPCL"},
	{04000, "CLOCAL"}, {010000000000, "CMSPAR"}, {020000000000, "CRTSCTS"}, END,
};
/* strace's order: IEXTEN before ECHOCTL (checked against /usr/bin/strace). */
static const struct st_xlat lflags[] = {
	{01, "ISIG"}, {02, "ICANON"}, {04, "XCASE"}, {010, "ECHO"}, {020, "ECHOE"},
	{040, "ECHOK"}, {0100, "ECHONL"}, {0200, "NOFLSH"}, {0400, "TOSTOP"}, {0100000, "IEXTEN"},
	{01000, "ECHOCTL"}, {02000, "ECHOPRT"}, {04000, "ECHOKE"}, {010000, "FLUSHO"},
	{040000, "PENDIN"}, {0200000, "EXTPROC"}, END,
};

static void print_baud(struct sbuf *b, uint32_t code)
{
	static const char *const low[] = {"B0", "B50", "B75", "B110", "B134", "B150", "B200",
					  "B300", "B600", "B1200", "B1800", "B2400", "B4800",
					  "B9600", "B19200", "B38400"};
	static const char *const high[] = {"BOTHER", "B57600", "B115200", "B230400", "B460800",
					   "B500000", "B576000", "B921600", "B1000000", "B1152000",
					   "B1500000", "B2000000", "B2500000", "B3000000",
					   "B3500000", "B4000000"};
	sb_puts(b, code & 010000 ? high[code & 017] : low[code & 017]);
}

static void print_termios(struct sbuf *b, const struct kernel_termios *t, bool is_verbose)
{
	/* The output delays are fields: strace names their value, even when 0. */
	static const char *const nl[] = {"NL0", "NL1"}, *const cr[] = {"CR0", "CR1", "CR2", "CR3"},
			  *const tab[] = {"TAB0", "TAB1", "TAB2", "TAB3"}, *const bs[] = {"BS0", "BS1"},
			  *const vt[] = {"VT0", "VT1"}, *const ff[] = {"FF0", "FF1"};
	uint32_t o = t->c_oflag;
	sb_puts(b, "{c_iflag=");
	st_print_flags(b, iflags, t->c_iflag, "0");
	sb_printf(b, ", c_oflag=%s|%s|%s|%s|%s|%s", nl[(o >> 8) & 1], cr[(o >> 9) & 3],
		  tab[(o >> 11) & 3], bs[(o >> 13) & 1], vt[(o >> 14) & 1], ff[(o >> 15) & 1]);
	if (o & 0377) {
		sb_putc(b, '|');
		st_print_flags(b, oflags, o & 0377, NULL);
	}
	sb_puts(b, ", c_cflag=");
	print_baud(b, t->c_cflag & 010017);
	if ((t->c_cflag >> 16) & 010017) {
		sb_putc(b, '|');
		print_baud(b, (t->c_cflag >> 16) & 010017);
		sb_puts(b, "<<IBSHIFT");
	}
	sb_printf(b, "|CS%u", 5 + ((t->c_cflag >> 4) & 3));
	uint32_t rest = t->c_cflag & ~(uint32_t)(010017 | 060 | (010017u << 16));
	if (rest) {
		sb_putc(b, '|');
		st_print_flags(b, cflags, rest, NULL);
	}
	sb_puts(b, ", c_lflag=");
	st_print_flags(b, lflags, t->c_lflag, "0");
	if (!is_verbose) {
		sb_puts(b, ", ...}");
		return;
	}
	static const char *const cc[] = {"VINTR", "VQUIT", "VERASE", "VKILL", "VEOF", "VTIME",
					 "VMIN", "VSWTC", "VSTART", "VSTOP", "VSUSP", "VEOL",
					 "VREPRINT", "VDISCARD", "VWERASE", "VLNEXT", "VEOL2"};
	if (t->c_line == 0)
		sb_puts(b, ", c_line=N_TTY, c_cc=[");
	else
		sb_printf(b, ", c_line=%u, c_cc=[", t->c_line);
	for (int i = 0; i < 19; i++) {
		sb_puts(b, i ? ", " : "");
		if (i < 17)
			sb_printf(b, "[%s]=", cc[i]);
		else
			sb_printf(b, "[%d]=", i);
		sb_printf(b, t->c_cc[i] ? "%#x" : "%d", t->c_cc[i]);
	}
	sb_puts(b, "]}");
}

/* The argument of a request: what it points to, or the address when the call failed
 * (outputs) or the memory cannot be read. */
static void print_arg(struct st_dec *d, struct st_call *c, uint32_t req)
{
	struct sbuf *b = d->out;
	uint64_t p = c->args[2];
	bool is_failed = c->is_exit && c->ret < 0;
	switch (req) {
	case TCGETS: case TCSETS: case TCSETSW: case TCSETSF: {
		struct kernel_termios t;
		if ((req == TCGETS && is_failed) || st_read(d, c->tid, p, &t, sizeof t))
			break;
		print_termios(b, &t, d->fmt->is_verbose);
		return;
	}
	case TIOCGWINSZ: case TIOCSWINSZ: {
		struct winsize w;
		if ((req == TIOCGWINSZ && is_failed) || st_read(d, c->tid, p, &w, sizeof w))
			break;
		sb_printf(b, "{ws_row=%u, ws_col=%u, ws_xpixel=%u, ws_ypixel=%u}", w.ws_row, w.ws_col,
			  w.ws_xpixel, w.ws_ypixel);
		return;
	}
	case FIONREAD: case TIOCGPGRP: case TIOCSPGRP: case FIONBIO: case TIOCGSID: {
		int v;
		bool is_output = req == FIONREAD || req == TIOCGPGRP || req == TIOCGSID;
		if ((is_output && is_failed) || st_read(d, c->tid, p, &v, sizeof v))
			break;
		sb_printf(b, "[%d]", v);
		return;
	}
	}
	st_print_ptr(b, p);
}

static bool is_output_request(uint32_t req)
{
	return req == TCGETS || req == TIOCGWINSZ || req == FIONREAD || req == TIOCGPGRP ||
	       req == TIOCGSID;
}

void st_dec_ioctl(struct st_dec *d, struct st_call *c)
{
	uint32_t req = (uint32_t)c->args[1];
	const char *name;
	bool has_arg = req != FIONCLEX && req != FIOCLEX && req != TIOCNOTTY;
	if (c->is_exit) {
		if (has_arg && is_output_request(req))
			print_arg(d, c, req);
		return;
	}
	st_print_fd(d, c->tid, (long)c->args[0]);
	sb_puts(d->out, ", ");
	if (st_xlat_find(requests, req, &name))
		sb_puts(d->out, name);
	else
		sb_printf(d->out, "%#x", req);
	if (!has_arg)
		return;
	sb_puts(d->out, ", ");
	if (!is_output_request(req))
		print_arg(d, c, req);
}

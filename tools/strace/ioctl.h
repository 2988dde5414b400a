/* ioctl decoding: the requests strace names (ioctl_names.c), how each one's argument
 * shows (ioctl.c), and the terminal structures (ioctl_term.c). */
#ifndef TOOLS_STRACE_IOCTL_H
#define TOOLS_STRACE_IOCTL_H

#include "tools/strace/strace.h"

/* How a request's third argument shows. *_OUT ones are written by the call: shown at
 * exit, and as an address when the call failed. */
enum st_ioctl_arg {
	IO_HEX = 0,      /* named but not decoded by strace: the value in hex */
	IO_NONE,         /* no argument shown */
	IO_INT,          /* the value itself, as an int */
	IO_ULONG,        /* the value itself, unsigned */
	IO_FD,           /* the value is a descriptor */
	IO_TCXONC,       /* TCOOFF... */
	IO_TCFLSH,       /* TCIFLUSH... */
	IO_CHAR,         /* one byte at the address, as a string */
	IO_INT_IN,       /* [int] */
	IO_U64_PAIR,     /* [u64, u64] */
	IO_MODEM_IN,     /* [TIOCM_*] */
	IO_FSFLAGS_IN,   /* [FS_*_FL] */
	IO_TERMIOS_IN,
	IO_TERMIOS2_IN,
	IO_TERMIO_IN,
	IO_WINSIZE_IN,
	IO_FIRST_OUT,
	IO_INT_OUT = IO_FIRST_OUT,
	IO_UINT_OUT,
	IO_SHORT_OUT,    /* unsigned short */
	IO_LONG_OUT,
	IO_ULONG_OUT,
	IO_U64_OUT,
	IO_MODEM_OUT,
	IO_FSFLAGS_OUT,
	IO_TERMIOS_OUT,
	IO_TERMIOS2_OUT,
	IO_TERMIO_OUT,
	IO_WINSIZE_OUT,
};

struct st_ioctl {
	uint32_t code;
	unsigned char arg; /* enum st_ioctl_arg */
	const char *name;  /* as strace prints it, "A or B" where strace knows two */
};

/* The request strace names for code, NULL when it prints _IOC(...). */
const struct st_ioctl *st_ioctl_find(uint32_t code);

/* The kernel's terminal structures, in one view: struct termios, termios2 (with the
 * speeds) and the old struct termio (16-bit flags, 8 control characters). */
struct st_termios {
	uint32_t iflag, oflag, cflag, lflag;
	uint8_t line;
	const uint8_t *cc;
	unsigned ncc;
	bool has_speeds;
	uint32_t ispeed, ospeed;
};
void st_print_termios(struct sbuf *b, const struct st_termios *t, bool is_verbose);
void st_print_modem_flags(struct sbuf *b, uint32_t flags);
void st_print_fs_flags(struct sbuf *b, uint32_t flags);

#endif

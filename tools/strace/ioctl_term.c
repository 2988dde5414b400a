/* The structures and flags of terminal ioctls as strace 6 prints them (its term.c):
 * termios flags by name, the output delays and the character size as fields that
 * are named even when 0, each followed by "|" whether or not flags follow
 * ("c_oflag=NL0|CR0|TAB0|BS0|VT0|FF0|", checked against /usr/bin/strace), and flag
 * words that are 0 left empty ("c_lflag="). */
#include "tools/strace/ioctl.h"

#define END {0, NULL}

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
/* strace's order, not the bits': IEXTEN before ECHOCTL, TOSTOP after PENDIN. */
static const struct st_xlat lflags[] = {
	{01, "ISIG"}, {02, "ICANON"}, {04, "XCASE"}, {010, "ECHO"}, {020, "ECHOE"},
	{040, "ECHOK"}, {0100, "ECHONL"}, {0200, "NOFLSH"}, {0100000, "IEXTEN"},
	{01000, "ECHOCTL"}, {02000, "ECHOPRT"}, {04000, "ECHOKE"}, {010000, "FLUSHO"},
	{040000, "PENDIN"}, {0400, "TOSTOP"}, {0200000, "EXTPROC"}, END,
};
static const struct st_xlat line_discs[] = {
	{0, "N_TTY"}, {1, "N_SLIP"}, {2, "N_MOUSE"}, {3, "N_PPP"}, {4, "N_STRIP"}, {5, "N_AX25"},
	{6, "N_X25"}, {7, "N_6PACK"}, {8, "N_MASC"}, {9, "N_R3964"}, {10, "N_PROFIBUS_FDL"},
	{11, "N_IRDA"}, {12, "N_SMSBLOCK"}, {13, "N_HDLC"}, {14, "N_SYNC_PPP"}, {15, "N_HCI"},
	{16, "N_GIGASET_M101"}, {17, "N_SLCAN"}, {18, "N_PPS"}, {19, "N_V253"}, {20, "N_CAIF"},
	{21, "N_GSM0710"}, {22, "N_TI_WL"}, {23, "N_TRACESINK"}, {24, "N_TRACEROUTER"},
	{25, "N_NCI"}, {26, "N_SPEAKUP"}, {27, "N_NULL"}, {28, "N_MCTP"}, {29, "N_DEVELOPMENT"}, END,
};

#define OUTPUT_DELAYS 0177400u /* NLDLY|CRDLY|TABDLY|BSDLY|VTDLY|FFDLY */
#define CBAUD_BITS 010017u
#define CIBAUD_BITS (CBAUD_BITS << 16)
#define CSIZE_BITS 060u

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

static void print_oflag(struct sbuf *b, uint32_t o)
{
	static const char *const nl[] = {"NL0", "NL1"}, *const cr[] = {"CR0", "CR1", "CR2", "CR3"},
			  *const tab[] = {"TAB0", "TAB1", "TAB2", "TAB3"}, *const bs[] = {"BS0", "BS1"},
			  *const vt[] = {"VT0", "VT1"}, *const ff[] = {"FF0", "FF1"};
	sb_printf(b, "%s|%s|%s|%s|%s|%s|", nl[(o >> 8) & 1], cr[(o >> 9) & 3], tab[(o >> 11) & 3],
		  bs[(o >> 13) & 1], vt[(o >> 14) & 1], ff[(o >> 15) & 1]);
	st_print_flags(b, oflags, o & ~OUTPUT_DELAYS, "");
}

static void print_cflag(struct sbuf *b, uint32_t c)
{
	print_baud(b, c & CBAUD_BITS);
	sb_putc(b, '|');
	if (c & CIBAUD_BITS) {
		print_baud(b, (c & CIBAUD_BITS) >> 16);
		sb_puts(b, "<<IBSHIFT|");
	}
	sb_printf(b, "CS%u|", 5 + ((c & CSIZE_BITS) >> 4));
	st_print_flags(b, cflags, c & ~(CBAUD_BITS | CIBAUD_BITS | CSIZE_BITS), "");
}

void st_print_termios(struct sbuf *b, const struct st_termios *t, bool is_verbose)
{
	static const char *const cc_names[] = {
		"VINTR", "VQUIT", "VERASE", "VKILL", "VEOF", "VTIME", "VMIN", "VSWTC", "VSTART",
		"VSTOP", "VSUSP", "VEOL", "VREPRINT", "VDISCARD", "VWERASE", "VLNEXT", "VEOL2"};
	sb_puts(b, "{c_iflag=");
	st_print_flags(b, iflags, t->iflag, "");
	sb_puts(b, ", c_oflag=");
	print_oflag(b, t->oflag);
	sb_puts(b, ", c_cflag=");
	print_cflag(b, t->cflag);
	sb_puts(b, ", c_lflag=");
	st_print_flags(b, lflags, t->lflag, "");
	if (!is_verbose) {
		sb_puts(b, ", ...}");
		return;
	}
	sb_puts(b, ", c_line=");
	st_print_xval(b, line_discs, t->line, "N_???");
	sb_puts(b, ", c_cc=[");
	for (unsigned i = 0; i < t->ncc; i++) {
		sb_puts(b, i ? ", " : "");
		if (i < sizeof cc_names / sizeof cc_names[0])
			sb_printf(b, "[%s]=", cc_names[i]);
		else
			sb_printf(b, "[%u]=", i);
		sb_printf(b, t->cc[i] ? "%#x" : "%d", t->cc[i]);
	}
	sb_putc(b, ']');
	if (t->has_speeds)
		sb_printf(b, ", c_ispeed=%u, c_ospeed=%u", t->ispeed, t->ospeed);
	sb_putc(b, '}');
}

void st_print_modem_flags(struct sbuf *b, uint32_t flags)
{
	static const struct st_xlat names[] = {
		{0x1, "TIOCM_LE"}, {0x2, "TIOCM_DTR"}, {0x4, "TIOCM_RTS"}, {0x8, "TIOCM_ST"},
		{0x10, "TIOCM_SR"}, {0x20, "TIOCM_CTS"}, {0x40, "TIOCM_CAR"}, {0x80, "TIOCM_RNG"},
		{0x100, "TIOCM_DSR"}, {0x2000, "TIOCM_OUT1"}, {0x4000, "TIOCM_OUT2"},
		{0x8000, "TIOCM_LOOP"}, END,
	};
	st_print_flags_ex(b, names, flags, "TIOCM_???");
}

/* FS_IOC_GETFLAGS/SETFLAGS: the inode flags of chattr(1). */
void st_print_fs_flags(struct sbuf *b, uint32_t flags)
{
	static const struct st_xlat names[] = {
		{0x1, "FS_SECRM_FL"}, {0x2, "FS_UNRM_FL"}, {0x4, "FS_COMPR_FL"}, {0x8, "FS_SYNC_FL"},
		{0x10, "FS_IMMUTABLE_FL"}, {0x20, "FS_APPEND_FL"}, {0x40, "FS_NODUMP_FL"},
		{0x80, "FS_NOATIME_FL"}, {0x100, "FS_DIRTY_FL"}, {0x200, "FS_COMPRBLK_FL"},
		{0x400, "FS_NOCOMP_FL"}, {0x800, "FS_ENCRYPT_FL"}, {0x1000, "FS_INDEX_FL"},
		{0x2000, "FS_IMAGIC_FL"}, {0x4000, "FS_JOURNAL_DATA_FL"}, {0x8000, "FS_NOTAIL_FL"},
		{0x10000, "FS_DIRSYNC_FL"}, {0x20000, "FS_TOPDIR_FL"}, {0x40000, "FS_HUGE_FILE_FL"},
		{0x80000, "FS_EXTENT_FL"}, {0x100000, "FS_VERITY_FL"}, {0x200000, "FS_EA_INODE_FL"},
		{0x400000, "FS_EOFBLOCKS_FL"}, {0x800000, "FS_NOCOW_FL"}, {0x2000000, "FS_DAX_FL"},
		{0x10000000, "FS_INLINE_DATA_FL"}, {0x20000000, "FS_PROJINHERIT_FL"},
		{0x40000000, "FS_CASEFOLD_FL"}, {0x80000000, "FS_RESERVED_FL"}, END,
	};
	st_print_flags_ex(b, names, flags, "FS_???_FL");
}

/* hvtrace strace: the pieces the front end is made of, shared between its files.
 *
 * The decoders never touch a session: they read guest memory through a callback
 * (hvt_read_mem in production, a byte buffer in the unit tests) and write text into a
 * growable buffer, so every format can be checked without a guest. */
#ifndef TOOLS_STRACE_STRACE_H
#define TOOLS_STRACE_STRACE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* A growable string. On allocation failure it stops growing and remembers it
 * (is_oom); the text written so far stays valid. */
struct sbuf {
	char *s;
	size_t len, cap;
	bool is_oom;
};
void sb_init(struct sbuf *b);
void sb_free(struct sbuf *b);
void sb_reset(struct sbuf *b);
void sb_putc(struct sbuf *b, char c);
void sb_puts(struct sbuf *b, const char *s);
void sb_put(struct sbuf *b, const void *s, size_t n);
void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The column the text is at: the characters after the last newline. */
size_t sb_column(const struct sbuf *b);

/* How strings are quoted: strace's -x (1: hex when not printable text, 2: all hex). */
enum st_quote_flags {
	QUOTE_NUL_ENDS = 0x1, /* a C string: stop at the first NUL */
	QUOTE_FORCE_HEX = 0x2, /* binary data strace always shows in hex (getrandom) */
};
/* Quotes n bytes as strace does: "..." with C escapes, octal for the rest. */
void st_quote(struct sbuf *b, const unsigned char *s, size_t n, int xflag, unsigned flags);

/* The name of network interface index into name (IF_NAMESIZE bytes): true when
 * there is one. */
typedef bool (*st_ifname_fn)(unsigned index, char *name);

/* Reads guest memory of task tid: bytes copied, or -errno when none could be. */
typedef ssize_t (*st_read_fn)(void *ctx, int tid, uint64_t addr, void *buf, size_t len);
/* The path of fd in task tid's process for -y: 0 and a NUL-terminated path, or -errno. */
typedef int (*st_fdpath_fn)(void *ctx, int tid, int fd, char *buf, size_t len);

/* The output options that change how values look. */
struct st_fmt {
	unsigned strsize;  /* -s: bytes of a string shown (default 32) */
	int xflag;         /* -x / -xx */
	bool is_verbose;   /* -v: structures and environments in full */
	bool show_fdpaths; /* -y */
};

/* One syscall being decoded: its registers, and where its text goes. */
struct st_call {
	int tid;
	long nr;
	uint64_t args[6];
	long ret;       /* valid when exiting */
	bool is_exit;   /* decoding the exit part */
	int next_arg;   /* the first argument not yet printed (kept between entry and exit) */
	int nargs;
	uint64_t sp;    /* the stack pointer at entry, for rt_sigreturn's frame */
	long prev_nr;   /* the task's previous syscall (restart_syscall); -1: unknown */
	long saved;     /* what a decoder read at entry for its exit part: the length of
			 * the address buffer the program gave (accept, recvfrom, recvmsg) */
};

struct st_dec {
	struct sbuf *out;
	const struct st_fmt *fmt;
	st_read_fn read;
	void *read_ctx;
	st_fdpath_fn fdpath; /* NULL: no -y */
	void *fdpath_ctx;
	st_ifname_fn ifname; /* link-local sin6_scope_id by name; NULL: as a number */
	struct sbuf aux;     /* text after the return value, "(Timeout)", "(flags ...)" */
	bool ret_is_custom;  /* the decoder wrote the whole return value into aux */
};

/* The classes of -e trace=%CLASS. */
enum st_class {
	SC_FILE = 0x1, SC_PROCESS = 0x2, SC_NETWORK = 0x4, SC_SIGNAL = 0x8, SC_MEMORY = 0x10,
	SC_DESC = 0x20, SC_IPC = 0x40, SC_CREDS = 0x80, SC_CLOCK = 0x100, SC_STAT = 0x200,
	SC_LSTAT = 0x400, SC_FSTAT = 0x800, SC_STATFS = 0x1000, SC_PURE = 0x2000,
};

/* How a return value is shown. */
enum st_ret {
	RV_DEC,  /* signed decimal */
	RV_HEX,  /* an address: mmap, brk */
	RV_FD,   /* a file descriptor (its path with -y) */
	RV_OCT,  /* umask */
	RV_NONE, /* exit, exit_group: "= ?" */
};

#define ST_MAX_NR 1024
/* Syscall names and properties, by number. The names come from the system headers
 * (build/gen/syscall_names.h); the rest from the hand table of syscalls.c. */
const char *st_syscall_name(long nr);
long st_syscall_by_name(const char *name); /* -1 when unknown */
unsigned st_syscall_classes(long nr);
enum st_ret st_syscall_ret(long nr);

/* Decodes the arguments: with c->is_exit false, those known at entry (up to the first
 * output argument); with it true, the rest. Appends to d->out. */
void st_decode_args(struct st_dec *d, struct st_call *c);
/* Appends " = RESULT" (without the column padding) for an exited call. */
void st_decode_ret(struct st_dec *d, const struct st_call *c);

/* Names. NULL when unknown. */
const char *st_errno_name(int err);
const char *st_errno_string(int err); /* strerror, and strace's words for ERESTART* */
const char *st_signal_name(int sig);   /* "SIGSEGV", "SIGRT_3" */
int st_signal_by_name(const char *name); /* with or without SIG; numbers too; -1 */

/* Value printers shared by the decoders (decode_*.c). */
void st_print_fd(struct st_dec *d, int tid, long fd);
void st_print_dirfd(struct st_dec *d, int tid, long fd);
void st_print_ptr(struct sbuf *b, uint64_t p);
void st_print_path(struct st_dec *d, int tid, uint64_t addr);
void st_print_cstr(struct st_dec *d, int tid, uint64_t addr, size_t max);
void st_print_buf(struct st_dec *d, int tid, uint64_t addr, long len, unsigned qflags);
int st_read(struct st_dec *d, int tid, uint64_t addr, void *buf, size_t len);
void st_print_sigset(struct sbuf *b, const uint64_t *words, size_t nbits);
void st_print_sigset_at(struct st_dec *d, int tid, uint64_t addr, uint64_t size);
void st_print_signame(struct sbuf *b, long sig);
void st_print_siginfo(struct sbuf *b, const siginfo_t *si);
/* "+++ exited with 0 +++" and the like for a wait status. */
void st_print_exit(struct sbuf *b, int status);
/* A wait(2) status as strace shows it inside wait4: [{WIFEXITED(s) && ...}]. */
void st_print_wstatus(struct sbuf *b, int status);

/* Flag tables (flags.c). */
struct st_xlat {
	uint64_t val;
	const char *name;
};
/* OR of flags: names joined by |, then the unknown rest in hex; dflt when zero. */
void st_print_flags(struct sbuf *b, const struct st_xlat *x, uint64_t v, const char *dflt);
/* The same with strace's comment when no name matches: 0x40 / * SOCK_??? * /; 0 is "0". */
void st_print_flags_ex(struct sbuf *b, const struct st_xlat *x, uint64_t v, const char *unknown_comment);
/* One value of an enumeration, or the number (in hex with is_hex) with the comment
 * strace adds: 0x12 / * ..._??? * /. */
void st_print_xval(struct sbuf *b, const struct st_xlat *x, uint64_t v, const char *unknown_comment);
bool st_xlat_find(const struct st_xlat *x, uint64_t v, const char **name);

extern const struct st_xlat st_open_flags[], st_access_modes[], st_at_flags[],
	st_prot_flags[], st_map_flags[], st_clone_flags[], st_wait_options[], st_fcntl_cmds[],
	st_fd_flags[], st_seek_whence[], st_sigprocmask_how[], st_sa_flags[], st_poll_events[],
	st_clock_ids[], st_rlimit_resources[], st_madvise_advice[], st_mremap_flags[],
	st_futex_ops[], st_arch_prctl_codes[], st_prctl_options[], st_ptrace_requests[],
	st_grnd_flags[], st_itimer_which[], st_rusage_who[], st_msync_flags[], st_rename_flags[],
	st_idtype[], st_ss_flags[], st_seccomp_ops[], st_clone3_flags[], st_statx_mask[],
	st_timer_flags[], st_access_flags[], st_statx_attrs[], st_mfd_flags[], st_efd_flags[],
	st_flock_ops[];
void st_print_statx_flags(struct sbuf *b, uint64_t flags);
/* The O_CLOEXEC-style flags of the calls that make a descriptor, by call name. */
const struct st_xlat *st_fd_create_flags(const char *call);

/* Sockets (sockets.c): constants. */
extern const struct st_xlat st_sock_domains[], st_sock_levels[];
void st_print_sock_type(struct sbuf *b, uint64_t type);
void st_print_sock_proto(struct sbuf *b, uint64_t domain, uint64_t proto);
void st_print_accept_flags(struct sbuf *b, uint64_t flags);
void st_print_msg_flags(struct sbuf *b, uint64_t flags);
void st_print_shutdown_how(struct sbuf *b, uint64_t how);
/* A socket address of len bytes at addr (sockaddr.c), as strace's decode_sockaddr:
 * the address alone when len < 2 or it cannot be read. */
void st_print_sockaddr(struct st_dec *d, int tid, uint64_t addr, int len);
/* The host's name of network interface index into name (IF_NAMESIZE bytes): for
 * st_dec.ifname, as strace resolves sin6_scope_id in its own namespace. */
bool st_host_ifname(unsigned index, char *name);

/* Open flags as strace shows them: the access mode first. */
void st_print_open_flags(struct sbuf *b, uint64_t flags);
void st_print_mode(struct sbuf *b, uint64_t mode); /* 0644, S_IFREG|0644 with the type */

#endif

/* Argument and result formatting: the generic walk over a syscall's argument kinds,
 * and the printers of scalars, strings and buffers. Structures are in
 * decode_structs.c, the hand-decoded syscalls in decode_sys.c. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tools/strace/sysent.h"

int st_read(struct st_dec *d, int tid, uint64_t addr, void *buf, size_t len)
{
	if (!addr)
		return -EFAULT;
	ssize_t n = d->read(d->read_ctx, tid, addr, buf, len);
	return n == (ssize_t)len ? 0 : -EFAULT;
}

void st_print_ptr(struct sbuf *b, uint64_t p)
{
	if (p)
		sb_printf(b, "%#llx", (unsigned long long)p);
	else
		sb_puts(b, "NULL");
}

void st_print_fd(struct st_dec *d, int tid, long fd)
{
	char path[PATH_MAX];
	sb_printf(d->out, "%d", (int)fd);
	if ((int)fd >= 0 && d->fdpath && d->fdpath(d->fdpath_ctx, tid, (int)fd, path, sizeof path) == 0)
		sb_printf(d->out, "<%s>", path);
}

void st_print_dirfd(struct st_dec *d, int tid, long fd)
{
	char path[PATH_MAX];
	if ((int)fd != AT_FDCWD) {
		st_print_fd(d, tid, fd);
		return;
	}
	sb_puts(d->out, "AT_FDCWD");
	if (d->fdpath && d->fdpath(d->fdpath_ctx, tid, AT_FDCWD, path, sizeof path) == 0)
		sb_printf(d->out, "<%s>", path);
}

/* Reads a NUL-terminated string of at most max bytes: its length, or max+1 when
 * there is no NUL within max bytes, or -EFAULT when its start is unreadable or it runs
 * into unmapped memory first. */
static ssize_t read_cstr(struct st_dec *d, int tid, uint64_t addr, char *buf, size_t max)
{
	if (!addr)
		return -EFAULT;
	ssize_t n = d->read(d->read_ctx, tid, addr, buf, max + 1);
	if (n <= 0)
		return -EFAULT;
	char *nul = memchr(buf, 0, (size_t)n);
	if (nul)
		return nul - buf;
	return (size_t)n == max + 1 ? (ssize_t)max + 1 : -EFAULT;
}

/* A C string cut after max bytes with "..." after the quote, as strace's -s. */
void st_print_cstr(struct st_dec *d, int tid, uint64_t addr, size_t max)
{
	char *buf = malloc(max + 1);
	ssize_t n = buf ? read_cstr(d, tid, addr, buf, max) : -ENOMEM;
	if (n < 0) {
		st_print_ptr(d->out, addr);
	} else {
		bool is_cut = (size_t)n > max;
		st_quote(d->out, (unsigned char *)buf, is_cut ? max : (size_t)n, d->fmt->xflag, 0);
		if (is_cut)
			sb_puts(d->out, "...");
	}
	free(buf);
}

void st_print_path(struct st_dec *d, int tid, uint64_t addr)
{
	st_print_cstr(d, tid, addr, PATH_MAX);
}

void st_print_buf(struct st_dec *d, int tid, uint64_t addr, long len, unsigned qflags)
{
	if (len < 0)
		len = 0;
	size_t shown = (size_t)len < d->fmt->strsize ? (size_t)len : d->fmt->strsize;
	unsigned char *buf = malloc(shown + 1);
	if (!buf || (shown && st_read(d, tid, addr, buf, shown))) {
		st_print_ptr(d->out, addr);
	} else {
		/* A NUL-ended buffer (getcwd) stops at its NUL, as the C string it is. */
		size_t n = shown;
		if (qflags & QUOTE_NUL_ENDS) {
			unsigned char *nul = memchr(buf, 0, shown);
			if (nul) {
				n = (size_t)(nul - buf);
				len = (long)n;
			}
		}
		st_quote(d->out, buf, n, d->fmt->xflag, qflags & ~(unsigned)QUOTE_NUL_ENDS);
		if ((size_t)len > shown)
			sb_puts(d->out, "...");
	}
	free(buf);
}

bool st_arg_is_output(unsigned char kind)
{
	switch (kind) {
	case A_BUF_OUT: case A_STR_OUT: case A_PATH_OUT: case A_SIGSET_OUT: case A_SIGACTION_OUT:
	case A_STAT_OUT: case A_STATFS_OUT: case A_STATX_OUT: case A_TIMESPEC_OUT:
	case A_TIMEVAL_OUT: case A_ITIMERVAL_OUT: case A_TIME_OUT: case A_RLIMIT_OUT:
	case A_UTSNAME_OUT: case A_IOVEC_OUT: case A_FDPAIR_OUT: case A_WSTATUS_OUT:
	case A_RUSAGE_OUT: case A_GRND_BUF_OUT: case A_DIRENTS_OUT: case A_STACK_OUT:
	case A_INT_ARRAY_OUT: case A_SYSINFO_OUT: case A_TMS_OUT: case A_CPUSET_OUT:
	case A_UINT_OUT:
		return true;
	}
	return false;
}

/* The mode of open/openat matters (and is shown) only when the call may create. */
static bool is_arg_shown(const struct st_call *c, int i, unsigned char kind)
{
	if (kind == A_MKNOD_DEV) {
		uint64_t type = c->args[i - 1] & S_IFMT;
		return type == S_IFCHR || type == S_IFBLK;
	}
	if (kind != A_OPEN_MODE)
		return true;
	uint64_t flags = c->args[i - 1];
	return (flags & O_CREAT) || (flags & __O_TMPFILE) == __O_TMPFILE;
}

void st_decode_args(struct st_dec *d, struct st_call *c)
{
	const struct st_sysent *e = st_sysent(c->nr);
	if (e && e->custom) {
		e->custom(d, c);
		return;
	}
	int n = e ? e->nargs : 6;
	int first = c->is_exit ? c->next_arg : 0;
	c->nargs = n;
	for (int i = first; i < n; i++) {
		unsigned char kind = e ? e->args[i] : A_HEX;
		if (!is_arg_shown(c, i, kind))
			continue;
		/* At entry the separator before an output argument is printed, as strace
		 * does ("read(3, "); the exit part starts with the argument itself. */
		if (i > first || (!c->is_exit && i > 0))
			sb_puts(d->out, ", ");
		if (!c->is_exit && st_arg_is_output(kind)) {
			c->next_arg = i;
			return;
		}
		st_print_arg(d, c, i, kind);
	}
	c->next_arg = n;
}

static bool is_error(long ret)
{
	return ret < 0 && ret >= -4095;
}

void st_decode_ret(struct st_dec *d, const struct st_call *c)
{
	struct sbuf *b = d->out;
	long ret = c->ret;

	if (is_error(ret)) {
		int err = (int)-ret;
		const char *name = st_errno_name(err);
		/* The restart codes never reach the program: strace shows "?" for them. */
		sb_puts(b, err >= 512 && err <= 516 ? "= ? " : "= -1 ");
		if (name)
			sb_printf(b, "%s (%s)", name, st_errno_string(err));
		else
			sb_printf(b, "%d (errno %d)", err, err);
		return;
	}
	if (d->ret_is_custom) {
		sb_put(b, d->aux.s, d->aux.len);
		return;
	}
	switch (st_syscall_ret(c->nr)) {
	case RV_HEX:
		sb_printf(b, "= %#lx", (unsigned long)ret);
		break;
	case RV_FD:
		sb_puts(b, "= ");
		st_print_fd(d, c->tid, ret);
		break;
	case RV_OCT:
		sb_printf(b, "= %#lo", (unsigned long)ret);
		break;
	case RV_NONE:
		sb_puts(b, "= ?");
		break;
	case RV_DEC:
		sb_printf(b, "= %ld", ret);
		break;
	}
	if (d->aux.len)
		sb_put(b, d->aux.s, d->aux.len);
}

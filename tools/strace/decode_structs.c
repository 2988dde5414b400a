/* The structures syscalls read and write, read from guest memory and printed as
 * strace does: abbreviated with "..." unless -v. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <time.h>

#include "tools/strace/sysent.h"
#include "tools/strace/structs.h"

/* The kernel's struct sigaction on x86-64 (not the C library's). */
struct kernel_sigaction {
	uint64_t handler, flags, restorer, mask;
};

static void print_time_comment(struct sbuf *b, long sec, long nsec)
{
	time_t t = sec;
	struct tm tm;
	char when[64];
	if (!localtime_r(&t, &tm))
		return;
	strftime(when, sizeof when, "%FT%T", &tm);
	sb_printf(b, " /* %s", when);
	if (nsec)
		sb_printf(b, ".%09ld", nsec);
	strftime(when, sizeof when, "%z", &tm);
	sb_printf(b, "%s */", when);
}

static void print_makedev(struct sbuf *b, uint64_t dev)
{
	unsigned major = (unsigned)(((dev >> 8) & 0xfff) | ((dev >> 32) & ~0xfffull));
	unsigned minor = (unsigned)((dev & 0xff) | ((dev >> 12) & ~0xffull));
	sb_printf(b, "makedev(%#x, %#x)", major, minor);
}

void st_print_stat(struct sbuf *b, const struct stat *st, bool is_verbose)
{
	bool is_dev = S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode);
	sb_puts(b, "{");
	if (is_verbose) {
		sb_puts(b, "st_dev=");
		print_makedev(b, st->st_dev);
		sb_printf(b, ", st_ino=%lu, ", (unsigned long)st->st_ino);
	}
	sb_puts(b, "st_mode=");
	st_print_mode(b, st->st_mode);
	if (is_verbose)
		sb_printf(b, ", st_nlink=%lu, st_uid=%u, st_gid=%u, st_blksize=%ld, st_blocks=%ld",
			  (unsigned long)st->st_nlink, st->st_uid, st->st_gid, (long)st->st_blksize,
			  (long)st->st_blocks);
	if (is_dev) {
		sb_puts(b, ", st_rdev=");
		print_makedev(b, st->st_rdev);
	} else {
		sb_printf(b, ", st_size=%ld", (long)st->st_size);
	}
	if (!is_verbose) {
		sb_puts(b, ", ...}");
		return;
	}
	const struct timespec *ts[] = {&st->st_atim, &st->st_mtim, &st->st_ctim};
	const char *names[] = {"atime", "mtime", "ctime"};
	for (int i = 0; i < 3; i++) {
		sb_printf(b, ", st_%s=%ld", names[i], (long)ts[i]->tv_sec);
		print_time_comment(b, ts[i]->tv_sec, ts[i]->tv_nsec);
		sb_printf(b, ", st_%s_nsec=%ld", names[i], ts[i]->tv_nsec);
	}
	sb_putc(b, '}');
}

void st_print_timespec(struct sbuf *b, const struct timespec *ts)
{
	sb_printf(b, "{tv_sec=%ld, tv_nsec=%ld}", (long)ts->tv_sec, ts->tv_nsec);
}

static void print_timeval(struct sbuf *b, const struct timeval *tv)
{
	sb_printf(b, "{tv_sec=%ld, tv_usec=%ld}", (long)tv->tv_sec, (long)tv->tv_usec);
}

/* Limits that are multiples of 1024 show as N*1024, as strace does. */
static void print_rlim(struct sbuf *b, uint64_t v)
{
	if (v == UINT64_MAX)
		sb_puts(b, "RLIM64_INFINITY");
	else if (v > 1024 && v % 1024 == 0)
		sb_printf(b, "%llu*1024", (unsigned long long)(v / 1024));
	else
		sb_printf(b, "%llu", (unsigned long long)v);
}

static void print_utsname(struct sbuf *b, const struct utsname *u, bool is_verbose)
{
	sb_printf(b, "{sysname=\"%.65s\", nodename=\"%.65s\"", u->sysname, u->nodename);
	if (is_verbose)
		sb_printf(b, ", release=\"%.65s\", version=\"%.65s\", machine=\"%.65s\", domainname=\"%.65s\"}",
			  u->release, u->version, u->machine, u->domainname);
	else
		sb_puts(b, ", ...}");
}

static void print_sigaction(struct sbuf *b, const struct kernel_sigaction *sa)
{
	sb_puts(b, "{sa_handler=");
	if (sa->handler == 0)
		sb_puts(b, "SIG_DFL");
	else if (sa->handler == 1)
		sb_puts(b, "SIG_IGN");
	else
		sb_printf(b, "%#llx", (unsigned long long)sa->handler);
	sb_puts(b, ", sa_mask=");
	st_print_sigset(b, &sa->mask, 64);
	sb_puts(b, ", sa_flags=");
	st_print_flags(b, st_sa_flags, sa->flags, "0");
	if (sa->flags & 0x04000000) {
		sb_puts(b, ", sa_restorer=");
		st_print_ptr(b, sa->restorer);
	}
	sb_putc(b, '}');
}

/* An iovec array; with a byte limit (readv: what the call returned) the data shown
 * stops there. Arrays longer than -s elements end in "...", as strace's. */
void st_print_iovec(struct st_dec *d, int tid, uint64_t addr, long count, long limit)
{
	if (count < 0 || st_read(d, tid, addr, &(struct iovec){0}, count ? sizeof(struct iovec) : 0)) {
		st_print_ptr(d->out, addr);
		return;
	}
	sb_putc(d->out, '[');
	for (long i = 0; i < count; i++) {
		struct iovec v;
		if (i)
			sb_puts(d->out, ", ");
		if ((unsigned long)i >= d->fmt->strsize) {
			sb_puts(d->out, "...");
			break;
		}
		if (st_read(d, tid, addr + (uint64_t)i * sizeof v, &v, sizeof v)) {
			st_print_ptr(d->out, addr + (uint64_t)i * sizeof v);
			break;
		}
		/* The guest's iov_len may be anything: no sign, no overflow. */
		uint64_t ulen = v.iov_len;
		if (limit >= 0 && ulen > (uint64_t)limit)
			ulen = (uint64_t)limit;
		long len = ulen > (uint64_t)LONG_MAX ? LONG_MAX : (long)ulen;
		sb_puts(d->out, "{iov_base=");
		st_print_buf(d, tid, (uint64_t)(uintptr_t)v.iov_base, len, 0);
		sb_printf(d->out, ", iov_len=%zu}", v.iov_len);
		if (limit >= 0)
			limit -= len;
	}
	sb_putc(d->out, ']');
}

static void print_rusage(struct sbuf *b, const struct rusage *ru, bool is_verbose)
{
	sb_puts(b, "{ru_utime=");
	print_timeval(b, &ru->ru_utime);
	sb_puts(b, ", ru_stime=");
	print_timeval(b, &ru->ru_stime);
	if (!is_verbose) {
		sb_puts(b, ", ...}");
		return;
	}
	sb_printf(b, ", ru_maxrss=%ld, ru_ixrss=%ld, ru_idrss=%ld, ru_isrss=%ld, ru_minflt=%ld, "
		  "ru_majflt=%ld, ru_nswap=%ld, ru_inblock=%ld, ru_oublock=%ld, ru_msgsnd=%ld, "
		  "ru_msgrcv=%ld, ru_nsignals=%ld, ru_nvcsw=%ld, ru_nivcsw=%ld}",
		  ru->ru_maxrss, ru->ru_ixrss, ru->ru_idrss, ru->ru_isrss, ru->ru_minflt,
		  ru->ru_majflt, ru->ru_nswap, ru->ru_inblock, ru->ru_oublock, ru->ru_msgsnd,
		  ru->ru_msgrcv, ru->ru_nsignals, ru->ru_nvcsw, ru->ru_nivcsw);
}

/* getdents64 shows its buffer by the number of entries in it (strace without -v). */
static void print_dirents(struct st_dec *d, int tid, uint64_t addr, long len)
{
	unsigned count = 0;
	for (long off = 0; off + 19 <= len; count++) {
		uint16_t reclen;
		if (st_read(d, tid, addr + (uint64_t)off + 16, &reclen, sizeof reclen) || !reclen)
			break;
		off += reclen;
	}
	st_print_ptr(d->out, addr);
	sb_printf(d->out, " /* %u entries */", count);
}

/* Reads a structure of a kind; false (and the address printed) when unreadable or the
 * call failed (an output the kernel did not write). */
#define READ_OR_PTR(var)                                                            \
	do {                                                                        \
		if ((st_arg_is_output(kind) && c->ret < 0) ||                        \
		    st_read(d, c->tid, v, &(var), sizeof(var))) {                    \
			st_print_ptr(b, v);                                          \
			return;                                                      \
		}                                                                   \
	} while (0)

void st_print_struct_arg(struct st_dec *d, struct st_call *c, int i, unsigned char kind)
{
	struct sbuf *b = d->out;
	uint64_t v = c->args[i];
	bool is_verbose = d->fmt->is_verbose;

	switch (kind) {
	case A_STAT_OUT: {
		struct stat st;
		READ_OR_PTR(st);
		st_print_stat(b, &st, is_verbose);
		return;
	}
	case A_TIMESPEC:
	case A_TIMESPEC_OUT: {
		struct timespec ts;
		READ_OR_PTR(ts);
		st_print_timespec(b, &ts);
		return;
	}
	case A_TIMESPEC_PAIR: {
		struct timespec ts[2];
		READ_OR_PTR(ts);
		sb_putc(b, '[');
		for (int k = 0; k < 2; k++) {
			sb_puts(b, k ? ", " : "");
			if (ts[k].tv_nsec == UTIME_NOW || ts[k].tv_nsec == UTIME_OMIT)
				sb_printf(b, "{tv_sec=%ld, tv_nsec=%s}", (long)ts[k].tv_sec,
					  ts[k].tv_nsec == UTIME_NOW ? "UTIME_NOW" : "UTIME_OMIT");
			else
				st_print_timespec(b, &ts[k]);
		}
		sb_putc(b, ']');
		return;
	}
	case A_TIMEVAL_OUT: {
		struct timeval tv;
		READ_OR_PTR(tv);
		print_timeval(b, &tv);
		return;
	}
	case A_ITIMERVAL:
	case A_ITIMERVAL_OUT: {
		struct itimerval it;
		READ_OR_PTR(it);
		sb_puts(b, "{it_interval=");
		print_timeval(b, &it.it_interval);
		sb_puts(b, ", it_value=");
		print_timeval(b, &it.it_value);
		sb_putc(b, '}');
		return;
	}
	case A_TIME_OUT: {
		int64_t t;
		READ_OR_PTR(t);
		sb_printf(b, "[%lld", (long long)t);
		print_time_comment(b, (long)t, 0);
		sb_putc(b, ']');
		return;
	}
	case A_RLIMIT:
	case A_RLIMIT_OUT: {
		uint64_t rl[2];
		READ_OR_PTR(rl);
		sb_puts(b, "{rlim_cur=");
		print_rlim(b, rl[0]);
		sb_puts(b, ", rlim_max=");
		print_rlim(b, rl[1]);
		sb_putc(b, '}');
		return;
	}
	case A_UTSNAME_OUT: {
		struct utsname u;
		READ_OR_PTR(u);
		print_utsname(b, &u, is_verbose);
		return;
	}
	case A_SIGACTION:
	case A_SIGACTION_OUT: {
		struct kernel_sigaction sa;
		READ_OR_PTR(sa);
		print_sigaction(b, &sa);
		return;
	}
	case A_STACK:
	case A_STACK_OUT: {
		stack_t ss;
		READ_OR_PTR(ss);
		sb_puts(b, "{ss_sp=");
		st_print_ptr(b, (uint64_t)(uintptr_t)ss.ss_sp);
		sb_puts(b, ", ss_flags=");
		st_print_flags(b, st_ss_flags, (unsigned)ss.ss_flags, "0");
		sb_printf(b, ", ss_size=%zu}", ss.ss_size);
		return;
	}
	case A_SIGINFO: {
		siginfo_t si;
		READ_OR_PTR(si);
		st_print_siginfo(b, &si);
		return;
	}
	case A_RUSAGE_OUT: {
		struct rusage ru;
		READ_OR_PTR(ru);
		print_rusage(b, &ru, is_verbose);
		return;
	}
	case A_TMS_OUT: {
		struct tms t;
		READ_OR_PTR(t);
		sb_printf(b, "{tms_utime=%ld, tms_stime=%ld, tms_cutime=%ld, tms_cstime=%ld}",
			  (long)t.tms_utime, (long)t.tms_stime, (long)t.tms_cutime, (long)t.tms_cstime);
		return;
	}
	case A_SYSINFO_OUT: {
		struct sysinfo si;
		READ_OR_PTR(si);
		sb_printf(b, "{uptime=%ld, loads=[%lu, %lu, %lu], totalram=%lu, freeram=%lu, "
			  "sharedram=%lu, bufferram=%lu, totalswap=%lu, freeswap=%lu, procs=%u, "
			  "totalhigh=%lu, freehigh=%lu, mem_unit=%u}",
			  si.uptime, si.loads[0], si.loads[1], si.loads[2], si.totalram, si.freeram,
			  si.sharedram, si.bufferram, si.totalswap, si.freeswap, si.procs,
			  si.totalhigh, si.freehigh, si.mem_unit);
		return;
	}
	case A_STATFS_OUT: {
		struct statfs s;
		READ_OR_PTR(s);
		sb_printf(b, "{f_type=%#lx, f_bsize=%ld, f_blocks=%lu, f_bfree=%lu, f_bavail=%lu, "
			  "f_files=%lu, f_ffree=%lu, f_fsid={val=[%#x, %#x]}, f_namelen=%ld, "
			  "f_frsize=%ld, f_flags=%#lx}",
			  (unsigned long)s.f_type, (long)s.f_bsize, (unsigned long)s.f_blocks,
			  (unsigned long)s.f_bfree, (unsigned long)s.f_bavail, (unsigned long)s.f_files,
			  (unsigned long)s.f_ffree, (unsigned)s.f_fsid.__val[0], (unsigned)s.f_fsid.__val[1],
			  (long)s.f_namelen, (long)s.f_frsize, (unsigned long)s.f_flags);
		return;
	}
	case A_STATX_OUT: {
		struct statx sx;
		READ_OR_PTR(sx);
		sb_puts(b, "{stx_mask=");
		st_print_flags(b, st_statx_mask, sx.stx_mask, "0");
		sb_puts(b, ", stx_attributes=");
		st_print_flags(b, st_statx_attrs, sx.stx_attributes, "0");
		sb_puts(b, ", stx_mode=");
		st_print_mode(b, sx.stx_mode);
		sb_printf(b, ", stx_size=%llu, ...}", (unsigned long long)sx.stx_size);
		return;
	}
	case A_IOVEC:
		st_print_iovec(d, c->tid, v, (long)c->args[i + 1], -1);
		return;
	case A_IOVEC_OUT:
		if (c->ret < 0)
			st_print_ptr(b, v);
		else
			st_print_iovec(d, c->tid, v, (long)c->args[i + 1], c->ret);
		return;
	case A_DIRENTS_OUT:
		if (c->ret < 0)
			st_print_ptr(b, v);
		else
			print_dirents(d, c->tid, v, c->ret);
		return;
	}
	sb_printf(b, "%#llx", (unsigned long long)v);
}

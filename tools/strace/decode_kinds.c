/* One argument of a kind: numbers, descriptors, strings, flags. Structures go on to
 * decode_structs.c. */
#include <fcntl.h>
#include <sys/mman.h>

#include "tools/strace/structs.h"
#include "tools/strace/sysent.h"

/* An array of ints the call wrote: [3, 4]. */
static void print_int_array(struct st_dec *d, int tid, uint64_t addr, long count)
{
	sb_putc(d->out, '[');
	for (long k = 0; k < count; k++) {
		int v;
		if (st_read(d, tid, addr + (uint64_t)k * sizeof v, &v, sizeof v))
			break;
		sb_printf(d->out, "%s%d", k ? ", " : "", v);
	}
	sb_putc(d->out, ']');
}

/* A CPU mask as the list of CPUs set: [0 1]. */
static void print_cpuset(struct st_dec *d, int tid, uint64_t addr, long len)
{
	unsigned char mask[128];
	if (len < 0)
		len = 0;
	if ((size_t)len > sizeof mask)
		len = sizeof mask;
	if (st_read(d, tid, addr, mask, (size_t)len)) {
		st_print_ptr(d->out, addr);
		return;
	}
	sb_putc(d->out, '[');
	bool is_first = true;
	for (long cpu = 0; cpu < len * 8; cpu++) {
		if (mask[cpu / 8] & (1u << (cpu % 8))) {
			sb_printf(d->out, "%s%ld", is_first ? "" : " ", cpu);
			is_first = false;
		}
	}
	sb_putc(d->out, ']');
}

void st_print_arg(struct st_dec *d, struct st_call *c, int i, unsigned char kind)
{
	struct sbuf *b = d->out;
	uint64_t v = c->args[i];
	int tid = c->tid;

	/* An output of a failed call was not written: strace shows its address. */
	if (st_arg_is_output(kind) && c->is_exit && c->ret < 0 && kind != A_UINT_OUT) {
		st_print_ptr(b, v);
		return;
	}
	switch (kind) {
	case A_INT: sb_printf(b, "%d", (int)v); return;
	case A_LONG: sb_printf(b, "%ld", (long)v); return;
	case A_ULONG: sb_printf(b, "%lu", (unsigned long)v); return;
	case A_SIGSETSIZE: sb_printf(b, "%lu", (unsigned long)v); return;
	case A_HEX: sb_printf(b, "%#llx", (unsigned long long)v); return;
	case A_OCT: sb_printf(b, "%#03llo", (unsigned long long)v); return;
	case A_MODE: st_print_mode(b, v); return;
	case A_OPEN_MODE: st_print_mode(b, v); return;
	case A_PTR: st_print_ptr(b, v); return;
	case A_ID: sb_printf(b, (int)v == -1 ? "%d" : "%u", (int)v); return;
	case A_FD: st_print_fd(d, tid, (long)v); return;
	case A_DIRFD: st_print_dirfd(d, tid, (long)v); return;
	case A_PATH: st_print_path(d, tid, v); return;
	case A_STR: st_print_cstr(d, tid, v, d->fmt->strsize); return;
	case A_BUF_IN: st_print_buf(d, tid, v, (long)c->args[i + 1], 0); return;
	case A_BUF_OUT: st_print_buf(d, tid, v, c->ret, 0); return;
	case A_STR_OUT: st_print_buf(d, tid, v, c->ret, QUOTE_NUL_ENDS); return;
	case A_PATH_OUT: st_print_path(d, tid, v); return;
	case A_GRND_BUF_OUT: st_print_buf(d, tid, v, c->ret, QUOTE_FORCE_HEX); return;
	case A_OPEN_FLAGS: st_print_open_flags(b, v); return;
	case A_OPEN_BITS: st_print_flags(b, st_open_flags, v, "0"); return;
	case A_ACCESS_MODE: st_print_flags(b, st_access_modes, v, "F_OK"); return;
	case A_AT_FLAGS: st_print_flags(b, st_at_flags, v, "0"); return;
	case A_ACCESS_AT_FLAGS: st_print_flags(b, st_access_flags, v, "0"); return;
	case A_PROT: st_print_flags(b, st_prot_flags, v, "PROT_NONE"); return;
	case A_WHENCE: st_print_xval(b, st_seek_whence, v, "SEEK_???"); return;
	case A_SIGNAL: st_print_signame(b, (long)(int)v); return;
	case A_RESTART: {
		const char *name = c->prev_nr >= 0 ? st_syscall_name(c->prev_nr) : NULL;
		sb_printf(b, "<... resuming interrupted %s ...>", name ? name : "call");
		return;
	}
	case A_SIGPROCMASK_HOW: st_print_xval(b, st_sigprocmask_how, v, "SIG_???"); return;
	case A_SIGRETURN: {
		/* After the handler's ret, sp is at the kernel's struct ucontext: uc_flags,
		 * uc_link, uc_stack (24 bytes), uc_mcontext (256), then uc_sigmask. */
		uint64_t mask;
		if (st_read(d, tid, c->sp + 8 + 8 + 24 + 256, &mask, sizeof mask)) {
			sb_puts(b, "{mask=?}");
			return;
		}
		sb_puts(b, "{mask=");
		st_print_sigset(b, &mask, 64);
		sb_putc(b, '}');
		return;
	}
	case A_SIGSET:
	case A_SIGSET_OUT:
		if (!v) {
			sb_puts(b, "NULL");
			return;
		}
		st_print_sigset_at(d, tid, v, c->args[c->nargs - 1]);
		return;
	case A_FDPAIR_OUT: print_int_array(d, tid, v, 2); return;
	case A_INT_ARRAY_OUT: print_int_array(d, tid, v, c->ret); return;
	case A_UINT_OUT: {
		unsigned u;
		if (!v)
			sb_puts(b, "NULL");
		else if (c->ret < 0 || st_read(d, tid, v, &u, sizeof u))
			st_print_ptr(b, v);
		else
			sb_printf(b, "[%u]", u);
		return;
	}
	case A_CPUSET: print_cpuset(d, tid, v, (long)c->args[i - 1]); return;
	case A_CPUSET_OUT: print_cpuset(d, tid, v, c->ret); return;
	case A_CLOCKID: st_print_xval(b, st_clock_ids, v, "CLOCK_???"); return;
	case A_TIMER_FLAGS: st_print_flags(b, st_timer_flags, v, "0"); return;
	case A_WSTATUS_OUT: {
		int st;
		if (!v)
			sb_puts(b, "NULL");
		else if (c->ret <= 0 || st_read(d, tid, v, &st, sizeof st))
			st_print_ptr(b, v);
		else
			st_print_wstatus(b, st);
		return;
	}
	case A_WAIT_OPTIONS: st_print_flags(b, st_wait_options, v, "0"); return;
	case A_RLIMIT_RES: st_print_xval(b, st_rlimit_resources, v, "RLIMIT_???"); return;
	case A_ARCH_PRCTL_CODE: st_print_xval(b, st_arch_prctl_codes, v, "ARCH_???"); return;
	case A_MADVISE: st_print_xval(b, st_madvise_advice, v, "MADV_???"); return;
	case A_MREMAP_FLAGS: st_print_flags(b, st_mremap_flags, v, "0"); return;
	case A_MSYNC_FLAGS: st_print_flags(b, st_msync_flags, v, "0"); return;
	case A_GRND_FLAGS: st_print_flags(b, st_grnd_flags, v, "0"); return;
	case A_ITIMER_WHICH: st_print_xval(b, st_itimer_which, v, "ITIMER_???"); return;
	case A_RUSAGE_WHO: st_print_xval(b, st_rusage_who, (uint64_t)(int)v, "RUSAGE_???"); return;
	case A_RENAME_FLAGS: st_print_flags(b, st_rename_flags, v, "0"); return;
	case A_SECCOMP_OP: st_print_xval(b, st_seccomp_ops, v, "SECCOMP_SET_MODE_???"); return;
	case A_UINT: sb_printf(b, "%u", (unsigned)v); return;
	case A_MKNOD_DEV:
		sb_printf(b, "makedev(%#x, %#x)", (unsigned)(((v >> 8) & 0xfff) | ((v >> 32) & ~0xfffull)),
			  (unsigned)((v & 0xff) | ((v >> 12) & ~0xffull)));
		return;
	case A_MFD_FLAGS: st_print_flags(b, st_mfd_flags, v, "0"); return;
	case A_EFD_FLAGS: st_print_flags(b, st_fd_create_flags(st_syscall_name(c->nr)), v, "0"); return;
	case A_FLOCK_OP: st_print_flags(b, st_flock_ops, v, "0"); return;
	case A_STATX_FLAGS: st_print_statx_flags(b, v); return;
	case A_SOCK_DOMAIN: st_print_xval(b, st_sock_domains, v, "AF_???"); return;
	case A_SOCK_TYPE: st_print_sock_type(b, v); return;
	case A_SOCK_PROTO: st_print_sock_proto(b, c->args[0], v); return;
	case A_SOCKADDR: st_print_sockaddr(d, tid, v, (int)c->args[i + 1]); return;
	case A_MSG_FLAGS: st_print_msg_flags(b, v); return;
	case A_SHUT_HOW: st_print_shutdown_how(b, v); return;
	case A_STATX_MASK: st_print_flags(b, st_statx_mask, v, "0"); return;
	}
	/* Nullable pointers to structures. */
	if (!v) {
		sb_puts(b, "NULL");
		return;
	}
	st_print_struct_arg(d, c, i, kind);
}

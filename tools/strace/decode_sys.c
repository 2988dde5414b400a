/* Syscalls whose arguments depend on each other (a command selects what the rest
 * mean) or that print something after the result, decoded by hand. Each is called
 * twice: c->is_exit false for the part strace prints at entry, true for the rest. */
#include <fcntl.h>
#include <linux/futex.h>
#include <linux/sched.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/select.h>
#include <sys/time.h>

#include "tools/strace/structs.h"
#include "tools/strace/sysent.h"

/* argv/envp: ["a", "b"], cut after -s elements like strace's arrays. */
static void print_str_array(struct st_dec *d, int tid, uint64_t addr)
{
	sb_putc(d->out, '[');
	for (unsigned k = 0;; k++) {
		uint64_t p;
		if (st_read(d, tid, addr + k * 8ull, &p, sizeof p)) {
			sb_puts(d->out, k ? ", ..." : "...");
			break;
		}
		if (!p)
			break;
		if (k)
			sb_puts(d->out, ", ");
		if (k >= d->fmt->strsize) {
			sb_puts(d->out, "...");
			break;
		}
		st_print_cstr(d, tid, p, d->fmt->strsize);
	}
	sb_putc(d->out, ']');
}

static unsigned count_array(struct st_dec *d, int tid, uint64_t addr)
{
	unsigned n = 0;
	uint64_t p;
	while (!st_read(d, tid, addr + n * 8ull, &p, sizeof p) && p)
		n++;
	return n;
}

void st_print_exec_vectors(struct st_dec *d, int tid, uint64_t argv, uint64_t envp)
{
	if (argv)
		print_str_array(d, tid, argv);
	else
		sb_puts(d->out, "NULL");
	sb_puts(d->out, ", ");
	if (!envp) {
		sb_puts(d->out, "NULL");
	} else if (d->fmt->is_verbose) {
		print_str_array(d, tid, envp);
	} else {
		unsigned n = count_array(d, tid, envp);
		sb_printf(d->out, "%#llx /* %u var%s */", (unsigned long long)envp, n, n == 1 ? "" : "s");
	}
}

/* Everything at entry: after a successful execve the old memory is gone. */
void st_dec_execve(struct st_dec *d, struct st_call *c)
{
	if (c->is_exit)
		return;
	st_print_path(d, c->tid, c->args[0]);
	sb_puts(d->out, ", ");
	st_print_exec_vectors(d, c->tid, c->args[1], c->args[2]);
}

static void print_clone_flags(struct sbuf *b, uint64_t flags)
{
	uint64_t sig = flags & 0xff;
	flags &= ~0xffull;
	if (flags)
		st_print_flags(b, st_clone_flags, flags, NULL);
	if (sig) {
		sb_puts(b, flags ? "|" : "");
		st_print_signame(b, (long)sig);
	} else if (!flags) {
		sb_puts(b, "0");
	}
}

/* x86-64 clone(flags, stack, parent_tid, child_tid, tls). */
void st_dec_clone(struct st_dec *d, struct st_call *c)
{
	uint64_t flags = c->args[0];
	if (!c->is_exit) {
		sb_puts(d->out, "child_stack=");
		st_print_ptr(d->out, c->args[1]);
		sb_puts(d->out, ", flags=");
		print_clone_flags(d->out, flags);
		return;
	}
	if (flags & CLONE_PARENT_SETTID) {
		sb_puts(d->out, ", parent_tid=");
		if (c->ret > 0)
			sb_printf(d->out, "[%ld]", c->ret); /* see st_dec_clone3 */
		else
			st_print_ptr(d->out, c->args[2]);
	}
	if (flags & CLONE_SETTLS) {
		sb_puts(d->out, ", tls=");
		st_print_ptr(d->out, c->args[4]);
	}
	if (flags & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID)) {
		sb_puts(d->out, ", child_tidptr=");
		st_print_ptr(d->out, c->args[3]);
	}
}

void st_dec_clone3(struct st_dec *d, struct st_call *c)
{
	struct clone_args a = {0};
	uint64_t size = c->args[1];
	bool is_readable = size >= 64 && !st_read(d, c->tid, c->args[0], &a, 64);
	struct sbuf *b = d->out;

	if (!c->is_exit) {
		if (!is_readable) {
			st_print_ptr(b, c->args[0]);
			return;
		}
		sb_puts(b, "{flags=");
		st_print_flags(b, st_clone3_flags, a.flags, "0");
		if (a.flags & CLONE_PIDFD)
			sb_printf(b, ", pidfd=%#llx", (unsigned long long)a.pidfd);
		if (a.flags & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID))
			sb_printf(b, ", child_tid=%#llx", (unsigned long long)a.child_tid);
		if (a.flags & CLONE_PARENT_SETTID)
			sb_printf(b, ", parent_tid=%#llx", (unsigned long long)a.parent_tid);
		sb_puts(b, ", exit_signal=");
		if (a.exit_signal)
			st_print_signame(b, (long)a.exit_signal);
		else
			sb_puts(b, "0");
		sb_puts(b, ", stack=");
		st_print_ptr(b, a.stack);
		sb_printf(b, ", stack_size=%#llx", (unsigned long long)a.stack_size);
		if (a.flags & CLONE_SETTLS)
			sb_printf(b, ", tls=%#llx", (unsigned long long)a.tls);
		sb_putc(b, '}');
		return;
	}
	/* What the kernel stored at parent_tid is the new tid, which the call returns. The
	 * memory itself may already say otherwise: a recorder decodes the exit while the
	 * new thread runs, and a thread that has already ended cleared that word (glibc
	 * passes the same address as child_tid with CLONE_CHILD_CLEARTID); native strace
	 * reads it while the new thread still waits at its attach stop. */
	if (is_readable && c->ret > 0 && (a.flags & CLONE_PARENT_SETTID))
		sb_printf(b, " => {parent_tid=[%ld]}", c->ret);
	sb_printf(b, ", %llu", (unsigned long long)size);
}

void st_dec_fcntl(struct st_dec *d, struct st_call *c)
{
	long cmd = (long)c->args[1];
	struct sbuf *b = d->out;
	if (c->is_exit) {
		/* F_GETFD/F_GETFL results are flags, F_DUPFD's a descriptor. */
		if (c->ret < 0)
			return;
		if ((cmd == F_GETFD && c->ret) || cmd == F_GETFL) {
			d->ret_is_custom = true;
			sb_printf(&d->aux, "= %#lx (flags ", c->ret);
			if (cmd == F_GETFD)
				st_print_flags(&d->aux, st_fd_flags, (uint64_t)c->ret, "0");
			else
				st_print_open_flags(&d->aux, (uint64_t)c->ret);
			sb_putc(&d->aux, ')');
		} else if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC) {
			struct sbuf *keep = d->out;
			d->ret_is_custom = true;
			sb_puts(&d->aux, "= ");
			d->out = &d->aux;
			st_print_fd(d, c->tid, c->ret);
			d->out = keep;
		}
		return;
	}
	st_print_fd(d, c->tid, (long)c->args[0]);
	sb_puts(b, ", ");
	st_print_xval(b, st_fcntl_cmds, (uint64_t)cmd, "F_???");
	switch (cmd) {
	case F_GETFD: case F_GETFL: case F_GETOWN: case F_GETSIG: case F_GETLEASE:
	case F_GETPIPE_SZ: case F_GET_SEALS:
		return;
	case F_SETFD:
		sb_puts(b, ", ");
		st_print_flags(b, st_fd_flags, c->args[2], "0");
		return;
	case F_SETFL:
		sb_puts(b, ", ");
		st_print_open_flags(b, c->args[2]);
		return;
	case F_DUPFD: case F_DUPFD_CLOEXEC: case F_SETOWN: case F_SETSIG: case F_SETLEASE:
	case F_NOTIFY: case F_SETPIPE_SZ: case F_ADD_SEALS:
		sb_printf(b, ", %d", (int)c->args[2]);
		return;
	}
	sb_puts(b, ", ");
	st_print_ptr(b, c->args[2]);
}

void st_dec_futex(struct st_dec *d, struct st_call *c)
{
	struct sbuf *b = d->out;
	int op = (int)c->args[1];
	int cmd = op & FUTEX_CMD_MASK;
	const char *name;
	if (c->is_exit)
		return;
	st_print_ptr(b, c->args[0]);
	sb_puts(b, ", ");
	if (st_xlat_find(st_futex_ops, (uint64_t)cmd, &name))
		sb_printf(b, "%s%s", name, op & FUTEX_PRIVATE_FLAG ? "_PRIVATE" : "");
	else
		sb_printf(b, "%#x", cmd | (op & FUTEX_PRIVATE_FLAG));
	if (op & FUTEX_CLOCK_REALTIME)
		sb_puts(b, "|FUTEX_CLOCK_REALTIME");
	uint32_t val = (uint32_t)c->args[2], val3 = (uint32_t)c->args[5];
	switch (cmd) {
	case FUTEX_WAKE:
		sb_printf(b, ", %u", val);
		return;
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
		sb_printf(b, ", %u, ", val);
		if (c->args[3]) {
			struct timespec ts;
			if (st_read(d, c->tid, c->args[3], &ts, sizeof ts))
				st_print_ptr(b, c->args[3]);
			else
				st_print_timespec(b, &ts);
		} else {
			sb_puts(b, "NULL");
		}
		if (cmd == FUTEX_WAIT_BITSET) {
			if (val3 == FUTEX_BITSET_MATCH_ANY)
				sb_puts(b, ", FUTEX_BITSET_MATCH_ANY");
			else
				sb_printf(b, ", %#x", val3);
		}
		return;
	case FUTEX_WAKE_BITSET:
		sb_printf(b, ", %u, ", val);
		if (val3 == FUTEX_BITSET_MATCH_ANY)
			sb_puts(b, "FUTEX_BITSET_MATCH_ANY");
		else
			sb_printf(b, "%#x", val3);
		return;
	case FUTEX_REQUEUE:
	case FUTEX_CMP_REQUEUE:
		sb_printf(b, ", %u, %u, ", val, (uint32_t)c->args[3]);
		st_print_ptr(b, c->args[4]);
		if (cmd == FUTEX_CMP_REQUEUE)
			sb_printf(b, ", %u", val3);
		return;
	case FUTEX_UNLOCK_PI:
	case FUTEX_TRYLOCK_PI:
		return;
	case FUTEX_LOCK_PI:
		sb_puts(b, ", ");
		st_print_ptr(b, c->args[3]);
		return;
	}
	sb_printf(b, ", %u, %#llx, ", val, (unsigned long long)c->args[3]);
	st_print_ptr(b, c->args[4]);
	sb_printf(b, ", %#x", val3);
}

void st_dec_prctl(struct st_dec *d, struct st_call *c)
{
	struct sbuf *b = d->out;
	int option = (int)c->args[0];
	if (c->is_exit) {
		static const char *const dumpable[] = {"SUID_DUMP_DISABLE", "SUID_DUMP_USER", "SUID_DUMP_ROOT"};
		if (option == PR_GET_DUMPABLE && c->ret >= 0 && c->ret <= 2)
			sb_printf(&d->aux, " (%s)", dumpable[c->ret]);
		if (option != PR_GET_NAME)
			return;
		if (c->ret < 0)
			st_print_ptr(b, c->args[1]);
		else
			st_print_cstr(d, c->tid, c->args[1], 16);
		return;
	}
	st_print_xval(b, st_prctl_options, (uint64_t)option, "PR_???");
	switch (option) {
	case PR_SET_NAME:
		sb_puts(b, ", ");
		st_print_cstr(d, c->tid, c->args[1], 16);
		return;
	case PR_GET_NAME:
		sb_puts(b, ", ");
		return;
	case PR_SET_PDEATHSIG:
		sb_puts(b, ", ");
		st_print_signame(b, (long)c->args[1]);
		return;
	case PR_GET_DUMPABLE: case PR_GET_KEEPCAPS: case PR_GET_SECCOMP: case PR_GET_TIMERSLACK:
	case PR_GET_NO_NEW_PRIVS: case PR_GET_CHILD_SUBREAPER:
		return;
	case PR_SET_NO_NEW_PRIVS:
		sb_printf(b, ", %lu, %lu, %lu, %lu", (unsigned long)c->args[1], (unsigned long)c->args[2],
			  (unsigned long)c->args[3], (unsigned long)c->args[4]);
		return;
	case PR_SET_DUMPABLE: case PR_SET_KEEPCAPS: case PR_SET_TIMERSLACK:
	case PR_SET_CHILD_SUBREAPER: case PR_SET_PTRACER:
		sb_printf(b, ", %lu", (unsigned long)c->args[1]);
		return;
	}
	for (int i = 1; i < 5; i++)
		sb_printf(b, ", %#llx", (unsigned long long)c->args[i]);
}

void st_dec_ptrace(struct st_dec *d, struct st_call *c)
{
	struct sbuf *b = d->out;
	long req = (long)c->args[0];
	if (c->is_exit) {
		if (req == PTRACE_PEEKDATA || req == PTRACE_PEEKTEXT || req == PTRACE_PEEKUSER) {
			uint64_t word;
			if (c->ret >= 0 && !st_read(d, c->tid, c->args[3], &word, sizeof word))
				sb_printf(b, "[%#llx]", (unsigned long long)word);
			else
				st_print_ptr(b, c->args[3]);
		}
		return;
	}
	st_print_xval(b, st_ptrace_requests, (uint64_t)req, "PTRACE_???");
	if (req == PTRACE_TRACEME)
		return;
	sb_printf(b, ", %d", (int)c->args[1]);
	switch (req) {
	case PTRACE_ATTACH: case PTRACE_KILL: case PTRACE_INTERRUPT:
		return;
	case PTRACE_CONT: case PTRACE_SYSCALL: case PTRACE_SINGLESTEP: case PTRACE_DETACH:
	case PTRACE_SYSEMU: case PTRACE_LISTEN:
		sb_puts(b, ", NULL, ");
		st_print_signame(b, (long)c->args[3]);
		return;
	case PTRACE_PEEKDATA: case PTRACE_PEEKTEXT: case PTRACE_PEEKUSER:
		sb_puts(b, ", ");
		st_print_ptr(b, c->args[2]);
		sb_puts(b, ", ");
		return;
	}
	sb_puts(b, ", ");
	st_print_ptr(b, c->args[2]);
	sb_puts(b, ", ");
	st_print_ptr(b, c->args[3]);
}

/* ", left {...}": the time a ready poll/select had left, which the kernel writes back
 * into the timeout argument (ppoll, select, pselect6). */
static void print_left(struct st_dec *d, const struct st_call *c, int arg, bool is_timespec)
{
	if (arg < 0 || !c->args[arg])
		return;
	if (is_timespec) {
		struct timespec ts;
		if (st_read(d, c->tid, c->args[arg], &ts, sizeof ts))
			return;
		sb_puts(&d->aux, ", left ");
		st_print_timespec(&d->aux, &ts);
	} else {
		struct timeval tv;
		if (st_read(d, c->tid, c->args[arg], &tv, sizeof tv))
			return;
		sb_printf(&d->aux, ", left {tv_sec=%ld, tv_usec=%ld}", (long)tv.tv_sec, (long)tv.tv_usec);
	}
}

static void print_pollfds(struct st_dec *d, struct sbuf *b, int tid, uint64_t addr, unsigned long n,
			  bool is_revents)
{
	bool is_first = true;
	sb_putc(b, '[');
	for (unsigned long k = 0; k < n; k++) {
		struct pollfd p;
		if (st_read(d, tid, addr + k * sizeof p, &p, sizeof p))
			break;
		if (is_revents && !p.revents)
			continue;
		if (!is_first)
			sb_puts(b, ", ");
		if (k >= d->fmt->strsize) {
			sb_puts(b, "...");
			break;
		}
		is_first = false;
		sb_puts(b, "{fd=");
		if (is_revents) {
			sb_printf(b, "%d", p.fd);
		} else {
			struct sbuf *keep = d->out;
			d->out = b;
			st_print_fd(d, tid, p.fd);
			d->out = keep;
		}
		sb_puts(b, is_revents ? ", revents=" : ", events=");
		st_print_flags(b, st_poll_events, (uint16_t)(is_revents ? p.revents : p.events), "0");
		sb_putc(b, '}');
	}
	sb_putc(b, ']');
}

/* poll(fds, nfds, timeout) and ppoll(fds, nfds, tsp, sigmask, sigsetsize): the ready
 * descriptors follow the result, "= 1 ([{fd=0, revents=POLLIN}])". */
void st_dec_poll(struct st_dec *d, struct st_call *c)
{
	struct sbuf *b = d->out;
	bool is_ppoll = st_sysent(c->nr)->nargs == 5;
	if (c->is_exit) {
		if (c->ret == 0) {
			sb_puts(&d->aux, " (Timeout)");
		} else if (c->ret > 0) {
			sb_puts(&d->aux, " (");
			print_pollfds(d, &d->aux, c->tid, c->args[0], c->args[1], true);
			print_left(d, c, is_ppoll ? 2 : -1, true);
			sb_putc(&d->aux, ')');
		}
		return;
	}
	print_pollfds(d, b, c->tid, c->args[0], c->args[1], false);
	sb_printf(b, ", %u, ", (unsigned)c->args[1]);
	if (!is_ppoll) {
		sb_printf(b, "%d", (int)c->args[2]);
		return;
	}
	struct timespec ts;
	if (!c->args[2])
		sb_puts(b, "NULL");
	else if (st_read(d, c->tid, c->args[2], &ts, sizeof ts))
		st_print_ptr(b, c->args[2]);
	else
		st_print_timespec(b, &ts);
	sb_puts(b, ", ");
	if (c->args[3])
		st_print_sigset_at(d, c->tid, c->args[3], c->args[4]);
	else
		sb_puts(b, "NULL");
	sb_printf(b, ", %lu", (unsigned long)c->args[4]);
}

static void print_fdset(struct st_dec *d, struct sbuf *b, int tid, uint64_t addr, int nfds)
{
	unsigned char bits[FD_SETSIZE / 8];
	size_t len = nfds > 0 ? ((size_t)nfds + 7) / 8 : 0;
	if (!addr) {
		sb_puts(b, "NULL");
		return;
	}
	if (len > sizeof bits || st_read(d, tid, addr, bits, len)) {
		st_print_ptr(b, addr);
		return;
	}
	sb_putc(b, '[');
	bool is_first = true;
	for (int fd = 0; fd < nfds; fd++) {
		if (bits[fd / 8] & (1u << (fd % 8))) {
			sb_printf(b, "%s%d", is_first ? "" : " ", fd);
			is_first = false;
		}
	}
	sb_putc(b, ']');
}

/* select(nfds, in, out, except, timeval) / pselect6(..., timespec, {sigmask, size}). */
void st_dec_select(struct st_dec *d, struct st_call *c)
{
	struct sbuf *b = d->out;
	int nfds = (int)c->args[0];
	bool is_pselect = st_sysent(c->nr)->nargs == 6;
	if (c->is_exit) {
		if (c->ret == 0) {
			sb_puts(&d->aux, " (Timeout)");
		} else if (c->ret > 0) {
			static const char *const names[] = {"in", "out", "except"};
			bool is_first = true;
			sb_puts(&d->aux, " (");
			for (int k = 0; k < 3; k++) {
				if (!c->args[1 + k])
					continue;
				sb_printf(&d->aux, "%s%s ", is_first ? "" : ", ", names[k]);
				print_fdset(d, &d->aux, c->tid, c->args[1 + k], nfds);
				is_first = false;
			}
			print_left(d, c, 4, is_pselect);
			sb_putc(&d->aux, ')');
		}
		return;
	}
	sb_printf(b, "%d", nfds);
	for (int k = 1; k <= 3; k++) {
		sb_puts(b, ", ");
		print_fdset(d, b, c->tid, c->args[k], nfds);
	}
	sb_puts(b, ", ");
	if (!c->args[4]) {
		sb_puts(b, "NULL");
	} else if (is_pselect) {
		struct timespec ts;
		if (st_read(d, c->tid, c->args[4], &ts, sizeof ts))
			st_print_ptr(b, c->args[4]);
		else
			st_print_timespec(b, &ts);
	} else {
		struct timeval tv;
		if (st_read(d, c->tid, c->args[4], &tv, sizeof tv))
			st_print_ptr(b, c->args[4]);
		else
			sb_printf(b, "{tv_sec=%ld, tv_usec=%ld}", (long)tv.tv_sec, (long)tv.tv_usec);
	}
	if (is_pselect) {
		uint64_t sm[2];
		sb_puts(b, ", ");
		if (!c->args[5]) {
			sb_puts(b, "NULL");
		} else if (st_read(d, c->tid, c->args[5], sm, sizeof sm)) {
			st_print_ptr(b, c->args[5]);
		} else {
			sb_puts(b, "{sigmask=");
			if (sm[0])
				st_print_sigset_at(d, c->tid, sm[0], sm[1]);
			else
				sb_puts(b, "NULL");
			sb_printf(b, ", sigsetsize=%llu}", (unsigned long long)sm[1]);
		}
	}
}

/* waitid(idtype, id, infop, options, rusage). */
void st_dec_waitid(struct st_dec *d, struct st_call *c)
{
	struct sbuf *b = d->out;
	if (!c->is_exit) {
		st_print_xval(b, st_idtype, c->args[0], "P_???");
		sb_printf(b, ", %d, ", (int)c->args[1]);
		return;
	}
	siginfo_t si;
	if (!c->args[2])
		sb_puts(b, "NULL");
	else if (c->ret < 0 || st_read(d, c->tid, c->args[2], &si, sizeof si))
		st_print_ptr(b, c->args[2]);
	else if (!si.si_signo)
		sb_puts(b, "{}");
	else
		st_print_siginfo(b, &si);
	sb_puts(b, ", ");
	st_print_flags(b, st_wait_options, c->args[3], "0");
	sb_puts(b, ", ");
	st_print_ptr(b, c->args[4]);
}

void st_dec_mmap(struct st_dec *d, struct st_call *c)
{
	static const char *const types[] = {"0", "MAP_SHARED", "MAP_PRIVATE", "MAP_SHARED_VALIDATE"};
	struct sbuf *b = d->out;
	if (c->is_exit)
		return;
	uint64_t flags = c->args[3];
	st_print_ptr(b, c->args[0]);
	sb_printf(b, ", %lu, ", (unsigned long)c->args[1]);
	st_print_flags(b, st_prot_flags, c->args[2], "PROT_NONE");
	sb_puts(b, ", ");
	if ((flags & MAP_TYPE) < 4)
		sb_puts(b, types[flags & MAP_TYPE]);
	else
		sb_printf(b, "%#llx", (unsigned long long)(flags & MAP_TYPE));
	if (flags & ~(uint64_t)MAP_TYPE) {
		sb_putc(b, '|');
		st_print_flags(b, st_map_flags, flags & ~(uint64_t)MAP_TYPE, NULL);
	}
	sb_puts(b, ", ");
	st_print_fd(d, c->tid, (long)(int)c->args[4]);
	sb_printf(b, ", %#llx", (unsigned long long)c->args[5]);
}

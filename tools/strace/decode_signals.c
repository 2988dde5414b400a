/* Signal numbers, sets, siginfo and wait statuses as strace shows them. */
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "tools/strace/sysent.h"

void st_print_signame(struct sbuf *b, long sig)
{
	const char *name = st_signal_name((int)sig);
	if (name)
		sb_puts(b, name);
	else
		sb_printf(b, "%ld", sig);
}

/* Bits set, without the SIG prefix; a set with more than half the signals is shown
 * by its complement (~[...]), as strace does. */
void st_print_sigset(struct sbuf *b, const uint64_t *words, size_t nbits)
{
	size_t count = 0;
	for (size_t i = 0; i < nbits; i++)
		count += (words[i / 64] >> (i % 64)) & 1;
	bool is_inverted = count > nbits / 2;
	sb_puts(b, is_inverted ? "~[" : "[");
	bool is_first = true;
	for (size_t i = 0; i < nbits; i++) {
		bool is_set = (words[i / 64] >> (i % 64)) & 1;
		if (is_set == is_inverted)
			continue;
		const char *name = st_signal_name((int)i + 1);
		sb_puts(b, is_first ? "" : " ");
		if (name)
			sb_puts(b, name + 3);
		else
			sb_printf(b, "%zu", i + 1);
		is_first = false;
	}
	sb_putc(b, ']');
}

void st_print_sigset_at(struct st_dec *d, int tid, uint64_t addr, uint64_t size)
{
	uint64_t set = 0;
	/* The kernel's sigset is 8 bytes: any other size is refused, shown as an address. */
	if (size != 8 || st_read(d, tid, addr, &set, sizeof set)) {
		st_print_ptr(d->out, addr);
		return;
	}
	st_print_sigset(d->out, &set, 64);
}

static const struct st_xlat si_codes[] = {
	{(uint64_t)SI_USER, "SI_USER"}, {(uint64_t)SI_KERNEL, "SI_KERNEL"},
	{(uint64_t)(int64_t)SI_QUEUE, "SI_QUEUE"}, {(uint64_t)(int64_t)SI_TIMER, "SI_TIMER"},
	{(uint64_t)(int64_t)SI_MESGQ, "SI_MESGQ"}, {(uint64_t)(int64_t)SI_ASYNCIO, "SI_ASYNCIO"},
	{(uint64_t)(int64_t)SI_SIGIO, "SI_SIGIO"}, {(uint64_t)(int64_t)SI_TKILL, "SI_TKILL"},
	{0, NULL},
};

/* The signal-specific si_code names (positive codes), by signal. */
static const char *signal_code_name(int sig, int code)
{
	static const char *const chld[] = {NULL, "CLD_EXITED", "CLD_KILLED", "CLD_DUMPED",
					   "CLD_TRAPPED", "CLD_STOPPED", "CLD_CONTINUED"};
	static const char *const segv[] = {NULL, "SEGV_MAPERR", "SEGV_ACCERR", "SEGV_BNDERR",
					   "SEGV_PKUERR"};
	static const char *const bus[] = {NULL, "BUS_ADRALN", "BUS_ADRERR", "BUS_OBJERR",
					  "BUS_MCEERR_AR", "BUS_MCEERR_AO"};
	static const char *const ill[] = {NULL, "ILL_ILLOPC", "ILL_ILLOPN", "ILL_ILLADR",
					  "ILL_ILLTRP", "ILL_PRVOPC", "ILL_PRVREG", "ILL_COPROC",
					  "ILL_BADSTK"};
	static const char *const fpe[] = {NULL, "FPE_INTDIV", "FPE_INTOVF", "FPE_FLTDIV",
					  "FPE_FLTOVF", "FPE_FLTUND", "FPE_FLTRES", "FPE_FLTINV",
					  "FPE_FLTSUB"};
	static const char *const trap[] = {NULL, "TRAP_BRKPT", "TRAP_TRACE", "TRAP_BRANCH",
					   "TRAP_HWBKPT"};
	static const char *const poll[] = {NULL, "POLL_IN", "POLL_OUT", "POLL_MSG", "POLL_ERR",
					   "POLL_PRI", "POLL_HUP"};
#define PICK(tab) return code < (int)(sizeof tab / sizeof tab[0]) ? tab[code] : NULL
	switch (sig) {
	case SIGCHLD: PICK(chld);
	case SIGSEGV: PICK(segv);
	case SIGBUS: PICK(bus);
	case SIGILL: PICK(ill);
	case SIGFPE: PICK(fpe);
	case SIGTRAP: PICK(trap);
	case SIGPOLL: PICK(poll);
	case SIGSYS: return code == 1 ? "SYS_SECCOMP" : NULL;
	}
#undef PICK
	return NULL;
}

static bool is_fault_signal(int sig)
{
	return sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE || sig == SIGTRAP;
}

void st_print_siginfo(struct sbuf *b, const siginfo_t *si)
{
	int sig = si->si_signo, code = si->si_code;
	const char *name = NULL;

	sb_puts(b, "{si_signo=");
	st_print_signame(b, sig);
	sb_puts(b, ", si_code=");
	if (code > 0 && code != SI_KERNEL)
		name = signal_code_name(sig, code);
	else
		st_xlat_find(si_codes, (uint64_t)(int64_t)code, &name);
	if (name)
		sb_puts(b, name);
	else
		sb_printf(b, "%d", code);

	if (code == SI_USER || code == SI_TKILL || code == SI_QUEUE || code == SI_MESGQ) {
		sb_printf(b, ", si_pid=%d, si_uid=%u", si->si_pid, si->si_uid);
		if (code == SI_QUEUE || code == SI_MESGQ)
			sb_printf(b, ", si_int=%d, si_ptr=%p", si->si_int, si->si_ptr);
	} else if (code == SI_TIMER) {
		sb_printf(b, ", si_timerid=%#x, si_overrun=%d, si_int=%d, si_ptr=%p", si->si_timerid,
			  si->si_overrun, si->si_int, si->si_ptr);
	} else if (sig == SIGCHLD && code > 0 && code != SI_KERNEL) {
		sb_printf(b, ", si_pid=%d, si_uid=%u, si_status=", si->si_pid, si->si_uid);
		if (code == CLD_EXITED)
			sb_printf(b, "%d", si->si_status);
		else
			st_print_signame(b, si->si_status);
		sb_printf(b, ", si_utime=%ld, si_stime=%ld", (long)si->si_utime, (long)si->si_stime);
	} else if (is_fault_signal(sig) && (code > 0 || code == SI_KERNEL)) {
		sb_puts(b, ", si_addr=");
		st_print_ptr(b, (uint64_t)(uintptr_t)si->si_addr);
	} else if (sig == SIGPOLL && code > 0) {
		sb_printf(b, ", si_band=%ld, si_fd=%d", si->si_band, si->si_fd);
	} else if (sig == SIGSYS && code == 1) {
		sb_puts(b, ", si_call_addr=");
		st_print_ptr(b, (uint64_t)(uintptr_t)si->si_call_addr);
		const char *sc = st_syscall_name(si->si_syscall);
		if (sc)
			sb_printf(b, ", si_syscall=__NR_%s", sc);
		else
			sb_printf(b, ", si_syscall=%d", si->si_syscall);
		sb_puts(b, si->si_arch == 0xc000003e ? ", si_arch=AUDIT_ARCH_X86_64" : ", si_arch=");
		if (si->si_arch != 0xc000003e)
			sb_printf(b, "%#x", si->si_arch);
	}
	sb_putc(b, '}');
}

void st_print_exit(struct sbuf *b, int status)
{
	if (WIFSIGNALED(status)) {
		sb_puts(b, "+++ killed by ");
		st_print_signame(b, WTERMSIG(status));
		sb_puts(b, WCOREDUMP(status) ? " (core dumped) +++" : " +++");
	} else {
		sb_printf(b, "+++ exited with %d +++", WEXITSTATUS(status));
	}
}

void st_print_wstatus(struct sbuf *b, int status)
{
	sb_puts(b, "[{");
	if (WIFEXITED(status)) {
		sb_printf(b, "WIFEXITED(s) && WEXITSTATUS(s) == %d", WEXITSTATUS(status));
	} else if (WIFSIGNALED(status)) {
		sb_puts(b, "WIFSIGNALED(s) && WTERMSIG(s) == ");
		st_print_signame(b, WTERMSIG(status));
		if (WCOREDUMP(status))
			sb_puts(b, " && WCOREDUMP(s)");
	} else if (WIFSTOPPED(status)) {
		sb_puts(b, "WIFSTOPPED(s) && WSTOPSIG(s) == ");
		st_print_signame(b, WSTOPSIG(status));
		if (status >> 16)
			sb_printf(b, " && (s >> 16) == %d", status >> 16);
	} else if (WIFCONTINUED(status)) {
		sb_puts(b, "WIFCONTINUED(s)");
	} else {
		sb_printf(b, "%#x", status);
	}
	sb_puts(b, "}]");
}

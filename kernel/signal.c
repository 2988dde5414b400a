#include "kernel/signal.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "arch/x86_64/cpu.h"
#include "vmm/vcpu.h"

/* As Linux's fpu__exception_code(). */
static int fpe_code(unsigned vector, const struct fpu_status *f)
{
	uint32_t err;

	if (!f)
		return 0;
	if (vector == VEC_MF)
		err = f->fsw & ~f->fcw;
	else
		err = ~(f->mxcsr >> 7) & f->mxcsr;
	if (err & 0x001)
		return FPE_FLTINV;
	if (err & 0x004)
		return FPE_FLTDIV;
	if (err & 0x008)
		return FPE_FLTOVF;
	if (err & 0x012)
		return FPE_FLTUND;
	if (err & 0x020)
		return FPE_FLTRES;
	return 0;
}

void sig_from_exception(const struct vcpu_event *ev, uint64_t rip, int pf_result,
			const struct fpu_status *fpu, struct fault_signal *out)
{
	/* As Linux's arch/x86/kernel/traps.c and fault.c. */
	out->addr = 0;
	out->code = SI_KERNEL;
	switch (ev->vector) {
	case VEC_DE:
		out->signo = SIGFPE;
		out->code = FPE_INTDIV;
		out->addr = rip;
		break;
	case VEC_DB:
		out->signo = SIGTRAP;
		out->code = TRAP_TRACE;
		out->addr = rip;
		break;
	case VEC_BP:
		out->signo = SIGTRAP;
		out->code = SI_KERNEL;
		break;
	case VEC_UD:
		out->signo = SIGILL;
		out->code = ILL_ILLOPN;
		out->addr = rip;
		break;
	case VEC_MF:
	case VEC_XM:
		out->code = fpe_code(ev->vector, fpu);
		out->signo = out->code ? SIGFPE : 0;
		out->addr = rip;
		break;
	case VEC_AC:
		out->signo = SIGBUS;
		out->code = BUS_ADRALN;
		break;
	case VEC_TS:
	case VEC_NP:
	case VEC_SS:
		out->signo = SIGBUS;
		break;
	case VEC_PF:
		out->signo = SIGSEGV;
		out->code = pf_result == -EACCES ? SEGV_ACCERR : SEGV_MAPERR;
		out->addr = ev->cr2;
		break;
	default: /* #GP, #OF, #BR, #NM and the rest */
		out->signo = SIGSEGV;
		break;
	}
}

bool sig_default_is_core(int signo)
{
	switch (signo) {
	case SIGQUIT: case SIGILL: case SIGTRAP: case SIGABRT: case SIGBUS: case SIGFPE:
	case SIGSEGV: case SIGXCPU: case SIGXFSZ: case SIGSYS:
		return true;
	default:
		return false;
	}
}

const char *sig_name(int signo)
{
	static const char *const names[] = {
		[SIGHUP] = "SIGHUP", [SIGINT] = "SIGINT", [SIGQUIT] = "SIGQUIT", [SIGILL] = "SIGILL",
		[SIGTRAP] = "SIGTRAP", [SIGABRT] = "SIGABRT", [SIGBUS] = "SIGBUS", [SIGFPE] = "SIGFPE",
		[SIGKILL] = "SIGKILL", [SIGUSR1] = "SIGUSR1", [SIGSEGV] = "SIGSEGV", [SIGUSR2] = "SIGUSR2",
		[SIGPIPE] = "SIGPIPE", [SIGALRM] = "SIGALRM", [SIGTERM] = "SIGTERM", [SIGSTKFLT] = "SIGSTKFLT",
		[SIGCHLD] = "SIGCHLD", [SIGCONT] = "SIGCONT", [SIGSTOP] = "SIGSTOP", [SIGTSTP] = "SIGTSTP",
		[SIGTTIN] = "SIGTTIN", [SIGTTOU] = "SIGTTOU", [SIGURG] = "SIGURG", [SIGXCPU] = "SIGXCPU",
		[SIGXFSZ] = "SIGXFSZ", [SIGVTALRM] = "SIGVTALRM", [SIGPROF] = "SIGPROF", [SIGWINCH] = "SIGWINCH",
		[SIGIO] = "SIGIO", [SIGPWR] = "SIGPWR", [SIGSYS] = "SIGSYS",
	};
	if (signo > 0 && signo < (int)(sizeof names / sizeof names[0]) && names[signo])
		return names[signo];
	return "SIG?";
}

const char *sig_code_name(int signo, int code)
{
	if (code == SI_KERNEL)
		return "SI_KERNEL";
	switch (signo) {
	case SIGSEGV:
		return code == SEGV_MAPERR ? "SEGV_MAPERR" : code == SEGV_ACCERR ? "SEGV_ACCERR" : "?";
	case SIGILL:
		return code == ILL_ILLOPN ? "ILL_ILLOPN" : "?";
	case SIGFPE:
		switch (code) {
		case FPE_INTDIV: return "FPE_INTDIV";
		case FPE_FLTDIV: return "FPE_FLTDIV";
		case FPE_FLTOVF: return "FPE_FLTOVF";
		case FPE_FLTUND: return "FPE_FLTUND";
		case FPE_FLTRES: return "FPE_FLTRES";
		case FPE_FLTINV: return "FPE_FLTINV";
		}
		return "?";
	case SIGBUS:
		return code == BUS_ADRALN ? "BUS_ADRALN" : "?";
	case SIGTRAP:
		return code == TRAP_TRACE ? "TRAP_TRACE" : code == TRAP_BRKPT ? "TRAP_BRKPT" : "?";
	}
	return "?";
}

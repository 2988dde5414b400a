/* Signals raised by faults, and default actions. Handlers, masks and queues come with
 * the process-model work; until then every fault signal takes its default action. */
#ifndef HV_KERNEL_SIGNAL_H
#define HV_KERNEL_SIGNAL_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu_event;

struct fault_signal {
	int signo;
	int code;      /* si_code */
	uint64_t addr; /* si_addr */
};

struct fpu_status {
	uint16_t fcw, fsw;
	uint32_t mxcsr;
};

/* The signal Linux raises for a user-mode exception. pf_result is mm_fault()'s answer
 * for #PF (-EFAULT: SEGV_MAPERR, -EACCES: SEGV_ACCERR); fpu is needed for #MF and #XM.
 * signo 0: no signal (a spurious FP exception, which Linux ignores too). */
void sig_from_exception(const struct vcpu_event *ev, uint64_t rip, int pf_result,
			const struct fpu_status *fpu, struct fault_signal *out);

/* Does the default action of signo dump core (status bit 0x80)? */
bool sig_default_is_core(int signo);
const char *sig_name(int signo);
const char *sig_code_name(int signo, int code);

#endif

/* Generating and dequeuing signals (Linux's kernel/signal.c, the part before delivery). */
#ifndef HV_KERNEL_SIG_SEND_H
#define HV_KERNEL_SIG_SEND_H

#include <signal.h>
#include <stdbool.h>

#include "kernel/kernel.h"

/* The kernel's internal "restart me" codes (never seen by the guest). */
#define ERESTARTSYS 512
#define ERESTARTNOINTR 513
#define ERESTARTNOHAND 514
#define ERESTART_RESTARTBLOCK 516

enum sig_default {
	SIG_DEFAULT_TERM,
	SIG_DEFAULT_CORE,
	SIG_DEFAULT_IGNORE,
	SIG_DEFAULT_STOP,
	SIG_DEFAULT_CONT,
};

enum sig_default sig_default_action(int signo);

/* Sends signo with info to process p (t NULL: any of its threads, as kill(2)) or to the
 * thread t of p (tgkill, faults). info NULL: SI_KERNEL. Returns 0 (also when the signal
 * is ignored and dropped, as Linux). Preconditions: k->mu held. */
int sig_send(struct process *p, struct task *t, int signo, const siginfo_t *info);

/* Ends every thread of p (exit_group, a fatal signal): p's wait status becomes wstatus
 * unless a group exit is already under way. Preconditions: k->mu held. */
void sig_group_exit(struct process *p, int wstatus);

/* A signal the task cannot escape (Linux's force_sig_info_to_task): a faulting
 * instruction's, a seccomp SIGSYS, a debug trap. When t blocks or ignores it, it is
 * unblocked and its action reset to the default; to_default resets it anyway (a
 * death the handler must not catch). Preconditions: k->mu held. */
void sig_force(struct task *t, const siginfo_t *info, bool to_default);
/* Takes the next deliverable signal of t (synchronous faults first, then the lowest
 * number, thread queue before process queue). Returns its number, 0 if none.
 * Preconditions: k->mu held. */
int sig_dequeue(struct task *t, siginfo_t *info);

/* Tells p's parent that the group stopped or continued (CLD_STOPPED/CLD_CONTINUED),
 * and wakes its waiters. Preconditions: k->mu held. */
void sig_notify_parent_stop(struct process *p, int why);
/* SIGCONT: ends p's group stop. Preconditions: k->mu held. */
void process_continue(struct process *p);

/* Sets t's blocked mask (SIGKILL and SIGSTOP stay unblocked) and makes t look at
 * signals the change lets in. Preconditions: k->mu held. */
void sig_set_blocked(struct task *t, ksigset_t mask);

/* A signal that reached hvtrace itself from the host, for the program it runs:
 * to_group, a terminal's (Ctrl-C's SIGINT, Ctrl-\'s SIGQUIT, a hangup): natively the
 * terminal signals its foreground process group, the program's own, which here is the
 * guest's first group (1); si_code SI_KERNEL as Linux's tty signals. Otherwise (e.g.
 * SIGTERM from `kill` or `timeout`): the first process only, SI_USER from pid 0 (the
 * sender is not a guest process). Preconditions: k->mu not held. */
void sig_send_from_host(struct kernel *k, int signo, bool to_group);

/* Frees every queued siginfo of a pending set. */
void sig_flush_pending(struct sigpending *sp);
/* Removes the signals in mask from a pending set. */
void sig_discard(struct sigpending *sp, ksigset_t mask);

#endif

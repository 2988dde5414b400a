/* The syscall transport (design decision 7): how a guest `syscall` reaches
 * syscall_dispatch() and how its result gets back.
 *
 *   exit:   MSR_LSTAR -> the trampoline's `out`; one VM exit per syscall.
 *   shared: MSR_LSTAR -> the exit-less trampoline: the guest publishes the request in its
 *           vCPU's slot and spins; a host server thread answers in the slot. The guest
 *           never gives up spinning on its own.
 *   auto:   shared, but adaptive on both sides: the guest spins about one exit's worth
 *           and then takes the exit path; the server spins briefly after each request
 *           and then sleeps until the vCPU thread wakes it.
 *
 * Only calls that neither block nor need the vCPU's registers run on the server
 * (syscall_is_fast); for every other call, and whenever a call left PTE re-stores for
 * the vCPU, the server answers "exit" and the vCPU thread finishes the call with exact
 * syscall-entry registers, as on the exit path.
 *
 * Slot page (guest-writable: the host snapshots a request once and trusts nothing else
 * in it; everything it relies on is host-private here):
 *   0x00 req   the guest's request counter (incremented to publish)
 *   0x08 nr, 0x10..0x38 args
 *   0x40 resp  == req: answered; == req ^ 1<<63: take the exit path
 *   0x48 ret
 *   0x80..0x100 trampoline scratch and private stack
 *   0x200 spin limit (pauses) before the guest falls back to the exit path */
#ifndef HV_KERNEL_TRANSPORT_H
#define HV_KERNEL_TRANSPORT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct task;

enum syscall_transport {
	TRANSPORT_AUTO = 0,
	TRANSPORT_EXIT,
	TRANSPORT_SHARED,
};

#define SLOT_OFF_REQ 0x00
#define SLOT_OFF_NR 0x08
#define SLOT_OFF_ARGS 0x10
#define SLOT_OFF_RESP 0x40
#define SLOT_OFF_RET 0x48
#define SLOT_OFF_SPIN 0x200
#define SLOT_EXIT_BIT (1ull << 63)

enum slot_done_kind {
	SLOT_DONE_NONE,
	SLOT_DONE_ANSWERED,   /* the server answered in the slot: resume the trampoline */
	SLOT_DONE_NEEDS_EXIT, /* the server ran it, but the vCPU must pass the exit path */
	SLOT_DONE_HANDOVER,   /* the server left it to the vCPU thread */
	SLOT_DONE_BY_VCPU,    /* the vCPU thread ran it */
};

struct transport {
	enum syscall_transport mode;
	struct task *task;
	volatile uint64_t *slot; /* host view of the guest slot page */

	/* Host-private hand-over state between the server and the vCPU thread. */
	_Atomic uint64_t claimed;  /* last request taken, by either side */
	_Atomic uint64_t done_seq; /* last request finished (published after done_kind/ret) */
	_Atomic int done_kind;
	long done_ret;

	pthread_t server;
	bool has_server;
	_Atomic int state;     /* SERVER_* */
	_Atomic uint32_t wake; /* futex word the sleeping server waits on */
	uint64_t server_spin_ns;
	/* auto: the guest's current spin limit (mirrored into the slot). Written by the
	 * vCPU thread during an exit and by the server after answering; a lost update only
	 * shifts the limit by one step. */
	uint64_t guest_spin;
	uint64_t answered_since_miss;

	/* Statistics, for tests and --verbose. */
	_Atomic uint64_t served, handed_over, fallbacks;
};

enum transport_action {
	TRANSPORT_RESUME,  /* the answer is in the slot: just run the vCPU again */
	TRANSPORT_RETURN,  /* return *ret to the user (registers already at syscall entry) */
	TRANSPORT_EXECUTE, /* registers are at syscall entry: dispatch the call */
};

/* Parses "exit", "shared" or "auto". */
int transport_parse(const char *s, enum syscall_transport *out);
const char *transport_name(enum syscall_transport m);

/* Sets the task's vCPU up for mode (after exec): LSTAR, the slot, the server thread. */
int transport_start(struct task *t, enum syscall_transport mode);
void transport_stop(struct task *t);
/* After execve re-mapped the vCPU's slot (zeroed): the protocol starts over. */
int transport_restart(struct task *t);
/* A VEV_SYSCALL_SLOT exit: who finishes the call. */
enum transport_action transport_on_fallback(struct task *t, long *ret);
/* Is the vCPU inside a trampoline (ring 0, or the exit-less code page), a syscall
 * half done and the registers not the user's? Signals wait until it is out. */
bool transport_mid_call(struct task *t);
/* Before each KVM_RUN: make sure the server is awake when the guest comes back. */
void transport_before_entry(struct task *t);

#endif
